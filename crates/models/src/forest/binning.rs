//! Quantile binning of the training matrix into `u8` codes.
//!
//! Each feature is quantized once per fit (shared by every tree of a forest)
//! into at most 255 bins. A feature with at most `max_bins` distinct values
//! gets one bin per value, so splits on it are exact. Bins are contiguous
//! ranges of the sorted distinct values; for each bin the smallest and largest
//! training value it holds are kept, so that a split "code <= b" maps to the
//! real threshold halfway between the largest value of bin `b` and the
//! smallest value of the next non-empty bin, and prediction runs on raw `f64`.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::Error;

/// Binned training matrix, column-major.
#[derive(Clone, Debug)]
pub(crate) struct Binned {
    /// Number of rows.
    pub n_samples: usize,
    /// Number of columns.
    pub n_features: usize,
    /// Codes, `codes[f * n_samples + i]` is the bin of row `i` for feature `f`.
    pub codes: Vec<u8>,
    /// Per feature, smallest training value of each bin.
    pub bin_lo: Vec<Vec<f64>>,
    /// Per feature, largest training value of each bin.
    pub bin_hi: Vec<Vec<f64>>,
}

struct Column {
    codes: Vec<u8>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Binned {
    /// Bins every feature of `x` (parallel over features). Fails on the first
    /// (lowest feature index) non-finite value.
    pub fn new(x: ArrayView2<'_, f64>, max_bins: usize) -> Result<Self, Error> {
        let (n, nf) = x.dim();
        let max_bins = max_bins.clamp(2, super::params::MAX_BINS);
        let columns: Vec<Result<Column, Error>> = (0..nf)
            .into_par_iter()
            .map(|f| bin_column(x, f, max_bins))
            .collect();
        let mut codes = Vec::with_capacity(n * nf);
        let mut bin_lo = Vec::with_capacity(nf);
        let mut bin_hi = Vec::with_capacity(nf);
        for col in columns {
            let col = col?;
            codes.extend_from_slice(&col.codes);
            bin_lo.push(col.lo);
            bin_hi.push(col.hi);
        }
        Ok(Self {
            n_samples: n,
            n_features: nf,
            codes,
            bin_lo,
            bin_hi,
        })
    }

    /// Codes of one feature.
    #[inline]
    pub fn column(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n_samples..(f + 1) * self.n_samples]
    }

    /// Number of bins of feature `f`.
    #[inline]
    pub fn n_bins(&self, f: usize) -> usize {
        self.bin_lo[f].len()
    }

    /// Real threshold separating bins `<= a` from bins `>= b` (`a < b`): the
    /// midpoint of the gap between the training values, as scikit-learn does.
    pub fn threshold_between(&self, f: usize, a: usize, b: usize) -> f64 {
        midpoint(self.bin_hi[f][a], self.bin_lo[f][b])
    }
}

/// Midpoint of `a < b` that is guaranteed to be `>= a` and `< b`.
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let m = a / 2.0 + b / 2.0;
    if m >= a && m < b { m } else { a }
}

fn bin_column(x: ArrayView2<'_, f64>, f: usize, max_bins: usize) -> Result<Column, Error> {
    let col = x.column(f);
    let n = col.len();
    let mut pairs: Vec<(f64, u32)> = Vec::with_capacity(n);
    for (i, &v) in col.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                feature: f,
                row: i,
                value: v,
            });
        }
        pairs.push((v, i as u32));
    }
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));

    // distinct values and their multiplicities
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &(v, _) in &pairs {
        match distinct.last_mut() {
            // -0.0 and 0.0 compare equal and belong to one bin
            Some(last) if last.0 == v => last.1 += 1,
            _ => distinct.push((v, 1)),
        }
    }

    // group distinct values into bins: bin k closes once the cumulative count
    // reaches the (k+1)-th quantile mark, so there are at most `max_bins` bins
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    let mut bin_of_distinct = Vec::with_capacity(distinct.len());
    if distinct.len() <= max_bins {
        for &(v, _) in &distinct {
            bin_of_distinct.push(lo.len() as u8);
            lo.push(v);
            hi.push(v);
        }
    } else {
        let mut cum = 0usize;
        let mut open: Option<f64> = None;
        for (j, &(v, c)) in distinct.iter().enumerate() {
            if open.is_none() {
                open = Some(v);
            }
            bin_of_distinct.push(lo.len() as u8);
            cum += c;
            let last = j + 1 == distinct.len();
            if last || cum * max_bins >= (lo.len() + 1) * n {
                lo.push(open.unwrap_or(v));
                hi.push(v);
                open = None;
            }
        }
    }

    let mut codes = vec![0u8; n];
    let mut d = 0usize;
    for &(v, i) in &pairs {
        while distinct[d].0 != v {
            d += 1;
        }
        codes[i as usize] = bin_of_distinct[d];
    }
    Ok(Column { codes, lo, hi })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn few_distinct_values_get_one_bin_each() {
        let x = array![[3.0], [1.0], [2.0], [1.0]];
        let b = Binned::new(x.view(), 255).unwrap();
        assert_eq!(b.column(0), &[2, 0, 1, 0]);
        assert_eq!(b.bin_lo[0], vec![1.0, 2.0, 3.0]);
        assert_eq!(b.threshold_between(0, 0, 1), 1.5);
        assert_eq!(b.threshold_between(0, 0, 2), 2.0);
    }

    #[test]
    fn many_values_are_quantized() {
        let x = ndarray::Array2::from_shape_fn((1000, 1), |(i, _)| (i * 7 % 1000) as f64);
        let b = Binned::new(x.view(), 10).unwrap();
        assert_eq!(b.n_bins(0), 10);
        // codes are monotone in the value
        for i in 0..1000 {
            for j in 0..1000 {
                if x[[i, 0]] < x[[j, 0]] {
                    assert!(b.column(0)[i] <= b.column(0)[j]);
                }
            }
        }
        for k in 0..9 {
            assert!(b.bin_hi[0][k] < b.bin_lo[0][k + 1]);
        }
    }

    #[test]
    fn nan_is_rejected_with_feature_index() {
        let x = array![[1.0, 2.0], [1.0, f64::NAN]];
        let err = Binned::new(x.view(), 255).unwrap_err();
        assert!(matches!(
            err,
            Error::NonFinite {
                feature: 1,
                row: 1,
                ..
            }
        ));
    }

    #[test]
    fn midpoint_is_in_gap() {
        let a = 1.0f64;
        let b = f64::from_bits(a.to_bits() + 1);
        assert_eq!(midpoint(a, b), a);
        assert_eq!(midpoint(-f64::MAX, f64::MAX), 0.0);
    }
}
