//! The two-sample Kolmogorov-Smirnov test, a port of
//! `scipy.stats.ks_2samp` (scipy 1.17).
//!
//! [`ks_2samp`] compares a reference sample with a current sample; a
//! [`KsReference`] holds the reference sorted once, so a monitor fitted on it
//! can test many windows without sorting the reference again. Both give the
//! same results as scipy: the statistic, where it is attained
//! (`statistic_location`, `statistic_sign`) and the p-value, exact
//! (lattice-path counting) or asymptotic (the finite-n Kolmogorov
//! distribution for the two-sided test, Hodges' approximation for the
//! one-sided tests), with scipy's choice between them and its fallback from
//! exact to asymptotic.
//!
//! ```
//! use driftwatch_drift::ks::{ks_2samp, Alternative, KsMethod};
//!
//! let reference = [0.1, 0.4, 0.35, 0.8, 0.55];
//! let current = [0.9, 1.2, 0.75, 1.1, 0.95, 1.3];
//! let r = ks_2samp(&reference, &current, Alternative::TwoSided, KsMethod::Auto)?;
//! assert!((r.statistic - 5.0 / 6.0).abs() < 1e-12);
//! assert_eq!(r.method, KsMethod::Exact);
//! # Ok::<(), driftwatch_drift::Error>(())
//! ```
//!
//! # Where this differs from scipy
//!
//! * An empty sample or a NaN is an [`Error`] (scipy returns NaN or applies its
//!   `nan_policy`); callers remove missing values first. Infinities are values,
//!   as in scipy (the statistic only counts values at or below each point; a
//!   `statistic_location` may be infinite).
//! * scipy warns when it switches from the exact to the asymptotic method;
//!   here [`KsResult::method`] says which method gave the p-value. The
//!   switch happens exactly where scipy's does: lcm too large for int32,
//!   floating-point overflow in the path counting (e.g. one-sided
//!   3000 x 10000), or an exact value outside `[0, 1]` (e.g. the two-sided
//!   5 x 5 sum rounding to 1.0000000000000002).
//! * For the long `smirnov` sums of `kstwo.sf` (more than 256 terms, in its
//!   `2 * smirnov` regime), only the terms within 46 + ln(terms) of the
//!   largest are summed (the rest add less than 1e-20 of it), in parallel
//!   pieces, each term from the previous one by their ratio and re-anchored
//!   on a term from Loader's binomial-density formula every 128 terms: the
//!   same sum to a few 1e-13 relative, many times faster.
//!   Elsewhere the arithmetic follows scipy operation by operation, up to
//!   summation order in BLAS products and convolutions and scipy's
//!   occasional long-double intermediates (differences near 1e-15).
//! * Strings parse by full name only (`"two-sided"`, `"less"`,
//!   `"greater"`), not by scipy's first letter.

mod asymp;
mod cells;
mod exact;
mod kolmogorov;
mod smirnov;
mod special;

/// The asymptotic p-value of a statistic, for statistics from sketches.
pub(crate) use asymp::asymp_pvalue;
/// scipy's `gammaln` (cephes `lgam`), for the other statistics.
pub(crate) use special::lgam as gammaln;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::stats::merge::{PARALLEL_MERGE_MIN, block_cuts, par_map, parallel_parts, value_cuts};

/// Samples up to this size (the larger of the two) get exact p-values under
/// [`KsMethod::Auto`], as scipy's `MAX_AUTO_N`.
pub const MAX_AUTO_N: usize = 10_000;

/// The alternative hypothesis of the test.
///
/// With `F` the reference distribution and `G` the current one (scipy's
/// `data1` and `data2`):
/// * `TwoSided`: `F(x) != G(x)` for at least one `x`; the statistic is the
///   largest absolute difference of the empirical CDFs.
/// * `Less`: `F(x) < G(x)` for at least one `x`; the statistic is
///   `max(G_n(x) - F_n(x))` (its `statistic_sign` is -1).
/// * `Greater`: `F(x) > G(x)` for at least one `x`; the statistic is
///   `max(F_n(x) - G_n(x))` (its `statistic_sign` is 1).
///
/// Swapping the samples swaps `Less` and `Greater`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// Two-sided test (the default).
    #[default]
    TwoSided,
    /// One-sided: the reference CDF is below the current CDF somewhere.
    Less,
    /// One-sided: the reference CDF is above the current CDF somewhere.
    Greater,
}

impl Alternative {
    /// The name scipy uses: `"two-sided"`, `"less"` or `"greater"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TwoSided => "two-sided",
            Self::Less => "less",
            Self::Greater => "greater",
        }
    }
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Alternative {
    type Err = Error;

    /// Parses `"two-sided"`, `"less"` or `"greater"`, ignoring ASCII case
    /// and accepting `_` for `-`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "two-sided" => Ok(Self::TwoSided),
            "less" => Ok(Self::Less),
            "greater" => Ok(Self::Greater),
            _ => Err(Error::UnknownAlternative {
                value: s.to_owned(),
            }),
        }
    }
}

/// How the p-value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KsMethod {
    /// `Exact` when the larger sample has at most [`MAX_AUTO_N`] values,
    /// `Asymp` otherwise (the default).
    #[default]
    Auto,
    /// The exact distribution of the statistic. Falls back to `Asymp`, as
    /// scipy does (with a warning there), when the computation is not
    /// possible in double precision.
    Exact,
    /// The asymptotic distribution.
    Asymp,
}

impl KsMethod {
    /// The name scipy uses: `"auto"`, `"exact"` or `"asymp"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Exact => "exact",
            Self::Asymp => "asymp",
        }
    }
}

impl fmt::Display for KsMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KsMethod {
    type Err = Error;

    /// Parses `"auto"`, `"exact"` or `"asymp"` (also `"asymptotic"`, the
    /// spelling of scipy's other tests), ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "exact" => Ok(Self::Exact),
            "asymp" | "asymptotic" => Ok(Self::Asymp),
            _ => Err(Error::UnknownMethod {
                value: s.to_owned(),
            }),
        }
    }
}

/// The result of a two-sample Kolmogorov-Smirnov test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KsResult {
    /// The KS statistic. With an exact p-value (even one that then fell back
    /// to the asymptotic method) it is snapped to the lattice of attainable
    /// values, `round(d * lcm(n1, n2)) / lcm(n1, n2)`, as scipy does.
    pub statistic: f64,
    /// The p-value, in `[0, 1]`. NaN only in scipy's degenerate case of the
    /// asymptotic two-sided test with one value in each sample (where
    /// `round(n1*n2/(n1+n2))` is 0).
    pub p_value: f64,
    /// The value (from either sample) at which the statistic is attained:
    /// the first such value in the sorted reference followed by the sorted
    /// current sample, as scipy's `argmax` picks it.
    pub statistic_location: f64,
    /// `1` if the reference ECDF exceeds the current ECDF at the location,
    /// `-1` if it is below.
    pub statistic_sign: i8,
    /// The method actually used, after resolving `Auto` and any fallback
    /// from `Exact` to `Asymp`.
    pub method: KsMethod,
}

/// The reference sample sorted once, so a monitor fitted on it tests many
/// windows without re-sorting (serde Serialize/Deserialize).
///
/// Deserializing validates the values (non-empty, no NaN) and restores the
/// sort order, so a hand-edited file cannot give wrong results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "KsReferenceRepr")]
pub struct KsReference {
    sorted: Vec<f64>,
    /// Whether two reference values are equal (selects the tie-aware scan).
    #[serde(skip)]
    has_ties: bool,
}

/// The serialized shape of [`KsReference`].
#[derive(Deserialize)]
struct KsReferenceRepr {
    sorted: Vec<f64>,
}

impl TryFrom<KsReferenceRepr> for KsReference {
    type Error = Error;

    fn try_from(repr: KsReferenceRepr) -> Result<Self, Error> {
        Self::from_vec(repr.sorted)
    }
}

use crate::stats::validate;

impl KsReference {
    /// Copies, validates and sorts the reference sample.
    ///
    /// # Errors
    /// [`Error::EmptySample`] if `reference` is empty, [`Error::NotANumber`]
    /// if it holds a NaN.
    pub fn new(reference: &[f64]) -> Result<Self, Error> {
        validate(reference, "reference")?;
        let mut sorted = reference.to_vec();
        crate::stats::sort_f64(&mut sorted);
        let has_ties = has_adjacent_equal(&sorted);
        Ok(Self { sorted, has_ties })
    }

    /// Like [`KsReference::new`], taking ownership of the values.
    ///
    /// # Errors
    /// As [`KsReference::new`].
    pub fn from_vec(mut reference: Vec<f64>) -> Result<Self, Error> {
        validate(&reference, "reference")?;
        crate::stats::sort_f64(&mut reference);
        let has_ties = has_adjacent_equal(&reference);
        Ok(Self {
            sorted: reference,
            has_ties,
        })
    }

    /// Number of values in the reference sample.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Always `false`: a reference sample is never empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The reference values in ascending order.
    #[must_use]
    pub fn sorted_values(&self) -> &[f64] {
        &self.sorted
    }

    /// Tests `current` against the reference: scipy's
    /// `ks_2samp(reference, current, alternative, method)`.
    ///
    /// Costs one sort of `current` and a merge over the parts of both samples
    /// that can hold the extreme (plus the p-value computation).
    ///
    /// # Errors
    /// [`Error::EmptySample`] if `current` is empty, [`Error::NotANumber`]
    /// if it holds a NaN.
    pub fn test(
        &self,
        current: &[f64],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<KsResult, Error> {
        // Ties inside the current sample are found by the merge itself.
        crate::stats::with_sorted_copy(current, "current", |cur| {
            test_sorted(&self.sorted, cur, self.has_ties, alternative, method)
        })
    }

    /// [`KsReference::test`] for a `current` sample the caller already sorted
    /// (ascending, `f64::total_cmp` order), so a column checked by several statistics
    /// sorts it once.
    ///
    /// # Errors
    /// [`Error::EmptySample`] if `current` is empty, [`Error::NotANumber`]
    /// if it holds a NaN.
    pub fn test_presorted(
        &self,
        sorted_current: &[f64],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<KsResult, Error> {
        validate(sorted_current, "current")?;
        debug_assert!(sorted_current.windows(2).all(|w| w[0] <= w[1]));
        Ok(test_sorted(
            &self.sorted,
            sorted_current,
            self.has_ties,
            alternative,
            method,
        ))
    }
}

/// Two-sample Kolmogorov-Smirnov test of `reference` against `current`,
/// exactly as `scipy.stats.ks_2samp(reference, current, alternative, method)`
/// (scipy 1.17).
///
/// Remove missing values before calling.
///
/// # Errors
/// [`Error::EmptySample`] if a sample is empty, [`Error::NotANumber`] if a
/// sample holds a NaN (the reference is checked first).
pub fn ks_2samp(
    reference: &[f64],
    current: &[f64],
    alternative: Alternative,
    method: KsMethod,
) -> Result<KsResult, Error> {
    // Long samples: only the values that can hold the extremes are sorted (`None`
    // also for an empty sample or a NaN, reported below).
    if let Some(ext) = cells::extremes_unsorted(reference, current) {
        return Ok(from_extremes(
            reference.len(),
            current.len(),
            ext,
            alternative,
            method,
        ));
    }
    // The two sorts are independent: run them side by side.
    let (reference, current) = crate::stats::sorted_copies(reference, current);
    let (reference, current) = (reference?, current?);
    // Repeated values are found by the merge (which then falls back).
    Ok(test_sorted(
        &reference,
        &current,
        false,
        alternative,
        method,
    ))
}

/// `scipy.stats.kstwo.sf(d, n)`: the survival function of the two-sided
/// one-sample Kolmogorov-Smirnov statistic `D_n` for sample size `n`.
///
/// NaN for `n == 0` or a NaN `d`.
#[must_use]
pub fn kstwo_sf(d: f64, n: u64) -> f64 {
    kolmogorov::kstwo_sf(d, n as f64)
}

/// `scipy.stats.kstwo.cdf(d, n)`: the CDF of the two-sided one-sample
/// Kolmogorov-Smirnov statistic `D_n` for sample size `n`.
///
/// NaN for `n == 0` or a NaN `d`.
#[must_use]
pub fn kstwo_cdf(d: f64, n: u64) -> f64 {
    kolmogorov::kstwo_cdf(d, n as f64)
}

/// Whether a sorted slice holds two equal values (`-0.0 == 0.0` counts).
pub(crate) fn has_adjacent_equal(sorted: &[f64]) -> bool {
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// The extremes of `cdf1 - cdf2` over the concatenated sorted samples, with
/// numpy's `argmin`/`argmax` tie rule (first occurrence).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Extremes {
    max: f64,
    max_loc: f64,
    min: f64,
    min_loc: f64,
}

impl Extremes {
    const EMPTY: Self = Self {
        max: f64::NEG_INFINITY,
        max_loc: f64::NAN,
        min: f64::INFINITY,
        min_loc: f64::NAN,
    };

    fn update(&mut self, diff: f64, loc: f64) {
        if diff > self.max {
            self.max = diff;
            self.max_loc = loc;
        }
        if diff < self.min {
            self.min = diff;
            self.min_loc = loc;
        }
    }

    /// Extremes over `first` followed by `second`: on equal values the
    /// first block wins, as numpy's first-occurrence rule gives.
    fn concat(first: Self, second: Self) -> Self {
        let (max, max_loc) = if first.max >= second.max {
            (first.max, first.max_loc)
        } else {
            (second.max, second.max_loc)
        };
        let (min, min_loc) = if first.min <= second.min {
            (first.min, first.min_loc)
        } else {
            (second.min, second.min_loc)
        };
        Self {
            max,
            max_loc,
            min,
            min_loc,
        }
    }
}

/// Walks `xs` in order and, for each run of equal values, evaluates the ECDF
/// difference there. `xs_is_reference` says whether `xs` is the reference
/// (first) sample; `ys` is the other sample. `xs` and `ys` may be the chunks of
/// two larger samples that start after `x_before` and `y_before` values (every
/// earlier value below every value here). Handles ties within and across the
/// samples exactly as scipy's `searchsorted(..., side="right")`.
fn scan(
    xs: &[f64],
    ys: &[f64],
    (x_before, y_before): (usize, usize),
    (n_ref, n_cur): (f64, f64),
    xs_is_reference: bool,
) -> Extremes {
    let mut ext = Extremes::EMPTY;
    let mut j = 0;
    let mut k = 0;
    while k < xs.len() {
        let x = xs[k];
        let mut end = k + 1;
        while end < xs.len() && xs[end] <= x {
            end += 1;
        }
        while j < ys.len() && ys[j] <= x {
            j += 1;
        }
        let (ex, ey) = ((x_before + end) as f64, (y_before + j) as f64);
        // searchsorted(..., side="right") / n, as numpy computes it.
        let diff = if xs_is_reference {
            ex / n_ref - ey / n_cur
        } else {
            ey / n_ref - ex / n_cur
        };
        ext.update(diff, x);
        k = end;
    }
    ext
}

/// The chunks of [`value_cuts`] as slices with their starting counts: one chunk
/// for small samples, two per thread otherwise.
fn chunks<'s>(a: &'s [f64], b: &'s [f64]) -> Vec<(&'s [f64], &'s [f64], usize, usize)> {
    value_cuts(a, b, parallel_parts(a.len() + b.len()))
        .windows(2)
        .map(|w| (&a[w[0].0..w[1].0], &b[w[0].1..w[1].1], w[0].0, w[0].1))
        .collect()
}

/// The tie-aware extremes: one scan over each sample, chunk by chunk in parallel.
fn extremes_with_ties(a: &[f64], b: &[f64]) -> Extremes {
    let n = (a.len() as f64, b.len() as f64);
    let parts: Vec<(Extremes, Extremes)> = par_map(chunks(a, b), |(ca, cb, i0, j0)| {
        (
            scan(ca, cb, (i0, j0), n, true),
            scan(cb, ca, (j0, i0), n, false),
        )
    });
    let (r, c) = parts
        .into_iter()
        .reduce(|(r1, c1), (r2, c2)| (Extremes::concat(r1, r2), Extremes::concat(c1, c2)))
        .unwrap_or((Extremes::EMPTY, Extremes::EMPTY));
    Extremes::concat(r, c)
}

/// Largest `n1 * n2` for which [`extremes_distinct`] may compare ECDF
/// differences as exact integers: distinct differences are then at least
/// `1/(n1 n2) > 6.7e-16` apart, more than twice the at most 3.3e-16 error of
/// numpy's `i/n1 - j/n2`, so the integer order is the float order.
const MAX_EXACT_ORDER_PRODUCT: u128 = 1_000_000_000_000_000;

/// Running extremes of one sample's values in [`extremes_distinct`]: the
/// exact numerator `i*n2 - j*n1` of each extreme and numpy's float for it.
#[derive(Clone, Copy)]
struct Track {
    nmax: i64,
    max: f64,
    max_loc: f64,
    nmin: i64,
    min: f64,
    min_loc: f64,
}

impl Track {
    const EMPTY: Self = Self {
        nmax: i64::MIN,
        max: f64::NEG_INFINITY,
        max_loc: f64::NAN,
        nmin: i64::MAX,
        min: f64::INFINITY,
        min_loc: f64::NAN,
    };

    /// `num` is the exact numerator of the difference `ci/n1 - cj/n2`.
    /// Floats are only computed for values that tie or beat an extreme;
    /// among exact ties the larger float wins (the first on equal floats),
    /// which is what numpy's argmax over the floats picks.
    #[inline]
    fn update(&mut self, num: i64, ci: usize, cj: usize, n1f: f64, n2f: f64, loc: f64) {
        if num >= self.nmax {
            let diff = ci as f64 / n1f - cj as f64 / n2f;
            if num > self.nmax || diff > self.max {
                self.nmax = num;
                self.max = diff;
                self.max_loc = loc;
            }
        }
        if num <= self.nmin {
            let diff = ci as f64 / n1f - cj as f64 / n2f;
            if num < self.nmin || diff < self.min {
                self.nmin = num;
                self.min = diff;
                self.min_loc = loc;
            }
        }
    }

    fn extremes(self) -> Extremes {
        Extremes {
            max: self.max,
            max_loc: self.max_loc,
            min: self.min,
            min_loc: self.min_loc,
        }
    }
}

/// The extremes for samples without repeated values (inside either sample or
/// across them), in merge passes that track the ECDF difference as an exact
/// integer, chunk by chunk in parallel. Returns `None` when a value repeats or
/// the samples are too large for the integer argument (the caller then uses
/// [`extremes_with_ties`]).
fn extremes_distinct(a: &[f64], b: &[f64]) -> Option<Extremes> {
    let (n1, n2) = (a.len(), b.len());
    if (n1 as u128) * (n2 as u128) > MAX_EXACT_ORDER_PRODUCT {
        return None;
    }
    // n1 * n2 <= 1e15, so every numerator fits in i64.
    let steps = (i64::try_from(n2).ok()?, i64::try_from(n1).ok()?);
    let parts: Vec<Option<[Track; 2]>> = par_map(chunks(a, b), |(ca, cb, i0, j0)| {
        merge_distinct(ca, cb, i0, j0, (n1, n2), steps)
    });
    // Chunk by chunk, the float order is the numerator order (see
    // MAX_EXACT_ORDER_PRODUCT), so floats combine the chunks as the tracks would.
    let (mut r, mut c) = (Extremes::EMPTY, Extremes::EMPTY);
    for part in parts {
        let [pr, pc] = part?;
        r = Extremes::concat(r, pr.extremes());
        c = Extremes::concat(c, pc.extremes());
    }
    Some(Extremes::concat(r, c))
}

/// [`extremes_distinct`] on one chunk: `a` and `b` follow `i0` reference and `j0`
/// current values. `None` at the first repeated value.
fn merge_distinct(
    a: &[f64],
    b: &[f64],
    i0: usize,
    j0: usize,
    (n1, n2): (usize, usize),
    (step_a, step_b): (i64, i64),
) -> Option<[Track; 2]> {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    // Index 0: values from the reference, 1: values from the current sample.
    let mut track = [Track::EMPTY; 2];
    // i0 * n2 - j0 * n1 fits: both products are at most n1 * n2 <= 1e15.
    let mut num = i64::try_from(i0).ok()? * step_a - i64::try_from(j0).ok()? * step_b;
    let mut tie = false;
    let mut last = f64::NAN;
    let (mut ia, mut jb) = (0, 0);
    // Branch-free merge step (the comparison is a coin flip for overlapping
    // samples): `t` is 1 when the reference value comes first.
    let up = step_a + step_b;
    while ia < a.len() && jb < b.len() {
        let (x, y) = (a[ia], b[jb]);
        let t = usize::from(x <= y);
        let v = x.min(y);
        // In merged order every repeated value meets its twin here.
        tie |= v == last;
        last = v;
        ia += t;
        jb += 1 - t;
        // A value of `a` has i + 1 reference values and j current values at or
        // below it; a value of `b` has i and j + 1 (no ties).
        num += t as i64 * up - step_b;
        track[1 - t].update(num, i0 + ia, j0 + jb, n1f, n2f, v);
    }
    let (mut i, mut j) = (i0 + ia, j0 + jb);
    for &x in &a[ia..] {
        tie |= x == last;
        last = x;
        i += 1;
        num += step_a;
        track[0].update(num, i, j, n1f, n2f, x);
    }
    for &y in &b[jb..] {
        tie |= y == last;
        last = y;
        j += 1;
        num -= step_b;
        track[1].update(num, i, j, n1f, n2f, y);
    }
    (!tie).then_some(track)
}

/// Pooled values per block of [`extremes`].
const BLOCK: usize = 1024;

/// The extremes of the ECDF difference. `ties` says whether a sample is known to
/// repeat a value.
///
/// For large samples most of the merged sequence cannot hold an extreme: the
/// samples are cut by value into blocks of about [`BLOCK`] pooled values, whose
/// counts give the exact numerator `i * n2 - j * n1` at every block end (a value
/// the scan attains there) and bounds on it inside the block (`+ block's reference
/// values * n2`, `- block's current values * n1`). Only blocks whose bound reaches
/// the best block-end value are scanned (in parallel); the others hold only
/// strictly smaller (larger) differences, so they cannot be, or tie, the extreme
/// (the float order is the numerator order when `n1 * n2` is at most
/// [`MAX_EXACT_ORDER_PRODUCT`]). Each scanned block uses the exact merge, or the
/// tie-aware scan when a value repeats in it: blocks never split equal values,
/// and without repeats both give the same numbers.
fn extremes(a: &[f64], b: &[f64], ties: bool) -> Extremes {
    let (n1, n2) = (a.len(), b.len());
    let small = n1 + n2 < PARALLEL_MERGE_MIN;
    if small || (n1 as u128) * (n2 as u128) > MAX_EXACT_ORDER_PRODUCT {
        return if ties {
            extremes_with_ties(a, b)
        } else {
            extremes_distinct(a, b).unwrap_or_else(|| extremes_with_ties(a, b))
        };
    }
    // n1 * n2 <= 1e15: numerators fit in i64.
    let (s2, s1) = (n2 as i64, n1 as i64);
    let num = |(i, j): (usize, usize)| i as i64 * s2 - j as i64 * s1;
    let cuts = block_cuts(a, b, BLOCK / 2);
    let (mut best_max, mut best_min) = (i64::MIN, i64::MAX);
    for &cut in &cuts[1..] {
        best_max = best_max.max(num(cut));
        best_min = best_min.min(num(cut));
    }
    let needed: Vec<[(usize, usize); 2]> = cuts
        .windows(2)
        .filter(|w| {
            let start = num(w[0]);
            let up = start + (w[1].0 - w[0].0) as i64 * s2;
            let down = start - (w[1].1 - w[0].1) as i64 * s1;
            up >= best_max || down <= best_min
        })
        .map(|w| [w[0], w[1]])
        .collect();
    let nf = (n1 as f64, n2 as f64);
    let steps = (s2, s1);
    let parts: Vec<(Extremes, Extremes)> = par_map(needed, |[(i0, j0), (i1, j1)]| {
        let (ca, cb) = (&a[i0..i1], &b[j0..j1]);
        let merged = if ties {
            None
        } else {
            merge_distinct(ca, cb, i0, j0, (n1, n2), steps)
        };
        match merged {
            Some([r, c]) => (r.extremes(), c.extremes()),
            None => (
                scan(ca, cb, (i0, j0), nf, true),
                scan(cb, ca, (j0, i0), nf, false),
            ),
        }
    });
    let (r, c) = parts
        .into_iter()
        .reduce(|(r1, c1), (r2, c2)| (Extremes::concat(r1, r2), Extremes::concat(c1, c2)))
        .unwrap_or((Extremes::EMPTY, Extremes::EMPTY));
    Extremes::concat(r, c)
}

/// scipy's `np.clip(v, 0, 1)` (keeps NaN and -0.0).
fn clip01(v: f64) -> f64 {
    v.clamp(0.0, 1.0)
}

/// The test on two sorted, validated, non-empty samples.
///
/// `ties` says whether a sample is known to repeat a value (the exact merge that
/// is tried otherwise notices repeats itself and falls back to the tie-aware
/// scan).
pub(crate) fn test_sorted(
    a: &[f64],
    b: &[f64],
    ties: bool,
    alternative: Alternative,
    method: KsMethod,
) -> KsResult {
    from_extremes(a.len(), b.len(), extremes(a, b, ties), alternative, method)
}

/// The statistic, its location and sign, and the p-value, from the extremes of the
/// ECDF difference of samples of sizes `n1` and `n2`.
fn from_extremes(
    n1: usize,
    n2: usize,
    ext: Extremes,
    alternative: Alternative,
    method: KsMethod,
) -> KsResult {
    let min_s = clip01(-ext.min);
    let max_s = ext.max;
    let (mut d, location, sign) = if alternative == Alternative::Less
        || (alternative == Alternative::TwoSided && min_s > max_s)
    {
        (min_s, ext.min_loc, -1_i8)
    } else {
        (max_s, ext.max_loc, 1_i8)
    };

    let (n1u, n2u) = (n1 as u64, n2 as u64);
    let g = exact::gcd(n1u, n2u);
    let (n1g, n2g) = (n1u / g, n2u / g);
    let mut mode = match method {
        KsMethod::Auto => {
            if n1.max(n2) <= MAX_AUTO_N {
                KsMethod::Exact
            } else {
                KsMethod::Asymp
            }
        }
        KsMethod::Exact => {
            // If lcm(n1, n2) is too big, scipy switches from exact to asymp.
            if n1g as f64 >= f64::from(i32::MAX) / n2g as f64 {
                KsMethod::Asymp
            } else {
                KsMethod::Exact
            }
        }
        KsMethod::Asymp => KsMethod::Asymp,
    };

    let mut prob = f64::NEG_INFINITY;
    if mode == KsMethod::Exact {
        let attempt = exact::attempt_exact(n1u, n2u, g, d, alternative);
        d = attempt.d;
        prob = attempt.prob;
        if !attempt.success {
            mode = KsMethod::Asymp;
        }
    }
    if mode == KsMethod::Asymp {
        prob = asymp::asymp_pvalue(n1u, n2u, d, alternative);
    }

    KsResult {
        statistic: d,
        p_value: clip01(prob),
        statistic_location: location,
        statistic_sign: sign,
        method: mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_roundtrip() {
        for alt in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            assert_eq!(alt.to_string().parse::<Alternative>().unwrap(), alt);
        }
        for m in [KsMethod::Auto, KsMethod::Exact, KsMethod::Asymp] {
            assert_eq!(m.to_string().parse::<KsMethod>().unwrap(), m);
        }
        assert_eq!(
            "Two_Sided".parse::<Alternative>().unwrap(),
            Alternative::TwoSided
        );
        assert!("sideways".parse::<Alternative>().is_err());
        assert!("fast".parse::<KsMethod>().is_err());
        assert_eq!("asymptotic".parse::<KsMethod>().unwrap(), KsMethod::Asymp);
    }

    #[test]
    fn serde_names() {
        assert_eq!(
            serde_json::to_string(&Alternative::TwoSided).unwrap(),
            "\"two-sided\""
        );
        assert_eq!(
            serde_json::to_string(&KsMethod::Asymp).unwrap(),
            "\"asymp\""
        );
        let a: Alternative = serde_json::from_str("\"greater\"").unwrap();
        assert_eq!(a, Alternative::Greater);
    }

    #[test]
    fn errors_not_panics() {
        let ok = [1.0, 2.0];
        assert_eq!(
            ks_2samp(&[], &ok, Alternative::TwoSided, KsMethod::Auto),
            Err(Error::EmptySample { which: "reference" })
        );
        assert_eq!(
            ks_2samp(&ok, &[], Alternative::TwoSided, KsMethod::Auto),
            Err(Error::EmptySample { which: "current" })
        );
        assert_eq!(
            ks_2samp(&ok, &[1.0, f64::NAN], Alternative::Less, KsMethod::Exact),
            Err(Error::NotANumber {
                which: "current",
                index: 1
            })
        );
        assert_eq!(
            ks_2samp(&[f64::NAN], &ok, Alternative::Less, KsMethod::Exact),
            Err(Error::NotANumber {
                which: "reference",
                index: 0
            })
        );
        // infinities are values: scipy's ks_2samp([1, 2, inf], [3, 4, 5])
        let r = ks_2samp(
            &[1.0, 2.0, f64::INFINITY],
            &[3.0, 4.0, 5.0],
            Alternative::TwoSided,
            KsMethod::Auto,
        )
        .unwrap();
        assert_eq!((r.statistic, r.statistic_location), (2.0 / 3.0, 2.0));
        assert!((r.p_value - 0.6).abs() < 1e-12, "{}", r.p_value);
    }

    #[test]
    fn reference_serde_roundtrip_and_validation() {
        let r = KsReference::new(&[3.0, 1.0, 2.0]).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"sorted":[1.0,2.0,3.0]}"#);
        let back: KsReference = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let unsorted: KsReference = serde_json::from_str(r#"{"sorted":[2.0,1.0]}"#).unwrap();
        assert_eq!(unsorted.sorted_values(), &[1.0, 2.0]);
        assert!(serde_json::from_str::<KsReference>(r#"{"sorted":[]}"#).is_err());
    }

    #[test]
    fn merged_scan_equals_tie_aware_scan() {
        // A small xorshift generator: distinct values, random interleavings.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..300 {
            let n1 = 1 + (next() % 50) as usize;
            let n2 = 1 + (next() % 50) as usize;
            let mut a: Vec<f64> = (0..n1).map(|_| (next() >> 11) as f64).collect();
            let mut b: Vec<f64> = (0..n2).map(|_| (next() >> 11) as f64 + 0.5).collect();
            if round % 3 == 0 {
                // Shared values across the samples: the merged scan declines.
                b[0] = a[0];
                a.sort_unstable_by(f64::total_cmp);
                b.sort_unstable_by(f64::total_cmp);
                assert!(extremes_distinct(&a, &b).is_none());
                continue;
            }
            a.sort_unstable_by(f64::total_cmp);
            b.sort_unstable_by(f64::total_cmp);
            a.dedup();
            b.dedup();
            let fast = extremes_distinct(&a, &b).unwrap();
            let slow = extremes_with_ties(&a, &b);
            assert_eq!(fast.max.to_bits(), slow.max.to_bits());
            assert_eq!(fast.min.to_bits(), slow.min.to_bits());
            assert_eq!(fast.max_loc.to_bits(), slow.max_loc.to_bits());
            assert_eq!(fast.min_loc.to_bits(), slow.min_loc.to_bits());
        }
    }

    #[test]
    fn chunked_scans_equal_one_piece_scans() {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..4 {
            let (n1, n2) = (40_000 + 1000 * round, 50_000 - 3000 * round);
            // distinct values; in round 2 and 3 a coarse grid makes ties
            let grid = if round >= 2 {
                4096.0
            } else {
                (1u64 << 40) as f64
            };
            let mut draw = |len: usize, shift: f64| -> Vec<f64> {
                let mut v: Vec<f64> = (0..len)
                    .map(|_| {
                        ((next() >> 11) as f64 / (1u64 << 53) as f64 * grid).floor() / grid + shift
                    })
                    .collect();
                crate::stats::sort_f64(&mut v);
                if grid > 1e6 {
                    v.dedup();
                }
                v
            };
            let a = draw(n1, 0.0);
            let b = draw(n2, 0.01 * round as f64);
            assert!(
                chunks(&a, &b).len() > 1,
                "the test must cover several chunks"
            );
            let nf = (a.len() as f64, b.len() as f64);
            let whole = Extremes::concat(
                scan(&a, &b, (0, 0), nf, true),
                scan(&b, &a, (0, 0), nf, false),
            );
            let chunked = extremes_with_ties(&a, &b);
            assert_eq!(format!("{whole:?}"), format!("{chunked:?}"));
            // the pruned block scan, with and without the tie flag
            for ties in [false, true] {
                let pruned = extremes(&a, &b, ties);
                assert_eq!(format!("{whole:?}"), format!("{pruned:?}"));
            }
            match extremes_distinct(&a, &b) {
                Some(fast) => {
                    assert!(round < 2);
                    assert_eq!(format!("{whole:?}"), format!("{fast:?}"));
                }
                None => assert!(round >= 2),
            }
        }
        // the k-th pooled value
        let (a, b) = ([1.0, 3.0, 3.0, 7.0], [2.0, 3.0, 8.0]);
        let mut pooled = [a.as_slice(), b.as_slice()].concat();
        pooled.sort_by(f64::total_cmp);
        for (k, &want) in pooled.iter().enumerate() {
            assert_eq!(crate::stats::merge::pooled_kth(&a, &b, k), want, "k = {k}");
        }
    }

    #[test]
    fn exact_sum_rounding_above_one_falls_back_like_scipy() {
        // _compute_prob_outside_square(5, 1) = 1.0000000000000002, which
        // scipy treats as a failed exact computation (with a warning):
        // ks_2samp([0,2,4,6,9], [1,3,5,7,8], method="exact")
        // -> (0.2, 1.0, location 6, sign 1) via method asymp.
        let r = ks_2samp(
            &[0.0, 2.0, 4.0, 6.0, 9.0],
            &[1.0, 3.0, 5.0, 7.0, 8.0],
            Alternative::TwoSided,
            KsMethod::Exact,
        )
        .unwrap();
        assert_eq!(r.method, KsMethod::Asymp);
        assert_eq!(
            (
                r.statistic,
                r.p_value,
                r.statistic_location,
                r.statistic_sign
            ),
            (0.2, 1.0, 6.0, 1)
        );
    }

    #[test]
    fn one_by_one() {
        // scipy: ks_2samp([1], [2]) -> (1.0, 1.0); method="asymp" -> p NaN.
        let r = ks_2samp(&[1.0], &[2.0], Alternative::TwoSided, KsMethod::Auto).unwrap();
        assert_eq!(
            (
                r.statistic,
                r.p_value,
                r.statistic_location,
                r.statistic_sign
            ),
            (1.0, 1.0, 1.0, 1)
        );
        let r = ks_2samp(&[1.0], &[2.0], Alternative::TwoSided, KsMethod::Asymp).unwrap();
        assert!(r.p_value.is_nan());
        // ties across the samples: ks_2samp([1, 1], [1]) -> (0.0, 1.0, 1.0, 1)
        let r = ks_2samp(&[1.0, 1.0], &[1.0], Alternative::TwoSided, KsMethod::Auto).unwrap();
        assert_eq!(
            (
                r.statistic,
                r.p_value,
                r.statistic_location,
                r.statistic_sign
            ),
            (0.0, 1.0, 1.0, 1)
        );
    }
}
