//! Regression metrics on `f64` targets, following scikit-learn's
//! definitions and reduction order (NumPy pairwise summation), so results
//! are bit-identical to scikit-learn's in the usual case.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::classification::check_pair;
use crate::sum::{mean_by, sum_by};

/// Fails unless both inputs are non-empty, equally long and finite
/// (scikit-learn rejects NaN and infinities in regression targets).
fn check_regression(y_true: &[f64], y_pred: &[f64]) -> Result<(), Error> {
    check_pair(y_true, y_pred)?;
    for (input, values) in [("y_true", y_true), ("y_pred", y_pred)] {
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                input,
                index,
                value,
            });
        }
    }
    Ok(())
}

/// Mean squared error, mean((y_true − y_pred)²)
/// (`sklearn.metrics.mean_squared_error`).
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`] or [`Error::NonFinite`].
pub fn mse(y_true: &[f64], y_pred: &[f64]) -> Result<f64, Error> {
    check_regression(y_true, y_pred)?;
    Ok(mean_by(y_true.len(), |i| {
        let d = y_true[i] - y_pred[i];
        d * d
    }))
}

/// Root mean squared error, √MSE
/// (`sklearn.metrics.root_mean_squared_error`).
///
/// # Errors
/// As [`mse`].
pub fn rmse(y_true: &[f64], y_pred: &[f64]) -> Result<f64, Error> {
    mse(y_true, y_pred).map(f64::sqrt)
}

/// Mean absolute error, mean(|y_true − y_pred|)
/// (`sklearn.metrics.mean_absolute_error`).
///
/// # Errors
/// As [`mse`].
pub fn mae(y_true: &[f64], y_pred: &[f64]) -> Result<f64, Error> {
    check_regression(y_true, y_pred)?;
    Ok(mean_by(y_true.len(), |i| (y_pred[i] - y_true[i]).abs()))
}

/// Coefficient of determination R² = 1 − SS_res / SS_tot
/// (`sklearn.metrics.r2_score` with `force_finite=True`).
///
/// When `y_true` is constant (SS_tot = 0) the score is 1.0 for a perfect
/// prediction and 0.0 otherwise, as in scikit-learn. R² can be negative.
///
/// # Errors
/// As [`mse`], plus [`Error::TooFewSamples`] for a single sample (where
/// scikit-learn returns NaN with a warning).
pub fn r2(y_true: &[f64], y_pred: &[f64]) -> Result<f64, Error> {
    check_regression(y_true, y_pred)?;
    let n = y_true.len();
    if n < 2 {
        return Err(Error::TooFewSamples {
            metric: "r2",
            needed: 2,
            got: n,
        });
    }
    let numerator = sum_by(n, |i| {
        let d = y_true[i] - y_pred[i];
        d * d
    });
    let mean = mean_by(n, |i| y_true[i]);
    let denominator = sum_by(n, |i| {
        let d = y_true[i] - mean;
        d * d
    });
    Ok(if numerator == 0.0 {
        1.0
    } else if denominator == 0.0 {
        0.0
    } else {
        1.0 - numerator / denominator
    })
}

/// Mean absolute percentage error, mean(|y_pred − y_true| / max(|y_true|, ε))
/// with ε = `f64::EPSILON` (`sklearn.metrics.mean_absolute_percentage_error`).
///
/// The result is a fraction, not a percentage: 0.1 means 10 %. It is huge
/// (about 4.5e15 × |error|) where `y_true` is zero, as in scikit-learn.
///
/// # Errors
/// As [`mse`].
pub fn mape(y_true: &[f64], y_pred: &[f64]) -> Result<f64, Error> {
    check_regression(y_true, y_pred)?;
    Ok(mean_by(y_true.len(), |i| {
        (y_pred[i] - y_true[i]).abs() / y_true[i].abs().max(f64::EPSILON)
    }))
}

/// The regression scores a monitor tracks per window and compares with its
/// baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    /// Mean squared error.
    pub mse: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Coefficient of determination.
    pub r2: f64,
    /// Mean absolute percentage error (a fraction).
    pub mape: f64,
}

impl RegressionMetrics {
    /// All five scores at once.
    ///
    /// # Errors
    /// As [`r2`]: empty or mismatched input, non-finite values, or a single
    /// sample.
    pub fn compute(y_true: &[f64], y_pred: &[f64]) -> Result<Self, Error> {
        let mse = mse(y_true, y_pred)?;
        Ok(Self {
            mse,
            rmse: mse.sqrt(),
            mae: mae(y_true, y_pred)?,
            r2: r2(y_true, y_pred)?,
            mape: mape(y_true, y_pred)?,
        })
    }
}
