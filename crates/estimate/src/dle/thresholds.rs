//! Alert thresholds from reference chunks, as NannyML's `StandardDeviationThreshold`:
//! the realized metric on each chunk, then mean ± `std` standard deviations, the lower
//! side clipped at 0 (no error is negative).

use serde::{Deserialize, Serialize};

pub use driftwatch_core::chunks::{DEFAULT_CHUNK_COUNT, chunk_ranges};
use driftwatch_core::chunks::{Limit, std_band};

/// The band of one metric: where its estimate may lie without an alert.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower threshold (mean - std x sd, at least 0).
    pub lower: f64,
    /// Upper threshold (mean + std x sd).
    pub upper: f64,
}

impl Band {
    /// Mean ± `std` population standard deviations of `values` (NaN skipped, as
    /// `np.nanmean`/`np.nanstd`), the lower side clipped at 0 as NannyML clips a
    /// threshold at or below the metric's lower limit. `None` when no value is finite.
    pub fn of(values: &[f64], std: f64) -> Option<Band> {
        let b = std_band(values, std, Limit::Clip(0.0), Limit::None);
        Some(Band {
            lower: b.lower?,
            upper: b.upper?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_is_mean_plus_minus_std_clipped_at_zero() {
        // Values 1..=4: mean 2.5, population sd sqrt(1.25).
        let b = Band::of(&[1.0, 2.0, 3.0, 4.0], 1.0).unwrap();
        assert!((b.lower - (2.5 - 1.25f64.sqrt())).abs() < 1e-15);
        assert!((b.upper - (2.5 + 1.25f64.sqrt())).abs() < 1e-15);
        let b = Band::of(&[1.0, 2.0, 3.0, f64::NAN], 3.0).unwrap();
        assert_eq!(b.lower, 0.0);
        assert!(Band::of(&[f64::NAN], 3.0).is_none());
    }
}
