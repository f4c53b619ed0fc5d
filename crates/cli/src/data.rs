//! Reading the user's data files, with errors that name the file.

use std::path::Path;

use anyhow::{Context, Result};
use driftwatch_core::{Frame, ReadOptions, read_csv_path};

/// Reads a CSV file; kinds are inferred unless overridden.
pub fn read_frame(path: &Path, options: &ReadOptions) -> Result<Frame> {
    read_csv_path(path, options).with_context(|| format!("reading data file {}", path.display()))
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
