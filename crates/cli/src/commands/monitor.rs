//! `driftwatch monitor`: replay current data window by window against the model's
//! baseline and the reference data; print the daily table, alerts and summary, and
//! write the HTML/JSON/Markdown report and the Prometheus file on request.
//!
//! The current data is a CSV with the target column, or the prediction log of
//! `driftwatch predict --log` (JSON lines) with delayed labels joined by request id.
//!
//! Without a bundle (`--prediction COLUMN`, model-agnostic as NannyML does it) the
//! predictions and probabilities are columns of the reference and the current CSV;
//! empty target cells are labels not yet arrived, and `--labels FILE --id COLUMN`
//! joins them by an id column.

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
    /// The bundle; `None` with prediction columns.
    model: Option<PathBuf>,
    reference: PathBuf,
    current: PathBuf,
    /// The target column; optional with prediction columns.
    target: Option<String>,
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
        model: match (
            a.model.clone().or_else(|| a.model_path.clone()),
            &a.columns.prediction,
        ) {
            (Some(m), _) => Some(m),
            (None, Some(_)) => None,
            (None, None) => bail!(
                "give the model: --model MODEL (a bundle), or --prediction COLUMN for \
                 predictions already in the data (or use --init to write a config)"
            ),
        },
        reference: required(&a.reference, "--reference")?,
        current: required(&a.current, "--current")?,
        target: if a.columns.prediction.is_some() {
            a.target.clone()
        } else {
            Some(required(&a.target, "--target")?)
        },
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
    let Some(model_path) = s.model.clone() else {
        return run_columns(a, &s);
    };
    let target = s.target.clone().unwrap_or_default();
    let b = bundle::load_verified(&model_path, a.verify_key.as_deref())?;
    let read = a.table.read_options(b.read_options());
    let classification = b.pipeline.estimator()?.is_classifier();
    let reference = read_frame(&s.reference, &read)?;
    if a.id.is_some() {
        bail!(
            "--id joins labels to a CSV without a bundle (--prediction); with --model a CSV carries its labels in the --target column and a prediction log joins them by request id"
        );
    }
    let (x_ref, y_ref) = split_target(&reference, &target, classification)
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
    let spec = window_spec(&s)?;
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
    finish(
        a,
        &s,
        &outcome,
        &format!("{}@{}", b.header.name, b.header.version),
    )
}

/// The windows of the settings.
fn window_spec(s: &Settings) -> Result<WindowSpec> {
    spec_of(s.rows, s.every.as_ref())
}

/// The windows of `--window N` or `--every DURATION` (`serve` takes the same flags).
pub(crate) fn spec_of(rows: Option<usize>, every: Option<&String>) -> Result<WindowSpec> {
    Ok(match (rows, every) {
        (Some(0), _) => bail!("--window (--chunk-size) must be at least 1 row"),
        (Some(n), _) => WindowSpec::Rows(n),
        (None, Some(every)) => format!("every:{every}")
            .parse::<WindowSpec>()
            .with_context(|| format!("--every {every}: use e.g. 1d, 6h, 30m or 3600"))?,
        (None, None) => WindowSpec::All,
    })
}

/// What is done with a pass's outcome: notes, history, the reports, the exit code.
/// `model` names the model in the report.
fn finish(
    a: &MonitorArgs,
    s: &Settings,
    outcome: &driftwatch_run::Outcome,
    model: &str,
) -> Result<i32> {
    let name = s.current.display().to_string();
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
    let title = format!("driftwatch: {model} on {}", s.current.display());
    let ctx = RenderContext {
        report: &outcome.report,
        distributions: outcome.distributions(),
        title: &title,
        model: model.to_string(),
        baseline: &outcome.baseline,
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
                // The report of docs/report-schema.json plus what only the caller knows.
                let json = driftwatch_run::report_json(
                    self.report,
                    &self.model,
                    self.baseline,
                    self.skipped,
                )?;
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
    let target = a.target.as_deref().unwrap_or_default();
    let (features, labels) = split_target(&current, target, classification)
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
        Some(path) => Some(labels_by_id(
            path,
            "request_id",
            a.target.as_deref().unwrap_or_default(),
        )?),
    };
    Ok(Current::Log { log, labels })
}

/// The labels file's target by its `id` column (`request_id` for a prediction log).
fn labels_by_id(path: &Path, id: &str, target: &str) -> Result<HashMap<String, String>> {
    let frame = read_frame(
        path,
        &driftwatch_core::ReadOptions {
            categorical: vec![id.into(), target.into()],
            ..Default::default()
        },
    )?;
    let ids = frame
        .column(id)
        .with_context(|| format!("labels file {} needs a '{id}' column", path.display()))?;
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

/// `driftwatch monitor --prediction COLUMN`: the model known by its prediction columns
/// in the reference and the current CSV (model-agnostic, as NannyML does it).
fn run_columns(a: &MonitorArgs, s: &Settings) -> Result<i32> {
    if is_jsonl(&s.current) {
        bail!(
            "--prediction reads the predictions from a current CSV; a prediction log (.jsonl) \
             carries them already: give its bundle with --model"
        );
    }
    if a.verify_key.is_some() {
        bail!("--verify-key checks a bundle's signature; there is none with --prediction");
    }
    let read = a
        .table
        .read_options(driftwatch_core::ReadOptions::default());
    let mut extra = vec![s.timestamp_column.clone()];
    extra.extend(a.id.clone());
    let columns = a
        .columns
        .columns(&extra)
        .context("--prediction COLUMN names the predictions")?;
    let ref_name = s.reference.display().to_string();
    let mut reference = read_frame(&s.reference, &read)?;
    let ref_labels = match &s.target {
        Some(t) => {
            let col = reference.remove(t).with_context(|| {
                format!(
                    "reference file {ref_name} has no target column '{t}' (--target names the \
                     true labels; leave it out to monitor without performance)"
                )
            })?;
            Some(col)
        }
        None => None,
    };
    let task = columns.infer_task(&reference, None, &ref_name)?;
    let classification = task.is_classification();
    let labels = match &ref_labels {
        Some(col) => driftwatch_core::Target::from_column(
            s.target.as_deref().unwrap_or_default(),
            col,
            classification,
        )
        .with_context(|| format!("in reference file {ref_name}"))?,
        None => driftwatch_core::Target::Labels(Vec::new()),
    };
    let reference = Labelled {
        // Named in the run's errors (a missing prediction column, a bad probability).
        label: format!("reference file {ref_name}"),
        features: reference,
        labels,
        timestamps: None,
    };
    let current = current_with_columns(a, s, &read, classification)?;
    let spec = window_spec(s)?;
    let name = s.current.display().to_string();
    let config = PassConfig {
        file: s.file.clone(),
        policy: s.policy.clone(),
        spec,
        extra_monitors: Vec::new(),
    };
    let outcome = driftwatch_run::run(&columns, reference, current, &name, &config)?;
    let task = outcome.task.map_or_else(String::new, |t| t.to_string());
    if a.columns.task.is_none() {
        note(&format!(
            "{}: predictions of a {task} model (inferred; --task overrides)",
            columns.prediction
        ));
    }
    finish(a, s, &outcome, &format!("{} ({task})", columns.prediction))
}

/// The current CSV of a model known by its columns: features with the prediction
/// columns, timestamps, and the target where known (its own column, or `--labels`
/// joined by `--id`); empty target cells are labels not yet arrived.
fn current_with_columns(
    a: &MonitorArgs,
    s: &Settings,
    read: &driftwatch_core::ReadOptions,
    classification: bool,
) -> Result<Current> {
    let name = s.current.display().to_string();
    let mut current = read_frame(&s.current, read)?;
    let timestamps = match (&s.every, current.has_column(&s.timestamp_column)) {
        (Some(_), false) => bail!(
            "--every needs timestamps: {name} has no column '{}' (name it with --timestamp-column)",
            s.timestamp_column
        ),
        (_, true) => Some(timestamp_column(
            &current.remove(&s.timestamp_column)?,
            &s.timestamp_column,
            &name,
        )?),
        (None, false) => None,
    };
    let target = s.target.as_deref();
    let own = match target {
        Some(t) if current.has_column(t) => Some(current.remove(t)?),
        _ => None,
    };
    let column = match (&a.labels, target) {
        (Some(_), None) => bail!("--labels needs --target: the labels file's target column"),
        (Some(path), Some(t)) => {
            let id = a.id.as_deref().context(
                "--labels with a CSV joins by an id column: name it with --id COLUMN (in both files)",
            )?;
            let by_id = labels_by_id(path, id, t)?;
            let ids = current
                .column(id)
                .with_context(|| format!("{name} has no id column '{id}' to join --labels by"))?;
            let joined: Vec<Option<String>> = ids
                .to_labels()
                .into_iter()
                .enumerate()
                .map(|(row, id)| {
                    // The file's own label where the labels file has none.
                    id.and_then(|id| by_id.get(&id).cloned()).or_else(|| {
                        own.as_ref()
                            .filter(|c| !c.is_missing(row))
                            .map(|c| c.display_value(row))
                    })
                })
                .collect();
            note(&format!(
                "{}: labels for {} of {} rows of {name}",
                path.display(),
                joined.iter().filter(|l| l.is_some()).count(),
                joined.len()
            ));
            Some(labels_column(joined, classification, t, path)?)
        }
        (None, _) => own,
    };
    let features = current;
    let Some(column) = column else {
        return Ok(Current::Table(Labelled {
            label: "current".into(),
            features,
            labels: driftwatch_core::Target::Labels(Vec::new()),
            timestamps,
        }));
    };
    let (labels, labelled) = driftwatch_run::columns::partial_labels(
        target.unwrap_or_default(),
        &column,
        classification,
    )
    .with_context(|| format!("in current file {name}"))?;
    let table = Labelled {
        label: "current".into(),
        features,
        labels,
        timestamps,
    };
    Ok(if labelled.iter().all(|&b| b) {
        Current::Table(table)
    } else {
        Current::PartlyLabelled { table, labelled }
    })
}

/// Joined labels as a column: numbers for a regression (an error naming the value
/// otherwise), class labels else.
fn labels_column(
    labels: Vec<Option<String>>,
    classification: bool,
    target: &str,
    path: &Path,
) -> Result<Column> {
    if classification {
        return Ok(Column::Categorical(
            driftwatch_core::Categorical::from_labels(labels),
        ));
    }
    let values = labels
        .into_iter()
        .map(|l| match l {
            None => Ok(f64::NAN),
            Some(v) => v.trim().parse::<f64>().with_context(|| {
                format!(
                    "labels file {}: '{v}' in '{target}' is not a number (a regression's target)",
                    path.display()
                )
            }),
        })
        .collect::<Result<Vec<f64>>>()?;
    Ok(Column::Numeric(values.into()))
}
