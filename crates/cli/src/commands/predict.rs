//! `driftwatch predict`: validate rows, predict, write CSV and an optional JSONL log.

use std::io::Write;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use driftwatch_cli::workflow::validate_rows;
use driftwatch_core::Target;

use crate::args::PredictArgs;
use crate::bundle;
use crate::data::read_frame;

pub fn run(a: &PredictArgs) -> Result<i32> {
    let b = bundle::load_verified(a.model.path()?, a.verify_key.as_deref())?;
    let data = read_frame(&a.data, &a.table.read_options(b.read_options()))?;
    let name = a.data.display().to_string();
    let valid = validate_rows(&b.header.schema, &data, &name)?;
    for v in &valid.violations {
        eprintln!("{name}: skipped {v}");
    }
    let keep = valid.kept;
    if keep.len() < data.n_rows() {
        eprintln!(
            "{name}: {} of {} rows failed validation and were skipped",
            data.n_rows() - keep.len(),
            data.n_rows()
        );
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
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening prediction log {}", log.display()))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default();
        let mut buf = String::new();
        for (i, &row) in keep.iter().enumerate() {
            let input: serde_json::Map<String, serde_json::Value> = data
                .iter()
                .filter(|(name, _)| b.header.schema.column(name).is_some())
                .map(|(name, col)| {
                    let v = match col {
                        driftwatch_core::Column::Numeric(x) if !x[row].is_nan() => {
                            serde_json::json!(x[row])
                        }
                        c if !c.is_missing(row) => serde_json::json!(c.display_value(row)),
                        _ => serde_json::Value::Null,
                    };
                    (name.to_string(), v)
                })
                .collect();
            let probabilities = proba.as_ref().map(|p| {
                p.classes
                    .iter()
                    .zip(p.values.row(i))
                    .map(|(c, v)| (c.clone(), serde_json::json!(v)))
                    .collect::<serde_json::Map<_, _>>()
            });
            let record = serde_json::json!({
                "request_id": ids[i],
                "timestamp": now,
                "row": row + 1,
                "input": input,
                "prediction": preds[i],
                "probabilities": probabilities,
                "latency_ms": per_row_ms,
                "model": format!("{}@{}", b.header.name, b.header.version),
            });
            buf.push_str(&record.to_string());
            buf.push('\n');
        }
        f.write_all(buf.as_bytes())
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
