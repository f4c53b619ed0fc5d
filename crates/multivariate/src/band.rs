//! NannyML's reference chunks and its `StandardDeviationThreshold`: the band a
//! monitor's statistic is judged against, learnt from chunks of the reference.

use std::ops::Range;

use driftwatch_core::Bounds;

use crate::error::Error;

/// NannyML's `DefaultChunker` cuts the data into this many chunks.
pub const DEFAULT_CHUNK_COUNT: usize = 10;

/// The reference chunks as NannyML's `SizeBasedChunker(chunk_rows, incomplete='keep')`
/// cuts them: consecutive chunks of `chunk_rows`, and the rows left over as a last,
/// smaller chunk. Without `chunk_rows`, NannyML's `DefaultChunker`: `n / 10` rows.
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
    Ok((0..n)
        .step_by(size)
        .map(|start| start..(start + size).min(n))
        .collect())
}

/// The side of a band that is clipped or dropped at a limit of the statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// No limit.
    None,
    /// A threshold beyond the limit is replaced by the limit.
    Clip(f64),
    /// A threshold at or beyond the limit is dropped (the side is open), as NannyML's
    /// `override_using_none=True`.
    Drop(f64),
}

/// `mean ± std x sd` of the values (NaN ignored; population sd, as `np.nanstd`), each
/// side limited as NannyML's `calculate_threshold_values`.
pub fn std_band(values: &[f64], std: f64, lower: Limit, upper: Limit) -> Bounds {
    let finite: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if finite.is_empty() {
        return Bounds::default();
    }
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    let sd = (finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let lo = mean - std * sd;
    let hi = mean + std * sd;
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
