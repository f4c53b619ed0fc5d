//! The dashboard of a period: [`Summary::build`] is the entry point, `Display` renders
//! it as text.
//!
//! # JSON
//!
//! A `Summary` serialises (serde) to this object; the field names and meanings are
//! stable, new fields may be added:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `period` | `{"first": string, "last": string}` | labels of the first and last window (`""` when none) |
//! | `n_windows` | integer | windows in the period |
//! | `empty_windows` | integer | windows without rows |
//! | `total_predictions` | integer | rows over all windows |
//! | `average_accuracy` | number or null | mean of the windows' accuracy (each window counts once), over windows that have one |
//! | `current_accuracy` | number or null | accuracy of the last window that has one (a window with labels) |
//! | `current_window` | string or null | label of that window |
//! | `accuracy_trend` | `{"slope": number, "direction": "improving" \| "stable" \| "declining"}` or null | least-squares slope of accuracy per window index over windows with accuracy; stable when \|slope\| < 0.001; null with fewer than 2 such windows |
//! | `drifted_features` | integer | drifted columns in the last window that had drift findings |
//! | `total_features` | integer | columns checked for drift in that window |
//! | `drifted_columns` | `[string]` | those drifted columns |
//! | `drifted_columns_period` | `[string]` | columns drifted in any window of the period (sorted) |
//! | `active_alerts` | [Alert] | alerts still active, as in [`crate::alert::Alert`] |
//! | `resolved_alerts` | integer | alerts that fired and resolved within the period |
//! | `alerts_by_severity` | `{"LOW": n, "MEDIUM": n, "HIGH": n}` | active alerts by severity (all three keys always present) |
//! | `latency` | `{"window": string, "p50": number, "p95": number, "p99": number, "max_p99": number, "max_p99_window": string}` or null | latency percentiles (ms) of the last window with findings of the `latency` monitor, and the worst window p99 of the period; null when no window has them |
//! | `detections` | `[{"check": string, "first_window": integer or null, "first_label": string or null, "flagged": [string], "alerts": integer}]` | per check (a monitor with metric, data-quality or drift findings, as its findings name it, e.g. `feature_drift[rolling 7]`), the first window of its earliest alert and the subjects flagged there; checks that flagged something first, by window, then those that did not (null window) |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use driftwatch_core::method::{ACCURACY, LATENCY_P50, LATENCY_P95, LATENCY_P99};
use driftwatch_core::{FindingKind, Severity};
use serde::{Deserialize, Serialize};

use crate::alert::{Alert, AlertKind, AlertState};
use crate::window_report::WindowReport;

/// Below this absolute slope (per window) a trend is stable.
pub const STABLE_SLOPE: f64 = 0.001;

/// The labels of the first and last window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Label of the first window.
    pub first: String,
    /// Label of the last window.
    pub last: String,
}

/// Which way a series goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrendDirection {
    /// Slope >= [`STABLE_SLOPE`].
    Improving,
    /// |slope| < [`STABLE_SLOPE`].
    Stable,
    /// Slope <= -[`STABLE_SLOPE`].
    Declining,
}

impl fmt::Display for TrendDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrendDirection::Improving => "improving",
            TrendDirection::Stable => "stable",
            TrendDirection::Declining => "declining",
        })
    }
}

/// A least-squares slope and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// Change per window.
    pub slope: f64,
    /// Its direction.
    pub direction: TrendDirection,
}

impl Trend {
    /// The trend of `(x, y)` points by least squares; `None` with fewer than two
    /// distinct `x` or non-finite values.
    pub fn fit(points: &[(f64, f64)]) -> Option<Trend> {
        if points.len() < 2 || points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
            return None;
        }
        let n = points.len() as f64;
        let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
        let my = points.iter().map(|p| p.1).sum::<f64>() / n;
        let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
        if sxx == 0.0 {
            return None;
        }
        let slope = sxy / sxx;
        let direction = if slope.abs() < STABLE_SLOPE {
            TrendDirection::Stable
        } else if slope > 0.0 {
            TrendDirection::Improving
        } else {
            TrendDirection::Declining
        };
        Some(Trend { slope, direction })
    }
}

/// Latency percentiles for the dashboard, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Label of the last window with latency findings.
    pub window: String,
    /// Its median latency.
    pub p50: f64,
    /// Its 95th percentile.
    pub p95: f64,
    /// Its 99th percentile.
    pub p99: f64,
    /// The highest window p99 of the period (percentiles of windows do not combine
    /// into a period percentile, so the worst window is shown instead).
    pub max_p99: f64,
    /// Label of that window.
    pub max_p99_window: String,
}

impl LatencySummary {
    /// From the windows' `latency` findings; `None` when no window has all three.
    pub fn build(reports: &[WindowReport]) -> Option<LatencySummary> {
        let per_window: Vec<(&str, [f64; 3])> = reports
            .iter()
            .filter_map(|r| {
                let get = |m: &str| {
                    r.findings
                        .iter()
                        .find(|f| f.method == m && f.statistic.is_finite())
                        .map(|f| f.statistic)
                };
                Some((
                    r.label.as_str(),
                    [get(LATENCY_P50)?, get(LATENCY_P95)?, get(LATENCY_P99)?],
                ))
            })
            .collect();
        let (label, [p50, p95, p99]) = *per_window.last()?;
        let (max_label, max) = per_window
            .iter()
            .map(|(l, v)| (*l, v[2]))
            .fold((label, p99), |best, x| if x.1 > best.1 { x } else { best });
        Some(LatencySummary {
            window: label.to_string(),
            p50,
            p95,
            p99,
            max_p99: max,
            max_p99_window: max_label.to_string(),
        })
    }
}

/// A period at a glance; see the module docs for its JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// First and last window labels.
    pub period: Period,
    /// Windows in the period.
    pub n_windows: usize,
    /// Windows without rows.
    pub empty_windows: usize,
    /// Rows (predictions) over all windows.
    pub total_predictions: usize,
    /// Mean accuracy over windows that have one.
    pub average_accuracy: Option<f64>,
    /// Accuracy of the last window that has one.
    pub current_accuracy: Option<f64>,
    /// Label of that window.
    pub current_window: Option<String>,
    /// Accuracy per window, by least squares.
    pub accuracy_trend: Option<Trend>,
    /// Drifted columns in the last window with drift findings.
    pub drifted_features: usize,
    /// Columns checked for drift in that window.
    pub total_features: usize,
    /// The drifted columns of that window.
    pub drifted_columns: Vec<String>,
    /// Columns drifted in any window of the period.
    pub drifted_columns_period: Vec<String>,
    /// Alerts still active.
    pub active_alerts: Vec<Alert>,
    /// Alerts that fired and resolved.
    pub resolved_alerts: usize,
    /// Active alerts by severity (every severity present).
    pub alerts_by_severity: BTreeMap<Severity, usize>,
    /// Latency percentiles, when the `latency` monitor reported them.
    #[serde(default)]
    pub latency: Option<LatencySummary>,
    /// Per check, the first window it flagged (earliest first, then those that never
    /// did): which checks saw a drift, and when.
    #[serde(default)]
    pub detections: Vec<Detection>,
}

/// When one check first flagged something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// The check: a monitor as its findings name it (`feature_drift`,
    /// `feature_drift[rolling 7]`, `stream_detector[cumulative]`).
    pub check: String,
    /// Index of the first window of its earliest alert; `None` when it raised none.
    pub first_window: Option<usize>,
    /// Label of that window.
    pub first_label: Option<String>,
    /// What it flagged there: the subjects of its alerts starting in that window
    /// (`ks(petal_width)`, `accuracy`, `ddm`).
    pub flagged: Vec<String>,
    /// Its alerts over the period.
    pub alerts: usize,
}

impl Detection {
    /// `day 22: ddm (3 alerts)` or `not flagged`.
    pub fn describe(&self) -> String {
        match &self.first_label {
            None => "not flagged".into(),
            Some(l) => format!(
                "{l}: {} ({} alert{})",
                self.flagged.join(", "),
                self.alerts,
                if self.alerts == 1 { "" } else { "s" }
            ),
        }
    }

    /// One per check: a monitor with findings that are judged (metric, data quality,
    /// drift; informational findings and failures aside), from the alerts: flagged
    /// checks by first window, then the others, each in report order.
    pub fn build(reports: &[WindowReport], alerts: &[Alert]) -> Vec<Detection> {
        let mut checks: Vec<&str> = Vec::new();
        for f in reports.iter().flat_map(|r| &r.findings) {
            let judged = !matches!(f.kind, FindingKind::Info | FindingKind::Error);
            if judged && !checks.contains(&f.monitor.as_str()) {
                checks.push(&f.monitor);
            }
        }
        let mut out: Vec<Detection> = checks
            .into_iter()
            .map(|check| {
                let mine: Vec<&Alert> = alerts
                    .iter()
                    .filter(|a| a.monitor == check && a.kind != AlertKind::Error)
                    .collect();
                let first = mine.iter().min_by_key(|a| a.first_window);
                // The check is named already: its subjects without the span.
                let mut flagged: Vec<String> = mine
                    .iter()
                    .filter(|a| Some(a.first_window) == first.map(|f| f.first_window))
                    .map(|a| match &a.column {
                        Some(c) => format!("{}({c})", a.metric),
                        None => a.metric.clone(),
                    })
                    .collect();
                flagged.dedup();
                Detection {
                    check: check.to_string(),
                    first_window: first.map(|a| a.first_window),
                    first_label: first.map(|a| a.first_label.clone()),
                    flagged,
                    alerts: mine.len(),
                }
            })
            .collect();
        // Stable: report order within the same first window.
        out.sort_by_key(|d| d.first_window.map_or((1, 0), |w| (0, w)));
        out
    }
}

impl Summary {
    /// Sums up reports (in window order) and the alerts evaluated over them.
    pub fn build(reports: &[WindowReport], alerts: &[Alert]) -> Summary {
        let accuracy: Vec<(usize, &str, f64)> = reports
            .iter()
            .filter_map(|r| {
                r.metrics
                    .get(ACCURACY)
                    .map(|&a| (r.index, r.label.as_str(), a))
            })
            .collect();
        let average_accuracy = (!accuracy.is_empty())
            .then(|| accuracy.iter().map(|a| a.2).sum::<f64>() / accuracy.len() as f64);
        let points: Vec<(f64, f64)> = accuracy.iter().map(|&(i, _, a)| (i as f64, a)).collect();
        let last_checked = reports.iter().rev().find(|r| !r.checked_columns.is_empty());
        let period_drift: BTreeSet<&String> =
            reports.iter().flat_map(|r| &r.drifted_columns).collect();
        let active_alerts: Vec<Alert> = alerts
            .iter()
            .filter(|a| a.state == AlertState::Active)
            .cloned()
            .collect();
        let mut alerts_by_severity: BTreeMap<Severity, usize> =
            [Severity::Low, Severity::Medium, Severity::High]
                .into_iter()
                .map(|s| (s, 0))
                .collect();
        for a in &active_alerts {
            *alerts_by_severity.entry(a.severity).or_default() += 1;
        }
        Summary {
            period: Period {
                first: reports.first().map(|r| r.label.clone()).unwrap_or_default(),
                last: reports.last().map(|r| r.label.clone()).unwrap_or_default(),
            },
            n_windows: reports.len(),
            empty_windows: reports.iter().filter(|r| r.n_rows == 0).count(),
            total_predictions: reports.iter().map(|r| r.n_rows).sum(),
            average_accuracy,
            current_accuracy: accuracy.last().map(|a| a.2),
            current_window: accuracy.last().map(|a| a.1.to_string()),
            accuracy_trend: Trend::fit(&points),
            drifted_features: last_checked.map_or(0, |r| r.drifted_columns.len()),
            total_features: last_checked.map_or(0, |r| r.checked_columns.len()),
            drifted_columns: last_checked.map_or_else(Vec::new, |r| r.drifted_columns.clone()),
            drifted_columns_period: period_drift.into_iter().cloned().collect(),
            active_alerts,
            resolved_alerts: alerts
                .iter()
                .filter(|a| a.state == AlertState::Resolved)
                .count(),
            alerts_by_severity,
            latency: LatencySummary::build(reports),
            detections: Detection::build(reports, alerts),
        }
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
}

impl fmt::Display for Summary {
    /// The dashboard text, one fact per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Monitoring summary")?;
        write!(
            f,
            "  Period:            {} .. {} ({} windows",
            self.period.first, self.period.last, self.n_windows
        )?;
        if self.empty_windows > 0 {
            write!(f, ", {} empty", self.empty_windows)?;
        }
        writeln!(f, ")")?;
        writeln!(f, "  Predictions:       {}", self.total_predictions)?;
        write!(
            f,
            "  Accuracy:          average {}, current {}",
            opt(self.average_accuracy),
            opt(self.current_accuracy)
        )?;
        match &self.current_window {
            Some(w) => writeln!(f, " ({w})")?,
            None => writeln!(f)?,
        }
        match &self.accuracy_trend {
            Some(t) => writeln!(
                f,
                "  Trend:             {} ({:+.4} per window)",
                t.direction, t.slope
            )?,
            None => writeln!(
                f,
                "  Trend:             n/a (fewer than 2 windows with accuracy)"
            )?,
        }
        write!(
            f,
            "  Drifted features:  {} of {} in the last window",
            self.drifted_features, self.total_features
        )?;
        if !self.drifted_columns.is_empty() {
            write!(f, " ({})", self.drifted_columns.join(", "))?;
        }
        writeln!(f, "; {} over the period", self.drifted_columns_period.len())?;
        let by = self
            .alerts_by_severity
            .iter()
            .rev()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        write!(
            f,
            "  Active alerts:     {} ({by})",
            self.active_alerts.len()
        )?;
        if self.resolved_alerts > 0 {
            write!(f, "; {} resolved", self.resolved_alerts)?;
        }
        writeln!(f)?;
        let mut active: Vec<&Alert> = self.active_alerts.iter().collect();
        active.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.first_window.cmp(&b.first_window))
        });
        for a in active {
            writeln!(f, "    [{}] {}: {}", a.severity, a.id, AlertLine(a))?;
        }
        if let Some(l) = &self.latency {
            writeln!(
                f,
                "  Latency:           p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms ({}); worst p99 {:.3} ms ({})",
                l.p50, l.p95, l.p99, l.window, l.max_p99, l.max_p99_window
            )?;
        }
        if !self.detections.is_empty() {
            writeln!(
                f,
                "  First flagged:     per check, the first window of its first alert"
            )?;
            let width = self
                .detections
                .iter()
                .map(|d| d.check.len())
                .max()
                .unwrap_or(0);
            for d in &self.detections {
                writeln!(f, "    {:<width$}  {}", d.check, d.describe())?;
            }
        }
        Ok(())
    }
}

/// An alert without its leading severity (shown in brackets by the dashboard).
struct AlertLine<'a>(&'a Alert);

impl fmt::Display for AlertLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let sev = format!("{} ", self.0.severity);
        f.write_str(text.strip_prefix(&sev).unwrap_or(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertPolicy;
    use crate::alert::tests::{ks, metric};

    #[test]
    fn trend_slope_of_known_series() {
        let t = Trend::fit(&[
            (0.0, 0.9),
            (1.0, 0.92),
            (2.0, 0.91),
            (3.0, 0.95),
            (4.0, 0.93),
        ])
        .unwrap();
        assert!((t.slope - 0.009).abs() < 1e-12, "{}", t.slope);
        assert_eq!(t.direction, TrendDirection::Improving);
        let t = Trend::fit(&[(0.0, 1.0), (1.0, 0.98), (2.0, 0.96), (3.0, 0.94)]).unwrap();
        assert!((t.slope + 0.02).abs() < 1e-12);
        assert_eq!(t.direction, TrendDirection::Declining);
        let t = Trend::fit(&[(0.0, 0.9), (1.0, 0.9005), (2.0, 0.9)]).unwrap();
        assert_eq!(t.direction, TrendDirection::Stable);
        // Gaps in x (windows without labels) count as time.
        let t = Trend::fit(&[(0.0, 1.0), (4.0, 0.96)]).unwrap();
        assert!((t.slope + 0.01).abs() < 1e-12);
        assert!(Trend::fit(&[(0.0, 1.0)]).is_none());
        assert!(Trend::fit(&[(1.0, 1.0), (1.0, 0.5)]).is_none());
        assert!(Trend::fit(&[(0.0, 1.0), (1.0, f64::NAN)]).is_none());
    }

    fn latency(window: usize, values: [f64; 3]) -> WindowReport {
        let findings = [LATENCY_P50, LATENCY_P95, LATENCY_P99]
            .into_iter()
            .zip(values)
            .map(|(m, v)| driftwatch_core::Finding {
                column: Some("latency_ms".into()),
                ..driftwatch_core::Finding::new(driftwatch_core::FindingKind::Info, "latency", m, v)
            })
            .collect();
        WindowReport::from_findings(window, format!("day {}", window + 1), 10, findings)
    }

    #[test]
    fn latency_of_the_last_window_and_the_worst_p99() {
        let mut reports = vec![
            latency(0, [1.0, 4.0, 9.0]),
            latency(1, [2.0, 8.0, 30.0]),
            latency(2, [1.5, 5.0, 7.0]),
        ];
        reports.push(WindowReport::from_findings(3, "day 4", 0, vec![]));
        let s = Summary::build(&reports, &[]);
        let l = s.latency.clone().unwrap();
        assert_eq!(
            (l.window.as_str(), l.p50, l.p95, l.p99),
            ("day 3", 1.5, 5.0, 7.0)
        );
        assert_eq!((l.max_p99, l.max_p99_window.as_str()), (30.0, "day 2"));
        let text = s.to_string();
        assert!(
            text.contains("Latency:           p50 1.500 ms, p95 5.000 ms, p99 7.000 ms (day 3); worst p99 30.000 ms (day 2)"),
            "{text}"
        );
        assert!(Summary::build(&reports[3..], &[]).latency.is_none());
    }

    fn reports() -> Vec<WindowReport> {
        let acc = [1.0, 0.96, 0.94, 0.85];
        let ps = [[0.5, 0.5], [0.5, 0.01], [0.01, 0.01], [0.01, 0.01]];
        let mut out: Vec<WindowReport> = acc
            .iter()
            .zip(ps)
            .enumerate()
            .map(|(i, (&a, p))| {
                WindowReport::from_findings(
                    i,
                    format!("day {}", i + 1),
                    30,
                    vec![
                        metric("perf", "accuracy", a, 1.0),
                        ks("a", p[0]),
                        ks("b", p[1]),
                    ],
                )
            })
            .collect();
        // Day 5: empty; day 6: no labels, drift only on b.
        out.push(WindowReport::from_findings(4, "day 5", 0, vec![]));
        out.push(WindowReport::from_findings(
            5,
            "day 6",
            20,
            vec![ks("a", 0.5), ks("b", 0.02)],
        ));
        out
    }

    #[test]
    fn summary_numbers() {
        let reports = reports();
        let alerts = AlertPolicy::default().evaluate(&reports);
        let s = Summary::build(&reports, &alerts);
        assert_eq!(
            s.period,
            Period {
                first: "day 1".into(),
                last: "day 6".into()
            }
        );
        assert_eq!(
            (s.n_windows, s.empty_windows, s.total_predictions),
            (6, 1, 140)
        );
        assert!((s.average_accuracy.unwrap() - 0.9375).abs() < 1e-12);
        assert_eq!(s.current_accuracy, Some(0.85));
        assert_eq!(s.current_window.as_deref(), Some("day 4"));
        let t = s.accuracy_trend.unwrap();
        // x = 0..3, y = 1, .96, .94, .85: sxy = -0.235, sxx = 5.
        assert!((t.slope + 0.047).abs() < 1e-12, "{}", t.slope);
        assert_eq!(t.direction, TrendDirection::Declining);
        assert_eq!((s.drifted_features, s.total_features), (1, 2));
        assert_eq!(s.drifted_columns, ["b"]);
        assert_eq!(s.drifted_columns_period, ["a", "b"]);
        // accuracy from day 3 (HIGH by day 4), b from day 2: active; a: day 3-4, resolved at 6.
        let ids: Vec<_> = s.active_alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["ks-b-w1", "accuracy-w2"]);
        assert_eq!(s.resolved_alerts, 1);
        assert_eq!(s.alerts_by_severity[&Severity::High], 1);
        assert_eq!(s.alerts_by_severity[&Severity::Medium], 1);
        assert_eq!(s.alerts_by_severity[&Severity::Low], 0);

        let text = s.to_string();
        for line in [
            "  Period:            day 1 .. day 6 (6 windows, 1 empty)",
            "  Predictions:       140",
            "  Accuracy:          average 0.9375, current 0.8500 (day 4)",
            "  Trend:             declining (-0.0470 per window)",
            "  Drifted features:  1 of 2 in the last window (b); 2 over the period",
            "  Active alerts:     2 (HIGH 1, MEDIUM 1, LOW 0); 1 resolved",
            "    [HIGH] accuracy-w2: accuracy 0.8500 vs baseline 1.0000 (-15.0%), day 3 to day 4 (active)",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        // Which checks flagged something, and when: feature_drift on day 2 (b), perf on day 3.
        let d: Vec<(&str, Option<usize>, Vec<String>, usize)> = s
            .detections
            .iter()
            .map(|d| {
                (
                    d.check.as_str(),
                    d.first_window,
                    d.flagged.clone(),
                    d.alerts,
                )
            })
            .collect();
        assert_eq!(
            d,
            [
                ("feature_drift", Some(1), vec!["ks(b)".to_string()], 2),
                ("perf", Some(2), vec!["accuracy".to_string()], 1)
            ]
        );
        assert!(
            text.contains("    feature_drift  day 2: ks(b) (2 alerts)"),
            "{text}"
        );
        assert!(
            text.contains("    perf           day 3: accuracy (1 alert)"),
            "{text}"
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["detections"][0]["first_label"], "day 2");
        assert_eq!(json["alerts_by_severity"]["HIGH"], 1);
        assert_eq!(json["accuracy_trend"]["direction"], "declining");
        assert_eq!(json["period"]["first"], "day 1");
        let back: Summary = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn empty_period_is_not_an_error() {
        let s = Summary::build(&[], &[]);
        assert_eq!(
            (s.n_windows, s.average_accuracy, s.accuracy_trend),
            (0, None, None)
        );
        assert!(s.to_string().contains("average n/a, current n/a"));
    }
}
