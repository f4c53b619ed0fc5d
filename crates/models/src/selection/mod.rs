//! Model selection, scikit-learn style: [`train_test_split`], [`KFold`] and
//! [`StratifiedKFold`], and [`GridSearch`] over pipeline parameter paths.
//!
//! Everything is deterministic for a given seed (ChaCha8 from `rand_chacha`), and
//! returns index lists, so the same split applies to features and target alike.

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
