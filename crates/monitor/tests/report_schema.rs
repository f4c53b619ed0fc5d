#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The JSON report validates against `docs/report-schema.json`, and the schema rejects
//! what it should.

use driftwatch_core::{Finding, FindingKind, Severity, Status};
use driftwatch_monitor::{AlertPolicy, Band, RunReport, WindowReport};

fn schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/report-schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn finding(method: &str, column: Option<&str>, value: f64, baseline: Option<f64>) -> Finding {
    let bad = baseline.map_or(value < 0.05, |b| value < 0.95 * b);
    Finding {
        monitor: if baseline.is_some() {
            "performance"
        } else {
            "feature_drift"
        }
        .into(),
        kind: match baseline {
            Some(_) => FindingKind::Metric {
                higher_is_better: true,
            },
            None => FindingKind::Drift,
        },
        column: column.map(String::from),
        method: method.into(),
        statistic: value,
        p_value: baseline.is_none().then_some(value),
        threshold: baseline.map_or(0.05, |b| 0.95 * b),
        baseline,
        status: if bad { Status::Alert } else { Status::Ok },
        severity: bad.then_some(Severity::High),
        message: String::new(),
        bounds: None,
        sampling_error: None,
    }
}

fn report() -> RunReport {
    let accuracy = [1.0, 0.9, 0.85, 0.99, f64::NAN];
    let windows = accuracy
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            let mut w = WindowReport::from_findings(
                i,
                format!("day {}", i + 1),
                if i == 4 { 0 } else { 30 },
                vec![
                    finding("accuracy", None, a, Some(1.0)),
                    finding("ks", Some("x"), if a < 0.95 { 0.001 } else { 0.5 }, None),
                ],
            );
            w.class_shares = [("a".to_string(), 0.5), ("b".to_string(), 0.5)].into();
            w
        })
        .collect::<Vec<_>>();
    let alerts = AlertPolicy {
        consecutive: 2,
        ..AlertPolicy::default()
    }
    .evaluate(&windows);
    RunReport::new(windows, alerts).with_bands(vec![Band {
        monitor: "feature_drift".into(),
        column: Some("x".into()),
        method: "ks".into(),
        lower: None,
        upper: 0.31,
        mean: 0.16,
        std: 0.05,
        width: 3.0,
        chunks: 50,
        chunk_rows: 30,
    }])
}

#[test]
fn the_json_report_validates_against_its_schema() {
    let v = schema();
    let r = report();
    assert!(!r.alerts.is_empty(), "the fixture has alerts to validate");
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(json["bands"][0]["upper"], 0.31);
    // NaN accuracy of the empty window is left out of metrics, null in the finding.
    assert_eq!(
        json["windows"][4]["findings"][0]["statistic"],
        serde_json::Value::Null
    );
}

#[test]
fn the_schema_rejects_a_broken_report() {
    let v = schema();
    let mut json: serde_json::Value = serde_json::from_str(&report().to_json().unwrap()).unwrap();
    json["alerts"][0]["severity"] = "CRITICAL".into();
    assert!(!v.is_valid(&json));
    let mut json: serde_json::Value = serde_json::from_str(&report().to_json().unwrap()).unwrap();
    json["windows"][0].as_object_mut().unwrap().remove("n_rows");
    assert!(!v.is_valid(&json));
    let mut json: serde_json::Value = serde_json::from_str(&report().to_json().unwrap()).unwrap();
    json["summary"]["surprise"] = 1.into();
    assert!(!v.is_valid(&json));
}
