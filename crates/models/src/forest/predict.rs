//! Averaging predictions of a set of trees, batch (parallel over row chunks)
//! and single row.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::tree::{MAX_TREES_PER_GROUP, Tree, check_row};
use crate::Error;

/// Rows traversed in lockstep through one tree.
const LOCKSTEP: usize = 8;

/// Largest number of rows per parallel work item: every tree is applied to
/// all rows of a chunk before the next tree, so large chunks reuse each
/// tree's nodes from cache.
const MAX_CHUNK: usize = 4096;

/// Rows per work item: as large as allowed while giving every thread an
/// equal number of chunks.
fn row_chunk(n: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let n_chunks = n.div_ceil(MAX_CHUNK).max(threads).next_multiple_of(threads);
    n.div_ceil(n_chunks).max(1)
}

/// Trees plus the shape information shared by every model type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Ensemble {
    pub trees: Vec<Tree>,
    pub n_features: usize,
    /// Number of classes, or 1 for regression.
    pub n_outputs: usize,
}

impl Ensemble {
    pub fn n_nodes(&self) -> usize {
        self.trees.iter().map(Tree::n_nodes).sum()
    }

    pub fn memory_bytes(&self) -> usize {
        self.trees.iter().map(Tree::memory_bytes).sum()
    }

    pub fn validate(&self, n_features: usize, classification: bool) -> Result<(), Error> {
        if n_features != self.n_features {
            return Err(Error::FeatureCountMismatch {
                expected: self.n_features,
                got: n_features,
            });
        }
        if self.n_features == 0 {
            return Err(Error::CorruptModel("model has zero features".into()));
        }
        if self.trees.is_empty() {
            return Err(Error::CorruptModel("model has no trees".into()));
        }
        if self.n_outputs == 0 {
            return Err(Error::CorruptModel("model has zero outputs".into()));
        }
        // trees in parallel; the error reported is that of the first bad tree
        let results: Vec<Result<(), Error>> = self
            .trees
            .par_iter()
            .map(|tree| tree.validate(self.n_features, self.n_outputs, classification))
            .collect();
        for (t, r) in results.into_iter().enumerate() {
            r.map_err(|e| match e {
                Error::CorruptModel(m) => Error::CorruptModel(format!("tree {t}: {m}")),
                other => Error::CorruptModel(format!("tree {t}: {other}")),
            })?;
        }
        Ok(())
    }

    /// Mean-decrease-in-impurity importances: mean of the per-tree normalized
    /// importances over trees with more than one node, renormalized (all zero
    /// if every tree is a single leaf), as scikit-learn does.
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut acc = vec![0.0; self.n_features];
        let mut k = 0usize;
        for t in self.trees.iter().filter(|t| t.n_nodes() > 1) {
            for (a, v) in acc.iter_mut().zip(&t.importances) {
                *a += v;
            }
            k += 1;
        }
        let sum: f64 = acc.iter().sum();
        if k > 0 && sum > 0.0 {
            acc.iter_mut().for_each(|v| *v /= sum);
        }
        acc
    }

    fn check_width(&self, got: usize) -> Result<(), Error> {
        if got != self.n_features {
            return Err(Error::FeatureCountMismatch {
                expected: self.n_features,
                got,
            });
        }
        Ok(())
    }

    /// Mean tree output for one row into `out` (`n_outputs` long).
    pub fn predict_row_into(&self, row: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.check_width(row.len())?;
        if out.len() != self.n_outputs {
            return Err(Error::Shape(format!(
                "output buffer has length {}, expected {}",
                out.len(),
                self.n_outputs
            )));
        }
        check_row(row, 0)?;
        out.fill(0.0);
        // every tree of a group descends at once; outputs are added in tree
        // order, so the result is bit-identical to the batch path
        let mut leaves = [0u32; MAX_TREES_PER_GROUP];
        for group in self.trees.chunks(MAX_TREES_PER_GROUP) {
            let leaves = &mut leaves[..group.len()];
            Tree::leaves_of_trees(group, row, leaves);
            for (tree, &leaf) in group.iter().zip(leaves.iter()) {
                for (o, v) in out.iter_mut().zip(tree.leaf_output(leaf as usize)) {
                    *o += v;
                }
            }
        }
        let k = 1.0 / self.trees.len() as f64;
        out.iter_mut().for_each(|o| *o *= k);
        Ok(())
    }

    /// Mean tree output for every row of `x`, row-major `n_rows * n_outputs`.
    pub fn predict_batch(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>, Error> {
        self.check_width(x.ncols())?;
        let (n, nf) = x.dim();
        let c = self.n_outputs;
        let mut out = vec![0.0; n * c];
        if n == 0 {
            return Ok(out);
        }
        let contiguous = x.as_slice();
        let chunk = row_chunk(n);
        let results: Vec<Result<(), Error>> = out
            .par_chunks_mut(chunk * c)
            .enumerate()
            .map(|(k, out)| {
                let r0 = k * chunk;
                let r1 = (r0 + chunk).min(n);
                let owned: Vec<f64>;
                let rows: &[f64] = match contiguous {
                    Some(all) => &all[r0 * nf..r1 * nf],
                    None => {
                        owned = (r0..r1)
                            .flat_map(|i| x.row(i).into_iter().copied())
                            .collect();
                        &owned
                    }
                };
                self.predict_chunk(rows, r0, out)
            })
            .collect();
        results.into_iter().collect::<Result<(), Error>>()?;
        Ok(out)
    }

    /// Tree-major accumulation over a chunk of rows: every tree stays hot in
    /// cache while it is applied to all rows of the chunk.
    fn predict_chunk(&self, rows: &[f64], first_row: usize, out: &mut [f64]) -> Result<(), Error> {
        let nf = self.n_features.max(1);
        for (k, row) in rows.chunks_exact(nf).enumerate() {
            check_row(row, first_row + k)?;
        }
        let c = self.n_outputs;
        let n_rows = rows.len() / nf;
        let full = n_rows / LOCKSTEP * LOCKSTEP;
        for tree in &self.trees {
            for g in (0..full).step_by(LOCKSTEP) {
                let group: [&[f64]; LOCKSTEP] =
                    std::array::from_fn(|k| &rows[(g + k) * nf..(g + k + 1) * nf]);
                let leaves = tree.leaves_of_group(group);
                for (k, &leaf) in leaves.iter().enumerate() {
                    let o = &mut out[(g + k) * c..(g + k + 1) * c];
                    for (a, v) in o.iter_mut().zip(tree.leaf_output(leaf)) {
                        *a += v;
                    }
                }
            }
            let tail = rows[full * nf..].chunks_exact(nf);
            for (row, o) in tail.zip(out[full * c..].chunks_exact_mut(c)) {
                for (a, v) in o.iter_mut().zip(tree.output_of(row)) {
                    *a += v;
                }
            }
        }
        let k = 1.0 / self.trees.len() as f64;
        out.iter_mut().for_each(|o| *o *= k);
        Ok(())
    }
}

/// Index of the first maximum (NumPy `argmax` semantics).
pub(crate) fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
