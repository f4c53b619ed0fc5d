//! The [`Monitor`] trait and what flows through it: [`Window`]s in, [`Finding`]s out.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::frame::Frame;
use crate::traits::{Probabilities, Target};

/// A slice of production (or reference) data: features, and what is known about it.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// A label for reports, e.g. `day 3` or `rows 0..1000`.
    pub label: String,
    /// Input features.
    pub features: Frame,
    /// The model's predictions, if made.
    pub predictions: Option<Target>,
    /// Predicted class probabilities, if any.
    pub probabilities: Option<Probabilities>,
    /// Ground truth, one value per row; rows whose `labelled` flag is false hold a
    /// placeholder, never a real label.
    pub labels: Option<Target>,
    /// Which rows have ground truth (delayed labels arrive for some rows only); `None`
    /// means every row has it when `labels` is set. The engine hands performance
    /// monitors the labelled rows only, and the rest a window without labels.
    pub labelled: Option<Vec<bool>>,
    /// Rows that failed schema validation and were left out of every other field:
    /// `rejected[i]` counts those just before kept row `i` (the last row also counts
    /// any after it). `None` when the rows were not validated.
    pub rejected: Option<Vec<u32>>,
    /// Unix timestamps in seconds, one per row, if known.
    pub timestamps: Option<Vec<i64>>,
}

impl Window {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.features
            .n_rows()
            .max(self.predictions.as_ref().map_or(0, Target::len))
    }

    /// Rows with ground truth.
    pub fn labelled_rows(&self) -> usize {
        match (&self.labels, &self.labelled) {
            (None, _) => 0,
            (Some(l), None) => l.len(),
            (Some(_), Some(mask)) => mask.iter().filter(|&&b| b).count(),
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong.
    Ok,
    /// Worth a look.
    Warning,
    /// Crossed its threshold.
    Alert,
}

/// How bad an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Small.
    Low,
    /// Noticeable.
    Medium,
    /// Act now.
    High,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Alert => "alert",
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
        })
    }
}

/// One result of a monitor on one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The monitor's registered name.
    pub monitor: String,
    /// The column, for per-column checks.
    pub column: Option<String>,
    /// The metric or test, e.g. `ks`, `accuracy`, `class_share:setosa`.
    pub method: String,
    /// The measured value.
    pub statistic: f64,
    /// The p-value, for tests that have one.
    pub p_value: Option<f64>,
    /// The threshold the value was judged against.
    pub threshold: f64,
    /// The reference value, for metrics judged against a baseline.
    pub baseline: Option<f64>,
    /// The verdict.
    pub status: Status,
    /// How bad, when not ok.
    pub severity: Option<Severity>,
    /// A human-readable detail.
    pub message: String,
}

/// A check that learns from a reference window and judges later windows.
///
/// `fit` precomputes everything the reference allows (sorted samples, bins, counts) so
/// that checking many windows stays cheap.
#[typetag::serde(tag = "type")]
pub trait Monitor: Send + Sync + std::fmt::Debug {
    /// The registered name, e.g. `feature_drift`.
    fn name(&self) -> &str;
    /// Learns the reference.
    fn fit(&mut self, reference: &Window) -> Result<()>;
    /// Judges one window.
    fn check(&self, current: &Window) -> Result<Vec<Finding>>;
    /// Judges a window seen with earlier rows: `current` holds the rows of earlier
    /// windows first and the window's own `new_rows` rows last (a rolling or cumulative
    /// span). The default judges all of `current`; a monitor that reads rows in order,
    /// such as a stream detector, streams every row and reports what happened in the
    /// last `new_rows` only.
    fn check_span(&self, current: &Window, new_rows: usize) -> Result<Vec<Finding>> {
        let _ = new_rows;
        self.check(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_prints() {
        assert!(Severity::High > Severity::Medium);
        assert_eq!(Severity::High.to_string(), "HIGH");
        assert_eq!(serde_json::to_string(&Status::Alert).unwrap(), "\"alert\"");
        assert_eq!(Window::default().n_rows(), 0);
        let w = Window {
            labels: Some(Target::Labels(vec!["a".into(), String::new()])),
            labelled: Some(vec![true, false]),
            ..Window::default()
        };
        assert_eq!(w.labelled_rows(), 1);
    }
}
