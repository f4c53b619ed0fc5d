//! Per-column drift between a reference frame and a current frame.
//!
//! One path for the `drift` subcommand and the `feature_drift` monitor: fit once on the
//! reference (sorted samples, decile edges and counts, category counts), then judge any
//! number of current frames. Each row carries the test that ran (chosen by
//! [`TestKind::Auto`] unless set), its statistic and p-value, an effect size, the
//! verdict, and data findings (missing share, empty, constant, one-sided columns,
//! unseen categories), so bad data is reported instead of stopping the check.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use driftwatch_core::{Column, ColumnKind, Frame};

mod numeric;

use crate::chi2::chi2_homogeneity;
use crate::ks::{Alternative, KsMethod, KsReference};
use crate::stats::{distinct_sorted, divergence, jensenshannon, proportions, psi, std_population};

/// The two-sample test run on a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// Evidently's rules: by reference size, column kind and distinct values.
    Auto,
    /// Kolmogorov-Smirnov (p-value).
    Ks,
    /// Wasserstein-1 distance in the column's units.
    Wasserstein,
    /// Wasserstein distance over the reference std.
    WassersteinNormed,
    /// Energy distance.
    Energy,
    /// Cramér-von Mises, asymptotic p-value.
    Cvm,
    /// Anderson-Darling k-sample statistic (drift above the 5% critical value).
    Anderson,
    /// Mann-Whitney U (p-value).
    Mannwhitney,
    /// Population stability index on reference deciles.
    Psi,
    /// Jensen-Shannon distance.
    Jensenshannon,
    /// Chi-square homogeneity (p-value).
    Chi2,
    /// Two-proportion z-test (p-value).
    Z,
    /// Hellinger distance.
    Hellinger,
    /// KL divergence (reference from current).
    Kl,
    /// Total variation distance.
    Tvd,
}

/// All test names, for messages.
pub const TEST_NAMES: &str = "auto, ks, wasserstein, wasserstein-normed, energy, cvm, anderson, mannwhitney, psi, jensenshannon, chi2, z, hellinger, kl, tvd";

/// scipy's `anderson_ksamp` critical value at the 5% level (two samples).
pub const ANDERSON_CRITICAL_5PCT: f64 = 1.961;

impl TestKind {
    /// The CLI / JSON name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TestKind::Auto => "auto",
            TestKind::Ks => "ks",
            TestKind::Wasserstein => "wasserstein",
            TestKind::WassersteinNormed => "wasserstein-normed",
            TestKind::Energy => "energy",
            TestKind::Cvm => "cvm",
            TestKind::Anderson => "anderson",
            TestKind::Mannwhitney => "mannwhitney",
            TestKind::Psi => "psi",
            TestKind::Jensenshannon => "jensenshannon",
            TestKind::Chi2 => "chi2",
            TestKind::Z => "z",
            TestKind::Hellinger => "hellinger",
            TestKind::Kl => "kl",
            TestKind::Tvd => "tvd",
        }
    }

    /// Whether the verdict comes from a p-value (drift when p < threshold) rather than
    /// a distance (drift when statistic >= threshold).
    #[must_use]
    pub const fn has_p_value(self) -> bool {
        matches!(
            self,
            TestKind::Ks | TestKind::Cvm | TestKind::Mannwhitney | TestKind::Chi2 | TestKind::Z
        )
    }

    /// The default threshold: 0.05 for p-values, 0.1 for distances (Evidently's),
    /// the 5% critical value for Anderson-Darling.
    #[must_use]
    pub const fn default_threshold(self) -> f64 {
        match self {
            TestKind::Anderson => ANDERSON_CRITICAL_5PCT,
            t if t.has_p_value() => 0.05,
            _ => 0.1,
        }
    }

    /// Tests that only make sense on ordered numeric values.
    const fn numeric_only(self) -> bool {
        matches!(
            self,
            TestKind::Ks
                | TestKind::Wasserstein
                | TestKind::WassersteinNormed
                | TestKind::Energy
                | TestKind::Cvm
                | TestKind::Anderson
                | TestKind::Mannwhitney
                | TestKind::Psi
        )
    }
}

impl fmt::Display for TestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TestKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let all = [
            TestKind::Auto,
            TestKind::Ks,
            TestKind::Wasserstein,
            TestKind::WassersteinNormed,
            TestKind::Energy,
            TestKind::Cvm,
            TestKind::Anderson,
            TestKind::Mannwhitney,
            TestKind::Psi,
            TestKind::Jensenshannon,
            TestKind::Chi2,
            TestKind::Z,
            TestKind::Hellinger,
            TestKind::Kl,
            TestKind::Tvd,
        ];
        let key = s.trim().to_ascii_lowercase();
        all.into_iter()
            .find(|t| t.as_str() == key)
            .ok_or_else(|| format!("unknown test '{s}': expected one of {TEST_NAMES}"))
    }
}

/// Multiple-testing correction of the p-values of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// Raw p-values (Evidently's behaviour).
    #[default]
    None,
    /// p * m.
    Bonferroni,
    /// Holm's step-down.
    Holm,
    /// Benjamini-Hochberg false discovery rate.
    Bh,
}

impl FromStr for Correction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Correction::None),
            "bonferroni" => Ok(Correction::Bonferroni),
            "holm" => Ok(Correction::Holm),
            "bh" | "fdr" => Ok(Correction::Bh),
            _ => Err(format!(
                "unknown correction '{s}': expected none, bonferroni, holm or bh"
            )),
        }
    }
}

/// Adjusted p-values (same order as `p`), each capped at 1.
#[must_use]
pub fn adjust_p_values(p: &[f64], correction: Correction) -> Vec<f64> {
    let m = p.len();
    let mf = m as f64;
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = p.to_vec();
    match correction {
        Correction::None => {}
        Correction::Bonferroni => out.iter_mut().for_each(|v| *v = (*v * mf).min(1.0)),
        Correction::Holm => {
            let mut running: f64 = 0.0;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max(((mf - rank as f64) * p[i]).min(1.0));
                out[i] = running;
            }
        }
        Correction::Bh => {
            let mut running: f64 = 1.0;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min((p[i] * (mf / (rank + 1) as f64)).min(1.0));
                out[i] = running;
            }
        }
    }
    out
}

/// Per-column overrides (from `drift.toml`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnOverride {
    /// The test for this column.
    #[serde(default)]
    pub test: Option<TestKind>,
    /// Its threshold.
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// How to test the columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriftOptions {
    /// The test (auto by default).
    pub test: TestKind,
    /// KS alternative for numeric columns.
    pub alternative: Alternative,
    /// KS p-value method.
    pub method: KsMethod,
    /// The threshold; `None` takes the test's default (0.05 for p-values, 0.1 for
    /// distances).
    pub threshold: Option<f64>,
    /// A significant p-value counts as drift only when the effect is at least this.
    pub min_effect: Option<f64>,
    /// Multiple-testing correction over the columns of one check.
    pub correction: Correction,
    /// The dataset drifts when at least this share of columns drifts.
    pub drift_share: f64,
    /// Per-column test and threshold.
    pub overrides: BTreeMap<String, ColumnOverride>,
    /// A rise of the missing share by at least this much (absolute) is a finding.
    pub missing_share_tolerance: f64,
    /// Columns compared as numbers even where `auto` would compare them as categories
    /// (integers with few values) or leave them out (timestamps).
    pub numerical: Vec<String>,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            test: TestKind::Auto,
            alternative: Alternative::TwoSided,
            method: KsMethod::Auto,
            threshold: None,
            min_effect: None,
            correction: Correction::None,
            drift_share: 0.5,
            overrides: BTreeMap::new(),
            missing_share_tolerance: 0.05,
            numerical: Vec::new(),
        }
    }
}

/// What the reference keeps about a numeric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericReference {
    /// Sorted non-missing values.
    pub sorted: KsReference,
    /// Population standard deviation.
    pub std: f64,
    /// Distinct values.
    pub distinct: usize,
    /// PSI inner decile edges.
    pub psi_edges: Vec<f64>,
    /// Reference counts in the PSI bins.
    pub psi_counts: Vec<f64>,
}

/// Merges two ascending samples into one (`f64::total_cmp` order).
fn merge_sorted(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j].total_cmp(&a[i]).is_lt() {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

impl NumericReference {
    /// Precomputes everything the reference allows from its non-missing values.
    pub fn new(values: Vec<f64>) -> Result<Self, crate::Error> {
        let sorted = KsReference::from_vec(values)?;
        let s = sorted.sorted_values();
        let psi_edges = psi::decile_edges(s);
        Ok(NumericReference {
            std: std_population(s),
            distinct: distinct_sorted(s),
            psi_counts: psi::bin_counts_sorted(s, &psi_edges),
            psi_edges,
            sorted,
        })
    }

    /// PSI of `current` (any order, finite) on the stored decile edges: one pass over
    /// `current`, no sort.
    #[must_use]
    pub fn psi(&self, current: &[f64]) -> f64 {
        psi::psi_from_counts(&self.psi_counts, &psi::bin_counts(current, &self.psi_edges))
    }
}

/// What the reference tells about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnReference {
    /// Numeric summary (None when the reference had no value).
    Numeric(Option<NumericReference>),
    /// Category counts, levels sorted.
    Categorical {
        /// Levels seen in the reference.
        levels: Vec<String>,
        /// Their counts.
        counts: Vec<f64>,
    },
}

/// One fitted column: name, summary, missing count and row count of the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedColumn {
    /// Column name.
    pub name: String,
    /// Its summary.
    pub reference: ColumnReference,
    /// Missing values in the reference.
    pub missing: usize,
    /// Rows in the reference.
    pub rows: usize,
    /// Boolean or timestamp, when the reader recognised the column as such (absent in
    /// files written before these kinds existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<ColumnKind>,
}

impl FittedColumn {
    /// The column's kind as the user sees it (numeric, categorical, boolean, timestamp).
    #[must_use]
    pub fn kind(&self) -> ColumnKind {
        self.meaning.unwrap_or(match self.reference {
            ColumnReference::Numeric(_) => ColumnKind::Numeric,
            ColumnReference::Categorical { .. } => ColumnKind::Categorical,
        })
    }
}

/// The fitted reference of every checked column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DriftReference {
    /// The columns, in order.
    pub columns: Vec<FittedColumn>,
}

/// A data problem found in a column, reported next to (or instead of) the test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataIssue {
    /// `missing_share`, `all_missing`, `constant`, `one_sided`, `kind_mismatch` or
    /// `unseen_categories`.
    pub kind: String,
    /// `warning` or `alert`.
    pub status: String,
    /// What was found and what to do.
    pub message: String,
}

/// The drift verdict for one column; the JSON row of `driftwatch drift`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// numeric or categorical.
    pub kind: ColumnKind,
    /// The test that ran, or `none` when no test could run.
    pub test: String,
    /// The test statistic (null when no test could run).
    pub statistic: Option<f64>,
    /// The p-value (null for distances).
    pub p_value: Option<f64>,
    /// The p-value after the multiple-testing correction, when one is on.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub p_adjusted: Option<f64>,
    /// Drift when p < threshold (p-value tests) or statistic >= threshold (distances).
    pub threshold: f64,
    /// The verdict.
    pub drift: bool,
    /// Effect size: for numeric columns under an order-based test (ks, wasserstein,
    /// wasserstein-normed, energy, cvm, anderson, mannwhitney) the Wasserstein
    /// distance over the reference std; under a binned test (psi, jensenshannon,
    /// hellinger, kl, tvd, chi2, z) the total variation distance of the test's bin (or
    /// value) shares, so that the check never sorts the current values; for
    /// categorical columns the total variation distance of the category shares.
    pub effect: Option<f64>,
    /// Non-missing reference values used.
    pub n_reference: usize,
    /// Non-missing current values used.
    pub n_current: usize,
    /// Missing values in the reference (counted, not tested).
    pub missing_reference: usize,
    /// Missing values in the current data.
    pub missing_current: usize,
    /// Where the KS statistic is attained.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub statistic_location: Option<f64>,
    /// +1 when the reference ECDF is above the current one there, -1 below.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub statistic_sign: Option<i8>,
    /// Categories in the current data not seen in the reference, with counts: the
    /// [`MAX_LISTED`] most frequent (`unseen_distinct` and `unseen_rows` count them all).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unseen_categories: Vec<(String, usize)>,
    /// How many distinct unseen categories there are.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub unseen_distinct: usize,
    /// How many current rows hold an unseen category.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub unseen_rows: usize,
    /// Data findings for this column.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub issues: Vec<DataIssue>,
    /// Why no test ran, or other notes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

/// At most this many values are listed in a finding or a row (the rest are counted).
pub const MAX_LISTED: usize = 10;

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The result of a whole check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// One row per column.
    pub columns: Vec<ColumnDrift>,
    /// Drifted columns.
    pub drifted: usize,
    /// Columns checked.
    pub total: usize,
    /// drifted / columns that could be tested.
    pub drift_share: f64,
    /// Whether the dataset drifted (share >= the option's share).
    pub dataset_drift: bool,
    /// Data findings across columns.
    pub issues: usize,
    /// Columns left out of the comparison (timestamps), listed with a note.
    #[serde(default)]
    pub skipped: usize,
}

/// Category counts of a column, sorted by label; `boolean` folds `True`/`TRUE`/... into
/// `true` and `false` (the reader does already; a hand-built frame may not).
fn category_counts(col: &Column, boolean: bool) -> Vec<(String, usize)> {
    let label = |l: &str| -> String {
        if boolean && (l.eq_ignore_ascii_case("true") || l.eq_ignore_ascii_case("false")) {
            l.to_ascii_lowercase()
        } else {
            l.to_string()
        }
    };
    match col {
        Column::Categorical(c) => {
            let mut n = vec![0usize; c.levels.len()];
            for code in c.codes.iter().flatten() {
                if let Some(x) = n.get_mut(*code as usize) {
                    *x += 1;
                }
            }
            let mut out: BTreeMap<String, usize> = BTreeMap::new();
            for (l, k) in c.levels.iter().zip(n) {
                if k > 0 {
                    *out.entry(label(l)).or_default() += k;
                }
            }
            out.into_iter().collect()
        }
        Column::Numeric(_) => {
            let mut out = BTreeMap::<String, usize>::new();
            for l in col.to_labels().into_iter().flatten() {
                *out.entry(l).or_default() += 1;
            }
            out.into_iter().collect()
        }
    }
}

impl DriftReference {
    /// Learns the reference for `columns` (all columns when empty).
    pub fn fit(reference: &Frame, columns: &[String]) -> driftwatch_core::Result<Self> {
        let names: Vec<String> = if columns.is_empty() {
            reference.names().to_vec()
        } else {
            columns.to_vec()
        };
        let cols: Vec<(&String, &Column)> = names
            .iter()
            .map(|n| reference.column(n).map(|c| (n, c)))
            .collect::<driftwatch_core::Result<_>>()?;
        let out = cols
            .par_iter()
            .map(|(name, col)| {
                let fitted = match col {
                    Column::Numeric(_) => ColumnReference::Numeric(
                        NumericReference::new(col.numeric_values().unwrap_or_default()).ok(),
                    ),
                    Column::Categorical(_) => {
                        let (levels, counts) = category_counts(col, false)
                            .into_iter()
                            .map(|(l, c)| (l, c as f64))
                            .unzip();
                        ColumnReference::Categorical { levels, counts }
                    }
                };
                let kind = reference.kind(name).unwrap_or_else(|_| col.kind());
                FittedColumn {
                    name: (*name).clone(),
                    reference: fitted,
                    missing: col.missing_count(),
                    rows: col.len(),
                    meaning: (kind != col.kind()).then_some(kind),
                }
            })
            .collect();
        Ok(DriftReference { columns: out })
    }

    /// Checks what a loaded reference must satisfy for [`DriftReference::check`] to be
    /// right: distinct names, missing <= rows, PSI counts matching edges and sample size,
    /// categorical levels sorted and unique with one count each. (Sample order and
    /// finiteness are restored / checked when a [`KsReference`] is deserialized.)
    ///
    /// # Errors
    /// A message naming the column and the inconsistency.
    pub fn validate(&self) -> Result<(), String> {
        let mut names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("column '{}' appears twice", w[0]));
        }
        for c in &self.columns {
            let name = &c.name;
            if c.missing > c.rows {
                return Err(format!("column '{name}': more missing values than rows"));
            }
            match &c.reference {
                ColumnReference::Numeric(None) => {}
                ColumnReference::Numeric(Some(n)) => {
                    let total: f64 = n.psi_counts.iter().sum();
                    if n.psi_counts.len() != n.psi_edges.len() + 1
                        || total != n.sorted.len() as f64
                        || n.sorted.len() + c.missing != c.rows
                    {
                        return Err(format!("column '{name}': counts do not match the sample"));
                    }
                }
                ColumnReference::Categorical { levels, counts } => {
                    if levels.len() != counts.len()
                        || levels.windows(2).any(|w| w[0] >= w[1])
                        || counts.iter().any(|&k| !(k >= 0.0 && k.is_finite()))
                    {
                        return Err(format!(
                            "column '{name}': levels must be sorted and unique with one count each"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Combines the references of two parts of the same data (same columns, same
    /// kinds, in the same order) into the reference of the whole: counts add, sorted
    /// samples merge, and what depends on the whole sample (std, distinct values,
    /// decile edges and their counts) is recomputed from the merged sample, so the
    /// result equals [`DriftReference::fit`] on the concatenated rows. Quantile edges
    /// cannot be combined from the parts' edges alone; that is why the full sorted
    /// sample is kept.
    ///
    /// # Errors
    /// A message when the column lists or kinds differ.
    pub fn merge(&self, other: &DriftReference) -> Result<DriftReference, String> {
        if self.names() != other.names() {
            return Err(format!(
                "the references have different columns ({} vs {}); build both with the same --columns",
                self.names().join(","),
                other.names().join(",")
            ));
        }
        let columns = self
            .columns
            .par_iter()
            .zip(other.columns.par_iter())
            .map(|(a, b)| {
                let reference = match (&a.reference, &b.reference) {
                    (ColumnReference::Numeric(x), ColumnReference::Numeric(y)) => {
                        ColumnReference::Numeric(match (x, y) {
                            (None, None) => None,
                            (Some(v), None) | (None, Some(v)) => Some(v.clone()),
                            (Some(v), Some(w)) => Some(
                                NumericReference::new(merge_sorted(
                                    v.sorted.sorted_values(),
                                    w.sorted.sorted_values(),
                                ))
                                .map_err(|e| format!("column '{}': {e}", a.name))?,
                            ),
                        })
                    }
                    (
                        ColumnReference::Categorical {
                            levels: la,
                            counts: ca,
                        },
                        ColumnReference::Categorical {
                            levels: lb,
                            counts: cb,
                        },
                    ) => {
                        let mut all: BTreeMap<String, f64> = BTreeMap::new();
                        for (l, k) in la.iter().zip(ca).chain(lb.iter().zip(cb)) {
                            *all.entry(l.clone()).or_default() += k;
                        }
                        let (levels, counts) = all.into_iter().unzip();
                        ColumnReference::Categorical { levels, counts }
                    }
                    _ => {
                        return Err(format!(
                            "column '{}' is numeric in one reference and categorical in the other",
                            a.name
                        ));
                    }
                };
                if a.meaning != b.meaning {
                    return Err(format!(
                        "column '{}' is {} in one reference and {} in the other",
                        a.name,
                        a.kind().as_str(),
                        b.kind().as_str()
                    ));
                }
                Ok(FittedColumn {
                    name: a.name.clone(),
                    reference,
                    missing: a.missing + b.missing,
                    rows: a.rows + b.rows,
                    meaning: a.meaning,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(DriftReference { columns })
    }

    /// Names of the fitted columns.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Tests every fitted column of `current` (in parallel), in the reference's order.
    /// A column missing from `current` or of another kind is a finding, not an error.
    pub fn check(
        &self,
        current: &Frame,
        options: &DriftOptions,
    ) -> driftwatch_core::Result<Vec<ColumnDrift>> {
        let mut rows: Vec<ColumnDrift> = self
            .columns
            .par_iter()
            .map(|f| match current.column(&f.name) {
                Ok(col) => check_column(f, col, options),
                Err(_) => one_sided(f, options),
            })
            .collect();
        apply_correction(&mut rows, options);
        Ok(rows)
    }

    /// [`DriftReference::check`] plus columns present in `current` only, and the
    /// dataset verdict.
    pub fn report(
        &self,
        current: &Frame,
        options: &DriftOptions,
    ) -> driftwatch_core::Result<DriftReport> {
        let mut columns = self.check(current, options)?;
        for name in current.names() {
            if self.columns.iter().any(|c| &c.name == name) {
                continue;
            }
            let col = current.column(name)?;
            columns.push(ColumnDrift {
                issues: vec![DataIssue {
                    kind: "one_sided".into(),
                    status: "alert".into(),
                    message: format!(
                        "column '{name}' is in the current data only; add it to the reference or leave it out with --columns"
                    ),
                }],
                note: Some("not in the reference".into()),
                ..empty_row(name, current.kind(name)?, 0, col.missing_count(), f64::NAN)
            });
        }
        Ok(DriftReport::from_rows(columns, options))
    }
}

impl DriftReport {
    /// Counts and the dataset verdict from the rows.
    #[must_use]
    pub fn from_rows(columns: Vec<ColumnDrift>, options: &DriftOptions) -> Self {
        let drifted = columns.iter().filter(|r| r.drift).count();
        let tested = columns.iter().filter(|r| r.statistic.is_some()).count();
        let skipped = columns.iter().filter(|r| r.test == SKIPPED).count();
        let share = if tested == 0 {
            0.0
        } else {
            drifted as f64 / tested as f64
        };
        DriftReport {
            drifted,
            total: columns.len(),
            drift_share: share,
            dataset_drift: tested > 0 && share >= options.drift_share,
            issues: columns.iter().map(|c| c.issues.len()).sum(),
            skipped,
            columns,
        }
    }
}

fn empty_row(
    name: &str,
    kind: ColumnKind,
    n_cur: usize,
    missing_cur: usize,
    thr: f64,
) -> ColumnDrift {
    ColumnDrift {
        column: name.to_string(),
        kind,
        test: "none".into(),
        statistic: None,
        p_value: None,
        p_adjusted: None,
        threshold: thr,
        drift: false,
        effect: None,
        n_reference: 0,
        n_current: n_cur,
        missing_reference: 0,
        missing_current: missing_cur,
        statistic_location: None,
        statistic_sign: None,
        unseen_categories: Vec::new(),
        unseen_distinct: 0,
        unseen_rows: 0,
        issues: Vec::new(),
        note: None,
    }
}

fn one_sided(f: &FittedColumn, o: &DriftOptions) -> ColumnDrift {
    let mut row = empty_row(&f.name, f.kind(), 0, 0, o.threshold.unwrap_or(f64::NAN));
    row.missing_reference = f.missing;
    row.n_reference = f.rows - f.missing;
    row.note = Some("not in the current data".into());
    row.issues.push(DataIssue {
        kind: "one_sided".into(),
        status: "alert".into(),
        message: format!(
            "column '{}' is in the reference only; the current data lacks it (check the export, or leave it out with --columns)",
            f.name
        ),
    });
    row
}

fn apply_correction(rows: &mut [ColumnDrift], o: &DriftOptions) {
    if o.correction == Correction::None {
        return;
    }
    let idx: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.p_value.is_some_and(|p| !p.is_nan()))
        .map(|(i, _)| i)
        .collect();
    let p: Vec<f64> = idx.iter().filter_map(|&i| rows[i].p_value).collect();
    let adj = adjust_p_values(&p, o.correction);
    for (&i, a) in idx.iter().zip(adj) {
        let r = &mut rows[i];
        r.p_adjusted = Some(a);
        r.drift = a < r.threshold && effect_ok(r.effect, o);
    }
}

fn effect_ok(effect: Option<f64>, o: &DriftOptions) -> bool {
    match (o.min_effect, effect) {
        (Some(m), Some(e)) => e >= m,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Evidently's choice. `n` = reference values, `u` = distinct values of both samples.
#[must_use]
pub fn auto_test(kind: ColumnKind, n: usize, u: usize) -> TestKind {
    let numeric = kind == ColumnKind::Numeric;
    if n <= 1000 {
        if numeric && u > 5 {
            TestKind::Ks
        } else if u > 2 {
            TestKind::Chi2
        } else {
            TestKind::Z
        }
    } else if numeric && u > 5 {
        TestKind::WassersteinNormed
    } else {
        TestKind::Jensenshannon
    }
}

/// A test's numbers.
pub(crate) struct Outcome {
    /// The statistic.
    pub statistic: f64,
    /// The p-value, for p-value tests.
    pub p_value: Option<f64>,
    /// Where the KS statistic is attained, and its sign.
    pub location: Option<(f64, i8)>,
}

impl Outcome {
    /// A distance (no p-value).
    pub fn distance(statistic: f64) -> Self {
        Outcome {
            statistic,
            p_value: None,
            location: None,
        }
    }
}

/// Tests on category counts (both rows over the same categories).
pub(crate) fn categorical_test(test: TestKind, r: &[f64], c: &[f64]) -> Result<Outcome, String> {
    Ok(match test {
        TestKind::Chi2 => {
            let t = chi2_homogeneity(r, c).map_err(|e| e.to_string())?;
            Outcome {
                statistic: t.statistic,
                p_value: Some(t.p_value),
                location: None,
            }
        }
        TestKind::Z => {
            let (nr, nc) = (r.iter().sum::<f64>(), c.iter().sum::<f64>());
            let k = r.iter().zip(c).position(|(a, b)| a + b > 0.0).unwrap_or(0);
            let t = proportions::z_test(
                r.get(k).copied().unwrap_or(0.0),
                nr,
                c.get(k).copied().unwrap_or(0.0),
                nc,
            )
            .map_err(|e| e.to_string())?;
            Outcome {
                statistic: t.statistic,
                p_value: Some(t.p_value),
                location: None,
            }
        }
        TestKind::Jensenshannon => Outcome::distance(jensenshannon::jensenshannon(r, c)),
        TestKind::Hellinger => Outcome::distance(divergence::hellinger(r, c)),
        TestKind::Kl => Outcome::distance(divergence::kl_divergence(r, c)),
        TestKind::Tvd => Outcome::distance(divergence::total_variation(r, c)),
        other => return Err(format!("{other} does not apply to categories")),
    })
}

fn push_missing_issue(row: &mut ColumnDrift, f: &FittedColumn, rows_cur: usize, o: &DriftOptions) {
    let share_ref = if f.rows > 0 {
        f.missing as f64 / f.rows as f64
    } else {
        0.0
    };
    let share_cur = if rows_cur > 0 {
        row.missing_current as f64 / rows_cur as f64
    } else {
        0.0
    };
    if share_cur - share_ref >= o.missing_share_tolerance && row.n_current > 0 {
        row.issues.push(DataIssue {
            kind: "missing_share".into(),
            status: "warning".into(),
            message: format!(
                "column '{}': {:.1}% missing in the current data vs {:.1}% in the reference",
                f.name,
                100.0 * share_cur,
                100.0 * share_ref
            ),
        });
    }
}

/// The `test` of a row left out of the comparison.
pub const SKIPPED: &str = "skipped";

/// Whether every value of a sorted sample with at most `max` distinct values is a whole
/// number (Evidently's rule for integer columns that are really categories).
fn few_integers(reference: &NumericReference, max: usize) -> bool {
    reference.distinct <= max
        && reference
            .sorted
            .sorted_values()
            .iter()
            .all(|x| x.is_finite() && x.fract() == 0.0)
}

/// Under `auto`, integer columns with at most this many distinct reference values are
/// compared as categories (Evidently 0.7's rule).
pub const AUTO_CATEGORICAL_MAX_INTEGERS: usize = 10;

fn check_column(f: &FittedColumn, col: &Column, o: &DriftOptions) -> ColumnDrift {
    let name = f.name.as_str();
    let over = o.overrides.get(name);
    let missing = col.missing_count();
    let mut row = empty_row(name, f.kind(), col.len() - missing, missing, f64::NAN);
    row.missing_reference = f.missing;
    row.n_reference = f.rows - f.missing;
    let numerical = o.numerical.iter().any(|c| c == name);
    if f.kind() == ColumnKind::Timestamp && !numerical {
        row.test = SKIPPED.into();
        row.note = Some(format!(
            "skipped: a timestamp column is not compared (it always moves); \
             --numerical {name} compares its values as numbers"
        ));
        return row;
    }
    push_missing_issue(&mut row, f, col.len(), o);
    if row.n_reference == 0 || row.n_current == 0 {
        // before the kind check: a column with no value has no kind to compare
        let side = if row.n_reference == 0 {
            "reference"
        } else {
            "current data"
        };
        row.issues.push(DataIssue {
            kind: "all_missing".into(),
            status: "alert".into(),
            message: format!("column '{name}' has no value in the {side} (empty or all missing)"),
        });
        row.note = Some(format!("not tested: no value in the {side}"));
        return row;
    }
    let want = f.kind().storage();
    if col.kind() != want {
        row.issues.push(DataIssue {
            kind: "kind_mismatch".into(),
            status: "alert".into(),
            message: format!(
                "column '{name}' is {} in the reference but {} in the current data; read both with the same --categorical list",
                want.as_str(),
                col.kind().as_str()
            ),
        });
        row.note = Some("not tested: the column changed kind".into());
        return row;
    }
    let requested = over.and_then(|v| v.test).unwrap_or(o.test);
    match &f.reference {
        ColumnReference::Numeric(None) => row,
        ColumnReference::Numeric(Some(reference)) => {
            let rs = reference.sorted.sorted_values();
            let Column::Numeric(values) = col else {
                return row; // kinds were compared above
            };
            let values: std::borrow::Cow<'_, [f64]> = match values.as_slice() {
                Some(s) => std::borrow::Cow::Borrowed(s),
                None => std::borrow::Cow::Owned(values.to_vec()),
            };
            if requested == TestKind::Auto
                && !numerical
                && few_integers(reference, AUTO_CATEGORICAL_MAX_INTEGERS)
            {
                row.kind = ColumnKind::Categorical;
                row.note = Some(format!(
                    "integers with {} distinct value{} in the reference: compared as categories \
                     (Evidently's rule); --numerical {name} compares them as numbers",
                    reference.distinct,
                    if reference.distinct == 1 { "" } else { "s" }
                ));
                let (levels, r, c) = numeric::value_table(reference, &values);
                let labels: Vec<String> = levels
                    .iter()
                    .map(|&v| driftwatch_core::frame::format_number_label(v))
                    .collect();
                compare_categories(&mut row, f, &labels, &r, &c, requested, over, o);
                return row;
            }
            if reference.distinct == 1 {
                row.issues.push(DataIssue {
                    kind: "constant".into(),
                    status: "warning".into(),
                    message: format!(
                        "column '{name}' is constant in the reference ({}): any change is drift, and distances are not scaled",
                        rs[0]
                    ),
                });
            }
            let done = numeric::check(
                reference,
                &values,
                row.missing_current,
                requested,
                o.alternative,
                o.method,
            );
            row.effect = Some(done.effect);
            finish(&mut row, done.test, done.outcome, over, o);
            row
        }
        ColumnReference::Categorical { levels, counts } => {
            let boolean = f.kind() == ColumnKind::Boolean;
            let current = category_counts(col, boolean);
            let mut all: Vec<String> = levels.clone();
            for (l, _) in &current {
                if levels.binary_search(l).is_err() {
                    all.push(l.clone());
                }
            }
            all.sort();
            let r: Vec<f64> = all
                .iter()
                .map(|l| levels.binary_search(l).map_or(0.0, |i| counts[i]))
                .collect();
            let c: Vec<f64> = all
                .iter()
                .map(|l| {
                    current
                        .binary_search_by(|(k, _)| k.as_str().cmp(l))
                        .map_or(0.0, |i| current[i].1 as f64)
                })
                .collect();
            compare_categories(&mut row, f, &all, &r, &c, requested, over, o);
            row
        }
    }
}

/// Tests category counts (`r`, `c` over `labels`, ascending): unseen categories and a
/// single reference category are findings, then the requested (or automatic) test.
#[allow(clippy::too_many_arguments)]
fn compare_categories(
    row: &mut ColumnDrift,
    f: &FittedColumn,
    labels: &[String],
    r: &[f64],
    c: &[f64],
    requested: TestKind,
    over: Option<&ColumnOverride>,
    o: &DriftOptions,
) {
    let name = f.name.as_str();
    let mut unseen: Vec<(String, usize)> = labels
        .iter()
        .zip(r.iter().zip(c))
        .filter(|(_, (a, b))| **a == 0.0 && **b > 0.0)
        .map(|(l, (_, &b))| (l.clone(), b as usize))
        .collect();
    if !unseen.is_empty() {
        row.unseen_distinct = unseen.len();
        row.unseen_rows = unseen.iter().map(|(_, n)| n).sum();
        unseen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        unseen.truncate(MAX_LISTED);
        let list: Vec<String> = unseen
            .iter()
            .map(|(l, n)| format!("'{l}' ({n} rows)"))
            .collect();
        let more = if row.unseen_distinct > MAX_LISTED {
            format!(
                " and {} more; {} categories in {} rows in all",
                row.unseen_distinct - MAX_LISTED,
                row.unseen_distinct,
                row.unseen_rows
            )
        } else {
            String::new()
        };
        row.issues.push(DataIssue {
            kind: "unseen_categories".into(),
            status: "warning".into(),
            message: format!(
                "column '{name}' has categories not in the reference: {}{more}",
                list.join(", ")
            ),
        });
        row.unseen_categories = unseen;
    }
    let in_reference = r.iter().filter(|&&k| k > 0.0).count();
    if in_reference == 1 {
        let only = labels
            .iter()
            .zip(r)
            .find(|(_, k)| **k > 0.0)
            .map_or("", |(l, _)| l.as_str());
        row.issues.push(DataIssue {
            kind: "constant".into(),
            status: "warning".into(),
            message: format!("column '{name}' has one category in the reference ('{only}')"),
        });
    }
    row.effect = Some(divergence::total_variation(r, c));
    let mut test = match requested {
        TestKind::Auto => auto_test(ColumnKind::Categorical, row.n_reference, labels.len()),
        t => t,
    };
    if test.numeric_only() || (test == TestKind::Z && labels.len() > 2) {
        let why = format!("{test} does not apply to this categorical column; used chi2");
        row.note = Some(match row.note.take() {
            Some(n) => format!("{n}; {why}"),
            None => why,
        });
        test = TestKind::Chi2;
    }
    let outcome = categorical_test(test, r, c);
    finish(row, test, outcome, over, o);
}

fn finish(
    row: &mut ColumnDrift,
    test: TestKind,
    outcome: Result<Outcome, String>,
    over: Option<&ColumnOverride>,
    o: &DriftOptions,
) {
    row.test = test.as_str().into();
    row.threshold = over
        .and_then(|v| v.threshold)
        .or(o.threshold)
        .unwrap_or_else(|| test.default_threshold());
    match outcome {
        Ok(out) => {
            row.statistic = Some(out.statistic);
            row.p_value = out.p_value;
            if let Some((loc, sign)) = out.location {
                row.statistic_location = Some(loc);
                row.statistic_sign = Some(sign);
            }
            row.drift = match out.p_value {
                Some(p) => p < row.threshold && effect_ok(row.effect, o),
                None => out.statistic >= row.threshold,
            };
        }
        Err(e) => row.note = Some(format!("not tested: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    fn ks() -> DriftOptions {
        DriftOptions {
            test: TestKind::Ks,
            ..Default::default()
        }
    }

    #[test]
    fn numeric_and_categorical_columns_get_their_tests() {
        let reference = frame("x,c\n1,a\n2,a\n3,b\n4,b\n5,a\n6,b\n");
        let current = frame("x,c\n11,a\n12,z\n13,z\n14,z\n15,z\nNA,z\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&current, &ks()).unwrap();
        assert_eq!(rows[0].test, "ks");
        assert_eq!(rows[0].statistic, Some(1.0));
        assert_eq!(rows[0].missing_current, 1);
        assert_eq!(rows[0].n_current, 5);
        assert!(rows[0].drift);
        assert_eq!(rows[1].test, "chi2");
        assert_eq!(rows[1].unseen_categories, vec![("z".to_string(), 5)]);
        assert!(rows[1].drift);
        assert_eq!(rows[1].issues[0].kind, "unseen_categories");
    }

    #[test]
    fn auto_follows_evidently_rules() {
        use ColumnKind::*;
        assert_eq!(auto_test(Numeric, 1000, 6), TestKind::Ks);
        assert_eq!(auto_test(Numeric, 1000, 5), TestKind::Chi2);
        assert_eq!(auto_test(Numeric, 1000, 2), TestKind::Z);
        assert_eq!(auto_test(Categorical, 10, 3), TestKind::Chi2);
        assert_eq!(auto_test(Categorical, 10, 2), TestKind::Z);
        assert_eq!(auto_test(Numeric, 1001, 6), TestKind::WassersteinNormed);
        assert_eq!(auto_test(Numeric, 1001, 5), TestKind::Jensenshannon);
        assert_eq!(auto_test(Categorical, 5000, 50), TestKind::Jensenshannon);
    }

    #[test]
    fn corrections_match_known_adjustments() {
        let p = [0.01, 0.04, 0.03, 0.005];
        // statsmodels multipletests(p, method='holm' / 'fdr_bh')
        let holm = adjust_p_values(&p, Correction::Holm);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, b) in holm.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{holm:?}");
        }
        let bh = adjust_p_values(&p, Correction::Bh);
        let want = [0.02, 0.04, 0.04, 0.02];
        for (a, b) in bh.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{bh:?}");
        }
        assert_eq!(adjust_p_values(&p, Correction::Bonferroni)[1], 0.16);
    }

    /// A frame with a numeric column `x` and a categorical column `c` (None = missing).
    fn xc_frame(x: &[Option<i8>], c: &[Option<u8>]) -> Frame {
        use driftwatch_core::Categorical;
        let xs: Vec<f64> = x
            .iter()
            .map(|v| v.map_or(f64::NAN, |k| f64::from(k) / 4.0))
            .collect();
        let cs = Categorical::from_labels(c.iter().map(|v| v.map(|k| format!("l{k}"))));
        Frame::new(vec![
            ("x".into(), Column::Numeric(ndarray::Array1::from(xs))),
            ("c".into(), Column::Categorical(cs)),
        ])
        .unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// fit(a ++ b) == merge(fit(a), fit(b)): counts add, samples merge, and the
        /// parts derived from the whole sample (std, distinct, decile edges and counts)
        /// are recomputed from the merged sample, so the equality is exact.
        #[test]
        fn merge_of_parts_is_fit_of_whole(
            rows in proptest::collection::vec(
                (proptest::option::weighted(0.9, -40i8..40), proptest::option::weighted(0.9, 0u8..5)),
                2..80,
            ),
            cut in 0.0f64..1.0,
        ) {
            let k = ((rows.len() as f64 * cut) as usize).min(rows.len());
            let (x, c): (Vec<_>, Vec<_>) = rows.iter().copied().unzip();
            let whole = DriftReference::fit(&xc_frame(&x, &c), &[]).unwrap();
            let a = DriftReference::fit(&xc_frame(&x[..k], &c[..k]), &[]).unwrap();
            let b = DriftReference::fit(&xc_frame(&x[k..], &c[k..]), &[]).unwrap();
            let merged = a.merge(&b).unwrap();
            proptest::prop_assert_eq!(&merged, &whole);
            proptest::prop_assert_eq!(&b.merge(&a).unwrap(), &whole);
            proptest::prop_assert!(merged.validate().is_ok());
        }
    }

    #[test]
    fn merge_refuses_different_columns() {
        let a = DriftReference::fit(&frame("x\n1\n"), &[]).unwrap();
        let b = DriftReference::fit(&frame("y\n1\n"), &[]).unwrap();
        assert!(a.merge(&b).unwrap_err().contains("different columns"));
        let c = DriftReference::fit(&frame("x\na\n"), &[]).unwrap();
        assert!(a.merge(&c).unwrap_err().contains("numeric in one"));
    }

    fn read_with(t: &str, o: &ReadOptions) -> Frame {
        read_csv(t.as_bytes(), "t.csv", o).unwrap()
    }

    #[test]
    fn booleans_compare_in_any_letter_case() {
        let reference = frame("b\nTrue\nFalse\nTrue\nFalse\n");
        let current = frame("b\ntrue\nfalse\nTRUE\nfalse\n");
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(&current, &DriftOptions::default())
            .unwrap();
        assert_eq!(rows[0].kind, ColumnKind::Boolean);
        assert!(rows[0].unseen_categories.is_empty(), "{:?}", rows[0]);
        assert!(!rows[0].drift);
        assert_eq!(rows[0].effect, Some(0.0));
    }

    #[test]
    fn timestamps_are_skipped_unless_numerical() {
        let reference = frame("t,x\n2024-01-01 00:00:00,1.5\n2024-01-02 00:00:00,2.5\n");
        let current = frame("t,x\n2024-02-01 00:00:00,1.5\n2024-02-02 00:00:00,2.5\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let report = fitted.report(&current, &DriftOptions::default()).unwrap();
        let t = &report.columns[0];
        assert_eq!((t.kind, t.test.as_str()), (ColumnKind::Timestamp, SKIPPED));
        assert!(t.issues.is_empty() && !t.drift);
        assert!(t.note.as_deref().unwrap().contains("--numerical t"));
        assert_eq!((report.skipped, report.total), (1, 2));
        let o = DriftOptions {
            numerical: vec!["t".into()],
            test: TestKind::Ks,
            ..Default::default()
        };
        let rows = fitted.check(&current, &o).unwrap();
        assert_eq!(rows[0].test, "ks");
        assert_eq!(rows[0].statistic, Some(1.0));
    }

    #[test]
    fn few_integers_are_categories_under_auto() {
        // 3 distinct integers in the reference: Evidently compares them as categories
        let reference = frame("k\n1\n2\n3\n1\n2\n3\n1\n2\n");
        let current = frame("k\n1\n2\n3\n7\n7\n3\n1\n2\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&current, &DriftOptions::default()).unwrap();
        let k = &rows[0];
        assert_eq!(k.kind, ColumnKind::Categorical);
        assert_eq!(k.unseen_categories, [("7".to_string(), 2)]);
        assert_eq!(k.issues[0].kind, "unseen_categories");
        assert!(k.note.as_deref().unwrap().contains("--numerical k"));
        // the same counts as chi2 on the categories 1, 2, 3, 7
        let want = categorical_test(
            k.test.parse().unwrap(),
            &[3.0, 3.0, 2.0, 0.0],
            &[2.0, 2.0, 2.0, 2.0],
        )
        .unwrap();
        assert_eq!(k.statistic, Some(want.statistic));
        // --numerical keeps them numbers
        let o = DriftOptions {
            numerical: vec!["k".into()],
            ..Default::default()
        };
        let rows = fitted.check(&current, &o).unwrap();
        assert_eq!(rows[0].kind, ColumnKind::Numeric);
        assert!(rows[0].unseen_categories.is_empty());
        // 11 distinct integers, or decimals: numbers
        let many = frame("k\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n");
        let rows = DriftReference::fit(&many, &[])
            .unwrap()
            .check(&many, &DriftOptions::default())
            .unwrap();
        assert_eq!(
            (rows[0].kind, rows[0].test.as_str()),
            (ColumnKind::Numeric, "ks")
        );
    }

    #[test]
    fn a_header_only_current_file_is_all_missing() {
        let reference = frame("x,c,b\n1.5,a,true\n2.5,b,false\n");
        let empty = read_with(
            "x,c,b\n",
            &ReadOptions {
                allow_empty: true,
                ..Default::default()
            },
        );
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(&empty, &DriftOptions::default())
            .unwrap();
        for r in &rows {
            assert_eq!(r.issues.len(), 1, "{r:?}");
            assert_eq!(r.issues[0].kind, "all_missing", "{r:?}");
            assert!(!r.drift);
        }
    }

    #[test]
    fn unseen_categories_are_listed_up_to_ten_and_counted() {
        let reference = frame("c\na\nb\n");
        let mut text = String::from("c\n");
        for i in 0..25 {
            for _ in 0..=(i % 3) {
                text.push_str(&format!("new{i:02}\n"));
            }
        }
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(&frame(&text), &DriftOptions::default())
            .unwrap();
        let r = &rows[0];
        assert_eq!(r.unseen_categories.len(), MAX_LISTED);
        assert_eq!((r.unseen_distinct, r.unseen_rows), (25, 49));
        assert_eq!(r.unseen_categories[0], ("new02".to_string(), 3));
        let msg = &r.issues[0].message;
        assert!(
            msg.contains("and 15 more; 25 categories in 49 rows"),
            "{msg}"
        );
    }

    #[test]
    fn bad_columns_are_findings_not_errors() {
        let reference = frame("x,c,k\n1,a,5\n2,b,5\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&frame("x\n1\n"), &ks()).unwrap();
        assert_eq!(rows[1].issues[0].kind, "one_sided");
        let rows = fitted
            .check(&frame("x,c,k\nNA,a,5\nNA,b,5\n"), &ks())
            .unwrap();
        assert_eq!(rows[0].test, "none");
        assert_eq!(rows[0].issues.last().unwrap().kind, "all_missing");
        assert!(!rows[0].drift);
        assert!(rows[2].issues.iter().any(|i| i.kind == "constant"));
        let rows = fitted
            .check(&frame("x,c,k\n1,2,5\n2,3,5\n"), &ks())
            .unwrap();
        assert_eq!(rows[1].issues[0].kind, "kind_mismatch");
    }
}
