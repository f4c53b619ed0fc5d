//! driftwatch-run: one monitoring pass, shared by `driftwatch monitor`, `cargo xtask
//! simulate` and the coming server, so that none of them builds windows or reports on
//! its own.
//!
//! [`pass::run`] is the entry point: the model ([`Predictor`]: a bundle's [`Model`] with
//! pipeline, schema and baseline, or [`PredictionColumns`] already in the data),
//! the reference ([`Labelled`]), the current data ([`Current`]: a table, batches or a
//! prediction log) and a [`PassConfig`] in; an [`Outcome`] (windows, report, history
//! lines, skipped rows) out. [`config`] is the `monitor.toml` schema with the default
//! monitor set ([`DEFAULT_MONITORS`]); [`validate`] the row validation.
//!
//! Nothing here opens a file or prints.

pub mod columns;
pub mod config;
pub mod error;
pub mod pass;
pub mod validate;

pub use columns::{PredictionColumns, ProbaSpec, Task};
pub use config::{
    DEFAULT_MONITORS, MonitorFile, WindowSettings, default_band, default_monitor_file,
};
pub use error::{Error, Result};
pub use pass::{
    CBPE, Current, DLE, LATENCY_COLUMN, Labelled, Model, Outcome, PassConfig, Predictor,
    report_json, run,
};

// Linked for its registrations: the default set names `cbpe` and `dle`.
use driftwatch_estimate as _;
pub use validate::{Validated, rejected_before, validate_rows};
