//! The real `driftwatch` binary on real files: the README's walk-through, golden values

#![allow(clippy::unwrap_used, clippy::expect_used)]

//! and every kind of bad input.

mod common;

use common::{json, root, run, text};

use std::path::{Path, PathBuf};

fn iris() -> PathBuf {
    root().join("fixtures/golden/iris.csv")
}

/// Trains the iris model once per test that needs it.
fn trained(dir: &Path) -> PathBuf {
    let model = dir.join("iris.dwm");
    let o = run(&[
        "train",
        "--data",
        iris().to_str().unwrap(),
        "--target",
        "species",
        "--out",
        model.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    assert_eq!(j["train_rows"], 120);
    assert_eq!(j["test_rows"], 30);
    assert_eq!(j["test_metrics"]["accuracy"], 1.0);
    model
}

#[test]
fn train_inspect_predict_evaluate_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(dir.path());
    let m = model.to_str().unwrap();

    let o = run(&["inspect", m, "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let h = json(&o);
    assert_eq!(h["name"], "iris");
    assert_eq!(
        h["target"]["classes"],
        serde_json::json!(["setosa", "versicolor", "virginica"])
    );
    assert_eq!(h["training_metrics"]["f1"], 1.0);

    let preds = dir.path().join("preds.csv");
    let log = dir.path().join("log.jsonl");
    let o = run(&[
        "predict",
        "--model",
        m,
        "--data",
        iris().to_str().unwrap(),
        "--output",
        preds.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(&preds).unwrap();
    assert_eq!(csv.lines().count(), 151);
    assert!(csv.starts_with("row,request_id,prediction,proba_setosa"));
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["request_id"], "req-1");
    assert_eq!(first["prediction"], "setosa");
    assert!(
        first["input"].get("species").is_none(),
        "only model inputs are logged"
    );
    assert!(first["latency_ms"].as_f64().unwrap() >= 0.0);

    let o = run(&[
        "evaluate",
        "--model",
        m,
        "--data",
        iris().to_str().unwrap(),
        "--target",
        "species",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(json(&o)["rows"], 150);

    let o = run(&["schema", "--model", m]);
    assert!(o.status.success());
    assert_eq!(json(&o)["required"].as_array().unwrap().len(), 4);
}

#[test]
fn invalid_rows_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(dir.path());
    let data = dir.path().join("bad.csv");
    let src = std::fs::read_to_string(iris()).unwrap();
    std::fs::write(&data, src.replacen("5.1,3.5", "abc,3.5", 1)).unwrap();
    let o = run(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("row 1, column 'sepal_length'"), "{err}");
    assert!(err.contains("1 of 150 rows failed validation"), "{err}");
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 150);
}

#[test]
fn bad_input_exits_2_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(dir.path());
    let m = model.to_str().unwrap();
    let missing = dir.path().join("missing.csv");
    std::fs::write(&missing, "sepal_length,sepal_width\n1,2\n").unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let junk = dir.path().join("junk.dwm");
    std::fs::write(&junk, "not a model").unwrap();
    let i = iris();
    let typo = dir.path().join("typo.csv");
    std::fs::write(
        &typo,
        std::fs::read_to_string(&i)
            .unwrap()
            .replacen("5.1,3.5", "abc,3.5", 1),
    )
    .unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["predict", "--model", m, "--data", missing.to_str().unwrap()],
            "petal_length",
        ),
        (
            vec!["predict", "--model", m, "--data", empty.to_str().unwrap()],
            "empty",
        ),
        (
            vec![
                "predict",
                "--model",
                junk.to_str().unwrap(),
                "--data",
                i.to_str().unwrap(),
            ],
            "not a driftwatch bundle",
        ),
        (
            vec![
                "train",
                "--data",
                i.to_str().unwrap(),
                "--target",
                "species",
                "--set",
                "model__n_trees=5",
                "--out",
                "x.dwm",
            ],
            "model__n_estimators",
        ),
        (
            vec![
                "train",
                "--data",
                i.to_str().unwrap(),
                "--target",
                "nope",
                "--out",
                "x.dwm",
            ],
            "'nope'",
        ),
        (
            vec![
                "drift",
                "--reference",
                i.to_str().unwrap(),
                "--current",
                missing.to_str().unwrap(),
                "--test",
                "nope",
            ],
            "nope",
        ),
        (
            vec![
                "drift",
                "--reference",
                i.to_str().unwrap(),
                "--current",
                i.to_str().unwrap(),
                "--method",
                "magic",
            ],
            "magic",
        ),
        (vec!["frobnicate"], "unrecognized"),
        (
            vec![
                "train",
                "--data",
                typo.to_str().unwrap(),
                "--target",
                "species",
                "--out",
                "x.dwm",
            ],
            "'sepal_length' (row 1: 'abc'; 1 of 150 values are not numbers)",
        ),
        (
            vec![
                "drift",
                "--reference",
                i.to_str().unwrap(),
                "--current",
                typo.to_str().unwrap(),
            ],
            "--categorical sepal_length",
        ),
    ];
    for (args, needle) in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(needle), "{args:?}: {}", text(&o));
    }
}

#[test]
fn drift_matches_scipy_on_a_golden_case_and_fails_on_drift_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let g: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/golden/ks_2samp.json")).unwrap(),
    )
    .unwrap();
    let case = g["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["method"] == "exact" && c["alternative"] == "two-sided")
        .unwrap();
    let data = &g["data"][case["reference_id"].as_u64().unwrap() as usize];
    let write = |name: &str, key: &str| {
        let p = dir.path().join(name);
        let mut s = String::from("x\n");
        for v in data[key].as_array().unwrap() {
            s.push_str(&format!("{}\n", v.as_f64().unwrap()));
        }
        std::fs::write(&p, s).unwrap();
        p
    };
    let (r, c) = (write("r.csv", "reference"), write("c.csv", "current"));
    let o = run(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--test",
        "ks",
        "--method",
        "exact",
        "--format",
        "json",
    ]);
    let row = &json(&o)["columns"][0];
    assert_eq!(row["column"], "x");
    assert!(
        (row["statistic"].as_f64().unwrap() - case["statistic"].as_f64().unwrap()).abs() < 1e-12
    );
    let (p, want) = (
        row["p_value"].as_f64().unwrap(),
        case["pvalue"].as_f64().unwrap(),
    );
    assert!((p - want).abs() <= 1e-9 * want, "{p} vs {want}");
    let drifted = p < 0.05;
    let o = run(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--test",
        "ks",
        "--method",
        "exact",
        "--fail-on-drift",
    ]);
    assert_eq!(
        o.status.code(),
        Some(if drifted { 1 } else { 0 }),
        "{}",
        text(&o)
    );
    let o = run(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        r.to_str().unwrap(),
        "--fail-on-drift",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn monitor_reports_windows_alerts_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(dir.path());
    let o = run(&[
        "monitor",
        "--model",
        model.to_str().unwrap(),
        "--reference",
        iris().to_str().unwrap(),
        "--current",
        iris().to_str().unwrap(),
        "--target",
        "species",
        "--window",
        "50",
        "--format",
        "json",
        "--history",
        dir.path().join("h.jsonl").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    let windows = j["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 3);
    // iris is sorted by class: each 50-row window holds one species, far from the
    // reference mix, so every feature drifts and the prediction shares alert.
    assert_eq!(windows[0]["class_shares"]["setosa"], 1.0);
    assert!(j["summary"]["active_alerts"].as_array().unwrap().len() >= 4);
    let history = std::fs::read_to_string(dir.path().join("h.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 3);
}

#[test]
fn plugins_lists_the_registered_monitors_sorted() {
    let o = run(&["plugins", "--format", "json"]);
    assert!(o.status.success());
    let names: Vec<String> = json(&o)
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    for expected in ["feature_drift", "performance", "prediction_drift"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn validate_reports_every_violation_from_a_schema_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(dir.path());
    let o = run(&["schema", "--model", model.to_str().unwrap(), "--native"]);
    let mut schema = json(&o);
    schema["columns"][0]["max"] = serde_json::json!(5.0);
    let schema_path = dir.path().join("schema.json");
    std::fs::write(&schema_path, schema.to_string()).unwrap();
    let o = run(&[
        "validate",
        "--schema",
        schema_path.to_str().unwrap(),
        "--data",
        iris().to_str().unwrap(),
        "--format",
        "json",
    ]);
    // read and found invalid: 1, as a failed check; unreadable input is 2
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let missing = dir.path().join("missing.csv");
    let unreadable = run(&[
        "validate",
        "--schema",
        schema_path.to_str().unwrap(),
        "--data",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(unreadable.status.code(), Some(2), "{}", text(&unreadable));
    assert!(
        text(&unreadable).contains("missing.csv"),
        "{}",
        text(&unreadable)
    );
    let j = json(&o);
    let too_big = std::fs::read_to_string(iris())
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.split(',').next().unwrap().parse::<f64>().unwrap() > 5.0)
        .count();
    assert_eq!(j["invalid_rows"].as_u64().unwrap() as usize, too_big);
}

#[test]
fn pipeline_config_from_toml_with_grid_search_and_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("quality.dwm");
    let data = root().join("fixtures/data/manufacturing/train.csv");
    let config = root().join("fixtures/pipelines/manufacturing.toml");
    let o = run(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--target",
        "defect",
        "--config",
        config.to_str().unwrap(),
        "--grid",
        "model__max_depth=3,none",
        "--cv",
        "3",
        "--range",
        "temperature=100:300",
        "--out",
        model.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    let rows = j["grid_search"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        j["test_metrics"]["accuracy"].as_f64().unwrap() > 0.8,
        "{}",
        j["test_metrics"]
    );
    let h = &j["bundle"];
    let temperature = h["schema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "temperature")
        .unwrap();
    assert_eq!(
        (temperature["min"].as_f64(), temperature["max"].as_f64()),
        (Some(100.0), Some(300.0))
    );
    // Rows with a temperature outside 100..300 (sensor glitches at 999, and drifted
    // readings late in the file) are skipped and counted.
    let current = root().join("fixtures/data/manufacturing/current.csv");
    let o = run(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        current.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let out_of_range = std::fs::read_to_string(&current)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| {
            let t: f64 = l.split(',').next().unwrap().parse().unwrap();
            !(100.0..=300.0).contains(&t)
        })
        .count();
    assert!(out_of_range > 0);
    assert!(
        err.contains(&format!("{out_of_range} of 8000 rows failed validation")),
        "{err}"
    );
}

#[test]
fn a_stream_detector_runs_inside_monitor_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained(dir.path());
    let config = dir.path().join("m.toml");
    std::fs::write(
        &config,
        "[[monitors]]\nname = \"stream_detector\"\n[monitors.config]\ndetector = \"page-hinkley\"\nsource = \"column\"\ncolumn = \"petal_length\"\n",
    )
    .unwrap();
    let o = run(&[
        "monitor",
        "--model",
        model.to_str().unwrap(),
        "--reference",
        iris().to_str().unwrap(),
        "--current",
        iris().to_str().unwrap(),
        "--target",
        "species",
        "--window",
        "50",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    let windows = j["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 3);
    for w in windows {
        let f: Vec<&serde_json::Value> = w["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["monitor"] == "stream_detector")
            .collect();
        assert_eq!(f.len(), 1, "{w}");
        assert_eq!(f[0]["method"], "page-hinkley");
    }
    // iris is sorted by species: the versicolor and virginica windows shift petal length
    // far above the mixed reference, so Page-Hinkley fires there.
    assert_eq!(
        windows[2]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["monitor"] == "stream_detector")
            .unwrap()["status"],
        "alert"
    );
}

/// `model = "random_forest"` alone: the default preprocessing and the native forest,
/// tuned by path like any other model; an unknown shorthand exits 2 naming the choices.
#[test]
fn pipeline_config_model_shorthand() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pipeline.toml");
    std::fs::write(&config, "model = \"random_forest\"\n").unwrap();
    let model = dir.path().join("iris.dwm");
    let iris = root().join("fixtures/golden/iris.csv");
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "--data",
            iris.to_str().unwrap(),
            "--target",
            "species",
            "--config",
            config.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let o = train(&["--set", "model__n_estimators=20"]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    assert_eq!(j["test_metrics"]["accuracy"], 1.0);
    assert_eq!(j["bundle"]["parameters"]["model__n_estimators"], 20);
    std::fs::write(&config, "model = \"xgboost\"\n").unwrap();
    let o = train(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unknown model 'xgboost'"), "{}", text(&o));
}

/// Live monitoring watches the logged rows: its flags without `--log` (or without
/// `--reference`) are refused with exit 2 naming what is missing, and a reference it
/// cannot use stops the server before it listens.
#[test]
fn serve_refuses_live_monitoring_without_the_log_or_the_reference() {
    let bundle = common::root().join("fixtures/bundles/v2-forest.dwm");
    let model = bundle.to_str().unwrap();
    let o = run(&["serve", "--model", model, "--reference", "ref.csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--log"), "{}", text(&o));
    for flag in [
        "--config",
        "--window",
        "--every",
        "--history",
        "--alert-webhook",
    ] {
        let o = run(&["serve", "--model", model, "--log", "p.jsonl", flag, "1"]);
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", text(&o));
        assert!(text(&o).contains("--reference"), "{flag}: {}", text(&o));
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("p.jsonl");
    let o = run(&[
        "serve",
        "--model",
        model,
        "--listen",
        "127.0.0.1:0",
        "--log",
        log.to_str().unwrap(),
        "--reference",
        "ref.dwr",
        "--window",
        "10",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("reference CSV"), "{}", text(&o));
}
