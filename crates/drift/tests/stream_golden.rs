#![allow(clippy::unwrap_used, clippy::expect_used)]
//! River 0.26.1's detection indices on the golden streams, reproduced exactly.

use driftwatch_drift::stream;

fn golden() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/golden/stream_detectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn values(g: &serde_json::Value, key: &str) -> Vec<f64> {
    g[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// River's constructor text -> this project's spec.
const SPECS: &[(&str, &str)] = &[
    ("ADWIN()", "adwin"),
    ("ADWIN(delta=0.0001, clock=1)", "adwin:delta=0.0001,clock=1"),
    ("PageHinkley()", "page-hinkley"),
    ("PageHinkley(threshold=200.0)", "page-hinkley:threshold=200"),
    ("DDM()", "ddm"),
    ("EDDM()", "eddm"),
    ("HDDMA()", "hddm-a"),
    ("HDDMW()", "hddm-w"),
    ("HDDMA(two_sided_test=True)", "hddm-a:two_sided_test=true"),
    ("FHDDM()", "fhddm"),
];

#[test]
fn detection_indices_match_river() {
    let g = golden();
    let mut checked = 0;
    let mut bad = Vec::new();
    for (group, stream_key) in [
        ("real_detections", "real_stream"),
        ("binary_detections", "binary_stream"),
    ] {
        let xs = values(&g, stream_key);
        assert_eq!(xs.len(), 40_000);
        for (river, want) in g[group].as_object().unwrap() {
            let spec = SPECS
                .iter()
                .find(|(r, _)| r == river)
                .unwrap_or_else(|| panic!("no spec for {river}"))
                .1;
            let want: Vec<usize> = serde_json::from_value(want.clone()).unwrap();
            let mut d = stream::build(spec).unwrap();
            let (got, _) = stream::run(d.as_mut(), &xs);
            if got != want {
                bad.push(format!("{spec}: got {got:?}, want {want:?}"));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
