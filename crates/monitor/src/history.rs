//! The run history, one JSON line per window: [`append`] and [`read`] are the entry
//! points.
//!
//! The functions take a writer or reader, never a path: the CLI opens the file (in
//! append mode for [`append`]) and passes it, and passes its name to [`read`] so that a
//! corrupt line is reported as `history.jsonl line 7: ...`.
//!
//! Each line is one [`HistoryEntry`] object:
//!
//! ```json
//! {"version":1,"window":3,"label":"2024-03-04T00:00:00Z","n_rows":30,
//!  "metrics":{"accuracy":0.9},"class_shares":{"setosa":0.3},
//!  "drifted_columns":["petal width (cm)"],"checked_columns":["petal width (cm)"],
//!  "alerts":["accuracy-w2"],"findings":[{"monitor":"feature_drift", ...}]}
//! ```
//!
//! An entry keeps every finding of its window, so alerts can be evaluated again over the
//! whole history ([`HistoryEntry::to_report`] then [`crate::AlertPolicy::evaluate`]) when
//! each run adds one window. Numbers that are not finite are written as `null`.
//!
//! Lines written before findings had a `kind` read back with one inferred by the rules
//! of that time (see [`HistoryFinding::kind`]).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};

use driftwatch_core::{Finding, FindingKind, Severity, Status};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::error::{Error, Result};
use crate::window_report::{ENGINE_MONITOR, ERROR_METHOD, WindowReport};

/// The version of the line format written by this crate.
pub const FORMAT_VERSION: u32 = 1;

/// One window of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Line format version ([`FORMAT_VERSION`]).
    #[serde(default = "default_version")]
    pub version: u32,
    /// Window index.
    pub window: usize,
    /// Window label.
    pub label: String,
    /// Number of rows (predictions) in the window.
    pub n_rows: usize,
    /// Metric values (see [`WindowReport::metrics`]).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Share of each predicted class.
    #[serde(default)]
    pub class_shares: BTreeMap<String, f64>,
    /// Columns found drifting.
    #[serde(default)]
    pub drifted_columns: Vec<String>,
    /// Columns checked for drift.
    #[serde(default)]
    pub checked_columns: Vec<String>,
    /// Ids of the alerts firing in this window.
    #[serde(default)]
    pub alerts: Vec<String>,
    /// Every finding of the window.
    #[serde(default)]
    pub findings: Vec<HistoryFinding>,
}

fn default_version() -> u32 {
    FORMAT_VERSION
}

/// A [`Finding`] as stored: non-finite numbers become `None` (JSON `null`) so that every
/// line reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryFinding {
    /// The monitor's registered name.
    pub monitor: String,
    /// What the finding is. `None` in lines written before kinds existed; those read
    /// back as an error (method `error`), info (the engine's own findings), a metric
    /// where higher is better (with a baseline: so a lower-is-better share of such an
    /// old line is judged the wrong way round when alerts are evaluated again) or
    /// drift (the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FindingKind>,
    /// The column, for per-column checks.
    #[serde(default)]
    pub column: Option<String>,
    /// The metric or test.
    pub method: String,
    /// The measured value.
    pub statistic: Option<f64>,
    /// The p-value.
    #[serde(default)]
    pub p_value: Option<f64>,
    /// The threshold.
    pub threshold: Option<f64>,
    /// The baseline, for metrics.
    #[serde(default)]
    pub baseline: Option<f64>,
    /// The verdict.
    pub status: Status,
    /// How bad.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Detail.
    #[serde(default)]
    pub message: String,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl From<&Finding> for HistoryFinding {
    fn from(f: &Finding) -> Self {
        HistoryFinding {
            monitor: f.monitor.clone(),
            kind: Some(f.kind),
            column: f.column.clone(),
            method: f.method.clone(),
            statistic: finite(f.statistic),
            p_value: f.p_value.and_then(finite),
            threshold: finite(f.threshold),
            baseline: f.baseline.and_then(finite),
            status: f.status,
            severity: f.severity,
            message: f.message.clone(),
        }
    }
}

impl From<&HistoryFinding> for Finding {
    fn from(f: &HistoryFinding) -> Self {
        Finding {
            monitor: f.monitor.clone(),
            kind: f.kind.unwrap_or_else(|| f.legacy_kind()),
            column: f.column.clone(),
            method: f.method.clone(),
            statistic: f.statistic.unwrap_or(f64::NAN),
            p_value: f.p_value,
            threshold: f.threshold.unwrap_or(f64::NAN),
            baseline: f.baseline,
            status: f.status,
            severity: f.severity,
            message: f.message.clone(),
            bounds: None,
            sampling_error: None,
        }
    }
}

impl HistoryFinding {
    /// The kind of a finding stored without one, by the rules that held then.
    fn legacy_kind(&self) -> FindingKind {
        if self.method == ERROR_METHOD {
            FindingKind::Error
        } else if self.monitor == ENGINE_MONITOR {
            FindingKind::Info
        } else if self.baseline.is_some() {
            FindingKind::Metric {
                higher_is_better: true,
            }
        } else {
            FindingKind::Drift
        }
    }
}

impl HistoryEntry {
    /// The entry of one window; `alerts` are all alerts of the run (those firing in this
    /// window are recorded by id).
    pub fn from_report(report: &WindowReport, alerts: &[Alert]) -> Self {
        HistoryEntry {
            version: FORMAT_VERSION,
            window: report.index,
            label: report.label.clone(),
            n_rows: report.n_rows,
            metrics: report.metrics.clone(),
            class_shares: report.class_shares.clone(),
            drifted_columns: report.drifted_columns.clone(),
            checked_columns: report.checked_columns.clone(),
            alerts: alerts
                .iter()
                .filter(|a| a.covers(report.index))
                .map(|a| a.id.clone())
                .collect(),
            findings: report.findings.iter().map(HistoryFinding::from).collect(),
        }
    }

    /// The window report again, e.g. to evaluate alerts over a whole history.
    pub fn to_report(&self) -> WindowReport {
        WindowReport {
            labelled_rows: None,
            index: self.window,
            label: self.label.clone(),
            n_rows: self.n_rows,
            findings: self.findings.iter().map(Finding::from).collect(),
            metrics: self.metrics.clone(),
            class_shares: self.class_shares.clone(),
            drifted_columns: self.drifted_columns.clone(),
            checked_columns: self.checked_columns.clone(),
        }
    }
}

/// One entry per report, in order.
pub fn entries(reports: &[WindowReport], alerts: &[Alert]) -> Vec<HistoryEntry> {
    reports
        .iter()
        .map(|r| HistoryEntry::from_report(r, alerts))
        .collect()
}

/// The index the next window should get to continue a history (0 when empty).
pub fn next_index(entries: &[HistoryEntry]) -> usize {
    entries.iter().map(|e| e.window + 1).max().unwrap_or(0)
}

/// Writes the entries as JSON lines (one per entry, each ending in a newline) and
/// flushes.
pub fn append(mut out: impl Write, entries: &[HistoryEntry]) -> Result<()> {
    let write_err = |source| Error::Write {
        what: "the history".into(),
        source,
    };
    for e in entries {
        let line = serde_json::to_string(e).map_err(|err| Error::Serialize {
            what: format!("history entry of window {}", e.window),
            message: err.to_string(),
        })?;
        out.write_all(line.as_bytes()).map_err(write_err)?;
        out.write_all(b"\n").map_err(write_err)?;
    }
    out.flush().map_err(write_err)
}

/// Reads every entry (blank lines skipped), keeping those with `window >= since` when
/// `since` is given. `input_name` (the file name) is used in error messages, which name
/// the line: `history.jsonl line 7: expected ...`.
pub fn read(input: impl Read, input_name: &str, since: Option<usize>) -> Result<Vec<HistoryEntry>> {
    let mut out = Vec::new();
    for (i, line) in BufReader::new(input).lines().enumerate() {
        let line_no = i + 1;
        let err = |message: String| Error::History {
            input: input_name.to_string(),
            line: line_no,
            message,
        };
        let line = line.map_err(|e| err(format!("cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: HistoryEntry = serde_json::from_str(&line).map_err(|e| {
            err(format!(
                "not a history entry ({e}); fix or delete this line (each line is one JSON object)"
            ))
        })?;
        if entry.version > FORMAT_VERSION {
            return Err(err(format!(
                "format version {} is newer than this driftwatch reads ({FORMAT_VERSION}); upgrade driftwatch",
                entry.version
            )));
        }
        if since.is_none_or(|s| entry.window >= s) {
            out.push(entry);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertPolicy;
    use crate::alert::tests::{ks, metric};

    fn run() -> (Vec<WindowReport>, Vec<Alert>) {
        let mut err = metric("perf", ERROR_METHOD, f64::NAN, 0.0);
        err.kind = FindingKind::Error;
        err.baseline = None;
        err.status = Status::Alert;
        let series = [
            vec![metric("perf", "accuracy", 1.0, 1.0), ks("x", 0.5)],
            vec![metric("perf", "accuracy", 0.9, 1.0), ks("x", 0.01)],
            vec![metric("perf", "accuracy", 0.97, 1.0), ks("x", 0.5), err],
        ];
        let mut reports: Vec<_> = series
            .iter()
            .enumerate()
            .map(|(i, f)| WindowReport::from_findings(i, format!("day {}", i + 1), 30, f.clone()))
            .collect();
        reports[0].class_shares = BTreeMap::from([("a".into(), 0.4), ("b".into(), 0.6)]);
        let alerts = AlertPolicy::default().evaluate(&reports);
        (reports, alerts)
    }

    #[test]
    fn round_trip_keeps_everything() {
        let (reports, alerts) = run();
        let written = entries(&reports, &alerts);
        assert_eq!(written[1].alerts, ["accuracy-w1", "ks-x-w1"]);
        assert_eq!(written[1].drifted_columns, ["x"]);
        assert!(written[0].alerts.is_empty());
        let mut buf = Vec::new();
        append(&mut buf, &written[..2]).unwrap();
        append(&mut buf, &written[2..]).unwrap();
        let text = String::from_utf8(buf.clone()).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.contains(r#""statistic":null"#), "{text}");
        let back = read(buf.as_slice(), "history.jsonl", None).unwrap();
        assert_eq!(back, written);
        assert_eq!(next_index(&back), 3);
        // Alerts evaluated again over the history agree with the run's.
        let again: Vec<_> = back.iter().map(HistoryEntry::to_report).collect();
        assert_eq!(again[..2], reports[..2]);
        assert!(again[2].findings[2].statistic.is_nan());
        assert_eq!(AlertPolicy::default().evaluate(&again), alerts);
        let recent = read(buf.as_slice(), "history.jsonl", Some(2)).unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].window, 2);
    }

    /// A line of an older driftwatch, whose findings have no kind, reads back with the
    /// kinds the old rules gave them, and its alerts evaluate as they did.
    #[test]
    fn lines_without_kinds_read_with_the_old_rules() {
        let (reports, alerts) = run();
        let mut buf = Vec::new();
        append(&mut buf, &entries(&reports, &alerts)).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let kind_field = regex_free_strip_kinds(&text);
        assert!(!kind_field.contains("\"kind\""));
        let back = read(kind_field.as_bytes(), "old.jsonl", None).unwrap();
        let again: Vec<_> = back.iter().map(HistoryEntry::to_report).collect();
        let kinds: Vec<FindingKind> = again[2].findings.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FindingKind::Metric {
                    higher_is_better: true
                },
                FindingKind::Drift,
                FindingKind::Error
            ]
        );
        assert_eq!(AlertPolicy::default().evaluate(&again), alerts);
    }

    /// Removes every `"kind":{...},` of the findings (no nested braces inside a kind).
    fn regex_free_strip_kinds(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("\"kind\":{") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find("},").map_or(rest.len(), |j| i + j + 2);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn corrupt_lines_are_named() {
        let (reports, alerts) = run();
        let mut buf = Vec::new();
        append(&mut buf, &entries(&reports, &alerts)).unwrap();
        buf.extend_from_slice(b"\n{\"window\": 3, \"label\": \"day 4\"");
        let e = read(buf.as_slice(), "history.jsonl", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("history.jsonl line 5: not a history entry"),
            "{e}"
        );
        let e = read(
            &b"{\"version\":9,\"window\":0,\"label\":\"\",\"n_rows\":0}"[..],
            "h",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("h line 1: format version 9"), "{e}");
        let e = read(&b"\xff\xfe\n"[..], "h", None).unwrap_err().to_string();
        assert!(e.contains("h line 1: cannot read"), "{e}");
        assert!(read(&b""[..], "h", None).unwrap().is_empty());
    }
}
