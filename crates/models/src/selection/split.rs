//! [`train_test_split`]: one shuffled (optionally stratified) split into train and test.

use driftwatch_core::{Error, Result};
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{class_members, rng};

/// How large the test set is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestSize {
    /// A fraction of the rows in (0, 1); the count is rounded up, as in scikit-learn.
    Fraction(f64),
    /// An exact number of rows, at least 1 and less than the number of rows.
    Count(usize),
}

impl Default for TestSize {
    /// 25% of the rows, scikit-learn's default.
    fn default() -> Self {
        TestSize::Fraction(0.25)
    }
}

impl TestSize {
    /// The number of test rows out of `n_rows`: `ceil(fraction * n_rows)` or the count.
    ///
    /// An error when the fraction is not in (0, 1), the count is 0 or not below
    /// `n_rows`, or either side of the split would be empty.
    pub fn n_test(self, n_rows: usize) -> Result<usize> {
        if n_rows == 0 {
            return Err(Error::Empty("the data to split".into()));
        }
        let n_test = match self {
            TestSize::Fraction(f) => {
                if !(f > 0.0 && f < 1.0) {
                    return Err(Error::param(
                        "test_size",
                        format!("a fraction must be in (0, 1), got {f}"),
                    ));
                }
                (f * n_rows as f64).ceil() as usize
            }
            TestSize::Count(c) => {
                if c == 0 || c >= n_rows {
                    return Err(Error::param(
                        "test_size",
                        format!("a row count must be between 1 and {}, got {c}", n_rows - 1),
                    ));
                }
                c
            }
        };
        if n_test >= n_rows {
            return Err(Error::param(
                "test_size",
                format!(
                    "with {n_rows} rows and test_size {self} the train set would be empty; use a smaller test_size"
                ),
            ));
        }
        Ok(n_test)
    }
}

impl std::fmt::Display for TestSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TestSize::Fraction(x) => write!(f, "{x}"),
            TestSize::Count(c) => write!(f, "{c} rows"),
        }
    }
}

/// Splits row indices `0..n_rows` into `(train, test)`, each sorted ascending.
///
/// Same `seed`, same split. With `stratify` (one label per row) each class keeps its
/// proportion in both parts, allocated like scikit-learn's `StratifiedShuffleSplit`
/// (largest remainders, ties broken by the seed); every class then needs at least two
/// rows and each part at least one row per class.
pub fn train_test_split(
    n_rows: usize,
    test_size: TestSize,
    seed: u64,
    stratify: Option<&[String]>,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let n_test = test_size.n_test(n_rows)?;
    let n_train = n_rows - n_test;
    let mut rng = rng(seed);
    let (mut train, mut test) = match stratify {
        None => {
            let mut perm: Vec<usize> = (0..n_rows).collect();
            perm.shuffle(&mut rng);
            let test = perm[..n_test].to_vec();
            (perm[n_test..].to_vec(), test)
        }
        Some(labels) => stratified(labels, n_rows, n_train, n_test, &mut rng)?,
    };
    train.sort_unstable();
    test.sort_unstable();
    Ok((train, test))
}

fn stratified(
    labels: &[String],
    n_rows: usize,
    n_train: usize,
    n_test: usize,
    rng: &mut impl Rng,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if labels.len() != n_rows {
        return Err(Error::Shape(format!(
            "stratify has {} labels for {n_rows} rows",
            labels.len()
        )));
    }
    let classes = class_members(labels);
    let k = classes.len();
    if let Some((label, rows)) = classes.iter().find(|(_, rows)| rows.len() < 2) {
        return Err(Error::InvalidValue(format!(
            "cannot stratify: class '{label}' has only {} row; every class needs at least 2",
            rows.len()
        )));
    }
    for (part, size) in [("train", n_train), ("test", n_test)] {
        if size < k {
            return Err(Error::param(
                "test_size",
                format!(
                    "the {part} set of {size} rows cannot hold all {k} classes; it needs at least {k} rows"
                ),
            ));
        }
    }
    let counts: Vec<usize> = classes.iter().map(|(_, r)| r.len()).collect();
    let train_alloc = approximate_mode(&counts, n_train, rng);
    let rest: Vec<usize> = counts
        .iter()
        .zip(&train_alloc)
        .map(|(c, t)| c - t)
        .collect();
    let test_alloc = approximate_mode(&rest, n_test, rng);
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (i, (_, rows)) in classes.into_iter().enumerate() {
        let mut rows = rows;
        rows.shuffle(rng);
        train.extend_from_slice(&rows[..train_alloc[i]]);
        test.extend_from_slice(&rows[train_alloc[i]..train_alloc[i] + test_alloc[i]]);
    }
    Ok((train, test))
}

/// Draws `n_draws` items from classes of sizes `counts` as close to proportionally as
/// possible (scikit-learn `_approximate_mode`): floors first, then one more for the
/// classes with the largest remainders, ties broken at random.
pub(crate) fn approximate_mode(counts: &[usize], n_draws: usize, rng: &mut impl Rng) -> Vec<usize> {
    let total: u128 = counts.iter().map(|&c| c as u128).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let scaled: Vec<u128> = counts
        .iter()
        .map(|&c| c as u128 * n_draws as u128)
        .collect();
    let mut floored: Vec<usize> = scaled.iter().map(|s| (s / total) as usize).collect();
    let remainder: Vec<u128> = scaled.iter().map(|s| s % total).collect();
    let mut need = n_draws.saturating_sub(floored.iter().sum());
    let mut values = remainder.clone();
    values.sort_unstable_by(|a, b| b.cmp(a));
    values.dedup();
    for v in values {
        if need == 0 {
            break;
        }
        let mut inds: Vec<usize> = (0..counts.len()).filter(|&i| remainder[i] == v).collect();
        inds.shuffle(rng);
        let now = inds.len().min(need);
        for &i in &inds[..now] {
            floored[i] += 1;
        }
        need -= now;
    }
    floored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximate_mode_is_proportional() {
        let mut r = rng(0);
        assert_eq!(approximate_mode(&[50, 50], 10, &mut r), [5, 5]);
        let a = approximate_mode(&[3, 3, 3], 4, &mut r);
        assert_eq!(a.iter().sum::<usize>(), 4);
        assert!(a.iter().all(|&x| x == 1 || x == 2));
        assert_eq!(approximate_mode(&[7, 3], 10, &mut r), [7, 3]);
    }

    #[test]
    fn sizes_round_like_scikit_learn() {
        assert_eq!(TestSize::Fraction(0.25).n_test(10).unwrap(), 3);
        assert_eq!(TestSize::Fraction(0.2).n_test(11).unwrap(), 3);
        assert_eq!(TestSize::Count(4).n_test(10).unwrap(), 4);
        assert!(TestSize::Fraction(1.0).n_test(10).is_err());
        assert!(TestSize::Fraction(f64::NAN).n_test(10).is_err());
        assert!(TestSize::Count(10).n_test(10).is_err());
        assert!(TestSize::Fraction(0.99).n_test(10).is_err());
        assert!(TestSize::Fraction(0.5).n_test(0).is_err());
    }
}
