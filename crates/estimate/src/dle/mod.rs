//! DLE, direct loss estimation, as NannyML 0.13.1 defines it: a regressor's MAE, MSE
//! and RMSE estimated on windows without labels, registered as the monitor `dle`.
//!
//! # How it works
//!
//! On the reference (features, the model's predictions and the targets) each row's
//! loss is known: |y - ŷ| for MAE, (y - ŷ)² for MSE and RMSE. A loss model learns it
//! from the row's features plus the prediction. On a window the estimated metric is
//! the mean predicted loss, negative predictions clipped to 0 (for RMSE, the square
//! root of the estimated MSE), exactly as NannyML's `DLE` does. Differences from
//! NannyML:
//!
//! - NannyML's loss model is LightGBM with its defaults; here it is driftwatch's random
//!   forest (`driftwatch_models::forest::RandomForestRegressor`): by default 48 trees,
//!   no depth limit, leaves of at least 300 rows, every feature considered per split,
//!   each tree on a bootstrap sample of the reference (configuration keys `n_trees`,
//!   `max_depth`, `min_samples_leaf`, `seed`; [`DleConfig`] says why). Estimates are therefore close
//!   to NannyML's, not equal (on NannyML's car price data the difference is stated in
//!   `tests/dle_golden.rs`).
//! - MSE and RMSE share one squared-error model (NannyML fits the same one twice).
//! - The forest takes finite numbers only: categorical features become ordinal codes
//!   of the reference's sorted levels plus 1 (NannyML's `OrdinalEncoder` + 1); a level
//!   the reference never had is 0 and a missing value has a code of its own. A missing
//!   or infinite number becomes a value below every reference value, so trees can
//!   split it off, as LightGBM sends missing values one way.
//!
//! The sampling error is NannyML's, from the reference losses' population standard
//! deviation σ and mean μ at a window of n rows: σ/√n for MAE and MSE, √(σ² / (4nμ))
//! for RMSE.
//!
//! The thresholds are NannyML's `StandardDeviationThreshold`: the realized metric on
//! each reference chunk of `chunk_rows` rows (the last, incomplete chunk kept, as
//! NannyML's `SizeBasedChunker`), mean ± `std` (default 3) population standard
//! deviations, the lower one clipped at 0. Without `chunk_rows` the reference is cut
//! as NannyML's `DefaultChunker` cuts it: chunks of `rows / 10` rows (at least 1), the
//! rest a chunk of its own. An estimate outside the band alerts, as NannyML: above it
//! with severity MEDIUM, below it (the model doing better than on the reference) LOW.
//!
//! # Findings
//!
//! Per metric (`mae`, `mse`, `rmse`, see [`method`]): one
//! [`FindingKind::Estimate`](driftwatch_core::FindingKind::Estimate) finding, method
//! `estimated_<metric>`, with `bounds` (the band), `sampling_error`, `threshold` (the
//! upper bound) and status; and, when the window has labels, one
//! [`FindingKind::Info`](driftwatch_core::FindingKind::Info) finding `realized_<metric>`
//! from its labelled rows with a finite target (NannyML drops missing targets).
//!
//! # Errors
//!
//! Class labels as predictions or labels (use `cbpe`), a window without predictions,
//! a non-finite prediction, a reference without labels or with a non-finite or
//! unlabelled target, an empty window, a feature column missing from a window or of
//! another kind than in the reference: each is a [`DleError`] naming the input and
//! what to do, returned as a `driftwatch_core::Error`.
//!
//! # Configuration
//!
//! The `config` table of the monitor (`monitors.config` in `monitor.toml`); the values
//! shown are the defaults, the commented keys are unset by default:
//!
//! ```toml
//! metrics = ["mae", "mse", "rmse"]
//! # chunk_rows = 5000    # the window size; unset: the reference in 10 chunks
//! std = 3.0
//! # features = ["car_age", "km_driven"]  # default: every reference feature column
//! n_trees = 48
//! # max_depth = 12       # default: no limit
//! min_samples_leaf = 300
//! seed = 0
//! ```

mod config;
mod encode;
mod error;
mod metric;
mod monitor;
mod thresholds;

pub use config::DleConfig;
pub use encode::FeatureEncoder;
pub use error::DleError;
pub use metric::{DleMetric, Loss, LossSpread, method};
pub use monitor::{DleEstimate, DleMonitor, NAME};
pub use thresholds::{Band, DEFAULT_CHUNK_COUNT, chunk_ranges};
