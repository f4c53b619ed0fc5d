//! Thresholds from reference chunks, NannyML's `StandardDeviationThreshold` with its
//! value limits, and the chunks themselves (NannyML's size-based chunker).

use std::ops::Range;

use driftwatch_core::chunks::{Limit, chunk_ranges, std_band};

/// Consecutive chunks of `size` rows; a shorter last chunk of the remaining rows is
/// kept (NannyML's `SizeBasedChunker(incomplete="keep")`). `size` 0 gives none.
pub fn chunks(n: usize, size: usize) -> Vec<Range<usize>> {
    if size == 0 {
        return Vec::new();
    }
    chunk_ranges(n, Some(size))
}

/// `mean ± k std` (population std) of the finite values, each side clipped at the
/// metric's limits as NannyML does (a lower value at or below 0 becomes 0, an upper one
/// at or above `upper_limit` becomes it); `None` for a side without values.
pub fn band(values: &[f64], k: f64, upper_limit: Option<f64>) -> (Option<f64>, Option<f64>) {
    let b = std_band(
        values,
        k,
        Limit::Clip(0.0),
        upper_limit.map_or(Limit::None, Limit::Clip),
    );
    (b.lower, b.upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_the_remainder() {
        assert_eq!(chunks(10, 4), vec![0..4, 4..8, 8..10]);
        assert_eq!(chunks(8, 4), vec![0..4, 4..8]);
        assert!(chunks(5, 0).is_empty());
    }

    #[test]
    fn band_is_mean_plus_minus_k_std_clipped() {
        // numpy: mean 0.8, std 0.1 of [0.7, 0.9].
        let (lo, hi) = band(&[0.7, 0.9, f64::NAN], 3.0, Some(1.0));
        assert!((lo.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(hi, Some(1.0));
        let (lo, hi) = band(&[10.0, 30.0], 1.0, None);
        assert_eq!((lo, hi), (Some(10.0), Some(30.0)));
        assert_eq!(band(&[1.0, 3.0], 3.0, None).0, Some(0.0));
        assert_eq!(band(&[f64::NAN], 3.0, None), (None, None));
    }
}
