//! Alert thresholds from reference chunks, as NannyML's `StandardDeviationThreshold`:
//! the realized metric on each chunk, then mean ± `std` standard deviations, the lower
//! side clipped at 0 (no error is negative).

use serde::{Deserialize, Serialize};

/// Fewest reference chunks NannyML's `DefaultChunker` makes: with no `chunk_rows` the
/// reference is cut into chunks of `rows / 10` rows.
pub const DEFAULT_CHUNK_COUNT: usize = 10;

/// The row ranges of the reference chunks: consecutive chunks of `chunk_rows` rows and
/// the incomplete rest as a last, shorter chunk (NannyML's `SizeBasedChunker`,
/// `incomplete = 'keep'`). With no `chunk_rows`, `rows / 10` rows per chunk
/// (`DefaultChunker`; at least 1).
pub fn chunk_ranges(rows: usize, chunk_rows: Option<usize>) -> Vec<std::ops::Range<usize>> {
    let size = chunk_rows.unwrap_or(rows / DEFAULT_CHUNK_COUNT).max(1);
    (0..rows)
        .step_by(size)
        .map(|start| start..(start + size).min(rows))
        .collect()
}

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
        let kept: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        if kept.is_empty() {
            return None;
        }
        let n = kept.len() as f64;
        let mean = kept.iter().sum::<f64>() / n;
        let sd = (kept.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
        let lower = mean - std * sd;
        Some(Band {
            lower: if lower <= 0.0 { 0.0 } else { lower },
            upper: mean + std * sd,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_the_incomplete_rest() {
        assert_eq!(chunk_ranges(10, Some(4)), vec![0..4, 4..8, 8..10]);
        assert_eq!(chunk_ranges(8, Some(4)), vec![0..4, 4..8]);
        // NannyML's default: rows / 10 per chunk, the rest a chunk of its own.
        let d = chunk_ranges(105, None);
        assert_eq!(d.len(), 11);
        assert_eq!(d[10], 100..105);
        assert_eq!(chunk_ranges(5, None), vec![0..1, 1..2, 2..3, 3..4, 4..5]);
        assert!(chunk_ranges(0, Some(3)).is_empty());
    }

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
