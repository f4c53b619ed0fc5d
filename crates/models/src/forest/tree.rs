//! Flat tree representation (one packed 16-byte node per tree node), traversal
//! and validation. The serialized form lives in `encoding.rs`.

use std::collections::HashMap;

use crate::Error;

/// Bits of every leaf threshold above its 32-bit value row: a quiet NaN, so
/// `x > threshold` is false for every `x` and the traversal step stays on the
/// leaf. It differs from the NaN arithmetic produces (`0x7FF8_0000_0000_0000`),
/// so a plain NaN is never a leaf marker.
const LEAF_TAG: u64 = 0x7FFA_0000_0000_0000;

/// The bits of a threshold that must equal [`LEAF_TAG`] in a leaf.
const LEAF_TAG_MASK: u64 = 0xFFFF_FFFF_0000_0000;

/// One tree node, packed into 16 bytes so a traversal step reads one cache
/// line (the struct is 16-byte aligned, so a node never straddles two).
///
/// * Internal node: sends a row to `left` when `row[feature] <= threshold`
///   and to `left + 1` (the right child) otherwise; `threshold` is finite.
/// * Leaf `n`: `left == n` and `feature == 0`, and `threshold` is a NaN whose
///   low 32 bits are the row `r` of the leaf's outputs, which are
///   `values[r * n_outputs ..][.. n_outputs]` in [`Tree`]. As
///   `x > NaN` is false, the step `left + (row[feature] > threshold)` maps a
///   leaf to itself, which is how traversal ends without a branch per node
///   kind.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(16))]
pub(crate) struct Node {
    /// Split threshold (internal) or the NaN-tagged value row (leaf).
    pub(crate) threshold: f64,
    /// Split feature (internal) or 0 (leaf).
    pub(crate) feature: u32,
    /// Left child (internal; the right child is `left + 1`) or the node's own
    /// id (leaf).
    pub(crate) left: u32,
}

const _: () = assert!(std::mem::size_of::<Node>() == Node::BYTES);

impl Node {
    /// Size of a node in memory.
    pub(crate) const BYTES: usize = 16;

    /// An internal node splitting on `feature` at `threshold`, children
    /// `left` and `left + 1`.
    pub(crate) fn split(feature: u32, threshold: f64, left: u32) -> Node {
        Node {
            threshold,
            feature,
            left,
        }
    }

    /// Leaf number `id` whose outputs are row `row` of the leaf values.
    pub(crate) fn leaf(id: u32, row: u32) -> Node {
        Node {
            threshold: f64::from_bits(LEAF_TAG | u64::from(row)),
            feature: 0,
            left: id,
        }
    }

    /// The value row if the threshold is a leaf tag.
    #[inline]
    pub(crate) fn leaf_row(&self) -> Option<u32> {
        let bits = self.threshold.to_bits();
        (bits & LEAF_TAG_MASK == LEAF_TAG).then_some(bits as u32)
    }

    /// The branch-free traversal step: the child `row` goes to, or the node
    /// itself for a leaf.
    #[inline(always)]
    fn step(&self, row: &[f64]) -> usize {
        self.left as usize + usize::from(row[self.feature as usize] > self.threshold)
    }
}

/// Nodes compare by their bits: leaf thresholds are NaNs, which `==` on
/// `f64` would never find equal.
impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.threshold.to_bits() == other.threshold.to_bits()
            && self.feature == other.feature
            && self.left == other.left
    }
}

/// A fitted tree: packed nodes indexed by node id (root = 0) and the leaf
/// outputs (each distinct output stored once, see
/// `Tree::share_leaf_values`).
///
/// Children are allocated in pairs (`left`, `left + 1`) after their parent
/// (ids grow along every path, so there are no cycles), in the depth-first
/// order of growth: the nodes of a path are mostly close together. Traversal
/// is the branch-free step `n = left[n] + (row[feature[n]] > threshold[n])`,
/// repeated until it stays put (see `Node`); the leaf's output is its row
/// of `values`, `n_outputs` long (normalized class frequencies for a
/// classifier, the mean target for a regressor).
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// The nodes (see [`Node`]).
    pub(crate) nodes: Vec<Node>,
    /// Leaf output rows, `n_outputs` values each.
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
        self.nodes.len()
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| n.left as usize == *i)
            .count()
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

    /// Heap bytes used by the node and leaf arrays: 16 per node plus 8 per
    /// distinct leaf output value.
    pub fn memory_bytes(&self) -> usize {
        self.nodes.len() * Node::BYTES + self.values.len() * 8 + self.importances.len() * 8
    }

    /// Stores every distinct leaf output once, shared by the leaves that
    /// have it (a fully grown classification tree has one per class). Leaves
    /// keep their outputs bit for bit, so predictions do not change.
    pub(crate) fn share_leaf_values(&mut self) {
        let k = self.n_outputs.max(1);
        let mut index: HashMap<Vec<u64>, u32> = HashMap::new();
        let mut shared: Vec<f64> = Vec::new();
        for (i, node) in self.nodes.iter_mut().enumerate() {
            let Some(r) = node.leaf_row().filter(|_| node.left as usize == i) else {
                continue;
            };
            let o = r as usize * k;
            let Some(out) = self.values.get(o..o + k) else {
                continue;
            };
            let key: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            let row = *index.entry(key).or_insert_with(|| {
                let row = (shared.len() / k) as u32;
                shared.extend_from_slice(out);
                row
            });
            *node = Node::leaf(i as u32, row);
        }
        self.values = shared;
    }

    /// Id of the leaf reached by `row`. `row` must have been checked to hold
    /// `n_features` finite values and the tree to be valid.
    #[inline]
    pub(crate) fn leaf_of(&self, row: &[f64]) -> usize {
        let mut n = 0usize;
        loop {
            let next = self.nodes[n].step(row);
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
                let next = self.nodes[*n].step(row);
                moved |= next != *n;
                *n = next;
            }
            if !moved {
                return nodes;
            }
        }
    }

    /// Leaves reached by one row in each of `trees`, written to `leaves`
    /// (same length). All trees advance one level per round, so the cache
    /// misses of every tree overlap; a tree that reached its leaf leaves the
    /// active set, so a round costs only the trees still descending (same
    /// preconditions as [`Tree::leaf_of`]).
    #[inline]
    pub(crate) fn leaves_of_trees(trees: &[Tree], row: &[f64], leaves: &mut [u32]) {
        // `active[..k]`: indices of trees still descending; `leaves[t]`: the
        // current node of tree `t`.
        let mut active = [0u8; MAX_TREES_PER_GROUP];
        let k0 = trees.len().min(leaves.len()).min(MAX_TREES_PER_GROUP);
        for (t, (a, l)) in active
            .iter_mut()
            .zip(leaves.iter_mut())
            .take(k0)
            .enumerate()
        {
            *a = t as u8;
            *l = 0;
        }
        let mut k = k0;
        while k > 0 {
            let mut i = 0;
            while i < k {
                let t = usize::from(active[i]);
                let n = leaves[t] as usize;
                let next = trees[t].nodes[n].step(row);
                leaves[t] = next as u32;
                if next == n {
                    k -= 1;
                    active[i] = active[k];
                } else {
                    i += 1;
                }
            }
        }
    }

    /// Leaf output for `row` (see [`Tree::leaf_of`] preconditions).
    #[inline]
    pub(crate) fn output_of(&self, row: &[f64]) -> &[f64] {
        self.leaf_output(self.leaf_of(row))
    }

    /// Output slice of leaf node `n` (a leaf of a valid tree).
    #[inline]
    pub(crate) fn leaf_output(&self, n: usize) -> &[f64] {
        let o = self.nodes[n].threshold.to_bits() as u32 as usize * self.n_outputs;
        &self.values[o..o + self.n_outputs]
    }

    /// Checks structural integrity so that traversal of a (deserialized)
    /// tree can never panic or loop: children are in range, consecutive and
    /// have larger ids than their parent, leaves are proper self-loops with
    /// the leaf tag, features are below `n_features`, split thresholds and
    /// leaf values are finite, leaf value rows are in range, and
    /// classification leaf rows are distributions (non-negative, sum 1).
    pub fn validate(
        &self,
        n_features: usize,
        n_outputs: usize,
        classification: bool,
    ) -> Result<(), Error> {
        let bad = |msg: String| Err(Error::CorruptModel(msg));
        let n = self.nodes.len();
        if n == 0 {
            return bad("tree has no nodes".into());
        }
        if n >= u32::MAX as usize {
            return bad("tree has too many nodes".into());
        }
        if self.n_outputs != n_outputs || n_outputs == 0 {
            return bad(format!(
                "leaf outputs have length {}, expected {n_outputs}",
                self.n_outputs
            ));
        }
        if !self.values.len().is_multiple_of(n_outputs) {
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
        if self.values.iter().any(|v| !v.is_finite()) {
            return bad("non-finite leaf value".into());
        }
        if classification {
            for (k, out) in self.values.chunks_exact(n_outputs).enumerate() {
                let s: f64 = out.iter().sum();
                if out.iter().any(|&v| v < 0.0) || (s - 1.0).abs() > 1e-6 {
                    return bad(format!(
                        "leaf values at offset {} are not a class distribution",
                        k * n_outputs
                    ));
                }
            }
        }
        let n_rows = self.values.len() / n_outputs;
        // one branch-free pass over the nodes; the reason is only looked for
        // when it fails
        let ok = self
            .nodes
            .iter()
            .enumerate()
            .all(|(i, node)| node_is_valid(i, node, n, n_features, n_rows));
        if ok {
            return Ok(());
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let l = node.left as usize;
            if l == i {
                if node.feature != 0 {
                    return bad(format!("leaf {i} is not a proper self-loop"));
                }
                let Some(r) = node.leaf_row() else {
                    return bad(format!("leaf {i} lacks the leaf marker threshold"));
                };
                if r as usize >= n_rows {
                    return bad(format!(
                        "leaf {i} value row {r} out of range ({n_rows} rows)"
                    ));
                }
            } else {
                if l <= i || l + 1 >= n {
                    return bad(format!(
                        "node {i} has children ({l}, {}); they must be consecutive, after it and in range",
                        l as u64 + 1
                    ));
                }
                if node.feature as usize >= n_features {
                    return bad(format!(
                        "node {i} splits on feature {} but the model has {n_features}",
                        node.feature
                    ));
                }
                if !node.threshold.is_finite() {
                    return bad(format!("node {i} has a non-finite threshold"));
                }
            }
        }
        Ok(())
    }
}

/// The checks of [`Tree::validate`] on node `i` of `n`, without branches: a
/// leaf is a tagged self-loop on feature 0 whose value row is below `n_rows`;
/// an internal node has both children after it and in range, a feature below
/// `n_features` and a finite threshold.
#[inline]
fn node_is_valid(i: usize, node: &Node, n: usize, n_features: usize, n_rows: usize) -> bool {
    let l = node.left as usize;
    let bits = node.threshold.to_bits();
    let leaf_ok = (node.feature == 0)
        & (bits & LEAF_TAG_MASK == LEAF_TAG)
        & ((bits as u32 as usize) < n_rows);
    let split_ok =
        (l > i) & (l + 1 < n) & ((node.feature as usize) < n_features) & node.threshold.is_finite();
    if l == i { leaf_ok } else { split_ok }
}

/// Most trees [`Tree::leaves_of_trees`] descends at once (its active set is a
/// fixed-size array).
pub(crate) const MAX_TREES_PER_GROUP: usize = 128;

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
pub(crate) mod tests {
    use super::*;

    /// Root split on feature 1 at 0.5 into two leaves of a 2-class model.
    pub(crate) fn stump() -> Tree {
        Tree {
            nodes: vec![Node::split(1, 0.5, 1), Node::leaf(1, 0), Node::leaf(2, 1)],
            values: vec![1.0, 0.0, 0.25, 0.75],
            n_outputs: 2,
            importances: vec![0.0, 1.0],
            max_depth: 1,
        }
    }

    #[test]
    fn node_is_sixteen_bytes_aligned_to_sixteen() {
        assert_eq!(std::mem::size_of::<Node>(), 16);
        assert_eq!(std::mem::align_of::<Node>(), 16);
    }

    #[test]
    fn leaf_threshold_is_a_nan_that_never_compares_greater() {
        let leaf = Node::leaf(5, 123);
        assert!(leaf.threshold.is_nan());
        assert_eq!(leaf.leaf_row(), Some(123));
        for x in [f64::MAX, f64::INFINITY, 0.0, -1.0] {
            assert_eq!(leaf.step(&[x]), 5);
        }
        assert_eq!(Node::split(0, 1.0, 3).leaf_row(), None);
        assert_eq!(Node::split(0, f64::NAN, 3).leaf_row(), None);
    }

    #[test]
    fn valid_stump_traverses() {
        let t = stump();
        t.validate(2, 2, true).unwrap();
        assert_eq!(t.leaf_of(&[9.0, 0.5]), 1);
        assert_eq!(t.leaf_of(&[9.0, 0.6]), 2);
        assert_eq!(
            t.leaves_of_group([&[9.0, 0.5][..], &[9.0, 0.6][..]]),
            [1, 2]
        );
        let trees = [t.clone(), stump(), t.clone()];
        let mut leaves = [7u32; 3];
        Tree::leaves_of_trees(&trees, &[0.0, 1.0], &mut leaves);
        assert_eq!(leaves, [2, 2, 2]);
        assert_eq!(t.output_of(&[0.0, 1.0]), &[0.25, 0.75]);
        assert_eq!(t.output_of(&[0.0, 0.0]), &[1.0, 0.0]);
        assert_eq!(t.memory_bytes(), 3 * 16 + 4 * 8 + 2 * 8);
    }

    #[test]
    fn equal_leaf_outputs_are_stored_once() {
        let mut t = Tree {
            nodes: vec![
                Node::split(0, 0.0, 1),
                Node::leaf(1, 0),
                Node::split(1, 1.0, 3),
                Node::leaf(3, 1),
                Node::leaf(4, 2),
            ],
            values: vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
            n_outputs: 2,
            importances: vec![0.5, 0.5],
            max_depth: 2,
        };
        let rows = [[-1.0, 0.0], [1.0, 0.0], [1.0, 2.0]];
        let before: Vec<Vec<f64>> = rows.iter().map(|r| t.output_of(r).to_vec()).collect();
        t.share_leaf_values();
        t.validate(2, 2, true).unwrap();
        assert_eq!(t.values, [1.0, 0.0, 0.0, 1.0]);
        assert_eq!(t.nodes[4], Node::leaf(4, 0));
        assert_eq!(t.n_leaves(), 3);
        let after: Vec<Vec<f64>> = rows.iter().map(|r| t.output_of(r).to_vec()).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn trees_of_different_depths_descend_together() {
        // a chain of depth 3 on feature 0 next to the stump
        let chain = Tree {
            nodes: vec![
                Node::split(0, 0.0, 1),
                Node::leaf(1, 0),
                Node::split(0, 1.0, 3),
                Node::leaf(3, 1),
                Node::split(0, 2.0, 5),
                Node::leaf(5, 2),
                Node::leaf(6, 3),
            ],
            values: vec![1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 0.25, 0.75],
            n_outputs: 2,
            importances: vec![1.0, 0.0],
            max_depth: 3,
        };
        chain.validate(2, 2, true).unwrap();
        let trees = [stump(), chain.clone(), stump()];
        for (x, want) in [(-1.0, 1), (0.5, 3), (1.5, 5), (9.0, 6)] {
            let row = [x, 0.0];
            let mut leaves = [0u32; 3];
            Tree::leaves_of_trees(&trees, &row, &mut leaves);
            assert_eq!(leaves, [1, want, 1]);
            assert_eq!(chain.leaf_of(&row), want as usize);
        }
    }

    #[test]
    fn corruption_is_detected() {
        type Corrupt = Box<dyn Fn(&mut Tree)>;
        let cases: Vec<(&str, Corrupt)> = vec![
            ("child out of range", Box::new(|t| t.nodes[0].left = 7)),
            (
                "right child out of range",
                Box::new(|t| t.nodes[0].left = 2),
            ),
            ("child before parent", Box::new(|t| t.nodes[2].left = 1)),
            ("cycle", Box::new(|t| t.nodes[1].left = 0)),
            ("feature out of range", Box::new(|t| t.nodes[0].feature = 2)),
            (
                "nan threshold",
                Box::new(|t| t.nodes[0].threshold = f64::NAN),
            ),
            (
                "infinite threshold",
                Box::new(|t| t.nodes[0].threshold = f64::INFINITY),
            ),
            ("leaf threshold", Box::new(|t| t.nodes[1].threshold = 0.0)),
            (
                "leaf threshold other nan",
                Box::new(|t| t.nodes[1].threshold = f64::from_bits(0x7FF8_0001_0000_0000)),
            ),
            ("leaf feature", Box::new(|t| t.nodes[1].feature = 1)),
            ("value row", Box::new(|t| t.nodes[2] = Node::leaf(2, 2))),
            (
                "huge value row",
                Box::new(|t| t.nodes[2] = Node::leaf(2, u32::MAX)),
            ),
            ("distribution", Box::new(|t| t.values[0] = 0.5)),
            (
                "negative",
                Box::new(|t| t.values[..2].copy_from_slice(&[2.0, -1.0])),
            ),
            ("non-finite value", Box::new(|t| t.values[2] = f64::NAN)),
            ("odd values", Box::new(|t| t.values.push(0.0))),
            ("empty", Box::new(|t| t.nodes.clear())),
            ("importances", Box::new(|t| t.importances.push(0.0))),
            ("nan importance", Box::new(|t| t.importances[0] = f64::NAN)),
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
