//! The one error type of the monitoring engine.

use thiserror::Error;

/// Everything that can go wrong while splitting, running, alerting and recording.
///
/// Each variant names what caused it (the monitor, the setting, the file and line) so
/// the message tells the user what to fix.
#[derive(Debug, Error)]
pub enum Error {
    /// An error from the core crate (frames, shapes, the registry).
    #[error(transparent)]
    Core(#[from] driftwatch_core::Error),
    /// A setting is out of range or inconsistent.
    #[error("invalid {name}: {message}")]
    Config {
        /// The setting, e.g. `alert policy ratio`.
        name: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A configured monitor could not be built from its config.
    #[error("cannot build monitor '{monitor}' (monitors[{position}]): {source}")]
    Build {
        /// The registered name asked for.
        monitor: String,
        /// Its position in the config's list.
        position: usize,
        /// Why.
        source: Box<driftwatch_core::Error>,
    },
    /// A monitor failed to learn the reference.
    #[error("monitor '{monitor}' cannot fit the reference: {source}")]
    Fit {
        /// The monitor's name.
        monitor: String,
        /// Why.
        source: Box<driftwatch_core::Error>,
    },
    /// A monitor failed on a window (only with `on_error = "abort"`).
    #[error("monitor '{monitor}' failed on window {window} ({label}): {source}")]
    Check {
        /// The monitor's name.
        monitor: String,
        /// The window index.
        window: usize,
        /// The window label.
        label: String,
        /// Why.
        source: Box<driftwatch_core::Error>,
    },
    /// A history line could not be read or parsed.
    #[error("{input} line {line}: {message}")]
    History {
        /// The file or stream being read.
        input: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Writing output (history, report) failed.
    #[error("cannot write {what}: {source}")]
    Write {
        /// What was being written.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Serialising output failed.
    #[error("cannot serialise {what}: {message}")]
    Serialize {
        /// What was being serialised.
        what: String,
        /// Why.
        message: String,
    },
    /// Drawing a chart of the HTML report failed.
    #[error("cannot draw the chart '{chart}': {message}")]
    Render {
        /// The chart's title.
        chart: String,
        /// Why.
        message: String,
    },
}

/// Result with the engine's [`Error`](enum@Error).
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Config`] error.
    pub fn config(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            name: name.into(),
            message: message.into(),
        }
    }
}
