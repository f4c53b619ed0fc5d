//! Reading the user's data files, with errors that name the file.

use std::path::Path;

use anyhow::{Context, Result};
use driftwatch_core::{Frame, ReadOptions, read_csv_path};

/// Reads a CSV file; kinds are inferred unless overridden.
pub fn read_frame(path: &Path, options: &ReadOptions) -> Result<Frame> {
    read_csv_path(path, options).with_context(|| format!("reading data file {}", path.display()))
}

/// Refuses a column that is mostly numbers with a few non-numbers: almost always a data
/// error, which would otherwise silently turn the column into categories.
pub fn refuse_numeric_typos(
    frame: &Frame,
    path: &Path,
    forced_categorical: &[String],
) -> Result<()> {
    if let Some((column, row, value)) =
        driftwatch_core::mostly_numeric_column(frame, forced_categorical)
    {
        anyhow::bail!(
            "{}: column '{column}' row {row}: '{value}' is not a number, but most of the column is; \
             fix the value, or pass --categorical {column} to treat the column as categories",
            path.display()
        );
    }
    Ok(())
}

/// Splits `--columns a,b` lists.
pub fn split_list(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
