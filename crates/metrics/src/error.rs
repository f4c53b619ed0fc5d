//! The error type shared by every metric in this crate.

use thiserror::Error as ThisError;

/// Why a metric could not be computed.
///
/// Every public function of this crate validates its input and reports a
/// problem through this type instead of panicking, so a monitor can log a
/// bad window and move on.
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// `y_true` and `y_pred` hold no sample at all.
    #[error("empty input: y_true and y_pred contain no samples")]
    Empty,

    /// `y_true` and `y_pred` do not have the same number of samples.
    #[error("length mismatch: y_true has {y_true} samples but y_pred has {y_pred}")]
    LengthMismatch {
        /// Number of samples in `y_true`.
        y_true: usize,
        /// Number of samples in `y_pred`.
        y_pred: usize,
    },

    /// A regression input holds NaN or an infinity (scikit-learn rejects
    /// these with "Input contains NaN/infinity").
    #[error("{input} contains a non-finite value ({value}) at index {index}")]
    NonFinite {
        /// Which argument: `"y_true"` or `"y_pred"`.
        input: &'static str,
        /// Index of the first offending sample.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// A metric is not defined for so few samples (scikit-learn returns NaN
    /// with a warning for R² on fewer than two samples).
    #[error("{metric} needs at least {needed} samples, got {got}")]
    TooFewSamples {
        /// Name of the metric.
        metric: &'static str,
        /// Minimum number of samples.
        needed: usize,
        /// Number of samples given.
        got: usize,
    },

    /// `Average::Binary` was asked for, but `pos_label` is not one of the two
    /// labels present in the data.
    #[error("pos_label={pos_label} is not a valid label; it should be one of {present:?}")]
    UnknownPosLabel {
        /// The requested positive label, `Debug`-formatted.
        pos_label: String,
        /// The labels present in `y_true` ∪ `y_pred`, `Debug`-formatted.
        present: Vec<String>,
    },

    /// `Average::Binary` was asked for on data with more than two labels.
    #[error(
        "target is multiclass ({n_labels} labels) but average is binary; \
         choose micro, macro, weighted or none"
    )]
    NotBinary {
        /// Number of distinct labels in `y_true` ∪ `y_pred`.
        n_labels: usize,
    },

    /// An explicit label list was empty.
    #[error("'labels' should contain at least one label")]
    EmptyLabels,

    /// An explicit label list named the same label twice.
    #[error("label {label} appears more than once in 'labels'")]
    DuplicateLabel {
        /// The repeated label, `Debug`-formatted.
        label: String,
    },

    /// None of the labels given to `confusion_matrix` occurs in `y_true`.
    #[error("at least one label specified must be in y_true")]
    NoLabelInTrue,

    /// A single-number metric (`precision`, `recall`, `f1`, ...) was asked
    /// for with `Average::None`; use `precision_recall_fscore_support`.
    #[error(
        "average=None gives one value per class; use precision_recall_fscore_support \
         for per-class scores"
    )]
    PerClassAverage,

    /// The F-beta weight must be a non-negative number (`+inf` allowed).
    #[error("beta must be >= 0 and not NaN, got {beta}")]
    InvalidBeta {
        /// The rejected beta.
        beta: f64,
    },
}
