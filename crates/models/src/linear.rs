//! Linear models backed by smartcore: [`LogisticRegression`] and [`LinearRegression`].
//!
//! smartcore does the fitting; the fitted coefficients are kept as plain numbers, so a
//! saved model does not depend on smartcore's internal layout, and `predict` /
//! `predict_proba` are computed here from `X·w + b`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use driftwatch_core::params::unknown_param;
use driftwatch_core::{Error, Estimator, Frame, ParamValue, Params, Probabilities, Result, Target};
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::linear_regression as sc_linreg;
use smartcore::linear::logistic_regression as sc_logreg;

use crate::labels::LabelEncoder;

const LOGISTIC: &str = "LogisticRegression";
const LINEAR: &str = "LinearRegression";

/// The regularisation of [`LogisticRegression`] (scikit-learn `penalty`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Penalty {
    /// Squared L2 norm of the weights, scaled by `1 / C`.
    #[default]
    L2,
    /// No regularisation.
    None,
}

impl Penalty {
    fn as_str(self) -> &'static str {
        match self {
            Penalty::L2 => "l2",
            Penalty::None => "none",
        }
    }
}

/// Logistic regression (binary or multinomial), fitted by smartcore's L-BFGS.
///
/// Parameters as in scikit-learn: `C` (inverse regularisation strength, default 1),
/// `penalty` (`l2` or `none`), `solver` (only `lbfgs`). It minimises
/// `sum(log loss) + ||w||² / (2C)`, the intercept not penalised, like scikit-learn.
/// Labels may be any text; they are sorted by [`LabelEncoder`], which also gives the
/// column order of `predict_proba`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// Inverse regularisation strength, > 0.
    #[serde(rename = "C", default = "one")]
    pub c: f64,
    /// `l2` or `none`.
    #[serde(default)]
    pub penalty: Penalty,
    /// Learnt at fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<FittedLogistic>,
}

fn one() -> f64 {
    1.0
}

/// The learnt state of a [`LogisticRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogistic {
    /// Feature names seen at fit, in order.
    pub features: Vec<String>,
    /// The classes.
    pub classes: LabelEncoder,
    /// Weights: one row for two classes (for the second class), else one row per class.
    pub coef: Vec<Vec<f64>>,
    /// One intercept per row of `coef`.
    pub intercept: Vec<f64>,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        LogisticRegression {
            c: 1.0,
            penalty: Penalty::L2,
            fitted: None,
        }
    }
}

impl LogisticRegression {
    /// A model with inverse regularisation strength `c`.
    pub fn new(c: f64) -> Self {
        LogisticRegression {
            c,
            ..Default::default()
        }
    }

    /// The fitted weights (scikit-learn `coef_`): one row for a binary problem.
    pub fn coef(&self) -> Option<&[Vec<f64>]> {
        self.fitted.as_ref().map(|f| f.coef.as_slice())
    }

    /// The fitted intercepts (scikit-learn `intercept_`).
    pub fn intercept(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.intercept.as_slice())
    }

    /// The classes seen at fit, in `predict_proba` column order.
    pub fn classes(&self) -> Option<&[String]> {
        self.fitted.as_ref().map(|f| f.classes.classes())
    }

    fn alpha(&self) -> f64 {
        match self.penalty {
            Penalty::L2 => 1.0 / self.c,
            Penalty::None => 0.0,
        }
    }

    /// Refuses a `C` that is not a positive number, before fitting or after loading
    /// (the parameter guard; every guard in the workspace is called `check`).
    fn check(&self) -> Result<()> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(Error::param(
                "C",
                format!("must be a positive number, got {}", self.c),
            ));
        }
        Ok(())
    }

    fn fitted(&self) -> Result<&FittedLogistic> {
        self.fitted
            .as_ref()
            .ok_or_else(|| Error::NotFitted(LOGISTIC.into()))
    }

    /// Probabilities as a rows x classes matrix.
    fn proba_matrix(&self, x: &Frame) -> Result<(Array2<f64>, &FittedLogistic)> {
        let f = self.fitted()?;
        let m = feature_matrix(x, &f.features, LOGISTIC)?;
        let k = f.classes.n_classes();
        let mut p = Array2::zeros((m.nrows(), k));
        for (r, row) in m.rows().into_iter().enumerate() {
            if k == 2 {
                let p1 = sigmoid(dot(row, &f.coef[0]) + f.intercept[0]);
                p[[r, 0]] = 1.0 - p1;
                p[[r, 1]] = p1;
            } else {
                let z: Vec<f64> = f
                    .coef
                    .iter()
                    .zip(&f.intercept)
                    .map(|(w, b)| dot(row, w) + b)
                    .collect();
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
                let s: f64 = e.iter().sum();
                for (c, v) in e.iter().enumerate() {
                    p[[r, c]] = v / s;
                }
            }
        }
        Ok((p, f))
    }
}

impl Params for LogisticRegression {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![
            ("C".into(), self.c.into()),
            ("penalty".into(), self.penalty.as_str().into()),
            ("solver".into(), "lbfgs".into()),
        ]
    }

    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "C" => {
                let c = value.as_f64(name)?;
                if !(c.is_finite() && c > 0.0) {
                    return Err(Error::param(
                        name,
                        format!("must be a positive number, got {value}"),
                    ));
                }
                self.c = c;
            }
            "penalty" => {
                self.penalty = match value {
                    ParamValue::None => Penalty::None,
                    ParamValue::Str(s) if s.eq_ignore_ascii_case("l2") => Penalty::L2,
                    ParamValue::Str(s) if s.eq_ignore_ascii_case("none") => Penalty::None,
                    other => {
                        return Err(Error::param(
                            name,
                            format!("expected l2 or none, got {other}"),
                        ));
                    }
                }
            }
            "solver" => {
                if !matches!(value, ParamValue::Str(s) if s.eq_ignore_ascii_case("lbfgs")) {
                    return Err(Error::param(
                        name,
                        format!("only lbfgs is available, got {value}"),
                    ));
                }
            }
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Estimator for LogisticRegression {
    fn type_name(&self) -> &'static str {
        LOGISTIC
    }

    fn is_classifier(&self) -> bool {
        true
    }

    fn fit(&mut self, x: &Frame, y: &Target) -> Result<()> {
        self.check()?;
        let labels = y.labels().map_err(|_| {
            Error::model(
                LOGISTIC,
                "needs class labels as target; use LinearRegression for numbers",
            )
        })?;
        let m = training_matrix(x, y, LOGISTIC)?;
        let classes = LabelEncoder::fit(labels)?;
        if classes.n_classes() < 2 {
            return Err(Error::model(
                LOGISTIC,
                format!(
                    "the target has only one class ('{}'); a classifier needs at least two",
                    classes.classes().join("")
                ),
            ));
        }
        let codes: Vec<i32> = classes
            .transform(labels)?
            .into_iter()
            .map(|c| c as i32)
            .collect();
        let (n, p) = m.dim();
        let dm = dense(&m)?;
        let params = sc_logreg::LogisticRegressionParameters::default().with_alpha(self.alpha());
        let model = guarded(LOGISTIC, || {
            sc_logreg::LogisticRegression::<f64, i32, DenseMatrix<f64>, Vec<i32>>::fit(
                &dm, &codes, params,
            )
        })?;
        let k = classes.n_classes();
        let rows = if k == 2 { 1 } else { k };
        let (coef_m, icpt_m) = (model.coefficients(), model.intercept());
        if coef_m.shape() != (rows, p) || icpt_m.shape().0 * icpt_m.shape().1 != rows {
            return Err(Error::model(
                LOGISTIC,
                format!(
                    "unexpected coefficient shape {:?} for {k} classes, {p} features",
                    coef_m.shape()
                ),
            ));
        }
        let coef: Vec<Vec<f64>> = (0..rows)
            .map(|r| (0..p).map(|j| *coef_m.get((r, j))).collect())
            .collect();
        let intercept: Vec<f64> = (0..rows)
            .map(|r| {
                if icpt_m.shape().0 == rows {
                    *icpt_m.get((r, 0))
                } else {
                    *icpt_m.get((0, r))
                }
            })
            .collect();
        if coef
            .iter()
            .flatten()
            .chain(&intercept)
            .any(|v| !v.is_finite())
        {
            return Err(Error::model(
                LOGISTIC,
                format!(
                    "the optimiser diverged on {n} rows; scale the features (StandardScaler) or lower C"
                ),
            ));
        }
        self.fitted = Some(FittedLogistic {
            features: x.names().to_vec(),
            classes,
            coef,
            intercept,
        });
        Ok(())
    }

    fn predict(&self, x: &Frame) -> Result<Target> {
        let (p, f) = self.proba_matrix(x)?;
        let idx: Vec<usize> = p
            .rows()
            .into_iter()
            .map(|row| {
                // First maximum, as numpy's argmax.
                let mut best = 0;
                for (c, v) in row.iter().enumerate() {
                    if *v > row[best] {
                        best = c;
                    }
                }
                best
            })
            .collect();
        Ok(Target::Labels(f.classes.inverse_transform(&idx)?))
    }

    fn predict_proba(&self, x: &Frame) -> Result<Option<Probabilities>> {
        let (values, f) = self.proba_matrix(x)?;
        Ok(Some(Probabilities {
            classes: f.classes.classes().to_vec(),
            values,
        }))
    }

    fn validate(&self) -> Result<()> {
        self.check()?;
        let Some(f) = &self.fitted else {
            return Ok(());
        };
        f.classes.validate()?;
        let k = f.classes.n_classes();
        let rows = if k == 2 { 1 } else { k };
        let bad = |m: &str| Err(Error::model(LOGISTIC, format!("fitted state: {m}")));
        if k < 2 {
            return bad("fewer than two classes");
        }
        if f.coef.len() != rows || f.intercept.len() != rows {
            return bad("coefficient rows do not match the classes");
        }
        if f.coef.iter().any(|w| w.len() != f.features.len()) {
            return bad("coefficient length does not match the features");
        }
        if f.coef
            .iter()
            .flatten()
            .chain(&f.intercept)
            .any(|v| !v.is_finite())
        {
            return bad("non-finite coefficient");
        }
        Ok(())
    }
}

/// Which smartcore solver [`LinearRegression`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LinearSolver {
    /// Singular value decomposition: slower, handles nearly collinear columns.
    #[default]
    Svd,
    /// QR decomposition: faster.
    Qr,
}

impl LinearSolver {
    fn as_str(self) -> &'static str {
        match self {
            LinearSolver::Svd => "svd",
            LinearSolver::Qr => "qr",
        }
    }
}

/// Ordinary least squares with an intercept, fitted by smartcore.
///
/// Parameter `solver`: `svd` (default) or `qr`. It needs at least one more row than
/// features (smartcore does not compute the minimum-norm solution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LinearRegression {
    /// The decomposition used to solve the least-squares problem.
    #[serde(default)]
    pub solver: LinearSolver,
    /// Learnt at fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<FittedLinear>,
}

/// The learnt state of a [`LinearRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLinear {
    /// Feature names seen at fit, in order.
    pub features: Vec<String>,
    /// One weight per feature.
    pub coef: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

impl LinearRegression {
    /// The fitted weights (scikit-learn `coef_`).
    pub fn coef(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.coef.as_slice())
    }

    /// The fitted intercept (scikit-learn `intercept_`).
    pub fn intercept(&self) -> Option<f64> {
        self.fitted.as_ref().map(|f| f.intercept)
    }
}

impl Params for LinearRegression {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![("solver".into(), self.solver.as_str().into())]
    }

    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "solver" => {
                self.solver = match value.as_string().to_ascii_lowercase().as_str() {
                    "svd" => LinearSolver::Svd,
                    "qr" => LinearSolver::Qr,
                    _ => {
                        return Err(Error::param(
                            name,
                            format!("expected svd or qr, got {value}"),
                        ));
                    }
                }
            }
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Estimator for LinearRegression {
    fn type_name(&self) -> &'static str {
        LINEAR
    }

    fn is_classifier(&self) -> bool {
        false
    }

    fn fit(&mut self, x: &Frame, y: &Target) -> Result<()> {
        let values = y.values().map_err(|_| {
            Error::model(
                LINEAR,
                "needs a numeric target; use LogisticRegression for class labels",
            )
        })?;
        let m = training_matrix(x, y, LINEAR)?;
        if let Some(row) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidValue(format!(
                "{LINEAR}: the target has a missing or infinite value at row {}; drop or fill it first",
                row + 1
            )));
        }
        let (n, p) = m.dim();
        if n < p + 1 {
            return Err(Error::model(
                LINEAR,
                format!(
                    "{n} rows are too few for {p} features and an intercept; it needs at least {}",
                    p + 1
                ),
            ));
        }
        let dm = dense(&m)?;
        let y: Vec<f64> = values.to_vec();
        let solver = match self.solver {
            LinearSolver::Svd => sc_linreg::LinearRegressionSolverName::SVD,
            LinearSolver::Qr => sc_linreg::LinearRegressionSolverName::QR,
        };
        let params = sc_linreg::LinearRegressionParameters::default().with_solver(solver);
        let model = guarded(LINEAR, || {
            sc_linreg::LinearRegression::<f64, f64, DenseMatrix<f64>, Vec<f64>>::fit(
                &dm, &y, params,
            )
        })?;
        let w = model.coefficients();
        if w.shape() != (p, 1) {
            return Err(Error::model(
                LINEAR,
                format!("unexpected coefficient shape {:?}", w.shape()),
            ));
        }
        let coef: Vec<f64> = (0..p).map(|j| *w.get((j, 0))).collect();
        let intercept = *model.intercept();
        if coef.iter().chain([&intercept]).any(|v| !v.is_finite()) {
            return Err(Error::model(
                LINEAR,
                "the solution is not finite; remove constant or duplicate columns",
            ));
        }
        self.fitted = Some(FittedLinear {
            features: x.names().to_vec(),
            coef,
            intercept,
        });
        Ok(())
    }

    fn predict(&self, x: &Frame) -> Result<Target> {
        let f = self
            .fitted
            .as_ref()
            .ok_or_else(|| Error::NotFitted(LINEAR.into()))?;
        let m = feature_matrix(x, &f.features, LINEAR)?;
        Ok(Target::Values(
            m.rows()
                .into_iter()
                .map(|row| dot(row, &f.coef) + f.intercept)
                .collect(),
        ))
    }

    fn validate(&self) -> Result<()> {
        let Some(f) = &self.fitted else {
            return Ok(());
        };
        if f.coef.len() != f.features.len() {
            return Err(Error::model(
                LINEAR,
                "fitted state: coefficient length does not match the features",
            ));
        }
        if f.coef.iter().chain([&f.intercept]).any(|v| !v.is_finite()) {
            return Err(Error::model(LINEAR, "fitted state: non-finite coefficient"));
        }
        Ok(())
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

fn dot(row: ArrayView1<'_, f64>, w: &[f64]) -> f64 {
    row.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// The training features as a matrix: non-empty, as many rows as targets, all finite.
fn training_matrix(x: &Frame, y: &Target, who: &str) -> Result<Array2<f64>> {
    if x.n_cols() == 0 {
        return Err(Error::Empty(format!("the features given to {who}")));
    }
    if x.n_rows() == 0 {
        return Err(Error::Empty(format!("the training data of {who}")));
    }
    if x.n_rows() != y.len() {
        return Err(Error::Shape(format!(
            "{who}: {} feature rows but {} target values",
            x.n_rows(),
            y.len()
        )));
    }
    finite_matrix(x, who)
}

/// The features of `x` named at fit, in the order of fit, as a finite matrix.
fn feature_matrix(x: &Frame, features: &[String], who: &str) -> Result<Array2<f64>> {
    if x.names() == features {
        finite_matrix(x, who)
    } else {
        finite_matrix(&x.select(features)?, who)
    }
}

fn finite_matrix(x: &Frame, who: &str) -> Result<Array2<f64>> {
    let m = x.to_matrix(who)?;
    for (j, col) in m.columns().into_iter().enumerate() {
        if let Some(row) = col.iter().position(|v| !v.is_finite()) {
            let what = if col[row].is_nan() {
                "a missing value (NaN)"
            } else {
                "an infinite value"
            };
            return Err(Error::InvalidValue(format!(
                "{who}: column '{}' has {what} at row {}; impute first (SimpleImputer)",
                x.names()[j],
                row + 1
            )));
        }
    }
    Ok(m)
}

fn dense(m: &Array2<f64>) -> Result<DenseMatrix<f64>> {
    let (n, p) = m.dim();
    let values: Vec<f64> = m.iter().copied().collect(); // ndarray's logical (row-major) order
    DenseMatrix::new(n, p, values, false).map_err(|e| Error::model("smartcore", e.to_string()))
}

/// Runs a smartcore fit, turning its errors and any panic into a model error.
fn guarded<T>(who: &str, f: impl FnOnce() -> Result<T, smartcore::error::Failed>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Error::model(who, e.to_string())),
        Err(_) => Err(Error::model(
            who,
            "smartcore failed on this data (internal panic); check for constant or duplicate columns",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Column;
    use ndarray::array;

    fn frame(cols: &[(&str, Vec<f64>)]) -> Frame {
        Frame::new(
            cols.iter()
                .map(|(n, v)| (n.to_string(), Column::Numeric(v.clone().into())))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(800.0) <= 1.0);
    }

    #[test]
    fn params_by_name() {
        let mut m = LogisticRegression::default();
        m.set_param("C", &ParamValue::Float(0.5)).unwrap();
        assert_eq!(m.c, 0.5);
        assert!(m.set_param("C", &ParamValue::Float(0.0)).is_err());
        m.set_param("penalty", &ParamValue::None).unwrap();
        assert_eq!(m.penalty, Penalty::None);
        let err = m
            .set_param("max_depth", &ParamValue::Int(1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("C, penalty, solver"), "{err}");
        let mut l = LinearRegression::default();
        l.set_param("solver", &"qr".into()).unwrap();
        assert_eq!(l.solver, LinearSolver::Qr);
    }

    #[test]
    fn column_order_at_predict_follows_fit() {
        let x = frame(&[
            ("a", vec![0.0, 1.0, 2.0, 3.0]),
            ("b", vec![1.0, 0.0, 1.0, 0.5]),
        ]);
        let y = Target::Values(vec![1.0, 3.0, 5.0, 7.0]);
        let mut m = LinearRegression::default();
        m.fit(&x, &y).unwrap();
        let swapped = x.select(&["b", "a"]).unwrap();
        let p = m.predict(&swapped).unwrap();
        let q = m.predict(&x).unwrap();
        assert_eq!(p, q);
        let missing = x.select(&["b"]).unwrap();
        assert!(m.predict(&missing).is_err());
    }

    #[test]
    fn dense_keeps_row_major_order() {
        let m = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let d = dense(&m).unwrap();
        assert_eq!(*d.get((2, 1)), 6.0);
        assert_eq!(*d.get((0, 1)), 2.0);
    }
}
