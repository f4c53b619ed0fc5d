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

/// `n` rows of one numeric column `x`, uniform in `[shift, shift + 100)` from the
/// generator seeded by `seed`: many distinct values, so a sketch of it is approximate
/// (the tests of sketched engine states use it).
///
/// # Errors
/// None in practice: a frame of one column is always valid.
pub fn uniform_frame(n: usize, shift: f64, seed: u64) -> driftwatch_core::Result<Frame> {
    let mut s = seed;
    let x: Vec<f64> = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 100.0 + shift
        })
        .collect();
    Frame::new(vec![(
        "x".into(),
        driftwatch_core::Column::Numeric(x.into_iter().collect()),
    )])
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

    #[test]
    fn uniform_frames_are_seeded_and_in_range() {
        let a = uniform_frame(1000, 5.0, 1).unwrap();
        let x = a.column("x").unwrap().numeric_values().unwrap();
        assert_eq!(x.len(), 1000);
        assert!(x.iter().all(|&v| (5.0..105.0).contains(&v)));
        let mut distinct = x.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        assert_eq!(distinct.len(), 1000);
        assert_eq!(a, uniform_frame(1000, 5.0, 1).unwrap());
        assert_ne!(a, uniform_frame(1000, 5.0, 2).unwrap());
    }
}
