//! driftwatch-monitor: the monitoring engine.
//!
//! One module per step of `driftwatch monitor`, one entry point each:
//!
//! 1. [`window::split`] cuts the current data into windows (by rows or by time);
//! 2. [`engine::Engine::run`] has every configured monitor check every window;
//! 3. [`alert::AlertPolicy::evaluate`] turns findings into alerts (thresholds relative
//!    to the baseline, severity, consecutive-window hysteresis, cooldown);
//! 4. [`history::append`] / [`history::read`] keep one JSON line per window;
//! 5. [`summary::Summary::build`] sums a period up for the dashboard;
//! 6. [`report::RunReport`] renders a run as text, Markdown or JSON.
//!
//! Nothing here opens a file or prints: readers and writers are passed in by the CLI.

pub mod alert;
pub mod engine;
pub mod error;
pub mod history;
pub mod report;
pub mod summary;
pub mod window;

pub use alert::{Alert, AlertKind, AlertPolicy, AlertState};
pub use engine::{Engine, EngineConfig, MonitorConfig, OnError, WindowReport};
pub use error::{Error, Result};
pub use history::HistoryEntry;
pub use report::RunReport;
pub use summary::{Summary, Trend, TrendDirection};
pub use window::{WindowSpec, split};
