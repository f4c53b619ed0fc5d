//! The `cbpe` monitor as the engine uses it: built from the registry, fitted, checked,
//! saved and loaded, and its clear errors on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_core::{
    Finding, FindingKind, Monitor, Probabilities, Severity, Status, Target, Window,
};
use driftwatch_estimate::cbpe::{Cbpe, config::CbpeConfig, error::CbpeError, metric::Metric};
use ndarray::Array2;

/// A deterministic stream of uniforms in [0, 1) (a 64-bit LCG's top bits).
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` rows of a calibrated binary model: scores `p`, labels drawn with probability `p`,
/// predictions `p >= 0.5`; `shift` moves the scores towards 0.5 (less confident).
fn binary(n: usize, seed: u64, shift: f64) -> Window {
    let mut u = Uniform(seed);
    let mut values = Array2::zeros((n, 2));
    let (mut pred, mut truth) = (Vec::new(), Vec::new());
    for r in 0..n {
        let p = u.next() * (1.0 - shift) + shift / 2.0;
        values[[r, 0]] = 1.0 - p;
        values[[r, 1]] = p;
        pred.push(if p >= 0.5 { "yes" } else { "no" }.to_string());
        truth.push(if u.next() < p { "yes" } else { "no" }.to_string());
    }
    Window {
        label: format!("seed {seed}"),
        probabilities: Some(Probabilities {
            classes: vec!["no".into(), "yes".into()],
            values,
        }),
        predictions: Some(Target::Labels(pred)),
        labels: Some(Target::Labels(truth)),
        ..Window::default()
    }
}

fn unlabelled(mut w: Window) -> Window {
    w.labels = None;
    w
}

fn fitted(config: CbpeConfig) -> Cbpe {
    let mut m = Cbpe::new(config).unwrap();
    m.fit(&binary(5000, 1, 0.0)).unwrap();
    m
}

fn find<'a>(f: &'a [Finding], method: &str) -> &'a Finding {
    f.iter()
        .find(|x| x.method == method)
        .unwrap_or_else(|| panic!("no {method} in {f:?}"))
}

fn cbpe_error(e: driftwatch_core::Error) -> CbpeError {
    match e {
        driftwatch_core::Error::Config { source, .. } => source
            .downcast_ref::<CbpeError>()
            .cloned()
            .expect("a CbpeError"),
        other => panic!("not a cbpe error: {other}"),
    }
}

#[test]
fn registered_and_built_from_config() {
    let factory = driftwatch_core::registry::monitor("cbpe").unwrap();
    assert!(factory.default_config.contains("calibration"));
    let m = (factory.build)(&serde_json::Value::Null).unwrap();
    assert_eq!(m.name(), "cbpe");
    let cfg = serde_json::json!({"metrics": ["roc_auc", "f1"], "chunk_rows": 500, "std": 2.0});
    assert!((factory.build)(&cfg).is_ok());
    let bad = (factory.build)(&serde_json::json!({"std": -1.0})).unwrap_err();
    assert!(bad.to_string().contains("`std`"), "{bad}");
    assert!((factory.build)(&serde_json::json!({"chunk": 5})).is_err());
}

#[test]
fn estimates_a_calibrated_model_within_its_band_with_realized_values() {
    let m = fitted(CbpeConfig {
        chunk_rows: Some(500),
        ..CbpeConfig::default()
    });
    let f = m.check(&binary(500, 2, 0.0)).unwrap();
    // Ten estimates and ten realized values, in a fixed order.
    assert_eq!(f.len(), 20);
    for metric in Metric::ALL {
        let est = find(&f, &format!("estimated_{}", metric.name()));
        let real = find(&f, &format!("realized_{}", metric.name()));
        assert_eq!(
            est.kind,
            FindingKind::Estimate {
                higher_is_better: metric.higher_is_better()
            }
        );
        assert_eq!(real.kind, FindingKind::Info);
        let se = est.sampling_error.unwrap();
        assert!(se > 0.0 && se.is_finite(), "{metric:?}: {se}");
        // A calibrated model's estimate is near the truth: within 4 sampling errors.
        assert!(
            (est.statistic - real.statistic).abs() < 4.0 * se,
            "{metric:?}: {est:?} vs {real:?}"
        );
        assert_eq!(est.status, Status::Ok, "{}", est.message);
        let b = est.bounds.unwrap();
        assert!(b.lower.unwrap() >= 0.0);
    }
    // Without labels only estimates.
    let g = m.check(&unlabelled(binary(500, 2, 0.0))).unwrap();
    assert_eq!(g.len(), 10);
    assert_eq!(
        find(&g, "estimated_accuracy").statistic,
        find(&f, "estimated_accuracy").statistic
    );
}

#[test]
fn less_confident_scores_lower_the_estimate_and_alert() {
    let m = fitted(CbpeConfig {
        chunk_rows: Some(500),
        ..CbpeConfig::default()
    });
    let f = m.check(&unlabelled(binary(500, 3, 0.8))).unwrap();
    let acc = find(&f, "estimated_accuracy");
    assert!(acc.statistic < 0.6, "{}", acc.message);
    assert_eq!(acc.status, Status::Alert);
    assert!(matches!(
        acc.severity,
        Some(Severity::High | Severity::Medium)
    ));
    assert!(acc.bounds.unwrap().excludes(acc.statistic));
    assert!(acc.message.contains("outside the band"), "{}", acc.message);
}

#[test]
fn realized_metrics_use_the_labelled_rows_only() {
    let m = fitted(CbpeConfig {
        chunk_rows: Some(500),
        ..CbpeConfig::default()
    });
    let mut w = binary(500, 4, 0.0);
    let full = m.check(&w).unwrap();
    // Hide the label of every other row: realized values come from the other half.
    w.labelled = Some((0..500).map(|i| i % 2 == 0).collect());
    let half = m.check(&w).unwrap();
    let keep: Vec<usize> = (0..500).step_by(2).collect();
    let sub = Window {
        probabilities: w.probabilities.as_ref().map(|p| Probabilities {
            classes: p.classes.clone(),
            values: p.values.select(ndarray::Axis(0), &keep),
        }),
        predictions: w.predictions.as_ref().map(|t| t.take(&keep)),
        labels: w.labels.as_ref().map(|t| t.take(&keep)),
        ..Window::default()
    };
    let direct = m.check(&sub).unwrap();
    assert_eq!(
        find(&half, "realized_f1").statistic,
        find(&direct, "realized_f1").statistic
    );
    assert_eq!(
        find(&half, "estimated_f1").statistic,
        find(&full, "estimated_f1").statistic
    );
}

#[test]
fn positive_class_and_metrics_are_chosen_by_config() {
    let both = fitted(CbpeConfig::default());
    let flipped = fitted(CbpeConfig {
        positive_class: Some("no".into()),
        metrics: Some(vec!["precision".into(), "recall".into()]),
        ..CbpeConfig::default()
    });
    let w = binary(1000, 5, 0.0);
    let a = both.check(&w).unwrap();
    let b = flipped.check(&w).unwrap();
    assert_eq!(b.len(), 4);
    // Precision of "no" is the negative predictive value: not the same as that of "yes".
    assert_ne!(
        find(&a, "realized_precision").statistic,
        find(&b, "realized_precision").statistic
    );
    // Specificity of "yes" is the recall of "no".
    let spec = find(&a, "realized_specificity").statistic;
    assert!((spec - find(&b, "realized_recall").statistic).abs() < 1e-12);
    let bad = Cbpe::new(CbpeConfig {
        positive_class: Some("maybe".into()),
        ..CbpeConfig::default()
    })
    .unwrap()
    .fit(&binary(100, 1, 0.0))
    .unwrap_err();
    assert!(bad.to_string().contains("positive_class"), "{bad}");
    // Without chunk_rows the reference is cut in ten (NannyML's default chunker).
    assert_eq!(both.chunk_rows(), Some(500));
    assert!(both.band(Metric::Accuracy).is_some() && both.band(Metric::F1).unwrap().0.is_some());
}

#[test]
fn saved_and_loaded_it_checks_the_same() {
    let m: Box<dyn Monitor> = Box::new(fitted(CbpeConfig::default()));
    let json = serde_json::to_string(&m).unwrap();
    let back: Box<dyn Monitor> = serde_json::from_str(&json).unwrap();
    let w = binary(500, 6, 0.2);
    // Compared as JSON: an unset threshold is NaN, which is not equal to itself.
    let as_json = |f: Vec<Finding>| serde_json::to_value(f).unwrap();
    assert_eq!(
        as_json(m.check(&w).unwrap()),
        as_json(back.check(&w).unwrap())
    );
}

#[test]
fn multiclass_estimates_macro_metrics() {
    let mut u = Uniform(9);
    let n = 3000;
    let classes = ["a", "b", "c"];
    let mut values = Array2::zeros((n, 3));
    let (mut pred, mut truth) = (Vec::new(), Vec::new());
    for r in 0..n {
        let raw = [u.next() + 0.05, u.next() + 0.05, u.next() + 0.05];
        let s: f64 = raw.iter().sum();
        let p = raw.map(|x| x / s);
        (0..3).for_each(|c| values[[r, c]] = p[c]);
        let best = (0..3).max_by(|&i, &j| p[i].total_cmp(&p[j])).unwrap();
        pred.push(classes[best].to_string());
        let x = u.next();
        let t = if x < p[0] {
            0
        } else if x < p[0] + p[1] {
            1
        } else {
            2
        };
        truth.push(classes[t].to_string());
    }
    let w = Window {
        probabilities: Some(Probabilities {
            classes: classes.map(String::from).to_vec(),
            values,
        }),
        predictions: Some(Target::Labels(pred)),
        labels: Some(Target::Labels(truth)),
        ..Window::default()
    };
    let mut m = Cbpe::new(CbpeConfig {
        chunk_rows: Some(500),
        ..CbpeConfig::default()
    })
    .unwrap();
    m.fit(&w).unwrap();
    let f = m.check(&w).unwrap();
    assert_eq!(f.len(), 12, "six metrics, estimated and realized");
    for metric in ["accuracy", "roc_auc", "f1", "specificity"] {
        let est = find(&f, &format!("estimated_{metric}"));
        let real = find(&f, &format!("realized_{metric}"));
        assert!(
            (est.statistic - real.statistic).abs() < 4.0 * est.sampling_error.unwrap(),
            "{metric}"
        );
    }
    let cm = Cbpe::new(CbpeConfig {
        metrics: Some(vec!["confusion_matrix".into()]),
        ..CbpeConfig::default()
    })
    .unwrap()
    .fit(&w)
    .unwrap_err();
    assert!(matches!(
        cbpe_error(cm),
        CbpeError::BinaryOnly { n_classes: 3, .. }
    ));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let mut m = Cbpe::new(CbpeConfig::default()).unwrap();
    // Check before fit.
    assert!(matches!(
        cbpe_error(m.check(&binary(10, 1, 0.0)).unwrap_err()),
        CbpeError::NotFitted
    ));
    // No probabilities.
    let mut w = binary(100, 1, 0.0);
    w.probabilities = None;
    let e = cbpe_error(m.fit(&w).unwrap_err());
    assert!(
        matches!(
            e,
            CbpeError::Missing {
                what: "probabilities",
                ..
            }
        ),
        "{e}"
    );
    // Out of range and NaN.
    for bad in [1.5, -0.1, f64::NAN] {
        let mut w = binary(100, 1, 0.0);
        if let Some(p) = w.probabilities.as_mut() {
            p.values[[7, 1]] = bad;
        }
        let e = cbpe_error(m.fit(&w).unwrap_err());
        assert!(matches!(e, CbpeError::BadProbability { row: 8, .. }), "{e}");
    }
    // A single class in the reference labels.
    let mut w = binary(100, 1, 0.0);
    w.labels = Some(Target::Labels(vec!["yes".into(); 100]));
    let e = cbpe_error(m.fit(&w).unwrap_err());
    assert!(e.to_string().contains("a single class 'yes'"), "{e}");
    // No labels in the reference.
    let e = cbpe_error(m.fit(&unlabelled(binary(100, 1, 0.0))).unwrap_err());
    assert!(
        matches!(e, CbpeError::Missing { what: "labels", .. }),
        "{e}"
    );
    // Empty windows.
    let mut empty = binary(0, 1, 0.0);
    let e = cbpe_error(m.fit(&empty).unwrap_err());
    assert!(matches!(e, CbpeError::Empty { .. }), "{e}");
    m.fit(&binary(1000, 1, 0.0)).unwrap();
    empty.labels = None;
    assert!(matches!(
        cbpe_error(m.check(&empty).unwrap_err()),
        CbpeError::Empty { .. }
    ));
    // A class the reference did not have, in predictions, labels or probabilities.
    let mut w = binary(50, 2, 0.0);
    w.predictions = Some(Target::Labels(vec!["maybe".into(); 50]));
    let e = cbpe_error(m.check(&w).unwrap_err());
    assert!(
        matches!(
            e,
            CbpeError::UnseenClass {
                what: "predictions",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("'maybe'"), "{e}");
    let mut w = binary(50, 2, 0.0);
    if let Some(Target::Labels(l)) = w.labels.as_mut() {
        l[3] = "maybe".into();
    }
    assert!(matches!(
        cbpe_error(m.check(&w).unwrap_err()),
        CbpeError::UnseenClass { what: "labels", .. }
    ));
    let mut w = binary(50, 2, 0.0);
    if let Some(p) = w.probabilities.as_mut() {
        p.classes[0] = "maybe".into();
    }
    assert!(matches!(
        cbpe_error(m.check(&w).unwrap_err()),
        CbpeError::UnseenClass {
            what: "probabilities",
            ..
        }
    ));
    // Row counts that disagree.
    let mut w = binary(50, 2, 0.0);
    w.predictions = Some(Target::Labels(vec!["yes".into(); 49]));
    assert!(matches!(
        cbpe_error(m.check(&w).unwrap_err()),
        CbpeError::Shape { .. }
    ));
}

#[test]
fn the_engine_runs_it_with_and_without_labels() {
    let mut engine = driftwatch_monitor::Engine::new(vec![Box::new(
        Cbpe::new(CbpeConfig {
            chunk_rows: Some(500),
            ..CbpeConfig::default()
        })
        .unwrap(),
    )]);
    engine.fit(&binary(5000, 1, 0.0)).unwrap();
    let mut delayed = binary(500, 8, 0.0);
    delayed.labelled = Some((0..500).map(|i| i < 100).collect());
    let reports = engine
        .run(&[
            binary(500, 7, 0.0),
            unlabelled(binary(500, 9, 0.8)),
            delayed,
        ])
        .unwrap();
    assert_eq!(reports.len(), 3);
    let method = |r: &driftwatch_monitor::WindowReport, m: &str| {
        r.findings.iter().find(|f| f.method == m).cloned()
    };
    // Labelled: estimates and realized values; no error finding.
    assert!(
        reports[0]
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::Error),
        "{:?}",
        reports[0].findings
    );
    assert!(method(&reports[0], "estimated_roc_auc").is_some());
    assert!(method(&reports[0], "realized_roc_auc").is_some());
    // Unlabelled and less confident: estimates only, the accuracy estimate alerts.
    assert!(method(&reports[1], "realized_accuracy").is_none());
    assert_eq!(
        method(&reports[1], "estimated_accuracy").unwrap().status,
        Status::Alert
    );
    // Delayed labels: the estimate comes from every row.
    let est = method(&reports[2], "estimated_accuracy").unwrap();
    let direct = fitted_like_engine()
        .check(&unlabelled(binary(500, 8, 0.0)))
        .unwrap();
    assert_eq!(est.statistic, find(&direct, "estimated_accuracy").statistic);
}

fn fitted_like_engine() -> Cbpe {
    fitted(CbpeConfig {
        chunk_rows: Some(500),
        ..CbpeConfig::default()
    })
}
