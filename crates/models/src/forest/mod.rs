//! Native histogram-based decision trees and random forests.
//!
//! * Classification (`Gini`, `Entropy`) and regression (`SquaredError`),
//!   best-split random forests and random-threshold extra trees
//!   ([`Splitter::Random`]) share one engine.
//! * Every feature is quantized once per fit into at most 255 quantile bins
//!   (`u8` codes, column-major). Split search uses per-node histograms with
//!   histogram subtraction; small nodes sort their codes instead. Thresholds
//!   are stored as real values (midpoints between training values), so
//!   prediction works on raw `f64` rows without binning.
//! * Bootstrap is a per-row count used as an integer sample weight. Trees are
//!   fitted in parallel with rayon; tree `i` draws from a ChaCha8 stream
//!   derived from `(seed, i)`, so a model is bit-identical whatever the
//!   number of threads.
//! * A tree is an array of packed 16-byte nodes (threshold, feature, left
//!   child; leaves loop on themselves), so a traversal step reads one cache
//!   line and has no branch per node kind. One-row prediction descends every
//!   tree at once, so their cache misses overlap; batch prediction runs rows
//!   in lockstep through one tree at a time, in parallel over row chunks.
//!   Serialized, a tree is a few byte columns (`encoding.rs`), not numbers
//!   one by one.
//! * NaN or infinite inputs are rejected with an error naming the feature (at
//!   fit and at predict time): imputation belongs to the pipeline.
//! * Models are `Serialize + Deserialize`; call `validate(n_features)` on a
//!   loaded model so that corruption is an error rather than a panic.
//!
//! ```
//! use driftwatch_models::forest::{ForestParams, RandomForestClassifier};
//! use ndarray::array;
//!
//! let x = array![[0.0, 1.0], [1.0, 0.0], [0.1, 0.9], [0.9, 0.2]];
//! let y = [0, 1, 0, 1];
//! let params = ForestParams::classifier().with_n_estimators(10).with_seed(42);
//! let model = RandomForestClassifier::fit(&params, x.view(), &y, 2)?;
//! assert_eq!(model.predict(x.view())?, vec![0, 1, 0, 1]);
//! # Ok::<(), driftwatch_models::Error>(())
//! ```

mod binning;
mod encoding;
mod ensemble;
mod params;
mod predict;
mod split;
mod tree;

pub use ensemble::{
    DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor,
};
pub use params::{
    Criterion, DecisionTreeParams, ForestParams, MAX_BINS, MaxFeatures, MaxSamples, Splitter,
};
pub use tree::Tree;
