//! `driftwatch monitor`: replay current data window by window against the model's
//! baseline and the reference data; print the daily table, alerts and summary, and
//! write the HTML/JSON/Markdown report and the Prometheus file on request.
//!
//! The current data is a CSV with the target column, or the prediction log of
//! `driftwatch predict --log` (JSON lines) with delayed labels joined by request id.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use driftwatch_cli::workflow::{MonitorFile, default_monitor_file, split_target, validate_rows};
use driftwatch_core::{Column, Frame, PredictionLog, Target, Window, read_jsonl_path};
use driftwatch_monitor::histogram::{DEFAULT_BINS, histograms};
use driftwatch_monitor::window::parse_timestamp;
use driftwatch_monitor::{
    AlertPolicy, Distributions, Engine, FileRows, RunReport, Summary, WindowSpec, history,
    split_in_file,
};

use crate::args::MonitorArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::output::{ReportFormat, emit};

/// The column the prediction log's `latency_ms` is given to the monitors as.
const LATENCY_COLUMN: &str = "latency_ms";

fn is_jsonl(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    )
}

/// What a run needs, after the config file and the flags are merged (flags win).
struct Settings {
    model: PathBuf,
    reference: PathBuf,
    current: PathBuf,
    target: String,
    every: Option<String>,
    rows: Option<usize>,
    timestamp_column: String,
    policy: AlertPolicy,
    file: MonitorFile,
}

fn required<T: Clone>(v: &Option<T>, flag: &str) -> Result<T> {
    v.clone()
        .with_context(|| format!("{flag} is required (or use --init to write a config)"))
}

fn settings(a: &MonitorArgs) -> Result<Settings> {
    let file = match &a.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading monitor config {}", path.display()))?;
            MonitorFile::parse(&text, &path.display().to_string())?
        }
        None => MonitorFile::default(),
    };
    let mut policy = file.alert.clone();
    if let Some(v) = a.ratio {
        policy.ratio = v;
    }
    if a.absolute_drop.is_some() {
        policy.absolute_drop = a.absolute_drop;
    }
    if let Some(v) = a.high_degradation {
        policy.high_degradation = v;
    }
    if let Some(v) = a.consecutive {
        policy.consecutive = v;
    }
    if let Some(v) = a.cooldown {
        policy.cooldown = v;
    }
    policy.check().with_context(|| match &a.config {
        Some(p) => format!("alert policy of {} and the flags", p.display()),
        None => "alert policy flags".into(),
    })?;
    // A window flag replaces the file's windowing as a whole.
    let (rows, every) = if a.window.is_some() || a.every.is_some() {
        (a.window, a.every.clone())
    } else {
        (file.window.rows, file.window.every.clone())
    };
    Ok(Settings {
        model: required(&a.model.clone().or_else(|| a.model_path.clone()), "--model")?,
        reference: required(&a.reference, "--reference")?,
        current: required(&a.current, "--current")?,
        target: required(&a.target, "--target")?,
        timestamp_column: a
            .timestamp_column
            .clone()
            .or_else(|| file.window.timestamp_column.clone())
            .unwrap_or_else(|| "timestamp".into()),
        every,
        rows,
        policy,
        file,
    })
}

/// `driftwatch monitor --init [FILE]`: the commented default config.
fn init(path: &Path) -> Result<i32> {
    if path.exists() {
        bail!(
            "{} exists; remove it or name another file (--init FILE)",
            path.display()
        );
    }
    std::fs::write(path, default_monitor_file()?)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(0)
}

pub fn run(a: &MonitorArgs) -> Result<i32> {
    if let Some(path) = &a.init {
        return init(path);
    }
    let s = settings(a)?;
    let b = bundle::load_verified(&s.model, a.verify_key.as_deref())?;
    let read = a.table.read_options(b.read_options());
    let classification = b.pipeline.estimator()?.is_classifier();
    let reference = read_frame(&s.reference, &read)?;
    let (x_ref, y_ref) = split_target(&reference, &s.target, classification)
        .with_context(|| format!("in reference file {}", s.reference.display()))?;
    let x_ref = b.header.schema.conform(&x_ref)?;
    let reference_window = Window {
        label: "reference".into(),
        predictions: Some(
            b.pipeline
                .predict(&x_ref)
                .context("predicting the reference")?,
        ),
        labels: Some(y_ref),
        features: x_ref,
        ..Default::default()
    };

    let (current_window, skipped, input) = if is_jsonl(&s.current) {
        current_from_log(a, &s, &b, &read)?
    } else {
        if a.labels.is_some() {
            bail!(
                "--labels joins by request id and needs the prediction log (.jsonl) as --current; \
                 a CSV carries its labels in the --target column"
            );
        }
        current_from_csv(&s, &b, &read, classification)?
    };
    let spec = match (s.rows, &s.every) {
        (Some(0), _) => bail!("--window must be at least 1 row"),
        (Some(n), _) => WindowSpec::Rows(n),
        (None, Some(every)) => format!("every:{every}")
            .parse::<WindowSpec>()
            .with_context(|| format!("--every {every}: use e.g. 1d, 6h, 30m or 3600"))?,
        (None, None) => WindowSpec::All,
    };
    // Windows and their labels count the rows of the file, skipped ones included, as the
    // skip messages do.
    let windows = split_in_file(
        &current_window,
        &spec,
        FileRows {
            kept: &input.kept,
            total: input.total,
        },
    )?;

    let baseline = &b.header.training_metrics;
    let config = s.file.engine_config(
        s.policy.ratio,
        baseline,
        typical_rows(&spec, &windows),
        reference_window.n_rows(),
    )?;
    let mut engine = Engine::from_config(&config)?;
    engine.fit(&reference_window)?;
    let reports = engine.run(&windows)?;
    let alerts = s.policy.evaluate(&reports);
    let summary = Summary::build(&reports, &alerts);
    if let Some(path) = &a.history {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening history file {}", path.display()))?;
        history::append(file, &history::entries(&reports, &alerts))
            .with_context(|| format!("writing history file {}", path.display()))?;
    }
    let active = summary.active_alerts.len();
    let report = RunReport::new(reports, alerts).with_bands(engine.bands());
    let title = format!(
        "driftwatch: {}@{} on {}",
        b.header.name,
        b.header.version,
        s.current.display()
    );
    let ctx = RenderContext {
        report: &report,
        reference: &reference_window,
        windows: &windows,
        title: &title,
        model: format!("{}@{}", b.header.name, b.header.version),
        baseline,
        skipped: &skipped,
    };
    let format = a
        .format
        .or_else(|| a.output.as_deref().and_then(ReportFormat::from_extension))
        .unwrap_or_default();
    emit(&ctx.render(format)?, a.output.as_deref(), "the report")?;
    if let Some(path) = &a.report {
        let format = ReportFormat::from_extension(path).with_context(|| {
            format!(
                "--report {}: name the file .html, .json, .md or .txt to choose the format",
                path.display()
            )
        })?;
        emit(&ctx.render(format)?, Some(path), "the report")?;
    }
    if let Some(path) = &a.prometheus {
        std::fs::write(path, report.render_prometheus())
            .with_context(|| format!("writing Prometheus file {}", path.display()))?;
    }
    Ok(if a.fail_on_alert && active > 0 { 1 } else { 0 })
}

/// Rows of a typical window, the size of the reference chunks a band compares it with:
/// the row count of row windows, the median of the non-empty time windows, none for one
/// window over everything.
fn typical_rows(spec: &WindowSpec, windows: &[Window]) -> Option<usize> {
    match spec {
        WindowSpec::All => None,
        WindowSpec::Rows(n) => Some(*n),
        WindowSpec::Every(_) => {
            let mut sizes: Vec<usize> = windows
                .iter()
                .map(Window::n_rows)
                .filter(|&n| n > 0)
                .collect();
            sizes.sort_unstable();
            sizes.get(sizes.len() / 2).copied()
        }
    }
}

/// What the report formats need from a run.
struct RenderContext<'a> {
    report: &'a RunReport,
    reference: &'a Window,
    windows: &'a [Window],
    title: &'a str,
    model: String,
    baseline: &'a std::collections::BTreeMap<String, f64>,
    skipped: &'a [usize],
}

impl RenderContext<'_> {
    fn render(&self, format: ReportFormat) -> Result<String> {
        Ok(match format {
            ReportFormat::Text => self.report.render_text(),
            ReportFormat::Markdown => self.report.render_markdown(),
            ReportFormat::Json => {
                // The report of docs/report-schema.json plus what only the CLI knows.
                let mut json: serde_json::Value = serde_json::from_str(&self.report.to_json()?)?;
                if let Some(obj) = json.as_object_mut() {
                    obj.insert("model".into(), self.model.clone().into());
                    obj.insert("baseline".into(), serde_json::to_value(self.baseline)?);
                    obj.insert("skipped_rows".into(), serde_json::to_value(self.skipped)?);
                }
                serde_json::to_string_pretty(&json)?
            }
            ReportFormat::Html => {
                // Histograms of the reference vs the last window with rows.
                let distributions =
                    self.windows
                        .iter()
                        .rposition(|w| w.n_rows() > 0)
                        .map(|i| Distributions {
                            window: self.report.windows[i].index,
                            features: histograms(self.reference, &self.windows[i], DEFAULT_BINS),
                        });
                self.report
                    .render_html(distributions.as_ref(), self.title)?
            }
        })
    }
}

/// Per kept row, how many rejected input rows came just before it (the last kept row
/// also takes those after it), so windows can count their schema violations.
fn rejected_before(kept: &[usize], n_input: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(kept.len());
    let mut next = 0;
    for &row in kept {
        out.push(u32::try_from(row.saturating_sub(next)).unwrap_or(u32::MAX));
        next = row + 1;
    }
    if let Some(last) = out.last_mut() {
        *last =
            last.saturating_add(u32::try_from(n_input.saturating_sub(next)).unwrap_or(u32::MAX));
    }
    out
}

/// Which data rows of the input file the current window holds.
struct InputRows {
    /// 0-based data rows kept by validation, in order.
    kept: Vec<usize>,
    /// Data rows in the file.
    total: usize,
}

/// The valid rows of `x` (1-based numbers of the skipped ones are returned too).
fn valid_rows(
    b: &bundle::Loaded,
    x: &Frame,
    name: &str,
) -> Result<(Frame, Vec<usize>, Vec<usize>)> {
    let valid = validate_rows(&b.header.schema, x, name)?;
    for v in &valid.violations {
        eprintln!("{name}: skipped {v}");
    }
    let skipped: Vec<usize> = (0..x.n_rows())
        .filter(|r| valid.kept.binary_search(r).is_err())
        .map(|r| r + 1)
        .collect();
    Ok((valid.frame, valid.kept, skipped))
}

fn current_from_csv(
    a: &Settings,
    b: &bundle::Loaded,
    read: &driftwatch_core::ReadOptions,
    classification: bool,
) -> Result<(Window, Vec<usize>, InputRows)> {
    let mut current = read_frame(&a.current, read)?;
    let name = a.current.display().to_string();
    let timestamps = match (&a.every, current.has_column(&a.timestamp_column)) {
        (Some(_), false) => bail!(
            "--every needs timestamps: {name} has no column '{}' (name it with --timestamp-column)",
            a.timestamp_column
        ),
        (_, true) => Some(timestamp_column(
            &current.remove(&a.timestamp_column)?,
            &a.timestamp_column,
            &name,
        )?),
        (None, false) => None,
    };
    let (x_cur, y_cur) = split_target(&current, &a.target, classification)
        .with_context(|| format!("in current file {name}"))?;
    let n_input = x_cur.n_rows();
    let (x_cur, kept, skipped) = valid_rows(b, &x_cur, &name)?;
    let window = Window {
        label: "current".into(),
        predictions: Some(
            b.pipeline
                .predict(&x_cur)
                .context("predicting the current data")?,
        ),
        probabilities: b.pipeline.predict_proba(&x_cur)?,
        labels: Some(y_cur.take(&kept)),
        features: x_cur,
        timestamps: timestamps.map(|t| kept.iter().map(|&i| t[i]).collect()),
        labelled: None,
        rejected: Some(rejected_before(&kept, n_input)),
    };
    Ok((
        window,
        skipped,
        InputRows {
            kept,
            total: n_input,
        },
    ))
}

/// Whole seconds since 1970 of each row: the numbers of a numeric or date-time column
/// (the reader stores date-times as seconds), or text parsed by [`parse_timestamp`].
fn timestamp_column(col: &Column, name: &str, input: &str) -> Result<Vec<i64>> {
    (0..col.len())
        .map(|row| {
            if col.is_missing(row) {
                bail!("{input} row {}: no timestamp in column '{name}'", row + 1);
            }
            match col {
                Column::Numeric(v) if v[row].is_finite() && v[row].abs() < 1e15 => {
                    Ok(v[row].floor() as i64)
                }
                _ => parse_timestamp(&col.display_value(row))
                    .with_context(|| format!("{input} row {}, column '{name}'", row + 1)),
            }
        })
        .collect()
}

fn current_from_log(
    args: &MonitorArgs,
    a: &Settings,
    b: &bundle::Loaded,
    read: &driftwatch_core::ReadOptions,
) -> Result<(Window, Vec<usize>, InputRows)> {
    let name = a.current.display().to_string();
    let log: PredictionLog = read_jsonl_path(&a.current, read)?;
    let (mut x, kept, skipped) = valid_rows(b, &log.inputs, &name)?;
    // The logged latency rides along as a column for the `latency` monitor (the
    // reference has no such column, so drift monitors leave it alone).
    if log.latency_ms.iter().any(|v| v.is_finite()) && !x.has_column(LATENCY_COLUMN) {
        let latency: ndarray::Array1<f64> = kept.iter().map(|&i| log.latency_ms[i]).collect();
        x.push(LATENCY_COLUMN, Column::Numeric(latency))?;
    }
    if a.every.is_some() && log.timestamps.is_none() {
        bail!("--every needs a 'timestamp' on every line of {name}");
    }
    let (labels, labelled) = match &args.labels {
        None => (None, None),
        Some(path) => {
            let (known, mask) = join_labels(path, &a.target, &log, &kept)?;
            (Some(Target::Labels(known)), Some(mask))
        }
    };
    let window = Window {
        label: "current".into(),
        features: x,
        predictions: Some(log.predictions.take(&kept)),
        probabilities: log
            .probabilities
            .as_ref()
            .map(|p| driftwatch_core::Probabilities {
                classes: p.classes.clone(),
                values: p.values.select(ndarray::Axis(0), &kept),
            }),
        labels,
        labelled,
        rejected: Some(rejected_before(&kept, log.inputs.n_rows())),
        timestamps: log
            .timestamps
            .as_ref()
            .map(|t| kept.iter().map(|&i| t[i]).collect()),
    };
    Ok((
        window,
        skipped,
        InputRows {
            kept,
            total: log.inputs.n_rows(),
        },
    ))
}

/// Labels of the kept log rows by request id (empty placeholders where unknown) and
/// which rows have one.
fn join_labels(
    path: &Path,
    target: &str,
    log: &PredictionLog,
    kept: &[usize],
) -> Result<(Vec<String>, Vec<bool>)> {
    let frame = read_frame(
        path,
        &driftwatch_core::ReadOptions {
            categorical: vec!["request_id".into(), target.into()],
            ..Default::default()
        },
    )?;
    let ids = frame
        .column("request_id")
        .with_context(|| format!("labels file {} needs a 'request_id' column", path.display()))?;
    let ys = frame.column(target).with_context(|| {
        format!(
            "labels file {} needs the target column '{target}'",
            path.display()
        )
    })?;
    let by_id: HashMap<String, String> = ids
        .to_labels()
        .into_iter()
        .zip(ys.to_labels())
        .filter_map(|(id, y)| Some((id?, y?)))
        .collect();
    let (mut out, mut mask) = (
        Vec::with_capacity(kept.len()),
        Vec::with_capacity(kept.len()),
    );
    for &row in kept {
        match log.request_ids[row].as_ref().and_then(|id| by_id.get(id)) {
            Some(y) => {
                out.push(y.clone());
                mask.push(true);
            }
            None => {
                out.push(String::new());
                mask.push(false);
            }
        }
    }
    let n = mask.iter().filter(|&&m| m).count();
    eprintln!(
        "{}: labels for {n} of {} logged predictions",
        path.display(),
        kept.len()
    );
    Ok((out, mask))
}
