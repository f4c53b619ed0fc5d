//! `driftwatch monitor`: replay current data window by window against the model's
//! baseline and the reference data; print the daily table, alerts and summary, and
//! write the HTML/JSON/Markdown report and the Prometheus file on request.
//!
//! The current data is a CSV with the target column, or the prediction log of
//! `driftwatch predict --log` (JSON lines) with delayed labels joined by request id.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use driftwatch_cli::workflow::split_target;
use driftwatch_core::{Column, PredictionLog, read_jsonl_path};
use driftwatch_monitor::window::parse_timestamp;
use driftwatch_monitor::{AlertPolicy, Distributions, RunReport, WindowSpec, history};
use driftwatch_run::{Current, Labelled, Model, MonitorFile, PassConfig, default_monitor_file};

use crate::args::MonitorArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::output::{ReportFormat, emit, note};

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
            MonitorFile::parse(&text, &path.display().to_string())
                .context("see `driftwatch monitor --init` for the format")?
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
    note(&format!("wrote {}", path.display()));
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
    let reference = Labelled {
        label: "reference".into(),
        features: x_ref,
        labels: y_ref,
        timestamps: None,
    };
    let current = if is_jsonl(&s.current) {
        current_from_log(a, &s, &read)?
    } else {
        if a.labels.is_some() {
            bail!(
                "--labels joins by request id and needs the prediction log (.jsonl) as --current; \
                 a CSV carries its labels in the --target column"
            );
        }
        current_from_csv(&s, &read, classification)?
    };
    let spec = match (s.rows, &s.every) {
        (Some(0), _) => bail!("--window must be at least 1 row"),
        (Some(n), _) => WindowSpec::Rows(n),
        (None, Some(every)) => format!("every:{every}")
            .parse::<WindowSpec>()
            .with_context(|| format!("--every {every}: use e.g. 1d, 6h, 30m or 3600"))?,
        (None, None) => WindowSpec::All,
    };
    let model = Model {
        pipeline: &b.pipeline,
        schema: &b.header.schema,
        baseline: &b.header.training_metrics,
    };
    let name = s.current.display().to_string();
    let config = PassConfig {
        file: s.file.clone(),
        policy: s.policy.clone(),
        spec,
        extra_monitors: Vec::new(),
    };
    let outcome = driftwatch_run::run(model, reference, current, &name, &config)?;
    for v in &outcome.violations {
        note(&format!("{name}: skipped {v}"));
    }
    if let (Some(path), Some((n, kept))) = (&a.labels, outcome.labelled) {
        note(&format!(
            "{}: labels for {n} of {kept} logged predictions",
            path.display()
        ));
    }
    if let Some(path) = &a.history {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening history file {}", path.display()))?;
        history::append(file, &outcome.history)
            .with_context(|| format!("writing history file {}", path.display()))?;
    }
    let active = outcome.report.summary.active_alerts.len();
    let title = format!(
        "driftwatch: {}@{} on {}",
        b.header.name,
        b.header.version,
        s.current.display()
    );
    let ctx = RenderContext {
        report: &outcome.report,
        distributions: outcome.distributions(),
        title: &title,
        model: format!("{}@{}", b.header.name, b.header.version),
        baseline: &b.header.training_metrics,
        skipped: &outcome.skipped,
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
        emit(
            &outcome.report.render_prometheus(),
            Some(path),
            "the Prometheus file",
        )?;
    }
    Ok(if a.fail_on_alert && active > 0 { 1 } else { 0 })
}

/// What the report formats need from a run.
struct RenderContext<'a> {
    report: &'a RunReport,
    distributions: Option<Distributions>,
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
            // Histograms of the reference vs the last window with rows.
            ReportFormat::Html => self
                .report
                .render_html(self.distributions.as_ref(), self.title)?,
        })
    }
}

/// The current CSV: features, its target, and its timestamps when it has the column.
fn current_from_csv(
    a: &Settings,
    read: &driftwatch_core::ReadOptions,
    classification: bool,
) -> Result<Current> {
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
    let (features, labels) = split_target(&current, &a.target, classification)
        .with_context(|| format!("in current file {name}"))?;
    Ok(Current::Table(Labelled {
        label: "current".into(),
        features,
        labels,
        timestamps,
    }))
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

/// The prediction log, with the delayed labels of `--labels` by request id.
fn current_from_log(
    args: &MonitorArgs,
    a: &Settings,
    read: &driftwatch_core::ReadOptions,
) -> Result<Current> {
    let name = a.current.display().to_string();
    let log: PredictionLog = read_jsonl_path(&a.current, read)?;
    if a.every.is_some() && log.timestamps.is_none() {
        bail!("--every needs a 'timestamp' on every line of {name}");
    }
    let labels = match &args.labels {
        None => None,
        Some(path) => Some(labels_by_id(path, &a.target)?),
    };
    Ok(Current::Log { log, labels })
}

/// The labels file's target by request id.
fn labels_by_id(path: &Path, target: &str) -> Result<HashMap<String, String>> {
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
    Ok(ids
        .to_labels()
        .into_iter()
        .zip(ys.to_labels())
        .filter_map(|(id, y)| Some((id?, y?)))
        .collect())
}
