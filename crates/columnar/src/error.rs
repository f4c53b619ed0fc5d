//! The one error type of the columnar crate.

use thiserror::Error;

/// What can go wrong reading or writing a Parquet or Arrow IPC table.
///
/// Every variant names the file (or `standard input`), and those about one column name
/// it, so a message tells the user what to fix.
#[derive(Debug, Error)]
pub enum Error {
    /// An error of the frame layer (a missing column, an empty table, I/O, CSV parsing).
    #[error(transparent)]
    Core(#[from] driftwatch_core::Error),
    /// The bytes do not decode as the format: truncated, damaged or another format.
    #[error(
        "{path}: cannot read it as {format}: {source} (the file may be truncated or damaged, or not {format} at all)"
    )]
    Decode {
        /// The file.
        path: String,
        /// `Parquet` or `Arrow IPC`.
        format: &'static str,
        /// The decoder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The file is not of the format it was asked to be read as, or of none driftwatch
    /// reads (the message says which it looks like and what to pass).
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What its first bytes or its name say and what to do.
        message: String,
    },
    /// A column of a type driftwatch cannot hold (nested, binary, durations...).
    #[error("{path}: column '{column}' is {data_type}, which driftwatch cannot read: {hint}")]
    Unsupported {
        /// The file.
        path: String,
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
        /// What to do about it.
        hint: String,
    },
    /// One value cannot be read as the column's kind without losing it.
    #[error("{path}: column '{column}' row {row}: {message}")]
    Value {
        /// The file.
        path: String,
        /// The column.
        column: String,
        /// 1-based data row.
        row: usize,
        /// What is wrong and the fix.
        message: String,
    },
    /// A stream (standard input) could not be copied to the temporary file it is read
    /// from: Parquet and Arrow are read from their footer or checked before decoding,
    /// which a pipe cannot do.
    #[error(
        "cannot copy {input} to a temporary file in {dir} (Parquet and Arrow are read from a file): {source}; set TMPDIR to a directory with room, or pass the file's path instead of '-'"
    )]
    Spool {
        /// The stream.
        input: String,
        /// Where the temporary file was to be.
        dir: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A frame cannot be written as Arrow (a timestamp out of range, an encoder failure).
    #[error("cannot write {path}: {message}")]
    Write {
        /// The destination.
        path: String,
        /// What failed.
        message: String,
    },
}

/// Result with the columnar [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn decode(
        path: &str,
        format: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Decode {
            path: path.to_string(),
            format,
            source: Box::new(source),
        }
    }
}
