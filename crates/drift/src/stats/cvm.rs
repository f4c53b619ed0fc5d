//! Two-sample Cramér-von Mises test, `scipy.stats.cramervonmises_2samp(x, y,
//! method=...)` (scipy 1.17): `asymptotic`, `exact` (the exact null distribution of
//! the statistic, Xiao, Gordon and Yakovlev 2006, as scipy's
//! `_pval_cvm_2samp_exact`), or `auto` (exact when both samples have at most 20
//! values, as scipy).
//!
//! The exact p-value counts, among all C(m + n, m) interleavings of the two samples,
//! those whose statistic is at least the observed one: a table of the attainable
//! values of `sum (a v - b u)^2` (integers, `a = lcm / m`, `b = lcm / n`) with their
//! frequencies is built along the lattice path, exactly as scipy's, and the count is
//! an exact integer. The observed statistic is turned into that integer scale with
//! scipy's float floor division, so ties (midranks) land where scipy puts them.
//!
//! The p-value follows scipy's `_pval_cvm_2samp_asymptotic`: the statistic is
//! normalised with its finite-sample mean and variance and referred to the limiting
//! distribution, whose CDF (`_cdf_cvm_inf`) is a series summed, as scipy does, until a
//! term falls below 1e-7. Keeping scipy's stopping rule matters: for a large statistic
//! the reported p-value is mostly the truncated tail of that series, `1 - (a sum near
//! 1)`, so it is only as exact as the last bit of every term. Each term is computed as
//! scipy computes it: `gammaln` is cephes' `lgam` (ported in `ks::special`), the
//! Bessel function is AMOS's (`super::bessel`), `exp`, `log` and `pow` are the C
//! library's, the variance is the correctly rounded quotient of two integers (Python's
//! `int / int`).
//!
//! scipy takes `exp(-q)` with numpy's `exp` (`xp.exp` of an array), which on CPUs with
//! AVX-512 is Intel's SVML routine; it differs from the C library's `exp` in the last
//! bit for about one argument in twenty, so that `exp` is reproduced too
//! (`super::numpy_exp`). The reference values are numpy/scipy on such a CPU; numpy on
//! other CPUs rounds some of these terms differently itself.

use crate::ks::gammaln;

use super::bessel::kv_small_order;
use super::numpy_exp::numpy_exp;
use super::{MethodResult, PValueMethod, for_each_group, sorted_copy};
use crate::Error;

/// scipy's `auto`: exact when both samples have at most this many values.
pub const EXACT_AUTO_MAX: usize = 20;

/// Largest number of table entries built by the exact p-value (a fraction of a
/// second). Every pair of sizes up to 20 x 20, where `auto` picks
/// the exact method, needs at most 3.7 million (19 x 20); 24 x 25 about 17 million,
/// 25 x 26 21 million.
const EXACT_MAX_WORK: u64 = 20_000_000;

/// Largest number of table entries held at once (32 bytes each): 19 x 20 holds at
/// most half a million, 24 x 25 1.7 million.
const EXACT_MAX_LIVE: usize = 3_000_000;

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
        let u = (gammaln(kf + 0.5) - gammaln(kf + 1.0)).exp() / (pi15 * x.sqrt());
        let y = 4 * k + 1;
        let q = f64::from(y * y) / (16.0 * x);
        let b = kv_small_order(0.25, q);
        // numpy's exp here (scipy takes xp.exp of an array), the C library's above
        let z = u * f64::from(y).sqrt() * numpy_exp(-q) * b;
        tot += z;
        if z.is_nan() || z.abs() < 1e-7 {
            break;
        }
    }
    tot
}

/// `num / den` correctly rounded to the nearest f64 (ties to even), as Python's
/// `int / int`; `den > 0`.
fn int_ratio(num: i128, den: i128) -> f64 {
    let (neg, a, b) = (num < 0, num.unsigned_abs(), den.unsigned_abs());
    if b == 0 {
        return f64::NAN;
    }
    if a < (1 << 53) && b < (1 << 53) {
        let q = a as f64 / b as f64; // both exact: one rounding
        return if neg { -q } else { q };
    }
    // A 64-bit quotient `big * 2^exp` with a sticky bit, then one rounding.
    let (mut big, mut rem) = (a / b, a % b);
    let mut exp: i32 = 0;
    let mut sticky = false;
    if big >= 1 << 64 {
        let t = 128 - big.leading_zeros() - 64;
        sticky = big & ((1u128 << t) - 1) != 0;
        big >>= t;
        exp = t as i32;
    } else {
        while big < 1 << 63 {
            // rem < b < 2^127, so 2 * rem fits
            rem <<= 1;
            big <<= 1;
            if rem >= b {
                big |= 1;
                rem -= b;
            }
            exp -= 1;
        }
    }
    sticky |= rem != 0;
    let mut m = (big >> 11) as u64;
    let guard = (big >> 10) & 1 == 1;
    let rest = big & 0x3ff != 0 || sticky;
    if guard && (rest || m & 1 == 1) {
        m += 1;
    }
    let q = m as f64 * 2f64.powi(exp + 11);
    if neg { -q } else { q }
}

/// The test on two sorted, NaN-free samples with at least two values each
/// (infinities are values: the statistic depends on ranks only).
///
/// # Errors
/// A sample with fewer than two values; [`Error::ExactTooLarge`] when `Exact` was
/// asked for sizes whose table exceeds the work limit.
pub fn cramervonmises_sorted(
    x: &[f64],
    y: &[f64],
    method: PValueMethod,
) -> Result<MethodResult, Error> {
    if x.len() < 2 || y.len() < 2 {
        return Err(Error::TooSmall {
            what: "Cramér-von Mises needs at least two values in each sample".into(),
        });
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
    let exact = match method {
        PValueMethod::Auto => nx.max(ny) <= EXACT_AUTO_MAX,
        PValueMethod::Exact => true,
        PValueMethod::Asymptotic => false,
    };
    Ok(if exact {
        MethodResult {
            statistic: t,
            p_value: pvalue_exact(u, nx, ny)?,
            method: PValueMethod::Exact,
        }
    } else {
        MethodResult {
            statistic: t,
            p_value: pvalue_asymptotic(t, nx, ny),
            method: PValueMethod::Asymptotic,
        }
    })
}

/// numpy's float `a // b` (`npy_divmod`): the floor of the quotient, computed from
/// the remainder so that it is exact for exact inputs.
fn floor_divide(a: f64, b: f64) -> f64 {
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div == 0.0 {
        return 0.0f64.copysign(a / b);
    }
    let floor = div.floor();
    if div - floor > 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Merges two ascending (value, frequency) tables, adding the frequencies of equal
/// values, and adds `shift` to every value. Frequencies are at most C(m + n, m),
/// checked to fit before the tables are built.
fn merge_shifted(a: &[(u64, u128)], b: &[(u64, u128)], shift: u64) -> Vec<(u64, u128)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x.0 < y.0 {
            out.push((x.0 + shift, x.1));
            i += 1;
        } else if y.0 < x.0 {
            out.push((y.0 + shift, y.1));
            j += 1;
        } else {
            out.push((x.0 + shift, x.1 + y.1));
            i += 1;
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|&(v, f)| (v + shift, f)));
    out.extend(b[j..].iter().map(|&(v, f)| (v + shift, f)));
    out
}

/// scipy's `_pval_cvm_2samp_exact(u, m, n)`: the share of the C(m + n, m)
/// interleavings whose statistic reaches `u`.
fn pvalue_exact(u: f64, m: usize, n: usize) -> Result<f64, Error> {
    pvalue_exact_within(u, m, n, EXACT_MAX_WORK)
}

/// [`pvalue_exact`] building at most `max_work` table entries.
fn pvalue_exact_within(u: f64, m: usize, n: usize, max_work: u64) -> Result<f64, Error> {
    let too_large = |why| Error::ExactTooLarge {
        test: "Cramér-von Mises",
        n1: m,
        n2: n,
        why,
    };
    let (mu, nu) = (m as u64, n as u64);
    // the frequencies add up to C(m + n, m): exact integers while that fits
    let Some(combinations) = binomial_u128(m + n, m) else {
        return Err(too_large("overflows 128-bit counts"));
    };
    let lcm = mu / gcd(mu, nu) * nu;
    let (a, b) = (lcm / mu, lcm / nu);
    let mn = mu * nu;
    // zeta = lcm**2 * (m + n) * (6 * s - mn * (4 * mn - 1)) // (6 * mn ** 2), in
    // floats as scipy evaluates it (`s` is a float)
    let scale = (lcm * lcm * (mu + nu)) as f64;
    let zeta = floor_divide(
        scale * (6.0 * u - (mn * (4 * mn - 1)) as f64),
        (6 * mn * mn) as f64,
    );
    // gs[v]: the table of g_{u, v}, row by row over u (scipy's `gs`)
    let mut gs: Vec<Vec<(u64, u128)>> = vec![Vec::new(); m + 1];
    gs[0] = vec![(0, 1)];
    let mut work: u64 = 0;
    let mut live: usize = 1;
    for uu in 0..=nu {
        for v in 0..=m {
            let d = (a * v as u64).abs_diff(b * uu);
            let next = if v == 0 {
                merge_shifted(&[], &gs[0], d * d)
            } else {
                merge_shifted(&gs[v - 1], &gs[v], d * d)
            };
            work += next.len() as u64;
            live = live + next.len() - gs[v].len();
            if work > max_work || live > EXACT_MAX_LIVE {
                return Err(too_large("needs too much work"));
            }
            gs[v] = next;
        }
    }
    let count: u128 = gs[m]
        .iter()
        .filter(|&&(value, _)| value as f64 >= zeta)
        .map(|&(_, f)| f)
        .sum();
    // scipy divides numpy uint64 counts as floats, and Python ints (counts beyond
    // 64 bits) correctly rounded
    Ok(if combinations <= u128::from(u64::MAX) {
        count as f64 / combinations as f64
    } else {
        int_ratio(count as i128, combinations as i128)
    })
}

/// C(n, k) if it fits in 127 bits (so that it also fits an i128).
fn binomial_u128(n: usize, k: usize) -> Option<u128> {
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for j in 1..=k as u128 {
        // C(n - k + j, j) = C(n - k + j - 1, j - 1) * (n - k + j) / j, exact
        c = c.checked_mul((n - k) as u128 + j)? / j;
    }
    (c < 1 << 127).then_some(c)
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
    let vt = int_ratio(num, den);
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    if tn < 0.003 {
        1.0
    } else {
        (1.0 - cdf_cvm_inf(tn)).max(0.0)
    }
}

/// `scipy.stats.cramervonmises_2samp(reference, current, method=...)`.
///
/// # Errors
/// An empty or one-value sample, a NaN, or an exact p-value beyond the work limit.
pub fn cramervonmises_2samp(
    reference: &[f64],
    current: &[f64],
    method: PValueMethod,
) -> Result<MethodResult, Error> {
    let r = sorted_copy(reference, "reference")?;
    let c = sorted_copy(current, "current")?;
    cramervonmises_sorted(&r, &c, method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_and_limit_cdf_match_scipy() {
        // scipy.special.kv(0.25, q), to the bit: both AMOS branches (|q| <= 2: series,
        // above: Miller, with the forward recurrence above 28.67)
        for (q, want) in [
            (0.004127033542893391, 7.983176381554978),
            (0.10317583857233478, 2.6467664840854646),
            (1.19271269389619, 0.3281425944867549),
            (1.8200217924159856, 0.1443344077786611),
            (2.5793959643083695, 0.05735375754766039),
            (6.9375433856037905, 0.0004560605492538835),
            (30.5, 1.2841465177654852e-14),
            (45.0, 5.337120964755188e-21),
        ] {
            assert_eq!(kv_small_order(0.25, q), want, "kv(0.25, {q})");
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
        // the golden numeric case 3: 1 - cdf at tn = 15.14 is the truncated tail of
        // the series, 2.2733961380083656e-09 in scipy, to the bit
        assert_eq!(
            1.0 - cdf_cvm_inf(15.144049436579655),
            2.2733961380083656e-09
        );
    }

    #[test]
    fn integer_ratios_round_like_python() {
        // Python: a / b for ints
        for (a, b, want) in [
            (
                347446305612664886279225341_i128,
                9435147383574709800817284726_i128,
                0.03682468238042799,
            ),
            (
                571838857997883909855956037,
                847524082815169828990388003,
                0.674716942671931,
            ),
            (
                -923218623136781360412237665,
                5336644017274280437578302532,
                -0.1729961039463,
            ),
            (
                779721827591881522694985110,
                7677378969361495184511033936,
                0.10156094035523802,
            ),
            (
                802752583882504608269703899,
                8806627263667330730135411570,
                0.09115323719834778,
            ),
            (
                -667862887706444831650817782,
                1930281602842272202735052766,
                -0.3459924638576258,
            ),
            (100_000_000_000_000_000_000, 3, 3.333333333333333e19),
            ((1 << 60) + 1, 1 << 61, 0.5),
            (7, 2, 3.5),
        ] {
            assert_eq!(int_ratio(a, b), want, "{a} / {b}");
        }
    }

    #[test]
    fn small_case_matches_scipy() {
        // cramervonmises_2samp([1,2,3,4,5,6.5],[2.5,7,8,9,10,11,3], method='asymptotic')
        let (x, y) = (
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.5],
            [2.5, 7.0, 8.0, 9.0, 10.0, 11.0, 3.0],
        );
        let r = cramervonmises_2samp(&x, &y, PValueMethod::Asymptotic).unwrap();
        assert!((r.statistic - 0.45467032967032983).abs() < 1e-14);
        assert!((r.p_value - 0.05186855811214264).abs() < 1e-12);
        assert!(cramervonmises_2samp(&[1.0], &[1.0, 2.0], PValueMethod::Auto).is_err());
        // method='exact' (and 'auto': both sizes <= 20): 88 of 1716 interleavings
        let r = cramervonmises_2samp(&x, &y, PValueMethod::Auto).unwrap();
        assert_eq!(r.method, PValueMethod::Exact);
        assert_eq!(r.p_value, 0.05128205128205128);
    }

    #[test]
    fn exact_limits_are_errors_not_panics() {
        assert_eq!(binomial_u128(40, 20), Some(137_846_528_820));
        assert_eq!(binomial_u128(200, 100), None);
        // 70 x 70: C(140, 70) overflows the counts, refused at once
        let x: Vec<f64> = (0..70).map(|i| f64::from(i) * 1.37).collect();
        let y: Vec<f64> = (0..70).map(|i| f64::from(i) * 1.31 + 0.1).collect();
        let e = cramervonmises_2samp(&x, &y, PValueMethod::Exact).unwrap_err();
        assert!(matches!(e, Error::ExactTooLarge { .. }), "{e}");
        // the work limit (19 x 20 needs 3.7 million entries)
        assert!(pvalue_exact_within(1000.0, 19, 20, 100_000).is_err());
        assert!(pvalue_exact_within(1000.0, 6, 7, 100_000).is_ok());
    }

    #[test]
    fn floor_division_is_numpys() {
        assert_eq!(floor_divide(7.0, 2.0), 3.0);
        assert_eq!(floor_divide(-7.0, 2.0), -4.0);
        assert_eq!(floor_divide(-7.5, 2.5), -3.0);
        assert_eq!(floor_divide(0.0, 3.0), 0.0);
    }
}
