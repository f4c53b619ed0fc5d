//! Energy distance, `scipy.stats.energy_distance(u, v)`: `sqrt(2) * sqrt(integral of
//! (F_u - G_v)^2)`.

use super::cdf_integral::cdf_integral;
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
    // Every value must be in order: unlike Wasserstein's `|F - G|`, the square
    // cannot be integrated over a value cell from its counts and sums (`∫δ^2` inside
    // a cell depends on how its values interleave), so value cells would only
    // replace the sort's own passes, and measured no faster (docs/PERFORMANCE.md).
    // The two sorts run side by side.
    let (r, c) = super::sorted_copies(reference, current);
    Ok(energy_sorted(&r?, &c?))
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
        assert!(energy_distance(&[], &[1.0]).is_err());
        assert!(energy_distance(&[1.0, f64::NAN], &[1.0]).is_err());
    }

    #[test]
    fn long_samples_sorted_side_by_side() {
        // permuted grids of U(0, 1) and U(0.1, 1.1): the integral of (F - G)^2 is
        // 0.9 * 0.1^2 + 2 * 0.1^3 / 3, so the distance is sqrt(2 * 0.0096667)
        let a: Vec<f64> = (0..70_000)
            .map(|k| f64::from(k * 7919 % 70_000) / 7e4)
            .collect();
        let b: Vec<f64> = (0..50_000)
            .map(|k| f64::from(k * 7907 % 50_000) / 5e4 + 0.1)
            .collect();
        let want = (2.0f64 * (0.9 * 0.01 + 2.0 * 0.001 / 3.0)).sqrt();
        let got = energy_distance(&a, &b).unwrap();
        assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        // a NaN in a long sample is still an error naming its index
        let mut bad = a.clone();
        bad[123] = f64::NAN;
        assert!(matches!(
            energy_distance(&bad, &b),
            Err(Error::NotANumber { index: 123, .. })
        ));
    }
}
