//! `domain_classifier` against NannyML 0.13.1's DomainClassifierCalculator (LightGBM)
//! on the fixtures of `fixtures/golden/scripts/nannyml_multivariate.py`. The classifier
//! differs (driftwatch's random forest), so AUROCs agree within a tolerance and the
//! alerting chunks exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use driftwatch_core::{Monitor, Status, Window};
use driftwatch_multivariate::domain::Threshold;
use driftwatch_multivariate::{DomainClassifierMonitor, DomainConfig};

/// Largest AUROC difference allowed from LightGBM's.
const TOL: f64 = 0.05;

fn agrees(name: &str) {
    let inputs = common::golden(&format!("nannyml/reconstruction_{name}.json"));
    let doc = common::golden(&format!("nannyml/domain_classifier_{name}.json"));
    let reference = common::frame(&inputs, "reference");
    let analysis = common::frame(&inputs, "analysis");
    let chunk = doc["chunk_size"].as_u64().unwrap() as usize;
    let mut m = DomainClassifierMonitor::new(DomainConfig {
        threshold: Threshold::Std,
        chunk_rows: Some(chunk),
        ..Default::default()
    })
    .unwrap();
    m.fit(&Window {
        features: reference,
        ..Default::default()
    })
    .unwrap();
    // NannyML's reference results: each chunk against the rest of the reference.
    let state = m.state.as_ref().unwrap();
    let mut worst = 0.0f64;
    for (got, want) in state
        .reference_aurocs
        .iter()
        .zip(common::chunks(&doc, "reference_chunks"))
    {
        worst = worst.max((got - want.value).abs());
    }
    // Judge with NannyML's constant thresholds, as its fixture did.
    m.config.threshold = Threshold::Constant;
    let mut constant = m.clone();
    if let Some(s) = constant.state.as_mut() {
        s.bounds.lower = doc["lower_threshold"].as_f64();
        s.bounds.upper = doc["upper_threshold"].as_f64();
    }
    for want in common::chunks(&doc, "analysis_chunks") {
        let window = Window {
            features: analysis.slice_rows(want.start, want.end),
            ..Default::default()
        };
        let f = &constant.check(&window).unwrap()[0];
        worst = worst.max((f.statistic - want.value).abs());
        eprintln!(
            "{name} chunk {}: {:.4} vs LightGBM {:.4}",
            want.start, f.statistic, want.value
        );
        assert_eq!(
            f.status == Status::Alert,
            want.alert,
            "{name} chunk {}: {}",
            want.start,
            f.message
        );
    }
    eprintln!("{name}: largest AUROC difference {worst:.4}");
    assert!(
        worst <= TOL,
        "{name}: AUROC differs by {worst} from LightGBM's"
    );
}

#[test]
fn synthetic_binary_alerts_as_nannyml() {
    agrees("synthetic_binary");
}

#[test]
fn car_loan_alerts_as_nannyml() {
    agrees("car_loan");
}
