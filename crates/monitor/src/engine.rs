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
//! monitor checks it twice: every row with the labels hidden (every finding whose kind
//! does not need labels is kept: drift, data quality, info) and the labelled rows only
//! (metric findings, [`FindingKind::needs_labels`], and findings the monitor reports
//! only when it sees labels, such as an estimator's `realized_*`, are kept). [`WindowReport::labelled_rows`] says how many
//! rows the metrics rest on.
//!
//! # Bands and spans
//!
//! A monitor configured with a `band` is judged, for its drift findings, by the spread
//! of its statistic over reference chunks learnt in [`Engine::fit`] ([`crate::band`]).
//! One configured with a `span` ([`Span`]) checks each window joined with the windows
//! before it (rolling or cumulative, [`crate::window::concat`]) through
//! [`Monitor::check_span`], and reports under `name[span]`.
//!
//! # Empty windows
//!
//! A window with no rows (a time span with no data) is not given to the monitors; its
//! report has `n_rows = 0` and one finding of monitor [`ENGINE_MONITOR`], method
//! [`EMPTY_METHOD`], status warning.

use std::collections::{BTreeMap, BTreeSet};

use driftwatch_core::{Finding, FindingKind, Monitor, Status, Target, Window, registry};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::band::{self, Band, BandConfig};
use crate::error::{Error, Result};
use crate::window::{concat, labelled_view};
pub use crate::window_report::{
    EMPTY_METHOD, ENGINE_MONITOR, ERROR_METHOD, WindowReport, metric_key, span_of,
};

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// The registered name, e.g. `feature_drift` (see `driftwatch plugins`).
    pub name: String,
    /// The monitor's own settings.
    #[serde(default)]
    pub config: serde_json::Value,
    /// Judge its drift findings by a band learnt from reference chunks
    /// ([`crate::band`]) instead of its own thresholds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<BandConfig>,
    /// What each check sees: the window (default), or the window with earlier ones.
    #[serde(default, skip_serializing_if = "Span::is_window")]
    pub span: Span,
}

/// What a monitor sees when it checks window `i`.
///
/// In TOML: `span = "window"`, `span = "cumulative"` or `span = { rolling = 7 }`.
/// A spanned monitor's findings are reported under `name[span]`
/// (`feature_drift[rolling 7]`, see [`span_of`]), so they are told apart from the same
/// monitor over single windows; they do not count as the window's drifted columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Span {
    /// Window `i` alone.
    #[default]
    Window,
    /// Windows `i - k + 1 ..= i` of the run, joined: more rows, so a slow drift shows
    /// before one window alone has the power to see it.
    Rolling(usize),
    /// Windows `0 ..= i` of the run, joined; a stream detector (`stream_detector`)
    /// then runs over the whole stream as if its state were carried from window to
    /// window, and reports what it saw in window `i`'s rows.
    Cumulative,
}

impl Span {
    /// Whether this is the default, window by window.
    pub fn is_window(&self) -> bool {
        *self == Span::Window
    }

    /// The windows of `0..=i` this span joins.
    fn range(self, i: usize) -> std::ops::RangeInclusive<usize> {
        match self {
            Span::Window => i..=i,
            Span::Rolling(k) => i.saturating_sub(k.max(1) - 1)..=i,
            Span::Cumulative => 0..=i,
        }
    }

    /// `rolling 7`, `cumulative` or `window`.
    pub fn describe(self) -> String {
        match self {
            Span::Window => "window".into(),
            Span::Rolling(k) => format!("rolling {k}"),
            Span::Cumulative => "cumulative".into(),
        }
    }

    /// `feature_drift[rolling 7]`: the name a spanned monitor's findings carry.
    pub fn label(self, monitor: &str) -> String {
        match self {
            Span::Window => monitor.to_string(),
            _ => format!("{monitor}[{}]", self.describe()),
        }
    }
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
    /// Per monitor (config order), how its band is learnt; `None` = its own thresholds.
    #[serde(default)]
    pub band_configs: Vec<Option<BandConfig>>,
    /// Per monitor, the bands learnt at fit (empty without a band).
    #[serde(default)]
    pub bands: Vec<Vec<Band>>,
    /// Per monitor (config order), what it sees of the windows; missing = one window.
    #[serde(default)]
    pub spans: Vec<Span>,
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
        for m in &config.monitors {
            if let Some(b) = &m.band {
                b.check(&format!("monitor '{}'", m.name))?;
            }
            if m.span == Span::Rolling(0) {
                return Err(Error::config(
                    format!("monitor '{}' span", m.name),
                    "a rolling span needs at least 1 window",
                ));
            }
        }
        Ok(Engine {
            monitors,
            on_error: config.on_error,
            reference_classes: Vec::new(),
            band_configs: config.monitors.iter().map(|m| m.band).collect(),
            bands: Vec::new(),
            spans: config.monitors.iter().map(|m| m.span).collect(),
        })
    }

    /// Every band learnt at fit, in monitor order.
    pub fn bands(&self) -> Vec<Band> {
        self.bands.iter().flatten().cloned().collect()
    }

    /// Fits every monitor on the reference (stopping at the first failure) and records
    /// the reference's classes.
    pub fn fit(&mut self, reference: &Window) -> Result<()> {
        self.bands = Vec::with_capacity(self.monitors.len());
        for (i, m) in self.monitors.iter_mut().enumerate() {
            m.fit(reference).map_err(|e| Error::Fit {
                monitor: m.name().to_string(),
                source: Box::new(e),
            })?;
            self.bands
                .push(match self.band_configs.get(i).copied().flatten() {
                    Some(config) => band::fit(m.as_ref(), reference, &config)?,
                    None => Vec::new(),
                });
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
    ///
    /// Spanned monitors ([`Span`]) join windows of this call only: a run continued with
    /// `run_from` starts its rolling and cumulative spans afresh.
    pub fn run_from(&self, windows: &[Window], first_index: usize) -> Result<Vec<WindowReport>> {
        let results: Vec<Result<WindowReport>> = windows
            .par_iter()
            .enumerate()
            .map(|(i, _)| self.check_window(first_index + i, windows, i))
            .collect();
        results.into_iter().collect()
    }

    /// One monitor on one window (or a span ending with it, whose last `tail` rows are
    /// the window's own): with delayed labels, drift from every row with the labels
    /// hidden and metrics from the labelled rows only.
    fn check_one(
        m: &dyn Monitor,
        window: &Window,
        tail: Option<usize>,
    ) -> driftwatch_core::Result<Vec<Finding>> {
        let view = labelled_view(window)
            .map_err(|e| driftwatch_core::Error::InvalidValue(e.to_string()))?;
        let check = |w: &Window, new_rows: usize| match tail {
            None => m.check(w),
            Some(_) => m.check_span(w, new_rows),
        };
        let n = window.n_rows();
        let tail_rows = tail.unwrap_or(n);
        let Some(v) = view else {
            return check(window, tail_rows);
        };
        let unlabelled = Window {
            labels: None,
            labelled: None,
            ..window.clone()
        };
        let mut f = check(&unlabelled, tail_rows)?;
        f.retain(|x| !x.kind.needs_labels());
        if v.n_rows() > 0 {
            // The labelled rows of the window's own part, for a span.
            let labelled_tail = window.labelled.as_ref().map_or(tail_rows, |m| {
                m[n - tail_rows.min(n)..].iter().filter(|&&b| b).count()
            });
            let metrics = check(&v, labelled_tail)?;
            // Metrics, and whatever the monitor reports only when it sees labels (an
            // estimator's `realized_*`), come from the labelled rows.
            let seen: std::collections::HashSet<(Option<&str>, &str)> = f
                .iter()
                .map(|x| (x.column.as_deref(), x.method.as_str()))
                .collect();
            let from_labels: Vec<Finding> = metrics
                .into_iter()
                .filter(|x| {
                    x.kind.needs_labels()
                        || !seen.contains(&(x.column.as_deref(), x.method.as_str()))
                })
                .collect();
            f.extend(from_labels);
        }
        Ok(f)
    }

    fn check_window(&self, index: usize, windows: &[Window], pos: usize) -> Result<WindowReport> {
        let window = &windows[pos];
        let n_rows = window.n_rows();
        let mut findings = Vec::new();
        let mut spanned = Vec::new();
        if n_rows == 0 {
            tracing::warn!(index, label = %window.label, "window without rows: monitors skipped");
            findings.push(Finding {
                threshold: 0.0,
                status: Status::Warning,
                message: "no rows in this window: nothing was checked".to_string(),
                ..Finding::new(FindingKind::Info, ENGINE_MONITOR, EMPTY_METHOD, 0.0)
            });
        } else {
            // Delayed labels: metrics come from the labelled rows only, everything else
            // from every row with the labels hidden.
            let mut joined: Vec<(Span, Window)> = Vec::new();
            for (i, m) in self.monitors.iter().enumerate() {
                let span = self.spans.get(i).copied().unwrap_or_default();
                let checked = if span.is_window() {
                    Self::check_one(m.as_ref(), window, None)
                } else {
                    // Monitors with the same span share one joined window.
                    let range = span.range(pos);
                    let at = match joined.iter().position(|(s, _)| s.range(pos) == range) {
                        Some(at) => at,
                        None => {
                            let label = format!("{} ({})", window.label, span.describe());
                            joined.push((span, concat(&windows[range], label)?));
                            joined.len() - 1
                        }
                    };
                    Self::check_one(m.as_ref(), &joined[at].1, Some(n_rows))
                };
                match checked {
                    Ok(mut f) => {
                        if let Some(bands) = self.bands.get(i) {
                            band::apply(bands, &mut f);
                        }
                        if span.is_window() {
                            findings.append(&mut f);
                        } else {
                            for x in &mut f {
                                x.monitor = span.label(&x.monitor);
                            }
                            spanned.append(&mut f);
                        }
                    }
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
                            findings.push(error_finding(&span.label(m.name()), &e));
                        }
                    },
                }
            }
        }
        let mut report = WindowReport::from_findings(index, &window.label, n_rows, findings);
        // Spanned checks are reported with the window but are not its own drift.
        report.findings.append(&mut spanned);
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
        status: Status::Alert,
        message: e.to_string(),
        ..Finding::new(FindingKind::Error, monitor, ERROR_METHOD, f64::NAN)
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
                kind: FindingKind::Drift,
                column: Some("x".into()),
                method: "mean_shift".into(),
                statistic: shift,
                p_value: None,
                threshold: self.tolerance,
                baseline: None,
                status: if drift { Status::Alert } else { Status::Ok },
                severity: drift.then_some(Severity::High),
                message: String::new(),
                bounds: None,
                sampling_error: None,
            }];
            let Some(labels) = &w.labels else {
                return Ok(out);
            };
            let (p, l) = (w.predictions.as_ref().unwrap().labels()?, labels.labels()?);
            let acc = p.iter().zip(l).filter(|(a, b)| a == b).count() as f64 / p.len() as f64;
            out.extend([Finding {
                monitor: self.name().into(),
                kind: FindingKind::Metric {
                    higher_is_better: true,
                },
                column: None,
                method: "accuracy".into(),
                statistic: acc,
                p_value: None,
                threshold: 0.95,
                baseline: Some(1.0),
                status: Status::Ok,
                severity: None,
                message: String::new(),
                bounds: None,
                sampling_error: None,
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
        assert_eq!(f.kind, FindingKind::Error);
        assert_eq!(f.monitor, "zz_engine_test_mean_shift");
        assert!(f.message.contains("broken window"), "{}", f.message);
        assert!(r2.metrics.is_empty() && r2.checked_columns.is_empty());

        let r3 = &reports[3];
        assert_eq!(r3.n_rows, 0);
        assert_eq!(r3.findings[0].method, EMPTY_METHOD);
        assert_eq!(r3.findings[0].status, Status::Warning);
        assert_eq!(r3.findings[0].kind, FindingKind::Info);

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

    /// Reports the share of rows it was given as info, and, only when it sees labels,
    /// the share of correct predictions as `realized_accuracy` (info too), as an
    /// estimator reports its realized metrics.
    #[derive(Debug, Serialize, Deserialize)]
    struct Realized;

    #[typetag::serde]
    impl Monitor for Realized {
        fn name(&self) -> &str {
            "zz_engine_test_realized"
        }
        fn fit(&mut self, _: &Window) -> driftwatch_core::Result<()> {
            Ok(())
        }
        fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
            let n = w.n_rows() as f64;
            let mut out = vec![Finding::new(FindingKind::Info, self.name(), "rows", n)];
            if let (Some(labels), Some(pred)) = (&w.labels, &w.predictions) {
                let (l, p) = (labels.labels()?, pred.labels()?);
                let right = l.iter().zip(p).filter(|(a, b)| a == b).count() as f64;
                out.push(Finding::new(
                    FindingKind::Info,
                    self.name(),
                    "realized_accuracy",
                    right / n,
                ));
            }
            Ok(out)
        }
    }

    inventory::submit! {
        MonitorFactory {
            name: "zz_engine_test_realized",
            description: "test monitor of findings that need labels without being metrics",
            default_config: "",
            build: |_| Ok(Box::new(Realized)),
        }
    }

    #[test]
    fn findings_reported_only_with_labels_come_from_the_labelled_rows() {
        let cfg: EngineConfig = serde_json::from_value(serde_json::json!({
            "monitors": [{"name": "zz_engine_test_realized"}]
        }))
        .unwrap();
        let mut engine = Engine::from_config(&cfg).unwrap();
        engine
            .fit(&window("ref", &[0.0, 1.0], &["a", "b"], &["a", "b"]))
            .unwrap();
        // Labels for 3 of 4 rows, 2 of them right; the placeholder would count as wrong.
        let mut w = window(
            "day 1",
            &[0.0, 1.0, 2.0, 3.0],
            &["a", "b", "a", "a"],
            &["a", "a", "?", "a"],
        );
        w.labelled = Some(vec![true, true, false, true]);
        let r = &engine.run(&[w]).unwrap()[0];
        let value = |m: &str| {
            let f: Vec<_> = r.findings.iter().filter(|f| f.method == m).collect();
            assert_eq!(f.len(), 1, "{m}: {:?}", r.findings);
            f[0].statistic
        };
        // Seen without labels: from every row.
        assert_eq!(value("rows"), 4.0);
        // Seen only with labels: from the 3 labelled rows.
        assert!((value("realized_accuracy") - 2.0 / 3.0).abs() < 1e-12);
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

    /// A band replaces the monitor's own threshold: the mean shift of `x` is judged
    /// against the spread of reference chunks, and the engine reports the band.
    #[test]
    fn a_band_judges_drift_findings_by_reference_chunks() {
        let cfg: EngineConfig = serde_json::from_value(serde_json::json!({
            "monitors": [{
                "name": "zz_engine_test_mean_shift",
                "config": {"tolerance": 100.0},
                "band": {"chunk_rows": 2, "compare": "reference"}
            }]
        }))
        .unwrap();
        let mut engine = Engine::from_config(&cfg).unwrap();
        // Chunk means 1, 2, 3, 4 against the reference mean 2.5: shifts 1.5, 0.5, 0.5,
        // 1.5; band <= 1 + 3 x 0.5 = 2.5.
        let xs = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0];
        engine
            .fit(&window("ref", &xs, &["a"; 8], &["a"; 8]))
            .unwrap();
        let bands = engine.bands();
        assert_eq!(bands.len(), 1);
        assert_eq!(
            (bands[0].mean, bands[0].std, bands[0].upper),
            (1.0, 0.5, 2.5)
        );
        let reports = engine
            .run(&[
                window("near", &[4.5, 4.5], &["a", "a"], &["a", "a"]),
                window("far", &[5.5, 5.5], &["a", "a"], &["a", "a"]),
            ])
            .unwrap();
        // 2.0 is within the band (tolerance 100 would pass it anyway); 3.0 is outside.
        assert_eq!(reports[0].findings[0].status, Status::Ok);
        assert_eq!(reports[1].findings[0].status, Status::Alert);
        assert_eq!(reports[1].findings[0].threshold, 2.5);
        assert_eq!(reports[1].drifted_columns, ["x"]);
        // Metric findings are the alert policy's: untouched.
        assert_eq!(reports[1].findings[1].threshold, 0.95);
        let json = serde_json::to_string(&engine).unwrap();
        let back: Engine = serde_json::from_str(&json).unwrap();
        assert_eq!(back.bands(), bands);

        let too_short = window("ref", &xs[..4], &["a"; 4], &["a"; 4]);
        let e = engine.fit(&too_short).unwrap_err().to_string();
        assert!(e.contains("fewer than the 3 a band needs"), "{e}");
    }

    /// Counts the rows it is given and, over a span, the window's own rows: what a
    /// spanned check sees.
    #[derive(Debug, Serialize, Deserialize)]
    struct Rows;

    #[typetag::serde]
    impl Monitor for Rows {
        fn name(&self) -> &str {
            "zz_engine_test_rows"
        }
        fn fit(&mut self, _: &Window) -> driftwatch_core::Result<()> {
            Ok(())
        }
        fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
            self.check_span(w, w.n_rows())
        }
        fn check_span(&self, w: &Window, new_rows: usize) -> driftwatch_core::Result<Vec<Finding>> {
            let x = w.features.column("x")?.numeric_values().unwrap_or_default();
            Ok(vec![Finding {
                monitor: self.name().into(),
                kind: FindingKind::Drift,
                column: Some("x".into()),
                method: "rows".into(),
                statistic: x.len() as f64,
                p_value: None,
                threshold: f64::NAN,
                baseline: None,
                // Drift when the window's own rows hold a 3.
                status: if x[x.len() - new_rows..].contains(&3.0) {
                    Status::Alert
                } else {
                    Status::Ok
                },
                severity: None,
                message: format!("{new_rows} new of {}", x.len()),
                bounds: None,
                sampling_error: None,
            }])
        }
    }

    inventory::submit! {
        MonitorFactory {
            name: "zz_engine_test_rows",
            description: "test monitor of spans",
            default_config: "",
            build: |_| Ok(Box::new(Rows)),
        }
    }

    #[test]
    fn spans_join_earlier_windows_and_report_under_their_own_name() {
        let cfg: EngineConfig = serde_json::from_value(serde_json::json!({
            "monitors": [
                {"name": "zz_engine_test_rows"},
                {"name": "zz_engine_test_rows", "span": {"rolling": 2}},
                {"name": "zz_engine_test_rows", "span": "cumulative"}
            ]
        }))
        .unwrap();
        let mut engine = Engine::from_config(&cfg).unwrap();
        engine.fit(&window("ref", &[0.0], &["a"], &["a"])).unwrap();
        let ws = vec![
            window("day 1", &[1.0, 1.0], &["a", "a"], &["a", "a"]),
            window("day 2", &[3.0], &["a"], &["b"]),
            window(
                "day 3",
                &[1.0, 1.0, 1.0],
                &["b", "a", "a"],
                &["a", "a", "a"],
            ),
        ];
        let reports = engine.run(&ws).unwrap();
        let seen = |r: &WindowReport| -> Vec<(String, f64, Status)> {
            r.findings
                .iter()
                .map(|f| (f.monitor.clone(), f.statistic, f.status))
                .collect()
        };
        let name = |s: &str| format!("zz_engine_test_rows{s}");
        assert_eq!(
            seen(&reports[2]),
            [
                (name(""), 3.0, Status::Ok),
                (name("[rolling 2]"), 4.0, Status::Ok),
                (name("[cumulative]"), 6.0, Status::Ok),
            ]
        );
        // Day 2's 3 is its own row in every span, and an earlier row on day 3.
        assert!(
            reports[1]
                .findings
                .iter()
                .all(|f| f.status == Status::Alert)
        );
        assert_eq!(reports[2].findings[2].message, "3 new of 6");
        // Only the window's own check counts as its drifted columns.
        let r = &reports[1];
        assert_eq!((r.drifted_columns.len(), r.checked_columns.len()), (1, 1));
        assert_eq!(span_of("feature_drift[rolling 7]"), Some("rolling 7"));
        assert_eq!(span_of("feature_drift"), None);
        let bad: EngineConfig = serde_json::from_value(serde_json::json!({
            "monitors": [{"name": "zz_engine_test_rows", "span": {"rolling": 0}}]
        }))
        .unwrap();
        let e = Engine::from_config(&bad).unwrap_err().to_string();
        assert!(e.contains("at least 1 window"), "{e}");
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
