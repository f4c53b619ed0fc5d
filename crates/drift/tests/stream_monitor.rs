#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `stream_detector` monitor: built from the registry, warmed on the reference, and
//! alerting in the window where the stream shifts; each window starts from the reference state.

use driftwatch_core::registry;
// Keeps the linker from dropping the crate and its registrations.
use driftwatch_core::{Column, Frame, Status, Target, Window};
use driftwatch_drift as _;
use ndarray::Array1;

fn window(label: &str, xs: Vec<f64>) -> Window {
    Window {
        label: label.into(),
        features: Frame::new(vec![("x".to_string(), Column::Numeric(Array1::from(xs)))]).unwrap(),
        predictions: None,
        probabilities: None,
        labels: None,
        timestamps: None,
        labelled: None,
        rejected: None,
    }
}

fn noise(i: usize) -> f64 {
    ((i * 7919) % 101) as f64 / 101.0 - 0.5
}

#[test]
fn alerts_in_the_window_where_the_column_shifts() {
    let cfg = serde_json::json!({"detector": "adwin", "column": "x"});
    let mut m = registry::build_monitor("stream_detector", &cfg).unwrap();
    m.fit(&window("ref", (0..1000).map(noise).collect()))
        .unwrap();
    let mut statuses = Vec::new();
    for w in 0..6 {
        let shift = if w >= 3 { 2.0 } else { 0.0 };
        let xs = (0..500).map(|i| noise(i + w * 500) + shift).collect();
        let f = m.check(&window(&format!("w{w}"), xs)).unwrap();
        assert_eq!(f.len(), 1);
        statuses.push(f[0].status);
    }
    assert_eq!(&statuses[..3], &[Status::Ok, Status::Ok, Status::Ok]);
    assert_eq!(statuses[3], Status::Alert);
    // Independent of the order windows are checked in (the engine runs them in parallel).
    let again = m
        .check(&window(
            "w3",
            (0..500).map(|i| noise(i + 1500) + 2.0).collect(),
        ))
        .unwrap();
    assert_eq!(again[0].status, Status::Alert);
}

#[test]
fn watches_the_per_row_error() {
    let cfg = serde_json::json!({"detector": "ddm", "source": "error"});
    let mut m = registry::build_monitor("stream_detector", &cfg).unwrap();
    let labelled = |every: usize, n: usize| {
        let mut w = window("w", vec![0.0; n]);
        w.labels = Some(Target::Labels(vec!["a".to_string(); n]));
        w.predictions = Some(Target::Labels(
            (0..n)
                .map(|i| if i % every == 0 { "b" } else { "a" }.to_string())
                .collect(),
        ));
        w
    };
    m.fit(&labelled(10, 2000)).unwrap();
    assert_eq!(m.check(&labelled(10, 1000)).unwrap()[0].status, Status::Ok);
    assert_eq!(
        m.check(&labelled(2, 1000)).unwrap()[0].status,
        Status::Alert
    );
}

/// Over a cumulative span the detector reads every row in order (its state carried
/// from window to window) and reports only the drifts in the window's own rows, by
/// their row in that window.
#[test]
fn over_a_span_reports_the_window_s_own_rows() {
    let cfg = serde_json::json!({"detector": "adwin", "column": "x"});
    let mut m = registry::build_monitor("stream_detector", &cfg).unwrap();
    m.fit(&window("ref", (0..1000).map(noise).collect()))
        .unwrap();
    // Windows of 500 rows; the shift starts in the fourth.
    let rows = |w: usize| -> Vec<f64> {
        let shift = if w >= 3 { 2.0 } else { 0.0 };
        (0..500).map(|i| noise(i + w * 500) + shift).collect()
    };
    let span = |upto: usize| window("span", (0..=upto).flat_map(rows).collect());
    let drift_rows = |f: &driftwatch_core::Finding| f.message.clone();
    let third = m.check_span(&span(2), 500).unwrap();
    assert_eq!(third[0].status, Status::Ok);
    assert!(drift_rows(&third[0]).contains("500 values (after 1000 values of earlier windows)"));
    let fourth = m.check_span(&span(3), 500).unwrap();
    assert_eq!(fourth[0].status, Status::Alert);
    // The same rows as the fourth window alone, found at the same row of that window
    // (ADWIN's state after three quiet windows is what it learnt from the reference).
    let alone = m.check(&window("w3", rows(3))).unwrap();
    assert_eq!(fourth[0].statistic, alone[0].statistic);
    // With every row new, a span is the plain check.
    assert_eq!(m.check_span(&window("w3", rows(3)), 500).unwrap(), alone);
}

#[test]
fn bad_configs_fail_at_build_time() {
    for cfg in [
        serde_json::json!({"detector": "nope"}),
        serde_json::json!({"detector": "adwin:delta=5"}),
        serde_json::json!({"source": "sideways"}),
    ] {
        assert!(
            registry::build_monitor("stream_detector", &cfg).is_err(),
            "{cfg}"
        );
    }
}
