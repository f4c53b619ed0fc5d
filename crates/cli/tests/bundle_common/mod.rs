//! Helpers shared by the `bundle_*` CLI tests: run the real binary, train iris once.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn iris() -> PathBuf {
    root().join("fixtures/golden/iris.csv")
}

pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args(args)
        .output()
        .expect("run driftwatch")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Trains the iris model into `dir/file` with extra `train` arguments.
pub fn train(dir: &Path, file: &str, extra: &[&str]) -> PathBuf {
    let model = dir.join(file);
    let mut args = vec![
        "train",
        "--data",
        s(&iris()).to_owned().leak(),
        "--target",
        "species",
        "--out",
        s(&model).to_owned().leak(),
        "--set",
        "model__n_estimators=20",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", text(&o));
    model
}
