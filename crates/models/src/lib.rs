//! driftwatch-models: estimators and model selection for driftwatch.
//!
//! - [`forest`]: the native, histogram-based decision tree and random forest engine
//!   (classification and regression, extra trees); its fallible operations return
//!   [`Error`] and nothing panics on bad input or a corrupt deserialised model.
//! - [`estimators`]: that engine as pipeline estimators with scikit-learn's names —
//!   `RandomForestClassifier`, `ExtraTreesRegressor`, `DecisionTreeClassifier`, ...
//! - [`linear`]: `LogisticRegression` and `LinearRegression`, fitted by smartcore.
//! - [`selection`]: `train_test_split`, `KFold` / `StratifiedKFold`, grid search over
//!   pipeline parameter paths.
//! - [`labels`]: the `LabelEncoder` every classifier uses.

pub mod error;
pub mod estimators;
pub mod forest;
pub mod labels;
pub mod linear;
pub mod selection;

pub use error::Error;
pub use estimators::{
    DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
    RandomForestClassifier, RandomForestRegressor,
};
pub use linear::{LinearRegression, LogisticRegression};
