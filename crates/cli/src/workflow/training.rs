//! Training with a held-out split and an optional grid search, and the metrics a
//! bundle records as its baseline.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use driftwatch_core::{Frame, ParamValue, Params, Pipeline, Target};
use driftwatch_metrics::{
    ACCURACY, ClassificationMetrics, F1, PRECISION, R2, RECALL, RegressionMetrics,
};
use driftwatch_models::selection::{
    Cv, GridSearch, GridSearchResult, ParamGrid, TestSize, train_test_split,
};

/// Metrics of predictions against truth: accuracy/precision/recall/f1 (weighted) for
/// labels, mse/rmse/mae/r2 for values.
pub fn score(y_true: &Target, y_pred: &Target) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    match (y_true, y_pred) {
        (Target::Labels(t), Target::Labels(p)) => {
            let m = ClassificationMetrics::weighted(t, p)?;
            out.insert(ACCURACY.into(), m.accuracy);
            out.insert(PRECISION.into(), m.precision);
            out.insert(RECALL.into(), m.recall);
            out.insert(F1.into(), m.f1);
        }
        (Target::Values(t), Target::Values(p)) => {
            let m = RegressionMetrics::compute(t, p)?;
            out.insert("mse".into(), m.mse);
            out.insert("rmse".into(), m.rmse);
            out.insert("mae".into(), m.mae);
            out.insert(R2.into(), m.r2);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::pipeline::{default_pipeline, split_target};
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
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
