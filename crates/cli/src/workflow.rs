//! The steps a user runs, as library calls shared by the binary and `cargo xtask
//! simulate`, one job per module: [`pipeline`] (the default pipeline, the target split
//! off), [`training`] (held-out split, grid search, baseline metrics), [`settings`]
//! (`path=value` parameters). The monitoring pass, the `monitor.toml` schema and row
//! validation live in driftwatch-run and are re-exported here.

pub mod pipeline;
pub mod settings;
pub mod training;

pub use driftwatch_run::{
    DEFAULT_MONITORS, MonitorFile, Validated, WindowSettings, default_band, default_monitor_file,
    validate_rows,
};
pub use pipeline::{default_model, default_pipeline, default_preprocessing, split_target};
pub use settings::parse_settings;
pub use training::{TrainSettings, Trained, score, train};
