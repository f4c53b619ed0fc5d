//! `driftwatch check-deploy`, `inspect --compare-levels` and `models pull --verify-key`
//! on real bundles trained from the iris fixture.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bundle_common;

// Links the estimators into the typetag registry that `driftwatch_persist::load` uses.
use driftwatch_models as _;

use std::fs;
use std::path::{Path, PathBuf};

use bundle_common::{json, root, run, s, text, train};

const CHECK_IDS: [&str; 8] = [
    "metrics",
    "version",
    "schema",
    "example_input",
    "provenance",
    "load_time",
    "predict_latency",
    "model_card",
];

fn sample() -> PathBuf {
    root().join("fixtures/data/iris/current.csv")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn check(model: &Path, sample: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check-deploy", s(model), "--sample", s(sample)];
    args.extend_from_slice(extra);
    run(&args)
}

/// The status and detail of one check in the JSON report.
fn line(report: &serde_json::Value, id: &str) -> (bool, String) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {report}"));
    (
        c["passed"].as_bool().unwrap(),
        c["detail"].as_str().unwrap().to_string(),
    )
}

#[test]
fn check_deploy_passes_a_good_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &["--model-version", "2.1.0"]);
    let o = check(&model, &sample(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    for title in [
        "PASS  metrics recorded",
        "PASS  version set (semantic version)",
        "PASS  schema: required features and ranges",
        "PASS  example input predicts",
        "PASS  crate and format versions recorded",
        "PASS  load time",
        "PASS  single-row predict latency",
        "PASS  model card renders (markdown, html)",
        "all 8 checks passed",
    ] {
        assert!(t.contains(title), "{title}: {t}");
    }

    let o = check(&model, &sample(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["passed"], true);
    assert_eq!(r["failed"], 0);
    assert_eq!(r["model"], "iris@2.1.0");
    let ids: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, CHECK_IDS);
    let rows = fs::read_to_string(sample()).unwrap().lines().count() - 1;
    assert_eq!(
        line(&r, "example_input").1,
        format!("{rows} rows validated, {rows} predictions of type class label")
    );
    assert!(line(&r, "metrics").1.contains("accuracy="));
    assert_eq!(line(&r, "version").1, "iris 2.1.0");
    assert!(
        line(&r, "provenance")
            .1
            .starts_with("format v2; driftwatch-cli ")
    );
    assert!(line(&r, "schema").1.starts_with("4 columns, 4 required"));
    let m = &r["measured"];
    assert!(m["load_ms"].as_f64().unwrap() >= 0.0);
    assert!(m["predict_latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(m["predict_latency_runs"], 21);
    assert_eq!(m["max_load_ms"], 5000.0);
    assert_eq!(m["max_latency_ms"], 100.0);
}

#[test]
fn check_deploy_fails_a_sample_missing_a_required_column() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &[]);
    let bad = write(
        dir.path(),
        "rows.csv",
        "sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n6.2,2.9,4.3\n",
    );
    let o = check(&model, &bad, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("FAIL  example input predicts")
            && t.contains("column 'petal_width': required column is missing"),
        "{t}"
    );
    assert!(
        t.contains("FAIL  single-row predict latency")
            && t.contains("not measured: no sample row passed the schema"),
        "{t}"
    );
    assert!(t.contains("PASS  metrics recorded"), "{t}");
    assert!(t.contains("2 of 8 checks failed"), "{t}");
}

#[test]
fn check_deploy_names_rows_outside_an_enforced_range() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &["--range", "sepal_length=4:8"]);
    let rows = write(
        dir.path(),
        "rows.csv",
        "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n100,2.9,4.3,1.3\n6.3,3.3,6.0,2.5\n",
    );
    let o = check(&model, &rows, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["failed"], 1);
    let (passed, detail) = line(&r, "example_input");
    assert!(!passed);
    assert!(
        detail.starts_with("1 of 3 rows of ")
            && detail.ends_with(
                "fail the schema: row 2, column 'sepal_length': value '100' breaks rule 'max 8'"
            ),
        "{detail}"
    );
    // The valid rows are still timed; the enforced range counts in the schema check.
    assert!(line(&r, "predict_latency").0);
    assert!(line(&r, "schema").1.contains("(1 enforced"), "{r}");
}

#[test]
fn check_deploy_fails_a_bundle_without_metrics_or_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &[]);
    // The same model saved again through the public API, minus metrics and ranges.
    let b = driftwatch_persist::load(&model).unwrap();
    let mut meta = driftwatch_persist::BundleMeta::from(&b.header);
    meta.training_metrics.clear();
    for c in &mut meta.schema.columns {
        c.observed = None;
    }
    let bare = dir.path().join("bare.dwm");
    driftwatch_persist::save(
        &bare,
        &meta,
        &b.pipeline,
        &driftwatch_persist::SaveOptions::default(),
    )
    .unwrap();
    let o = check(&bare, &sample(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("FAIL  metrics recorded")
            && t.contains("the bundle records no training metrics"),
        "{t}"
    );
    assert!(
        t.contains("FAIL  schema: required features and ranges")
            && t.contains(
                "no range or levels recorded for: sepal_length, sepal_width, petal_length, petal_width"
            ),
        "{t}"
    );
    assert!(t.contains("PASS  example input predicts"), "{t}");
    assert!(t.contains("2 of 8 checks failed"), "{t}");
}

#[test]
fn check_deploy_latency_limit_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &[]);
    // Any real predict takes more than 0 ms: the limit is applied.
    let o = check(&model, &sample(), &["--max-latency-ms", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("FAIL  single-row predict latency") && t.contains("above the limit of 0 ms"),
        "{t}"
    );
    assert!(t.contains("1 of 8 checks failed"), "{t}");

    // Exit 2: unreadable sample, not a bundle, unsigned with --verify-key, bad limit.
    let o = check(&model, &dir.path().join("missing.csv"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("missing.csv"), "{}", text(&o));
    let o = check(&sample(), &sample(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a driftwatch bundle"), "{}", text(&o));
    let o = run(&["keygen", "--out", s(&dir.path().join("k"))]);
    assert!(o.status.success(), "{}", text(&o));
    let public = dir.path().join("k.pub");
    let o = check(&model, &sample(), &["--verify-key", s(&public)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is not signed"), "{}", text(&o));
    let o = check(&model, &sample(), &["--max-load-ms=-1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--max-load-ms must be"), "{}", text(&o));
    let o = run(&["check-deploy", s(&model)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn inspect_compare_levels_reencodes_without_touching_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &["--compression-level", "0"]);
    let before = fs::read(&model).unwrap();
    let o = run(&["inspect", s(&model), "--compare-levels", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["file_size_bytes"], before.len());
    assert_eq!(r["file_compression"]["algorithm"], "none");
    let levels = r["levels"].as_array().unwrap();
    let names: Vec<&str> = levels
        .iter()
        .map(|l| l["level"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["none", "zstd-3", "zstd-19"]);
    let size = |i: usize| levels[i]["size_bytes"].as_u64().unwrap();
    // Same metadata, same options: the uncompressed re-encoding is the file, byte for byte.
    assert_eq!(size(0), before.len() as u64);
    assert!(size(1) < size(0) && size(2) <= size(1), "{r}");
    assert_eq!(levels[2]["compression"]["level"], 19);
    for l in levels {
        assert!(l["save_ms"].as_f64().unwrap() >= 0.0);
        assert!(l["load_ms"].as_f64().unwrap() >= 0.0);
    }
    assert_eq!(fs::read(&model).unwrap(), before);

    let o = run(&["inspect", s(&model), "--compare-levels"]);
    assert!(o.status.success(), "{}", text(&o));
    let t = String::from_utf8_lossy(&o.stdout).to_string();
    let lines: Vec<&str> = t.lines().collect();
    assert!(
        lines[1].starts_with("level") && lines[1].contains("load ms"),
        "{t}"
    );
    assert!(
        lines[2].starts_with("none") && lines[2].contains("100.0%"),
        "{t}"
    );
    assert!(
        lines[3].starts_with("zstd-3") && lines[4].starts_with("zstd-19"),
        "{t}"
    );
    assert_eq!(fs::read(&model).unwrap(), before);

    let o = run(&[
        "inspect",
        s(&dir.path().join("none.dwm")),
        "--compare-levels",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn models_pull_verify_key_refuses_unsigned_and_tampered_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("store");
    let st = s(&store);
    let models = |args: &[&str]| {
        let mut all = vec!["models", "--store", st];
        all.extend_from_slice(args);
        run(&all)
    };
    assert!(
        run(&["keygen", "--out", s(&d.join("release"))])
            .status
            .success()
    );
    assert!(
        run(&["keygen", "--out", s(&d.join("other"))])
            .status
            .success()
    );
    let (key, public, other) = (
        d.join("release.key"),
        d.join("release.pub"),
        d.join("other.pub"),
    );
    let signed = train(d, "signed.dwm", &["--model-version", "1.0.0"]);
    assert!(
        run(&["sign", s(&signed), "--key", s(&key)])
            .status
            .success()
    );
    let unsigned = train(d, "unsigned.dwm", &["--model-version", "1.1.0"]);
    for f in [&signed, &unsigned] {
        let o = models(&["push", s(f), "--name", "iris"]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = models(&["promote", "iris@1.0.0", "--stage", "production"]);
    assert!(o.status.success(), "{}", text(&o));

    // Signed by the trusted key: pulled with its signature, which then verifies.
    let out = d.join("deployed.dwm");
    let o = models(&[
        "pull",
        "iris@production",
        "--out",
        s(&out),
        "--verify-key",
        s(&public),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("signature verified"), "{}", text(&o));
    assert_eq!(fs::read(&out).unwrap(), fs::read(&signed).unwrap());
    let o = run(&["sign", "--verify-key", s(&public), s(&out)]);
    assert!(o.status.success(), "{}", text(&o));

    // Unsigned, or signed by someone else: refused, nothing written.
    let refused = d.join("refused.dwm");
    let pull = |r: &str, k: &Path| models(&["pull", r, "--out", s(&refused), "--verify-key", s(k)]);
    let o = pull("iris@1.1.0", &public);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("refusing to pull iris@1.1.0") && text(&o).contains("is not signed"),
        "{}",
        text(&o)
    );
    let o = pull("iris@production", &other);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("signed by key"), "{}", text(&o));
    assert!(!refused.exists());

    // Tampered in the store: refused; without --verify-key the checksums still catch it.
    let stored = store.join("iris/1.0.0/model.dwm");
    let mut bytes = fs::read(&stored).unwrap();
    let n = bytes.len();
    bytes[n - 3] ^= 0x04;
    fs::write(&stored, bytes).unwrap();
    let o = pull("iris@production", &public);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("changed after it was signed"),
        "{}",
        text(&o)
    );
    assert!(!refused.exists());
}
