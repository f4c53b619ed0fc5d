//! Grid search over pipeline parameter paths: [`ParamGrid`], [`GridSearch`],
//! [`GridSearchResult`], and [`cross_val_score`] for a single pipeline.

use std::fmt;

use driftwatch_core::{Error, Frame, ParamValue, Params, Pipeline, Result, Target};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kfold::{Cv, Fold};
use super::scoring::Scoring;

/// Values to try for each parameter path; the candidates are their cartesian product.
///
/// Built from command-line specs such as `model__max_depth=5,10,none` (values read by
/// [`ParamValue::parse`]). Candidates come in spec order with the last path varying
/// fastest. An empty grid has one candidate: the pipeline as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ParamGrid {
    entries: Vec<(String, Vec<ParamValue>)>,
}

impl ParamGrid {
    /// An empty grid.
    pub fn new() -> Self {
        ParamGrid::default()
    }

    /// Parses specs `path=v1,v2,...`, one per parameter path.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<ParamGrid> {
        let mut grid = ParamGrid::new();
        for spec in specs {
            let (path, values) = ParamGrid::parse_spec(spec.as_ref())?;
            grid.push(path, values)?;
        }
        Ok(grid)
    }

    /// Parses one spec `path=v1,v2,...` into the path and its values.
    pub fn parse_spec(spec: &str) -> Result<(String, Vec<ParamValue>)> {
        let bad = |m: &str| {
            Error::param(
                "grid",
                format!(
                    "'{spec}': {m}; write it as path=value1,value2 (e.g. model__max_depth=5,10,none)"
                ),
            )
        };
        let (path, values) = spec.split_once('=').ok_or_else(|| bad("no '='"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(bad("the parameter path is empty"));
        }
        let values: Vec<&str> = values.split(',').map(str::trim).collect();
        if values.iter().any(|v| v.is_empty()) {
            return Err(bad("a value is empty"));
        }
        Ok((
            path.to_string(),
            values.into_iter().map(ParamValue::parse).collect(),
        ))
    }

    /// Adds a path with the values to try; an empty list or a repeated path is an error.
    pub fn push(&mut self, path: impl Into<String>, values: Vec<ParamValue>) -> Result<()> {
        let path = path.into();
        if values.is_empty() {
            return Err(Error::param(
                "grid",
                format!("'{path}' has no values to try"),
            ));
        }
        if self.entries.iter().any(|(p, _)| *p == path) {
            return Err(Error::param(
                "grid",
                format!("'{path}' appears twice; list all its values in one spec"),
            ));
        }
        self.entries.push((path, values));
        Ok(())
    }

    /// Builder form of [`ParamGrid::push`].
    pub fn with(mut self, path: impl Into<String>, values: Vec<ParamValue>) -> Result<Self> {
        self.push(path, values)?;
        Ok(self)
    }

    /// The paths and their values, in order.
    pub fn entries(&self) -> &[(String, Vec<ParamValue>)] {
        &self.entries
    }

    /// Number of candidates (product of the value counts; 1 for an empty grid).
    pub fn len(&self) -> usize {
        self.entries.iter().map(|(_, v)| v.len()).product()
    }

    /// True when there are no candidates (never: an empty grid has one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every combination, the last path varying fastest.
    pub fn candidates(&self) -> Vec<Vec<(String, ParamValue)>> {
        let mut out: Vec<Vec<(String, ParamValue)>> = vec![Vec::new()];
        for (path, values) in &self.entries {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut c = prefix.clone();
                        c.push((path.clone(), v.clone()));
                        c
                    })
                })
                .collect();
        }
        out
    }
}

/// Exhaustive search over a [`ParamGrid`] with cross-validation, scikit-learn's
/// `GridSearchCV`.
#[derive(Debug, Clone)]
pub struct GridSearch {
    /// The candidates.
    pub grid: ParamGrid,
    /// The folds (default: 5, stratified for classifiers).
    pub cv: Cv,
    /// The score; `None` = accuracy for classifiers, R² for regressors.
    pub scoring: Option<Scoring>,
    /// Fit candidates and folds in parallel with rayon (the result is the same).
    pub parallel: bool,
}

impl GridSearch {
    /// A search over `grid` with the defaults.
    pub fn new(grid: ParamGrid) -> Self {
        GridSearch {
            grid,
            cv: Cv::default(),
            scoring: None,
            parallel: true,
        }
    }

    /// Sets the folds.
    pub fn with_cv(mut self, cv: Cv) -> Self {
        self.cv = cv;
        self
    }

    /// Sets the score.
    pub fn with_scoring(mut self, scoring: Scoring) -> Self {
        self.scoring = Some(scoring);
        self
    }

    /// Turns parallel fitting on or off.
    pub fn with_parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }

    /// Scores every candidate on every fold, ranks them, and refits the best on all data.
    ///
    /// Each candidate is `pipeline.try_clone()` with the grid's values set by path. Every
    /// candidate is built before anything is fitted, so an unknown path or a bad value
    /// fails at once (an unknown path lists the valid ones). A candidate that fails to fit
    /// or predict on a fold stops the search with an error naming it and the fold.
    pub fn fit(&self, pipeline: &Pipeline, x: &Frame, y: &Target) -> Result<GridSearchResult> {
        check_data(x, y)?;
        let classifier = pipeline.estimator()?.is_classifier();
        let scoring = self
            .scoring
            .unwrap_or_else(|| Scoring::default_for(classifier));
        let params = self.grid.candidates();
        let candidates = params
            .iter()
            .map(|c| build_candidate(pipeline, c))
            .collect::<Result<Vec<_>>>()?;
        let folds = self.cv.split(y, classifier)?;
        let data = fold_data(x, y, &folds)?;
        let scores = evaluate(&candidates, &params, &data, scoring, self.parallel)?;

        let means: Vec<f64> = scores.iter().map(|s| mean(s)).collect();
        let ranks = rank_min(&means);
        let rows: Vec<CandidateResult> = params
            .into_iter()
            .zip(scores)
            .zip(ranks)
            .map(|((params, fold_scores), rank)| CandidateResult {
                mean_score: mean(&fold_scores),
                std_score: pop_std(&fold_scores),
                params,
                fold_scores,
                rank,
            })
            .collect();
        let best_index = (0..rows.len())
            .min_by_key(|&i| (rows[i].rank, i))
            .ok_or_else(|| Error::param("grid", "the grid has no candidates"))?;
        let mut best_pipeline = candidates
            .into_iter()
            .nth(best_index)
            .ok_or_else(|| Error::param("grid", "the grid has no candidates"))?;
        best_pipeline.fit(x, y).map_err(|e| {
            Error::model(
                "GridSearch",
                format!(
                    "refitting the best candidate ({}) on all data: {e}",
                    describe(&rows[best_index].params)
                ),
            )
        })?;
        Ok(GridSearchResult {
            scoring: scoring.name().to_string(),
            n_splits: folds.len(),
            rows,
            best_index,
            best_pipeline,
        })
    }
}

/// The cross-validated scores of one pipeline (no parameters changed, nothing kept).
pub fn cross_val_score(
    pipeline: &Pipeline,
    x: &Frame,
    y: &Target,
    cv: &Cv,
    scoring: Option<Scoring>,
) -> Result<Vec<f64>> {
    check_data(x, y)?;
    let classifier = pipeline.estimator()?.is_classifier();
    let scoring = scoring.unwrap_or_else(|| Scoring::default_for(classifier));
    let folds = cv.split(y, classifier)?;
    let data = fold_data(x, y, &folds)?;
    let candidate = pipeline.try_clone()?;
    let mut scores = evaluate(&[candidate], &[Vec::new()], &data, scoring, true)?;
    Ok(scores.pop().unwrap_or_default())
}

/// One row of the results table, one per candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateResult {
    /// The parameter values of this candidate, by path.
    pub params: Vec<(String, ParamValue)>,
    /// Mean of the fold scores.
    pub mean_score: f64,
    /// Population standard deviation of the fold scores (as scikit-learn).
    pub std_score: f64,
    /// One score per fold, in fold order.
    pub fold_scores: Vec<f64>,
    /// 1 = best; equal means share the lower rank (scikit-learn's `min` method).
    pub rank: usize,
}

/// What a grid search found.
#[derive(Debug, Serialize, Deserialize)]
pub struct GridSearchResult {
    /// The score name: `accuracy`, `r2` or `custom`.
    pub scoring: String,
    /// Number of folds.
    pub n_splits: usize,
    /// One row per candidate, in grid order.
    pub rows: Vec<CandidateResult>,
    /// Index of the best row (the first with rank 1).
    pub best_index: usize,
    /// The best candidate refitted on all the data.
    pub best_pipeline: Pipeline,
}

impl GridSearchResult {
    /// The best row.
    pub fn best(&self) -> &CandidateResult {
        &self.rows[self.best_index]
    }

    /// The parameters of the best row.
    pub fn best_params(&self) -> &[(String, ParamValue)] {
        &self.best().params
    }

    /// The best mean score.
    pub fn best_score(&self) -> f64 {
        self.best().mean_score
    }
}

impl fmt::Display for GridSearchResult {
    /// The table, best first: rank, mean and std of the score, the parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mean_head = format!("mean_{}", self.scoring);
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by_key(|&i| (self.rows[i].rank, i));
        let cells: Vec<[String; 4]> = order
            .iter()
            .map(|&i| {
                let r = &self.rows[i];
                [
                    r.rank.to_string(),
                    format!("{:.4}", r.mean_score),
                    format!("{:.4}", r.std_score),
                    describe(&r.params),
                ]
            })
            .collect();
        let head = ["rank".to_string(), mean_head, "std".into(), "params".into()];
        let width = |c: usize| {
            cells
                .iter()
                .map(|row| row[c].len())
                .chain([head[c].len()])
                .max()
                .unwrap_or(0)
        };
        let (w0, w1, w2) = (width(0), width(1), width(2));
        writeln!(
            f,
            "{:>w0$}  {:>w1$}  {:>w2$}  {}",
            head[0], head[1], head[2], head[3]
        )?;
        for row in &cells {
            writeln!(
                f,
                "{:>w0$}  {:>w1$}  {:>w2$}  {}",
                row[0], row[1], row[2], row[3]
            )?;
        }
        Ok(())
    }
}

fn check_data(x: &Frame, y: &Target) -> Result<()> {
    if x.n_rows() == 0 || y.is_empty() {
        return Err(Error::Empty("the data for cross-validation".into()));
    }
    if x.n_rows() != y.len() {
        return Err(Error::Shape(format!(
            "{} feature rows but {} target values",
            x.n_rows(),
            y.len()
        )));
    }
    Ok(())
}

fn build_candidate(pipeline: &Pipeline, params: &[(String, ParamValue)]) -> Result<Pipeline> {
    let mut p = pipeline.try_clone()?;
    for (path, value) in params {
        p.set_param(path, value)?;
    }
    Ok(p)
}

type FoldData = (Frame, Target, Frame, Target);

fn fold_data(x: &Frame, y: &Target, folds: &[Fold]) -> Result<Vec<FoldData>> {
    folds
        .iter()
        .map(|(train, test)| {
            Ok((
                x.take_rows(train)?,
                y.take(train),
                x.take_rows(test)?,
                y.take(test),
            ))
        })
        .collect()
}

/// Scores of each candidate on each fold: `[candidate][fold]`.
fn evaluate(
    candidates: &[Pipeline],
    params: &[Vec<(String, ParamValue)>],
    data: &[FoldData],
    scoring: Scoring,
    parallel: bool,
) -> Result<Vec<Vec<f64>>> {
    let n_folds = data.len();
    let tasks: Vec<(usize, usize)> = (0..candidates.len())
        .flat_map(|c| (0..n_folds).map(move |f| (c, f)))
        .collect();
    let run = |&(c, f): &(usize, usize)| -> Result<f64> {
        let (xt, yt, xv, yv) = &data[f];
        let mut p = candidates[c].try_clone()?;
        p.fit(xt, yt)
            .and_then(|()| p.predict(xv))
            .and_then(|pred| scoring.score(yv, &pred))
            .map_err(|e| {
                let what = if params[c].is_empty() {
                    String::new()
                } else {
                    format!(" ({})", describe(&params[c]))
                };
                Error::model(
                    "GridSearch",
                    format!(
                        "candidate {}{what}, fold {} of {n_folds}: {e}",
                        c + 1,
                        f + 1
                    ),
                )
            })
    };
    // Collecting preserves task order, so the first error and the table are deterministic.
    let results: Vec<Result<f64>> = if parallel {
        tasks.par_iter().map(run).collect()
    } else {
        tasks.iter().map(run).collect()
    };
    let flat = results.into_iter().collect::<Result<Vec<f64>>>()?;
    Ok(flat.chunks(n_folds.max(1)).map(<[f64]>::to_vec).collect())
}

fn describe(params: &[(String, ParamValue)]) -> String {
    if params.is_empty() {
        return "(defaults)".into();
    }
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn pop_std(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
}

/// Ranks by descending mean, ties sharing the lowest rank; NaN ranks last.
fn rank_min(means: &[f64]) -> Vec<usize> {
    let key = |m: f64| if m.is_nan() { f64::NEG_INFINITY } else { m };
    means
        .iter()
        .map(|&m| 1 + means.iter().filter(|&&o| key(o) > key(m)).count())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs_into_a_product() {
        let g = ParamGrid::parse(&["model__max_depth=5,10,none", "model__C = 0.1, 1"]).unwrap();
        assert_eq!(g.len(), 6);
        let c = g.candidates();
        assert_eq!(c.len(), 6);
        assert_eq!(
            c[1],
            [
                ("model__max_depth".to_string(), ParamValue::Int(5)),
                ("model__C".to_string(), ParamValue::Int(1)),
            ]
        );
        assert_eq!(c[5][0].1, ParamValue::None);
        assert_eq!(ParamGrid::new().candidates(), vec![Vec::new()]);
    }

    #[test]
    fn bad_specs_are_errors() {
        assert!(ParamGrid::parse(&["model__C"]).is_err());
        assert!(ParamGrid::parse(&["=1"]).is_err());
        assert!(ParamGrid::parse(&["a__b=1,,2"]).is_err());
        assert!(ParamGrid::parse(&["a__b=1", "a__b=2"]).is_err());
    }

    #[test]
    fn ranks_like_scipy_min() {
        assert_eq!(rank_min(&[0.5, 0.9, 0.5, f64::NAN]), [2, 1, 2, 4]);
        assert!((pop_std(&[1.0, 3.0]) - 1.0).abs() < 1e-12);
    }
}
