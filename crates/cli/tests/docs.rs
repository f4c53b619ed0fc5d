//! The docs (README, ARCHITECTURE, docs/) describe `feature_drift` as what it does and
//! use the current flag names. (That they name only registered monitors and detectors
//! is a rule of `cargo xtask tidy`, xtask/src/tidy.rs.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, root, run};

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target") {
                files_under(&p, ext, out);
            }
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// Every Markdown page: (path, text).
fn markdown() -> Vec<(PathBuf, String)> {
    let r = root();
    let mut paths = vec![r.join("README.md"), r.join("ARCHITECTURE.md")];
    files_under(&r.join("docs"), "md", &mut paths);
    files_under(&r.join("examples"), "md", &mut paths);
    files_under(&r.join("fuzz"), "md", &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect()
}

#[test]
fn feature_drift_is_described_as_the_test_auto_picks() {
    let plugins = run(&["plugins", "--format", "json"]);
    let all = json(&plugins);
    let fd = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "feature_drift")
        .unwrap();
    let d = fd["description"].as_str().unwrap();
    assert!(d.contains("`auto`") && d.contains("docs/DRIFT.md"), "{d}");
    assert!(!d.contains("KS") && !d.contains("chi-square"), "{d}");
    // A paragraph about feature drift that names KS or chi-square says `auto` picks.
    let mut wrong = Vec::new();
    for (path, t) in markdown() {
        for para in t.split("\n\n") {
            let lower = para.to_lowercase();
            let about = ["feature_drift", "feature drift", "per-column drift"]
                .iter()
                .any(|p| lower.contains(p));
            let names_a_test = para.contains("KS") || lower.contains("chi-square");
            if about && names_a_test && !para.contains("auto") {
                wrong.push(format!("{}:\n{para}", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n---\n"));
}

#[test]
fn docs_use_output_for_files_written_and_model_for_the_bundle() {
    let mut wrong = Vec::new();
    for (path, t) in markdown() {
        for (i, line) in t.lines().enumerate() {
            if line.contains("--out ") || line.contains("--out=") || line.ends_with("--out") {
                wrong.push(format!("{}:{}: {line}", path.display(), i + 1));
            }
        }
    }
    assert!(wrong.is_empty(), "old flag --out:\n{}", wrong.join("\n"));
}
