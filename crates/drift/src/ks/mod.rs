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

mod asymp;
mod exact;
mod kolmogorov;
mod smirnov;
mod special;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

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

    /// Parses `"auto"`, `"exact"` or `"asymp"`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "exact" => Ok(Self::Exact),
            "asymp" => Ok(Self::Asymp),
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
/// Deserializing validates the values (non-empty, finite) and restores the
/// sort order, so a hand-edited file cannot give wrong results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "KsReferenceRepr")]
pub struct KsReference {
    sorted: Vec<f64>,
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

/// Checks that a sample is non-empty and finite.
fn validate(sample: &[f64], which: &'static str) -> Result<(), Error> {
    if sample.is_empty() {
        return Err(Error::EmptySample { which });
    }
    if let Some(index) = sample.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite { which, index });
    }
    Ok(())
}

impl KsReference {
    /// Copies, validates and sorts the reference sample.
    ///
    /// # Errors
    /// [`Error::EmptySample`] if `reference` is empty, [`Error::NonFinite`]
    /// if it holds a NaN or an infinity.
    pub fn new(reference: &[f64]) -> Result<Self, Error> {
        validate(reference, "reference")?;
        let mut sorted = reference.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        Ok(Self { sorted })
    }

    /// Like [`KsReference::new`], taking ownership of the values.
    ///
    /// # Errors
    /// As [`KsReference::new`].
    pub fn from_vec(mut reference: Vec<f64>) -> Result<Self, Error> {
        validate(&reference, "reference")?;
        reference.sort_unstable_by(f64::total_cmp);
        Ok(Self { sorted: reference })
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
    /// Costs one sort of `current` and one merge pass over both samples
    /// (plus the p-value computation).
    ///
    /// # Errors
    /// [`Error::EmptySample`] if `current` is empty, [`Error::NonFinite`]
    /// if it holds a NaN or an infinity.
    pub fn test(
        &self,
        current: &[f64],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<KsResult, Error> {
        validate(current, "current")?;
        let mut cur = current.to_vec();
        cur.sort_unstable_by(f64::total_cmp);
        Ok(test_sorted(&self.sorted, &cur, alternative, method))
    }
}

/// Two-sample Kolmogorov-Smirnov test of `reference` against `current`,
/// exactly as `scipy.stats.ks_2samp(reference, current, alternative, method)`
/// (scipy 1.17).
///
/// Remove missing values before calling.
///
/// # Errors
/// [`Error::EmptySample`] if a sample is empty, [`Error::NonFinite`] if a
/// sample holds a NaN or an infinity (the reference is checked first).
pub fn ks_2samp(
    reference: &[f64],
    current: &[f64],
    alternative: Alternative,
    method: KsMethod,
) -> Result<KsResult, Error> {
    KsReference::new(reference)?.test(current, alternative, method)
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

/// The extremes of `cdf1 - cdf2` over the concatenated sorted samples, with
/// numpy's `argmin`/`argmax` tie rule (first occurrence).
struct Extremes {
    max: f64,
    max_loc: f64,
    min: f64,
    min_loc: f64,
}

impl Extremes {
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
}

/// Walks `xs` in order and, for each run of equal values, evaluates the ECDF
/// difference there. `xs_is_reference` says whether `xs` is the reference
/// (first) sample; `ys` is the other sample.
fn scan(xs: &[f64], ys: &[f64], n_ref: f64, n_cur: f64, xs_is_reference: bool, ext: &mut Extremes) {
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
        // searchsorted(..., side="right") / n, as numpy computes it.
        let diff = if xs_is_reference {
            end as f64 / n_ref - j as f64 / n_cur
        } else {
            j as f64 / n_ref - end as f64 / n_cur
        };
        ext.update(diff, x);
        k = end;
    }
}

/// scipy's `np.clip(v, 0, 1)` (keeps NaN and -0.0).
fn clip01(v: f64) -> f64 {
    v.clamp(0.0, 1.0)
}

/// The test on two sorted, validated, non-empty samples.
fn test_sorted(a: &[f64], b: &[f64], alternative: Alternative, method: KsMethod) -> KsResult {
    let n1 = a.len();
    let n2 = b.len();
    let (n1f, n2f) = (n1 as f64, n2 as f64);

    let mut ext = Extremes {
        max: f64::NEG_INFINITY,
        max_loc: f64::NAN,
        min: f64::INFINITY,
        min_loc: f64::NAN,
    };
    scan(a, b, n1f, n2f, true, &mut ext);
    scan(b, a, n1f, n2f, false, &mut ext);

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
            Err(Error::NonFinite {
                which: "current",
                index: 1
            })
        );
        assert_eq!(
            ks_2samp(&[f64::INFINITY], &ok, Alternative::Less, KsMethod::Exact),
            Err(Error::NonFinite {
                which: "reference",
                index: 0
            })
        );
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
