//! `driftwatch reference build`: fit the drift reference once and save it as a .dwr
//! file, so `driftwatch drift --reference FILE.dwr` checks without refitting, and
//! `driftwatch reference merge`: the references of parts into the reference of the whole.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use driftwatch_columnar::Detected;
use driftwatch_core::{ColumnKind, CsvChunks, DEFAULT_CHUNK_ROWS, Frame, ReadOptions, TableFormat};
use driftwatch_drift::columns::DriftReference;
use driftwatch_drift::reference_file::{is_reference_bytes, load_reference, save_reference};
use driftwatch_drift::streaming::FrameSummary;

use crate::args::{ReferenceAction, ReferenceArgs};
use crate::data::{is_stdin, read_frame, refuse_numeric_typos, split_list};
use crate::output::{Format, emit, print_json};

/// Whether `path` holds a reference file (by its first bytes, not its name); an
/// unreadable path is left to the CSV reader, whose message names it.
pub fn is_reference_file(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| is_reference_bytes(&head))
}

/// The chunks of a table file (standard input: CSV in chunks, Parquet or Arrow whole);
/// a Parquet or Arrow file decodes only `columns` when given (a CSV is read whole).
pub fn table_chunks<'a>(
    path: &'a Path,
    read: &ReadOptions,
    columns: Option<&[String]>,
) -> Result<Box<dyn Iterator<Item = Result<Frame>> + 'a>> {
    let context = || format!("reading data file {}", path.display());
    Ok(if is_stdin(path) {
        match read.format {
            None | Some(TableFormat::Csv) => Box::new(
                CsvChunks::new(
                    std::io::stdin().lock(),
                    "standard input",
                    read,
                    DEFAULT_CHUNK_ROWS,
                )
                .context("reading data from standard input")?
                .map(|c| c.context("reading data from standard input")),
            ),
            // Parquet and Arrow need the whole input to find their footer or schema.
            Some(_) => Box::new(std::iter::once(read_frame(path, read))),
        }
    } else if driftwatch_columnar::detect_file(path, read).with_context(context)? == Detected::Csv {
        Box::new(
            CsvChunks::open(path, read, DEFAULT_CHUNK_ROWS)
                .with_context(context)?
                .map(move |c| c.with_context(context)),
        )
    } else {
        Box::new(
            driftwatch_columnar::read_chunks(path, read, columns)
                .with_context(context)?
                .map(move |c| c.with_context(context)),
        )
    })
}

/// Reads a table in chunks into its [`FrameSummary`] (exact within `memory_limit`
/// bytes, sketched beyond); `first` looks at the first chunk (whose kinds hold for the
/// whole table) before the rest is read.
pub fn summarize(
    path: &Path,
    read: &ReadOptions,
    columns: &[String],
    memory_limit: usize,
    mut first: impl FnMut(&Frame) -> Result<()>,
) -> Result<FrameSummary> {
    let mut summary = FrameSummary::new(columns, memory_limit);
    for (i, chunk) in table_chunks(path, read, None)?.enumerate() {
        let chunk = chunk?;
        if i == 0 {
            first(&chunk)?;
        }
        summary
            .push::<driftwatch_core::Error>(&chunk)
            .with_context(|| format!("in data file {}", path.display()))?;
    }
    Ok(summary)
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
            memory_limit,
            table,
        } => {
            let read = table.read_options(ReadOptions {
                categorical: split_list(categorical),
                ..Default::default()
            });
            let fitted = summarize(data, &read, &split_list(columns), *memory_limit, |first| {
                refuse_numeric_typos(first, data, &read.categorical)
            })?
            .into_reference();
            save_reference(out, &fitted)
                .with_context(|| format!("writing reference {}", out.display()))?;
            summary(out, &fitted, *format)?;
            Ok(0)
        }
        ReferenceAction::Merge {
            parts,
            output: out,
            format,
        } => {
            let mut merged: Option<DriftReference> = None;
            for path in parts {
                let part = load_reference(path)
                    .with_context(|| format!("loading reference {}", path.display()))?;
                merged = Some(match merged {
                    None => part,
                    Some(m) => m.merge(&part).with_context(|| {
                        format!(
                            "merging {} into the references before it (build every part with the same --columns and --categorical)",
                            path.display()
                        )
                    })?,
                });
            }
            let Some(merged) = merged else {
                bail!("give two or more reference files to merge");
            };
            save_reference(out, &merged)
                .with_context(|| format!("writing reference {}", out.display()))?;
            summary(out, &merged, *format)?;
            Ok(0)
        }
    }
}

/// Prints what was written: rows, columns by kind, size.
fn summary(out: &Path, fitted: &DriftReference, format: Format) -> Result<()> {
    let numeric = fitted
        .columns
        .iter()
        .filter(|c| c.kind().storage() == ColumnKind::Numeric)
        .count();
    let rows = fitted.columns.first().map_or(0, |c| c.rows);
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    match format {
        Format::Json => print_json(&serde_json::json!({
            "out": out.display().to_string(),
            "rows": rows,
            "columns": fitted.columns.len(),
            "numeric": numeric,
            "categorical": fitted.columns.len() - numeric,
            "bytes": size,
        })),
        Format::Text => emit(
            &format!(
                "wrote {} ({} rows, {} columns: {} numeric, {} categorical; {} bytes)",
                out.display(),
                rows,
                fitted.columns.len(),
                numeric,
                fitted.columns.len() - numeric,
                size
            ),
            None,
            "the summary",
        ),
    }
}
