//! The one error type of a monitoring pass.

use thiserror::Error;

/// What can stop a monitoring pass; each variant names the input or setting to fix.
#[derive(Debug, Error)]
pub enum Error {
    /// The monitor config is not valid TOML of the expected shape.
    #[error("{name}: not a valid monitor config: {source}")]
    Parse {
        /// The config file.
        name: String,
        /// What the TOML parser said.
        source: toml::de::Error,
    },
    /// A setting of the monitor config is out of range or inconsistent.
    #[error("{name}: {message}")]
    Config {
        /// The config (file) or setting.
        name: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The current data lacks a column of the model's schema, or has one of another kind.
    #[error("{input} does not match the model's input schema: {problems}")]
    Schema {
        /// The input's name.
        input: String,
        /// Every column-level problem, joined.
        problems: String,
    },
    /// The data cannot be used as asked (e.g. windows by time without timestamps).
    #[error("{input}: {message}")]
    Input {
        /// The input's name.
        input: String,
        /// What is missing.
        message: String,
    },
    /// Reading, conforming or predicting failed in core.
    #[error("{what}: {source}")]
    Core {
        /// What was being done.
        what: String,
        /// Why.
        source: driftwatch_core::Error,
    },
    /// The engine, the alert policy or the reports failed.
    #[error("{what}: {source}")]
    Monitor {
        /// What was being done.
        what: String,
        /// Why.
        source: driftwatch_monitor::Error,
    },
}

/// Result with the pass's [`Error`](enum@Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A core error while doing `what`.
    pub fn core(what: impl Into<String>) -> impl FnOnce(driftwatch_core::Error) -> Error {
        let what = what.into();
        move |source| Error::Core { what, source }
    }

    /// A monitor-crate error while doing `what`.
    pub fn monitor(what: impl Into<String>) -> impl FnOnce(driftwatch_monitor::Error) -> Error {
        let what = what.into();
        move |source| Error::Monitor { what, source }
    }
}
