//! The one error type of the core crate.

use thiserror::Error;

/// Everything that can go wrong in frames, schemas, pipelines and the registry.
///
/// Each variant names the input that caused it (file, column, row, parameter) so a
/// message can tell the user what to fix.
#[derive(Debug, Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A CSV or JSON input is malformed.
    #[error("{input}: {message}")]
    Parse {
        /// The file or stream being parsed.
        input: String,
        /// What is wrong and where.
        message: String,
    },
    /// The input has no rows (or no columns) where some are needed.
    #[error("{0} is empty: it needs at least one row of data")]
    Empty(String),
    /// A column that is needed is not there.
    #[error("column '{column}' is missing{context}; available columns: {available}")]
    MissingColumn {
        /// The name asked for.
        column: String,
        /// Where it was needed (starts with a space, or empty).
        context: String,
        /// The columns that exist.
        available: String,
    },
    /// A column has the wrong kind for the operation.
    #[error("column '{column}' is {found}, but {needed} is needed: {hint}")]
    ColumnKind {
        /// The column.
        column: String,
        /// The kind it has.
        found: &'static str,
        /// The kind the operation needs.
        needed: &'static str,
        /// What to do about it.
        hint: String,
    },
    /// Row counts or widths do not agree.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A value the operation cannot use (NaN where none is allowed, unseen category...).
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// A hyper-parameter is out of range or of the wrong type.
    #[error("invalid parameter {name}: {message}")]
    InvalidParam {
        /// The parameter (path).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A plugin's configuration was refused by the plugin crate's own check; the
    /// source is that crate's typed error, kept so callers can inspect it (and named
    /// in the message, as the other variants with a source do).
    #[error("invalid configuration of {name}: {source}")]
    Config {
        /// The component (e.g. the monitor `feature_drift`).
        name: String,
        /// The plugin crate's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A parameter path that does not exist.
    #[error("unknown parameter '{path}'; valid parameters: {valid}")]
    UnknownParam {
        /// The path given.
        path: String,
        /// Every valid path, comma separated.
        valid: String,
    },
    /// `transform`/`predict` was called before `fit`.
    #[error("{0} is not fitted: call fit first")]
    NotFitted(String),
    /// A plugin name that nobody registered.
    #[error("unknown {kind} '{name}'; registered: {available}")]
    UnknownPlugin {
        /// "monitor" or "detector".
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// Registered names.
        available: String,
    },
    /// An estimator or transformer failed inside its algorithm.
    #[error("{component}: {message}")]
    Model {
        /// The component (e.g. RandomForestClassifier).
        component: String,
        /// What failed.
        message: String,
    },
    /// JSON (de)serialisation of a component failed.
    #[error("serialisation: {0}")]
    Serde(String),
}

/// Result with the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Model`] error for a component.
    pub fn model(component: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Model {
            component: component.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Config`] error for a component, keeping `source`.
    pub fn config(
        name: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Config {
            name: name.into(),
            source: Box::new(source),
        }
    }

    /// An [`Error::InvalidParam`] error.
    pub fn param(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            name: name.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_input() {
        let e = Error::MissingColumn {
            column: "temperature".into(),
            context: " in current.csv".into(),
            available: "a, b".into(),
        };
        assert_eq!(
            e.to_string(),
            "column 'temperature' is missing in current.csv; available columns: a, b"
        );
    }

    #[test]
    fn config_errors_keep_their_source() {
        let inner = std::io::Error::other("threshold 2 must be below 1");
        let e = Error::config("feature_drift", inner);
        assert_eq!(
            e.to_string(),
            "invalid configuration of feature_drift: threshold 2 must be below 1"
        );
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("threshold 2 must be below 1"));
    }
}
