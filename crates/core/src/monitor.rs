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

/// What a finding is, set by the monitor that makes it, so that the engine, the alert
/// policy and the reports judge it by type rather than by its method's name.
///
/// In JSON an object tagged by `type`: `{"type": "metric", "higher_is_better": true}`,
/// `{"type": "drift"}`, `{"type": "data_quality"}`, `{"type": "info"}`,
/// `{"type": "error"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FindingKind {
    /// A model-quality metric computed from labelled rows (accuracy, R²), judged by the
    /// alert policy against `baseline`. With delayed labels it comes from the labelled
    /// rows only.
    Metric {
        /// True when a larger value is better (accuracy), false for errors and losses.
        higher_is_better: bool,
    },
    /// A drift test or detector: the monitor's `status` is the verdict.
    Drift,
    /// A share of bad input (missing values, rejected rows), judged by the alert policy
    /// against `baseline`; lower is better. Computed from every row.
    DataQuality,
    /// Reported, never judged (latency percentiles, an empty window). Also what a
    /// finding read from JSON written before kinds existed is taken to be.
    #[default]
    Info,
    /// The monitor failed on the window; the message says why.
    Error,
    /// A model-quality metric estimated without labels (CBPE, DLE). Its monitor judges
    /// it against thresholds learnt from the reference and sets `status`, as a drift
    /// monitor does; [`Finding::bounds`] holds those thresholds and
    /// [`Finding::sampling_error`] the estimate's standard error at the window's size.
    Estimate {
        /// True when a larger value is better (accuracy), false for errors (MAE).
        higher_is_better: bool,
    },
}

impl FindingKind {
    /// Whether the alert policy judges the value against the finding's baseline (a
    /// metric or a data-quality share), and which way is better.
    pub fn higher_is_better(self) -> Option<bool> {
        match self {
            FindingKind::Metric { higher_is_better } => Some(higher_is_better),
            // An estimate is judged by its monitor against its bounds, not by the policy.
            FindingKind::DataQuality => Some(false),
            _ => None,
        }
    }

    /// Whether the value is measured against ground truth, so that with delayed labels
    /// only the labelled rows count.
    pub fn needs_labels(self) -> bool {
        matches!(self, FindingKind::Metric { .. })
    }
}

/// Method names matched outside the crate that emits them. The `performance` and
/// `latency` monitors (driftwatch-metrics, which re-exports these) emit them; the
/// monitor crate's summary and tables read them, and it may depend on core only.
pub mod method {
    /// Share of correct predictions (`performance`, classification).
    pub const ACCURACY: &str = "accuracy";
    /// Weighted precision (`performance`, classification).
    pub const PRECISION: &str = "precision";
    /// Weighted recall (`performance`, classification).
    pub const RECALL: &str = "recall";
    /// Weighted F1 (`performance`, classification).
    pub const F1: &str = "f1";
    /// Coefficient of determination (`performance`, regression).
    pub const R2: &str = "r2";
    /// Median latency in ms (`latency`).
    pub const LATENCY_P50: &str = "latency_p50";
    /// 95th percentile latency in ms (`latency`).
    pub const LATENCY_P95: &str = "latency_p95";
    /// 99th percentile latency in ms (`latency`).
    pub const LATENCY_P99: &str = "latency_p99";
}

/// One result of a monitor on one window.
///
/// [`Finding::new`] fills the optional parts, so a plugin writes
/// `Finding { column: Some(c), status, ..Finding::new(FindingKind::Drift, name, method, x) }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The monitor's registered name.
    pub monitor: String,
    /// What the finding is; how it is judged follows from it.
    #[serde(default)]
    pub kind: FindingKind,
    /// The column, for per-column checks.
    pub column: Option<String>,
    /// The metric or test, e.g. `ks`, `accuracy`, `class_share:setosa`.
    pub method: String,
    /// The measured value (JSON writes a non-finite one as `null`, read back as NaN).
    #[serde(deserialize_with = "nan_if_null")]
    pub statistic: f64,
    /// The p-value, for tests that have one.
    pub p_value: Option<f64>,
    /// The threshold the value was judged against (`null` in JSON when not finite).
    #[serde(deserialize_with = "nan_if_null")]
    pub threshold: f64,
    /// The reference value, for metrics judged against a baseline.
    pub baseline: Option<f64>,
    /// The verdict.
    pub status: Status,
    /// How bad, when not ok.
    pub severity: Option<Severity>,
    /// A human-readable detail.
    pub message: String,
    /// The range the statistic was judged against when it is a band rather than one
    /// threshold (an estimate's thresholds from reference chunks). Left out of JSON
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<Bounds>,
    /// One standard error of the statistic at the window's size (an estimate's sampling
    /// error). Left out of JSON when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling_error: Option<f64>,
}

/// A band of acceptable values; a side that is `None` (JSON `null`) is open.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Bounds {
    /// Values below this are out of the band.
    pub lower: Option<f64>,
    /// Values above this are out of the band.
    pub upper: Option<f64>,
}

impl Bounds {
    /// Whether `value` lies outside the band (NaN is never outside).
    pub fn excludes(&self, value: f64) -> bool {
        self.lower.is_some_and(|l| value < l) || self.upper.is_some_and(|u| value > u)
    }
}

/// A number, or NaN for the `null` that JSON writes for a non-finite one, so a report
/// reads back.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl Finding {
    /// A finding of `kind` with no column, p-value or baseline, a NaN threshold, status
    /// ok and no message: the parts a monitor does not set keep these.
    pub fn new(
        kind: FindingKind,
        monitor: impl Into<String>,
        method: impl Into<String>,
        statistic: f64,
    ) -> Self {
        Finding {
            monitor: monitor.into(),
            kind,
            column: None,
            method: method.into(),
            statistic,
            p_value: None,
            threshold: f64::NAN,
            baseline: None,
            status: Status::Ok,
            severity: None,
            message: String::new(),
            bounds: None,
            sampling_error: None,
        }
    }
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
    fn estimates_carry_their_band_and_sampling_error() {
        let b = Bounds {
            lower: Some(0.8),
            upper: None,
        };
        assert!(b.excludes(0.79));
        assert!(!b.excludes(0.8) && !b.excludes(5.0) && !b.excludes(f64::NAN));
        let f = Finding {
            bounds: Some(b),
            sampling_error: Some(0.01),
            threshold: 0.8,
            ..Finding::new(
                FindingKind::Estimate {
                    higher_is_better: true,
                },
                "cbpe",
                "estimated_accuracy",
                0.9,
            )
        };
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["kind"]["type"], "estimate");
        assert_eq!(json["bounds"]["lower"], 0.8);
        assert!(json["bounds"]["upper"].is_null());
        let back: Finding = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
        // A finding without them writes neither key, so older reports are unchanged.
        let plain = serde_json::to_value(Finding::new(FindingKind::Drift, "m", "ks", 0.1)).unwrap();
        assert!(plain.get("bounds").is_none() && plain.get("sampling_error").is_none());
        assert_eq!(
            FindingKind::Estimate {
                higher_is_better: true
            }
            .higher_is_better(),
            None
        );
    }

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

    #[test]
    fn kinds_serialise_tagged_and_default_to_info() {
        let metric = FindingKind::Metric {
            higher_is_better: false,
        };
        assert_eq!(
            serde_json::to_string(&metric).unwrap(),
            r#"{"type":"metric","higher_is_better":false}"#
        );
        assert_eq!(
            serde_json::to_string(&FindingKind::DataQuality).unwrap(),
            r#"{"type":"data_quality"}"#
        );
        assert_eq!(metric.higher_is_better(), Some(false));
        assert_eq!(FindingKind::DataQuality.higher_is_better(), Some(false));
        assert_eq!(FindingKind::Drift.higher_is_better(), None);
        assert!(metric.needs_labels() && !FindingKind::DataQuality.needs_labels());

        let f = Finding {
            column: Some("x".into()),
            ..Finding::new(FindingKind::Drift, "m", "ks", 0.5)
        };
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["kind"]["type"], "drift");
        assert_eq!(json["threshold"], serde_json::Value::Null);
        // A finding written before kinds existed reads back as informational.
        let old = r#"{"monitor":"m","column":null,"method":"ks","statistic":0.5,"p_value":null,
            "threshold":0.05,"baseline":null,"status":"ok","severity":null,"message":""}"#;
        let back: Finding = serde_json::from_str(old).unwrap();
        assert_eq!((back.kind, back.statistic), (FindingKind::Info, 0.5));
        // Non-finite numbers are written as null and read back as NaN.
        let again: Finding = serde_json::from_value(json).unwrap();
        assert!(again.threshold.is_nan());
        assert_eq!(again.kind, FindingKind::Drift);
    }
}
