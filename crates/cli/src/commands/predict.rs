//! `driftwatch predict`: validate rows, predict, write CSV (or Parquet / Arrow IPC by the
//! output's name) and an optional JSONL log.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use driftwatch_core::{
    Categorical, Column, Frame, LoggedCall, Prediction, Probabilities, Target, write_csv,
    write_prediction_log,
};
use driftwatch_run::validate_rows;

use crate::args::PredictArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::output::note;

pub fn run(a: &PredictArgs) -> Result<i32> {
    let b = bundle::load_verified(a.model.path()?, a.verify_key.as_deref())?;
    let data = read_frame(&a.data, &a.table.read_options(b.read_options()))?;
    let name = a.data.display().to_string();
    let valid = validate_rows(&b.header.schema, &data, &name)?;
    for v in &valid.violations {
        note(&format!("{name}: skipped {v}"));
    }
    let keep = valid.kept;
    if keep.len() < data.n_rows() {
        note(&format!(
            "{name}: {} of {} rows failed validation and were skipped",
            data.n_rows() - keep.len(),
            data.n_rows()
        ));
    }
    let rows = valid.frame;
    let start = Instant::now();
    let (pred, proba) = if rows.n_rows() == 0 {
        (Target::Labels(Vec::new()), None)
    } else {
        (b.pipeline.predict(&rows)?, b.pipeline.predict_proba(&rows)?)
    };
    let per_row_ms = start.elapsed().as_secs_f64() * 1e3 / rows.n_rows().max(1) as f64;
    let preds = pred.to_strings();
    let ids: Vec<String> = match &a.id_column {
        Some(c) => {
            let col = data.column(c).with_context(|| format!("--id-column {c}"))?;
            keep.iter().map(|&r| col.display_value(r)).collect()
        }
        None => keep.iter().map(|r| format!("req-{}", r + 1)).collect(),
    };
    let table = output_table(&keep, &ids, &pred, proba.as_ref())?;
    match &a.output {
        // CSV, Parquet or Arrow by the name (driftwatch_columnar::OutputFormat)
        Some(p) => driftwatch_columnar::write_table(&table, p)
            .with_context(|| format!("writing predictions to {}", p.display()))?,
        None => write_csv(&table, std::io::stdout().lock(), "standard output")?,
    }
    if let Some(log) = &a.log {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening prediction log {}", log.display()))?;
        let records = LoggedCall {
            data: &data,
            schema: &b.header.schema,
            kept: &keep,
            ids: &ids,
            predictions: preds.iter().cloned().map(Prediction::Label).collect(),
            probabilities: proba.as_ref(),
            latency_ms: per_row_ms,
            model: format!("{}@{}", b.header.name, b.header.version),
        }
        .records()?;
        // One write of the whole batch, so concurrent runs do not interleave lines.
        let mut buf = Vec::new();
        write_prediction_log(&mut buf, &records, &log.display().to_string())?;
        let mut f = f;
        f.write_all(&buf)
            .with_context(|| format!("writing prediction log {}", log.display()))?;
    }
    Ok(0)
}

/// The predictions as a table: `row` (1-based input row), `request_id`, `prediction`
/// (numbers for a regressor, labels otherwise) and one `proba_<class>` per class.
fn output_table(
    keep: &[usize],
    ids: &[String],
    pred: &Target,
    proba: Option<&Probabilities>,
) -> Result<Frame> {
    let mut table = Frame::default();
    table.push(
        "row",
        Column::Numeric(keep.iter().map(|&r| (r + 1) as f64).collect()),
    )?;
    table.push(
        "request_id",
        Column::Categorical(Categorical::from_labels(ids.iter().map(Some))),
    )?;
    let prediction = match pred {
        Target::Values(v) => Column::Numeric(v.iter().copied().collect()),
        Target::Labels(l) => Column::Categorical(Categorical::from_labels(l.iter().map(Some))),
    };
    table.push("prediction", prediction)?;
    if let Some(p) = proba {
        for (class, values) in p.classes.iter().zip(p.values.columns()) {
            table.push(format!("proba_{class}"), Column::Numeric(values.to_owned()))?;
        }
    }
    Ok(table)
}
