//! Flat (struct-of-arrays) tree representation, traversal and validation.

use serde::{Deserialize, Serialize};

use crate::Error;

/// Marker in `value` for an internal node.
pub const NO_NODE: u32 = u32::MAX;

/// Threshold stored in leaves: no finite value is greater, so the traversal
/// step stays on the leaf.
pub(crate) const LEAF_THRESHOLD: f64 = f64::MAX;

/// A fitted tree stored as flat arrays indexed by node id (root = 0).
///
/// Internal node `n` sends a row to `left[n]` when
/// `row[feature[n]] <= threshold[n]` and to `right[n]` otherwise; children
/// are allocated in pairs (`right[n] == left[n] + 1`) and always have larger
/// ids than their parent, so traversal is the branch-free step
/// `n = left[n] + (row[feature[n]] > threshold[n])`. A leaf points to itself
/// (`left[n] == right[n] == n`, `feature[n] == 0`,
/// `threshold[n] == f64::MAX`), so that step is a no-op on it, and its output
/// is `values[value[n] .. value[n] + n_outputs]` (normalized class
/// frequencies for a classifier, the mean target for a regressor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Split feature per node (0 for leaves).
    pub(crate) feature: Vec<u32>,
    /// Split threshold per node (`f64::MAX` for leaves).
    pub(crate) threshold: Vec<f64>,
    /// Left child per node (itself for leaves).
    pub(crate) left: Vec<u32>,
    /// Right child per node (`left + 1`; itself for leaves).
    pub(crate) right: Vec<u32>,
    /// Offset of the leaf output in `values` (`NO_NODE` for internal nodes).
    pub(crate) value: Vec<u32>,
    /// Leaf outputs, `n_outputs` per leaf.
    pub(crate) values: Vec<f64>,
    /// Outputs per leaf (number of classes, or 1 for regression).
    pub(crate) n_outputs: usize,
    /// Normalized mean-decrease-in-impurity importances (all zero for a stump).
    pub(crate) importances: Vec<f64>,
    /// Depth of the deepest leaf (root = 0).
    pub(crate) max_depth: u32,
}

impl Tree {
    /// Number of nodes (internal + leaves).
    pub fn n_nodes(&self) -> usize {
        self.feature.len()
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.values.len() / self.n_outputs.max(1)
    }

    /// Depth of the deepest leaf (a single-leaf tree has depth 0).
    pub fn depth(&self) -> usize {
        self.max_depth as usize
    }

    /// Outputs per leaf (number of classes, or 1 for regression).
    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    /// Normalized feature importances (mean decrease in impurity).
    pub fn feature_importances(&self) -> &[f64] {
        &self.importances
    }

    /// Heap bytes used by the node and leaf arrays.
    pub fn memory_bytes(&self) -> usize {
        self.feature.len() * (4 + 8 + 4 + 4 + 4)
            + self.values.len() * 8
            + self.importances.len() * 8
    }

    /// Id of the leaf reached by `row`. `row` must have been checked to hold
    /// `n_features` finite values and the tree to be valid.
    #[inline]
    pub(crate) fn leaf_of(&self, row: &[f64]) -> usize {
        let mut n = 0usize;
        loop {
            let next = self.left[n] as usize
                + usize::from(row[self.feature[n] as usize] > self.threshold[n]);
            if next == n {
                return n;
            }
            n = next;
        }
    }

    /// Leaves reached by `K` rows, traversed in lockstep with the branch-free
    /// step so that the memory accesses of the rows overlap (same
    /// preconditions as [`Tree::leaf_of`]).
    #[inline]
    pub(crate) fn leaves_of_group<const K: usize>(&self, rows: [&[f64]; K]) -> [usize; K] {
        let mut nodes = [0usize; K];
        loop {
            let mut moved = false;
            for (n, row) in nodes.iter_mut().zip(rows) {
                let next = self.left[*n] as usize
                    + usize::from(row[self.feature[*n] as usize] > self.threshold[*n]);
                moved |= next != *n;
                *n = next;
            }
            if !moved {
                return nodes;
            }
        }
    }

    /// Leaves reached by one row in `K` different trees, traversed in
    /// lockstep so that the cache misses of the trees overlap (single-row
    /// latency; same preconditions as [`Tree::leaf_of`]).
    #[inline]
    pub(crate) fn leaves_of_trees<const K: usize>(trees: [&Tree; K], row: &[f64]) -> [usize; K] {
        let mut nodes = [0usize; K];
        loop {
            let mut moved = false;
            for (n, t) in nodes.iter_mut().zip(trees) {
                let next = t.left[*n] as usize
                    + usize::from(row[t.feature[*n] as usize] > t.threshold[*n]);
                moved |= next != *n;
                *n = next;
            }
            if !moved {
                return nodes;
            }
        }
    }

    /// Leaf output for `row` (see [`Tree::leaf_of`] preconditions).
    #[inline]
    pub(crate) fn output_of(&self, row: &[f64]) -> &[f64] {
        self.leaf_output(self.leaf_of(row))
    }

    /// Output slice of leaf node `n`.
    #[inline]
    pub(crate) fn leaf_output(&self, n: usize) -> &[f64] {
        let o = self.value[n] as usize;
        &self.values[o..o + self.n_outputs]
    }

    /// Checks structural integrity so that traversal of a (deserialized)
    /// tree can never panic or loop: array lengths agree, children are in
    /// range, consecutive and have larger ids than their parent, leaves are
    /// proper self-loops, features are below
    /// `n_features`, thresholds and leaf values are finite, leaf outputs are
    /// `n_outputs` long, and classification leaves are distributions.
    pub fn validate(
        &self,
        n_features: usize,
        n_outputs: usize,
        classification: bool,
    ) -> Result<(), Error> {
        let bad = |msg: String| Err(Error::CorruptModel(msg));
        let n = self.feature.len();
        if n == 0 {
            return bad("tree has no nodes".into());
        }
        if n >= NO_NODE as usize {
            return bad("tree has too many nodes".into());
        }
        if self.threshold.len() != n
            || self.left.len() != n
            || self.right.len() != n
            || self.value.len() != n
        {
            return bad("node arrays have different lengths".into());
        }
        if self.n_outputs != n_outputs || n_outputs == 0 {
            return bad(format!(
                "leaf outputs have length {}, expected {n_outputs}",
                self.n_outputs
            ));
        }
        if self.values.len() % n_outputs != 0 {
            return bad("leaf value array length is not a multiple of the output count".into());
        }
        if self.importances.len() != n_features {
            return bad(format!(
                "{} importances for {n_features} features",
                self.importances.len()
            ));
        }
        if self.importances.iter().any(|v| !v.is_finite()) {
            return bad("non-finite feature importance".into());
        }
        for i in 0..n {
            let (l, r) = (self.left[i] as usize, self.right[i] as usize);
            if l == i {
                if r != i || self.feature[i] != 0 || self.threshold[i] != LEAF_THRESHOLD {
                    return bad(format!("leaf {i} is not a proper self-loop"));
                }
                let o = self.value[i] as usize;
                let Some(out) = self.values.get(o..o.saturating_add(n_outputs)) else {
                    return bad(format!("leaf {i} value offset {o} out of range"));
                };
                if out.len() != n_outputs || out.iter().any(|v| !v.is_finite()) {
                    return bad(format!("leaf {i} has invalid values"));
                }
                if classification {
                    let s: f64 = out.iter().sum();
                    if out.iter().any(|&v| v < 0.0) || (s - 1.0).abs() > 1e-6 {
                        return bad(format!("leaf {i} is not a class distribution"));
                    }
                }
            } else {
                if l <= i || r != l + 1 || r >= n {
                    return bad(format!(
                        "node {i} has children ({l}, {r}); they must be consecutive, after it and in range"
                    ));
                }
                if self.feature[i] as usize >= n_features {
                    return bad(format!(
                        "node {i} splits on feature {} but the model has {n_features}",
                        self.feature[i]
                    ));
                }
                if !self.threshold[i].is_finite() {
                    return bad(format!("node {i} has a non-finite threshold"));
                }
            }
        }
        Ok(())
    }
}

/// Returns an error if `row` has a NaN or infinite value.
#[inline]
pub(crate) fn check_row(row: &[f64], row_index: usize) -> Result<(), Error> {
    match row.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(f) => Err(Error::NonFinite {
            feature: f,
            row: row_index,
            value: row[f],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Root split on feature 1 at 0.5 into two leaves of a 2-class model.
    fn stump() -> Tree {
        Tree {
            feature: vec![1, 0, 0],
            threshold: vec![0.5, LEAF_THRESHOLD, LEAF_THRESHOLD],
            left: vec![1, 1, 2],
            right: vec![2, 1, 2],
            value: vec![NO_NODE, 0, 2],
            values: vec![1.0, 0.0, 0.25, 0.75],
            n_outputs: 2,
            importances: vec![0.0, 1.0],
            max_depth: 1,
        }
    }

    #[test]
    fn valid_stump_traverses() {
        let t = stump();
        t.validate(2, 2, true).unwrap();
        assert_eq!(t.leaf_of(&[9.0, 0.5]), 1);
        assert_eq!(t.leaf_of(&[9.0, 0.6]), 2);
        let row = [0.0, 1.0];
        assert_eq!(Tree::leaves_of_trees([&t, &t], &row), [2, 2]);
        assert_eq!(t.output_of(&[0.0, 1.0]), &[0.25, 0.75]);
    }

    #[test]
    fn corruption_is_detected() {
        type Corrupt = Box<dyn Fn(&mut Tree)>;
        let cases: Vec<(&str, Corrupt)> = vec![
            ("child out of range", Box::new(|t| t.left[0] = 7)),
            ("child before parent", Box::new(|t| t.left[2] = 1)),
            (
                "cycle",
                Box::new(|t| {
                    t.left[1] = 0;
                    t.right[1] = 1;
                }),
            ),
            ("non-consecutive children", Box::new(|t| t.right[0] = 1)),
            ("feature out of range", Box::new(|t| t.feature[0] = 2)),
            ("nan threshold", Box::new(|t| t.threshold[0] = f64::NAN)),
            ("leaf threshold", Box::new(|t| t.threshold[1] = 0.0)),
            ("value offset", Box::new(|t| t.value[2] = 3)),
            ("distribution", Box::new(|t| t.values[0] = 0.5)),
            ("non-finite value", Box::new(|t| t.values[2] = f64::NAN)),
            (
                "lengths",
                Box::new(|t| {
                    t.threshold.pop();
                }),
            ),
            (
                "empty",
                Box::new(|t| {
                    t.feature.clear();
                    t.threshold.clear();
                    t.left.clear();
                    t.right.clear();
                    t.value.clear();
                }),
            ),
            ("importances", Box::new(|t| t.importances.push(0.0))),
            ("n_outputs", Box::new(|t| t.n_outputs = 3)),
        ];
        for (name, corrupt) in cases {
            let mut t = stump();
            corrupt(&mut t);
            assert!(
                matches!(t.validate(2, 2, true), Err(Error::CorruptModel(_))),
                "{name} not detected"
            );
        }
        // a regression model does not need distributions
        let mut t = stump();
        t.values[0] = 3.0;
        assert!(t.validate(2, 2, false).is_ok());
        assert!(t.validate(1, 2, false).is_err());
    }
}
