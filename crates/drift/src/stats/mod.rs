//! Two-sample drift statistics beyond KS, each matching its scipy / numpy reference
//! (see `fixtures/golden/numeric_two_sample.json` and `categorical_two_sample.json`).
//!
//! Every numeric statistic has a `*_sorted` form that takes both samples already
//! sorted, so a fitted reference (sorted once) and one sort of the current sample serve
//! all of them; the plain forms validate, copy and sort. Binned statistics work on
//! counts so that reference histograms can be precomputed.

pub mod anderson;
pub(crate) mod bessel;
pub mod cvm;
pub mod divergence;
pub mod energy;
pub mod jensenshannon;
pub mod mannwhitney;
pub(crate) mod merge;
pub(crate) mod numpy_exp;
pub mod proportions;
pub mod psi;
mod sort;
pub mod wasserstein;

pub use sort::sort_f64;
pub(crate) use sort::{with_sorted_copy, with_sorted_non_missing};

use serde::{Deserialize, Serialize};

use crate::Error;

/// A statistic with its p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test statistic.
    pub statistic: f64,
    /// Its p-value, in `[0, 1]`.
    pub p_value: f64,
}

/// Checks that a sample is non-empty and finite (callers drop missing values first).
pub fn validate(sample: &[f64], which: &'static str) -> Result<(), Error> {
    if sample.is_empty() {
        return Err(Error::EmptySample { which });
    }
    if let Some(index) = sample.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite { which, index });
    }
    Ok(())
}

/// Validates and returns a sorted copy. The check costs nothing extra: after the sort
/// a NaN or an infinity sits at one end (only then is the sample scanned again, for
/// the error's index).
pub fn sorted_copy(sample: &[f64], which: &'static str) -> Result<Vec<f64>, Error> {
    let mut v = sample.to_vec();
    sort_f64(&mut v);
    match (v.first(), v.last()) {
        (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() => Ok(v),
        _ => validate(sample, which).map(|()| v),
    }
}

/// Sorted copies of two samples (validated as [`sorted_copy`]), side by side on two
/// threads when they are long enough for that to pay.
pub fn sorted_copies(
    reference: &[f64],
    current: &[f64],
) -> (Result<Vec<f64>, Error>, Result<Vec<f64>, Error>) {
    if reference.len() + current.len() < merge::PARALLEL_MERGE_MIN {
        (
            sorted_copy(reference, "reference"),
            sorted_copy(current, "current"),
        )
    } else {
        rayon::join(
            || sorted_copy(reference, "reference"),
            || sorted_copy(current, "current"),
        )
    }
}

/// Walks two sorted samples in step, calling `f(value, count_in_x, count_in_y)` once per
/// distinct value of the pooled sample, in ascending order.
pub fn for_each_group(x: &[f64], y: &[f64], mut f: impl FnMut(f64, usize, usize)) {
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        let v = match (x.get(i), y.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (si, sj) = (i, j);
        while i < x.len() && x[i] == v {
            i += 1;
        }
        while j < y.len() && y[j] == v {
            j += 1;
        }
        f(v, i - si, j - sj);
    }
}

/// Number of distinct values in a sorted sample.
#[must_use]
pub fn distinct_sorted(sorted: &[f64]) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Population standard deviation (`np.std(x, ddof=0)`), two-pass.
#[must_use]
pub fn std_population(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Upper tail of the standard normal, `scipy.special.ndtr(-z)`.
#[must_use]
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_walk_pooled_distinct_values() {
        let mut seen = Vec::new();
        for_each_group(&[1.0, 2.0, 2.0], &[0.0, 2.0, 3.0], |v, a, b| {
            seen.push((v, a, b))
        });
        assert_eq!(
            seen,
            vec![(0.0, 0, 1), (1.0, 1, 0), (2.0, 2, 1), (3.0, 0, 1)]
        );
        assert_eq!(distinct_sorted(&[1.0, 1.0, 2.0]), 2);
        assert!((std_population(&[1.0, 3.0]) - 1.0).abs() < 1e-15);
        assert!((normal_sf(1.959963984540054) / 0.025 - 1.0).abs() < 1e-12);
    }
}
