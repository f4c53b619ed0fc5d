//! Rendering a run: [`RunReport`] is the entry point, with [`RunReport::render_text`],
//! [`RunReport::render_markdown`], [`RunReport::to_json`] and
//! [`RunReport::render_prometheus`]. Rendering returns strings; the CLI prints or writes
//! them.
//!
//! # JSON
//!
//! ```json
//! {
//!   "windows": [WindowReport, ...],
//!   "alerts":  [Alert, ...],
//!   "summary": Summary
//! }
//! ```
//!
//! A window is `{"index", "label", "n_rows", "findings", "metrics", "class_shares",
//! "drifted_columns", "checked_columns"}` as in [`WindowReport`]; each finding is
//! `{"monitor", "kind", "column", "method", "statistic", "p_value", "threshold",
//! "baseline", "status", "severity", "message"}` (non-finite numbers are `null`; `kind`
//! as [`driftwatch_core::FindingKind`] serialises it, e.g. `{"type": "drift"}`).
//!
//! [`RunReport::render_html`] lives in [`crate::html`], which depends on this module and
//! not the other way round. Alerts are as in
//! [`Alert`], the summary as documented in [`crate::summary`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use driftwatch_core::FindingKind;
use driftwatch_core::method::{ACCURACY, F1, PRECISION, RECALL};
use serde::{Deserialize, Serialize};

use crate::alert::{Alert, AlertState};
use crate::error::{Error, Result};
use crate::summary::Summary;
use crate::window_report::{WindowReport, span_of};

/// The metrics of the daily table, when the windows have them.
pub const TABLE_METRICS: [&str; 4] = [ACCURACY, PRECISION, RECALL, F1];

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// One report per window, in order.
    pub windows: Vec<WindowReport>,
    /// The alerts over those windows.
    pub alerts: Vec<Alert>,
    /// The period at a glance.
    pub summary: Summary,
    /// The reference bands the drift findings were judged by ([`crate::band`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<crate::band::Band>,
}

impl RunReport {
    /// The label of the window with this index (its number, 1-based, if unknown), so
    /// reports name windows as the user sees them in the table.
    pub fn window_label(&self, index: usize) -> String {
        self.windows
            .iter()
            .find(|w| w.index == index)
            .map_or_else(|| format!("window {}", index + 1), |w| w.label.clone())
    }

    /// A report of windows and the alerts evaluated over them (the summary is built).
    pub fn new(windows: Vec<WindowReport>, alerts: Vec<Alert>) -> Self {
        let summary = Summary::build(&windows, &alerts);
        RunReport {
            windows,
            alerts,
            summary,
            bands: Vec::new(),
        }
    }

    /// The same report, naming the bands its drift findings were judged by
    /// ([`crate::engine::Engine::bands`]).
    #[must_use]
    pub fn with_bands(mut self, bands: Vec<crate::band::Band>) -> Self {
        self.bands = bands;
        self
    }

    /// Pretty-printed JSON (see the module docs).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Serialize {
            what: "the report".into(),
            message: e.to_string(),
        })
    }

    /// The metric keys shown in the table: for each of [`TABLE_METRICS`], the key the
    /// windows use (`precision`, else `precision_weighted`, else another
    /// `precision_...`); when none is found, every plain (per-window) metric key.
    pub fn table_metrics(&self) -> Vec<String> {
        let keys: BTreeSet<&String> = self.windows.iter().flat_map(|w| w.metrics.keys()).collect();
        let found: Vec<String> = TABLE_METRICS
            .iter()
            .filter_map(|m| {
                let exact = keys.iter().find(|k| k.as_str() == *m);
                let weighted = keys.iter().find(|k| **k == &format!("{m}_weighted"));
                let prefixed = keys.iter().find(|k| k.starts_with(&format!("{m}_")));
                exact.or(weighted).or(prefixed).map(|k| k.to_string())
            })
            .collect();
        if found.is_empty() {
            keys.into_iter()
                .filter(|k| !k.contains(':'))
                .cloned()
                .collect()
        } else {
            found
        }
    }

    pub(crate) fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let metrics = self.table_metrics();
        let mut header = vec!["window".to_string(), "n".to_string()];
        header.extend(metrics.iter().cloned());
        header.push("drifted".into());
        header.push("alerts".into());
        let rows = self
            .windows
            .iter()
            .map(|w| {
                let mut row = vec![w.label.clone(), w.n_rows.to_string()];
                row.extend(metrics.iter().map(|m| {
                    w.metrics
                        .get(m)
                        .map_or_else(|| "-".into(), |v| format!("{v:.4}"))
                }));
                row.push(if w.checked_columns.is_empty() {
                    "-".into()
                } else {
                    format!("{}/{}", w.drifted_columns.len(), w.checked_columns.len())
                });
                let firing = self.alerts.iter().filter(|a| a.covers(w.index)).count();
                row.push(if firing == 0 {
                    "-".into()
                } else {
                    firing.to_string()
                });
                row
            })
            .collect();
        (header, rows)
    }

    /// The text report: the per-window table, the alerts, then the summary.
    pub fn render_text(&self) -> String {
        let (header, rows) = self.table();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                if i == 0 {
                    let _ = write!(s, "{cell:<w$}");
                } else {
                    let _ = write!(s, "{cell:>w$}");
                }
            }
            s.trim_end().to_string()
        };
        let mut out = String::new();
        out.push_str(&line(&header));
        out.push('\n');
        for row in &rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out.push('\n');
        if self.alerts.is_empty() {
            out.push_str("Alerts: none\n");
        } else {
            out.push_str("Alerts:\n");
            for a in &self.alerts {
                let _ = writeln!(out, "  {}: {a}", a.id);
            }
        }
        out.push('\n');
        let _ = write!(out, "{}", self.summary);
        if let Some(note) = self.band_note() {
            let _ = writeln!(out, "  Drift thresholds:  {note}");
        }
        out
    }

    /// `feature_drift, prediction_drift judged by reference bands (mean + 3 sd of 50
    /// reference chunks of 400 rows)`, or `None` without bands.
    pub fn band_note(&self) -> Option<String> {
        let first = self.bands.first()?;
        let mut monitors: Vec<&str> = self.bands.iter().map(|b| b.monitor.as_str()).collect();
        monitors.dedup();
        Some(format!(
            "{} judged by reference bands (mean + {} sd of {} reference chunks of {} rows)",
            monitors.join(", "),
            first.width,
            first.chunks,
            first.chunk_rows
        ))
    }

    /// The report in Markdown: summary bullets, the window table, the alert table.
    pub fn render_markdown(&self) -> String {
        let s = &self.summary;
        let opt = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"));
        let mut out = String::from("# driftwatch monitoring report\n\n## Summary\n\n");
        let _ = writeln!(
            out,
            "- **Period:** {} .. {} ({} windows, {} empty)",
            md(&s.period.first),
            md(&s.period.last),
            s.n_windows,
            s.empty_windows
        );
        let _ = writeln!(out, "- **Predictions:** {}", s.total_predictions);
        let _ = writeln!(
            out,
            "- **Accuracy:** average {}, current {}",
            opt(s.average_accuracy),
            opt(s.current_accuracy)
        );
        match &s.accuracy_trend {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "- **Trend:** {} ({:+.4} per window)",
                    t.direction, t.slope
                );
            }
            None => out.push_str("- **Trend:** n/a\n"),
        }
        if let Some(l) = &s.latency {
            let _ = writeln!(
                out,
                "- **Latency:** p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms ({}); worst p99 {:.3} ms ({})",
                l.p50,
                l.p95,
                l.p99,
                md(&l.window),
                l.max_p99,
                md(&l.max_p99_window)
            );
        }
        let _ = writeln!(
            out,
            "- **Drifted features:** {} of {} in the last window; {} over the period",
            s.drifted_features,
            s.total_features,
            s.drifted_columns_period.len()
        );
        let by = s
            .alerts_by_severity
            .iter()
            .rev()
            .map(|(sev, n)| format!("{sev} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "- **Active alerts:** {} ({by})", s.active_alerts.len());
        if let Some(note) = self.band_note() {
            let _ = writeln!(out, "- **Drift thresholds:** {}", md(&note));
        }
        if !s.detections.is_empty() {
            out.push_str("- **First flagged** (per check, the first window of its first alert):\n");
            for d in &s.detections {
                let _ = writeln!(out, "  - `{}`: {}", d.check, md(&d.describe()));
            }
        }

        out.push_str("\n## Windows\n\n");
        let (header, rows) = self.table();
        let _ = writeln!(
            out,
            "| {} |",
            header.iter().map(|h| md(h)).collect::<Vec<_>>().join(" | ")
        );
        let align: Vec<&str> = (0..header.len())
            .map(|i| if i == 0 { "---" } else { "---:" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for row in rows {
            let _ = writeln!(
                out,
                "| {} |",
                row.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")
            );
        }

        out.push_str("\n## Alerts\n\n");
        if self.alerts.is_empty() {
            out.push_str("None.\n");
        } else {
            out.push_str(
                "| id | severity | state | what | value | baseline | change | worst | windows |\n",
            );
            out.push_str("|---|---|---|---|---:|---:|---:|---|---|\n");
            for a in &self.alerts {
                let state = match a.state {
                    AlertState::Active => "active".to_string(),
                    AlertState::Resolved => format!(
                        "resolved{}",
                        a.resolved_window
                            .map_or_else(String::new, |w| format!(" at {}", self.window_label(w)))
                    ),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} .. {} |",
                    md(&a.id),
                    a.severity,
                    state,
                    md(&a.subject()),
                    opt(a.value),
                    opt(a.baseline),
                    current_change(a),
                    md(&a.worst_text().unwrap_or_default()),
                    md(&a.first_label),
                    md(&a.last_label),
                );
            }
        }
        out
    }

    /// Prometheus text exposition of the latest state: each metric of the last window
    /// that has it, drifted and checked features of the last window with drift
    /// findings, active alerts by severity, and the predictions of the period.
    pub fn render_prometheus(&self) -> String {
        let s = &self.summary;
        let mut out = String::new();
        out.push_str("# HELP driftwatch_metric Latest value of each metric.\n");
        out.push_str("# TYPE driftwatch_metric gauge\n");
        let keys: BTreeSet<&String> = self.windows.iter().flat_map(|w| w.metrics.keys()).collect();
        for k in keys {
            if let Some(v) = self.windows.iter().rev().find_map(|w| w.metrics.get(k)) {
                let _ = writeln!(
                    out,
                    "driftwatch_metric{{metric=\"{}\"}} {}",
                    prom_label(k),
                    prom_value(*v)
                );
            }
        }
        out.push_str(
            "# HELP driftwatch_drifted_features Drifted features in the last window checked.\n",
        );
        out.push_str("# TYPE driftwatch_drifted_features gauge\n");
        let _ = writeln!(out, "driftwatch_drifted_features {}", s.drifted_features);
        out.push_str(
            "# HELP driftwatch_checked_features Features checked for drift in that window.\n",
        );
        out.push_str("# TYPE driftwatch_checked_features gauge\n");
        let _ = writeln!(out, "driftwatch_checked_features {}", s.total_features);
        self.prometheus_drift(&mut out);
        self.prometheus_latency(&mut out);
        out.push_str("# HELP driftwatch_active_alerts Active alerts by severity.\n");
        out.push_str("# TYPE driftwatch_active_alerts gauge\n");
        for (sev, n) in &s.alerts_by_severity {
            let _ = writeln!(out, "driftwatch_active_alerts{{severity=\"{sev}\"}} {n}");
        }
        out.push_str("# HELP driftwatch_predictions Predictions in the period.\n");
        out.push_str("# TYPE driftwatch_predictions gauge\n");
        let _ = writeln!(out, "driftwatch_predictions {}", s.total_predictions);
        out
    }
}

impl RunReport {
    /// Per-feature drift statistic, p-value and verdict of the last window with drift
    /// findings (`driftwatch_drift_*{feature, test}`).
    fn prometheus_drift(&self, out: &mut String) {
        let Some(w) = self
            .windows
            .iter()
            .rev()
            .find(|w| !w.checked_columns.is_empty())
        else {
            return;
        };
        let drift: Vec<&driftwatch_core::Finding> = w
            .findings
            .iter()
            .filter(|f| {
                // The window's own checks: a rolling span's findings would repeat the
                // same {feature, test} series.
                f.kind == FindingKind::Drift
                    && span_of(&f.monitor).is_none()
                    && f.column
                        .as_ref()
                        .is_some_and(|c| w.checked_columns.binary_search(c).is_ok())
            })
            .collect();
        let series: [(&str, &str, FindingValue); 3] = [
            (
                "driftwatch_drift_statistic",
                "Drift statistic per feature in the last window checked.",
                |f| Some(f.statistic),
            ),
            (
                "driftwatch_drift_p_value",
                "Drift test p-value per feature in the last window checked (tests with one).",
                |f| f.p_value,
            ),
            (
                "driftwatch_drift_detected",
                "1 when the feature drifted in the last window checked, else 0.",
                |f| {
                    Some(f64::from(u8::from(
                        f.status == driftwatch_core::Status::Alert,
                    )))
                },
            ),
        ];
        for (name, help, value) in series {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for f in &drift {
                if let (Some(col), Some(v)) = (&f.column, value(f)) {
                    let _ = writeln!(
                        out,
                        "{name}{{feature=\"{}\",test=\"{}\"}} {}",
                        prom_label(col),
                        prom_label(&f.method),
                        prom_value(v)
                    );
                }
            }
        }
    }

    /// Latency percentiles of the last window the `latency` monitor judged.
    fn prometheus_latency(&self, out: &mut String) {
        let Some(l) = &self.summary.latency else {
            return;
        };
        out.push_str("# HELP driftwatch_latency_ms Prediction latency percentiles (ms) of the last window with latency.\n");
        out.push_str("# TYPE driftwatch_latency_ms gauge\n");
        for (q, v) in [("0.5", l.p50), ("0.95", l.p95), ("0.99", l.p99)] {
            let _ = writeln!(
                out,
                "driftwatch_latency_ms{{quantile=\"{q}\"}} {}",
                prom_value(v)
            );
        }
    }
}

/// The latest change from the baseline as a signed percentage, with the current
/// severity when an earlier window was worse: `-6.7% (MEDIUM now)`.
pub(crate) fn current_change(a: &Alert) -> String {
    let change = a
        .change()
        .map_or_else(String::new, |c| format!("{:+.1}%", c * 100.0));
    match a.earlier_worst() {
        Some(_) if a.current_severity != a.severity => {
            format!("{change} ({} now)", a.current_severity)
                .trim_start()
                .to_string()
        }
        _ => change,
    }
}

/// Reads one number of a finding for a Prometheus series.
type FindingValue = fn(&driftwatch_core::Finding) -> Option<f64>;

/// A sample value as Prometheus spells it (`NaN`, `+Inf`, `-Inf` for non-finite).
fn prom_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

/// A Markdown table cell: pipes escaped, newlines flattened.
pub(crate) use driftwatch_core::escape::markdown_cell as md;

/// A Prometheus label value: backslash, quote and newline escaped.
fn prom_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertPolicy;
    use crate::alert::tests::{ks, metric};

    fn run() -> RunReport {
        let rows = [
            (1.0, 0.5),
            (0.96, 0.5),
            (0.94, 0.01),
            (0.85, 0.01),
            (0.99, 0.5),
        ];
        let windows: Vec<WindowReport> = rows
            .iter()
            .enumerate()
            .map(|(i, &(acc, p))| {
                WindowReport::from_findings(
                    i,
                    format!("day {}", i + 1),
                    30,
                    vec![
                        metric("perf", "accuracy", acc, 1.0),
                        metric("perf", "precision_weighted", acc, 1.0),
                        metric("perf", "recall:setosa", 1.0, 1.0),
                        ks("petal | width", p),
                        ks("sepal width", 0.5),
                    ],
                )
            })
            .collect();
        let alerts = AlertPolicy {
            metrics: Some(vec!["accuracy".into()]),
            ..AlertPolicy::default()
        }
        .evaluate(&windows);
        RunReport::new(windows, alerts)
    }

    #[test]
    fn text_has_the_daily_table_alerts_and_summary() {
        let r = run();
        assert_eq!(r.table_metrics(), ["accuracy", "precision_weighted"]);
        let text = r.render_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "window   n  accuracy  precision_weighted  drifted  alerts"
        );
        assert_eq!(
            lines[1],
            "day 1   30    1.0000              1.0000      0/2       -"
        );
        assert_eq!(
            lines[4],
            "day 4   30    0.8500              0.8500      1/2       2"
        );
        assert_eq!(
            lines[5],
            "day 5   30    0.9900              0.9900      0/2       -"
        );
        assert!(text.contains(
            "  accuracy-w2: HIGH accuracy 0.8500 vs baseline 1.0000 (-15.0%), day 3 to day 4 (resolved)"
        ), "{text}");
        assert!(
            text.contains("ks-petal_width-w2: MEDIUM ks(petal | width) 0.3000 p=1.000e-2"),
            "{text}"
        );
        assert!(
            text.contains("  Active alerts:     0 (HIGH 0, MEDIUM 0, LOW 0); 2 resolved"),
            "{text}"
        );
    }

    #[test]
    fn markdown_and_json() {
        let r = run();
        let md = r.render_markdown();
        assert!(
            md.contains("| window | n | accuracy | precision_weighted | drifted | alerts |"),
            "{md}"
        );
        assert!(
            md.contains("| day 4 | 30 | 0.8500 | 0.8500 | 1/2 | 2 |"),
            "{md}"
        );
        assert!(md.contains("| accuracy-w2 | HIGH | resolved at day 5 | accuracy | 0.8500 | 1.0000 | -15.0% |  | day 3 .. day 4 |"), "{md}");
        assert!(md.contains("ks(petal \\| width)"), "{md}");

        let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
        assert_eq!(json["windows"].as_array().unwrap().len(), 5);
        assert_eq!(json["windows"][3]["metrics"]["accuracy"], 0.85);
        assert_eq!(json["alerts"][0]["id"], "accuracy-w2");
        assert_eq!(json["alerts"][0]["severity"], "HIGH");
        assert_eq!(json["summary"]["n_windows"], 5);
        let back: RunReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn prometheus_text() {
        let p = run().render_prometheus();
        assert!(
            p.contains("driftwatch_metric{metric=\"accuracy\"} 0.99\n"),
            "{p}"
        );
        assert!(
            p.contains("driftwatch_metric{metric=\"recall:setosa\"} 1\n"),
            "{p}"
        );
        assert!(
            p.contains("\ndriftwatch_drifted_features 0\n")
                && p.contains("\ndriftwatch_checked_features 2\n"),
            "{p}"
        );
        assert!(
            p.contains("driftwatch_active_alerts{severity=\"HIGH\"} 0\n"),
            "{p}"
        );
        assert!(p.contains("driftwatch_predictions 150\n"), "{p}");
        assert_eq!(prom_label("a\"b\\"), "a\\\"b\\\\");
    }

    #[test]
    fn regression_tables_show_plain_metrics() {
        let w = WindowReport::from_findings(
            0,
            "rows 0..10",
            10,
            vec![
                metric("reg", "rmse", 2.0, 2.0),
                metric("reg", "mae", 1.0, 1.0),
            ],
        );
        let r = RunReport::new(vec![w], vec![]);
        assert_eq!(r.table_metrics(), ["mae", "rmse"]);
        assert!(r.render_text().contains("Alerts: none"));
    }
}
