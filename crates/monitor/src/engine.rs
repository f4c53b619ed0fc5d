//! Running the configured monitors over windows: [`Engine::run`] is the entry point.
//!
//! The engine is built from an [`EngineConfig`] (monitor names resolved through the
//! plugin registry, never by naming a crate), fitted once on the reference, then checks
//! every window. Windows are checked in parallel with rayon; reports come back in window
//! order.
//!
//! # When a monitor fails on a window
//!
//! With [`OnError::Finding`] (the default) the run goes on: the failure becomes a
//! [`Finding`] of that monitor with method [`ERROR_METHOD`], status alert, no severity,
//! a NaN statistic and threshold, and the error text as message. The alert policy turns
//! it into an alert of kind `error`, so a broken monitor is seen, and the other monitors'
//! results for that window are kept. With [`OnError::Abort`] the run stops with the
//! first failure in window order. A failure to *fit* always stops: nothing sensible can
//! be checked without a reference.
//!
//! # Delayed labels
//!
//! When a window flags which rows have ground truth ([`Window::labelled`]), each
//! monitor checks it twice: every row with the labels hidden (drift, predictions,
//! latency: findings without a baseline are kept) and the labelled rows only (metrics:
//! findings with a baseline are kept). [`WindowReport::labelled_rows`] says how many
//! rows the metrics rest on.
//!
//! # Empty windows
//!
//! A window with no rows (a time span with no data) is not given to the monitors; its
//! report has `n_rows = 0` and one finding of monitor [`ENGINE_MONITOR`], method
//! [`EMPTY_METHOD`], status warning.

use std::collections::{BTreeMap, BTreeSet};

use driftwatch_core::{Finding, Monitor, Status, Target, Window, registry};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::window::labelled_view;

/// Method of the finding that stands for a monitor's failure on a window.
pub const ERROR_METHOD: &str = "error";
/// Monitor name of the findings the engine makes itself.
pub const ENGINE_MONITOR: &str = "engine";
/// Method of the finding that reports a window without rows.
pub const EMPTY_METHOD: &str = "empty_window";

/// Which monitors to run, and how to treat their failures.
///
/// In TOML:
///
/// ```toml
/// on_error = "finding"   # or "abort"
/// [[monitors]]
/// name = "prediction_drift"
/// config = { threshold = 0.01 }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// The monitors, in the order their findings are listed.
    #[serde(default)]
    pub monitors: Vec<MonitorConfig>,
    /// What a monitor's failure on one window does.
    #[serde(default)]
    pub on_error: OnError,
}

/// One monitor: its registered name and its config (`null` = its defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// The registered name, e.g. `feature_drift` (see `driftwatch plugins`).
    pub name: String,
    /// The monitor's own settings.
    #[serde(default)]
    pub config: serde_json::Value,
}

/// What a monitor's failure on one window does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Record it as an error finding (status alert) and go on.
    #[default]
    Finding,
    /// Stop the run with the error.
    Abort,
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
    /// Metric values: findings with a baseline, keyed by [`metric_key`]
    /// (`accuracy`, or `recall:setosa` for a per-column metric). Non-finite values are
    /// left out; when two monitors give the same key, the first wins.
    pub metrics: BTreeMap<String, f64>,
    /// Share of each predicted class (classes of the reference included, at 0 when
    /// absent); empty when predictions are numbers or missing.
    pub class_shares: BTreeMap<String, f64>,
    /// Columns with a drift finding (no baseline) of status alert, sorted.
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
            if f.baseline.is_some() {
                if f.statistic.is_finite() {
                    metrics.entry(metric_key(f)).or_insert(f.statistic);
                }
            } else if let Some(col) = &f.column {
                // Latency percentiles name their column but are not a drift check.
                if f.method == ERROR_METHOD
                    || crate::summary::LATENCY_METHODS.contains(&f.method.as_str())
                {
                    continue;
                }
                checked.insert(col.clone());
                if f.status == Status::Alert {
                    drifted.insert(col.clone());
                }
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

/// The configured monitors, fitted on a reference, and what the engine itself learned
/// from it. Serialisable (monitors are `typetag` objects), so a fitted engine can be
/// saved and reloaded.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Engine {
    /// The monitors, in config order.
    pub monitors: Vec<Box<dyn Monitor>>,
    /// What a monitor's failure on one window does.
    #[serde(default)]
    pub on_error: OnError,
    /// Classes predicted (or labelled) in the reference, sorted; reported at share 0
    /// when a window lacks them.
    #[serde(default)]
    pub reference_classes: Vec<String>,
}

impl Engine {
    /// An engine over monitors already built (fitted or not).
    pub fn new(monitors: Vec<Box<dyn Monitor>>) -> Self {
        Engine {
            monitors,
            ..Engine::default()
        }
    }

    /// Builds every configured monitor by its registered name.
    pub fn from_config(config: &EngineConfig) -> Result<Self> {
        let monitors = config
            .monitors
            .iter()
            .enumerate()
            .map(|(position, m)| {
                registry::build_monitor(&m.name, &m.config).map_err(|e| Error::Build {
                    monitor: m.name.clone(),
                    position,
                    source: Box::new(e),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if monitors.is_empty() {
            tracing::warn!("no monitors configured: only class shares will be reported");
        }
        Ok(Engine {
            monitors,
            on_error: config.on_error,
            reference_classes: Vec::new(),
        })
    }

    /// Fits every monitor on the reference (stopping at the first failure) and records
    /// the reference's classes.
    pub fn fit(&mut self, reference: &Window) -> Result<()> {
        for m in &mut self.monitors {
            m.fit(reference).map_err(|e| Error::Fit {
                monitor: m.name().to_string(),
                source: Box::new(e),
            })?;
        }
        let classes = match (&reference.predictions, &reference.labels) {
            (Some(Target::Labels(l)), _) | (_, Some(Target::Labels(l))) => l
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        self.reference_classes = classes;
        Ok(())
    }

    /// Checks every window; reports are numbered from 0, in window order.
    pub fn run(&self, windows: &[Window]) -> Result<Vec<WindowReport>> {
        self.run_from(windows, 0)
    }

    /// Like [`Engine::run`], numbering the windows from `first_index` (to continue a
    /// history).
    pub fn run_from(&self, windows: &[Window], first_index: usize) -> Result<Vec<WindowReport>> {
        let results: Vec<Result<WindowReport>> = windows
            .par_iter()
            .enumerate()
            .map(|(i, w)| self.check_window(first_index + i, w))
            .collect();
        results.into_iter().collect()
    }

    fn check_window(&self, index: usize, window: &Window) -> Result<WindowReport> {
        let n_rows = window.n_rows();
        let mut findings = Vec::new();
        if n_rows == 0 {
            tracing::warn!(index, label = %window.label, "window without rows: monitors skipped");
            findings.push(Finding {
                monitor: ENGINE_MONITOR.to_string(),
                column: None,
                method: EMPTY_METHOD.to_string(),
                statistic: 0.0,
                p_value: None,
                threshold: 0.0,
                baseline: None,
                status: Status::Warning,
                severity: None,
                message: "no rows in this window: nothing was checked".to_string(),
            });
        } else {
            // Delayed labels: metrics (findings with a baseline) come from the labelled
            // rows only, everything else from every row with the labels hidden.
            let view = labelled_view(window)?;
            let unlabelled;
            let all_rows = match &view {
                Some(_) => {
                    unlabelled = Window {
                        labels: None,
                        labelled: None,
                        rejected: None,
                        ..window.clone()
                    };
                    &unlabelled
                }
                None => window,
            };
            for m in &self.monitors {
                let checked = m.check(all_rows).and_then(|mut f| match &view {
                    None => Ok(f),
                    Some(v) => {
                        f.retain(|x| x.baseline.is_none());
                        if v.n_rows() > 0 {
                            let metrics = m.check(v)?;
                            f.extend(metrics.into_iter().filter(|x| x.baseline.is_some()));
                        }
                        Ok(f)
                    }
                });
                match checked {
                    Ok(mut f) => findings.append(&mut f),
                    Err(e) => match self.on_error {
                        OnError::Abort => {
                            return Err(Error::Check {
                                monitor: m.name().to_string(),
                                window: index,
                                label: window.label.clone(),
                                source: Box::new(e),
                            });
                        }
                        OnError::Finding => {
                            tracing::warn!(
                                monitor = m.name(),
                                index,
                                label = %window.label,
                                error = %e,
                                "monitor failed on a window"
                            );
                            findings.push(error_finding(m.name(), &e));
                        }
                    },
                }
            }
        }
        let mut report = WindowReport::from_findings(index, &window.label, n_rows, findings);
        report.class_shares = class_shares(window, &self.reference_classes);
        if window.labelled.is_some() {
            report.labelled_rows = Some(window.labelled_rows());
        }
        Ok(report)
    }
}

/// The finding that stands for a monitor's failure.
fn error_finding(monitor: &str, e: &driftwatch_core::Error) -> Finding {
    Finding {
        monitor: monitor.to_string(),
        column: None,
        method: ERROR_METHOD.to_string(),
        statistic: f64::NAN,
        p_value: None,
        threshold: f64::NAN,
        baseline: None,
        status: Status::Alert,
        severity: None,
        message: e.to_string(),
    }
}

fn class_shares(window: &Window, reference_classes: &[String]) -> BTreeMap<String, f64> {
    let Some(Target::Labels(preds)) = &window.predictions else {
        return BTreeMap::new();
    };
    let mut counts: BTreeMap<String, usize> =
        reference_classes.iter().map(|c| (c.clone(), 0)).collect();
    for p in preds {
        *counts.entry(p.clone()).or_insert(0) += 1;
    }
    let n = preds.len();
    counts
        .into_iter()
        .map(|(c, k)| (c, if n == 0 { 0.0 } else { k as f64 / n as f64 }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::registry::MonitorFactory;
    use driftwatch_core::{Column, Frame, Severity};

    /// Flags column `x` when its mean moved by more than `tolerance` from the
    /// reference's, reports accuracy against a baseline, and fails on windows whose
    /// label says so.
    #[derive(Debug, Serialize, Deserialize)]
    struct MeanShift {
        tolerance: f64,
        reference_mean: Option<f64>,
    }

    fn mean(w: &Window) -> driftwatch_core::Result<f64> {
        let v = w.features.column("x")?.numeric_values().unwrap_or_default();
        Ok(v.iter().sum::<f64>() / v.len() as f64)
    }

    #[typetag::serde]
    impl Monitor for MeanShift {
        fn name(&self) -> &str {
            "zz_engine_test_mean_shift"
        }
        fn fit(&mut self, reference: &Window) -> driftwatch_core::Result<()> {
            self.reference_mean = Some(mean(reference)?);
            Ok(())
        }
        fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
            let reference = self
                .reference_mean
                .ok_or_else(|| driftwatch_core::Error::NotFitted("mean shift".into()))?;
            if w.label.contains("broken") {
                return Err(driftwatch_core::Error::InvalidValue("broken window".into()));
            }
            let shift = (mean(w)? - reference).abs();
            let drift = shift > self.tolerance;
            let mut out = vec![Finding {
                monitor: self.name().into(),
                column: Some("x".into()),
                method: "mean_shift".into(),
                statistic: shift,
                p_value: None,
                threshold: self.tolerance,
                baseline: None,
                status: if drift { Status::Alert } else { Status::Ok },
                severity: drift.then_some(Severity::High),
                message: String::new(),
            }];
            let Some(labels) = &w.labels else {
                return Ok(out);
            };
            let (p, l) = (w.predictions.as_ref().unwrap().labels()?, labels.labels()?);
            let acc = p.iter().zip(l).filter(|(a, b)| a == b).count() as f64 / p.len() as f64;
            out.extend([Finding {
                monitor: self.name().into(),
                column: None,
                method: "accuracy".into(),
                statistic: acc,
                p_value: None,
                threshold: 0.95,
                baseline: Some(1.0),
                status: Status::Ok,
                severity: None,
                message: String::new(),
            }]);
            Ok(out)
        }
    }

    inventory::submit! {
        MonitorFactory {
            name: "zz_engine_test_mean_shift",
            description: "test monitor of the engine",
            default_config: "tolerance = 1.0",
            build: |config| {
                let tolerance = config.get("tolerance").and_then(|v| v.as_f64()).unwrap_or(1.0);
                Ok(Box::new(MeanShift { tolerance, reference_mean: None }))
            },
        }
    }

    fn window(label: &str, xs: &[f64], preds: &[&str], labels: &[&str]) -> Window {
        let features = Frame::new(vec![(
            "x".into(),
            Column::Numeric(xs.iter().copied().collect()),
        )])
        .unwrap();
        let t = |v: &[&str]| Some(Target::Labels(v.iter().map(|s| s.to_string()).collect()));
        Window {
            label: label.into(),
            features,
            predictions: t(preds),
            labels: t(labels),
            ..Window::default()
        }
    }

    fn config(on_error: &str) -> EngineConfig {
        let toml_like = serde_json::json!({
            "on_error": on_error,
            "monitors": [{"name": "zz_engine_test_mean_shift", "config": {"tolerance": 0.5}}]
        });
        serde_json::from_value(toml_like).unwrap()
    }

    fn windows() -> Vec<Window> {
        vec![
            window(
                "day 1",
                &[0.0, 1.0, 2.0, 1.0],
                &["a", "b", "a", "a"],
                &["a", "b", "a", "a"],
            ),
            window("day 2", &[3.0, 3.0], &["a", "a"], &["a", "b"]),
            window("day 3 broken", &[1.0], &["b"], &["b"]),
            Window {
                label: "day 4".into(),
                ..Window::default()
            },
        ]
    }

    #[test]
    fn runs_a_registered_monitor_by_name() {
        let mut engine = Engine::from_config(&config("finding")).unwrap();
        let reference = window("ref", &[0.0, 1.0, 2.0], &["a", "b", "c"], &["a", "b", "c"]);
        engine.fit(&reference).unwrap();
        assert_eq!(engine.reference_classes, ["a", "b", "c"]);
        let reports = engine.run(&windows()).unwrap();
        assert_eq!(reports.len(), 4);
        let idx: Vec<_> = reports.iter().map(|r| r.index).collect();
        assert_eq!(idx, [0, 1, 2, 3]);

        let r0 = &reports[0];
        assert_eq!((r0.label.as_str(), r0.n_rows), ("day 1", 4));
        assert_eq!(r0.metrics["accuracy"], 1.0);
        assert!(r0.drifted_columns.is_empty());
        assert_eq!(r0.checked_columns, ["x"]);
        assert_eq!(r0.class_shares["a"], 0.75);
        assert_eq!(r0.class_shares["b"], 0.25);
        assert_eq!(r0.class_shares["c"], 0.0);

        let r1 = &reports[1];
        assert_eq!(r1.metrics["accuracy"], 0.5);
        assert_eq!(r1.drifted_columns, ["x"]); // mean 3 vs 1
        assert_eq!(r1.findings[0].statistic, 2.0);

        let r2 = &reports[2];
        assert_eq!(r2.findings.len(), 1);
        let f = &r2.findings[0];
        assert_eq!((f.method.as_str(), f.status), (ERROR_METHOD, Status::Alert));
        assert_eq!(f.monitor, "zz_engine_test_mean_shift");
        assert!(f.message.contains("broken window"), "{}", f.message);
        assert!(r2.metrics.is_empty() && r2.checked_columns.is_empty());

        let r3 = &reports[3];
        assert_eq!(r3.n_rows, 0);
        assert_eq!(r3.findings[0].method, EMPTY_METHOD);
        assert_eq!(r3.findings[0].status, Status::Warning);

        let later = engine.run_from(&windows()[..1], 10).unwrap();
        assert_eq!(later[0].index, 10);
    }

    #[test]
    fn delayed_labels_count_for_metrics_only_where_known() {
        let mut engine = Engine::from_config(&config("finding")).unwrap();
        engine
            .fit(&window(
                "ref",
                &[0.0, 1.0, 2.0],
                &["a", "b", "a"],
                &["a", "b", "a"],
            ))
            .unwrap();
        // Four rows, labels known for the first two (both right); the unlabelled rows
        // carry placeholders that would make accuracy 0.5 if they were used.
        let mut w = window(
            "day 1",
            &[0.0, 1.0, 5.0, 5.0],
            &["a", "b", "a", "a"],
            &["a", "b", "?", "?"],
        );
        w.labelled = Some(vec![true, true, false, false]);
        let r = &engine.run(&[w]).unwrap()[0];
        assert_eq!(r.labelled_rows, Some(2));
        assert_eq!(r.n_rows, 4);
        assert_eq!(r.metrics["accuracy"], 1.0);
        // Drift is measured on every row: mean 2.75 vs 1.
        assert_eq!(r.findings[0].statistic, 1.75);
        assert_eq!(r.drifted_columns, ["x"]);
        assert_eq!(r.findings.len(), 2);
        assert_eq!(r.class_shares["a"], 0.75);
    }

    #[test]
    fn abort_stops_at_the_failing_window() {
        let mut engine = Engine::from_config(&config("abort")).unwrap();
        engine.fit(&window("ref", &[1.0], &["a"], &["a"])).unwrap();
        let err = engine.run(&windows()).unwrap_err().to_string();
        assert!(err.contains("window 2 (day 3 broken)"), "{err}");
        assert!(err.contains("broken window"), "{err}");
    }

    #[test]
    fn config_and_fit_errors_name_the_monitor() {
        let cfg: EngineConfig = serde_json::from_value(serde_json::json!({
            "monitors": [{"name": "zz_engine_test_mean_shift"}, {"name": "no_such_monitor"}]
        }))
        .unwrap();
        let err = Engine::from_config(&cfg).unwrap_err().to_string();
        assert!(err.contains("'no_such_monitor' (monitors[1])"), "{err}");
        assert!(err.contains("zz_engine_test_mean_shift"), "{err}");

        let mut engine = Engine::from_config(&config("finding")).unwrap();
        let err = engine.fit(&Window::default()).unwrap_err().to_string();
        assert!(
            err.contains("'zz_engine_test_mean_shift' cannot fit"),
            "{err}"
        );

        let err = serde_json::from_value::<EngineConfig>(serde_json::json!({"monitor": []}));
        assert!(err.is_err());
    }

    #[test]
    fn a_fitted_engine_round_trips_through_json() {
        let mut engine = Engine::from_config(&config("finding")).unwrap();
        engine
            .fit(&window("ref", &[1.0, 3.0], &["a", "b"], &["a", "b"]))
            .unwrap();
        let json = serde_json::to_string(&engine).unwrap();
        let back: Engine = serde_json::from_str(&json).unwrap();
        let w = &windows()[..2];
        assert_eq!(back.run(w).unwrap(), engine.run(w).unwrap());
    }

    #[test]
    fn numeric_predictions_have_no_class_shares() {
        let w = Window {
            predictions: Some(Target::Values(vec![1.0, 2.0])),
            ..Window::default()
        };
        assert!(class_shares(&w, &["a".into()]).is_empty());
    }
}
