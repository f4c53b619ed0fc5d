//! driftwatch-columnar: Parquet and Arrow IPC tables as driftwatch [`Frame`]s, and
//! frames as Parquet or Arrow IPC files.
//!
//! Kinds come from the Arrow schema, not from guessing at text (docs/FORMATS.md):
//! floats, integers and decimals are numeric; strings and dictionaries of strings are
//! categorical; booleans are booleans; timestamps and dates are timestamps (seconds
//! since 1970, UTC); nulls (and float NaN, as in the CSV reader) are missing values.
//! Nested and binary columns are refused by name unless the read leaves them out.
//! [`ReadOptions`](driftwatch_core::ReadOptions) forces kinds as it does for CSV.
//!
//! [`read_table`] reads any supported file (CSV through core's reader) whole;
//! [`read_chunks`] streams a Parquet or Arrow file batch by batch (at most
//! [`CHUNK_ROWS`] rows each), so memory is one batch's, whatever the file's size.
//! Only the columns asked for are decoded. The crate keeps arrow and parquet out of
//! core and of every crate that only needs frames.
//!
//! [`Frame`]: driftwatch_core::Frame

mod convert;
mod error;
mod format;
mod ipc_check;
mod read;
mod write;

pub use convert::{column_of_array, kind_of};
pub use error::{Error, Result};
pub use format::{Detected, detect};
pub use read::{
    CHUNK_ROWS, Chunks, detect_file, read_chunks, read_chunks_from_reader, read_chunks_projected,
    read_table,
};
pub use write::{OutputFormat, to_record_batch, write_ipc, write_parquet, write_table};
