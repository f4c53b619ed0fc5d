//! `driftwatch history`: print the window history that `driftwatch monitor --history`
//! appended, so trends can be read across daily runs.

use anyhow::{Context, Result};
use driftwatch_metrics::{LATENCY_P95, MISSING_SHARE};
use driftwatch_monitor::HistoryEntry;
use driftwatch_monitor::history;
use driftwatch_monitor::window::parse_timestamp;

use crate::args::HistoryArgs;
use crate::output::{Format, emit, print_json};

/// Which entries `--since` keeps.
enum Since {
    /// Window index at least this.
    Index(usize),
    /// Windows labelled by time, starting at or after this (seconds since 1970).
    Time(i64),
}

fn parse_since(s: &str) -> Result<Since> {
    if let Ok(n) = s.trim().parse::<usize>() {
        return Ok(Since::Index(n));
    }
    parse_timestamp(s)
        .map(Since::Time)
        .with_context(|| format!("--since {s}: give a window index (e.g. 3) or an RFC 3339 date-time (2024-03-01T00:00:00Z)"))
}

pub fn run(a: &HistoryArgs) -> Result<i32> {
    let name = a.file.display().to_string();
    let since = a.since.as_deref().map(parse_since).transpose()?;
    let file = std::fs::File::open(&a.file).with_context(|| {
        format!("opening history file {name} (written by `driftwatch monitor --history {name}`)")
    })?;
    let index = match since {
        Some(Since::Index(n)) => Some(n),
        _ => None,
    };
    let mut entries = history::read(file, &name, index)?;
    if let Some(Since::Time(t)) = since {
        // Windows not labelled by time (row windows) have no start to compare.
        entries.retain(|e| parse_timestamp(&e.label).is_ok_and(|start| start >= t));
    }
    match a.format {
        Format::Json => print_json(&entries)?,
        Format::Text => emit(&render_text(&entries), None, "the history")?,
    }
    Ok(0)
}

/// One line per window: index, label, rows, the window-wide metrics, the highest
/// per-column missing share, drifted columns, latency p95 when logged, and the alerts
/// firing in it.
fn render_text(entries: &[HistoryEntry]) -> String {
    if entries.is_empty() {
        return "no history entries\n".into();
    }
    let mut out = format!(
        "{:>6}  {:<22} {:>7}  {:<56} {:>8} {:>9} {:>9}  {}\n",
        "window", "label", "rows", "metrics", "missing", "drifted", "p95 ms", "alerts"
    );
    for e in entries {
        let metrics = e
            .metrics
            .iter()
            // Per-column metrics (`missing_share:x`) are summed up in their own column.
            .filter(|(k, _)| !k.contains(':'))
            .map(|(k, v)| format!("{k}={v:.3}"))
            .collect::<Vec<_>>()
            .join(" ");
        let missing = e
            .metrics
            .iter()
            .filter(|(k, _)| {
                k.strip_prefix(MISSING_SHARE)
                    .is_some_and(|rest| rest.starts_with(':'))
            })
            .map(|(_, v)| *v)
            .reduce(f64::max)
            .map_or_else(|| "-".into(), |v| format!("{:.1}%", v * 100.0));
        let p95 = e
            .findings
            .iter()
            .find(|f| f.method == LATENCY_P95)
            .and_then(|f| f.statistic)
            .map_or_else(|| "-".into(), |v| format!("{v:.3}"));
        out.push_str(&format!(
            "{:>6}  {:<22} {:>7}  {:<56} {:>8} {:>9} {:>9}  {}\n",
            e.window,
            e.label,
            e.n_rows,
            if metrics.is_empty() { "-" } else { &metrics },
            missing,
            format!("{}/{}", e.drifted_columns.len(), e.checked_columns.len()),
            p95,
            if e.alerts.is_empty() {
                "-".into()
            } else {
                e.alerts.join(", ")
            },
        ));
    }
    out
}
