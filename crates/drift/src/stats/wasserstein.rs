//! Wasserstein-1 distance, `scipy.stats.wasserstein_distance(u, v)`, and the version
//! normed by the reference's standard deviation (Evidently's drift score).

use super::cdf_integral::cdf_integral;
use super::std_population;
pub(crate) use super::wasserstein_cells::wasserstein_unsorted;
use crate::Error;

/// Floor on the reference std in [`wasserstein_normed`] (Evidently's value), so a
/// constant reference does not divide by zero.
pub const STD_FLOOR: f64 = 0.001;

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
    // long samples: value cells, no sort (an error or an infinity takes the sort)
    if let Some(d) = wasserstein_unsorted(reference, current, false) {
        return Ok(d);
    }
    let (r, c) = super::sorted_copies(reference, current);
    Ok(wasserstein_sorted(&r?, &c?))
}

/// Wasserstein distance divided by `max(std(reference, ddof=0), 0.001)`, given the
/// reference std: the shift in units of the reference spread (NaN when the std is, as
/// with an infinite reference value).
#[must_use]
pub fn wasserstein_normed_sorted(reference: &[f64], current: &[f64], reference_std: f64) -> f64 {
    normed(wasserstein_sorted(reference, current), reference_std)
}

/// A Wasserstein distance divided by `max(reference_std, 0.001)` (NaN stays NaN).
#[must_use]
pub fn normed(distance: f64, reference_std: f64) -> f64 {
    distance / floored(reference_std)
}

/// `max(std, 0.001)` as Python's `max` evaluates it: a NaN std (an infinite reference
/// value) stays NaN, where `f64::max` would drop it.
fn floored(std: f64) -> f64 {
    if std.is_nan() {
        std
    } else {
        std.max(STD_FLOOR)
    }
}

/// `wasserstein_distance / max(np.std(reference), 0.001)`.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn wasserstein_normed(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let d = wasserstein_distance(reference, current)?;
    Ok(d / floored(std_population(reference)))
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
