//! Classification and regression metrics for driftwatch, matching
//! scikit-learn 1.9 (`sklearn.metrics`) value for value.
//!
//! All functions are pure, take slices, and return a [`Result`] with
//! [`Error`] instead of panicking on bad input (empty or mismatched inputs,
//! non-finite regression values, an unknown `pos_label`, ...).
//!
//! * Classification ([`classification`]): [`accuracy`],
//!   [`confusion_matrix`], [`precision_recall_fscore_support`] (and its
//!   general form [`precision_recall_fbeta_support`]), [`precision`],
//!   [`recall`], [`f1`], [`fbeta`], [`classification_report`], and the
//!   per-window summary [`ClassificationMetrics`].
//! * Regression ([`regression`]): [`mse`], [`rmse`], [`mae`], [`r2`],
//!   [`mape`], and the per-window summary [`RegressionMetrics`].
//!
//! ```
//! use driftwatch_metrics::{Average, ClassificationMetrics, ZeroDivision, f1};
//!
//! let y_true = ["setosa", "versicolor", "virginica", "virginica"];
//! let y_pred = ["setosa", "virginica", "virginica", "virginica"];
//! let m = ClassificationMetrics::weighted(&y_true, &y_pred)?;
//! assert_eq!(m.accuracy, 0.75);
//! let macro_f1 = f1(&y_true, &y_pred, Average::Macro, ZeroDivision::Zero)?;
//! assert!((macro_f1 - (1.0 + 0.0 + 0.8) / 3.0).abs() < 1e-15);
//! # Ok::<(), driftwatch_metrics::Error>(())
//! ```

pub mod classification;
mod error;
pub mod monitor;
pub mod quality;
pub mod regression;
pub mod report;
mod sum;

pub use classification::{
    Average, ClassificationMetrics, ConfusionMatrix, PerClassPrf, Prf, PrfScores, ZeroDivision,
    accuracy, confusion_matrix, f1, fbeta, precision, precision_recall_fbeta_support,
    precision_recall_fscore_support, recall,
};
pub use error::Error;
pub use monitor::{ACCURACY, F1, PRECISION, PerformanceMonitor, R2, RECALL, window_metrics};
pub use quality::{
    INVALID_SHARE, LATENCY_P50, LATENCY_P95, LATENCY_P99, LATENCY_PERCENTILES, LatencyMonitor,
    MISSING_SHARE, MissingValuesMonitor,
};
pub use regression::{RegressionMetrics, mae, mape, mse, r2, rmse};
pub use report::{
    ClassRow, ClassificationReport, ReportOptions, ReportRow, classification_report,
    classification_report_with,
};
