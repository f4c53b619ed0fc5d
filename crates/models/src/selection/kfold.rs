//! K-fold cross-validation: [`KFold`], [`StratifiedKFold`] and the [`Cv`] choice.

use driftwatch_core::{Error, Result, Target};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{class_members, rng};

/// One split: `(train, test)` row indices, each sorted ascending.
pub type Fold = (Vec<usize>, Vec<usize>);

/// K consecutive folds (after an optional seeded shuffle), as scikit-learn's `KFold`:
/// the first `n % k` folds get one extra row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KFold {
    /// Number of folds, at least 2.
    pub n_splits: usize,
    /// Shuffle the rows before cutting the folds.
    #[serde(default)]
    pub shuffle: bool,
    /// Seed of the shuffle (unused without it).
    #[serde(default)]
    pub seed: u64,
}

impl Default for KFold {
    fn default() -> Self {
        KFold::new(5)
    }
}

impl KFold {
    /// `n_splits` folds of consecutive rows, no shuffle.
    pub fn new(n_splits: usize) -> Self {
        KFold {
            n_splits,
            shuffle: false,
            seed: 0,
        }
    }

    /// `n_splits` folds of rows shuffled with `seed`.
    pub fn shuffled(n_splits: usize, seed: u64) -> Self {
        KFold {
            n_splits,
            shuffle: true,
            seed,
        }
    }

    /// The folds of `0..n_rows`; each row is in exactly one test fold.
    pub fn split(&self, n_rows: usize) -> Result<Vec<Fold>> {
        check_n_splits(self.n_splits, n_rows)?;
        let mut order: Vec<usize> = (0..n_rows).collect();
        if self.shuffle {
            order.shuffle(&mut rng(self.seed));
        }
        let mut fold_of = vec![0usize; n_rows];
        let (base, extra) = (n_rows / self.n_splits, n_rows % self.n_splits);
        let mut start = 0;
        for f in 0..self.n_splits {
            let size = base + usize::from(f < extra);
            for &row in &order[start..start + size] {
                fold_of[row] = f;
            }
            start += size;
        }
        Ok(folds_from_assignment(&fold_of, self.n_splits))
    }
}

/// Folds that keep the class proportions, as scikit-learn's `StratifiedKFold`: the rows
/// of each class are dealt round-robin over the folds (in blocks, in row order, unless
/// shuffled with the seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratifiedKFold {
    /// Number of folds, at least 2 and at most the size of the smallest class.
    pub n_splits: usize,
    /// Shuffle each class's fold assignment.
    #[serde(default)]
    pub shuffle: bool,
    /// Seed of the shuffle (unused without it).
    #[serde(default)]
    pub seed: u64,
}

impl Default for StratifiedKFold {
    fn default() -> Self {
        StratifiedKFold::new(5)
    }
}

impl StratifiedKFold {
    /// `n_splits` stratified folds, no shuffle.
    pub fn new(n_splits: usize) -> Self {
        StratifiedKFold {
            n_splits,
            shuffle: false,
            seed: 0,
        }
    }

    /// `n_splits` stratified folds, shuffled with `seed`.
    pub fn shuffled(n_splits: usize, seed: u64) -> Self {
        StratifiedKFold {
            n_splits,
            shuffle: true,
            seed,
        }
    }

    /// The folds for one label per row.
    ///
    /// scikit-learn only warns when a class has fewer rows than folds; here it is an
    /// error, since a test fold without that class would skew its score.
    pub fn split(&self, labels: &[String]) -> Result<Vec<Fold>> {
        let n = labels.len();
        check_n_splits(self.n_splits, n)?;
        let k = self.n_splits;
        let classes = class_members(labels);
        if let Some((label, rows)) = classes.iter().min_by_key(|(_, rows)| rows.len())
            && rows.len() < k
        {
            return Err(Error::param(
                "n_splits",
                format!(
                    "{k} folds need at least {k} rows of each class, but class '{label}' has only {}; use fewer folds",
                    rows.len()
                ),
            ));
        }
        // Deal the class-sorted rows round-robin: allocation[f][c] rows of class c in fold f.
        let mut allocation = vec![vec![0usize; classes.len()]; k];
        let mut t = 0;
        for (c, (_, rows)) in classes.iter().enumerate() {
            for _ in rows {
                allocation[t % k][c] += 1;
                t += 1;
            }
        }
        let mut rng = rng(self.seed);
        let mut fold_of = vec![0usize; n];
        for (c, (_, rows)) in classes.iter().enumerate() {
            let mut folds: Vec<usize> = (0..k)
                .flat_map(|f| std::iter::repeat_n(f, allocation[f][c]))
                .collect();
            if self.shuffle {
                folds.shuffle(&mut rng);
            }
            for (&row, f) in rows.iter().zip(folds) {
                fold_of[row] = f;
            }
        }
        Ok(folds_from_assignment(&fold_of, k))
    }
}

/// How a grid search cross-validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cv {
    /// `n` folds, no shuffle: stratified for classifiers, plain for regressors
    /// (scikit-learn's `cv=n`).
    Auto(usize),
    /// Plain folds.
    KFold(KFold),
    /// Stratified folds (class labels only).
    Stratified(StratifiedKFold),
}

impl Default for Cv {
    /// Five folds, as scikit-learn.
    fn default() -> Self {
        Cv::Auto(5)
    }
}

impl Cv {
    /// Number of folds.
    pub fn n_splits(&self) -> usize {
        match self {
            Cv::Auto(n) => *n,
            Cv::KFold(k) => k.n_splits,
            Cv::Stratified(s) => s.n_splits,
        }
    }

    /// The folds for a target; `classifier` picks the kind for [`Cv::Auto`].
    pub fn split(&self, y: &Target, classifier: bool) -> Result<Vec<Fold>> {
        match (self, y) {
            (Cv::Auto(n), Target::Labels(l)) if classifier => StratifiedKFold::new(*n).split(l),
            (Cv::Auto(n), _) => KFold::new(*n).split(y.len()),
            (Cv::KFold(k), _) => k.split(y.len()),
            (Cv::Stratified(s), Target::Labels(l)) => s.split(l),
            (Cv::Stratified(_), Target::Values(_)) => Err(Error::param(
                "cv",
                "stratified folds need class labels, but the target is numeric; use KFold",
            )),
        }
    }
}

fn check_n_splits(k: usize, n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Empty("the data to split into folds".into()));
    }
    if k < 2 {
        return Err(Error::param(
            "n_splits",
            format!("needs at least 2 folds, got {k}"),
        ));
    }
    if k > n {
        return Err(Error::param(
            "n_splits",
            format!("cannot make {k} folds of {n} rows; use at most {n}"),
        ));
    }
    Ok(())
}

fn folds_from_assignment(fold_of: &[usize], k: usize) -> Vec<Fold> {
    (0..k)
        .map(|f| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..fold_of.len()).partition(|&r| fold_of[r] == f);
            (train, test)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kfold_matches_scikit_learn_without_shuffle() {
        let folds = KFold::new(3).split(7).unwrap();
        let tests: Vec<Vec<usize>> = folds.iter().map(|f| f.1.clone()).collect();
        assert_eq!(tests, [vec![0, 1, 2], vec![3, 4], vec![5, 6]]);
        assert_eq!(folds[1].0, [0, 1, 2, 5, 6]);
    }

    #[test]
    fn stratified_matches_scikit_learn_without_shuffle() {
        // sklearn: StratifiedKFold(2).split(X, [a,a,a,a,b,b]) -> test [0,1,4], [2,3,5]
        let y: Vec<String> = ["a", "a", "a", "a", "b", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let folds = StratifiedKFold::new(2).split(&y).unwrap();
        assert_eq!(folds[0].1, [0, 1, 4]);
        assert_eq!(folds[1].1, [2, 3, 5]);
    }

    #[test]
    fn bad_fold_counts_are_errors() {
        assert!(KFold::new(1).split(10).is_err());
        assert!(KFold::new(11).split(10).is_err());
        assert!(KFold::new(2).split(0).is_err());
        let y: Vec<String> = ["a", "a", "a", "b"].iter().map(|s| s.to_string()).collect();
        let err = StratifiedKFold::new(2).split(&y).unwrap_err().to_string();
        assert!(err.contains("'b'"), "{err}");
    }
}
