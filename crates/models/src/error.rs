//! Error type of the models crate.

/// Everything that can go wrong when configuring, fitting, validating or
/// using a model of this crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hyper-parameter has a value outside its valid range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParam {
        /// Name of the parameter (scikit-learn spelling).
        name: &'static str,
        /// Why the value was rejected.
        reason: String,
    },
    /// The training set has no rows or no columns.
    #[error("empty input: {0}")]
    EmptyInput(String),
    /// Lengths of inputs that must agree do not.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A value is NaN or infinite; missing values must be imputed upstream.
    #[error(
        "feature {feature} has a non-finite value ({value}) in row {row}; \
         missing values must be imputed before the model sees them"
    )]
    NonFinite {
        /// Column index of the offending feature.
        feature: usize,
        /// Row index of the offending value.
        row: usize,
        /// The offending value (NaN or +/- infinity).
        value: f64,
    },
    /// A regression target is NaN or infinite.
    #[error("target value {value} in row {row} is not finite")]
    NonFiniteTarget {
        /// Row index of the offending target.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// A class index is not below the declared number of classes.
    #[error("class index {label} in row {row} is out of range for {n_classes} classes")]
    LabelOutOfRange {
        /// The offending class index.
        label: usize,
        /// Row index of the offending label.
        row: usize,
        /// Declared number of classes.
        n_classes: usize,
    },
    /// The input has a different number of features than the model was fitted on.
    #[error("the model expects {expected} features, got {got}")]
    FeatureCountMismatch {
        /// Number of features the model was fitted on.
        expected: usize,
        /// Number of features supplied.
        got: usize,
    },
    /// A (typically deserialized) model failed its structural checks.
    #[error("corrupt model: {0}")]
    CorruptModel(String),
    /// A dedicated rayon thread pool could not be built.
    #[error("could not build a thread pool: {0}")]
    ThreadPool(String),
}
