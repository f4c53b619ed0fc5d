//! Partitioned Parquet data from a frame: the test and benchmark inputs of the engines.

use std::path::{Path, PathBuf};

use driftwatch_core::Frame;

/// Writes `frame` as `parts` Parquet files `part-0.parquet`, ... in `dir` (rows split
/// in order, as evenly as possible; at least one file), with the types the columnar
/// writer gives (`predict --output x.parquet` writes the same).
///
/// # Errors
/// When a file cannot be written.
pub fn write_parquet_parts(
    frame: &Frame,
    dir: &Path,
    parts: usize,
) -> driftwatch_columnar::Result<Vec<PathBuf>> {
    let parts = parts.max(1);
    let rows = frame.n_rows();
    let mut paths = Vec::with_capacity(parts);
    for p in 0..parts {
        let part = frame.slice_rows(rows * p / parts, rows * (p + 1) / parts);
        let path = dir.join(format!("part-{p}.parquet"));
        driftwatch_columnar::write_table(&part, &path)?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    #[test]
    fn parts_hold_every_row_in_order() {
        let text = "x,c\n1,u\n2,v\n3,\n4,u\n5,w\n";
        let frame = read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let paths = write_parquet_parts(&frame, dir.path(), 3).unwrap();
        assert_eq!(paths.len(), 3);
        let mut xs = Vec::new();
        for p in &paths {
            let part = driftwatch_columnar::read_table(p, &ReadOptions::default(), None).unwrap();
            xs.extend(part.column("x").unwrap().numeric_values().unwrap());
        }
        assert_eq!(xs, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    }
}
