//! Behaviour of the forest API: errors, regression, limits, extra trees.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_models::Error;
use driftwatch_models::forest::{
    Criterion, DecisionTreeParams, DecisionTreeRegressor, ForestParams, MaxFeatures, MaxSamples,
    RandomForestClassifier, RandomForestRegressor,
};
use ndarray::{Array2, array};

/// Deterministic pseudo-random matrix in [0, 1).
fn noise(n: usize, nf: usize, seed: u64) -> Array2<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array2::from_shape_fn((n, nf), |_| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    })
}

fn xor_problem(n: usize) -> (Array2<f64>, Vec<usize>) {
    let x = noise(n, 4, 1);
    let y = x
        .rows()
        .into_iter()
        .map(|r| usize::from((r[0] > 0.5) ^ (r[1] > 0.5)))
        .collect();
    (x, y)
}

#[test]
fn learns_xor_and_reports_oob() {
    let (x, y) = xor_problem(600);
    let (xt, yt) = (x.slice_axis(ndarray::Axis(0), (400..).into()), &y[400..]);
    let xtr = x.slice_axis(ndarray::Axis(0), (..400).into());
    let p = ForestParams::classifier()
        .with_n_estimators(30)
        .with_seed(3)
        .with_max_features(MaxFeatures::All)
        .with_oob_score(true);
    let m = RandomForestClassifier::fit(&p, xtr, &y[..400], 2).unwrap();
    let pred = m.predict(xt).unwrap();
    let acc = pred.iter().zip(yt).filter(|(a, b)| a == b).count() as f64 / yt.len() as f64;
    assert!(acc > 0.9, "{acc}");
    let oob = m.oob_score().unwrap();
    assert!(oob > 0.85, "{oob}");
    let imp = m.feature_importances();
    assert!(imp[0] + imp[1] > 0.7, "{imp:?}");
    assert!(m.n_nodes() > 30);
    assert!(m.memory_bytes() > 0);
}

#[test]
fn regression_forest_and_tree_fit_a_step_function() {
    let x = noise(500, 3, 2);
    let y: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| if r[0] < 0.3 { 1.0 } else if r[0] < 0.7 { 5.0 } else { -2.0 } + 0.1 * r[2])
        .collect();
    for p in [
        ForestParams::regressor()
            .with_n_estimators(20)
            .with_oob_score(true),
        ForestParams::extra_trees_regressor().with_n_estimators(20),
    ] {
        let m = RandomForestRegressor::fit(&p, x.view(), &y).unwrap();
        m.validate(3).unwrap();
        let pred = m.predict(x.view()).unwrap();
        let mse = pred
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / y.len() as f64;
        assert!(mse < 0.05, "{p:?}: mse {mse}");
        assert_eq!(m.predict_row(&[0.1, 0.5, 0.5]).unwrap().round(), 1.0);
        if p.oob_score {
            assert!(m.oob_score().unwrap() > 0.95);
        }
        let imp = m.feature_importances();
        assert!(imp[0] > 0.9, "{imp:?}");
    }
    let t = DecisionTreeRegressor::fit(&DecisionTreeParams::regressor(), x.view(), &y).unwrap();
    // a fully grown tree interpolates the training points (up to rows that
    // share all their bins)
    let pred = t.predict(x.view()).unwrap();
    let mse = pred
        .iter()
        .zip(&y)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / y.len() as f64;
    assert!(mse < 1e-4, "{mse}");
}

#[test]
fn max_depth_and_single_leaf_forests() {
    let (x, y) = xor_problem(200);
    let p = ForestParams::classifier()
        .with_n_estimators(5)
        .with_max_depth(Some(2));
    let m = RandomForestClassifier::fit(&p, x.view(), &y, 2).unwrap();
    assert!(m.trees().iter().all(|t| t.depth() <= 2 && t.n_nodes() <= 7));

    // constant target: every tree is a single leaf, importances are all zero
    let m = RandomForestClassifier::fit(
        &ForestParams::classifier().with_n_estimators(4),
        x.view(),
        &vec![1; 200],
        3,
    )
    .unwrap();
    assert_eq!(m.n_nodes(), 4);
    assert_eq!(m.feature_importances(), vec![0.0; 4]);
    assert_eq!(
        m.predict_proba(x.view()).unwrap().row(0).to_vec(),
        vec![0.0, 1.0, 0.0]
    );
}

#[test]
fn min_samples_leaf_and_max_samples_are_accepted() {
    let (x, y) = xor_problem(300);
    let p = ForestParams {
        min_samples_leaf: 5,
        min_samples_split: 12,
        max_samples: Some(MaxSamples::Fraction(0.5)),
        criterion: Criterion::Entropy,
        ..ForestParams::classifier().with_n_estimators(10)
    };
    let m = RandomForestClassifier::fit(&p, x.view(), &y, 2).unwrap();
    // at most 300 / 5 leaves per tree
    assert!(m.trees().iter().all(|t| t.n_leaves() <= 60));
    m.validate(4).unwrap();
}

#[test]
fn non_finite_values_are_errors_naming_the_feature() {
    let mut x = noise(20, 3, 4);
    let y = vec![0usize; 20];
    x[[7, 2]] = f64::NAN;
    let err =
        RandomForestClassifier::fit(&ForestParams::classifier(), x.view(), &y, 2).unwrap_err();
    assert_eq!(
        std::mem::discriminant(&err),
        std::mem::discriminant(&Error::NonFinite {
            feature: 0,
            row: 0,
            value: 0.0
        })
    );
    assert!(err.to_string().contains("feature 2"), "{err}");
    assert!(matches!(
        err,
        Error::NonFinite {
            feature: 2,
            row: 7,
            ..
        }
    ));

    x[[7, 2]] = 0.5;
    let m = RandomForestClassifier::fit(
        &ForestParams::classifier().with_n_estimators(3),
        x.view(),
        &y,
        2,
    )
    .unwrap();
    let mut xt = noise(300, 3, 5);
    xt[[250, 1]] = f64::INFINITY;
    assert!(matches!(
        m.predict(xt.view()),
        Err(Error::NonFinite {
            feature: 1,
            row: 250,
            ..
        })
    ));
    assert!(matches!(
        m.predict_row(&[0.1, f64::NAN, 0.2]),
        Err(Error::NonFinite { feature: 1, .. })
    ));
    assert!(matches!(
        m.predict_row(&[0.1, 0.2]),
        Err(Error::FeatureCountMismatch {
            expected: 3,
            got: 2
        })
    ));
    assert!(matches!(
        m.predict(noise(4, 5, 1).view()),
        Err(Error::FeatureCountMismatch {
            expected: 3,
            got: 5
        })
    ));
    assert!(matches!(
        m.validate(4),
        Err(Error::FeatureCountMismatch { .. })
    ));
    let yr = vec![1.0, f64::NAN];
    assert!(matches!(
        RandomForestRegressor::fit(
            &ForestParams::regressor(),
            x.slice_axis(ndarray::Axis(0), (..2).into()),
            &yr
        ),
        Err(Error::NonFiniteTarget { row: 1, .. })
    ));
}

#[test]
fn invalid_inputs_and_params_are_errors() {
    let x = array![[1.0], [2.0], [3.0]];
    let c = ForestParams::classifier();
    let fit =
        |p: &ForestParams, y: &[usize], nc: usize| RandomForestClassifier::fit(p, x.view(), y, nc);
    assert!(matches!(
        fit(&c, &[0, 1, 2], 2),
        Err(Error::LabelOutOfRange {
            label: 2,
            row: 2,
            ..
        })
    ));
    assert!(matches!(fit(&c, &[0, 1], 2), Err(Error::Shape(_))));
    assert!(matches!(
        fit(&c, &[0, 1, 1], 0),
        Err(Error::InvalidParam {
            name: "n_classes",
            ..
        })
    ));
    let empty = Array2::<f64>::zeros((0, 2));
    assert!(matches!(
        RandomForestClassifier::fit(&c, empty.view(), &[], 2),
        Err(Error::EmptyInput(_))
    ));
    let bad = [
        (
            ForestParams {
                n_estimators: 0,
                ..c.clone()
            },
            "n_estimators",
        ),
        (
            ForestParams {
                min_samples_split: 1,
                ..c.clone()
            },
            "min_samples_split",
        ),
        (
            ForestParams {
                min_samples_leaf: 0,
                ..c.clone()
            },
            "min_samples_leaf",
        ),
        (
            ForestParams {
                max_depth: Some(0),
                ..c.clone()
            },
            "max_depth",
        ),
        (
            ForestParams {
                max_bins: 1,
                ..c.clone()
            },
            "max_bins",
        ),
        (
            ForestParams {
                max_bins: 256,
                ..c.clone()
            },
            "max_bins",
        ),
        (
            c.clone().with_max_features(MaxFeatures::Fraction(0.0)),
            "max_features",
        ),
        (
            c.clone().with_max_features(MaxFeatures::Fraction(f64::NAN)),
            "max_features",
        ),
        (
            c.clone().with_max_features(MaxFeatures::Count(0)),
            "max_features",
        ),
        (
            c.clone().with_max_features(MaxFeatures::Count(2)),
            "max_features",
        ),
        (
            ForestParams {
                max_samples: Some(MaxSamples::Fraction(1.5)),
                ..c.clone()
            },
            "max_samples",
        ),
        (
            ForestParams {
                max_samples: Some(MaxSamples::Count(4)),
                ..c.clone()
            },
            "max_samples",
        ),
        (
            ForestParams {
                max_samples: Some(MaxSamples::Count(1)),
                ..c.clone().with_bootstrap(false)
            },
            "max_samples",
        ),
        (
            c.clone().with_bootstrap(false).with_oob_score(true),
            "oob_score",
        ),
        (c.clone().with_n_jobs(Some(0)), "n_jobs"),
        (
            ForestParams {
                criterion: Criterion::SquaredError,
                ..c.clone()
            },
            "criterion",
        ),
    ];
    for (p, name) in bad {
        match fit(&p, &[0, 1, 1], 2) {
            Err(Error::InvalidParam { name: got, .. }) => assert_eq!(got, name, "{p:?}"),
            other => panic!("{p:?}: expected invalid {name}, got {other:?}"),
        }
    }
    assert!(matches!(
        RandomForestRegressor::fit(&ForestParams::classifier(), x.view(), &[1.0, 2.0, 3.0]),
        Err(Error::InvalidParam {
            name: "criterion",
            ..
        })
    ));
    assert!(ForestParams::regressor().check().is_ok());
    assert!(
        DecisionTreeParams {
            min_samples_split: 0,
            ..DecisionTreeParams::classifier()
        }
        .check()
        .is_err()
    );
}

#[test]
fn class_names_must_match_class_count() {
    let x = array![[1.0], [2.0], [3.0]];
    let m = RandomForestClassifier::fit(
        &ForestParams::classifier().with_n_estimators(2),
        x.view(),
        &[0, 1, 1],
        2,
    )
    .unwrap();
    assert!(m.clone().with_class_names(vec!["a".into()]).is_err());
    let m = m.with_class_names(vec!["a".into(), "b".into()]).unwrap();
    assert_eq!(m.class_names().unwrap(), ["a", "b"]);
}
