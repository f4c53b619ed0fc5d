//! The workflows behind the `driftwatch` binary, shared with `cargo xtask simulate`:
//! the default pipeline, training with a held-out split, evaluation and a monitoring run.

pub mod pipeline_config;
pub mod workflow;
