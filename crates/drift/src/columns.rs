//! Per-column drift between a reference frame and a current frame.
//!
//! One path for the `drift` subcommand and the `feature_drift` monitor: fit once on the
//! reference (sorted samples, decile edges and counts, category counts), then judge any
//! number of current frames. Each row carries the test that ran (chosen by
//! [`TestKind::Auto`] unless set), its statistic and p-value, an effect size, the
//! verdict, the options the test took, and data findings (missing share, empty,
//! constant, one-sided columns, unseen categories, infinite values), so bad data is
//! reported instead of stopping the check.

mod as_frame;
mod categorical;
pub(crate) mod check;
pub(crate) mod correction;
mod numeric;
mod options;
mod reference;
mod report;
pub(crate) mod sketched;
mod test_kind;

pub(crate) use categorical::{Outcome, categorical_test};
pub use check::AUTO_CATEGORICAL_MAX_INTEGERS;
pub use correction::{CORRECTION_NAMES, Correction, adjust_p_values};
pub use options::{AppliedOptions, ColumnOverride, DriftOptions, OptionError, OptionName};
pub use reference::{ColumnReference, DriftReference, FittedColumn, NumericReference};
pub use report::{ColumnDrift, DataIssue, DriftReport, MAX_LISTED, SKIPPED};
pub use test_kind::{ANDERSON_CRITICAL_5PCT, TEST_NAMES, TestKind, auto_test};
