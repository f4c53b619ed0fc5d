//! Splitting the current data into windows: [`split`] is the entry point.
//!
//! A [`WindowSpec`] says how: every row in one window ([`WindowSpec::All`]), fixed
//! row counts ([`WindowSpec::Rows`]) or fixed spans of time on the timestamps
//! ([`WindowSpec::Every`]). Time windows are aligned to the earliest timestamp and
//! cover `[start + k * span, start + (k + 1) * span)`; a span with no rows still gives a
//! window (with zero rows, reported by the engine), so window `k` always means the same
//! stretch of time.

use std::fmt;
use std::str::FromStr;

use driftwatch_core::{Categorical, Column, Probabilities, Target, Window};
use ndarray::Axis;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The most windows one split may produce; more is almost surely a bad timestamp or a
/// span in the wrong unit, and would exhaust memory with empty windows.
pub const MAX_WINDOWS: usize = 100_000;

/// How to cut the current data into windows.
///
/// Serialised as `"all"`, `{"rows": 1000}` or `{"every": 86400}` (seconds); parsed
/// from text by [`FromStr`] as `all`, `rows:1000`, `every:86400` or `every:1d`
/// (units `s`, `m`, `h`, `d`, `w`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowSpec {
    /// Everything in one window.
    All,
    /// Consecutive windows of this many rows (the last may be shorter).
    Rows(usize),
    /// Windows spanning this many seconds of the timestamps.
    Every(i64),
}

impl fmt::Display for WindowSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowSpec::All => f.write_str("all"),
            WindowSpec::Rows(n) => write!(f, "rows:{n}"),
            WindowSpec::Every(s) => write!(f, "every:{s}"),
        }
    }
}

impl FromStr for WindowSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |message: &str| {
            Error::config(
                format!("window spec '{s}'"),
                format!("{message}; use all, rows:N or every:DURATION (e.g. every:1d, every:3600)"),
            )
        };
        let s_trim = s.trim();
        if s_trim.eq_ignore_ascii_case("all") {
            return Ok(WindowSpec::All);
        }
        let (kind, value) = s_trim.split_once(':').ok_or_else(|| bad("missing ':'"))?;
        let value = value.trim();
        match kind.trim().to_ascii_lowercase().as_str() {
            "rows" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| bad("the row count is not a whole number"))?;
                WindowSpec::Rows(n).checked()
            }
            "every" => {
                let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
                    Some(i) => value.split_at(i),
                    None => (value, "s"),
                };
                let n: i64 = digits
                    .parse()
                    .map_err(|_| bad("the span is not a whole number"))?;
                let scale = match unit.trim() {
                    "s" => 1,
                    "m" => 60,
                    "h" => 3_600,
                    "d" => 86_400,
                    "w" => 604_800,
                    _ => return Err(bad("unknown unit (s, m, h, d, w)")),
                };
                let seconds = n.checked_mul(scale).ok_or_else(|| bad("span too large"))?;
                WindowSpec::Every(seconds).checked()
            }
            _ => Err(bad("unknown kind")),
        }
    }
}

impl WindowSpec {
    /// Checks the parameters: row counts and spans must be positive.
    pub fn check(&self) -> Result<()> {
        match *self {
            WindowSpec::Rows(0) => Err(Error::config(
                "window spec rows",
                "a window needs at least 1 row",
            )),
            WindowSpec::Every(s) if s <= 0 => Err(Error::config(
                "window spec every",
                format!("the span must be a positive number of seconds, got {s}"),
            )),
            _ => Ok(()),
        }
    }

    fn checked(self) -> Result<Self> {
        self.check().map(|()| self)
    }
}

/// Splits `current` into windows as `spec` says, in order.
///
/// Labels are `rows 0..1000` (0-based data rows, end exclusive) for row windows and the window's start
/// time in RFC 3339 (`2024-03-01T00:00:00Z`) for time windows; [`WindowSpec::All`]
/// keeps the input's label, or `rows 0..n` when it has none. Rows keep their input order
/// within a window.
///
/// Errors: an empty input, a spec out of range, parts of the window (features,
/// predictions, labels, probabilities, timestamps) of different lengths, time windows
/// without timestamps, or more than [`MAX_WINDOWS`] windows.
pub fn split(current: &Window, spec: &WindowSpec) -> Result<Vec<Window>> {
    split_rows(current, spec, None)
}

/// Where the rows of a window came from in the input file, when some input rows were
/// left out (schema validation): the 0-based data row of each kept row, in order, and
/// how many data rows the input had.
#[derive(Debug, Clone, Copy)]
pub struct FileRows<'a> {
    /// The input data row of each row of the window, increasing.
    pub kept: &'a [usize],
    /// Data rows in the input, left-out ones included.
    pub total: usize,
}

/// Like [`split`], counting rows as the input file does: [`WindowSpec::Rows`] windows
/// cover `size` rows of the file (rows left out by validation included, so a window may
/// hold fewer), and labels name file rows, as the messages about skipped rows do. Window
/// `k` is always file rows `k * size .. (k + 1) * size`; a stretch of the file whose rows
/// were all left out gives an empty window, which the engine reports.
///
/// Errors: as [`split`], and `rows.kept` not increasing, not below `rows.total`, or not
/// one per row of `current`.
pub fn split_in_file(
    current: &Window,
    spec: &WindowSpec,
    rows: FileRows<'_>,
) -> Result<Vec<Window>> {
    split_rows(current, spec, Some(rows))
}

fn split_rows(
    current: &Window,
    spec: &WindowSpec,
    file: Option<FileRows<'_>>,
) -> Result<Vec<Window>> {
    spec.check()?;
    let n = check_lengths(current)?;
    if n == 0 {
        return Err(driftwatch_core::Error::Empty(describe(current)).into());
    }
    if let Some(f) = file {
        let increasing = f.kept.windows(2).all(|p| p[0] < p[1]);
        if f.kept.len() != n || !increasing || f.kept.last().is_some_and(|&r| r >= f.total) {
            return Err(driftwatch_core::Error::Shape(format!(
                "{}: {} rows, but {} file row numbers (increasing, below {}) were given",
                describe(current),
                n,
                f.kept.len(),
                f.total
            ))
            .into());
        }
    }
    // Row positions as the user counts them: file rows when known.
    let total = file.map_or(n, |f| f.total);
    match *spec {
        WindowSpec::All => {
            let mut w = current.clone();
            if w.label.is_empty() {
                w.label = format!("rows 0..{total}");
            }
            Ok(vec![w])
        }
        WindowSpec::Rows(size) => {
            let count = total.div_ceil(size);
            if count > MAX_WINDOWS {
                return Err(too_many(count, spec));
            }
            let mut next = 0;
            (0..count)
                .map(|k| {
                    let start = k * size;
                    let end = (start + size).min(total);
                    let Some(f) = file else {
                        let rows: Vec<usize> = (start..end).collect();
                        return take(current, &rows, format!("rows {start}..{end}"));
                    };
                    let from = next;
                    while next < n && f.kept[next] < end {
                        next += 1;
                    }
                    let rows: Vec<usize> = (from..next).collect();
                    let mut w = take(current, &rows, format!("rows {start}..{end}"))?;
                    if let Some(r) = w.rejected.as_mut() {
                        *r = rejected_in(&f.kept[from..next], start, end);
                    }
                    Ok(w)
                })
                .collect()
        }
        WindowSpec::Every(span) => {
            let ts = current.timestamps.as_ref().ok_or_else(|| {
                Error::config(
                    format!("window spec {spec}"),
                    format!(
                        "{} has no timestamps: give a timestamp column, or split by rows",
                        describe(current)
                    ),
                )
            })?;
            let t0 = ts.iter().copied().min().unwrap_or(0);
            let buckets: Vec<usize> = ts
                .iter()
                .map(|&t| {
                    // i128 so that no pair of i64 timestamps can overflow.
                    let k = (i128::from(t) - i128::from(t0)) / i128::from(span);
                    usize::try_from(k).unwrap_or(usize::MAX)
                })
                .collect();
            let last = buckets.iter().copied().max().unwrap_or(0);
            if last >= MAX_WINDOWS {
                return Err(too_many(last.saturating_add(1), spec));
            }
            let mut rows: Vec<Vec<usize>> = vec![Vec::new(); last + 1];
            for (row, &k) in buckets.iter().enumerate() {
                rows[k].push(row);
            }
            let empty: Vec<usize> = (0..rows.len()).filter(|&k| rows[k].is_empty()).collect();
            if !empty.is_empty() {
                tracing::warn!(
                    count = empty.len(),
                    windows = ?empty,
                    "time windows without rows; they are kept so window numbers stay aligned"
                );
            }
            rows.iter()
                .enumerate()
                .map(|(k, rows)| {
                    // k <= MAX_WINDOWS and span > 0, so start fits in i128 without overflow.
                    let start = i128::from(t0) + k as i128 * i128::from(span);
                    take(current, rows, time_label(start)?)
                })
                .collect()
        }
    }
}

fn describe(w: &Window) -> String {
    if w.label.is_empty() {
        "the current data".to_string()
    } else {
        format!("window '{}'", w.label)
    }
}

fn too_many(count: usize, spec: &WindowSpec) -> Error {
    Error::config(
        format!("window spec {spec}"),
        format!(
            "it gives {count} windows, more than the limit of {MAX_WINDOWS}: check the \
             timestamps (seconds since 1970) and the span"
        ),
    )
}

/// The number of rows, after checking that every part of the window has it.
fn check_lengths(w: &Window) -> Result<usize> {
    let n = w.n_rows();
    let mut parts: Vec<(&str, usize)> = Vec::new();
    if w.features.n_cols() > 0 {
        parts.push(("features", w.features.n_rows()));
    }
    if let Some(p) = &w.predictions {
        parts.push(("predictions", p.len()));
    }
    if let Some(p) = &w.probabilities {
        parts.push(("probabilities", p.values.nrows()));
        if p.values.ncols() != p.classes.len() {
            return Err(driftwatch_core::Error::Shape(format!(
                "{}: probabilities have {} columns for {} classes",
                describe(w),
                p.values.ncols(),
                p.classes.len()
            ))
            .into());
        }
    }
    if let Some(l) = &w.labels {
        parts.push(("labels", l.len()));
    }
    if let Some(t) = &w.timestamps {
        parts.push(("timestamps", t.len()));
    }
    if let Some(m) = &w.labelled {
        parts.push(("labelled flags", m.len()));
    }
    if let Some(m) = &w.rejected {
        parts.push(("rejected-row counts", m.len()));
    }
    if let Some((what, len)) = parts.iter().find(|(_, len)| *len != n) {
        let all = parts
            .iter()
            .map(|(w, l)| format!("{w} {l}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(driftwatch_core::Error::Shape(format!(
            "{}: {what} has {len} rows where {n} are expected ({all})",
            describe(w)
        ))
        .into());
    }
    Ok(n)
}

/// The rows `rows` of `w` (in that order) as a window labelled `label`.
pub(crate) fn take(w: &Window, rows: &[usize], label: String) -> Result<Window> {
    Ok(Window {
        label,
        // A window may carry predictions only: a frame without columns has no rows to take.
        features: if w.features.n_cols() == 0 {
            w.features.clone()
        } else {
            w.features.take_rows(rows)?
        },
        predictions: w.predictions.as_ref().map(|t| t.take(rows)),
        probabilities: w.probabilities.as_ref().map(|p| Probabilities {
            classes: p.classes.clone(),
            values: p.values.select(Axis(0), rows),
        }),
        labels: w.labels.as_ref().map(|t: &Target| t.take(rows)),
        labelled: w
            .labelled
            .as_ref()
            .map(|m| rows.iter().map(|&i| m[i]).collect()),
        rejected: w
            .rejected
            .as_ref()
            .map(|m| rows.iter().map(|&i| m[i]).collect()),
        timestamps: w
            .timestamps
            .as_ref()
            .map(|t| rows.iter().map(|&i| t[i]).collect()),
    })
}

/// The rows of `windows`, one after the other, as one window labelled `label` (for
/// checks over a rolling or cumulative span of windows).
///
/// Columns are those of the first window with columns, matched by name; categorical
/// levels are merged by label. Labels are kept where a window has them and flagged as
/// missing (`labelled`) where it has none; probabilities and timestamps are kept only
/// when every window has them. Errors: a column missing from a window or of another
/// kind, or predictions (or labels) of different kinds.
pub fn concat(windows: &[Window], label: impl Into<String>) -> Result<Window> {
    let label = label.into();
    let shape = |m: String| -> Error { driftwatch_core::Error::Shape(m).into() };
    let mut out = Window {
        label: label.clone(),
        ..Window::default()
    };
    let Some(first) = windows.iter().find(|w| w.features.n_cols() > 0) else {
        return concat_targets(windows, out);
    };
    for (name, col) in first.features.iter() {
        let parts: Vec<&Column> = windows
            .iter()
            .filter(|w| w.n_rows() > 0 || w.features.n_cols() > 0)
            .map(|w| {
                let c = w.features.column(name).map_err(|_| {
                    shape(format!(
                        "{}: no column '{name}' to join for {label}",
                        describe(w)
                    ))
                })?;
                if c.kind() != col.kind() {
                    return Err(shape(format!(
                        "{}: column '{name}' is {}, elsewhere {}",
                        describe(w),
                        c.kind().as_str(),
                        col.kind().as_str()
                    )));
                }
                Ok(c)
            })
            .collect::<Result<_>>()?;
        let joined = match col {
            Column::Numeric(_) => Column::Numeric(
                parts
                    .iter()
                    .flat_map(|c| match c {
                        Column::Numeric(v) => v.to_vec(),
                        Column::Categorical(_) => Vec::new(),
                    })
                    .collect(),
            ),
            Column::Categorical(_) => {
                let labels = parts.iter().flat_map(|c| match c {
                    Column::Categorical(k) => k.labels().collect::<Vec<_>>(),
                    Column::Numeric(_) => Vec::new(),
                });
                Column::Categorical(Categorical::from_labels(labels))
            }
        };
        out.features.push(name, joined)?;
    }
    concat_targets(windows, out)
}

fn concat_targets(windows: &[Window], mut out: Window) -> Result<Window> {
    let shape = |m: String| -> Error { driftwatch_core::Error::Shape(m).into() };
    let join = |parts: Vec<&Target>, what: &str| -> Result<Target> {
        if parts.iter().all(|t| matches!(t, Target::Labels(_))) {
            Ok(Target::Labels(
                parts.iter().flat_map(|t| t.to_strings()).collect(),
            ))
        } else if parts.iter().all(|t| matches!(t, Target::Values(_))) {
            Ok(Target::Values(
                parts
                    .iter()
                    .flat_map(|t| t.values().map(<[f64]>::to_vec).unwrap_or_default())
                    .collect(),
            ))
        } else {
            Err(shape(format!(
                "{what} of different kinds (labels and numbers) to join for {}",
                out.label
            )))
        }
    };
    if windows.iter().any(|w| w.predictions.is_some()) {
        let parts: Vec<&Target> = windows
            .iter()
            .filter_map(|w| w.predictions.as_ref())
            .collect();
        if parts.len() < windows.len() {
            return Err(shape(format!(
                "some windows have no predictions to join for {}",
                out.label
            )));
        }
        out.predictions = Some(join(parts, "predictions")?);
    }
    if windows.iter().any(|w| w.labels.is_some()) {
        let numeric = windows
            .iter()
            .filter_map(|w| w.labels.as_ref())
            .all(|t| matches!(t, Target::Values(_)));
        let mut parts: Vec<Target> = Vec::with_capacity(windows.len());
        let mut mask: Vec<bool> = Vec::new();
        for w in windows {
            let n = w.n_rows();
            match &w.labels {
                Some(t) => {
                    parts.push(t.clone());
                    match &w.labelled {
                        Some(m) => mask.extend(m),
                        None => mask.extend(std::iter::repeat_n(true, n)),
                    }
                }
                // Rows without ground truth get placeholders and a false flag.
                None => {
                    parts.push(if numeric {
                        Target::Values(vec![f64::NAN; n])
                    } else {
                        Target::Labels(vec![String::new(); n])
                    });
                    mask.extend(std::iter::repeat_n(false, n));
                }
            }
        }
        out.labels = Some(join(parts.iter().collect(), "labels")?);
        out.labelled = (!mask.iter().all(|&b| b)).then_some(mask);
    }
    if let Some(classes) = windows
        .first()
        .and_then(|w| w.probabilities.as_ref())
        .map(|p| p.classes.clone())
    {
        let same = windows.iter().all(|w| {
            w.probabilities
                .as_ref()
                .is_some_and(|p| p.classes == classes)
        });
        if same {
            let views: Vec<_> = windows
                .iter()
                .filter_map(|w| w.probabilities.as_ref().map(|p| p.values.view()))
                .collect();
            if let Ok(values) = ndarray::concatenate(Axis(0), &views) {
                out.probabilities = Some(Probabilities { classes, values });
            }
        }
    }
    if windows.iter().any(|w| w.rejected.is_some()) {
        out.rejected = Some(
            windows
                .iter()
                .flat_map(|w| w.rejected.clone().unwrap_or_else(|| vec![0; w.n_rows()]))
                .collect(),
        );
    }
    if windows.iter().all(|w| w.timestamps.is_some()) {
        out.timestamps = Some(
            windows
                .iter()
                .flat_map(|w| w.timestamps.clone().unwrap_or_default())
                .collect(),
        );
    }
    check_lengths(&out)?;
    Ok(out)
}

/// For the kept rows at file positions `kept` of the file stretch `start..end`: how many
/// left-out rows come just before each, the last also counting those after it up to
/// `end` (the layout of [`Window::rejected`]), so every left-out row of the stretch is
/// counted in its own window.
fn rejected_in(kept: &[usize], start: usize, end: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(kept.len());
    let mut next = start;
    for &row in kept {
        out.push(u32::try_from(row - next).unwrap_or(u32::MAX));
        next = row + 1;
    }
    if let Some(last) = out.last_mut() {
        *last = last.saturating_add(u32::try_from(end - next).unwrap_or(u32::MAX));
    }
    out
}

/// The rows of `w` that have ground truth, as a window where every row is labelled;
/// `None` when `w` has no per-row flags (every row labelled, or no labels at all).
pub(crate) fn labelled_view(w: &Window) -> Result<Option<Window>> {
    let Some(mask) = &w.labelled else {
        return Ok(None);
    };
    let rows: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();
    let mut view = take(w, &rows, w.label.clone())?;
    view.labelled = None;
    Ok(Some(view))
}

/// A timestamp in seconds since 1970 from text: a number (fractions are dropped) or a
/// date-time in one of the layouts of [`driftwatch_core::timestamp`] (RFC 3339
/// `2024-03-01T09:30:00Z`, pandas' `2024-03-01 09:30:00.5`, a date `2024-03-01`).
pub fn parse_timestamp(s: &str) -> Result<i64> {
    let s = s.trim();
    s.parse::<f64>()
        .ok()
        .or_else(|| driftwatch_core::timestamp::parse_datetime(s))
        .filter(|x| x.is_finite() && x.abs() < 1e15)
        .map(|x| x.floor() as i64)
        .ok_or_else(|| {
            Error::config(
                format!("timestamp '{s}'"),
                "give seconds since 1970 or a date-time (2024-03-01T09:30:00Z, 2024-03-01 09:30:00, 2024-03-01)",
            )
        })
}

/// RFC 3339 in UTC, e.g. `2024-03-01T00:00:00Z`.
/// The label of a time window starting at `unix` seconds: RFC 3339 in UTC
/// (`2024-03-04T00:00:00Z`), as [`split`] names windows by time; the server labels the
/// live windows it closes one by one with it.
pub fn time_label(unix: i128) -> Result<String> {
    let out_of_range = || {
        Error::config(
            "timestamps",
            format!(
                "window start {unix} is outside the dates that can be shown (seconds since 1970 expected)"
            ),
        )
    };
    let t = i64::try_from(unix).map_err(|_| out_of_range())?;
    let dt = time::OffsetDateTime::from_unix_timestamp(t).map_err(|_| out_of_range())?;
    dt.format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| out_of_range())
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Frame;
    use ndarray::{Array1, Array2};

    #[test]
    fn time_labels_are_utc_rfc3339() {
        assert_eq!(time_label(0).ok().as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            time_label(1_709_510_400).ok().as_deref(),
            Some("2024-03-04T00:00:00Z")
        );
        assert!(time_label(i128::MAX).is_err());
    }

    fn window(n: usize) -> Window {
        let x: Array1<f64> = (0..n).map(|i| i as f64).collect();
        let features = Frame::new(vec![("x".into(), Column::Numeric(x))]).unwrap();
        let preds = (0..n).map(|i| format!("c{}", i % 2)).collect();
        Window {
            label: String::new(),
            features,
            predictions: Some(Target::Labels(preds)),
            probabilities: Some(Probabilities {
                classes: vec!["c0".into(), "c1".into()],
                values: Array2::from_shape_fn((n, 2), |(i, j)| (i * 2 + j) as f64),
            }),
            labels: Some(Target::Values((0..n).map(|i| i as f64 * 10.0).collect())),
            timestamps: None,
            labelled: None,
            rejected: None,
        }
    }

    fn xs(w: &Window) -> Vec<f64> {
        w.features.column("x").unwrap().numeric_values().unwrap()
    }

    #[test]
    fn parses_timestamps() {
        assert_eq!(parse_timestamp("1709283600.9").unwrap(), 1_709_283_600);
        assert_eq!(
            parse_timestamp("2024-03-01T09:00:00Z").unwrap(),
            1_709_283_600
        );
        assert_eq!(
            parse_timestamp("2024-03-01T10:00:00+01:00").unwrap(),
            1_709_283_600
        );
        // pandas' layout and plain dates, as exports write them
        assert_eq!(
            parse_timestamp("2024-03-01 09:00:00.750").unwrap(),
            1_709_283_600
        );
        assert_eq!(parse_timestamp("2024-03-01").unwrap(), 1_709_251_200);
        assert!(
            parse_timestamp("monday")
                .unwrap_err()
                .to_string()
                .contains("2024-03-01 09:30:00")
        );
    }

    #[test]
    fn rows_split_with_a_short_last_window() {
        let ws = split(&window(2500), &WindowSpec::Rows(1000)).unwrap();
        let labels: Vec<_> = ws.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(
            labels,
            ["rows 0..1000", "rows 1000..2000", "rows 2000..2500"]
        );
        let sizes: Vec<_> = ws.iter().map(Window::n_rows).collect();
        assert_eq!(sizes, [1000, 1000, 500]);
        let last = &ws[2];
        assert_eq!(xs(last)[0], 2000.0);
        assert_eq!(last.labels.as_ref().unwrap().values().unwrap()[0], 20000.0);
        assert_eq!(
            last.predictions.as_ref().unwrap().labels().unwrap()[1],
            "c1"
        );
        let p = last.probabilities.as_ref().unwrap();
        assert_eq!(p.values.nrows(), 500);
        assert_eq!(p.values[[0, 1]], 4001.0);
    }

    /// Issue 12 item 13: with rows left out by validation, windows and their labels count
    /// file rows, as the skip messages do.
    #[test]
    fn file_row_windows_count_the_rows_left_out() {
        // 10 file rows; file rows 1, 2 and 9 were rejected, 7 kept.
        let kept = [0, 3, 4, 5, 6, 7, 8];
        let w = window(kept.len());
        let rows = FileRows {
            kept: &kept,
            total: 10,
        };
        let ws = split_in_file(&w, &WindowSpec::Rows(4), rows).unwrap();
        let labels: Vec<_> = ws.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(labels, ["rows 0..4", "rows 4..8", "rows 8..10"]);
        let sizes: Vec<_> = ws.iter().map(Window::n_rows).collect();
        assert_eq!(sizes, [2, 4, 1]);
        assert_eq!(xs(&ws[1]), [2.0, 3.0, 4.0, 5.0]);
        // Each window counts the rejected rows of its own stretch of the file.
        let mut w = window(kept.len());
        w.rejected = Some(vec![0, 2, 0, 0, 0, 0, 1]);
        let ws = split_in_file(&w, &WindowSpec::Rows(4), rows).unwrap();
        let rejected: Vec<_> = ws.iter().map(|w| w.rejected.clone().unwrap()).collect();
        assert_eq!(rejected, [vec![0, 2], vec![0, 0, 0, 0], vec![1]]);
        // A stretch of rejected rows only is an empty window; window k stays file rows
        // 4k..4k+4.
        let kept = [0, 9];
        let ws = split_in_file(
            &window(2),
            &WindowSpec::Rows(4),
            FileRows {
                kept: &kept,
                total: 10,
            },
        )
        .unwrap();
        let sizes: Vec<_> = ws.iter().map(Window::n_rows).collect();
        assert_eq!(sizes, [1, 0, 1]);
        assert_eq!(
            split_in_file(
                &window(2),
                &WindowSpec::All,
                FileRows {
                    kept: &kept,
                    total: 10
                }
            )
            .unwrap()[0]
                .label,
            "rows 0..10"
        );
        // Without left-out rows it is `split`.
        let all: Vec<usize> = (0..7).collect();
        let a = split_in_file(
            &window(7),
            &WindowSpec::Rows(3),
            FileRows {
                kept: &all,
                total: 7,
            },
        )
        .unwrap();
        let b = split(&window(7), &WindowSpec::Rows(3)).unwrap();
        assert_eq!(
            a.iter()
                .map(|w| (w.label.clone(), xs(w)))
                .collect::<Vec<_>>(),
            b.iter()
                .map(|w| (w.label.clone(), xs(w)))
                .collect::<Vec<_>>()
        );
        let bad = FileRows {
            kept: &[3, 1],
            total: 10,
        };
        assert!(split_in_file(&window(2), &WindowSpec::Rows(4), bad).is_err());
        let bad = FileRows {
            kept: &[3, 10],
            total: 10,
        };
        assert!(split_in_file(&window(2), &WindowSpec::Rows(4), bad).is_err());
    }

    #[test]
    fn concat_joins_rows_merging_levels_and_flagging_missing_labels() {
        let cat =
            |v: &[&str]| Column::Categorical(Categorical::from_labels(v.iter().map(|s| Some(*s))));
        let w = |x: &[f64], c: &[&str], labels: Option<Vec<&str>>| Window {
            features: Frame::new(vec![
                ("x".into(), Column::Numeric(x.iter().copied().collect())),
                ("c".into(), cat(c)),
            ])
            .unwrap(),
            predictions: Some(Target::Labels(c.iter().map(|s| s.to_string()).collect())),
            labels: labels.map(|l| Target::Labels(l.iter().map(|s| s.to_string()).collect())),
            ..Window::default()
        };
        // Levels in another order on day 2, and no labels on day 2.
        let joined = concat(
            &[
                w(&[1.0, 2.0], &["a", "b"], Some(vec!["a", "a"])),
                w(&[3.0], &["b"], None),
                w(&[4.0], &["c"], Some(vec!["c"])),
            ],
            "days 1..3",
        )
        .unwrap();
        assert_eq!(joined.label, "days 1..3");
        assert_eq!(xs(&joined), [1.0, 2.0, 3.0, 4.0]);
        let Column::Categorical(c) = joined.features.column("c").unwrap() else {
            panic!("categorical");
        };
        assert_eq!(
            c.labels().collect::<Vec<_>>(),
            [Some("a"), Some("b"), Some("b"), Some("c")]
        );
        assert_eq!(
            joined.predictions.as_ref().unwrap().labels().unwrap(),
            ["a", "b", "b", "c"]
        );
        assert_eq!(joined.labelled, Some(vec![true, true, false, true]));
        assert_eq!(joined.labelled_rows(), 3);
        // A column missing from one window is an error naming it.
        let mut other = w(&[5.0], &["a"], None);
        other.features.remove("c").unwrap();
        let e = concat(&[w(&[1.0], &["a"], None), other], "j")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column 'c'"), "{e}");
    }

    #[test]
    fn predictions_without_features_split_too() {
        let w = Window {
            predictions: Some(Target::Labels(vec!["a".into(), "b".into(), "c".into()])),
            ..Window::default()
        };
        let ws = split(&w, &WindowSpec::Rows(2)).unwrap();
        assert_eq!(ws.iter().map(Window::n_rows).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(ws[1].predictions.as_ref().unwrap().labels().unwrap(), ["c"]);
    }

    #[test]
    fn all_keeps_everything() {
        let ws = split(&window(7), &WindowSpec::All).unwrap();
        assert_eq!(ws.len(), 1);
        assert_eq!(ws[0].label, "rows 0..7");
        assert_eq!(ws[0].n_rows(), 7);
    }

    #[test]
    fn time_split_aligned_to_the_first_timestamp_keeps_empty_windows() {
        let day = 86_400;
        let t0 = 1_709_251_200; // 2024-03-01T00:00:00Z
        let mut w = window(6);
        // Unsorted; nothing on day 2 (2024-03-03), the end of day 3 is exclusive.
        w.timestamps = Some(vec![
            t0 + 100,
            t0,
            t0 + day + 5,
            t0 + 3 * day,
            t0 + 3 * day + day - 1,
            t0 + 4 * day,
        ]);
        let ws = split(&w, &WindowSpec::Every(day)).unwrap();
        let labels: Vec<_> = ws.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2024-03-01T00:00:00Z",
                "2024-03-02T00:00:00Z",
                "2024-03-03T00:00:00Z",
                "2024-03-04T00:00:00Z",
                "2024-03-05T00:00:00Z"
            ]
        );
        let sizes: Vec<_> = ws.iter().map(Window::n_rows).collect();
        assert_eq!(sizes, [2, 1, 0, 2, 1]);
        // Input order kept inside a window.
        assert_eq!(xs(&ws[0]), [0.0, 1.0]);
        assert_eq!(ws[0].timestamps.as_ref().unwrap(), &[t0 + 100, t0]);
        assert_eq!(xs(&ws[3]), [3.0, 4.0]);
        let empty = &ws[2];
        assert_eq!(empty.features.names(), ["x"]);
        assert!(empty.predictions.as_ref().unwrap().is_empty());
        assert_eq!(empty.probabilities.as_ref().unwrap().values.nrows(), 0);
    }

    #[test]
    fn alignment_is_to_the_first_timestamp_not_midnight() {
        let mut w = window(3);
        w.timestamps = Some(vec![1_709_283_600, 1_709_287_199, 1_709_287_200]); // 09:00, 09:59:59, 10:00
        let ws = split(&w, &"every:1h".parse().unwrap()).unwrap();
        assert_eq!(ws.len(), 2);
        assert_eq!(ws[0].label, "2024-03-01T09:00:00Z");
        assert_eq!(ws[0].n_rows(), 2);
    }

    #[test]
    fn errors_name_the_problem() {
        let msg = |r: Result<Vec<Window>>| r.unwrap_err().to_string();
        let e = msg(split(&window(3), &WindowSpec::Every(60)));
        assert!(e.contains("no timestamps"), "{e}");
        assert!(msg(split(&window(3), &WindowSpec::Rows(0))).contains("at least 1 row"));
        assert!(msg(split(&window(3), &WindowSpec::Every(0))).contains("positive"));
        let e = msg(split(&Window::default(), &WindowSpec::All));
        assert!(e.contains("empty"), "{e}");
        let mut w = window(3);
        w.labels = Some(Target::Values(vec![1.0]));
        let e = msg(split(&w, &WindowSpec::Rows(2)));
        assert!(e.contains("labels has 1 rows where 3"), "{e}");
        let mut w = window(2);
        w.timestamps = Some(vec![0, 10_000_000_000]);
        let e = msg(split(&w, &WindowSpec::Every(1)));
        assert!(e.contains("limit"), "{e}");
        let mut w = window(2);
        w.timestamps = Some(vec![i64::MIN, i64::MAX]);
        assert!(split(&w, &WindowSpec::Every(i64::MAX)).is_err());
    }

    #[test]
    fn specs_parse_and_serialise() {
        assert_eq!("all".parse::<WindowSpec>().unwrap(), WindowSpec::All);
        assert_eq!(
            "rows:500".parse::<WindowSpec>().unwrap(),
            WindowSpec::Rows(500)
        );
        assert_eq!(
            "every:1d".parse::<WindowSpec>().unwrap(),
            WindowSpec::Every(86_400)
        );
        assert_eq!(
            "every:90".parse::<WindowSpec>().unwrap(),
            WindowSpec::Every(90)
        );
        assert_eq!(
            "every:15m".parse::<WindowSpec>().unwrap(),
            WindowSpec::Every(900)
        );
        assert!("every:1y".parse::<WindowSpec>().is_err());
        assert!("rows:0".parse::<WindowSpec>().is_err());
        assert!("daily".parse::<WindowSpec>().is_err());
        assert_eq!(
            serde_json::to_string(&WindowSpec::Rows(1000)).unwrap(),
            r#"{"rows":1000}"#
        );
        let back: WindowSpec = serde_json::from_str(r#"{"every":3600}"#).unwrap();
        assert_eq!(back, WindowSpec::Every(3600));
        assert_eq!(serde_json::to_string(&WindowSpec::All).unwrap(), r#""all""#);
    }

    proptest::proptest! {
        #[test]
        fn rows_split_partitions_in_order(n in 1usize..300, size in 1usize..50) {
            let ws = split(&window(n), &WindowSpec::Rows(size)).unwrap();
            proptest::prop_assert_eq!(ws.len(), n.div_ceil(size));
            proptest::prop_assert!(ws[..ws.len() - 1].iter().all(|w| w.n_rows() == size));
            let all: Vec<f64> = ws.iter().flat_map(xs).collect();
            proptest::prop_assert_eq!(all, (0..n).map(|i| i as f64).collect::<Vec<_>>());
        }

        #[test]
        fn time_split_puts_each_row_in_its_span(
            ts in proptest::collection::vec(-1_000i64..1_000, 1..100),
            span in 1i64..200,
        ) {
            let mut w = window(ts.len());
            w.timestamps = Some(ts.clone());
            let ws = split(&w, &WindowSpec::Every(span)).unwrap();
            let t0 = *ts.iter().min().unwrap();
            let t1 = *ts.iter().max().unwrap();
            proptest::prop_assert_eq!(ws.len() as i64, (t1 - t0) / span + 1);
            let mut seen = Vec::new();
            for (k, win) in ws.iter().enumerate() {
                for (&x, &t) in xs(win).iter().zip(win.timestamps.as_ref().unwrap()) {
                    proptest::prop_assert_eq!((t - t0) / span, k as i64);
                    proptest::prop_assert_eq!(ts[x as usize], t);
                    seen.push(x as usize);
                }
            }
            seen.sort_unstable();
            proptest::prop_assert_eq!(seen, (0..ts.len()).collect::<Vec<_>>());
        }
    }
}
