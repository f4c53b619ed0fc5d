//! `driftwatch predict`: validate rows, predict, write CSV and an optional JSONL log.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use driftwatch_core::{LoggedCall, Prediction, Target, write_prediction_log};
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
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut header = vec!["row".to_string(), "request_id".into(), "prediction".into()];
    if let Some(p) = &proba {
        header.extend(p.classes.iter().map(|c| format!("proba_{c}")));
    }
    writeln!(out, "{}", header.join(","))?;
    for (i, &row) in keep.iter().enumerate() {
        let mut line = format!(
            "{},{},{}",
            row + 1,
            csv_field(&ids[i]),
            csv_field(&preds[i])
        );
        if let Some(p) = &proba {
            for v in p.values.row(i) {
                line.push_str(&format!(",{v}"));
            }
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
