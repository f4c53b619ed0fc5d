//! What the engine found in one window, and the names of the findings the engine makes
//! itself: the types the engine, the alert policy, the summary, the history and the
//! reports all read. Kept apart from [`crate::engine`] so that those depend on this
//! module and not on each other (the `use crate::` graph of this crate has no cycle,
//! `tests/module_graph.rs`).

use std::collections::{BTreeMap, BTreeSet};

use driftwatch_core::{Finding, FindingKind, Status};
use serde::{Deserialize, Serialize};

/// Method of the finding that stands for a monitor's failure on a window.
pub const ERROR_METHOD: &str = "error";
/// Monitor name of the findings the engine makes itself.
pub const ENGINE_MONITOR: &str = "engine";
/// Method of the finding that reports a window without rows.
pub const EMPTY_METHOD: &str = "empty_window";

/// The span of a finding's monitor name (`rolling 7` of `feature_drift[rolling 7]`), or
/// `None` for a monitor that checks single windows.
pub fn span_of(monitor: &str) -> Option<&str> {
    monitor.strip_suffix(']')?.split_once('[').map(|(_, s)| s)
}

/// What the engine found in one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowReport {
    /// Position of the window in the run (0-based, plus the run's first index).
    pub index: usize,
    /// The window's label, e.g. `rows 0..1000` or its start time.
    pub label: String,
    /// Number of rows.
    pub n_rows: usize,
    /// Rows with ground truth, when only some rows have it (delayed labels); absent when
    /// every row (or none) is labelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labelled_rows: Option<usize>,
    /// Every finding of every monitor, in monitor order.
    pub findings: Vec<Finding>,
    /// Metric values: metric and data-quality findings, keyed by [`metric_key`]
    /// (`accuracy`, or `recall:setosa` for a per-column metric). Non-finite values are
    /// left out; when two monitors give the same key, the first wins.
    pub metrics: BTreeMap<String, f64>,
    /// Share of each predicted class (classes of the reference included, at 0 when
    /// absent); empty when predictions are numbers or missing.
    pub class_shares: BTreeMap<String, f64>,
    /// Columns with a drift finding of status alert, sorted.
    pub drifted_columns: Vec<String>,
    /// Columns with any drift finding, sorted: the "out of" of `drifted_columns`.
    pub checked_columns: Vec<String>,
}

impl WindowReport {
    /// A report from findings: metrics, drifted and checked columns are derived from them;
    /// class shares are left empty.
    pub fn from_findings(
        index: usize,
        label: impl Into<String>,
        n_rows: usize,
        findings: Vec<Finding>,
    ) -> Self {
        let mut metrics = BTreeMap::new();
        let mut drifted = BTreeSet::new();
        let mut checked = BTreeSet::new();
        for f in &findings {
            match (f.kind, &f.column) {
                (
                    FindingKind::Metric { .. }
                    | FindingKind::DataQuality
                    | FindingKind::Estimate { .. },
                    _,
                ) if f.statistic.is_finite() => {
                    metrics.entry(metric_key(f)).or_insert(f.statistic);
                }
                (FindingKind::Drift, Some(col)) => {
                    checked.insert(col.clone());
                    if f.status == Status::Alert {
                        drifted.insert(col.clone());
                    }
                }
                _ => {}
            }
        }
        WindowReport {
            index,
            label: label.into(),
            n_rows,
            labelled_rows: None,
            findings,
            metrics,
            class_shares: BTreeMap::new(),
            drifted_columns: drifted.into_iter().collect(),
            checked_columns: checked.into_iter().collect(),
        }
    }
}

/// The key of a metric finding: its method, plus `:column` when it has a column.
pub fn metric_key(f: &Finding) -> String {
    match &f.column {
        Some(c) => format!("{}:{c}", f.method),
        None => f.method.clone(),
    }
}
