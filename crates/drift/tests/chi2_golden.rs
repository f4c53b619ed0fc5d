//! Chi-square homogeneity (via the column drift path) against scipy's chi2_contingency.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_core::{Categorical, Column, Frame};
use driftwatch_drift::columns::{DriftOptions, DriftReference, TestKind};

fn frame(values: &[serde_json::Value]) -> Frame {
    let labels: Vec<String> = values
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    Frame::new(vec![(
        "x".into(),
        Column::Categorical(Categorical::from_labels(
            labels.iter().map(|l| Some(l.as_str())),
        )),
    )])
    .unwrap()
}

#[test]
fn chi2_matches_scipy_on_every_golden_case() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/golden/categorical_two_sample.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for (i, c) in cases.iter().enumerate() {
        let reference = frame(c["reference"].as_array().unwrap());
        let current = frame(c["current"].as_array().unwrap());
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(
                &current,
                &DriftOptions {
                    test: TestKind::Chi2,
                    ..Default::default()
                },
            )
            .unwrap();
        let want = &c["chi2_contingency_no_correction"];
        let (stat, p) = (
            want["statistic"].as_f64().unwrap(),
            want["pvalue"].as_f64().unwrap(),
        );
        let got_stat = rows[0].statistic.unwrap();
        let got_p = rows[0].p_value.unwrap();
        assert!(
            (got_stat - stat).abs() <= 1e-9 * stat.abs(),
            "case {i}: statistic {got_stat} vs {stat}"
        );
        assert!(
            (got_p - p).abs() <= 1e-9 * p.abs().max(1e-300),
            "case {i}: p {got_p} vs {p}"
        );
    }
}
