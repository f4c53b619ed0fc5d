//! Two-sample drift statistics beyond KS, each matching its scipy / numpy reference
//! (see `fixtures/golden/numeric_two_sample.json` and `categorical_two_sample.json`).
//!
//! Every numeric statistic has a `*_sorted` form that takes both samples already
//! sorted, so a fitted reference (sorted once) and one sort of the current sample serve
//! all of them; the plain forms validate, copy and sort. Binned statistics work on
//! counts so that reference histograms can be precomputed.

pub mod anderson;
pub(crate) mod bessel;
mod cdf_integral;
pub(crate) mod claim;
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
mod wasserstein_cells;

pub use sort::sort_f64;
pub(crate) use sort::{with_sorted_copy, with_sorted_non_missing};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// How a p-value is computed: scipy's `method` of `mannwhitneyu`,
/// `cramervonmises_2samp` and `ks_2samp` under one vocabulary. `asymp` (scipy's KS
/// spelling) and `asymptotic` (its Mann-Whitney / Cramér-von Mises spelling) are the
/// same method and both parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PValueMethod {
    /// scipy's rule for the test (exact for small samples).
    #[default]
    Auto,
    /// The exact null distribution of the statistic.
    Exact,
    /// The asymptotic (large-sample) distribution.
    #[serde(alias = "asymp")]
    Asymptotic,
}

impl PValueMethod {
    /// `"auto"`, `"exact"` or `"asymptotic"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Exact => "exact",
            Self::Asymptotic => "asymptotic",
        }
    }
}

impl fmt::Display for PValueMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PValueMethod {
    type Err = Error;

    /// Parses `auto`, `exact`, `asymptotic` or `asymp`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "exact" => Ok(Self::Exact),
            "asymptotic" | "asymp" => Ok(Self::Asymptotic),
            _ => Err(Error::UnknownMethod {
                value: s.to_owned(),
            }),
        }
    }
}

/// A statistic with its p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test statistic.
    pub statistic: f64,
    /// Its p-value, in `[0, 1]`.
    pub p_value: f64,
}

/// A statistic with its p-value and the method that gave it (after resolving
/// [`PValueMethod::Auto`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MethodResult {
    /// The test statistic.
    pub statistic: f64,
    /// Its p-value, in `[0, 1]`.
    pub p_value: f64,
    /// `Exact` or `Asymptotic`.
    pub method: PValueMethod,
}

/// Checks that a sample is non-empty and holds no NaN (callers drop missing values
/// first). Infinities are values: scipy ranks and sorts them like any other number.
pub fn validate(sample: &[f64], which: &'static str) -> Result<(), Error> {
    if sample.is_empty() {
        return Err(Error::EmptySample { which });
    }
    if let Some(index) = sample.iter().position(|v| v.is_nan()) {
        return Err(Error::NotANumber { which, index });
    }
    Ok(())
}

/// Validates and returns a sorted copy. The check costs nothing extra: after the sort
/// a NaN sits at one end (only then is the sample scanned again, for the error's
/// index).
pub fn sorted_copy(sample: &[f64], which: &'static str) -> Result<Vec<f64>, Error> {
    let mut v = sample.to_vec();
    sort_f64(&mut v);
    match (v.first(), v.last()) {
        (Some(lo), Some(hi)) if !lo.is_nan() && !hi.is_nan() => Ok(v),
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

/// Smallest and largest value and whether a NaN was seen, in one pass (four lanes,
/// so that the loop vectorises).
pub(crate) fn range(x: &[f64]) -> (f64, f64, bool) {
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [f64::NEG_INFINITY; 4];
    let mut nan = [false; 4];
    let chunks = x.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            let v = c[k];
            lo[k] = if v < lo[k] { v } else { lo[k] };
            hi[k] = if v > hi[k] { v } else { hi[k] };
            nan[k] |= v.is_nan();
        }
    }
    for &v in tail {
        lo[0] = if v < lo[0] { v } else { lo[0] };
        hi[0] = if v > hi[0] { v } else { hi[0] };
        nan[0] |= v.is_nan();
    }
    let lo = lo.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi, nan.iter().any(|&b| b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_finds_the_ends_in_every_lane_and_the_tail() {
        let x = [1.0, 7.0, -3.0, 2.0, 5.0, 0.5, 4.0, 3.0, -9.0];
        assert_eq!(range(&x), (-9.0, 7.0, false));
        let (lo, hi, nan) = range(&[2.0, f64::NAN, 1.0]);
        assert_eq!((lo, hi, nan), (1.0, 2.0, true));
        let (lo, hi, nan) = range(&[]);
        assert!(lo.is_infinite() && hi.is_infinite() && !nan);
    }

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

    #[test]
    fn infinities_are_values_nan_is_missing() {
        let inf = f64::INFINITY;
        assert_eq!(
            sorted_copy(&[inf, 1.0, -inf], "reference").unwrap(),
            vec![-inf, 1.0, inf]
        );
        assert_eq!(
            sorted_copy(&[1.0, f64::NAN], "current"),
            Err(Error::NotANumber {
                which: "current",
                index: 1
            })
        );
    }

    #[test]
    fn methods_parse_in_both_spellings() {
        for (s, m) in [
            ("auto", PValueMethod::Auto),
            ("Exact", PValueMethod::Exact),
            ("asymp", PValueMethod::Asymptotic),
            ("asymptotic", PValueMethod::Asymptotic),
        ] {
            assert_eq!(s.parse::<PValueMethod>().unwrap(), m);
        }
        assert!("fast".parse::<PValueMethod>().is_err());
        let m: PValueMethod = serde_json::from_str("\"asymp\"").unwrap();
        assert_eq!(m, PValueMethod::Asymptotic);
        assert_eq!(
            serde_json::to_string(&PValueMethod::Asymptotic).unwrap(),
            "\"asymptotic\""
        );
    }
}
