//! `driftwatch stream`: one streaming detector over one numeric column, row by row.

use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use driftwatch_core::{Column, ReadOptions};
use driftwatch_drift::stream;

use crate::args::StreamArgs;
use crate::data::read_frame;
use crate::output::{Format, emit, print_json};

pub fn run(a: &StreamArgs) -> Result<i32> {
    // Build first: a bad spec is reported before the file is read.
    let mut detector =
        stream::build(&a.detector).with_context(|| format!("--detector {}", a.detector))?;
    let read = a.table.read_options(ReadOptions {
        numeric: vec![a.column.clone()],
        ..Default::default()
    });
    let frame = read_frame(&a.input, &read)?;
    let values = match frame
        .column(&a.column)
        .with_context(|| format!("in data file {}", a.input.display()))?
    {
        Column::Numeric(v) => v.to_vec(),
        Column::Categorical(_) => bail!(
            "column '{}' in {} is not numeric: a stream detector needs numbers",
            a.column,
            a.input.display()
        ),
    };
    let missing: Vec<usize> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_finite())
        .map(|(i, _)| i + 1)
        .collect();
    if let Some(first) = missing.first() {
        let shown: Vec<String> = missing.iter().take(10).map(ToString::to_string).collect();
        bail!(
            "column '{}' in {} has {} missing or non-finite value(s), first at data row {first} \
             (rows {}{}); a stream detector needs a value on every row: fill or drop them",
            a.column,
            a.input.display(),
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        );
    }
    // River's two flags per row: a row where both are set is in both lists.
    let (detections, warnings) = stream::run(detector.as_mut(), &values);
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "detector": a.detector,
            "n": values.len(),
            "detections": detections,
            "warnings": warnings,
            "indices": INDICES,
        }))?,
        Format::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "detector   {}", a.detector);
            let _ = writeln!(out, "rows       {}", values.len());
            let _ = writeln!(out, "drifts     {}{}", detections.len(), list(&detections));
            let _ = writeln!(out, "warnings   {}{}", warnings.len(), list(&warnings));
            let _ = writeln!(out, "({INDICES})");
            emit(&out, None, "the detections")?;
        }
    }
    Ok(0)
}

/// What the two lists hold, stated in the output itself.
const INDICES: &str = "0-based data rows: detections where River's drift_detected, warnings \
     where its warning_detected was true after the row; a row can be in both";

/// `: 1, 2, 3` (up to 20, then `...`), or nothing for an empty list.
fn list(ix: &[usize]) -> String {
    if ix.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = ix.iter().take(20).map(ToString::to_string).collect();
    format!(
        " at {}{}",
        shown.join(", "),
        if ix.len() > 20 { ", ..." } else { "" }
    )
}
