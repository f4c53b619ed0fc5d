//! One monitoring pass: [`run`] is the entry point.
//!
//! Given the model, the reference and the current data and the config, it validates the
//! current rows against the model's schema, predicts (or takes the logged predictions),
//! cuts the windows, fits the monitors on the reference, checks every window, evaluates
//! the alert policy, and returns the history entries and the report. It reads no file
//! and prints nothing: the caller (`driftwatch monitor`, `cargo xtask simulate`, a
//! server) reads its inputs and writes or shows what comes back.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use driftwatch_core::{
    Column, Frame, Pipeline, PredictionLog, Probabilities, Schema, Target, Violation, Window,
};
use driftwatch_monitor::histogram::{DEFAULT_BINS, histograms};
use driftwatch_monitor::{
    AlertPolicy, Distributions, Engine, FileRows, HistoryEntry, MonitorConfig, RunReport,
    WindowSpec, history, split_in_file,
};

use crate::columns::{PredictionColumns, Task};
use crate::config::MonitorFile;
use crate::error::{Error, Result};
use crate::validate::{rejected_before, validate_rows};

/// The column the logged (or measured) latency is given to the monitors as: the
/// `latency` monitor reads it; the reference has no such column, so the drift monitors
/// leave it alone.
pub const LATENCY_COLUMN: &str = "latency_ms";

/// The classifier estimator of driftwatch-estimate, added to the default set for a
/// model known by its columns.
pub const CBPE: &str = "cbpe";
/// The regressor estimator of driftwatch-estimate, added likewise.
pub const DLE: &str = "dle";

/// The model a pass watches: what a bundle holds that the pass needs.
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    /// The fitted pipeline.
    pub pipeline: &'a Pipeline,
    /// Its input schema: current rows are validated and conformed to it.
    pub schema: &'a Schema,
    /// Metrics on held-out rows: the `performance` monitor's baseline.
    pub baseline: &'a BTreeMap<String, f64>,
}

/// What predicts: a driftwatch bundle, or prediction columns already in the data
/// (model-agnostic monitoring, as NannyML does it).
#[derive(Debug, Clone, Copy)]
pub enum Predictor<'a> {
    /// A bundle: its pipeline predicts, its schema validates, its test metrics are the
    /// baseline.
    Bundle(Model<'a>),
    /// Prediction (and probability) columns of the reference and the current data: the
    /// schema is inferred from the reference's other columns (each allowed missing
    /// values: a given prediction needs no input), the baseline is the metrics of the
    /// reference's predictions against its target.
    Columns(&'a PredictionColumns),
}

impl<'a> From<Model<'a>> for Predictor<'a> {
    fn from(m: Model<'a>) -> Self {
        Predictor::Bundle(m)
    }
}

impl<'a> From<&'a PredictionColumns> for Predictor<'a> {
    fn from(c: &'a PredictionColumns) -> Self {
        Predictor::Columns(c)
    }
}

/// Rows with known labels: the reference, or a batch of current data.
///
/// With [`Predictor::Columns`] the features hold the prediction columns too, and the
/// reference's `labels` may be empty (no target: no performance).
#[derive(Debug, Clone)]
pub struct Labelled {
    /// A label for the report (`reference`, `day 3`).
    pub label: String,
    /// The inputs, target removed.
    pub features: Frame,
    /// The target, one per row.
    pub labels: Target,
    /// Seconds since 1970 per row, if known.
    pub timestamps: Option<Vec<i64>>,
}

/// The current data of a pass.
#[derive(Debug, Clone)]
pub enum Current {
    /// One table (a CSV with its target), validated, predicted and cut into windows by
    /// the spec; windows count the table's rows, rejected ones included.
    Table(Labelled),
    /// One table whose target is empty in some rows (labels not yet arrived): `labels`
    /// holds a placeholder there and `labelled` is false; those rows count for drift and
    /// predictions, performance comes from the labelled rows only.
    PartlyLabelled {
        /// The table.
        table: Labelled,
        /// Per row, whether its label is known.
        labelled: Vec<bool>,
    },
    /// Batches that are windows already (a simulated day each): each is validated and
    /// predicted on its own, and the time that takes becomes its rows' latency.
    Batches(Vec<Labelled>),
    /// A prediction log: rows validated, predictions taken from the log, labels (class
    /// by request id) joined where known; windows count the log's lines.
    Log {
        /// The log as read.
        log: PredictionLog,
        /// Delayed labels by request id, if any arrived.
        labels: Option<HashMap<String, String>>,
    },
}

/// How a pass runs: the config file (monitors, `on_error`), the alert policy with any
/// overrides applied, the windows, and monitors added to the config's.
#[derive(Debug, Clone)]
pub struct PassConfig {
    /// The monitor config; its `alert` table is not read (see `policy`).
    pub file: MonitorFile,
    /// The alert policy, checked by [`run`].
    pub policy: AlertPolicy,
    /// How a table or a log is cut into windows (batches are windows already).
    pub spec: WindowSpec,
    /// Monitors run after the config's (or the default set): a scenario's own checks.
    pub extra_monitors: Vec<MonitorConfig>,
}

/// What a pass produced.
#[derive(Debug)]
pub struct Outcome {
    /// The reference as the monitors saw it (conformed, with predictions).
    pub reference: Window,
    /// The windows checked, in order.
    pub windows: Vec<Window>,
    /// The windows' reports, the alerts, the summary and the bands.
    pub report: RunReport,
    /// One history line per window, for `history::append`.
    pub history: Vec<HistoryEntry>,
    /// Every row-level schema violation of the current data (the rows left out).
    pub violations: Vec<Violation>,
    /// 1-based data rows of the current data left out by validation (for a table or a
    /// log; for batches, per batch).
    pub skipped: Vec<usize>,
    /// Delayed labels joined: (rows with a label, rows kept).
    pub labelled: Option<(usize, usize)>,
    /// The `performance` baseline: the bundle's test metrics, or with prediction columns
    /// the metrics of the reference.
    pub baseline: BTreeMap<String, f64>,
    /// The task of prediction columns (given or inferred); `None` for a bundle.
    pub task: Option<Task>,
}

impl Outcome {
    /// Reference vs the last window with rows, for the HTML report's drift section.
    pub fn distributions(&self) -> Option<Distributions> {
        let i = self.windows.iter().rposition(|w| w.n_rows() > 0)?;
        Some(Distributions {
            window: self.report.windows.get(i)?.index,
            features: histograms(&self.reference, &self.windows[i], DEFAULT_BINS),
        })
    }

    /// Rows left out by validation in each window ([`Window::rejected`] summed).
    pub fn rejected_per_window(&self) -> Vec<u64> {
        self.windows
            .iter()
            .map(|w| {
                w.rejected
                    .iter()
                    .flatten()
                    .map(|&r| u64::from(r))
                    .sum::<u64>()
            })
            .collect()
    }
}

/// The JSON report of `driftwatch monitor --format json` (docs/report-schema.json):
/// [`RunReport::to_json`] plus what the caller knows of the run (the model as
/// `name@version`, its baseline, the 1-based skipped rows), so the CLI and the server
/// write one schema.
pub fn report_json(
    report: &RunReport,
    model: &str,
    baseline: &BTreeMap<String, f64>,
    skipped: &[usize],
) -> Result<serde_json::Value> {
    let text = report
        .to_json()
        .map_err(Error::monitor("writing the report"))?;
    let bad = |e: serde_json::Error| Error::Config {
        name: "the JSON report".into(),
        message: e.to_string(),
    };
    let mut json: serde_json::Value = serde_json::from_str(&text).map_err(bad)?;
    if let Some(obj) = json.as_object_mut() {
        obj.insert("model".into(), model.into());
        obj.insert(
            "baseline".into(),
            serde_json::to_value(baseline).map_err(bad)?,
        );
        obj.insert(
            "skipped_rows".into(),
            serde_json::to_value(skipped).map_err(bad)?,
        );
    }
    Ok(json)
}

/// Runs one monitoring pass; `input` names the current data in messages.
///
/// Errors: the policy or the config out of range, current data whose columns do not
/// match the schema, windows by time without timestamps, a monitor that cannot be built
/// or fitted, or one that fails on a window under `on_error = "abort"`.
pub fn run<'a>(
    model: impl Into<Predictor<'a>>,
    reference: Labelled,
    current: Current,
    input: &str,
    config: &PassConfig,
) -> Result<Outcome> {
    config
        .policy
        .check()
        .map_err(Error::monitor("the alert policy"))?;
    let (model, reference) = Source::resolve(model.into(), reference)?;
    let model = &model;
    // The typical window's rows as they arrive (rejected ones included, as row windows
    // count them): the chunk size of the reference bands.
    let (windows, violations, skipped, labelled, window_rows) = match current {
        Current::Table(t) => {
            let c = table_window(model, t, None, input)?;
            let windows = split(&c.window, &config.spec, &c.kept, c.total, input)?;
            let rows = typical_rows(&config.spec, &windows);
            (windows, c.violations, c.skipped, None, rows)
        }
        Current::PartlyLabelled { table, labelled } => {
            if labelled.len() != table.features.n_rows() {
                return Err(Error::Input {
                    input: input.to_string(),
                    message: format!(
                        "{} labelled flags for {} rows",
                        labelled.len(),
                        table.features.n_rows()
                    ),
                });
            }
            let c = table_window(model, table, Some(labelled), input)?;
            let kept_labelled = c.window.labelled_rows();
            let windows = split(&c.window, &config.spec, &c.kept, c.total, input)?;
            let rows = typical_rows(&config.spec, &windows);
            (
                windows,
                c.violations,
                c.skipped,
                Some((kept_labelled, c.kept.len())),
                rows,
            )
        }
        Current::Batches(batches) => {
            let mut sizes: Vec<usize> = batches.iter().map(|b| b.features.n_rows()).collect();
            sizes.sort_unstable();
            let rows = sizes.get(sizes.len() / 2).copied().filter(|&n| n > 0);
            let mut windows = Vec::with_capacity(batches.len());
            let (mut violations, mut skipped) = (Vec::new(), Vec::new());
            for b in batches {
                let name = format!("{input} ({})", b.label);
                let c = batch_window(model, b, &name)?;
                windows.push(c.window);
                violations.extend(c.violations);
                skipped.extend(c.skipped);
            }
            (windows, violations, skipped, None, rows)
        }
        Current::Log { log, labels } => {
            if matches!(config.spec, WindowSpec::Every(_)) && log.timestamps.is_none() {
                return Err(Error::Input {
                    input: input.to_string(),
                    message: "windows by time need a 'timestamp' on every line".into(),
                });
            }
            let (c, labelled) = log_window(model, log, labels.as_ref(), input)?;
            let windows = split(&c.window, &config.spec, &c.kept, c.total, input)?;
            let rows = typical_rows(&config.spec, &windows);
            (windows, c.violations, c.skipped, labelled, rows)
        }
    };
    let baseline = model.baseline(&reference)?;
    let mut extra = config.extra_monitors.clone();
    if config.file.monitors.is_empty()
        && let Some(name) = model.default_estimator(&reference)
    {
        extra.push(driftwatch_monitor::MonitorConfig {
            name: name.into(),
            ..Default::default()
        });
    }
    let engine_config = config.file.engine_config(
        config.policy.ratio,
        &baseline,
        window_rows,
        reference.n_rows(),
        &extra,
    )?;
    let mut engine =
        Engine::from_config(&engine_config).map_err(Error::monitor("building the monitors"))?;
    engine
        .fit(&reference)
        .map_err(Error::monitor("fitting the monitors on the reference"))?;
    let reports = engine
        .run(&windows)
        .map_err(Error::monitor("checking the windows"))?;
    let alerts = config.policy.evaluate(&reports);
    let history = history::entries(&reports, &alerts);
    let report = RunReport::new(reports, alerts).with_bands(engine.bands());
    Ok(Outcome {
        reference,
        windows,
        report,
        history,
        violations,
        skipped,
        labelled,
        baseline,
        task: model.task(),
    })
}

/// The predictor a pass runs with, its schema at hand.
enum Source<'a> {
    Bundle(Model<'a>),
    Columns {
        columns: &'a PredictionColumns,
        /// Inferred from the reference's features, every column nullable.
        schema: Schema,
        task: Task,
        /// Classes of the reference's predictions and target.
        known: Vec<String>,
    },
}

impl<'a> Source<'a> {
    /// The source and the reference window (conformed to the schema, with predictions).
    fn resolve(p: Predictor<'a>, r: Labelled) -> Result<(Source<'a>, Window)> {
        match p {
            Predictor::Bundle(model) => {
                let window = bundle_reference(model, r)?;
                Ok((Source::Bundle(model), window))
            }
            Predictor::Columns(columns) => {
                let name = r.label.clone();
                let labels = (!r.labels.is_empty()).then_some(r.labels);
                if let Some(l) = &labels
                    && l.len() != r.features.n_rows()
                {
                    return Err(Error::Input {
                        input: name,
                        message: format!(
                            "{} target values for {} rows",
                            l.len(),
                            r.features.n_rows()
                        ),
                    });
                }
                let task = columns.infer_task(&r.features, labels.as_ref(), &name)?;
                let mut known: Vec<String> = Vec::new();
                if task.is_classification() {
                    if let Ok(c) = r.features.column(&columns.prediction) {
                        known.extend(c.to_labels().into_iter().flatten());
                    }
                    if let Some(Target::Labels(l)) = &labels {
                        known.extend(l.iter().cloned());
                    }
                    known.sort_unstable();
                    known.dedup();
                }
                if let (true, Some(Target::Values(_))) = (task.is_classification(), &labels) {
                    return Err(Error::Input {
                        input: name,
                        message: format!("a {task} model needs class labels as its target"),
                    });
                }
                let out = columns.outputs(&r.features, task, &known, &name)?;
                if out.features.n_cols() == 0 {
                    return Err(Error::Input {
                        input: name,
                        message: "no feature columns besides the prediction, probability, \
                                  target and ignored ones"
                            .into(),
                    });
                }
                let mut schema = Schema::infer(&out.features);
                for c in &mut schema.columns {
                    c.nullable = true;
                }
                let labels = match (task, labels) {
                    (Task::Regression, Some(Target::Labels(_))) => {
                        return Err(Error::Input {
                            input: name,
                            message: "a regression needs a numeric target".into(),
                        });
                    }
                    (_, l) => l,
                };
                let window = Window {
                    label: r.label,
                    predictions: Some(out.predictions),
                    probabilities: out.probabilities,
                    labels,
                    features: out.features,
                    timestamps: r.timestamps,
                    ..Window::default()
                };
                Ok((
                    Source::Columns {
                        columns,
                        schema,
                        task,
                        known,
                    },
                    window,
                ))
            }
        }
    }

    fn schema(&self) -> &Schema {
        match self {
            Source::Bundle(m) => m.schema,
            Source::Columns { schema, .. } => schema,
        }
    }

    fn task(&self) -> Option<Task> {
        match self {
            Source::Bundle(_) => None,
            Source::Columns { task, .. } => Some(*task),
        }
    }

    /// The estimator the default monitor set adds for a model known by its columns,
    /// as NannyML pairs them: `cbpe` for a classifier whose probabilities are given,
    /// `dle` for a regressor; none without a labelled reference to learn from, or for a
    /// bundle (its default set stays as documented).
    fn default_estimator(&self, reference: &Window) -> Option<&'static str> {
        let labelled = reference.labels.as_ref().is_some_and(|l| !l.is_empty());
        match self.task()? {
            _ if !labelled => None,
            Task::Regression => Some(DLE),
            Task::Binary | Task::Multiclass if reference.probabilities.is_some() => Some(CBPE),
            Task::Binary | Task::Multiclass => {
                tracing::warn!(
                    "cbpe left out: it estimates performance from predicted probabilities; \
                     give them with --proba or --proba-column"
                );
                None
            }
        }
    }

    /// The `performance` baseline: the bundle's, or the reference's own metrics.
    fn baseline(&self, reference: &Window) -> Result<BTreeMap<String, f64>> {
        match self {
            Source::Bundle(m) => Ok(m.baseline.clone()),
            Source::Columns { .. } => Ok(driftwatch_metrics::window_metrics(reference)
                .map_err(Error::core("the metrics of the reference (the baseline)"))?
                .unwrap_or_default()),
        }
    }
}

/// The reference conformed to the bundle's schema and predicted.
fn bundle_reference(model: Model<'_>, r: Labelled) -> Result<Window> {
    let features = model.schema.conform(&r.features).map_err(Error::core(
        "conforming the reference to the model's schema",
    ))?;
    let predictions = model
        .pipeline
        .predict(&features)
        .map_err(Error::core("predicting the reference"))?;
    Ok(Window {
        label: r.label,
        predictions: Some(predictions),
        labels: Some(r.labels),
        features,
        timestamps: r.timestamps,
        ..Window::default()
    })
}

/// Current rows after validation, as one window still to be cut.
struct Checked {
    window: Window,
    kept: Vec<usize>,
    total: usize,
    violations: Vec<Violation>,
    skipped: Vec<usize>,
}

/// Validated rows: the kept ones conformed, their indices, the 1-based skipped ones and
/// the violations.
struct Kept {
    frame: Frame,
    kept: Vec<usize>,
    skipped: Vec<usize>,
    violations: Vec<Violation>,
}

fn validated(model: &Source<'_>, features: &Frame, input: &str) -> Result<Kept> {
    let v = validate_rows(model.schema(), features, input)?;
    let skipped = (0..features.n_rows())
        .filter(|r| v.kept.binary_search(r).is_err())
        .map(|r| r + 1)
        .collect();
    Ok(Kept {
        frame: v.frame,
        kept: v.kept,
        skipped,
        violations: v.violations,
    })
}

/// A table validated and predicted (or its prediction columns taken); `labelled` flags
/// the rows whose label is known (`None`: all).
fn table_window(
    model: &Source<'_>,
    t: Labelled,
    labelled: Option<Vec<bool>>,
    input: &str,
) -> Result<Checked> {
    let total = t.features.n_rows();
    let (k, predictions, probabilities) = match model {
        Source::Bundle(m) => {
            let k = validated(model, &t.features, input)?;
            let predictions = m
                .pipeline
                .predict(&k.frame)
                .map_err(Error::core(format!("predicting {input}")))?;
            let probabilities = m
                .pipeline
                .predict_proba(&k.frame)
                .map_err(Error::core(format!("predicting {input}")))?;
            (k, predictions, probabilities)
        }
        Source::Columns {
            columns,
            task,
            known,
            ..
        } => {
            let o = columns.outputs(&t.features, *task, known, input)?;
            let k = validated(model, &o.features, input)?;
            let predictions = o.predictions.take(&k.kept);
            let probabilities = o.probabilities.map(|p| Probabilities {
                classes: p.classes,
                values: p.values.select(ndarray::Axis(0), &k.kept),
            });
            (k, predictions, probabilities)
        }
    };
    let Kept {
        frame: x,
        kept,
        skipped,
        violations,
    } = k;
    let has_labels = !t.labels.is_empty();
    if has_labels && t.labels.len() != total {
        return Err(Error::Input {
            input: input.to_string(),
            message: format!("{} target values for {total} rows", t.labels.len()),
        });
    }
    let labelled = labelled
        .map(|m| kept.iter().map(|&i| m[i]).collect::<Vec<bool>>())
        .filter(|m| !m.iter().all(|&b| b));
    let window = Window {
        label: t.label,
        predictions: Some(predictions),
        probabilities,
        labels: has_labels.then(|| t.labels.take(&kept)),
        features: x,
        timestamps: t.timestamps.map(|ts| kept.iter().map(|&i| ts[i]).collect()),
        labelled,
        rejected: Some(rejected_before(&kept, total)),
    };
    Ok(Checked {
        window,
        kept,
        total,
        violations,
        skipped,
    })
}

/// A batch as one window: validated, predicted, its prediction time per row as the
/// latency column.
fn batch_window(model: &Source<'_>, b: Labelled, input: &str) -> Result<Checked> {
    let started = Instant::now();
    let mut c = table_window(model, b, None, input)?;
    let n = c.window.n_rows();
    let per_row = started.elapsed().as_secs_f64() * 1e3 / n.max(1) as f64;
    if !c.window.features.has_column(LATENCY_COLUMN) {
        c.window
            .features
            .push(
                LATENCY_COLUMN,
                Column::Numeric(ndarray::Array1::from_elem(n, per_row)),
            )
            .map_err(Error::core(format!("{input}: the latency column")))?;
    }
    Ok(c)
}

/// The log's valid rows with their logged predictions, latency and joined labels.
fn log_window(
    model: &Source<'_>,
    log: PredictionLog,
    labels: Option<&HashMap<String, String>>,
    input: &str,
) -> Result<(Checked, Option<(usize, usize)>)> {
    let total = log.inputs.n_rows();
    let Kept {
        frame: mut x,
        kept,
        skipped,
        violations,
    } = validated(model, &log.inputs, input)?;
    if log.latency_ms.iter().any(|v| v.is_finite()) && !x.has_column(LATENCY_COLUMN) {
        let latency: ndarray::Array1<f64> = kept.iter().map(|&i| log.latency_ms[i]).collect();
        x.push(LATENCY_COLUMN, Column::Numeric(latency))
            .map_err(Error::core(format!("{input}: the latency column")))?;
    }
    let (labels, labelled, counts) = match labels {
        None => (None, None, None),
        Some(by_id) => {
            let mut known = Vec::with_capacity(kept.len());
            let mut mask = Vec::with_capacity(kept.len());
            for &row in &kept {
                match log.request_ids[row].as_ref().and_then(|id| by_id.get(id)) {
                    Some(y) => {
                        known.push(y.clone());
                        mask.push(true);
                    }
                    // A placeholder the engine never reads as a label (`labelled` says so).
                    None => {
                        known.push(String::new());
                        mask.push(false);
                    }
                }
            }
            let n = mask.iter().filter(|&&m| m).count();
            (
                Some(Target::Labels(known)),
                Some(mask),
                Some((n, kept.len())),
            )
        }
    };
    let window = Window {
        label: "current".into(),
        features: x,
        predictions: Some(log.predictions.take(&kept)),
        probabilities: log.probabilities.as_ref().map(|p| Probabilities {
            classes: p.classes.clone(),
            values: p.values.select(ndarray::Axis(0), &kept),
        }),
        labels,
        labelled,
        rejected: Some(rejected_before(&kept, total)),
        timestamps: log
            .timestamps
            .as_ref()
            .map(|t| kept.iter().map(|&i| t[i]).collect()),
    };
    Ok((
        Checked {
            window,
            kept,
            total,
            violations,
            skipped,
        },
        counts,
    ))
}

fn split(
    window: &Window,
    spec: &WindowSpec,
    kept: &[usize],
    total: usize,
    input: &str,
) -> Result<Vec<Window>> {
    if matches!(spec, WindowSpec::Every(_)) && window.timestamps.is_none() {
        return Err(Error::Input {
            input: input.to_string(),
            message: "windows by time need a timestamp on every row".into(),
        });
    }
    split_in_file(window, spec, FileRows { kept, total })
        .map_err(Error::monitor(format!("cutting {input} into windows")))
}

/// Rows of a typical window of a table or log, the size of the reference chunks a band
/// compares it with: the row count of row windows, the median of the non-empty time
/// windows, none for one window over everything.
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
