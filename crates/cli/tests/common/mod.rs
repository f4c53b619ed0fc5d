//! Helpers shared by the CLI integration tests: run the real binary, read its output.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `driftwatch` with `args` in `dir` (or the current directory).
pub fn run_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_driftwatch"));
    if let Some(d) = dir {
        c.current_dir(d);
    }
    c.args(args).output().expect("run driftwatch")
}

/// Runs `driftwatch` with `args`.
pub fn run(args: &[&str]) -> Output {
    run_in(None, args)
}

/// Stdout then stderr, for assertion messages and needle searches.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Stdout parsed as JSON (panics with the whole output when it is not).
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// Trains the default pipeline on the golden iris file into `dir/iris.dwm` (with
/// `extra` train flags, e.g. a `--range`) and returns the bundle's path.
pub fn train_iris(dir: &Path, extra: &[&str]) -> PathBuf {
    let iris = root().join("fixtures/golden/iris.csv");
    let model = dir.join("iris.dwm");
    let mut args = vec![
        "train",
        "--data",
        iris.to_str().unwrap(),
        "--target",
        "species",
        "--out",
        model.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", text(&o));
    model
}

/// `driftwatch drift --format json` on two CSV texts (plus `extra` flags), written to a
/// temporary directory: the exit code and the JSON report.
pub fn drift_json(
    reference: &str,
    current: &str,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
    std::fs::write(&r, reference).unwrap();
    std::fs::write(&c, current).unwrap();
    let mut args = vec![
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    (o.status.code(), json(&o))
}

/// The row of `column` in a drift JSON report.
pub fn drift_row<'a>(doc: &'a serde_json::Value, column: &str) -> &'a serde_json::Value {
    doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["column"] == column)
        .unwrap_or_else(|| panic!("no row for {column}: {doc}"))
}
