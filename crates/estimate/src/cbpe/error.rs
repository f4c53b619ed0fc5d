//! What can go wrong fitting or checking `cbpe`: each variant names the input and the fix.

use thiserror::Error;

/// An error of the `cbpe` monitor; the engine shows it as the monitor's error finding.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CbpeError {
    /// A configuration value is out of range or unknown.
    #[error("cbpe: config key `{key}`: {message}")]
    Config {
        /// The configuration key.
        key: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The window has no rows.
    #[error("cbpe: the {window} window has no rows: CBPE needs at least one")]
    Empty {
        /// `reference` or the window's label.
        window: String,
    },
    /// Something CBPE needs is not in the window.
    #[error("cbpe: the {window} window has no {what}: {fix}")]
    Missing {
        /// `reference` or the window's label.
        window: String,
        /// `probabilities`, `predictions` or `labels`.
        what: &'static str,
        /// How to provide it.
        fix: &'static str,
    },
    /// A probability is NaN or outside [0, 1].
    #[error(
        "cbpe: the {window} window has probability {value} for class '{class}' at row {row}: \
         probabilities must lie in [0, 1] (fix the model output or drop the row)"
    )]
    BadProbability {
        /// `reference` or the window's label.
        window: String,
        /// The class column.
        class: String,
        /// The row, 1-based.
        row: usize,
        /// The value found.
        value: f64,
    },
    /// The reference labels hold fewer than two classes (or miss one of the model's).
    #[error(
        "cbpe: the reference labels hold {found}; CBPE needs every class of the model's \
         probabilities ({classes}) among the reference labels: use a longer reference"
    )]
    ReferenceClasses {
        /// What the labels hold.
        found: String,
        /// The model's classes.
        classes: String,
    },
    /// A class that the reference did not have.
    #[error(
        "cbpe: the {window} window's {what} hold class '{class}', unseen in the reference \
         (classes {classes}): refit on a reference with every class"
    )]
    UnseenClass {
        /// `reference` or the window's label.
        window: String,
        /// `predictions`, `labels` or `probabilities`.
        what: &'static str,
        /// The unknown class.
        class: String,
        /// The reference classes.
        classes: String,
    },
    /// Row counts of predictions, probabilities and labels disagree.
    #[error("cbpe: the {window} window has {detail}: every part needs one value per row")]
    Shape {
        /// `reference` or the window's label.
        window: String,
        /// The counts.
        detail: String,
    },
    /// A metric that needs two classes asked of a multiclass model.
    #[error(
        "cbpe: metric `{metric}` is defined for binary classifiers only, the model has \
         {n_classes} classes: drop it from `metrics`"
    )]
    BinaryOnly {
        /// The metric.
        metric: &'static str,
        /// The number of classes.
        n_classes: usize,
    },
    /// `check` before `fit`.
    #[error("cbpe is not fitted: fit it on a reference window first")]
    NotFitted,
}

impl From<CbpeError> for driftwatch_core::Error {
    fn from(e: CbpeError) -> Self {
        driftwatch_core::Error::config("cbpe", e)
    }
}
