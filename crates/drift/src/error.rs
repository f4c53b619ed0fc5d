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
    /// A sample holds a NaN (a missing value). Callers remove missing values
    /// before testing; infinities are values, ordered as scipy orders them.
    #[error(
        "the {which} sample has a NaN (missing value) at index {index}; remove missing values first"
    )]
    NotANumber {
        /// Which sample: `"reference"` or `"current"`.
        which: &'static str,
        /// Index of the first NaN in the sample as given.
        index: usize,
    },
    /// A sample is too small for the statistic (e.g. Cramér-von Mises needs two
    /// values per sample, Anderson-Darling four in all and two distinct).
    #[error("{what}")]
    TooSmall {
        /// What the statistic needs.
        what: String,
    },
    /// The statistic is not defined for these samples (scipy returns nan), e.g. a
    /// distance across two infinite values of the same sign.
    #[error("{test} is undefined here (scipy gives nan): {why}")]
    Undefined {
        /// The statistic.
        test: &'static str,
        /// Why.
        why: String,
    },
    /// An exact p-value would cost more than the stated limit (or overflow double
    /// precision); the asymptotic method gives one.
    #[error(
        "the exact {test} p-value for sample sizes {n1} and {n2} {why}; use the asymptotic method"
    )]
    ExactTooLarge {
        /// The test.
        test: &'static str,
        /// Reference sample size.
        n1: usize,
        /// Current sample size.
        n2: usize,
        /// What the limit is.
        why: &'static str,
    },
    /// A string did not name a known alternative hypothesis.
    #[error("unknown alternative {value:?}: expected \"two-sided\", \"less\" or \"greater\"")]
    UnknownAlternative {
        /// The string that was given.
        value: String,
    },
    /// A string did not name a known test, correction, variant or statistic.
    #[error("unknown {what} '{value}': expected {expected}")]
    UnknownName {
        /// What was being named: `"test"`, `"correction"`, `"variant"`, `"lambda"`.
        what: &'static str,
        /// The string that was given.
        value: String,
        /// The accepted names.
        expected: &'static str,
    },
    /// The test cannot run on these values (a column's row says why, and no test ran).
    #[error("{test} {why}")]
    Inapplicable {
        /// The test.
        test: &'static str,
        /// Why, starting with a verb (`"needs at most two distinct values, ..."`).
        why: String,
    },
    /// A reference names a column twice (a damaged or hand-made reference).
    #[error("column '{column}' appears twice in the reference")]
    DuplicateColumn {
        /// The column.
        column: String,
    },
    /// A reference's column contradicts itself (a damaged or hand-made reference).
    #[error("column '{column}' of the reference is inconsistent: {problem}")]
    InconsistentColumn {
        /// The column.
        column: String,
        /// What does not add up.
        problem: &'static str,
    },
    /// Two references to merge hold different columns (or in another order).
    #[error(
        "the references have different columns ({}) vs ({}); fit both on the same columns",
        left.join(","),
        right.join(",")
    )]
    ColumnsDiffer {
        /// The columns of the first reference.
        left: Vec<String>,
        /// The columns of the second.
        right: Vec<String>,
    },
    /// A column has another kind in each of two references to merge.
    #[error("column '{column}' is {left} in one reference and {right} in the other")]
    KindsDiffer {
        /// The column.
        column: String,
        /// Its kind in the first reference.
        left: &'static str,
        /// Its kind in the second.
        right: &'static str,
    },
    /// An error about one column's values (the source, also named in the message).
    #[error("column '{column}': {source}")]
    InColumn {
        /// The column.
        column: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// A chunk of a streamed table lacks a column of the first chunk, or holds it
    /// with another kind.
    #[error(
        "column '{column}' is {first} in the first chunk but {found} in a later one; read every chunk with the same columns and kinds (list the column as categorical)"
    )]
    ChunkChanged {
        /// The column.
        column: String,
        /// Its kind in the first chunk.
        first: &'static str,
        /// What a later chunk holds (`absent` when it lacks the column).
        found: &'static str,
    },
    /// A second pass over a table (counting a sketched column's bins) saw another
    /// number of values than the first.
    #[error(
        "column '{column}': the second read of the {side} counted {second} values, the first {first}; the table changed between the two reads (run again on a table that is not being written)"
    )]
    PassDisagrees {
        /// The column.
        column: String,
        /// `reference` or `current data`.
        side: &'static str,
        /// Non-missing values of the first pass.
        first: u64,
        /// Non-missing values of the second.
        second: u64,
    },
    /// Counters of parts of a table (an engine's partitions) were made from other plans
    /// (other columns, edges or brackets), so their counts cannot be added.
    #[error(
        "column '{column}': bin counters of different plans cannot be merged; count every part of the table with the same plan"
    )]
    CountersDiffer {
        /// The column.
        column: String,
    },
    /// A bin counter's bytes (an engine's partial state) did not decode.
    #[error(
        "a bin counter did not decode: {0}; check that every process of the engine runs this driftwatch version"
    )]
    CounterBytes(String),
    /// A string did not name a known p-value method.
    #[error("unknown method {value:?}: expected \"auto\", \"exact\" or \"asymptotic\" (\"asymp\")")]
    UnknownMethod {
        /// The string that was given.
        value: String,
    },
}
