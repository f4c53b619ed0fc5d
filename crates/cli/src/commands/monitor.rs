//! `driftwatch monitor`: replay current data window by window against the model's
//! baseline and the reference data; print the daily table, alerts and summary, and
//! write the HTML/JSON/Markdown report and the Prometheus file on request.
//!
//! The current data is a CSV with the target column, or the prediction log of
//! `driftwatch predict --log` (JSON lines) with delayed labels joined by request id.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use driftwatch_cli::workflow::{default_monitors, split_target, validate_rows};
use driftwatch_core::{Column, Frame, PredictionLog, Target, Window, read_jsonl_path};
use driftwatch_monitor::histogram::{DEFAULT_BINS, histograms};
use driftwatch_monitor::window::parse_timestamp;
use driftwatch_monitor::{
    AlertPolicy, Distributions, Engine, RunReport, Summary, WindowSpec, history, split,
};

use crate::args::MonitorArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::output::{Format, print_json};

fn is_jsonl(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    )
}

pub fn run(a: &MonitorArgs) -> Result<i32> {
    let b = bundle::load_verified(&a.model, a.verify_key.as_deref())?;
    let read = b.read_options();
    let classification = b.pipeline.estimator()?.is_classifier();
    let reference = read_frame(&a.reference, &read)?;
    let (x_ref, y_ref) = split_target(&reference, &a.target, classification)
        .with_context(|| format!("in reference file {}", a.reference.display()))?;
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

    let (current_window, skipped) = if is_jsonl(&a.current) {
        current_from_log(a, &b, &read)?
    } else {
        if a.labels.is_some() {
            bail!(
                "--labels joins by request id and needs the prediction log (.jsonl) as --current; \
                 a CSV carries its labels in the --target column"
            );
        }
        current_from_csv(a, &b, &read, classification)?
    };
    let spec = match (a.window, &a.every) {
        (Some(0), _) => bail!("--window must be at least 1 row"),
        (Some(n), _) => WindowSpec::Rows(n),
        (None, Some(every)) => format!("every:{every}")
            .parse::<WindowSpec>()
            .with_context(|| format!("--every {every}: use e.g. 1d, 6h, 30m or 3600"))?,
        (None, None) => WindowSpec::All,
    };
    let windows = split(&current_window, &spec)?;

    let baseline = &b.header.training_metrics;
    let mut engine = Engine::from_config(&default_monitors(a.ratio, baseline))?;
    engine.fit(&reference_window)?;
    let reports = engine.run(&windows)?;
    let policy = AlertPolicy {
        ratio: a.ratio,
        absolute_drop: a.absolute_drop,
        high_degradation: a.high_degradation,
        consecutive: a.consecutive,
        cooldown: a.cooldown,
        ..Default::default()
    };
    policy.check()?;
    let alerts = policy.evaluate(&reports);
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
    let report = RunReport::new(reports, alerts);
    if let Some(path) = &a.report {
        let title = format!(
            "driftwatch: {}@{} on {}",
            b.header.name,
            b.header.version,
            a.current.display()
        );
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => {
                // Histograms of the reference vs the last window with rows.
                let distributions =
                    windows
                        .iter()
                        .rposition(|w| w.n_rows() > 0)
                        .map(|i| Distributions {
                            window: report.windows[i].index,
                            features: histograms(&reference_window, &windows[i], DEFAULT_BINS),
                        });
                report.render_html(distributions.as_ref(), &title)?
            }
            Some("json") => report.to_json()?,
            Some("md" | "markdown") => report.render_markdown(),
            _ => bail!(
                "--report {}: name the file .html, .json or .md to choose the format",
                path.display()
            ),
        };
        std::fs::write(path, text).with_context(|| format!("writing report {}", path.display()))?;
    }
    if let Some(path) = &a.prometheus {
        std::fs::write(path, report.render_prometheus())
            .with_context(|| format!("writing Prometheus file {}", path.display()))?;
    }
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "model": format!("{}@{}", b.header.name, b.header.version),
            "baseline": baseline,
            "skipped_rows": skipped,
            "report": serde_json::from_str::<serde_json::Value>(&report.to_json()?)?,
            "summary": summary,
        }))?,
        Format::Text => {
            print!("{}", report.render_text());
        }
    }
    Ok(if a.fail_on_alert && active > 0 { 1 } else { 0 })
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
    a: &MonitorArgs,
    b: &bundle::Loaded,
    read: &driftwatch_core::ReadOptions,
    classification: bool,
) -> Result<(Window, Vec<usize>)> {
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
    };
    Ok((window, skipped))
}

fn timestamp_column(col: &Column, name: &str, input: &str) -> Result<Vec<i64>> {
    (0..col.len())
        .map(|row| {
            if col.is_missing(row) {
                bail!("{input} row {}: no timestamp in column '{name}'", row + 1);
            }
            parse_timestamp(&col.display_value(row))
                .with_context(|| format!("{input} row {}, column '{name}'", row + 1))
        })
        .collect()
}

fn current_from_log(
    a: &MonitorArgs,
    b: &bundle::Loaded,
    read: &driftwatch_core::ReadOptions,
) -> Result<(Window, Vec<usize>)> {
    let name = a.current.display().to_string();
    let log: PredictionLog = read_jsonl_path(&a.current, read)?;
    let (x, kept, skipped) = valid_rows(b, &log.inputs, &name)?;
    if a.every.is_some() && log.timestamps.is_none() {
        bail!("--every needs a 'timestamp' on every line of {name}");
    }
    let (labels, labelled) = match &a.labels {
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
        timestamps: log
            .timestamps
            .as_ref()
            .map(|t| kept.iter().map(|&i| t[i]).collect()),
    };
    Ok((window, skipped))
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
