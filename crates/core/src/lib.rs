//! driftwatch-core: the types every other driftwatch crate shares.
//!
//! [`Frame`] holds the data, [`Schema`] says what valid data looks like, the
//! [`Transformer`] and [`Estimator`] traits make up a [`Pipeline`], and the [`Monitor`]
//! and [`StreamDetector`] traits, found through the [`registry`], watch production data.

pub mod chunked;
pub mod chunks;
pub mod column_transformer;
mod decimal;
pub mod error;
pub mod escape;
pub mod frame;
pub mod monitor;
pub mod params;
pub mod pipeline;
pub mod prediction_log;
pub mod preprocessing;
pub mod quantile;
pub mod reader;
pub mod registry;
pub mod schema;
pub mod stream;
pub mod timestamp;
pub mod traits;
pub mod writer;

pub use chunked::{CsvChunks, DEFAULT_CHUNK_ROWS};
pub use column_transformer::{ColumnTransformer, Remainder};
pub use error::{Error, Result};
pub use frame::{Categorical, Column, ColumnKind, Frame};
pub use monitor::{Bounds, Finding, FindingKind, Monitor, Severity, Status, Window, method};
pub use params::{ParamValue, Params};
pub use pipeline::{Pipeline, make_pipeline};
pub use prediction_log::{
    InputValue, LoggedCall, Prediction, PredictionRecord, write_prediction_log,
};
pub use reader::{
    NumericTypo, PredictionLog, Projection, ReadOptions, TableFormat, mostly_numeric_columns,
    read_csv, read_csv_path, read_jsonl, read_jsonl_path,
};
pub use schema::{Observed, Schema, Violation};
pub use stream::{Flags, Signal, StreamDetector};
pub use traits::{Estimator, Probabilities, Target, Transformer};
pub use writer::write_csv;

// Re-exported so plugin crates use the same versions as the registry.
pub use inventory;
pub use typetag;
