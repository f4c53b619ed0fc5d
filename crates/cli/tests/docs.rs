//! The docs (README, ARCHITECTURE, docs/, code comments) name only the monitors and
//! detectors the binary registers, describe `feature_drift` as what it does, and use
//! the current flag names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, root, run, text};

use std::path::{Path, PathBuf};

/// The registered plugins as (name, kind), from `driftwatch plugins`.
fn registered() -> Vec<(String, String)> {
    let o = run(&["plugins", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    json(&o)
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

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

/// The comment lines of every Rust file: (path, the comments joined).
fn code_comments() -> Vec<(PathBuf, String)> {
    let r = root();
    let mut paths = Vec::new();
    for dir in ["crates", "xtask", "examples", "benches"] {
        files_under(&r.join(dir), "rs", &mut paths);
    }
    paths
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            let comments: Vec<&str> = t
                .lines()
                .filter_map(|l| l.find("//").map(|i| &l[i..]))
                .collect();
            (p, comments.join("\n"))
        })
        .collect()
}

#[test]
fn docs_name_only_registered_monitors_and_detectors() {
    let plugins = registered();
    let monitors: Vec<&str> = plugins
        .iter()
        .filter(|(_, k)| k == "monitor")
        .map(|(n, _)| n.as_str())
        .collect();
    let detectors: Vec<&str> = plugins
        .iter()
        .filter(|(_, k)| k == "detector")
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(monitors.contains(&"feature_drift") && detectors.contains(&"adwin"));
    // Words shaped like monitor names that are something else: the drift crate, the
    // `dataset_drift` field of `driftwatch drift --format json`, the example plugin crate.
    let other = ["driftwatch_drift", "dataset_drift", "custom_detector"];
    let mut wrong = Vec::new();
    for (path, t) in markdown().into_iter().chain(code_comments()) {
        let words: Vec<&str> = t
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        for w in &words {
            if (w.ends_with("_drift") || w.ends_with("_detector"))
                && !monitors.contains(w)
                && !other.contains(w)
            {
                wrong.push(format!("{}: monitor `{w}`", path.display()));
            }
        }
        // `--detector NAME[:params]` in commands.
        let tokens: Vec<&str> = t.split_whitespace().collect();
        for pair in tokens.windows(2) {
            if pair[0] == "--detector" {
                let name = pair[1].trim_matches(|c| c == '`' || c == '\'' || c == '"');
                let name = name.split(':').next().unwrap_or("");
                if name.chars().any(|c| c.is_ascii_lowercase())
                    && !name.chars().any(|c| c.is_ascii_uppercase())
                    && !detectors.contains(&name)
                {
                    wrong.push(format!("{}: detector `{name}`", path.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "not registered:\n{}", wrong.join("\n"));
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
