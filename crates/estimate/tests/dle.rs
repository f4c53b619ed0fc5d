//! The monitor `dle` on small known data: registration, findings, errors, unseen
//! categories, serialisation, and properties of its estimates.

// Test helpers build fixtures and fail loudly on a broken one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_core::{
    Categorical, Column, FindingKind, Frame, Monitor, Severity, Status, Target, Window, registry,
};
use driftwatch_estimate::dle::{DleConfig, DleMetric, DleMonitor, method};
use proptest::prelude::*;

/// `n` rows: x uniform-ish in [0, 10), a category, a prediction of 2x and a target off
/// by `noise(x)`: the error grows with x, so the loss is learnable.
fn data(n: usize, shift: f64, seed: u64) -> Window {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut x, mut cat, mut pred, mut y) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let xi = 10.0 * next() + shift;
        let sign = if next() < 0.5 { -1.0 } else { 1.0 };
        x.push(xi);
        cat.push(Some(if next() < 0.5 { "a" } else { "b" }));
        pred.push(2.0 * xi);
        y.push(2.0 * xi + sign * xi * (0.5 + next()));
    }
    Window {
        label: format!("shift {shift}"),
        features: Frame::new(vec![
            ("x".into(), Column::Numeric(x.into())),
            (
                "c".into(),
                Column::Categorical(Categorical::from_labels(cat)),
            ),
        ])
        .expect("frame"),
        predictions: Some(Target::Values(pred)),
        labels: Some(Target::Values(y)),
        ..Window::default()
    }
}

fn small_config() -> DleConfig {
    DleConfig {
        chunk_rows: Some(200),
        n_trees: 10,
        min_samples_leaf: 20,
        ..DleConfig::default()
    }
}

fn fitted() -> DleMonitor {
    let mut m = DleMonitor::new(small_config()).expect("config");
    m.fit(&data(2000, 0.0, 1)).expect("fit");
    m
}

#[test]
fn registered_with_a_default_config_that_builds() {
    let f = registry::monitor("dle").expect("registered");
    assert!(f.description.contains("without labels"));
    // The default config is flat `key = value` lines (values JSON-compatible).
    let mut map = serde_json::Map::new();
    for line in f.default_config.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some((k, v)) = line.split_once('=') {
            map.insert(
                k.trim().into(),
                serde_json::from_str(v.trim()).expect("value"),
            );
        }
    }
    let from_default = serde_json::Value::Object(map);
    let m = (f.build)(&from_default).expect("builds");
    assert_eq!(m.name(), "dle");
    assert!(registry::build_monitor("dle", &serde_json::Value::Null).is_ok());
    let e = registry::build_monitor("dle", &serde_json::json!({"n_trees": 0})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid configuration of dle: dle.n_trees: must be at least 1"
    );
    let e = registry::build_monitor("dle", &serde_json::json!({"metrics": ["mape"]})).unwrap_err();
    assert!(e.to_string().contains("unknown variant `mape`"), "{e}");
}

#[test]
fn findings_carry_estimate_band_sampling_error_and_realized() {
    let m = fitted();
    let w = data(200, 0.0, 7);
    let f = m.check(&w).expect("check");
    let methods: Vec<&str> = f.iter().map(|x| x.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "estimated_mae",
            "realized_mae",
            "estimated_mse",
            "realized_mse",
            "estimated_rmse",
            "realized_rmse"
        ]
    );
    let est = &f[0];
    assert_eq!(est.monitor, "dle");
    assert_eq!(
        est.kind,
        FindingKind::Estimate {
            higher_is_better: false
        }
    );
    let bounds = est.bounds.expect("bounds");
    assert!(bounds.lower.expect("lower") >= 0.0);
    assert_eq!(est.threshold, bounds.upper.expect("upper"));
    assert!(est.sampling_error.expect("se") > 0.0);
    assert!(est.message.starts_with("estimated mae "), "{}", est.message);
    // Same distribution as the reference: no alert, and the estimate near the truth.
    assert_eq!(est.status, Status::Ok);
    assert_eq!(f[1].kind, FindingKind::Info);
    assert!((est.statistic - f[1].statistic).abs() < 0.15 * f[1].statistic);
    // RMSE is the root of the estimated MSE.
    assert!((f[4].statistic - f[2].statistic.sqrt()).abs() < 1e-12);
    // Realized values are scikit-learn's definitions on the window.
    let (t, p) = match (&w.labels, &w.predictions) {
        (Some(Target::Values(t)), Some(Target::Values(p))) => (t, p),
        _ => unreachable!(),
    };
    assert_eq!(f[1].statistic, driftwatch_metrics::mae(t, p).unwrap());
    assert_eq!(f[3].statistic, driftwatch_metrics::mse(t, p).unwrap());
}

#[test]
fn a_window_with_larger_errors_alerts_high_and_one_with_smaller_low() {
    let m = fitted();
    // Every x from 8 to 10: errors well above the reference's average.
    let mut w = data(200, 0.0, 3);
    let xs: Vec<f64> = (0..200).map(|i| 8.0 + i as f64 / 100.0).collect();
    w.features = Frame::new(vec![
        ("x".into(), Column::Numeric(xs.clone().into())),
        ("c".into(), w.features.column("c").expect("c").clone()),
    ])
    .expect("frame");
    w.predictions = Some(Target::Values(xs.iter().map(|x| 2.0 * x).collect()));
    w.labels = None;
    let f = m.check(&w).expect("check");
    assert_eq!(f.len(), 3, "no labels, no realized findings");
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Alert, Some(Severity::Medium))
    );
    // Every x near 0: errors far below.
    let small: Vec<f64> = (0..200).map(|i| i as f64 / 200.0).collect();
    w.features = Frame::new(vec![
        ("x".into(), Column::Numeric(small.clone().into())),
        ("c".into(), w.features.column("c").expect("c").clone()),
    ])
    .expect("frame");
    w.predictions = Some(Target::Values(small.iter().map(|x| 2.0 * x).collect()));
    let f = m.check(&w).expect("check");
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Alert, Some(Severity::Low))
    );
}

#[test]
fn delayed_labels_count_only_the_labelled_rows() {
    let m = fitted();
    let mut w = data(100, 0.0, 5);
    let mask: Vec<bool> = (0..100).map(|i| i % 2 == 0).collect();
    w.labelled = Some(mask);
    let e = m.estimate(&w).expect("estimate");
    let (t, p) = match (&w.labels, &w.predictions) {
        (Some(Target::Values(t)), Some(Target::Values(p))) => (t, p),
        _ => unreachable!(),
    };
    let keep: Vec<usize> = (0..100).step_by(2).collect();
    let tt: Vec<f64> = keep.iter().map(|&i| t[i]).collect();
    let pp: Vec<f64> = keep.iter().map(|&i| p[i]).collect();
    assert_eq!(
        e[0].realized,
        Some(driftwatch_metrics::mae(&tt, &pp).unwrap())
    );
    // The estimate and its sampling error use every row.
    let full = m
        .estimate(&Window {
            labelled: None,
            ..w.clone()
        })
        .expect("estimate");
    assert_eq!(e[0].estimate, full[0].estimate);
}

#[test]
fn unseen_and_missing_categories_and_missing_numbers_do_not_panic() {
    let m = fitted();
    let mut w = data(50, 0.0, 9);
    let cats: Vec<Option<&str>> = (0..50)
        .map(|i| match i % 3 {
            0 => Some("never seen"),
            1 => None,
            _ => Some("a"),
        })
        .collect();
    let mut xs: Vec<f64> = (0..50).map(f64::from).collect();
    xs[0] = f64::NAN;
    xs[1] = f64::INFINITY;
    w.features = Frame::new(vec![
        ("x".into(), Column::Numeric(xs.into())),
        (
            "c".into(),
            Column::Categorical(Categorical::from_labels(cats)),
        ),
    ])
    .expect("frame");
    let f = m.check(&w).expect("check");
    assert!(f.iter().all(|x| x.statistic.is_finite()));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let mut m = DleMonitor::new(small_config()).expect("config");
    let good = data(300, 0.0, 2);
    let err = |m: &mut DleMonitor, w: &Window| m.fit(w).unwrap_err().to_string();

    let classification = Window {
        predictions: Some(Target::Labels(vec!["a".into(); 300])),
        ..good.clone()
    };
    assert!(err(&mut m, &classification).contains("holds class labels"));
    let no_pred = Window {
        predictions: None,
        ..good.clone()
    };
    assert!(err(&mut m, &no_pred).contains("has no predictions"));
    let no_labels = Window {
        labels: None,
        ..good.clone()
    };
    assert!(err(&mut m, &no_labels).contains("the reference has no labels"));
    let mut nan_target = good.clone();
    if let Some(Target::Values(y)) = &mut nan_target.labels {
        y[4] = f64::NAN;
    }
    assert_eq!(
        err(&mut m, &nan_target),
        "dle: the reference labels has a non-finite value (NaN) at row 5: drop or fill that row first"
    );
    let unlabelled = Window {
        labelled: Some((0..300).map(|i| i != 0).collect()),
        ..good.clone()
    };
    assert!(err(&mut m, &unlabelled).contains("1 unlabelled rows"));
    assert!(err(&mut m, &Window::default()).contains("the reference has no rows"));

    // Checking: not fitted, empty, missing column, wrong kind, class labels.
    assert!(
        m.check(&good)
            .unwrap_err()
            .to_string()
            .contains("not fitted")
    );
    m.fit(&good).expect("fit");
    let empty = Window {
        label: "day 3".into(),
        ..Window::default()
    };
    assert_eq!(
        m.check(&empty).unwrap_err().to_string(),
        "dle: window `day 3` has no rows: DLE needs at least one"
    );
    let mut missing = good.clone();
    missing.features.remove("c").expect("c");
    assert!(
        m.check(&missing)
            .unwrap_err()
            .to_string()
            .contains("column 'c' of the reference is missing")
    );
    let labels = Window {
        labels: Some(Target::Labels(vec!["a".into(); 300])),
        ..good.clone()
    };
    assert!(
        m.check(&labels)
            .unwrap_err()
            .to_string()
            .contains("holds class labels")
    );
    let mut nan_pred = good.clone();
    if let Some(Target::Values(p)) = &mut nan_pred.predictions {
        p[0] = f64::NAN;
    }
    assert!(
        m.check(&nan_pred)
            .unwrap_err()
            .to_string()
            .contains("non-finite value (NaN) at row 1")
    );
}

#[test]
fn a_fitted_monitor_serialises_and_judges_the_same() {
    let m = fitted();
    let boxed: Box<dyn Monitor> = Box::new(m);
    let json = serde_json::to_string(&boxed).expect("serialise");
    let back: Box<dyn Monitor> = serde_json::from_str(&json).expect("deserialise");
    let w = data(200, 1.0, 11);
    // As JSON: a realized finding's NaN threshold is not equal to itself.
    let findings =
        |m: &dyn Monitor| serde_json::to_string(&m.check(&w).expect("check")).expect("json");
    assert_eq!(findings(boxed.as_ref()), findings(back.as_ref()));
}

#[test]
fn without_chunk_rows_the_reference_is_cut_in_ten() {
    let mut m = DleMonitor::new(DleConfig {
        chunk_rows: None,
        ..small_config()
    })
    .expect("config");
    m.fit(&data(2000, 0.0, 1)).expect("fit");
    let f = m.check(&data(100, 0.0, 4)).expect("check");
    assert!(
        f[0].message
            .contains("from 10 reference chunks of 200 rows"),
        "{}",
        f[0].message
    );
}

#[test]
fn only_the_configured_metrics_and_features_are_used() {
    let mut m = DleMonitor::new(DleConfig {
        metrics: vec![DleMetric::Rmse],
        features: Some(vec!["x".into()]),
        ..small_config()
    })
    .expect("config");
    m.fit(&data(1000, 0.0, 1)).expect("fit");
    let mut w = data(100, 0.0, 2);
    w.features.remove("c").expect("c");
    let f = m.check(&w).expect("check");
    assert_eq!(f[0].method, format!("estimated_{}", method::RMSE));
    assert_eq!(f.len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Estimates are never negative (losses are clipped at 0), RMSE is the root of
    /// MSE, and a larger window has a smaller sampling error.
    #[test]
    fn estimates_are_non_negative_and_consistent(seed in 0u64..1000, shift in -5.0f64..5.0) {
        let m = fitted();
        let small = m.estimate(&data(50, shift, seed)).expect("estimate");
        let large = m.estimate(&data(400, shift, seed)).expect("estimate");
        for e in small.iter().chain(&large) {
            prop_assert!(e.estimate >= 0.0);
        }
        prop_assert!((small[2].estimate - small[1].estimate.sqrt()).abs() < 1e-9);
        for (s, l) in small.iter().zip(&large) {
            prop_assert!(l.sampling_error < s.sampling_error);
        }
    }
}
