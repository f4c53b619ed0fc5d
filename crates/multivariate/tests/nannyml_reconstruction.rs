//! `pca_reconstruction` against NannyML 0.13.1's DataReconstructionDriftCalculator on
//! the fixtures of `fixtures/golden/scripts/nannyml_multivariate.py`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use driftwatch_core::{Monitor, Status, Window};
use driftwatch_multivariate::{ReconstructionConfig, ReconstructionMonitor};

/// Relative agreement asked of every value (every value agrees within 1e-14).
const REL: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * b.abs().max(1e-300)
}

fn agrees(name: &str) {
    let doc = common::golden(&format!("nannyml/reconstruction_{name}.json"));
    let reference = common::frame(&doc, "reference");
    let analysis = common::frame(&doc, "analysis");
    let chunk = doc["chunk_size"].as_u64().unwrap() as usize;
    let mut m = ReconstructionMonitor::new(ReconstructionConfig {
        chunk_rows: Some(chunk),
        ..Default::default()
    })
    .unwrap();
    m.fit(&Window {
        features: reference.clone(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        m.n_components_kept(),
        doc["n_components_kept"].as_u64().map(|k| k as usize)
    );
    let state = m.state.as_ref().unwrap();
    let want_ref = common::chunks(&doc, "reference_chunks");
    assert_eq!(state.reference_errors.len(), want_ref.len());
    for (got, want) in state.reference_errors.iter().zip(&want_ref) {
        assert!(
            close(*got, want.value),
            "{name} reference chunk {}: {got} vs {}",
            want.start,
            want.value
        );
        let se = m
            .window_error(&reference.slice_rows(want.start, want.end))
            .unwrap();
        assert!(close(se.sampling_error, want.sampling_error.unwrap()));
    }
    let lower = doc["lower_threshold"].as_f64();
    let upper = doc["upper_threshold"].as_f64();
    assert_eq!(state.bounds.lower.is_some(), lower.is_some());
    if let (Some(a), Some(b)) = (state.bounds.lower, lower) {
        assert!(close(a, b), "{name} lower {a} vs {b}");
    }
    assert!(close(state.bounds.upper.unwrap(), upper.unwrap()));
    let mut worst = 0.0f64;
    for want in common::chunks(&doc, "analysis_chunks") {
        let window = Window {
            features: analysis.slice_rows(want.start, want.end),
            ..Default::default()
        };
        let f = &m.check(&window).unwrap()[0];
        worst = worst.max((f.statistic - want.value).abs() / want.value);
        assert!(
            close(f.statistic, want.value),
            "{name} chunk {}: {} vs {}",
            want.start,
            f.statistic,
            want.value
        );
        assert!(close(
            f.sampling_error.unwrap(),
            want.sampling_error.unwrap()
        ));
        assert_eq!(
            f.status == Status::Alert,
            want.alert,
            "{name} chunk {}",
            want.start
        );
    }
    assert!(worst <= REL, "{name}: worst relative difference {worst:e}");
}

#[test]
fn synthetic_binary_matches_nannyml() {
    agrees("synthetic_binary");
}

#[test]
fn car_loan_with_missing_values_matches_nannyml() {
    agrees("car_loan");
}
