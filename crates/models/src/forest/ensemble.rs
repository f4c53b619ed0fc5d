//! Public model types: forests and single trees, classification and regression.

use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binning::Binned;
use super::params::{DecisionTreeParams, ForestParams, check_criterion};
use super::predict::{Ensemble, argmax};
use super::split::{GrowConfig, Target, grow_tree};
use super::tree::Tree;
use crate::Error;

/// Random forest (or extra-trees, see [`ForestParams::extra_trees_classifier`])
/// classifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForestClassifier {
    params: ForestParams,
    ensemble: Ensemble,
    class_names: Option<Vec<String>>,
    oob_score: Option<f64>,
}

/// Random forest (or extra-trees, see [`ForestParams::extra_trees_regressor`])
/// regressor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForestRegressor {
    params: ForestParams,
    ensemble: Ensemble,
    oob_score: Option<f64>,
}

/// Single CART classification tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeClassifier {
    params: DecisionTreeParams,
    ensemble: Ensemble,
    class_names: Option<Vec<String>>,
}

/// Single CART regression tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeRegressor {
    params: DecisionTreeParams,
    ensemble: Ensemble,
}

fn check_xy(x: &ArrayView2<'_, f64>, n_targets: usize) -> Result<(), Error> {
    let (n, nf) = x.dim();
    if n == 0 || nf == 0 {
        return Err(Error::EmptyInput(format!("training matrix is {n} x {nf}")));
    }
    if n_targets != n {
        return Err(Error::Shape(format!("{n} rows but {n_targets} targets")));
    }
    if n > u32::MAX as usize {
        return Err(Error::Shape(format!(
            "{n} rows exceed the supported {}",
            u32::MAX
        )));
    }
    Ok(())
}

fn class_target(y: &[usize], n_classes: usize) -> Result<Vec<u32>, Error> {
    if n_classes == 0 || n_classes > u32::MAX as usize {
        return Err(Error::InvalidParam {
            name: "n_classes",
            reason: format!("must be in 1..={}, got {n_classes}", u32::MAX),
        });
    }
    y.iter()
        .enumerate()
        .map(|(row, &label)| {
            if label < n_classes {
                Ok(label as u32)
            } else {
                Err(Error::LabelOutOfRange {
                    label,
                    row,
                    n_classes,
                })
            }
        })
        .collect()
}

fn check_reg_target(y: &[f64]) -> Result<(), Error> {
    match y.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(Error::NonFiniteTarget { row, value: y[row] }),
        None => Ok(()),
    }
}

fn check_class_names(names: &Option<Vec<String>>, n_classes: usize) -> Result<(), Error> {
    match names {
        Some(v) if v.len() != n_classes => Err(Error::Shape(format!(
            "{} class names for {n_classes} classes",
            v.len()
        ))),
        _ => Ok(()),
    }
}

fn in_pool<T: Send>(n_jobs: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    match n_jobs {
        None => Ok(f()),
        Some(k) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(k)
                .build()
                .map_err(|e| Error::ThreadPool(e.to_string()))?;
            Ok(pool.install(f))
        }
    }
}

/// Generator of tree `tree` of a forest seeded with `seed`: one ChaCha8
/// stream per tree, independent of scheduling.
fn tree_rng(seed: u64, tree: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(tree as u64);
    rng
}

struct ForestFit {
    trees: Vec<Tree>,
    /// Per tree, in-bag bitset over rows (only when OOB scoring is on).
    inbag: Vec<Vec<u64>>,
}

fn fit_trees(
    params: &ForestParams,
    x: ArrayView2<'_, f64>,
    target: &Target<'_>,
) -> Result<ForestFit, Error> {
    let (n, nf) = x.dim();
    let binned = Binned::new(x, params.max_bins)?;
    let cfg = GrowConfig {
        criterion: params.criterion,
        splitter: params.splitter,
        max_depth: params.max_depth.unwrap_or(usize::MAX),
        min_samples_split: params.min_samples_split,
        min_samples_leaf: params.min_samples_leaf,
        max_features: params.max_features.resolve(nf)?,
    };
    let n_draws = match (&params.max_samples, params.bootstrap) {
        (Some(ms), true) => ms.resolve(n)?,
        _ => n,
    };
    let want_oob = params.oob_score && params.bootstrap;
    let out: Vec<(Tree, Vec<u64>)> = (0..params.n_estimators)
        .into_par_iter()
        .map(|t| {
            let mut rng = tree_rng(params.seed, t);
            let weights = if params.bootstrap {
                let mut w = vec![0u32; n];
                for _ in 0..n_draws {
                    w[rng.random_range(0..n)] += 1;
                }
                w
            } else {
                vec![1u32; n]
            };
            let tree = grow_tree(&binned, target, &cfg, &weights, &mut rng);
            let mut bits = Vec::new();
            if want_oob {
                bits = vec![0u64; n.div_ceil(64)];
                for (i, &w) in weights.iter().enumerate() {
                    if w > 0 {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
            }
            (tree, bits)
        })
        .collect();
    let (trees, inbag) = out.into_iter().unzip();
    Ok(ForestFit { trees, inbag })
}

/// Out-of-bag mean outputs per row (`None` for rows in every bag), rows in order.
fn oob_outputs(
    ens: &Ensemble,
    inbag: &[Vec<u64>],
    x: ArrayView2<'_, f64>,
) -> Vec<Option<Vec<f64>>> {
    let c = ens.n_outputs;
    (0..x.nrows())
        .into_par_iter()
        .map_init(Vec::new, |row, i| {
            row.clear();
            row.extend(x.row(i).iter().copied());
            let mut acc = vec![0.0; c];
            let mut k = 0usize;
            for (tree, bits) in ens.trees.iter().zip(inbag) {
                if bits[i / 64] >> (i % 64) & 1 == 0 {
                    for (a, v) in acc.iter_mut().zip(tree.output_of(row)) {
                        *a += v;
                    }
                    k += 1;
                }
            }
            (k > 0).then(|| {
                acc.iter_mut().for_each(|a| *a /= k as f64);
                acc
            })
        })
        .collect()
}

/// Coefficient of determination, scikit-learn conventions for constant targets.
fn r2(y: &[f64], pred: &[f64]) -> f64 {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_tot: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    let ss_res: f64 = y.iter().zip(pred).map(|(a, b)| (a - b) * (a - b)).sum();
    if ss_tot == 0.0 {
        if ss_res == 0.0 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    }
}

fn proba_array(ens: &Ensemble, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
    let out = ens.predict_batch(x)?;
    Array2::from_shape_vec((x.nrows(), ens.n_outputs), out).map_err(|e| Error::Shape(e.to_string()))
}

fn argmax_rows(ens: &Ensemble, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, Error> {
    let out = ens.predict_batch(x)?;
    Ok(out.chunks_exact(ens.n_outputs).map(argmax).collect())
}

/// Allocation-free (for up to 32 classes) argmax of the mean class distribution.
fn predict_class_row(ens: &Ensemble, row: &[f64]) -> Result<usize, Error> {
    let c = ens.n_outputs;
    if c <= 32 {
        let mut buf = [0.0f64; 32];
        ens.predict_row_into(row, &mut buf[..c])?;
        Ok(argmax(&buf[..c]))
    } else {
        let mut buf = vec![0.0; c];
        ens.predict_row_into(row, &mut buf)?;
        Ok(argmax(&buf))
    }
}

macro_rules! common_accessors {
    () => {
        /// Number of features the model was fitted on.
        pub fn n_features(&self) -> usize {
            self.ensemble.n_features
        }

        /// Total number of nodes over all trees.
        pub fn n_nodes(&self) -> usize {
            self.ensemble.n_nodes()
        }

        /// The fitted trees.
        pub fn trees(&self) -> &[Tree] {
            &self.ensemble.trees
        }

        /// Heap bytes held by the trees' node and leaf arrays.
        pub fn memory_bytes(&self) -> usize {
            self.ensemble.memory_bytes()
        }

        /// Mean decrease in impurity per feature (weighted by samples),
        /// normalized to sum to 1; all zero if every tree is a single leaf.
        pub fn feature_importances(&self) -> Vec<f64> {
            self.ensemble.feature_importances()
        }
    };
}

macro_rules! classifier_methods {
    () => {
        /// Number of classes.
        pub fn n_classes(&self) -> usize {
            self.ensemble.n_outputs
        }

        /// Class names, if attached.
        pub fn class_names(&self) -> Option<&[String]> {
            self.class_names.as_deref()
        }

        /// Attaches class names (one per class index).
        pub fn with_class_names(mut self, names: Vec<String>) -> Result<Self, Error> {
            check_class_names(&Some(names.clone()), self.ensemble.n_outputs)?;
            self.class_names = Some(names);
            Ok(self)
        }

        /// Predicted class index per row (first class on ties).
        pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, Error> {
            argmax_rows(&self.ensemble, x)
        }

        /// Class probabilities, `n_rows x n_classes`: mean over trees of the
        /// leaf class frequencies.
        pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, Error> {
            proba_array(&self.ensemble, x)
        }

        /// Predicted class index of one row (no allocation up to 32 classes).
        pub fn predict_row(&self, row: &[f64]) -> Result<usize, Error> {
            predict_class_row(&self.ensemble, row)
        }

        /// Class probabilities of one row, written to `out` (`n_classes` long).
        pub fn predict_proba_row(&self, row: &[f64], out: &mut [f64]) -> Result<(), Error> {
            self.ensemble.predict_row_into(row, out)
        }

        /// Checks structural integrity of a (deserialized) model against the
        /// number of features of the data it will see.
        pub fn validate(&self, n_features: usize) -> Result<(), Error> {
            self.ensemble.validate(n_features, true)?;
            check_class_names(&self.class_names, self.ensemble.n_outputs)
                .map_err(|e| Error::CorruptModel(e.to_string()))
        }

        common_accessors!();
    };
}

macro_rules! regressor_methods {
    () => {
        /// Predicted value per row (mean over trees).
        pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>, Error> {
            self.ensemble.predict_batch(x)
        }

        /// Predicted value of one row (no allocation).
        pub fn predict_row(&self, row: &[f64]) -> Result<f64, Error> {
            let mut out = [0.0];
            self.ensemble.predict_row_into(row, &mut out)?;
            Ok(out[0])
        }

        /// Checks structural integrity of a (deserialized) model against the
        /// number of features of the data it will see.
        pub fn validate(&self, n_features: usize) -> Result<(), Error> {
            self.ensemble.validate(n_features, false)
        }

        common_accessors!();
    };
}

impl RandomForestClassifier {
    /// Fits on `x` (`n_rows x n_features`, finite values) and class indices
    /// `y` in `0..n_classes`.
    pub fn fit(
        params: &ForestParams,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
    ) -> Result<Self, Error> {
        params.check()?;
        check_criterion(params.criterion, true)?;
        check_xy(&x, y.len())?;
        let yc = class_target(y, n_classes)?;
        in_pool(params.n_jobs, || {
            let target = Target::Class { y: &yc, n_classes };
            let fit = fit_trees(params, x, &target)?;
            let ensemble = Ensemble {
                trees: fit.trees,
                n_features: x.ncols(),
                n_outputs: n_classes,
            };
            let oob_score = if params.oob_score && params.bootstrap {
                let outs = oob_outputs(&ensemble, &fit.inbag, x);
                let (mut hit, mut k) = (0usize, 0usize);
                for (o, &label) in outs.iter().zip(y) {
                    if let Some(p) = o {
                        k += 1;
                        hit += usize::from(argmax(p) == label);
                    }
                }
                (k > 0).then(|| hit as f64 / k as f64)
            } else {
                None
            };
            Ok(Self {
                params: params.clone(),
                ensemble,
                class_names: None,
                oob_score,
            })
        })?
    }

    /// Out-of-bag accuracy (if requested at fit; rows in every bag are skipped).
    pub fn oob_score(&self) -> Option<f64> {
        self.oob_score
    }

    /// Parameters the model was fitted with.
    pub fn params(&self) -> &ForestParams {
        &self.params
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.ensemble.trees.len()
    }

    classifier_methods!();
}

impl RandomForestRegressor {
    /// Fits on `x` (`n_rows x n_features`, finite values) and finite targets `y`.
    pub fn fit(params: &ForestParams, x: ArrayView2<'_, f64>, y: &[f64]) -> Result<Self, Error> {
        params.check()?;
        check_criterion(params.criterion, false)?;
        check_xy(&x, y.len())?;
        check_reg_target(y)?;
        in_pool(params.n_jobs, || {
            let target = Target::Reg { y };
            let fit = fit_trees(params, x, &target)?;
            let ensemble = Ensemble {
                trees: fit.trees,
                n_features: x.ncols(),
                n_outputs: 1,
            };
            let oob_score = if params.oob_score && params.bootstrap {
                let outs = oob_outputs(&ensemble, &fit.inbag, x);
                let (ys, ps): (Vec<f64>, Vec<f64>) = outs
                    .iter()
                    .zip(y)
                    .filter_map(|(o, &v)| o.as_ref().map(|p| (v, p[0])))
                    .unzip();
                (!ys.is_empty()).then(|| r2(&ys, &ps))
            } else {
                None
            };
            Ok(Self {
                params: params.clone(),
                ensemble,
                oob_score,
            })
        })?
    }

    /// Out-of-bag R² (if requested at fit; rows in every bag are skipped).
    pub fn oob_score(&self) -> Option<f64> {
        self.oob_score
    }

    /// Parameters the model was fitted with.
    pub fn params(&self) -> &ForestParams {
        &self.params
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.ensemble.trees.len()
    }

    regressor_methods!();
}

fn fit_single(
    params: &DecisionTreeParams,
    x: ArrayView2<'_, f64>,
    target: &Target<'_>,
) -> Result<Tree, Error> {
    let binned = Binned::new(x, params.max_bins)?;
    let cfg = GrowConfig {
        criterion: params.criterion,
        splitter: params.splitter,
        max_depth: params.max_depth.unwrap_or(usize::MAX),
        min_samples_split: params.min_samples_split,
        min_samples_leaf: params.min_samples_leaf,
        max_features: params.max_features.resolve(x.ncols())?,
    };
    let weights = vec![1u32; x.nrows()];
    let mut rng = tree_rng(params.seed, 0);
    Ok(grow_tree(&binned, target, &cfg, &weights, &mut rng))
}

impl DecisionTreeClassifier {
    /// Fits on `x` (finite values) and class indices `y` in `0..n_classes`.
    pub fn fit(
        params: &DecisionTreeParams,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
    ) -> Result<Self, Error> {
        params.check()?;
        check_criterion(params.criterion, true)?;
        check_xy(&x, y.len())?;
        let yc = class_target(y, n_classes)?;
        let tree = fit_single(params, x, &Target::Class { y: &yc, n_classes })?;
        Ok(Self {
            params: params.clone(),
            ensemble: Ensemble {
                trees: vec![tree],
                n_features: x.ncols(),
                n_outputs: n_classes,
            },
            class_names: None,
        })
    }

    /// Parameters the model was fitted with.
    pub fn params(&self) -> &DecisionTreeParams {
        &self.params
    }

    classifier_methods!();
}

impl DecisionTreeRegressor {
    /// Fits on `x` (finite values) and finite targets `y`.
    pub fn fit(
        params: &DecisionTreeParams,
        x: ArrayView2<'_, f64>,
        y: &[f64],
    ) -> Result<Self, Error> {
        params.check()?;
        check_criterion(params.criterion, false)?;
        check_xy(&x, y.len())?;
        check_reg_target(y)?;
        let tree = fit_single(params, x, &Target::Reg { y })?;
        Ok(Self {
            params: params.clone(),
            ensemble: Ensemble {
                trees: vec![tree],
                n_features: x.ncols(),
                n_outputs: 1,
            },
        })
    }

    /// Parameters the model was fitted with.
    pub fn params(&self) -> &DecisionTreeParams {
        &self.params
    }

    regressor_methods!();
}
