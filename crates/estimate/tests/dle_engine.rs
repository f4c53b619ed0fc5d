//! The monitor `dle` run by driftwatch's engine, by name from a config, as
//! `driftwatch monitor` runs it.

// Test helpers build fixtures and fail loudly on a broken one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_core::{Column, FindingKind, Frame, Target, Window};
use driftwatch_monitor::{Engine, EngineConfig, MonitorConfig};
// Linked for its registration only: the engine finds `dle` by name.
use driftwatch_estimate as _;

/// `n` rows of x in [lo, hi), shuffled (so reference chunks are alike), with
/// prediction 2x and an error of ±x/2 (alternating).
fn rows(n: usize, lo: f64, hi: f64) -> Window {
    let x: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * ((i * 37) % n) as f64 / n as f64)
        .collect();
    let pred: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| 2.0 * v + if i % 2 == 0 { v / 2.0 } else { -v / 2.0 })
        .collect();
    Window {
        label: format!("x in [{lo}, {hi})"),
        features: Frame::new(vec![("x".into(), Column::Numeric(x.into()))]).expect("frame"),
        predictions: Some(Target::Values(pred)),
        labels: Some(Target::Values(y)),
        ..Window::default()
    }
}

fn engine() -> Engine {
    let config = EngineConfig {
        monitors: vec![MonitorConfig {
            name: "dle".into(),
            config: serde_json::json!({
                "metrics": ["mae"], "chunk_rows": 100, "n_trees": 8, "min_samples_leaf": 10
            }),
            ..MonitorConfig::default()
        }],
        ..EngineConfig::default()
    };
    let mut e = Engine::from_config(&config).expect("dle is registered");
    e.fit(&rows(1000, 0.0, 10.0)).expect("fit");
    e
}

#[test]
fn the_engine_reports_estimates_with_their_band_and_realized_values() {
    let reports = engine()
        .run(&[rows(100, 0.0, 10.0), rows(100, 8.0, 10.0)])
        .expect("run");
    let of = |i: usize, method: &str| {
        reports[i]
            .findings
            .iter()
            .find(|f| f.method == method)
            .cloned()
            .expect(method)
    };
    // Like the reference: MAE = mean |x| / 2 = 2.5 (estimated close to it), no alert.
    let est = of(0, "estimated_mae");
    assert!(matches!(est.kind, FindingKind::Estimate { .. }));
    assert!((est.statistic - 2.475).abs() < 0.3, "{}", est.statistic);
    assert!((of(0, "realized_mae").statistic - 2.475).abs() < 1e-12);
    assert_eq!(est.status, driftwatch_core::Status::Ok);
    // x from 8 to 10: MAE about 4.5, far above the band.
    let est = of(1, "estimated_mae");
    assert!(est.statistic > 4.0, "{}", est.statistic);
    assert_eq!(est.status, driftwatch_core::Status::Alert, "{est:?}");
    assert!(est.bounds.is_some() && est.sampling_error.is_some());
}

#[test]
fn with_delayed_labels_the_engine_keeps_the_estimates_and_realizes_the_labelled_rows() {
    let mut w = rows(100, 0.0, 10.0);
    w.labelled = Some((0..100).map(|i| i < 50).collect());
    // |y - prediction| = x / 2 on every row; only the first 50 have their label.
    let x = w.features.column("x").unwrap().numeric_values().unwrap();
    let labelled_mae = x[..50].iter().map(|v| v / 2.0).sum::<f64>() / 50.0;
    let reports = engine().run(&[w]).expect("run");
    let methods: Vec<&str> = reports[0]
        .findings
        .iter()
        .map(|f| f.method.as_str())
        .collect();
    // The estimate from every row (labels hidden), the realized value from the
    // labelled rows alone.
    assert_eq!(methods, ["estimated_mae", "realized_mae"]);
    let realized = &reports[0].findings[1];
    assert!(
        (realized.statistic - labelled_mae).abs() < 1e-12,
        "{realized:?}"
    );
    assert_eq!(reports[0].labelled_rows, Some(50));
}
