//! driftwatch-models: estimators and model selection for driftwatch.
//!
//! - [`linear`]: `LogisticRegression` and `LinearRegression`, fitted by smartcore.
//! - [`selection`]: `train_test_split`, `KFold` / `StratifiedKFold`, grid search over
//!   pipeline parameter paths.
//! - [`labels`]: the `LabelEncoder` every classifier uses.

pub mod labels;
pub mod linear;
pub mod selection;
