#![allow(clippy::unwrap_used, clippy::expect_used)]
//! River 0.26.1's drift AND warning flags, index by index, reproduced exactly
//! (`fixtures/golden/river_warnings.json`, made by `fixtures/golden/scripts/river_warnings.py`).

use driftwatch_drift::stream;

fn read(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../fixtures/golden/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Inclusive runs `[[first, last], ...]` -> the indices they cover.
fn expand(runs: &serde_json::Value) -> Vec<usize> {
    let runs: Vec<[usize; 2]> = serde_json::from_value(runs.clone()).unwrap();
    runs.iter().flat_map(|[a, b]| *a..=*b).collect()
}

/// River's constructor text -> this project's spec.
const SPECS: &[(&str, &str)] = &[
    ("DDM()", "ddm"),
    ("EDDM()", "eddm"),
    ("HDDMA()", "hddm-a"),
    ("HDDMA(two_sided_test=True)", "hddm-a:two_sided_test=true"),
    ("HDDMW()", "hddm-w"),
    ("HDDMW(two_sided_test=True)", "hddm-w:two_sided_test=true"),
    ("HDDMW(lambda_val=0.2)", "hddm-w:lambda_val=0.2"),
];

fn stream_values(name: &str, g: &serde_json::Value, golden: &serde_json::Value) -> Vec<f64> {
    match name.strip_prefix("golden:") {
        Some(key) => floats(&golden[key]),
        None => floats(&g["streams"][name]),
    }
}

#[test]
fn drift_and_warning_flags_match_river_at_every_index() {
    let g = read("river_warnings.json");
    let golden = read("stream_detectors.json");
    let mut checked = 0;
    let mut bad = Vec::new();
    for (name, detectors) in g["flags"].as_object().unwrap() {
        let xs = stream_values(name, &g, &golden);
        for (river, want) in detectors.as_object().unwrap() {
            let spec = SPECS
                .iter()
                .find(|(r, _)| r == river)
                .unwrap_or_else(|| panic!("no spec for {river}"))
                .1;
            let mut d = stream::build(spec).unwrap();
            let (drifts, warnings) = stream::run(d.as_mut(), &xs);
            for (what, got, want) in [
                ("drift", drifts, expand(&want["drift"])),
                ("warning", warnings, expand(&want["warning"])),
            ] {
                if got != want {
                    let first = got
                        .iter()
                        .zip(&want)
                        .position(|(a, b)| a != b)
                        .unwrap_or(got.len().min(want.len()));
                    bad.push(format!(
                        "{name} {spec} {what}: {} vs River's {}, first difference at item {first} \
                         (got {:?}, River {:?})",
                        got.len(),
                        want.len(),
                        got.get(first),
                        want.get(first)
                    ));
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 35);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The case the issue names: after 500 leading zeros HDDM_W's EWMA must already be running
/// (at 0), so the first errors move it by `lambda`, not to 1: no drift at index 504.
#[test]
fn hddm_w_after_leading_zeros_warns_where_river_does() {
    let g = read("river_warnings.json");
    let name = "zeros500_rate0.1_then0.35";
    let xs = floats(&g["streams"][name]);
    let mut d = stream::build("hddm-w").unwrap();
    let (drifts, warnings) = stream::run(d.as_mut(), &xs);
    assert_eq!(drifts, expand(&g["flags"][name]["HDDMW()"]["drift"]));
    assert_eq!(warnings, expand(&g["flags"][name]["HDDMW()"]["warning"]));
}

/// EDDM keeps its warning flag at a drift update, as River does: the index is in both lists.
#[test]
fn eddm_reports_the_warning_at_a_drift_update() {
    let golden = read("stream_detectors.json");
    let xs = floats(&golden["binary_stream"]);
    let mut d = stream::build("eddm").unwrap();
    let (drifts, warnings) = stream::run(d.as_mut(), &xs);
    assert_eq!(drifts.len(), 17);
    assert!(drifts.contains(&21594) && warnings.contains(&21594));
}
