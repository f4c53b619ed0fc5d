//! Train, evaluate and monitor: the steps a user runs, as library calls.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use driftwatch_core::preprocessing::{
    HandleUnknown, ImputeStrategy, OneHotEncoder, SimpleImputer, StandardScaler,
};
use driftwatch_core::{
    ColumnTransformer, Estimator, Frame, ParamValue, Params, Pipeline, Remainder, Target,
};
use driftwatch_metrics::{ClassificationMetrics, RegressionMetrics};
use driftwatch_models::selection::{
    Cv, GridSearch, GridSearchResult, ParamGrid, TestSize, train_test_split,
};
use driftwatch_models::{RandomForestClassifier, RandomForestRegressor};

/// The default preprocessing for a frame: numeric columns imputed (median) and scaled,
/// categorical columns imputed (most frequent) and one-hot encoded (unknown -> zeros).
pub fn default_preprocessing(features: &Frame) -> ColumnTransformer {
    let mut ct = ColumnTransformer::new(Remainder::Drop);
    let numeric = features.numeric_names();
    let categorical = features.categorical_names();
    if !numeric.is_empty() {
        ct = ct.add(
            "num",
            Box::new(
                Pipeline::new()
                    .step(
                        "imputer",
                        Box::new(SimpleImputer::new(ImputeStrategy::Median)),
                    )
                    .step("scaler", Box::new(StandardScaler::default())),
            ),
            numeric,
        );
    }
    if !categorical.is_empty() {
        ct = ct.add(
            "cat",
            Box::new(
                Pipeline::new()
                    .step(
                        "imputer",
                        Box::new(SimpleImputer::new(ImputeStrategy::MostFrequent)),
                    )
                    .step(
                        "onehot",
                        Box::new(OneHotEncoder {
                            handle_unknown: HandleUnknown::Ignore,
                            fitted: None,
                        }),
                    ),
            ),
            categorical,
        );
    }
    ct
}

/// The default model: a random forest of 100 trees with the given seed.
pub fn default_model(classification: bool, seed: u64) -> Box<dyn Estimator> {
    if classification {
        Box::new(RandomForestClassifier::with_seed(seed))
    } else {
        Box::new(RandomForestRegressor::with_seed(seed))
    }
}

/// The default pipeline: [`default_preprocessing`] then [`default_model`].
pub fn default_pipeline(features: &Frame, classification: bool, seed: u64) -> Pipeline {
    Pipeline::new()
        .step("preprocess", Box::new(default_preprocessing(features)))
        .with_model("model", default_model(classification, seed))
}

/// Splits `data` into features and target.
pub fn split_target(data: &Frame, target: &str, classification: bool) -> Result<(Frame, Target)> {
    let mut features = data.clone();
    let column = features
        .remove(target)
        .with_context(|| format!("target column '{target}'"))?;
    let y = Target::from_column(target, &column, classification)?;
    if features.n_cols() == 0 {
        bail!("no feature columns left besides the target '{target}'");
    }
    Ok((features, y))
}

/// Metrics of predictions against truth: accuracy/precision/recall/f1 (weighted) for
/// labels, mse/rmse/mae/r2 for values.
pub fn score(y_true: &Target, y_pred: &Target) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    match (y_true, y_pred) {
        (Target::Labels(t), Target::Labels(p)) => {
            let m = ClassificationMetrics::weighted(t, p)?;
            out.insert("accuracy".into(), m.accuracy);
            out.insert("precision".into(), m.precision);
            out.insert("recall".into(), m.recall);
            out.insert("f1".into(), m.f1);
        }
        (Target::Values(t), Target::Values(p)) => {
            let m = RegressionMetrics::compute(t, p)?;
            out.insert("mse".into(), m.mse);
            out.insert("rmse".into(), m.rmse);
            out.insert("mae".into(), m.mae);
            out.insert("r2".into(), m.r2);
        }
        _ => bail!("predictions and truth are of different kinds (labels vs numbers)"),
    }
    Ok(out)
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainSettings {
    /// Held-out share.
    pub test_size: f64,
    /// Seed of the split (the model's seed is in its parameters).
    pub seed: u64,
    /// `path=v1,v2` grid specs.
    pub grid: Vec<String>,
    /// Folds of the grid search.
    pub cv: usize,
    /// `path=value` overrides applied before fitting.
    pub set: Vec<(String, ParamValue)>,
}

/// The result of [`train`].
#[derive(Debug)]
pub struct Trained {
    /// The fitted pipeline (refit on the train split).
    pub pipeline: Pipeline,
    /// Metrics on the held-out rows.
    pub test_metrics: BTreeMap<String, f64>,
    /// Rows used to fit.
    pub train_rows: Vec<usize>,
    /// Held-out rows.
    pub test_rows: Vec<usize>,
    /// The grid search table, when one ran.
    pub grid: Option<GridSearchResult>,
}

/// Splits, optionally grid-searches on the train rows, fits and scores on the test rows.
pub fn train(mut pipeline: Pipeline, x: &Frame, y: &Target, s: &TrainSettings) -> Result<Trained> {
    for (path, value) in &s.set {
        pipeline.set_param(path, value)?;
    }
    let stratify = match y {
        Target::Labels(l) => Some(l.as_slice()),
        Target::Values(_) => None,
    };
    let (train_rows, test_rows) = train_test_split(
        x.n_rows(),
        TestSize::Fraction(s.test_size),
        s.seed,
        stratify,
    )
    .or_else(|_| train_test_split(x.n_rows(), TestSize::Fraction(s.test_size), s.seed, None))
    .context("splitting the data into train and test rows")?;
    let (xt, yt) = (x.take_rows(&train_rows)?, y.take(&train_rows));
    let started = std::time::Instant::now();
    tracing::info!(
        train = train_rows.len(),
        test = test_rows.len(),
        features = x.n_cols(),
        candidates = s.grid.len(),
        "fitting pipeline"
    );
    let (grid, pipeline) = if s.grid.is_empty() {
        pipeline.fit(&xt, &yt)?;
        (None, pipeline)
    } else {
        let grid = ParamGrid::parse(&s.grid)?;
        let search = GridSearch::new(grid).with_cv(Cv::Auto(s.cv));
        let mut result = search.fit(&pipeline, &xt, &yt)?;
        // The table keeps an empty pipeline; the refitted best one is what we save.
        let best = std::mem::take(&mut result.best_pipeline);
        (Some(result), best)
    };
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "fitted");
    let test_metrics = if test_rows.is_empty() {
        BTreeMap::new()
    } else {
        let xs = x.take_rows(&test_rows)?;
        score(&y.take(&test_rows), &pipeline.predict(&xs)?)?
    };
    Ok(Trained {
        pipeline,
        test_metrics,
        train_rows,
        test_rows,
        grid,
    })
}

/// Parses `path=value` settings.
pub fn parse_settings(items: &[String]) -> Result<Vec<(String, ParamValue)>> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .with_context(|| format!("'{s}' is not of the form path=value"))?;
            Ok((k.trim().to_string(), ParamValue::parse(v)))
        })
        .collect()
}

/// The seed workflow's monitors: performance against `baseline` (flagged below `ratio`
/// of it), per-feature drift and prediction drift, with their default settings.
pub fn default_monitors(
    ratio: f64,
    baseline: &BTreeMap<String, f64>,
) -> driftwatch_monitor::EngineConfig {
    let monitor = |name: &str, config: serde_json::Value| driftwatch_monitor::MonitorConfig {
        name: name.into(),
        config,
    };
    driftwatch_monitor::EngineConfig {
        monitors: vec![
            monitor(
                "performance",
                serde_json::json!({ "ratio": ratio, "baseline": baseline }),
            ),
            monitor("feature_drift", serde_json::Value::Null),
            monitor("prediction_drift", serde_json::Value::Null),
        ],
        ..Default::default()
    }
}

/// Rows that passed validation, and what was wrong with the others.
#[derive(Debug)]
pub struct Validated {
    /// The valid rows, with the schema's column kinds.
    pub frame: Frame,
    /// Their 0-based indices in the input.
    pub kept: Vec<usize>,
    /// Every row-level violation (the rows that were skipped).
    pub violations: Vec<driftwatch_core::Violation>,
}

/// Checks `data` against `schema`: a problem with a whole column (missing, wrong kind)
/// is an error; rows that break a rule are left out and listed in `violations`.
pub fn validate_rows(
    schema: &driftwatch_core::Schema,
    data: &Frame,
    input: &str,
) -> Result<Validated> {
    let violations = schema.validate(data);
    let whole: Vec<String> = violations
        .iter()
        .filter(|v| v.row.is_none())
        .map(ToString::to_string)
        .collect();
    if !whole.is_empty() {
        bail!(
            "{input} does not match the model's input schema: {}",
            whole.join("; ")
        );
    }
    let bad = driftwatch_core::Schema::invalid_rows(&violations);
    let kept: Vec<usize> = (0..data.n_rows()).filter(|r| !bad.contains(r)).collect();
    let frame = schema.conform(&data.take_rows(&kept)?)?;
    Ok(Validated {
        frame,
        kept,
        violations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, Schema, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn default_pipeline_routes_numeric_and_categorical_columns() {
        let x = frame("a,b,c\n1,x,2\n2,y,3\n3,x,\n4,y,5\n");
        let ct = default_preprocessing(&x);
        let groups: Vec<(&str, Vec<String>)> = ct
            .transformers
            .iter()
            .map(|g| (g.name.as_str(), g.columns.clone()))
            .collect();
        assert_eq!(
            groups,
            [
                ("num", vec!["a".to_string(), "c".to_string()]),
                ("cat", vec!["b".to_string()])
            ]
        );
        let p = default_pipeline(&x, true, 7);
        assert!(
            p.get_params()
                .contains(&("model__seed".into(), ParamValue::Int(7)))
        );
    }

    #[test]
    fn score_gives_the_weighted_metrics_or_regression_metrics() {
        let l = |v: &[&str]| Target::Labels(v.iter().map(|s| s.to_string()).collect());
        let m = score(&l(&["a", "b", "a", "b"]), &l(&["a", "b", "a", "a"])).unwrap();
        assert_eq!(m["accuracy"], 0.75);
        let r = score(
            &Target::Values(vec![1.0, 2.0]),
            &Target::Values(vec![1.0, 4.0]),
        )
        .unwrap();
        assert_eq!(r["mse"], 2.0);
        assert!(score(&l(&["a"]), &Target::Values(vec![1.0])).is_err());
    }

    #[test]
    fn settings_parse_and_reject_malformed_items() {
        let s = parse_settings(&["model__max_depth=none".into(), "x__y = 3".into()]).unwrap();
        assert_eq!(s[0], ("model__max_depth".into(), ParamValue::None));
        assert_eq!(s[1], ("x__y".into(), ParamValue::Int(3)));
        assert!(parse_settings(&["nothing".into()]).is_err());
    }

    #[test]
    fn validate_rows_skips_bad_rows_and_refuses_missing_columns() {
        let mut schema = Schema::infer(&frame("t,s\n150,a\n"));
        schema.set_range("t", Some(100.0), Some(300.0)).unwrap();
        let v = validate_rows(&schema, &frame("t,s\n150,a\n999,b\nhot,c\n"), "in.csv").unwrap();
        assert_eq!(v.kept, [0]);
        assert_eq!(v.violations.len(), 2);
        assert_eq!(
            v.frame.column("t").unwrap().kind(),
            driftwatch_core::ColumnKind::Numeric
        );
        let err = validate_rows(&schema, &frame("s\na\n"), "in.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("in.csv") && err.contains("'t'"), "{err}");
    }

    #[test]
    fn train_splits_fits_and_scores() {
        let mut text = String::from("a,y\n");
        for i in 0..60 {
            text.push_str(&format!("{i},{}\n", if i < 30 { "lo" } else { "hi" }));
        }
        let (x, y) = split_target(&frame(&text), "y", true).unwrap();
        let settings = TrainSettings {
            test_size: 0.25,
            seed: 1,
            grid: vec!["model__max_depth=1,none".into()],
            cv: 3,
            set: vec![("model__n_estimators".into(), ParamValue::Int(10))],
        };
        let t = train(default_pipeline(&x, true, 1), &x, &y, &settings).unwrap();
        assert_eq!((t.train_rows.len(), t.test_rows.len()), (45, 15));
        assert_eq!(t.grid.as_ref().unwrap().rows.len(), 2);
        assert_eq!(t.test_metrics["accuracy"], 1.0);
    }
}
