//! Errors of the drift crate.

use thiserror::Error as ThisError;

/// Errors returned by the drift statistics.
///
/// These are input errors: every test returns one of these instead of
/// panicking.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A sample has no values.
    #[error("the {which} sample is empty")]
    EmptySample {
        /// Which sample: `"reference"` or `"current"`.
        which: &'static str,
    },
    /// A sample holds a NaN or an infinite value. Callers remove missing
    /// values before testing.
    #[error("the {which} sample has a non-finite value at index {index}")]
    NonFinite {
        /// Which sample: `"reference"` or `"current"`.
        which: &'static str,
        /// Index of the first non-finite value in the sample as given.
        index: usize,
    },
    /// A string did not name a known alternative hypothesis.
    #[error("unknown alternative {value:?}: expected \"two-sided\", \"less\" or \"greater\"")]
    UnknownAlternative {
        /// The string that was given.
        value: String,
    },
    /// A string did not name a known p-value method.
    #[error("unknown method {value:?}: expected \"auto\", \"exact\" or \"asymp\"")]
    UnknownMethod {
        /// The string that was given.
        value: String,
    },
}
