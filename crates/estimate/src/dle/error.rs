//! The one error type of the monitor `dle`: every variant names the input and the fix.

use thiserror::Error;

/// What can go wrong configuring, fitting or checking the monitor `dle`.
#[derive(Debug, Error)]
pub enum DleError {
    /// A configuration key has a value the monitor cannot use.
    #[error("dle.{key}: {message}")]
    Config {
        /// The configuration key, e.g. `n_trees`.
        key: &'static str,
        /// What is wrong and what would do.
        message: String,
    },
    /// The window holds class labels: DLE estimates regression metrics only.
    #[error(
        "{input} holds class labels; DLE estimates regression errors (mae, mse, rmse) of a regressor: use the `cbpe` monitor for a classifier"
    )]
    Classification {
        /// Which input (`reference predictions`, `window labels`...).
        input: String,
    },
    /// The window has no predictions.
    #[error("{input} has no predictions: DLE needs the model's prediction for every row")]
    NoPredictions {
        /// Which window.
        input: String,
    },
    /// The reference has no ground truth to learn the loss from.
    #[error("the reference has no labels: DLE learns each row's loss from the reference's targets")]
    NoReferenceLabels,
    /// A target or prediction is NaN or infinite where a number is needed.
    #[error("{input} has a non-finite value ({value}) at row {row}: drop or fill that row first")]
    NonFinite {
        /// Which input (`reference labels`, `window predictions`).
        input: String,
        /// Row, 1-based.
        row: usize,
        /// The value.
        value: f64,
    },
    /// Some reference rows are not labelled.
    #[error(
        "the reference has {count} unlabelled rows: DLE learns from every reference row's target; drop them from the reference"
    )]
    UnlabelledReference {
        /// How many.
        count: usize,
    },
    /// A window (or the reference) has no rows.
    #[error("{0} has no rows: DLE needs at least one")]
    Empty(String),
    /// Lengths that must agree do not.
    #[error("{input} has {got} rows but the window has {expected}")]
    Length {
        /// Which input.
        input: String,
        /// Rows it has.
        got: usize,
        /// Rows expected.
        expected: usize,
    },
    /// A feature column the reference had is missing from a window.
    #[error(
        "column '{column}' of the reference is missing from {input}; available columns: {available}"
    )]
    MissingColumn {
        /// The column.
        column: String,
        /// Which window.
        input: String,
        /// Columns the window has.
        available: String,
    },
    /// A feature column changed kind between the reference and a window.
    #[error(
        "column '{column}' is {found} in {input} but was {expected} in the reference: give it the reference's kind"
    )]
    ColumnKind {
        /// The column.
        column: String,
        /// Which window.
        input: String,
        /// Kind now.
        found: &'static str,
        /// Kind in the reference.
        expected: &'static str,
    },
    /// `check` before `fit`.
    #[error("the dle monitor is not fitted: call fit on a reference window first")]
    NotFitted,
    /// The loss model failed (fit, or a loaded model that does not fit the data).
    #[error("dle loss model: {0}")]
    Model(#[from] driftwatch_models::Error),
    /// A realized metric could not be computed.
    #[error("dle realized metric: {0}")]
    Metric(#[from] driftwatch_metrics::Error),
}

impl From<DleError> for driftwatch_core::Error {
    fn from(e: DleError) -> Self {
        match e {
            DleError::Config { .. } => driftwatch_core::Error::config("dle", e),
            DleError::NotFitted => driftwatch_core::Error::NotFitted("the dle monitor".into()),
            other => driftwatch_core::Error::model("dle", other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_keep_their_key_and_others_name_dle() {
        let e: driftwatch_core::Error = DleError::Config {
            key: "n_trees",
            message: "must be at least 1".into(),
        }
        .into();
        assert_eq!(
            e.to_string(),
            "invalid configuration of dle: dle.n_trees: must be at least 1"
        );
        let e: driftwatch_core::Error = DleError::Empty("window `day 1`".into()).into();
        assert_eq!(
            e.to_string(),
            "dle: window `day 1` has no rows: DLE needs at least one"
        );
    }
}
