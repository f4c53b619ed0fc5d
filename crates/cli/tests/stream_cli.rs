#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `driftwatch stream` on real files: River's indices, JSON shape, and bad input.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args(args)
        .output()
        .expect("run driftwatch")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write_column(path: &Path, values: &[serde_json::Value]) {
    let mut s = String::from("x\n");
    for v in values {
        s.push_str(&v.to_string());
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn json_output_matches_river_on_the_golden_streams() {
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/golden/stream_detectors.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    let binary = dir.path().join("binary.csv");
    write_column(&real, golden["real_stream"].as_array().unwrap());
    write_column(&binary, golden["binary_stream"].as_array().unwrap());
    for (spec, file, group, key) in [
        (
            "adwin:delta=0.0001,clock=1",
            &real,
            "real_detections",
            "ADWIN(delta=0.0001, clock=1)",
        ),
        (
            "page-hinkley:threshold=200",
            &real,
            "real_detections",
            "PageHinkley(threshold=200.0)",
        ),
        ("hddm-w", &binary, "binary_detections", "HDDMW()"),
    ] {
        let o = run(&[
            "stream",
            "--detector",
            spec,
            "--input",
            file.to_str().unwrap(),
            "--column",
            "x",
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["detector"], spec);
        assert_eq!(j["n"], 40_000);
        assert_eq!(j["detections"], golden[group][key], "{spec}");
        assert!(j["warnings"].is_array());
    }
}

/// EDDM keeps its warning flag at a drift update (River's flags are independent): the
/// row is in both lists, as `fixtures/golden/river_warnings.json` records.
#[test]
fn a_row_can_be_both_a_drift_and_a_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/golden");
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(f)).unwrap()).unwrap()
    };
    let golden = read("stream_detectors.json");
    let river = read("river_warnings.json");
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.csv");
    write_column(&binary, golden["binary_stream"].as_array().unwrap());
    let o = run(&[
        "stream",
        "--detector",
        "eddm",
        "--input",
        binary.to_str().unwrap(),
        "--column",
        "x",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = |v: &serde_json::Value| -> Vec<usize> { serde_json::from_value(v.clone()).unwrap() };
    let runs: Vec<[usize; 2]> =
        serde_json::from_value(river["flags"]["golden:binary_stream"]["EDDM()"]["warning"].clone())
            .unwrap();
    let want: Vec<usize> = runs.iter().flat_map(|[a, b]| *a..=*b).collect();
    assert_eq!(list(&j["warnings"]), want);
    assert_eq!(
        list(&j["detections"]),
        list(&golden["binary_detections"]["EDDM()"])
    );
    assert!(list(&j["warnings"]).contains(&21594) && list(&j["detections"]).contains(&21594));
    assert!(
        j["indices"]
            .as_str()
            .unwrap()
            .contains("a row can be in both")
    );
}

#[test]
fn bad_specs_and_bad_values_exit_2_with_a_useful_message() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    std::fs::write(&f, "x,y\n1,a\n2,b\n,c\n3,d\n").unwrap();
    let p = f.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--detector", "nope", "--column", "x"],
            "adwin, cusum, ddm",
        ),
        (
            &["--detector", "adwin:deltaa=1", "--column", "x"],
            "delta, clock",
        ),
        (&["--detector", "adwin", "--column", "x"], "data row 3"),
        (&["--detector", "adwin", "--column", "y"], "row 1"),
        (
            &["--detector", "adwin", "--column", "z"],
            "available columns",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["stream", "--input", p];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn plugins_lists_the_detectors() {
    let o = run(&["plugins", "--format", "json"]);
    assert!(o.status.success());
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let detectors: Vec<&str> = j
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "detector")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        detectors,
        [
            "adwin",
            "cusum",
            "ddm",
            "eddm",
            "fhddm",
            "hddm-a",
            "hddm-w",
            "kswin",
            "page-hinkley"
        ]
    );
}
