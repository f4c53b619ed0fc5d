//! Turning findings into alerts: [`AlertPolicy::evaluate`] is the entry point.
//!
//! A finding's [`FindingKind`], set by the monitor that made it, says how it is judged:
//!
//! - **metric** and **data-quality** findings (e.g. accuracy, `missing_share`): the
//!   policy judges them against their `baseline`, not the monitor's own status. A value
//!   is bad when it is below `baseline * ratio` (or, when `absolute_drop` is set, below
//!   `baseline - drop` instead). Where lower is better (a metric with
//!   `higher_is_better: false`, every data-quality share) the test is mirrored: bad
//!   above `baseline * (2 - ratio)` or `baseline + drop`. The degradation is the
//!   relative change for the worse, `(baseline - value) / |baseline|` (mirrored
//!   likewise); severity is HIGH when it exceeds `high_degradation`, else MEDIUM. Both
//!   become alerts of kind `metric`; one without a baseline is not judged.
//! - **drift** findings (e.g. a KS test): bad when the monitor's status is alert;
//!   severity from the finding, MEDIUM when it has none. Keyed by
//!   (monitor, column, method).
//! - **error** findings (a monitor failed on a window, see [`crate::engine`]): bad in
//!   the windows where the monitor failed, good in non-empty windows where it did not.
//! - **info** findings (latency percentiles, an empty window) are never judged.
//!
//! For each key the windows are walked in order. An alert fires once the key has been
//! bad in `consecutive` windows in a row, and not within `cooldown` windows after the
//! same key's previous alert resolved. It stays one alert while the key stays bad
//! (`last_window` advances, `value` is the latest, `severity` the worst) and resolves at
//! the first good window. A window without an observation for a key (no labels that
//! day, an empty window) neither extends nor resolves nor breaks a streak. Windows whose
//! metric value or baseline is not finite count as without an observation.

use std::collections::BTreeMap;
use std::fmt;

use driftwatch_core::{Finding, FindingKind, Severity, Status};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::window_report::{WindowReport, metric_key, span_of};

/// When metric and drift findings become alerts.
///
/// Every field has a default, so `{}` (or an empty TOML table) is the default policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertPolicy {
    /// A metric is bad when `value < baseline * ratio`. In (0, 1]; default 0.95.
    pub ratio: f64,
    /// When set, replaces the ratio: bad when `value < baseline - absolute_drop`.
    pub absolute_drop: Option<f64>,
    /// Severity HIGH when the degradation `(baseline - value) / baseline` exceeds this,
    /// else MEDIUM. Positive; default 0.10.
    pub high_degradation: f64,
    /// Fire after this many bad windows in a row. At least 1; default 1.
    pub consecutive: usize,
    /// After an alert resolves, the same key may not fire again within this many
    /// windows. Default 0.
    pub cooldown: usize,
    /// The metric keys (or methods) the policy applies to; `None` (default) = every
    /// metric finding.
    pub metrics: Option<Vec<String>>,
    /// No longer used, kept so that configs written by older versions still read: which
    /// way is better comes from each finding's kind ([`FindingKind::higher_is_better`]).
    /// [`AlertPolicy::check`] warns when it is set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lower_is_better: Vec<String>,
    /// Whether drift findings of status alert become alerts. Default true.
    pub drift: bool,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            ratio: 0.95,
            absolute_drop: None,
            high_degradation: 0.10,
            consecutive: 1,
            cooldown: 0,
            metrics: None,
            lower_is_better: Vec::new(),
            drift: true,
        }
    }
}

/// Which kind of finding an alert comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// A metric (or data-quality share) worse than its baseline.
    Metric,
    /// A drift test in alert.
    Drift,
    /// A monitor that failed.
    Error,
    /// A metric estimated without labels (CBPE, DLE) outside its reference thresholds.
    Estimate,
}

/// Whether an alert still holds at the end of the windows evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Still bad in the last window with an observation.
    Active,
    /// Recovered.
    Resolved,
}

/// One alert: a key that went bad, from the window it went bad until it recovered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable identifier, e.g. `accuracy-w16` or `ks-petal_width-w3`: the metric (or
    /// method and column) and the first bad window; prefixed with the monitor when two
    /// alerts would share it.
    pub id: String,
    /// Where it comes from.
    pub kind: AlertKind,
    /// The monitor that reported it.
    pub monitor: String,
    /// The metric or test method (`accuracy`, `ks`, `error`).
    pub metric: String,
    /// The column, for per-column findings.
    pub column: Option<String>,
    /// The latest value (statistic); `None` when it is not a finite number.
    pub value: Option<f64>,
    /// The baseline, for metric alerts.
    pub baseline: Option<f64>,
    /// The latest degradation as a fraction (0.15 = 15% worse than the baseline).
    pub degradation: Option<f64>,
    /// The latest p-value, for tests that have one.
    pub p_value: Option<f64>,
    /// The worst severity seen (the severity of [`Alert::worst`]).
    pub severity: Severity,
    /// The severity of the latest bad window, which may be milder than the worst.
    #[serde(default = "medium")]
    pub current_severity: Severity,
    /// The worst bad window of the streak: its value and severity, so a HIGH alert
    /// whose latest value is only MEDIUM says where it was HIGH.
    #[serde(default)]
    pub worst: Option<Worst>,
    /// Index of the first bad window of the streak that fired it.
    pub first_window: usize,
    /// Label of that window.
    pub first_label: String,
    /// Index of the window where it fired (later than `first_window` when
    /// `consecutive` > 1 or a cooldown held it back).
    pub fired_window: usize,
    /// Index of the latest bad window.
    pub last_window: usize,
    /// Label of that window.
    pub last_label: String,
    /// Index of the window where it recovered.
    pub resolved_window: Option<usize>,
    /// Active or resolved.
    pub state: AlertState,
    /// The latest finding's message.
    pub message: String,
}

fn medium() -> Severity {
    Severity::Medium
}

/// The worst window of an alert's streak: highest severity, then the largest
/// degradation (metrics) or the smallest p-value, else the largest statistic (drift).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worst {
    /// Index of the window.
    pub window: usize,
    /// Its label.
    pub label: String,
    /// Its value (statistic); `None` when not a finite number.
    pub value: Option<f64>,
    /// Its degradation as a fraction, for metric alerts.
    pub degradation: Option<f64>,
    /// Its p-value, for tests that have one.
    pub p_value: Option<f64>,
    /// Its severity.
    pub severity: Severity,
}

/// The signed change of `value` from `baseline`, as a fraction of `|baseline|`:
/// negative when it fell, positive when it rose, whichever direction is worse.
pub fn relative_change(value: Option<f64>, baseline: Option<f64>) -> Option<f64> {
    let (v, b) = (value?, baseline?);
    (b != 0.0 && v.is_finite() && b.is_finite()).then(|| (v - b) / b.abs())
}

/// `-6.7%` / `+20.0%`, or nothing without a change.
fn percent(change: Option<f64>) -> String {
    change.map_or_else(String::new, |c| format!("{:+.1}%", c * 100.0))
}

impl Alert {
    /// The latest value's signed change from the baseline (see [`relative_change`]).
    pub fn change(&self) -> Option<f64> {
        relative_change(self.value, self.baseline)
    }

    /// The worst window, when it is not the latest one (the line then shows both).
    pub fn earlier_worst(&self) -> Option<&Worst> {
        self.worst.as_ref().filter(|w| {
            w.window != self.last_window
                && (self.kind == AlertKind::Metric || w.severity != self.current_severity)
        })
    }

    /// `0.8500 (-15.0%, HIGH) on day 24`: the worst window in words.
    pub fn worst_text(&self) -> Option<String> {
        let w = self.earlier_worst()?;
        let mut parts = Vec::new();
        if let Some(c) = relative_change(w.value, self.baseline) {
            parts.push(percent(Some(c)));
        }
        if let Some(p) = w.p_value {
            parts.push(format!("p={p:.3e}"));
        }
        parts.push(w.severity.to_string());
        let value = w.value.map_or_else(|| "n/a".into(), |v| format!("{v:.4}"));
        Some(format!("{value} ({}) on {}", parts.join(", "), w.label))
    }

    /// Whether the alert was firing in window `index`.
    pub fn covers(&self, index: usize) -> bool {
        self.fired_window <= index && index <= self.last_window
    }

    /// `accuracy`, `ks(petal width)`, or `ks(petal width) [rolling 7]` for a check over a
    /// span of windows.
    pub fn subject(&self) -> String {
        let base = match &self.column {
            Some(c) => format!("{}({c})", self.metric),
            None => self.metric.clone(),
        };
        match span_of(&self.monitor) {
            Some(span) => format!("{base} [{span}]"),
            None => base,
        }
    }
}

impl fmt::Display for Alert {
    /// `HIGH accuracy 0.8500 vs baseline 1.0000 (-15.0%), day 3 to day 5 (active)`: the
    /// worst severity, the latest value and its signed change from the baseline (`+` for a
    /// rise, also for metrics where higher is worse). When the worst window is an earlier
    /// one: `HIGH accuracy 0.9333 vs baseline 1.0000 (-6.7%, MEDIUM now; worst 0.8500
    /// (-15.0%, HIGH) on day 24), ...`. Window labels as the user sees them in the table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.severity, self.subject())?;
        if let Some(v) = self.value {
            write!(f, " {v:.4}")?;
        }
        if let Some(b) = self.baseline {
            write!(f, " vs baseline {b:.4}")?;
        }
        let mut notes = Vec::new();
        if let Some(c) = self.change() {
            notes.push(percent(Some(c)));
        }
        let worst = self.worst_text();
        if worst.is_some() && self.current_severity != self.severity {
            notes.push(format!("{} now", self.current_severity));
        }
        let mut inner = notes.join(", ");
        if let Some(w) = worst {
            inner = format!("{inner}; worst {w}");
        }
        if !inner.is_empty() {
            write!(f, " ({inner})")?;
        }
        if let Some(p) = self.p_value {
            write!(f, " p={p:.3e}")?;
        }
        if self.kind == AlertKind::Error {
            write!(f, " {}", self.message)?;
        }
        if self.first_label == self.last_label {
            write!(f, ", {}", self.first_label)?;
        } else {
            write!(f, ", {} to {}", self.first_label, self.last_label)?;
        }
        write!(f, " ({})", state_word(self.state))
    }
}

fn state_word(s: AlertState) -> &'static str {
    match s {
        AlertState::Active => "active",
        AlertState::Resolved => "resolved",
    }
}

impl AlertPolicy {
    /// Checks the settings once; an error names the setting and the allowed range.
    pub fn check(&self) -> Result<()> {
        let bad = |name: &str, message: String| {
            Err(Error::config(format!("alert policy {name}"), message))
        };
        if !(self.ratio > 0.0 && self.ratio <= 1.0) {
            return bad(
                "ratio",
                format!(
                    "{} is outside (0, 1]; 0.95 alerts 5% below the baseline",
                    self.ratio
                ),
            );
        }
        if let Some(d) = self.absolute_drop {
            if !(d.is_finite() && d >= 0.0) {
                return bad("absolute_drop", format!("{d} must be a finite number >= 0"));
            }
        }
        if !(self.high_degradation.is_finite() && self.high_degradation > 0.0) {
            return bad(
                "high_degradation",
                format!(
                    "{} must be a finite number > 0; 0.10 = HIGH beyond 10% worse",
                    self.high_degradation
                ),
            );
        }
        if self.consecutive == 0 {
            return bad("consecutive", "must be at least 1 window".into());
        }
        if self.metrics.as_ref().is_some_and(Vec::is_empty) {
            return bad(
                "metrics",
                "the list is empty: name at least one metric, or leave it out to cover all".into(),
            );
        }
        if !self.lower_is_better.is_empty() {
            tracing::warn!(
                "alert policy lower_is_better is no longer used (each finding says which way \
                 is better); remove it from the config"
            );
        }
        Ok(())
    }

    /// The alerts over `reports` (in window order), sorted by first window.
    ///
    /// Settings out of range do not panic; check them first with [`AlertPolicy::check`].
    pub fn evaluate(&self, reports: &[WindowReport]) -> Vec<Alert> {
        let mut tracks: BTreeMap<Key, Track> = BTreeMap::new();
        let mut done: Vec<Alert> = Vec::new();
        for (pos, report) in reports.iter().enumerate() {
            let mut obs: BTreeMap<Key, Obs> = BTreeMap::new();
            for f in &report.findings {
                if let Some((key, o)) = self.observe(f) {
                    match obs.get_mut(&key) {
                        Some(prev) => prev.merge(o),
                        None => {
                            obs.insert(key, o);
                        }
                    }
                }
            }
            // A monitor that failed before and not in this (non-empty) window recovered.
            if report.n_rows > 0 {
                for key in tracks.keys() {
                    if key.kind == AlertKind::Error && !obs.contains_key(key) {
                        obs.insert(key.clone(), Obs::good());
                    }
                }
            }
            for (key, o) in obs {
                let track = tracks.entry(key.clone()).or_default();
                if let Some(alert) = track.step(&key, o, pos, report, self) {
                    done.push(alert);
                }
            }
        }
        done.extend(tracks.into_values().filter_map(|t| t.active));
        done.sort_by(|a, b| {
            (
                a.first_window,
                a.fired_window,
                a.kind,
                &a.monitor,
                &a.metric,
                &a.column,
            )
                .cmp(&(
                    b.first_window,
                    b.fired_window,
                    b.kind,
                    &b.monitor,
                    &b.metric,
                    &b.column,
                ))
        });
        assign_ids(&mut done);
        done
    }

    /// What one finding says about its key in this window, if the policy covers it.
    fn observe(&self, f: &Finding) -> Option<(Key, Obs)> {
        if let Some(higher_is_better) = f.kind.higher_is_better() {
            let baseline = f.baseline?;
            let key_name = metric_key(f);
            if let Some(list) = &self.metrics {
                if !list.iter().any(|m| *m == key_name || *m == f.method) {
                    return None;
                }
            }
            let value = f.statistic;
            if !(value.is_finite() && baseline.is_finite()) {
                return None;
            }
            let (bad, worse_by) = if !higher_is_better {
                let bad = match self.absolute_drop {
                    Some(d) => value > baseline + d,
                    None => value > baseline * (2.0 - self.ratio),
                };
                (bad, value - baseline)
            } else {
                let bad = match self.absolute_drop {
                    Some(d) => value < baseline - d,
                    None => value < baseline * self.ratio,
                };
                (bad, baseline - value)
            };
            let degradation = (baseline != 0.0).then(|| worse_by / baseline.abs());
            let severity = match degradation {
                Some(d) if d > self.high_degradation => Severity::High,
                _ => Severity::Medium,
            };
            let key = Key {
                kind: AlertKind::Metric,
                monitor: f.monitor.clone(),
                metric: f.method.clone(),
                column: f.column.clone(),
            };
            return Some((
                key,
                Obs {
                    bad,
                    value: Some(value),
                    baseline: Some(baseline),
                    degradation,
                    p_value: f.p_value,
                    severity,
                    message: f.message.clone(),
                },
            ));
        }
        let kind = match f.kind {
            FindingKind::Error => AlertKind::Error,
            FindingKind::Drift if self.drift => AlertKind::Drift,
            FindingKind::Estimate { .. } => AlertKind::Estimate,
            _ => return None,
        };
        let key = Key {
            kind,
            monitor: f.monitor.clone(),
            metric: f.method.clone(),
            column: f.column.clone(),
        };
        Some((
            key,
            Obs {
                bad: f.status == Status::Alert,
                value: f.statistic.is_finite().then_some(f.statistic),
                baseline: None,
                degradation: None,
                p_value: f.p_value,
                severity: f.severity.unwrap_or(Severity::Medium),
                message: f.message.clone(),
            },
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    kind: AlertKind,
    monitor: String,
    metric: String,
    column: Option<String>,
}

#[derive(Debug)]
struct Obs {
    bad: bool,
    value: Option<f64>,
    baseline: Option<f64>,
    degradation: Option<f64>,
    p_value: Option<f64>,
    severity: Severity,
    message: String,
}

impl Obs {
    fn good() -> Self {
        Obs {
            bad: false,
            value: None,
            baseline: None,
            degradation: None,
            p_value: None,
            severity: Severity::Low,
            message: String::new(),
        }
    }

    /// Two findings for one key in one window: keep the worse.
    fn merge(&mut self, other: Obs) {
        if (other.bad, other.severity) > (self.bad, self.severity) {
            *self = other;
        }
    }
}

#[derive(Debug, Default)]
struct Track {
    /// Bad windows in a row (windows without an observation skipped).
    streak: usize,
    /// First window of the streak: index and label.
    streak_first: Option<(usize, String)>,
    /// Worst window of the streak.
    streak_worst: Option<Worst>,
    /// The alert firing now.
    active: Option<Alert>,
    /// Position (in the reports) up to which the key may not fire again.
    blocked_until: Option<usize>,
}

impl Track {
    /// Advances by one observation; returns the alert that resolved, if any.
    fn step(
        &mut self,
        key: &Key,
        o: Obs,
        pos: usize,
        report: &WindowReport,
        policy: &AlertPolicy,
    ) -> Option<Alert> {
        if !o.bad {
            self.streak = 0;
            self.streak_first = None;
            self.streak_worst = None;
            let mut alert = self.active.take()?;
            alert.state = AlertState::Resolved;
            alert.resolved_window = Some(report.index);
            self.blocked_until = (policy.cooldown > 0).then(|| pos + policy.cooldown);
            return Some(alert);
        }
        self.streak += 1;
        let first = self
            .streak_first
            .get_or_insert_with(|| (report.index, report.label.clone()))
            .clone();
        let here = Worst {
            window: report.index,
            label: report.label.clone(),
            value: o.value,
            degradation: o.degradation,
            p_value: o.p_value,
            severity: o.severity,
        };
        let worst = match self.streak_worst.take() {
            Some(w) if !worse(&here, &w) => w,
            _ => here,
        };
        self.streak_worst = Some(worst.clone());
        if let Some(alert) = &mut self.active {
            alert.last_window = report.index;
            alert.last_label = report.label.clone();
            alert.value = o.value;
            alert.degradation = o.degradation;
            alert.p_value = o.p_value;
            alert.severity = worst.severity;
            alert.current_severity = o.severity;
            alert.worst = Some(worst);
            alert.message = o.message;
            return None;
        }
        let blocked = self.blocked_until.is_some_and(|b| pos <= b);
        if self.streak >= policy.consecutive.max(1) && !blocked {
            self.active = Some(Alert {
                id: String::new(),
                kind: key.kind,
                monitor: key.monitor.clone(),
                metric: key.metric.clone(),
                column: key.column.clone(),
                value: o.value,
                baseline: o.baseline,
                degradation: o.degradation,
                p_value: o.p_value,
                severity: worst.severity,
                current_severity: o.severity,
                worst: Some(worst),
                first_window: first.0,
                first_label: first.1,
                fired_window: report.index,
                last_window: report.index,
                last_label: report.label.clone(),
                resolved_window: None,
                state: AlertState::Active,
                message: o.message,
            });
        }
        None
    }
}

/// Whether window `a` is worse than `b`: higher severity, then a larger degradation, a
/// smaller p-value, a larger value. Ties keep the earlier window.
fn worse(a: &Worst, b: &Worst) -> bool {
    use std::cmp::Ordering;
    let cmp = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    };
    a.severity
        .cmp(&b.severity)
        .then_with(|| cmp(a.degradation, b.degradation))
        .then_with(|| cmp(b.p_value, a.p_value))
        .then_with(|| cmp(a.value, b.value))
        == Ordering::Greater
}

/// Lower-case letters and digits; runs of anything else become one `_`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

fn base_id(a: &Alert) -> String {
    let mut parts = vec![slug(&a.metric)];
    match (a.kind, &a.column) {
        (_, Some(c)) => parts.push(slug(c)),
        (AlertKind::Error, None) => parts.push(slug(&a.monitor)),
        _ => {}
    }
    parts.push(format!("w{}", a.first_window));
    parts.retain(|p| !p.is_empty());
    parts.join("-")
}

fn assign_ids(alerts: &mut [Alert]) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for a in alerts.iter_mut() {
        a.id = base_id(a);
        *count.entry(a.id.clone()).or_default() += 1;
    }
    for a in alerts.iter_mut() {
        if count.get(&a.id).is_some_and(|&n| n > 1) {
            a.id = format!("{}-{}", slug(&a.monitor), a.id);
        }
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for a in alerts.iter_mut() {
        let n = seen.entry(a.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            a.id = format!("{}-{}", a.id, n);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::window_report::ERROR_METHOD;

    /// A metric where higher is better (accuracy).
    pub(crate) fn metric(monitor: &str, method: &str, value: f64, baseline: f64) -> Finding {
        Finding {
            monitor: monitor.into(),
            kind: FindingKind::Metric {
                higher_is_better: true,
            },
            column: None,
            method: method.into(),
            statistic: value,
            p_value: None,
            threshold: baseline * 0.95,
            baseline: Some(baseline),
            status: Status::Ok,
            severity: None,
            message: String::new(),
            bounds: None,
            sampling_error: None,
        }
    }

    /// A metric where lower is better (an error).
    fn lower(monitor: &str, method: &str, value: f64, baseline: f64) -> Finding {
        Finding {
            kind: FindingKind::Metric {
                higher_is_better: false,
            },
            ..metric(monitor, method, value, baseline)
        }
    }

    pub(crate) fn ks(column: &str, p: f64) -> Finding {
        let drift = p < 0.05;
        Finding {
            monitor: "feature_drift".into(),
            kind: FindingKind::Drift,
            column: Some(column.into()),
            method: "ks".into(),
            statistic: 0.3,
            p_value: Some(p),
            threshold: 0.05,
            baseline: None,
            status: if drift { Status::Alert } else { Status::Ok },
            severity: drift.then_some(Severity::Medium),
            message: String::new(),
            bounds: None,
            sampling_error: None,
        }
    }

    fn reports(series: &[Vec<Finding>]) -> Vec<WindowReport> {
        series
            .iter()
            .enumerate()
            .map(|(i, f)| WindowReport::from_findings(i, format!("day {}", i + 1), 30, f.clone()))
            .collect()
    }

    fn accuracy_series(values: &[f64]) -> Vec<WindowReport> {
        reports(
            &values
                .iter()
                .map(|&v| vec![metric("performance", "accuracy", v, 1.0)])
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn the_hand_made_series() {
        let alerts =
            AlertPolicy::default().evaluate(&accuracy_series(&[1.0, 0.96, 0.94, 0.85, 0.99]));
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(a.id, "accuracy-w2");
        assert_eq!(
            (a.kind, a.monitor.as_str(), a.metric.as_str()),
            (AlertKind::Metric, "performance", "accuracy")
        );
        assert_eq!((a.first_window, a.fired_window, a.last_window), (2, 2, 3));
        assert_eq!(
            (a.first_label.as_str(), a.last_label.as_str()),
            ("day 3", "day 4")
        );
        assert_eq!(a.value, Some(0.85));
        assert_eq!(a.baseline, Some(1.0));
        assert!((a.degradation.unwrap() - 0.15).abs() < 1e-12);
        assert_eq!(a.severity, Severity::High);
        assert_eq!(
            (a.state, a.resolved_window),
            (AlertState::Resolved, Some(4))
        );
        assert_eq!(
            a.to_string(),
            "HIGH accuracy 0.8500 vs baseline 1.0000 (-15.0%), day 3 to day 4 (resolved)"
        );
    }

    #[test]
    fn medium_while_within_ten_percent_and_active_at_the_end() {
        let alerts = AlertPolicy::default().evaluate(&accuracy_series(&[1.0, 0.96, 0.94]));
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(
            (a.severity, a.state),
            (Severity::Medium, AlertState::Active)
        );
        assert!((a.degradation.unwrap() - 0.06).abs() < 1e-12);
        assert!(a.covers(2) && !a.covers(1));
        // Exactly on the threshold is not below it.
        assert!(
            AlertPolicy::default()
                .evaluate(&accuracy_series(&[0.95]))
                .is_empty()
        );
    }

    /// Issue 12 item 12: the latest value (-6.7%, MEDIUM) is shown with the worst one
    /// (-15.0%, HIGH) that made the alert HIGH, not "HIGH ... (-6.7%)" alone.
    #[test]
    fn shows_the_current_value_and_the_worst_with_its_severity() {
        let alerts = AlertPolicy::default().evaluate(&accuracy_series(&[1.0, 0.85, 14.0 / 15.0]));
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(
            (a.severity, a.current_severity),
            (Severity::High, Severity::Medium)
        );
        let w = a.worst.as_ref().unwrap();
        assert_eq!(
            (w.window, w.label.as_str(), w.value),
            (1, "day 2", Some(0.85))
        );
        assert_eq!(w.severity, Severity::High);
        assert!((w.degradation.unwrap() - 0.15).abs() < 1e-12);
        assert_eq!(
            a.to_string(),
            "HIGH accuracy 0.9333 vs baseline 1.0000 (-6.7%, MEDIUM now; worst 0.8500 (-15.0%, HIGH) \
             on day 2), day 2 to day 3 (active)"
        );
        // When the latest window is the worst, the line stays short.
        let a = &AlertPolicy::default().evaluate(&accuracy_series(&[0.94, 0.85]))[0];
        assert_eq!(
            (a.worst.as_ref().unwrap().window, a.current_severity),
            (1, Severity::High)
        );
        assert!(a.earlier_worst().is_none());
        // With consecutive = 2 the worst window may come before the one that fired.
        let p = AlertPolicy {
            consecutive: 2,
            ..AlertPolicy::default()
        };
        let a = &p.evaluate(&accuracy_series(&[0.8, 0.94]))[0];
        assert_eq!((a.fired_window, a.worst.as_ref().unwrap().window), (1, 0));
        assert_eq!(a.severity, Severity::High);
    }

    #[test]
    fn consecutive_delays_firing() {
        let policy = AlertPolicy {
            consecutive: 2,
            ..AlertPolicy::default()
        };
        let series = [1.0, 0.96, 0.94, 0.85, 0.99];
        let alerts = policy.evaluate(&accuracy_series(&series));
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!((a.first_window, a.fired_window, a.last_window), (2, 3, 3));
        assert_eq!(a.severity, Severity::High);
        // A single bad window never fires.
        assert!(
            policy
                .evaluate(&accuracy_series(&[1.0, 0.9, 1.0, 0.9]))
                .is_empty()
        );
        // A window without the metric does not break the streak.
        let mut r = accuracy_series(&[0.9, 0.9]);
        r.insert(1, WindowReport::from_findings(1, "no labels", 30, vec![]));
        r[2].index = 2;
        let alerts = policy.evaluate(&r);
        assert_eq!((alerts[0].first_window, alerts[0].fired_window), (0, 2));
    }

    #[test]
    fn cooldown_suppresses_refiring() {
        let series = [0.9, 1.0, 0.9, 0.9, 1.0, 0.9];
        let ids = |p: AlertPolicy| -> Vec<String> {
            p.evaluate(&accuracy_series(&series))
                .into_iter()
                .map(|a| a.id)
                .collect()
        };
        assert_eq!(
            ids(AlertPolicy::default()),
            ["accuracy-w0", "accuracy-w2", "accuracy-w5"]
        );
        // Resolved at 1; 2 and 3 held back; 4 recovers; 5 fires.
        assert_eq!(
            ids(AlertPolicy {
                cooldown: 2,
                ..AlertPolicy::default()
            }),
            ["accuracy-w0", "accuracy-w5"]
        );
        // Held back at 2 only: fires at 3, dated from the streak's start.
        let a = AlertPolicy {
            cooldown: 1,
            ..AlertPolicy::default()
        }
        .evaluate(&accuracy_series(&series));
        assert_eq!((a[1].first_window, a[1].fired_window), (2, 3));
    }

    #[test]
    fn data_quality_shares_are_judged_lower_is_better() {
        let share = |v: f64| {
            let mut f = metric("missing_values", "missing_share", v, 0.10);
            f.kind = FindingKind::DataQuality;
            f.column = Some("x".into());
            vec![f]
        };
        // Bad above 0.10 * (2 - 0.95) = 0.105; a falling share is never bad.
        let r = reports(&[
            share(0.02),
            share(0.104),
            share(0.2),
            share(0.3),
            share(0.1),
        ]);
        let alerts = AlertPolicy {
            consecutive: 2,
            ..AlertPolicy::default()
        }
        .evaluate(&r);
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(a.metric, "missing_share");
        assert_eq!(a.column.as_deref(), Some("x"));
        assert_eq!((a.first_window, a.fired_window), (2, 3));
        assert_eq!(a.resolved_window, Some(4));
        // (0.3 - 0.1) / 0.1 = 2.0 > high_degradation.
        assert!((a.degradation.unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(a.severity, Severity::High);
        // Higher is worse here: the rise is shown as a rise (+200%), not as -200%.
        assert_eq!(
            a.to_string(),
            "HIGH missing_share(x) 0.3000 vs baseline 0.1000 (+200.0%), day 3 to day 4 (resolved)"
        );
        assert!((a.change().unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn absolute_drop_and_lower_is_better() {
        let p = AlertPolicy {
            absolute_drop: Some(0.1),
            ..AlertPolicy::default()
        };
        let alerts = p.evaluate(&accuracy_series(&[0.92, 0.89]));
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].first_window, 1);
        let r = reports(&[
            vec![lower("regression", "rmse", 2.05, 2.0)],
            vec![lower("regression", "rmse", 2.15, 2.0)],
            vec![lower("regression", "rmse", 1.5, 2.0)],
        ]);
        let alerts = AlertPolicy::default().evaluate(&r);
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!((a.first_window, a.resolved_window), (1, Some(2)));
        assert!((a.degradation.unwrap() - 0.075).abs() < 1e-12);
        assert_eq!(a.severity, Severity::Medium);
    }

    #[test]
    fn the_metrics_list_limits_the_policy() {
        let r = reports(&[vec![
            metric("performance", "accuracy", 0.5, 1.0),
            metric("performance", "f1", 0.5, 1.0),
        ]]);
        let p = AlertPolicy {
            metrics: Some(vec!["f1".into()]),
            ..AlertPolicy::default()
        };
        let alerts = p.evaluate(&r);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].metric, "f1");
    }

    #[test]
    fn drift_findings_become_alerts_keyed_by_monitor_column_method() {
        let mut high = ks("petal width (cm)", 0.001);
        high.severity = Some(Severity::High);
        let r = reports(&[
            vec![ks("petal width (cm)", 0.5), ks("sepal width", 0.01)],
            vec![ks("petal width (cm)", 0.01), ks("sepal width", 0.01)],
            vec![high, ks("sepal width", 0.2)],
            vec![ks("petal width (cm)", 0.3), ks("sepal width", 0.2)],
        ]);
        let alerts = AlertPolicy::default().evaluate(&r);
        let got: Vec<_> = alerts
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    a.first_window,
                    a.last_window,
                    a.severity,
                    a.resolved_window,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("ks-sepal_width-w0", 0, 1, Severity::Medium, Some(2)),
                ("ks-petal_width_cm-w1", 1, 2, Severity::High, Some(3)),
            ]
        );
        assert_eq!(alerts[0].p_value, Some(0.01));
        assert_eq!(alerts[0].kind, AlertKind::Drift);
        let off = AlertPolicy {
            drift: false,
            ..AlertPolicy::default()
        };
        assert!(off.evaluate(&r).is_empty());
        let two = AlertPolicy {
            consecutive: 2,
            ..AlertPolicy::default()
        };
        let fired: Vec<_> = two
            .evaluate(&r)
            .into_iter()
            .map(|a| (a.id, a.fired_window))
            .collect();
        assert_eq!(
            fired,
            [
                ("ks-sepal_width-w0".to_string(), 1),
                ("ks-petal_width_cm-w1".to_string(), 2)
            ]
        );
    }

    #[test]
    fn monitor_errors_alert_until_the_monitor_works_again() {
        let err = Finding {
            monitor: "feature_drift".into(),
            kind: FindingKind::Error,
            column: None,
            method: ERROR_METHOD.into(),
            statistic: f64::NAN,
            p_value: None,
            threshold: f64::NAN,
            baseline: None,
            status: Status::Alert,
            severity: None,
            message: "boom".into(),
            bounds: None,
            sampling_error: None,
        };
        let mut r = reports(&[vec![err.clone()], vec![err], vec![ks("a", 0.5)]]);
        r.insert(2, WindowReport::from_findings(2, "empty", 0, vec![]));
        r[3].index = 3;
        let alerts = AlertPolicy::default().evaluate(&r);
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(a.id, "error-feature_drift-w0");
        assert_eq!(
            (a.kind, a.value, a.last_window, a.resolved_window),
            (AlertKind::Error, None, 1, Some(3))
        );
        assert!(a.to_string().contains("boom"));
    }

    /// The kind decides, not the name: an `accuracy` that says lower is better is judged
    /// mirrored, an informational finding in alert is never judged, and a metric
    /// without a baseline is skipped.
    #[test]
    fn findings_are_judged_by_kind_not_by_name() {
        let r = reports(&[
            vec![lower("custom", "accuracy", 1.2, 1.0)],
            vec![lower("custom", "accuracy", 0.5, 1.0)],
        ]);
        let alerts = AlertPolicy::default().evaluate(&r);
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            (alerts[0].first_window, alerts[0].resolved_window),
            (0, Some(1))
        );

        let info = Finding {
            status: Status::Alert,
            ..Finding::new(FindingKind::Info, "latency", "latency_p95", 900.0)
        };
        let no_baseline = Finding {
            baseline: None,
            ..metric("performance", "f1", 0.1, 1.0)
        };
        let r = reports(&[vec![info, no_baseline]]);
        assert!(AlertPolicy::default().evaluate(&r).is_empty());
    }

    /// Configs written by `--init` before kinds existed list `lower_is_better`: they
    /// still read, and the list changes nothing.
    #[test]
    fn an_old_lower_is_better_list_reads_and_is_ignored() {
        let p: AlertPolicy =
            serde_json::from_str(r#"{"lower_is_better": ["accuracy", "log_loss"]}"#).unwrap();
        assert!(p.check().is_ok());
        let alerts = p.evaluate(&accuracy_series(&[0.5]));
        assert_eq!(alerts.len(), 1, "accuracy is still higher-is-better");
        let json = serde_json::to_value(AlertPolicy::default()).unwrap();
        assert!(json.get("lower_is_better").is_none());
    }

    #[test]
    fn ids_stay_unique_across_monitors() {
        let r = reports(&[vec![
            metric("perf_a", "accuracy", 0.5, 1.0),
            metric("perf_b", "accuracy", 0.5, 1.0),
        ]]);
        let ids: Vec<_> = AlertPolicy::default()
            .evaluate(&r)
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, ["perf_a-accuracy-w0", "perf_b-accuracy-w0"]);
        assert_eq!(slug("Petal Width (cm)"), "petal_width_cm");
    }

    #[test]
    fn check_rejects_out_of_range_settings() {
        assert!(AlertPolicy::default().check().is_ok());
        for (p, needle) in [
            (
                AlertPolicy {
                    ratio: 0.0,
                    ..AlertPolicy::default()
                },
                "ratio",
            ),
            (
                AlertPolicy {
                    ratio: 1.5,
                    ..AlertPolicy::default()
                },
                "ratio",
            ),
            (
                AlertPolicy {
                    ratio: f64::NAN,
                    ..AlertPolicy::default()
                },
                "ratio",
            ),
            (
                AlertPolicy {
                    absolute_drop: Some(-0.1),
                    ..AlertPolicy::default()
                },
                "absolute_drop",
            ),
            (
                AlertPolicy {
                    high_degradation: 0.0,
                    ..AlertPolicy::default()
                },
                "high_degradation",
            ),
            (
                AlertPolicy {
                    consecutive: 0,
                    ..AlertPolicy::default()
                },
                "consecutive",
            ),
            (
                AlertPolicy {
                    metrics: Some(vec![]),
                    ..AlertPolicy::default()
                },
                "metrics",
            ),
        ] {
            let e = p.check().unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn policy_deserialises_with_defaults() {
        let p: AlertPolicy = serde_json::from_str(r#"{"consecutive": 2}"#).unwrap();
        assert_eq!(
            p,
            AlertPolicy {
                consecutive: 2,
                ..AlertPolicy::default()
            }
        );
        assert!(serde_json::from_str::<AlertPolicy>(r#"{"ratoi": 0.9}"#).is_err());
        let a = &AlertPolicy::default().evaluate(&accuracy_series(&[0.5]))[0];
        let json = serde_json::to_string(a).unwrap();
        assert!(
            json.contains(r#""state":"active""#) && json.contains(r#""severity":"HIGH""#),
            "{json}"
        );
        let back: Alert = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, a);
    }

    proptest::proptest! {
        #[test]
        fn alerts_cover_exactly_the_bad_windows(
            values in proptest::collection::vec(0.8f64..1.0, 1..60),
            consecutive in 1usize..4,
            cooldown in 0usize..4,
        ) {
            let reports = accuracy_series(&values);
            let bad: Vec<bool> = values.iter().map(|&v| v < 0.95).collect();
            let policy = AlertPolicy { consecutive, cooldown, ..AlertPolicy::default() };
            let alerts = policy.evaluate(&reports);
            let mut prev_end: Option<(usize, usize)> = None;
            for (i, a) in alerts.iter().enumerate() {
                proptest::prop_assert!(a.first_window + consecutive - 1 <= a.fired_window);
                proptest::prop_assert!(a.fired_window <= a.last_window);
                proptest::prop_assert!((a.first_window..=a.last_window).all(|w| bad[w]));
                if let Some((resolved, blocked_until)) = prev_end {
                    proptest::prop_assert!(a.first_window > resolved);
                    proptest::prop_assert!(a.fired_window > blocked_until);
                }
                match a.state {
                    AlertState::Active => {
                        proptest::prop_assert_eq!(i, alerts.len() - 1);
                        proptest::prop_assert_eq!(a.last_window, values.len() - 1);
                    }
                    AlertState::Resolved => {
                        proptest::prop_assert_eq!(a.resolved_window, Some(a.last_window + 1));
                        proptest::prop_assert!(!bad[a.last_window + 1]);
                        prev_end = Some((a.last_window + 1, a.last_window + 1 + cooldown));
                    }
                }
            }
            if consecutive == 1 && cooldown == 0 {
                let covered: Vec<bool> = (0..values.len())
                    .map(|w| alerts.iter().any(|a| (a.first_window..=a.last_window).contains(&w)))
                    .collect();
                proptest::prop_assert_eq!(covered, bad);
            }
        }
    }
}
