//! The example's `driftwatch` binary is the full CLI plus `mean_shift`: `plugins` lists
//! it next to the built-in monitors, and `monitor --config` runs it on real files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn driftwatch(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run the example's driftwatch")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `rows` rows of `x` (0.5, 1.5, ... 19.5 repeated, plus `shift`) and the label `y`
/// (`hi` above 10 before the shift).
fn table(rows: usize, shift: f64) -> String {
    let mut s = String::from("x,y\n");
    for i in 0..rows {
        let x = (i % 20) as f64 + 0.5;
        let y = if x > 10.0 { "hi" } else { "lo" };
        s.push_str(&format!("{},{y}\n", x + shift));
    }
    s
}

#[test]
fn plugins_lists_mean_shift_beside_the_built_in_monitors() {
    let dir = tempfile::tempdir().unwrap();
    let o = driftwatch(dir.path(), &["plugins", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "monitor")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["mean_shift", "feature_drift", "performance", "latency"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
}

#[test]
fn monitor_with_mean_shift_alerts_on_shifted_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("reference.csv"), table(200, 0.0)).unwrap();
    // two windows of 100 rows: the first as the reference, the second shifted by 8
    let current = table(100, 0.0) + &table(100, 8.0)["x,y\n".len()..];
    std::fs::write(d.join("current.csv"), current).unwrap();
    std::fs::write(
        d.join("monitor.toml"),
        "[window]\nrows = 100\n\n[[monitors]]\nname = \"mean_shift\"\n[monitors.config]\nz = 3.0\n",
    )
    .unwrap();
    let o = driftwatch(
        d,
        &[
            "train",
            "--data",
            "reference.csv",
            "--target",
            "y",
            "--set",
            "model__n_estimators=5",
            "--output",
            "m.dwm",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = driftwatch(
        d,
        &[
            "monitor",
            "--config",
            "monitor.toml",
            "--model",
            "m.dwm",
            "--reference",
            "reference.csv",
            "--current",
            "current.csv",
            "--target",
            "y",
            "--format",
            "json",
            "--fail-on-alert",
        ],
    );
    // exit 1: an alert is active at the end (--fail-on-alert)
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let windows = report["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2);
    let score = |w: &serde_json::Value| {
        w["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["monitor"] == "mean_shift" && f["column"] == "x")
            .map(|f| f["statistic"].as_f64().unwrap())
            .unwrap()
    };
    // the same data: no shift; shifted by 8 with sd 5.766 over 100 rows: 13.87 errors
    assert_eq!(score(&windows[0]), 0.0);
    assert!((score(&windows[1]) - 8.0 / (5.766281297335398 / 10.0)).abs() < 1e-9);
    let alerts = report["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["monitor"], "mean_shift");
    assert_eq!(alerts[0]["column"], "x");
    assert_eq!(alerts[0]["first_window"], 1);
}
