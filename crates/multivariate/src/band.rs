//! NannyML's reference chunks and its `StandardDeviationThreshold`: the band a
//! monitor's statistic is judged against, learnt from chunks of the reference.

use std::ops::Range;

use driftwatch_core::Bounds;

use crate::error::Error;

pub use driftwatch_core::chunks::{DEFAULT_CHUNK_COUNT, Limit, std_band};

/// The reference chunks as NannyML's `SizeBasedChunker(chunk_rows, incomplete='keep')`
/// cuts them ([`driftwatch_core::chunks::chunk_ranges`]), or an error naming `monitor`
/// when the reference is too short for NannyML's default of `n / 10` rows per chunk.
pub fn chunks(
    monitor: &'static str,
    n: usize,
    chunk_rows: Option<usize>,
) -> Result<Vec<Range<usize>>, Error> {
    let size = chunk_rows.unwrap_or(n / DEFAULT_CHUNK_COUNT);
    if size == 0 {
        return Err(Error::input(
            monitor,
            format!(
                "cannot cut {n} reference rows into chunks of {size} rows; give at least {DEFAULT_CHUNK_COUNT} reference rows or set `chunk_rows`"
            ),
        ));
    }
    Ok(driftwatch_core::chunks::chunk_ranges(n, Some(size)))
}

/// The band keys every monitor of this crate takes, checked once: a chunk of at least
/// one row and a positive, finite width in standard deviations.
pub fn check_band_keys(
    monitor: &'static str,
    chunk_rows: Option<usize>,
    std: f64,
) -> Result<(), Error> {
    if chunk_rows == Some(0) {
        return Err(Error::config(
            monitor,
            "chunk_rows",
            "a chunk needs at least 1 row",
        ));
    }
    if !(std.is_finite() && std > 0.0) {
        return Err(Error::config(
            monitor,
            "std",
            format!("{std}: use a positive number"),
        ));
    }
    Ok(())
}

/// NannyML's alert rule of the reconstruction error: outside the open band
/// (`not lower < value < upper`), so a value on a threshold alerts, and NaN alerts.
pub fn outside_open(b: &Bounds, value: f64) -> bool {
    let above_lower = b.lower.is_none_or(|l| l < value);
    let below_upper = b.upper.is_none_or(|u| value < u);
    !(above_lower && below_upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_keys_refuse_empty_chunks_and_widths_that_are_not_positive() {
        assert!(check_band_keys("m", Some(1), 3.0).is_ok());
        let e = check_band_keys("m", Some(0), 3.0).unwrap_err().to_string();
        assert!(e.contains("chunk_rows"), "{e}");
        for bad in [0.0, -1.0, f64::NAN] {
            let e = check_band_keys("m", None, bad).unwrap_err().to_string();
            assert!(e.contains("std"), "{e}");
        }
    }

    #[test]
    fn chunks_keep_the_incomplete_last_one() {
        let c = chunks("m", 25, Some(10)).unwrap();
        assert_eq!(c, vec![0..10, 10..20, 20..25]);
        assert_eq!(chunks("m", 105, None).unwrap().len(), 11);
        assert!(
            chunks("m", 9, None)
                .unwrap_err()
                .to_string()
                .contains("chunk_rows")
        );
    }

    #[test]
    fn band_matches_numpy_and_limits() {
        // np.nanmean / np.nanstd of [1, 2, 3, nan, 4] = 2.5, 1.118033988749895.
        let v = [1.0, 2.0, 3.0, f64::NAN, 4.0];
        let b = std_band(&v, 3.0, Limit::None, Limit::None);
        assert!((b.lower.unwrap() - (2.5 - 3.0 * 1.118033988749895)).abs() < 1e-12);
        let b = std_band(&v, 3.0, Limit::Drop(0.0), Limit::None);
        assert_eq!(b.lower, None);
        let b = std_band(&v, 3.0, Limit::Clip(0.0), Limit::Clip(5.0));
        assert_eq!((b.lower, b.upper), (Some(0.0), Some(5.0)));
        assert!(outside_open(&b, 5.0) && outside_open(&b, f64::NAN) && !outside_open(&b, 4.0));
        assert_eq!(
            std_band(&[], 3.0, Limit::None, Limit::None),
            Bounds::default()
        );
    }
}
