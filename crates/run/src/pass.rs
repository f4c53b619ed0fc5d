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

use crate::config::MonitorFile;
use crate::error::{Error, Result};
use crate::validate::{rejected_before, validate_rows};

/// The column the logged (or measured) latency is given to the monitors as: the
/// `latency` monitor reads it; the reference has no such column, so the drift monitors
/// leave it alone.
pub const LATENCY_COLUMN: &str = "latency_ms";

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

/// Rows with known labels: the reference, or a batch of current data.
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

/// Runs one monitoring pass; `input` names the current data in messages.
///
/// Errors: the policy or the config out of range, current data whose columns do not
/// match the schema, windows by time without timestamps, a monitor that cannot be built
/// or fitted, or one that fails on a window under `on_error = "abort"`.
pub fn run(
    model: Model<'_>,
    reference: Labelled,
    current: Current,
    input: &str,
    config: &PassConfig,
) -> Result<Outcome> {
    config
        .policy
        .check()
        .map_err(Error::monitor("the alert policy"))?;
    let reference = reference_window(model, reference)?;
    // The typical window's rows as they arrive (rejected ones included, as row windows
    // count them): the chunk size of the reference bands.
    let (windows, violations, skipped, labelled, window_rows) = match current {
        Current::Table(t) => {
            let c = table_window(model, t, input)?;
            let windows = split(&c.window, &config.spec, &c.kept, c.total, input)?;
            let rows = typical_rows(&config.spec, &windows);
            (windows, c.violations, c.skipped, None, rows)
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
    let engine_config = config.file.engine_config(
        config.policy.ratio,
        model.baseline,
        window_rows,
        reference.n_rows(),
        &config.extra_monitors,
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
    })
}

/// The reference conformed to the schema and predicted.
fn reference_window(model: Model<'_>, r: Labelled) -> Result<Window> {
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

fn validated(model: Model<'_>, features: &Frame, input: &str) -> Result<Kept> {
    let v = validate_rows(model.schema, features, input)?;
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

fn table_window(model: Model<'_>, t: Labelled, input: &str) -> Result<Checked> {
    let total = t.features.n_rows();
    let Kept {
        frame: x,
        kept,
        skipped,
        violations,
    } = validated(model, &t.features, input)?;
    let predictions = model
        .pipeline
        .predict(&x)
        .map_err(Error::core(format!("predicting {input}")))?;
    let probabilities = model
        .pipeline
        .predict_proba(&x)
        .map_err(Error::core(format!("predicting {input}")))?;
    let window = Window {
        label: t.label,
        predictions: Some(predictions),
        probabilities,
        labels: Some(t.labels.take(&kept)),
        features: x,
        timestamps: t.timestamps.map(|ts| kept.iter().map(|&i| ts[i]).collect()),
        labelled: None,
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
fn batch_window(model: Model<'_>, b: Labelled, input: &str) -> Result<Checked> {
    let started = Instant::now();
    let mut c = table_window(model, b, input)?;
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
    model: Model<'_>,
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
