//! Energy distance, `scipy.stats.energy_distance(u, v)`: `sqrt(2) * sqrt(integral of
//! (F_u - G_v)^2)`.

use super::cdf_integral::cdf_integral;
use super::sorted_copy;
use crate::Error;

/// Energy distance of two sorted, finite, non-empty samples.
#[must_use]
pub fn energy_sorted(reference: &[f64], current: &[f64]) -> f64 {
    std::f64::consts::SQRT_2 * cdf_integral(reference, current, 2).sqrt()
}

/// `scipy.stats.energy_distance(reference, current)`.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn energy_distance(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let r = sorted_copy(reference, "reference")?;
    let c = sorted_copy(current, "current")?;
    Ok(energy_sorted(&r, &c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value() {
        // scipy.stats.energy_distance([0], [2]) == 2.0
        assert!((energy_distance(&[0.0], &[2.0]).unwrap() - 2.0).abs() < 1e-15);
        // scipy.stats.energy_distance([0, 8], [0, 8, 3]) == 0.6666666666666666
        let d = energy_distance(&[0.0, 8.0], &[0.0, 8.0, 3.0]).unwrap();
        assert!((d - 0.6666666666666666).abs() < 1e-12, "{d}");
    }
}
