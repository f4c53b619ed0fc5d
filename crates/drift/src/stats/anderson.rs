//! Anderson-Darling k-sample statistic for two samples, midrank version:
//! `scipy.stats.anderson_ksamp([reference, current]).statistic` (Scholz and Stephens
//! 1987, standardised). No p-value: scipy's is interpolated from a table and capped to
//! [0.001, 0.25], which says little about drift.

use super::{for_each_group, sorted_copy};
use crate::Error;

/// The standardised statistic on two sorted, finite samples.
///
/// # Errors
/// Fewer than four values in all or fewer than two distinct values.
pub fn anderson_sorted(x: &[f64], y: &[f64]) -> Result<f64, Error> {
    if x.is_empty() {
        return Err(Error::EmptySample { which: "reference" });
    }
    if y.is_empty() {
        return Err(Error::EmptySample { which: "current" });
    }
    let n = [x.len() as f64, y.len() as f64];
    let nn = n[0] + n[1];
    if nn < 4.0 {
        return Err(Error::EmptySample { which: "current" });
    }
    let (mut s0, mut s1) = (0.0f64, 0.0f64);
    let (mut c0, mut c1) = (0usize, 0usize);
    let mut before = 0usize;
    let mut distinct = 0usize;
    for_each_group(x, y, |_, a, b| {
        distinct += 1;
        let lj = (a + b) as f64;
        let bj = before as f64 + lj / 2.0;
        let den = bj * (nn - bj) - nn * lj / 4.0;
        c0 += a;
        c1 += b;
        let m0 = c0 as f64 - a as f64 / 2.0;
        let m1 = c1 as f64 - b as f64 / 2.0;
        s0 += lj / nn * (nn * m0 - bj * n[0]).powi(2) / den;
        s1 += lj / nn * (nn * m1 - bj * n[1]).powi(2) / den;
        before += a + b;
    });
    if distinct < 2 {
        return Err(Error::EmptySample { which: "current" });
    }
    let a2akn = (s0 / n[0] + s1 / n[1]) * (nn - 1.0) / nn;
    let k = 2.0f64;
    let h_small = 1.0 / n[0] + 1.0 / n[1];
    // hs_cs = cumsum(1 / arange(N-1, 1, -1)); h = hs_cs[-1] + 1; g = sum(hs_cs / arange(2, N))
    let big_n = x.len() + y.len();
    let mut cum = 0.0f64;
    let mut g = 0.0f64;
    for (j, m) in (2..big_n).rev().enumerate() {
        cum += 1.0 / m as f64;
        g += cum / (j + 2) as f64;
    }
    let h = cum + 1.0;
    let a = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * h_small;
    let b = (2.0 * g - 4.0) * k * k + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * h_small - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * k * k
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * h_small
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * k * k - 4.0 * h * k;
    let sigmasq =
        (a * nn.powi(3) + b * nn * nn + c * nn + d) / ((nn - 1.0) * (nn - 2.0) * (nn - 3.0));
    Ok((a2akn - (k - 1.0)) / sigmasq.sqrt())
}

/// `scipy.stats.anderson_ksamp([reference, current]).statistic` (midrank).
///
/// # Errors
/// An empty sample, a non-finite value, fewer than four values or one distinct value.
pub fn anderson_ksamp(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let r = sorted_copy(reference, "reference")?;
    let c = sorted_copy(current, "current")?;
    anderson_sorted(&r, &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_match_scipy() {
        // anderson_ksamp([[1,2,2,3,4,5],[2,3,6,7,8,9,9]]).statistic
        let a = anderson_ksamp(
            &[1.0, 2.0, 2.0, 3.0, 4.0, 5.0],
            &[2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 9.0],
        )
        .unwrap();
        assert!((a - 2.698321702647085).abs() < 1e-12, "{a}");
        assert!(anderson_ksamp(&[1.0, 1.0], &[1.0, 1.0]).is_err());
    }
}
