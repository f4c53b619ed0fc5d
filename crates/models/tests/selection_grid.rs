//! Grid search over pipeline parameter paths.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::sync::atomic::{AtomicUsize, Ordering};

use driftwatch_core::params::unknown_param;
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{
    Column, Error, Estimator, Frame, ParamValue, Params, Pipeline, Result, Target,
};
use driftwatch_models::linear::{LinearRegression, LogisticRegression};
use driftwatch_models::selection::{
    Cv, GridSearch, GridSearchResult, KFold, ParamGrid, Scoring, StratifiedKFold, cross_val_score,
};
use serde::{Deserialize, Serialize};

/// Fit counters, one per test that counts, indexed by `ThresholdClassifier::counter`.
static FITS: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];

/// Predicts "hi" when the first feature exceeds `threshold`; fitting learns nothing.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ThresholdClassifier {
    threshold: f64,
    counter: usize,
}

impl Params for ThresholdClassifier {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![("threshold".into(), self.threshold.into())]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "threshold" => self.threshold = value.as_f64(name)?,
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Estimator for ThresholdClassifier {
    fn type_name(&self) -> &'static str {
        "ThresholdClassifier"
    }
    fn is_classifier(&self) -> bool {
        true
    }
    fn fit(&mut self, _x: &Frame, y: &Target) -> Result<()> {
        FITS[self.counter].fetch_add(1, Ordering::SeqCst);
        y.labels()?;
        if self.threshold < 0.0 {
            return Err(Error::model("ThresholdClassifier", "negative threshold"));
        }
        Ok(())
    }
    fn predict(&self, x: &Frame) -> Result<Target> {
        let m = x.to_matrix("ThresholdClassifier")?;
        Ok(Target::Labels(
            m.column(0)
                .iter()
                .map(|v| if *v > self.threshold { "hi" } else { "lo" }.to_string())
                .collect(),
        ))
    }
}

fn threshold_pipeline(counter: usize) -> Pipeline {
    Pipeline::new().with_model(
        "model",
        Box::new(ThresholdClassifier {
            threshold: 0.0,
            counter,
        }),
    )
}

/// x in [0, 1); "hi" above 0.5.
fn threshold_data() -> (Frame, Target) {
    let x: Vec<f64> = (0..40).map(|i| i as f64 / 40.0 + 0.01).collect();
    let y = x
        .iter()
        .map(|v| if *v > 0.5 { "hi" } else { "lo" }.to_string())
        .collect();
    (
        Frame::new(vec![("x".into(), Column::Numeric(x.into()))]).unwrap(),
        Target::Labels(y),
    )
}

#[test]
fn picks_the_right_threshold_and_refits() {
    let (x, y) = threshold_data();
    let grid = ParamGrid::parse(&["model__threshold=0.2,0.5,0.8"]).unwrap();
    let result = GridSearch::new(grid)
        .fit(&threshold_pipeline(0), &x, &y)
        .unwrap();
    assert_eq!(result.rows.len(), 3);
    assert_eq!(result.best_index, 1);
    assert_eq!(
        result.best_params(),
        [("model__threshold".to_string(), ParamValue::Float(0.5))]
    );
    assert_eq!(result.best_score(), 1.0);
    assert_eq!(result.scoring, "accuracy");
    assert_eq!(result.n_splits, 5);
    let ranks: Vec<usize> = result.rows.iter().map(|r| r.rank).collect();
    assert_eq!(ranks[1], 1);
    assert!(ranks[0] > 1 && ranks[2] > 1);
    for row in &result.rows {
        assert_eq!(row.fold_scores.len(), 5);
        let m = row.fold_scores.iter().sum::<f64>() / 5.0;
        assert!((row.mean_score - m).abs() < 1e-12);
        let var = row.fold_scores.iter().map(|s| (s - m).powi(2)).sum::<f64>() / 5.0;
        assert!((row.std_score - var.sqrt()).abs() < 1e-12);
    }
    // 3 candidates x 5 folds, then one refit on all the data.
    assert_eq!(FITS[0].load(Ordering::SeqCst), 16);
    assert!(
        result
            .best_pipeline
            .get_params()
            .contains(&("model__threshold".into(), ParamValue::Float(0.5)))
    );
    assert_eq!(result.best_pipeline.predict(&x).unwrap(), y);
}

#[test]
fn unknown_path_fails_before_any_fit_and_lists_valid_paths() {
    let (x, y) = threshold_data();
    let grid = ParamGrid::parse(&["model__threshold=0.5", "model__max_depth=3,5"]).unwrap();
    let err = GridSearch::new(grid)
        .fit(&threshold_pipeline(1), &x, &y)
        .unwrap_err();
    assert!(matches!(err, Error::UnknownParam { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("model__max_depth"), "{msg}");
    assert!(msg.contains("model__threshold"), "{msg}");
    assert_eq!(FITS[1].load(Ordering::SeqCst), 0);

    // The same for a bad value and for a step that does not exist.
    for spec in ["model__threshold=0.5,abc", "scaler__with_mean=true"] {
        let grid = ParamGrid::parse(&[spec]).unwrap();
        assert!(
            GridSearch::new(grid)
                .fit(&threshold_pipeline(1), &x, &y)
                .is_err()
        );
    }
    assert_eq!(FITS[1].load(Ordering::SeqCst), 0);
}

#[test]
fn a_failing_candidate_names_itself_and_the_fold() {
    let (x, y) = threshold_data();
    let grid = ParamGrid::parse(&["model__threshold=0.5,-1"]).unwrap();
    let err = GridSearch::new(grid)
        .fit(&threshold_pipeline(2), &x, &y)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("candidate 2 (model__threshold=-1), fold 1 of 5"),
        "{err}"
    );
    assert!(err.contains("negative threshold"), "{err}");
}

/// Imbalanced, separable: a strong penalty (tiny C) flattens the weights so the model
/// predicts the majority class; a weak one separates the classes.
fn logistic_data() -> (Frame, Target) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut y = Vec::new();
    for i in 0..60 {
        let t = i as f64 / 60.0;
        a.push(t * 10.0);
        b.push(((i * 7) % 5) as f64);
        y.push(if t > 0.65 { "pos" } else { "neg" }.to_string());
    }
    (
        Frame::new(vec![
            ("a".into(), Column::Numeric(a.into())),
            ("b".into(), Column::Numeric(b.into())),
        ])
        .unwrap(),
        Target::Labels(y),
    )
}

fn logistic_pipeline() -> Pipeline {
    Pipeline::new()
        .step("scaler", Box::new(StandardScaler::default()))
        .with_model("model", Box::new(LogisticRegression::default()))
}

#[test]
fn logistic_regression_grid_prefers_weak_regularisation() {
    let (x, y) = logistic_data();
    let grid =
        ParamGrid::parse(&["model__C=0.000001,100", "scaler__with_mean=true,false"]).unwrap();
    let result = GridSearch::new(grid)
        .with_cv(Cv::Stratified(StratifiedKFold::shuffled(4, 7)))
        .fit(&logistic_pipeline(), &x, &y)
        .unwrap();
    assert_eq!(result.rows.len(), 4);
    assert_eq!(result.n_splits, 4);
    let best = result.best();
    assert_eq!(best.params[0], ("model__C".into(), ParamValue::Int(100)));
    assert!(best.mean_score > 0.95, "{result}");
    for row in &result.rows {
        if row.params[0].1 == ParamValue::Float(0.000001) {
            assert!(row.mean_score < 0.8, "{result}");
        }
    }
    // Rows stay in grid order; the last path varies fastest.
    assert_eq!(result.rows[1].params[1].1, ParamValue::Bool(false));
}

#[test]
fn parallel_and_sequential_agree() {
    let (x, y) = logistic_data();
    let grid = ParamGrid::parse(&["model__C=0.01,1,100"]).unwrap();
    let search = GridSearch::new(grid).with_cv(Cv::KFold(KFold::shuffled(3, 1)));
    let a = search.clone().fit(&logistic_pipeline(), &x, &y).unwrap();
    let b = search
        .with_parallel(false)
        .fit(&logistic_pipeline(), &x, &y)
        .unwrap();
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.best_index, b.best_index);
}

fn line_data() -> (Frame, Target) {
    let x: Vec<f64> = (0..30).map(|i| i as f64 / 3.0).collect();
    let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    (
        Frame::new(vec![("x".into(), Column::Numeric(x.into()))]).unwrap(),
        Target::Values(y),
    )
}

#[test]
fn regression_uses_r2_and_ties_share_rank_one() {
    let (x, y) = line_data();
    let p = Pipeline::new().with_model("model", Box::new(LinearRegression::default()));
    let result = GridSearch::new(ParamGrid::parse(&["model__solver=svd,qr"]).unwrap())
        .fit(&p, &x, &y)
        .unwrap();
    assert_eq!(result.scoring, "r2");
    for row in &result.rows {
        assert!((row.mean_score - 1.0).abs() < 1e-9, "{result}");
    }
    // Equal means up to rounding; the first of the best is chosen.
    assert_eq!(result.rows[result.best_index].rank, 1);
    assert!(result.best_index <= 1);
}

fn neg_max_error(t: &Target, p: &Target) -> Result<f64> {
    let worst = t
        .values()?
        .iter()
        .zip(p.values()?)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    Ok(-worst)
}

#[test]
fn custom_scoring_and_cross_val_score() {
    let (x, y) = line_data();
    let p = Pipeline::new().with_model("model", Box::new(LinearRegression::default()));
    let result = GridSearch::new(ParamGrid::new())
        .with_scoring(Scoring::Custom(neg_max_error))
        .with_cv(Cv::Auto(3))
        .fit(&p, &x, &y)
        .unwrap();
    assert_eq!(result.scoring, "custom");
    assert_eq!(result.rows.len(), 1);
    assert!(result.rows[0].params.is_empty());
    assert!(result.best_score() > -1e-9 && result.best_score() <= 0.0);

    let scores = cross_val_score(&p, &x, &y, &Cv::default(), None).unwrap();
    assert_eq!(scores.len(), 5);
    assert!(scores.iter().all(|s| (s - 1.0).abs() < 1e-9));
    // The pipeline given is not changed.
    assert!(p.predict(&x).is_err());
}

#[test]
fn bad_inputs_are_errors() {
    let (x, y) = line_data();
    let p = Pipeline::new().with_model("model", Box::new(LinearRegression::default()));
    let search = GridSearch::new(ParamGrid::new());
    // Stratified folds on a numeric target.
    assert!(
        search
            .clone()
            .with_cv(Cv::Stratified(StratifiedKFold::new(3)))
            .fit(&p, &x, &y)
            .is_err()
    );
    // Too many folds.
    assert!(
        search
            .clone()
            .with_cv(Cv::Auto(31))
            .fit(&p, &x, &y)
            .is_err()
    );
    // Rows and target disagree.
    assert!(search.fit(&p, &x, &Target::Values(vec![1.0; 3])).is_err());
    // Accuracy on a numeric target.
    let err = GridSearch::new(ParamGrid::new())
        .with_scoring(Scoring::Accuracy)
        .fit(&p, &x, &y)
        .unwrap_err()
        .to_string();
    assert!(err.contains("accuracy needs class labels"), "{err}");
    // No model.
    assert!(
        GridSearch::new(ParamGrid::new())
            .fit(&Pipeline::new(), &x, &y)
            .is_err()
    );
}

#[test]
fn table_displays_and_round_trips() {
    let (x, y) = threshold_data();
    let grid = ParamGrid::parse(&["model__threshold=0.2,0.5,0.8"]).unwrap();
    let result = GridSearch::new(grid)
        .fit(&threshold_pipeline(3), &x, &y)
        .unwrap();
    let table = result.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[0].contains("rank") && lines[0].contains("mean_accuracy"),
        "{table}"
    );
    assert!(lines[1].contains("model__threshold=0.5"), "{table}");
    assert!(lines[1].trim_start().starts_with('1'), "{table}");

    let json = serde_json::to_string(&result).unwrap();
    let back: GridSearchResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.rows, result.rows);
    assert_eq!(back.best_index, result.best_index);
    assert_eq!(back.best_pipeline.predict(&x).unwrap(), y);
}
