//! The inputs of the criterion benches (in `benches/`), shared with the
//! `bench-inputs` binary, which writes the same inputs to files so that
//! `cargo xtask bench --vs-python` times scipy and River on exactly the data the
//! Rust benches use.

use std::io::Write;
use std::path::Path;

use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Sample size of the 1e6 drift benches.
pub const N: usize = 1_000_000;

/// Shift of the current sample in the 1e6 drift benches.
pub const SHIFT: f64 = 0.05;

/// Rows and columns of the `table_auto` benches.
pub const TABLE: (usize, usize) = (100_000, 20);

/// Columns of the current table moved by 0.5.
pub const TABLE_SHIFTED: usize = 5;

/// `n` draws of N(shift, 1) from a ChaCha8 stream seeded with `seed`.
#[must_use]
pub fn normal_sample(n: usize, shift: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            z + shift
        })
        .collect()
}

/// A rows x cols matrix of N(0, 1) values (drawn row by row), the first `shifted`
/// columns moved by 0.5.
#[must_use]
pub fn normal_matrix(rows: usize, cols: usize, shifted: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_fn((rows, cols), |(_, j)| {
        let z: f64 = StandardNormal.sample(&mut rng);
        if j < shifted { z + 0.5 } else { z }
    })
}

/// The reference and current samples of the 1e6 KS and Wasserstein benches.
#[must_use]
pub fn drift_pair() -> (Vec<f64>, Vec<f64>) {
    (normal_sample(N, 0.0, 1), normal_sample(N, SHIFT, 2))
}

/// The reference and current matrices of the `table_auto` benches.
#[must_use]
pub fn table_pair() -> (Array2<f64>, Array2<f64>) {
    let (rows, cols) = TABLE;
    (
        normal_matrix(rows, cols, 0, 3),
        normal_matrix(rows, cols, TABLE_SHIFTED, 4),
    )
}

/// A stream of `fixtures/golden/stream_detectors.json` (`real_stream` or
/// `binary_stream`); empty when the file cannot be read.
#[must_use]
pub fn golden_stream(key: &str) -> Vec<f64> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/golden/stream_detectors.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    doc[key]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default()
}

/// Rows and columns of the CSV read bench (`read/csv/1000000x20`).
pub const CSV: (usize, usize) = (1_000_000, 20);

/// Seed of the read bench's CSV (the Rust bench and pandas read the same file).
pub const CSV_SEED: u64 = 5;

/// The numeric CSV of the read bench: a header `f0,...,f19`, then `rows` rows of
/// N(0, 1) values with six decimals (as the golden inputs are rounded), drawn row by
/// row from a ChaCha8 stream seeded with `seed`, so the same file on every machine.
/// Written to `dir/<rows>x<cols>-<seed>.csv` unless a file of that name is there
/// already (it is only ever written whole: first to a temporary name, then renamed);
/// returns its path. It is large (about 200 MB for 1e6 x 20): it lives in the target
/// directory, never in the repository.
///
/// # Errors
/// The directory or the file cannot be written.
pub fn numeric_csv(
    dir: &Path,
    rows: usize,
    cols: usize,
    seed: u64,
) -> std::io::Result<std::path::PathBuf> {
    let path = dir.join(format!("{rows}x{cols}-{seed}.csv"));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(dir)?;
    let partial = dir.join(format!("{rows}x{cols}-{seed}.csv.partial"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&partial)?);
    let header: Vec<String> = (0..cols).map(|j| format!("f{j}")).collect();
    writeln!(out, "{}", header.join(","))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..rows {
        for j in 0..cols {
            let z: f64 = StandardNormal.sample(&mut rng);
            if j > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{z:.6}")?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    drop(out);
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// Where the benches keep generated inputs: `<target dir>/bench-inputs` (the target
/// directory of `CARGO_TARGET_DIR`, else the workspace's `target`).
#[must_use]
pub fn inputs_dir() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        std::path::PathBuf::from,
    );
    target.join("bench-inputs")
}

/// Writes values as little-endian f64 (numpy's `fromfile(path, "<f8")`).
fn write_f64(path: &Path, values: impl IntoIterator<Item = f64>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for v in values {
        out.write_all(&v.to_le_bytes())?;
    }
    out.flush()
}

/// Writes every bench input to `dir`: `ks_reference.f64`, `ks_current.f64` (the 1e6
/// samples), `table_reference.f64`, `table_current.f64` (column after column),
/// `adwin_stream.f64`, the read bench's CSV ([`numeric_csv`], written once), and
/// `inputs.json` with the shapes and the CSV's file name.
///
/// # Errors
/// The directory or a file cannot be written.
pub fn write_inputs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let (reference, current) = drift_pair();
    write_f64(&dir.join("ks_reference.f64"), reference)?;
    write_f64(&dir.join("ks_current.f64"), current)?;
    let (r, c) = table_pair();
    write_f64(&dir.join("table_reference.f64"), r.t().iter().copied())?;
    write_f64(&dir.join("table_current.f64"), c.t().iter().copied())?;
    let stream = golden_stream("real_stream");
    let stream_len = stream.len();
    write_f64(&dir.join("adwin_stream.f64"), stream)?;
    let csv = numeric_csv(dir, CSV.0, CSV.1, CSV_SEED)?;
    let csv_name = csv.file_name().map(|n| n.to_string_lossy().into_owned());
    let shapes = serde_json::json!({
        "csv": csv_name,
        "n": N,
        "table_rows": TABLE.0,
        "table_cols": TABLE.1,
        "stream_len": stream_len,
    });
    std::fs::write(dir.join("inputs.json"), shapes.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numeric_csv_is_deterministic_and_reused() {
        let dir = std::env::temp_dir().join(format!("dw-bench-csv-{}", std::process::id()));
        let path = numeric_csv(&dir, 3, 2, 9).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "f0,f1");
        assert!(lines[1..].iter().all(|l| l.split(',').count() == 2));
        // six decimals
        assert_eq!(
            lines[1]
                .split(',')
                .next()
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap()
                .len(),
            6
        );
        // same seed, same file: reused as is
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            std::fs::read_to_string(numeric_csv(&dir, 3, 2, 9).unwrap()).unwrap(),
            text
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
