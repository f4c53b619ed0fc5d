//! What a check returns: one [`ColumnDrift`] row per column with its [`DataIssue`]
//! findings, and the dataset verdict ([`DriftReport`]).

use serde::{Deserialize, Serialize};

use driftwatch_core::ColumnKind;

use super::{AppliedOptions, DriftOptions};

/// A data problem found in a column, reported next to (or instead of) the test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataIssue {
    /// `missing_share`, `all_missing`, `constant`, `one_sided`, `kind_mismatch`,
    /// `unseen_categories` or `infinite_values`.
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
    /// The options the test took, with the values it used.
    #[serde(skip_serializing_if = "AppliedOptions::is_empty", default)]
    pub options: AppliedOptions,
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
    /// `false` when the statistic comes from a quantile sketch (a column too large for
    /// the memory limit); absent when exact.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exact: Option<bool>,
    /// With `exact: false`: the bound on the error of the two estimated CDFs together
    /// (the KS statistic is within it of the exact one).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_cdf_error: Option<f64>,
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

/// The `test` of a row left out of the comparison.
pub const SKIPPED: &str = "skipped";
