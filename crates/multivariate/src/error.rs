//! The one error type of this crate: bad configuration or input a monitor cannot use.

use thiserror::Error as ThisError;

/// Why a multivariate monitor could not be built, fitted or checked.
///
/// Every message names the input (a configuration key, a column, the reference or the
/// window) and what to change.
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A configuration key holds a value the monitor cannot use.
    #[error("{monitor}: config key `{key}`: {message}")]
    Config {
        /// The monitor's registered name.
        monitor: &'static str,
        /// The configuration key.
        key: &'static str,
        /// What is wrong and what to use instead.
        message: String,
    },
    /// The reference or a window cannot be used as given.
    #[error("{monitor}: {message}")]
    Input {
        /// The monitor's registered name.
        monitor: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// `check` was called before `fit`.
    #[error("{0} is not fitted: call fit on the reference window first")]
    NotFitted(&'static str),
}

impl Error {
    /// An [`Error::Input`].
    pub fn input(monitor: &'static str, message: impl Into<String>) -> Self {
        Error::Input {
            monitor,
            message: message.into(),
        }
    }

    /// An [`Error::Config`].
    pub fn config(monitor: &'static str, key: &'static str, message: impl Into<String>) -> Self {
        Error::Config {
            monitor,
            key,
            message: message.into(),
        }
    }
}

/// Configuration errors keep their typed source (`Error::Config` of core); input
/// errors become `InvalidValue` with the same message.
impl From<Error> for driftwatch_core::Error {
    fn from(e: Error) -> Self {
        match &e {
            Error::Config { monitor, .. } => driftwatch_core::Error::config(*monitor, e),
            _ => driftwatch_core::Error::InvalidValue(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_key_and_convert_to_core() {
        let e = Error::config("mmd", "p_val", "must be in (0, 1)");
        assert_eq!(e.to_string(), "mmd: config key `p_val`: must be in (0, 1)");
        let core: driftwatch_core::Error = e.into();
        assert!(core.to_string().contains("p_val"), "{core}");
        let core: driftwatch_core::Error = Error::input("mmd", "empty window").into();
        assert!(matches!(core, driftwatch_core::Error::InvalidValue(_)));
        assert!(Error::NotFitted("mmd").to_string().contains("call fit"));
    }
}
