//! Two-sample Cramér-von Mises test with the asymptotic p-value,
//! `scipy.stats.cramervonmises_2samp(x, y, method='asymptotic')`.
//!
//! The p-value follows scipy's `_pval_cvm_2samp_asymptotic`: the statistic is
//! normalised with its finite-sample mean and variance and referred to the limiting
//! distribution, whose CDF (`_cdf_cvm_inf`) is a series summed, as scipy does, until a
//! term falls below 1e-7. Keeping scipy's stopping rule matters: for a large statistic
//! the reported p-value is mostly the truncated tail of that series.

use statrs::function::gamma::ln_gamma;

use super::{TestResult, for_each_group, sorted_copy};
use crate::Error;

/// `exp(x) * K_nu(x)` for `x > 0`: the trapezoidal rule on
/// `integral_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt`, which converges
/// geometrically in the step for this entire, doubly decaying integrand.
pub fn bessel_k_scaled(nu: f64, x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::INFINITY;
    }
    let h = 0.05;
    let mut sum = 0.5;
    let mut k = 1u32;
    loop {
        let t = f64::from(k) * h;
        let f = (-x * (t.cosh() - 1.0)).exp() * (nu * t).cosh();
        sum += f;
        if f < 1e-18 * sum || k > 100_000 {
            break;
        }
        k += 1;
    }
    sum * h
}

/// scipy's `_cdf_cvm_inf(x)`: CDF of the limiting one-sample Cramér-von Mises
/// distribution (Csörgő and Faraway 1996, eq. 1.3), terms added until one is < 1e-7.
#[must_use]
pub fn cdf_cvm_inf(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    let mut tot = 0.0;
    let pi15 = std::f64::consts::PI.powf(1.5);
    for k in 0..10_000u32 {
        let kf = f64::from(k);
        let u = (ln_gamma(kf + 0.5) - ln_gamma(kf + 1.0)).exp() / (pi15 * x.sqrt());
        let y = 4.0 * kf + 1.0;
        let q = y * y / (16.0 * x);
        // exp(-q) * K(q) = exp(-2q) * (exp(q) K(q))
        let z = u * y.sqrt() * (-2.0 * q).exp() * bessel_k_scaled(0.25, q);
        tot += z;
        if z.abs() < 1e-7 {
            break;
        }
    }
    tot
}

/// The test on two sorted, finite samples with at least two values each.
///
/// # Errors
/// A sample with fewer than two values.
pub fn cramervonmises_sorted(x: &[f64], y: &[f64]) -> Result<TestResult, Error> {
    if x.len() < 2 {
        return Err(Error::EmptySample { which: "reference" });
    }
    if y.len() < 2 {
        return Err(Error::EmptySample { which: "current" });
    }
    let (nx, ny) = (x.len(), y.len());
    // midranks of the pooled sample; x's sorted values take ranks in order
    let (mut sx, mut sy) = (0.0f64, 0.0f64);
    let (mut ix, mut iy) = (0usize, 0usize);
    let mut before = 0usize;
    for_each_group(x, y, |_, a, b| {
        let rank = before as f64 + (a + b + 1) as f64 / 2.0;
        for _ in 0..a {
            ix += 1;
            let d = rank - ix as f64;
            sx += d * d;
        }
        for _ in 0..b {
            iy += 1;
            let d = rank - iy as f64;
            sy += d * d;
        }
        before += a + b;
    });
    let u = nx as f64 * sx + ny as f64 * sy;
    let k = (nx as f64) * (ny as f64);
    let n = (nx + ny) as f64;
    let t = u / (k * n) - (4.0 * k - 1.0) / (6.0 * n);
    Ok(TestResult {
        statistic: t,
        p_value: pvalue_asymptotic(t, nx, ny),
    })
}

/// scipy's `_pval_cvm_2samp_asymptotic`.
fn pvalue_asymptotic(t: f64, nx: usize, ny: usize) -> f64 {
    let (nxf, nyf) = (nx as f64, ny as f64);
    let n = nxf + nyf;
    let et = (1.0 + 1.0 / n) / 6.0;
    // exact integer arithmetic as in Python, then one rounding
    let (nxi, nyi) = (nx as i128, ny as i128);
    let (ni, ki) = (nxi + nyi, nxi * nyi);
    let num = (ni + 1) * (4 * ki * ni - 3 * (nxi * nxi + nyi * nyi) - 2 * ki);
    let den = 45 * ni * ni * 4 * ki;
    let vt = num as f64 / den as f64;
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    if tn < 0.003 {
        1.0
    } else {
        (1.0 - cdf_cvm_inf(tn)).max(0.0)
    }
}

/// `scipy.stats.cramervonmises_2samp(reference, current, method='asymptotic')`.
///
/// # Errors
/// An empty or one-value sample, or a non-finite value.
pub fn cramervonmises_2samp(reference: &[f64], current: &[f64]) -> Result<TestResult, Error> {
    let r = sorted_copy(reference, "reference")?;
    let c = sorted_copy(current, "current")?;
    cramervonmises_sorted(&r, &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_and_limit_cdf_match_scipy() {
        // scipy.special.kve(0.25, q)
        for (q, want) in [
            (0.004127033542893391, 8.01619129823449),
            (0.5, 1.5832939515157707),
            (1.19271269389619, 1.0815613246318567),
            (3.0, 0.7041397945021686),
            (20.0, 0.2789700879064432),
        ] {
            let got = bessel_k_scaled(0.25, q);
            assert!(((got - want) / want).abs() < 1e-13, "{q}: {got} vs {want}");
        }
        // scipy.stats._hypotests._cdf_cvm_inf
        for (x, want) in [
            (0.01, 5.864432809868958e-06),
            (0.1, 0.4151265615932029),
            (0.5, 0.9601667824343907),
            (1.0, 0.9975395478198642),
            (2.0, 0.9999872192637342),
        ] {
            let got = cdf_cvm_inf(x);
            assert!(((got - want) / want).abs() < 1e-12, "{x}: {got} vs {want}");
        }
    }

    #[test]
    fn small_case_matches_scipy() {
        // cramervonmises_2samp([1,2,3,4,5,6.5],[2.5,7,8,9,10,11,3], method='asymptotic')
        let r = cramervonmises_2samp(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5],
            &[2.5, 7.0, 8.0, 9.0, 10.0, 11.0, 3.0],
        )
        .unwrap();
        assert!((r.statistic - 0.45467032967032983).abs() < 1e-14);
        assert!((r.p_value - 0.05186855811214264).abs() < 1e-12);
        assert!(cramervonmises_2samp(&[1.0], &[1.0, 2.0]).is_err());
    }
}
