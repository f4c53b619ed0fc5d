//! Pooled two-proportion z-test on the share of one category:
//! `z = (p_ref - p_cur) / sqrt(p (1 - p) (1/n_ref + 1/n_cur))` with `p` the pooled share,
//! two-sided `p-value = 2 * norm.sf(|z|)`.

use super::{TestResult, normal_sf};
use crate::Error;

/// The z-test from the count of the category and the sample size on each side.
///
/// When both samples consist entirely of the category (or have none of it) the
/// shares are equal and the test gives z = 0, p = 1.
///
/// # Errors
/// A sample of size zero.
pub fn z_test(
    reference_count: f64,
    reference_n: f64,
    current_count: f64,
    current_n: f64,
) -> Result<TestResult, Error> {
    if reference_n.is_nan() || reference_n <= 0.0 {
        return Err(Error::EmptySample { which: "reference" });
    }
    if current_n.is_nan() || current_n <= 0.0 {
        return Err(Error::EmptySample { which: "current" });
    }
    let p1 = reference_count / reference_n;
    let p2 = current_count / current_n;
    let p = (reference_count + current_count) / (reference_n + current_n);
    let se = (p * (1.0 - p) * (1.0 / reference_n + 1.0 / current_n)).sqrt();
    if se.is_nan() || se <= 0.0 {
        return Ok(TestResult {
            statistic: 0.0,
            p_value: 1.0,
        });
    }
    let z = (p1 - p2) / se;
    Ok(TestResult {
        statistic: z,
        p_value: (2.0 * normal_sf(z.abs())).min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value() {
        // 30/100 vs 50/100: p = 0.4, se = sqrt(0.24 * 0.02), z = -0.2 / se
        let r = z_test(30.0, 100.0, 50.0, 100.0).unwrap();
        let z = -0.2 / (0.24f64 * 0.02).sqrt();
        assert!((r.statistic - z).abs() < 1e-12);
        assert!(
            (r.p_value - 0.003892417122778628).abs() < 1e-12,
            "{}",
            r.p_value
        );
        assert_eq!(z_test(5.0, 5.0, 7.0, 7.0).unwrap().p_value, 1.0);
        assert!(z_test(0.0, 0.0, 1.0, 1.0).is_err());
    }
}
