//! Mann-Whitney U test, two-sided, asymptotic, with continuity and tie correction:
//! `scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic')`.

use super::{TestResult, for_each_group, normal_sf, sorted_copy};
use crate::Error;

/// The test on two sorted, finite, non-empty samples. The statistic is U of `x`
/// (the reference), as scipy reports it.
#[must_use]
pub fn mannwhitney_sorted(x: &[f64], y: &[f64]) -> TestResult {
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let mut r1 = 0.0f64;
    let mut tie_term: u128 = 0;
    let mut before = 0usize;
    for_each_group(x, y, |_, a, b| {
        let t = (a + b) as u128;
        tie_term += t * t * t - t;
        let rank = before as f64 + (a + b + 1) as f64 / 2.0;
        r1 += a as f64 * rank;
        before += a + b;
    });
    let u1 = r1 - n1 * (n1 + 1.0) / 2.0;
    let u2 = n1 * n2 - u1;
    let u = u1.max(u2);
    let mu = n1 * n2 / 2.0;
    let n = n1 + n2;
    let s = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term as f64 / (n * (n - 1.0)))).sqrt();
    let z = (u - mu - 0.5) / s;
    let p = (2.0 * normal_sf(z)).clamp(0.0, 1.0);
    TestResult {
        statistic: u1,
        p_value: if p.is_nan() { 1.0 } else { p },
    }
}

/// `scipy.stats.mannwhitneyu(reference, current, method='asymptotic')` (two-sided).
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn mannwhitneyu(reference: &[f64], current: &[f64]) -> Result<TestResult, Error> {
    let r = sorted_copy(reference, "reference")?;
    let c = sorted_copy(current, "current")?;
    Ok(mannwhitney_sorted(&r, &c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_match_scipy() {
        // mannwhitneyu([1,2,2,3,4,5],[2,3,6,7,8,9,9], method='asymptotic')
        let r = mannwhitneyu(
            &[1.0, 2.0, 2.0, 3.0, 4.0, 5.0],
            &[2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 9.0],
        )
        .unwrap();
        assert_eq!(r.statistic, 6.5);
        assert!(
            (r.p_value / 0.043727859914373765 - 1.0).abs() < 1e-12,
            "{}",
            r.p_value
        );
    }
}
