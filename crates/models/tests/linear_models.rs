//! LogisticRegression and LinearRegression through the Estimator trait.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{Column, Estimator, Frame, ParamValue, Params, Pipeline, Target};
use driftwatch_models::linear::{LinearRegression, LogisticRegression, Penalty};

fn frame(cols: &[(&str, Vec<f64>)]) -> Frame {
    Frame::new(
        cols.iter()
            .map(|(n, v)| (n.to_string(), Column::Numeric(v.clone().into())))
            .collect(),
    )
    .unwrap()
}

fn labels(v: &[&str]) -> Target {
    Target::Labels(v.iter().map(|s| s.to_string()).collect())
}

/// Two features; class "yes" when x1 + x2 > 1, with a margin of at least 0.2.
fn separable() -> (Frame, Target) {
    let mut x1 = Vec::new();
    let mut x2 = Vec::new();
    let mut y = Vec::new();
    for i in 0..40 {
        let a = (i % 8) as f64 / 8.0;
        let b = (i / 8) as f64 / 5.0;
        let s = a + b;
        if (s - 1.0).abs() < 0.2 {
            continue;
        }
        x1.push(a);
        x2.push(b);
        y.push(if s > 1.0 { "yes" } else { "no" });
    }
    (frame(&[("x1", x1), ("x2", x2)]), labels(&y))
}

fn accuracy(t: &Target, p: &Target) -> f64 {
    let (t, p) = (t.labels().unwrap(), p.labels().unwrap());
    t.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / t.len() as f64
}

#[test]
fn logistic_regression_separates_separable_data() {
    let (x, y) = separable();
    let mut m = LogisticRegression::new(100.0);
    m.fit(&x, &y).unwrap();
    let pred = m.predict(&x).unwrap();
    assert_eq!(accuracy(&y, &pred), 1.0);
    assert_eq!(m.classes().unwrap(), ["no", "yes"]);
    assert_eq!(m.coef().unwrap().len(), 1);
    // Both weights push towards "yes".
    assert!(m.coef().unwrap()[0].iter().all(|w| *w > 0.0));

    let proba = m.predict_proba(&x).unwrap().unwrap();
    assert_eq!(proba.classes, ["no", "yes"]);
    assert_eq!(proba.values.dim(), (x.n_rows(), 2));
    for (row, label) in proba.values.rows().into_iter().zip(pred.labels().unwrap()) {
        assert!((row.sum() - 1.0).abs() < 1e-12);
        let argmax = if row[1] > row[0] { "yes" } else { "no" };
        assert_eq!(argmax, label);
    }
}

/// At the optimum of `sum(log loss) + ||w||² / (2C)` (scikit-learn's objective) the
/// gradient vanishes: `X'(p - y) + w / C = 0` and, the intercept being unpenalised,
/// `sum(p - y) = 0`.
#[test]
fn logistic_regression_minimises_the_scikit_learn_objective() {
    let x1: Vec<f64> = (0..30).map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0).collect();
    let x2: Vec<f64> = (0..30).map(|i| ((i * 5) % 13) as f64 / 6.0 - 1.0).collect();
    // Overlapping classes so the optimum is finite even without a penalty.
    let y: Vec<&str> = (0..30)
        .map(|i| {
            if (x1[i] + 0.5 * x2[i] + if i % 4 == 0 { 1.0 } else { 0.0 }) > 0.3 {
                "b"
            } else {
                "a"
            }
        })
        .collect();
    let x = frame(&[("x1", x1.clone()), ("x2", x2.clone())]);
    let y = labels(&y);
    for (c, penalty) in [(1.0, Penalty::L2), (0.1, Penalty::L2), (1.0, Penalty::None)] {
        let mut m = LogisticRegression {
            c,
            penalty,
            fitted: None,
        };
        m.fit(&x, &y).unwrap();
        let w = &m.coef().unwrap()[0];
        let p = m.predict_proba(&x).unwrap().unwrap().values;
        let resid: Vec<f64> = (0..30)
            .map(|i| {
                p[[i, 1]]
                    - if y.labels().unwrap()[i] == "b" {
                        1.0
                    } else {
                        0.0
                    }
            })
            .collect();
        let inv_c = if penalty == Penalty::L2 { 1.0 / c } else { 0.0 };
        let g1: f64 = resid.iter().zip(&x1).map(|(r, v)| r * v).sum::<f64>() + w[0] * inv_c;
        let g2: f64 = resid.iter().zip(&x2).map(|(r, v)| r * v).sum::<f64>() + w[1] * inv_c;
        let g0: f64 = resid.iter().sum();
        for g in [g0, g1, g2] {
            assert!(g.abs() < 1e-3, "C={c} {penalty:?}: gradient {g0} {g1} {g2}");
        }
    }
}

#[test]
fn multinomial_logistic_regression() {
    // Three blobs along a line and across it.
    let centres = [(0.0, 0.0, "a"), (4.0, 0.0, "b"), (2.0, 4.0, "c")];
    let offsets = [
        (-0.5, -0.3),
        (0.4, 0.2),
        (0.1, -0.5),
        (-0.2, 0.5),
        (0.3, 0.3),
    ];
    let (mut x1, mut x2, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for (cx, cy, label) in centres {
        for (dx, dy) in offsets {
            x1.push(cx + dx);
            x2.push(cy + dy);
            y.push(label);
        }
    }
    let x = frame(&[("x1", x1), ("x2", x2)]);
    let y = labels(&y);
    let mut m = LogisticRegression::default();
    m.fit(&x, &y).unwrap();
    assert_eq!(accuracy(&y, &m.predict(&x).unwrap()), 1.0);
    assert_eq!(m.coef().unwrap().len(), 3);
    let proba = m.predict_proba(&x).unwrap().unwrap();
    assert_eq!(proba.classes, ["a", "b", "c"]);
    for row in proba.values.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn numeric_labels_come_back_as_given() {
    let x = frame(&[("x", vec![0.0, 0.1, 0.2, 0.8, 0.9, 1.0])]);
    let y = labels(&["10", "10", "10", "2", "2", "2"]);
    let mut m = LogisticRegression::new(1000.0);
    m.fit(&x, &y).unwrap();
    assert_eq!(m.classes().unwrap(), ["2", "10"]);
    assert_eq!(m.predict(&x).unwrap(), y);
}

#[test]
fn linear_regression_recovers_the_line() {
    let xs: Vec<f64> = (0..20).map(|i| i as f64 * 0.5 - 3.0).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 2.0 * x + 1.0).collect();
    let x = frame(&[("x", xs)]);
    let y = Target::Values(ys.clone());
    for solver in ["svd", "qr"] {
        let mut m = LinearRegression::default();
        m.set_param("solver", &solver.into()).unwrap();
        m.fit(&x, &y).unwrap();
        assert!((m.coef().unwrap()[0] - 2.0).abs() < 1e-6, "{solver}");
        assert!((m.intercept().unwrap() - 1.0).abs() < 1e-6, "{solver}");
        let pred = m.predict(&x).unwrap();
        for (p, t) in pred.values().unwrap().iter().zip(&ys) {
            assert!((p - t).abs() < 1e-6);
        }
    }
}

#[test]
fn linear_regression_two_features() {
    let a: Vec<f64> = (0..15).map(|i| (i as f64).sin()).collect();
    let b: Vec<f64> = (0..15).map(|i| (i as f64 * 0.7).cos()).collect();
    let y: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(a, b)| 3.0 * a - 0.5 * b + 4.0)
        .collect();
    let mut m = LinearRegression::default();
    m.fit(&frame(&[("a", a), ("b", b)]), &Target::Values(y))
        .unwrap();
    let c = m.coef().unwrap();
    assert!(
        (c[0] - 3.0).abs() < 1e-6 && (c[1] + 0.5).abs() < 1e-6,
        "{c:?}"
    );
    assert!((m.intercept().unwrap() - 4.0).abs() < 1e-6);
}

#[test]
fn nan_in_features_names_the_column() {
    let x = frame(&[
        ("ok", vec![1.0, 2.0, 3.0]),
        ("age", vec![1.0, f64::NAN, 3.0]),
    ]);
    let err = LogisticRegression::default()
        .fit(&x, &labels(&["a", "b", "a"]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'age'") && err.contains("row 2"), "{err}");
    assert!(err.contains("impute"), "{err}");
    let err = LinearRegression::default()
        .fit(&x, &Target::Values(vec![1.0, 2.0, 3.0]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'age'") && err.contains("impute"), "{err}");
}

#[test]
fn nan_at_predict_is_an_error() {
    let (x, y) = separable();
    let mut m = LogisticRegression::default();
    m.fit(&x, &y).unwrap();
    let bad = frame(&[("x1", vec![f64::NAN]), ("x2", vec![0.0])]);
    let err = m.predict(&bad).unwrap_err().to_string();
    assert!(err.contains("'x1'"), "{err}");
}

#[test]
fn empty_and_single_class_inputs_are_errors() {
    let empty = frame(&[("x", vec![])]);
    assert!(
        LogisticRegression::default()
            .fit(&empty, &labels(&[]))
            .is_err()
    );
    assert!(
        LinearRegression::default()
            .fit(&empty, &Target::Values(vec![]))
            .is_err()
    );
    assert!(
        LinearRegression::default()
            .fit(&Frame::default(), &Target::Values(vec![]))
            .is_err()
    );
    let x = frame(&[("x", vec![1.0, 2.0, 3.0])]);
    let err = LogisticRegression::default()
        .fit(&x, &labels(&["only", "only", "only"]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("one class") && err.contains("'only'"), "{err}");
}

#[test]
fn wrong_target_kind_and_shape_are_errors() {
    let x = frame(&[("x", vec![1.0, 2.0, 3.0])]);
    let err = LogisticRegression::default()
        .fit(&x, &Target::Values(vec![1.0, 2.0, 3.0]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("class labels"), "{err}");
    assert!(
        LinearRegression::default()
            .fit(&x, &labels(&["a", "b", "c"]))
            .is_err()
    );
    assert!(
        LinearRegression::default()
            .fit(&x, &Target::Values(vec![1.0]))
            .is_err()
    );
    assert!(
        LinearRegression::default()
            .fit(&x, &Target::Values(vec![1.0, f64::NAN, 2.0]))
            .is_err()
    );
}

#[test]
fn not_fitted_is_an_error() {
    let x = frame(&[("x", vec![1.0])]);
    assert!(LogisticRegression::default().predict(&x).is_err());
    assert!(LogisticRegression::default().predict_proba(&x).is_err());
    assert!(LinearRegression::default().predict(&x).is_err());
}

#[test]
fn awkward_linear_systems_do_not_panic() {
    // More features than rows.
    let x = frame(&[
        ("a", vec![1.0, 2.0]),
        ("b", vec![0.0, 1.0]),
        ("c", vec![3.0, 1.0]),
    ]);
    let err = LinearRegression::default()
        .fit(&x, &Target::Values(vec![1.0, 2.0]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("too few"), "{err}");
    // Duplicate and constant columns: either a fit or an error, never a panic.
    let x = frame(&[
        ("a", vec![1.0, 2.0, 3.0, 4.0]),
        ("a2", vec![1.0, 2.0, 3.0, 4.0]),
        ("k", vec![5.0; 4]),
    ]);
    for solver in ["svd", "qr"] {
        let mut m = LinearRegression::default();
        m.set_param("solver", &solver.into()).unwrap();
        let _ = m.fit(&x, &Target::Values(vec![1.0, 2.0, 3.0, 4.0]));
    }
    let mut m = LogisticRegression::default();
    let _ = m.fit(&x, &labels(&["a", "a", "b", "b"]));
}

#[test]
fn serde_round_trip_through_typetag() {
    let (x, y) = separable();
    let mut m = LogisticRegression::new(10.0);
    m.fit(&x, &y).unwrap();
    let boxed: Box<dyn Estimator> = Box::new(m.clone());
    let json = serde_json::to_string(&boxed).unwrap();
    assert!(json.contains("\"type\":\"LogisticRegression\""), "{json}");
    assert!(json.contains("\"C\":10"), "{json}");
    let back: Box<dyn Estimator> = serde_json::from_str(&json).unwrap();
    back.validate().unwrap();
    assert_eq!(back.predict(&x).unwrap(), m.predict(&x).unwrap());
    assert_eq!(
        back.predict_proba(&x).unwrap(),
        m.predict_proba(&x).unwrap()
    );

    let mut l = LinearRegression::default();
    let xs = frame(&[("x", vec![0.0, 1.0, 2.0])]);
    l.fit(&xs, &Target::Values(vec![1.0, 3.0, 5.0])).unwrap();
    let boxed: Box<dyn Estimator> = Box::new(l.clone());
    let back: Box<dyn Estimator> =
        serde_json::from_str(&serde_json::to_string(&boxed).unwrap()).unwrap();
    assert_eq!(back.type_name(), "LinearRegression");
    assert_eq!(back.predict(&xs).unwrap(), l.predict(&xs).unwrap());
}

#[test]
fn validate_rejects_tampered_state() {
    let (x, y) = separable();
    let mut m = LogisticRegression::default();
    m.fit(&x, &y).unwrap();
    m.validate().unwrap();
    let mut bad = m.clone();
    bad.fitted.as_mut().unwrap().coef[0].push(1.0);
    assert!(bad.validate().is_err());
    let mut bad = m.clone();
    bad.fitted.as_mut().unwrap().intercept[0] = f64::NAN;
    assert!(bad.validate().is_err());
    let mut bad = m;
    bad.c = -1.0;
    assert!(bad.validate().is_err());
}

#[test]
fn parameters_by_pipeline_path() {
    let mut p = Pipeline::new()
        .step("scaler", Box::new(StandardScaler::default()))
        .with_model("model", Box::new(LogisticRegression::default()));
    p.set_param("model__C", &ParamValue::Float(0.25)).unwrap();
    p.set_param("model__penalty", &ParamValue::parse("none"))
        .unwrap();
    let params = p.get_params();
    assert!(params.contains(&("model__C".into(), ParamValue::Float(0.25))));
    assert!(params.contains(&("model__penalty".into(), ParamValue::Str("none".into()))));
    let err = p
        .set_param("model__solver", &"newton-cg".into())
        .unwrap_err()
        .to_string();
    assert!(err.contains("lbfgs"), "{err}");

    let (x, y) = separable();
    p.fit(&x, &y).unwrap();
    let c = p.try_clone().unwrap();
    assert_eq!(c.predict(&x).unwrap(), p.predict(&x).unwrap());
    let m = LogisticRegression {
        penalty: Penalty::None,
        ..Default::default()
    };
    assert_eq!(m.get_params()[1].1, ParamValue::Str("none".into()));
}
