//! `driftwatch reference build`: fit the drift reference once and save it as a .dwr
//! file, so `driftwatch drift --reference FILE.dwr` checks without refitting.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use driftwatch_core::ReadOptions;
use driftwatch_drift::columns::{ColumnReference, DriftReference};
use driftwatch_drift::reference_file::{is_reference_bytes, save_reference};

use crate::args::{ReferenceAction, ReferenceArgs};
use crate::data::{read_frame, refuse_numeric_typos, split_list};
use crate::output::{Format, emit, print_json};

/// Whether `path` holds a reference file (by its first bytes, not its name); an
/// unreadable path is left to the CSV reader, whose message names it.
pub fn is_reference_file(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| is_reference_bytes(&head))
}

/// Runs `driftwatch reference ...`.
pub fn run(a: &ReferenceArgs) -> Result<i32> {
    match &a.action {
        ReferenceAction::Build {
            data,
            output: out,
            columns,
            categorical,
            format,
            table,
        } => {
            let read = table.read_options(ReadOptions {
                categorical: split_list(categorical),
                ..Default::default()
            });
            let frame = read_frame(data, &read)?;
            refuse_numeric_typos(&frame, data, &read.categorical)?;
            let fitted = DriftReference::fit(&frame, &split_list(columns))
                .with_context(|| format!("in reference file {}", data.display()))?;
            save_reference(out, &fitted)
                .with_context(|| format!("writing reference {}", out.display()))?;
            let numeric = fitted
                .columns
                .iter()
                .filter(|c| matches!(c.reference, ColumnReference::Numeric(_)))
                .count();
            let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
            match format {
                Format::Json => print_json(&serde_json::json!({
                    "out": out.display().to_string(),
                    "rows": frame.n_rows(),
                    "columns": fitted.columns.len(),
                    "numeric": numeric,
                    "categorical": fitted.columns.len() - numeric,
                    "bytes": size,
                }))?,
                Format::Text => emit(
                    &format!(
                        "wrote {} ({} rows, {} columns: {} numeric, {} categorical; {} bytes)",
                        out.display(),
                        frame.n_rows(),
                        fitted.columns.len(),
                        numeric,
                        fitted.columns.len() - numeric,
                        size
                    ),
                    None,
                    "the summary",
                )?,
            }
            Ok(0)
        }
    }
}
