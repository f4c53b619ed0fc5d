#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `driftwatch monitor --config/--init` and `driftwatch history` on the real binary.

mod common;

use common::{root, run, run_in, text};

use std::path::{Path, PathBuf};

const DAY: i64 = 86_400;
const T0: i64 = 1_709_251_200; // 2024-03-01T00:00:00Z

/// A trained iris bundle, and iris as a prediction log (rows 50k..50k+50 on day k,
/// predicted right, latency_ms = row % 50) with every label delivered.
fn setup(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let iris = root().join("fixtures/golden/iris.csv");
    let model = dir.join("iris.dwm");
    let o = run(&[
        "train",
        "--data",
        iris.to_str().unwrap(),
        "--target",
        "species",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(&iris).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (mut log, mut labels) = (String::new(), String::from("request_id,species\n"));
    for (i, line) in lines.enumerate() {
        let mut input = serde_json::Map::new();
        let mut species = "";
        for (h, c) in header.iter().zip(line.split(',')) {
            if *h == "species" {
                species = c;
            } else {
                input.insert(h.to_string(), serde_json::json!(c.parse::<f64>().unwrap()));
            }
        }
        let rec = serde_json::json!({
            "request_id": format!("r{i}"),
            "timestamp": T0 + (i as i64 / 50) * DAY + i as i64,
            "input": input,
            "prediction": species,
            "latency_ms": (i % 50) as f64,
        });
        log.push_str(&format!("{rec}\n"));
        labels.push_str(&format!("r{i},{species}\n"));
    }
    let (lp, bp) = (dir.join("predictions.jsonl"), dir.join("labels.csv"));
    std::fs::write(&lp, log).unwrap();
    std::fs::write(&bp, labels).unwrap();
    (model, lp, bp)
}

fn monitor_args<'a>(model: &'a Path, log: &'a Path, labels: &'a Path) -> Vec<&'a str> {
    vec![
        "monitor",
        "--model",
        model.to_str().unwrap(),
        "--reference",
        "../../fixtures/golden/iris.csv",
        "--current",
        log.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--target",
        "species",
        "--format",
        "json",
    ]
}

fn findings<'a>(w: &'a serde_json::Value, method: &str) -> Vec<&'a serde_json::Value> {
    w["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["method"] == method)
        .collect()
}

#[test]
fn init_writes_every_registered_monitor_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(Some(dir.path()), &["monitor", "--init"]);
    assert!(o.status.success(), "{}", text(&o));
    let written = std::fs::read_to_string(dir.path().join("monitor.toml")).unwrap();
    let v: toml::Value = toml::from_str(&written).unwrap();
    let names: Vec<&str> = v["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "feature_drift",
            "latency",
            "missing_values",
            "performance",
            "prediction_drift",
            "schema_violations"
        ]
    );
    assert_eq!(v["alert"]["consecutive"].as_integer(), Some(1));
    assert_eq!(v["alert"]["cooldown"].as_integer(), Some(0));
    assert_eq!(v["alert"]["ratio"].as_float(), Some(0.95));
    // feature_drift as it runs without a config: the test `auto` picks per column, each
    // with its own threshold (0.05 would also apply to the distances auto picks).
    let options = &v["monitors"][0]["config"]["options"];
    assert_eq!(options["test"].as_str(), Some("auto"), "{written}");
    assert!(options.get("threshold").is_none(), "{written}");
    assert!(
        written.contains(
            "# per-feature drift against the reference: the test `auto` picks per column (docs/DRIFT.md)"
        ),
        "{written}"
    );
    assert!(written.contains("\n# Not enabled by default"), "{written}");
    // Every registered monitor is in the file, enabled or commented out.
    let plugins = run(&["plugins", "--format", "json"]);
    let p: serde_json::Value = serde_json::from_slice(&plugins.stdout).unwrap();
    let monitors: Vec<&str> = p
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "monitor")
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(monitors.len() >= 5, "{monitors:?}");
    for name in monitors {
        assert!(written.contains(&format!("name = \"{name}\"")), "{name}");
    }
    // No overwrite.
    let again = run_in(Some(dir.path()), &["monitor", "--init", "monitor.toml"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("exists"), "{}", text(&again));
    // Without --init the data flags are required (usage error).
    let o = run(&["monitor", "--config", "monitor.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn config_names_monitors_policy_and_windows_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let (model, log, labels) = setup(dir.path());
    let config = dir.path().join("monitor.toml");
    std::fs::write(
        &config,
        "[window]\nrows = 50\n\n[alert]\nratio = 5.0\nconsecutive = 2\ncooldown = 3\n\n\
         [[monitors]]\nname = \"performance\"\n\n\
         [[monitors]]\nname = \"latency\"\n\n\
         [[monitors]]\nname = \"missing_values\"\n[monitors.config]\ncolumns = [\"sepal_length\"]\n",
    )
    .unwrap();
    let mut args = monitor_args(&model, &log, &labels);
    args.extend(["--config", config.to_str().unwrap()]);
    // ratio = 5.0 in the file is refused ...
    let o = run_in(Some(&root().join("crates/cli")), &args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("ratio"), "{}", text(&o));
    // ... and a flag overrides it.
    args.extend(["--ratio", "0.9"]);
    let o = run_in(Some(&root().join("crates/cli")), &args);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w = j["windows"].as_array().unwrap();
    assert_eq!(w.len(), 3, "rows = 50 from the file");
    for win in w {
        // latency_ms = 0..49 in every window: numpy.percentile -> 24.5, 46.55, 48.51
        let l: Vec<f64> = ["latency_p50", "latency_p95", "latency_p99"]
            .iter()
            .map(|m| findings(win, m)[0]["statistic"].as_f64().unwrap())
            .collect();
        assert!((l[0] - 24.5).abs() < 1e-9, "{l:?}");
        assert!((l[1] - 46.55).abs() < 1e-9, "{l:?}");
        assert!((l[2] - 48.51).abs() < 1e-9, "{l:?}");
        let miss = findings(win, "missing_share");
        assert_eq!(miss.len(), 1, "only the configured column");
        assert_eq!(miss[0]["column"], "sepal_length");
        assert_eq!(miss[0]["statistic"], 0.0);
        assert_eq!(miss[0]["baseline"], 0.0);
        assert!(
            findings(win, "ks").is_empty(),
            "feature_drift not configured"
        );
        assert!(!findings(win, "accuracy").is_empty());
    }
    let lat = &j["summary"]["latency"];
    assert_eq!(lat["window"], "rows 100..150");
    assert_eq!(lat["p50"], 24.5);
    assert!((lat["max_p99"].as_f64().unwrap() - 48.51).abs() < 1e-9);
    // A window flag replaces the file's windows.
    args.extend(["--window", "75"]);
    let o = run_in(Some(&root().join("crates/cli")), &args);
    assert!(o.status.success(), "{}", text(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["windows"].as_array().unwrap().len(), 2);

    // An unknown monitor name is a usage error that lists the registered ones.
    std::fs::write(&config, "[[monitors]]\nname = \"nope\"\n").unwrap();
    let o = run_in(Some(&root().join("crates/cli")), &args);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("nope") && text(&o).contains("missing_values"),
        "{}",
        text(&o)
    );
}

#[test]
fn history_prints_what_monitor_appended() {
    let dir = tempfile::tempdir().unwrap();
    let (model, log, labels) = setup(dir.path());
    let hist = dir.path().join("history.jsonl");
    let mut args = monitor_args(&model, &log, &labels);
    args.extend(["--every", "1d", "--history", hist.to_str().unwrap()]);
    let o = run_in(Some(&root().join("crates/cli")), &args);
    assert!(o.status.success(), "{}", text(&o));

    let o = run(&[
        "history",
        "--file",
        hist.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1]["label"], "2024-03-02T00:00:00Z");
    assert_eq!(all[1]["n_rows"], 50);
    assert_eq!(all[1]["metrics"]["accuracy"], 1.0);

    let o = run(&[
        "history",
        "--file",
        hist.to_str().unwrap(),
        "--since",
        "1",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let idx: Vec<u64> = j
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["window"].as_u64().unwrap())
        .collect();
    assert_eq!(idx, [1, 2]);
    let o = run(&[
        "history",
        "--file",
        hist.to_str().unwrap(),
        "--since",
        "2024-03-03T00:00:00Z",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{out}");
    assert!(
        rows[0].contains("2024-03-03T00:00:00Z") && rows[0].contains("accuracy=1.000"),
        "{out}"
    );
    // p95 of latency 0..49 in the text table.
    assert!(rows[0].contains("46.550"), "{out}");

    let o = run(&[
        "history",
        "--file",
        hist.to_str().unwrap(),
        "--since",
        "yesterday",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "history",
        "--file",
        dir.path().join("none.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("none.jsonl"), "{}", text(&o));
}

#[test]
fn the_init_config_tests_features_as_no_config_does() {
    let dir = tempfile::tempdir().unwrap();
    let (model, _, _) = setup(dir.path());
    // 1,200 reference rows: `auto` picks wasserstein-normed, whose threshold is 0.1.
    let iris = std::fs::read_to_string(root().join("fixtures/golden/iris.csv")).unwrap();
    let (header, rows) = iris.split_once('\n').unwrap();
    let big = dir.path().join("big.csv");
    std::fs::write(&big, format!("{header}\n{}", rows.repeat(8))).unwrap();
    let o = run_in(Some(dir.path()), &["monitor", "--init"]);
    assert!(o.status.success(), "{}", text(&o));
    let feature_drift = |extra: &[&str]| {
        let mut args = vec![
            "monitor",
            "--model",
            model.to_str().unwrap(),
            "--reference",
            big.to_str().unwrap(),
            "--current",
            "../../fixtures/golden/iris.csv",
            "--target",
            "species",
            "--window",
            "50",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = run_in(Some(&root().join("crates/cli")), &args);
        assert!(o.status.success(), "{}", text(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        j["windows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|w| w["findings"].as_array().unwrap().clone())
            .filter(|f| f["monitor"] == "feature_drift")
            .map(|f| {
                (
                    f["column"].to_string(),
                    f["method"].to_string(),
                    f["threshold"].as_f64().unwrap(),
                    f["status"].to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let plain = feature_drift(&[]);
    assert_eq!(plain.len(), 12, "4 columns x 3 windows: {plain:?}");
    // auto's distance for > 1000 reference rows, judged by the reference band (not
    // by a p-value threshold of 0.05, which the old init config wrote)
    assert!(
        plain
            .iter()
            .all(|f| f.1 == "\"wasserstein-normed\"" && f.2 > 0.1),
        "{plain:?}"
    );
    let config = dir.path().join("monitor.toml");
    assert_eq!(
        feature_drift(&["--config", config.to_str().unwrap()]),
        plain
    );
}
