//! Wasserstein-1 distance, `scipy.stats.wasserstein_distance(u, v)`, and the version
//! normed by the reference's standard deviation (Evidently's drift score).

use super::{for_each_group, sorted_copy, std_population};
use crate::Error;

/// Floor on the reference std in [`wasserstein_normed`] (Evidently's value), so a
/// constant reference does not divide by zero.
pub const STD_FLOOR: f64 = 0.001;

/// Integral of `|F_u - G_v|^p` over the pooled support of two sorted samples
/// (scipy's `_cdf_distance` before its final root).
pub(crate) fn cdf_integral(u: &[f64], v: &[f64], p: i32) -> f64 {
    let (nu, nv) = (u.len() as f64, v.len() as f64);
    let (mut cu, mut cv) = (0usize, 0usize);
    let mut prev: Option<f64> = None;
    let mut total = 0.0;
    for_each_group(u, v, |value, a, b| {
        if let Some(p0) = prev {
            let d = (cu as f64 / nu - cv as f64 / nv).abs();
            total += d.powi(p) * (value - p0);
        }
        cu += a;
        cv += b;
        prev = Some(value);
    });
    total
}

/// Wasserstein-1 distance of two sorted, finite, non-empty samples.
#[must_use]
pub fn wasserstein_sorted(reference: &[f64], current: &[f64]) -> f64 {
    cdf_integral(reference, current, 1)
}

/// `scipy.stats.wasserstein_distance(reference, current)`.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn wasserstein_distance(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let (r, c) = rayon::join(
        || sorted_copy(reference, "reference"),
        || sorted_copy(current, "current"),
    );
    Ok(wasserstein_sorted(&r?, &c?))
}

/// Wasserstein distance divided by `max(std(reference, ddof=0), 0.001)`, given the
/// reference std: the shift in units of the reference spread.
#[must_use]
pub fn wasserstein_normed_sorted(reference: &[f64], current: &[f64], reference_std: f64) -> f64 {
    wasserstein_sorted(reference, current) / reference_std.max(STD_FLOOR)
}

/// `wasserstein_distance / max(np.std(reference), 0.001)`.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn wasserstein_normed(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let d = wasserstein_distance(reference, current)?;
    Ok(d / std_population(reference).max(STD_FLOOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0
        assert_eq!(
            wasserstein_distance(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]).unwrap(),
            5.0
        );
        // scipy.stats.wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]) == 2.7
        let d = wasserstein_distance(&[3.4, 3.9, 7.5, 7.8], &[4.5, 1.4]).unwrap();
        assert!((d - 2.7).abs() < 1e-12, "{d}");
        assert!(wasserstein_distance(&[], &[1.0]).is_err());
    }
}
