//! NannyML's reference chunks and its `StandardDeviationThreshold`, once for every
//! monitor that learns a band from the reference the way NannyML does (`cbpe`, `dle`,
//! `pca_reconstruction`, `domain_classifier`).
//!
//! The engine's own bands (driftwatch-monitor's `band.rs`: random chunks, each judged
//! against the rest) answer a different question and are not these.

use std::ops::Range;

use crate::monitor::Bounds;

/// NannyML's `DefaultChunker` cuts the data into this many chunks.
pub const DEFAULT_CHUNK_COUNT: usize = 10;

/// Consecutive chunks of `chunk_rows` rows and the rows left over as a last, shorter
/// chunk (NannyML's `SizeBasedChunker(incomplete="keep")`). Without `chunk_rows`,
/// `rows / 10` rows per chunk (`DefaultChunker`). A size of 0 is taken as 1, so a
/// caller that must refuse it checks first.
pub fn chunk_ranges(rows: usize, chunk_rows: Option<usize>) -> Vec<Range<usize>> {
    let size = chunk_rows.unwrap_or(rows / DEFAULT_CHUNK_COUNT).max(1);
    (0..rows)
        .step_by(size)
        .map(|start| start..(start + size).min(rows))
        .collect()
}

/// What a side of a band does at a limit of the statistic (a metric in [0, 1], an error
/// that is never negative).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// No limit.
    None,
    /// A threshold at or beyond the limit becomes the limit.
    Clip(f64),
    /// A threshold at or beyond the limit is dropped (that side is open), as NannyML's
    /// `override_using_none=True`.
    Drop(f64),
}

/// `mean ± std x sd` of the values (NaN ignored; population sd, as `np.nanstd`), each
/// side limited as NannyML's `calculate_threshold_values`; both sides open when no value
/// is known.
pub fn std_band(values: &[f64], std: f64, lower: Limit, upper: Limit) -> Bounds {
    let known: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if known.is_empty() {
        return Bounds::default();
    }
    let n = known.len() as f64;
    let mean = known.iter().sum::<f64>() / n;
    let sd = (known.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let (lo, hi) = (mean - std * sd, mean + std * sd);
    Bounds {
        lower: match lower {
            Limit::None => Some(lo),
            Limit::Clip(l) => Some(if lo <= l { l } else { lo }),
            Limit::Drop(l) => (lo > l).then_some(lo),
        },
        upper: match upper {
            Limit::None => Some(hi),
            Limit::Clip(u) => Some(if hi >= u { u } else { hi }),
            Limit::Drop(u) => (hi < u).then_some(hi),
        },
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
        assert_eq!((d.len(), d[10].clone()), (11, 100..105));
        assert_eq!(chunk_ranges(5, None), vec![0..1, 1..2, 2..3, 3..4, 4..5]);
        assert!(chunk_ranges(0, Some(3)).is_empty());
    }

    #[test]
    fn bands_are_mean_plus_minus_std_sd_limited_per_side() {
        // Values 1..=4: mean 2.5, population sd sqrt(1.25).
        let sd = 1.25f64.sqrt();
        let b = std_band(
            &[1.0, 2.0, 3.0, 4.0, f64::NAN],
            1.0,
            Limit::None,
            Limit::None,
        );
        assert!((b.lower.unwrap() - (2.5 - sd)).abs() < 1e-15);
        assert!((b.upper.unwrap() - (2.5 + sd)).abs() < 1e-15);
        // numpy: mean 0.8, sd 0.1 of [0.7, 0.9]; 3 sd reaches past 1.
        let b = std_band(&[0.7, 0.9], 3.0, Limit::Clip(0.0), Limit::Clip(1.0));
        assert!((b.lower.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(b.upper, Some(1.0));
        let b = std_band(&[1.0, 3.0], 3.0, Limit::Drop(0.0), Limit::Clip(0.0));
        assert_eq!((b.lower, b.upper), (None, Some(0.0)));
        assert_eq!(
            std_band(&[f64::NAN], 3.0, Limit::None, Limit::None),
            Bounds::default()
        );
    }
}
