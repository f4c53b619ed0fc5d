//! Model selection, scikit-learn style: [`train_test_split`], [`KFold`] and
//! [`StratifiedKFold`], and [`GridSearch`] over pipeline parameter paths.
//!
//! Everything is deterministic for a given seed (ChaCha8 from `rand_chacha`), and
//! returns index lists, so the same split applies to features and target alike.
//!
//! ```
//! use driftwatch_core::{Column, Frame, Pipeline, Target};
//! use driftwatch_models::linear::LogisticRegression;
//! use driftwatch_models::selection::{GridSearch, ParamGrid, TestSize, train_test_split};
//!
//! let x: Vec<f64> = (0..40).map(|i| i as f64 / 4.0).collect();
//! let y: Vec<String> = x.iter().map(|v| if *v > 5.0 { "hi" } else { "lo" }.to_string()).collect();
//! let frame = Frame::new(vec![("x".into(), Column::Numeric(x.into()))])?;
//! let target = Target::Labels(y);
//!
//! let (train, test) = train_test_split(40, TestSize::Fraction(0.25), 42, Some(target.labels()?))?;
//! assert_eq!((train.len(), test.len()), (30, 10));
//!
//! let pipeline = Pipeline::new().with_model("model", Box::new(LogisticRegression::default()));
//! let grid = ParamGrid::parse(&["model__C=0.1,1,10"])?;
//! let result = GridSearch::new(grid).fit(&pipeline, &frame.take_rows(&train)?, &target.take(&train))?;
//! println!("{result}"); // rank, mean and std of the accuracy, parameters
//! let predictions = result.best_pipeline.predict(&frame.take_rows(&test)?)?;
//! assert_eq!(predictions.len(), 10);
//! # Ok::<(), driftwatch_core::Error>(())
//! ```

mod grid;
mod kfold;
mod scoring;
mod split;

pub use grid::{CandidateResult, GridSearch, GridSearchResult, ParamGrid, cross_val_score};
pub use kfold::{Cv, Fold, KFold, StratifiedKFold};
pub use scoring::Scoring;
pub use split::{TestSize, train_test_split};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random generator used for every shuffle in this module.
fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Rows of each class in order of first appearance: `(label, row indices)`.
fn class_members(labels: &[String]) -> Vec<(&str, Vec<usize>)> {
    let mut order: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut index = std::collections::HashMap::<&str, usize>::new();
    for (row, l) in labels.iter().enumerate() {
        let k = *index.entry(l.as_str()).or_insert_with(|| {
            order.push((l.as_str(), Vec::new()));
            order.len() - 1
        });
        order[k].1.push(row);
    }
    order
}
