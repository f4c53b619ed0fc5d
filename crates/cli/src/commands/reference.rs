//! `driftwatch reference build`: fit the drift reference once and save it as a .dwr
//! file, so `driftwatch drift --reference FILE.dwr` checks without refitting, and
//! `driftwatch reference merge`: the references of parts into the reference of the whole.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use driftwatch_columnar::Detected;
use driftwatch_core::{
    ColumnKind, CsvChunks, DEFAULT_CHUNK_ROWS, Frame, Projection, ReadOptions, TableFormat,
};
use driftwatch_drift::columns::DriftReference;
use driftwatch_drift::reference_file::{is_reference_bytes, load_reference, save_reference};
use driftwatch_drift::streaming::FrameSummary;

use crate::args::{ReferenceAction, ReferenceArgs};
use crate::data::{STDIN_NAME, is_stdin, refuse_numeric_typos, split_list};
use crate::output::{Format, emit, print_json};

/// Whether `path` holds a reference file (by its first bytes, not its name); an
/// unreadable path is left to the CSV reader, whose message names it.
pub fn is_reference_file(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| is_reference_bytes(&head))
}

/// The chunks of a table file or of standard input (Parquet or Arrow there through a
/// temporary file), decoding only the `columns` projected (Parquet and Arrow through
/// the columnar projection, CSV by leaving the other fields unparsed).
pub fn table_chunks<'a>(
    path: &'a Path,
    read: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Box<dyn Iterator<Item = Result<Frame>> + 'a>> {
    let context = || format!("reading data file {}", path.display());
    Ok(if is_stdin(path) {
        match read.format {
            None | Some(TableFormat::Csv) => Box::new(
                CsvChunks::new(
                    std::io::stdin().lock(),
                    STDIN_NAME,
                    read,
                    DEFAULT_CHUNK_ROWS,
                )
                .and_then(|c| c.project(columns))
                .context("reading data from standard input")?
                .map(|c| c.context("reading data from standard input")),
            ),
            Some(_) => Box::new(
                driftwatch_columnar::read_chunks_from_reader(
                    std::io::stdin().lock(),
                    STDIN_NAME,
                    read,
                    columns,
                )
                .context("reading data from standard input")?
                .map(|c| c.context("reading data from standard input")),
            ),
        }
    } else if driftwatch_columnar::detect_file(path, read).with_context(context)? == Detected::Csv {
        Box::new(
            CsvChunks::open(path, read, DEFAULT_CHUNK_ROWS)
                .and_then(|c| c.project(columns))
                .with_context(context)?
                .map(move |c| c.with_context(context)),
        )
    } else {
        Box::new(
            driftwatch_columnar::read_chunks_projected(path, read, columns)
                .with_context(context)?
                .map(move |c| c.with_context(context)),
        )
    })
}

/// Reads a table in chunks into its [`FrameSummary`] (exact within `memory_limit`
/// bytes, sketched beyond); `first` looks at the first chunk (whose kinds hold for the
/// whole table) before the rest is read.
///
/// Only the `columns` projected are decoded ([`table_chunks`]); the summary holds them
/// in the order [`Projection::Only`] lists them, file order otherwise.
pub fn summarize(
    path: &Path,
    read: &ReadOptions,
    columns: Projection<'_>,
    memory_limit: usize,
    first: impl FnMut(&Frame) -> Result<()>,
) -> Result<FrameSummary> {
    summarize_until(
        path,
        read,
        columns,
        memory_limit,
        first,
        &AtomicBool::new(false),
    )
}

/// [`summarize`] that gives up between two chunks once `stop` is set (by a read on
/// another thread whose failure makes this one's result moot), with an error saying so.
pub fn summarize_until(
    path: &Path,
    read: &ReadOptions,
    columns: Projection<'_>,
    memory_limit: usize,
    mut first: impl FnMut(&Frame) -> Result<()>,
    stop: &AtomicBool,
) -> Result<FrameSummary> {
    let wanted = match columns {
        Projection::Only(names) => names,
        Projection::All | Projection::Present(_) => &[],
    };
    let mut summary = FrameSummary::new(wanted, memory_limit);
    for (i, chunk) in table_chunks(path, read, columns)?.enumerate() {
        if stop.load(Ordering::Relaxed) {
            bail!("stopped reading {}: the other table failed", path.display());
        }
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

/// The projection of a `--columns` list: those columns, every column when empty.
pub fn only(columns: &[String]) -> Projection<'_> {
    if columns.is_empty() {
        Projection::All
    } else {
        Projection::Only(columns)
    }
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
            let columns = split_list(columns);
            let fitted = summarize(data, &read, only(&columns), *memory_limit, |first| {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_set_stop_flag_ends_the_read_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "x,y\n1,a\n2,b\n").unwrap();
        let read = |stop: bool| {
            summarize_until(
                &p,
                &ReadOptions::default(),
                only(&["y".to_string()]),
                1 << 20,
                |_| Ok(()),
                &AtomicBool::new(stop),
            )
        };
        let e = read(true).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("stopped reading {}: the other table failed", p.display())
        );
        let s = read(false).unwrap();
        assert_eq!((s.n_rows(), s.columns().count()), (2, 1));
    }
}
