//! Hyper-parameters of trees and forests (scikit-learn names and defaults).

use serde::{Deserialize, Serialize};

use crate::Error;

/// Largest number of bins a feature can be quantized into (codes are `u8`).
pub const MAX_BINS: usize = 255;

/// Function measuring the quality of a split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Criterion {
    /// Gini impurity (classification; scikit-learn's default).
    Gini,
    /// Shannon entropy / information gain (classification).
    Entropy,
    /// Mean squared error / variance reduction (regression).
    SquaredError,
}

impl Criterion {
    /// Whether this criterion is meant for classification.
    pub fn is_classification(self) -> bool {
        matches!(self, Criterion::Gini | Criterion::Entropy)
    }
}

/// Strategy used to choose the split at each node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Splitter {
    /// Best threshold of each candidate feature (random forests, CART).
    Best,
    /// One uniformly random threshold per candidate feature (extra trees).
    Random,
}

/// Number of features considered when looking for the best split.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// `max(1, floor(sqrt(n_features)))` (random forest classifier default).
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// Every feature (regressor and single-tree default, scikit-learn's `1.0`/`None`).
    All,
    /// `max(1, floor(fraction * n_features))`, fraction in `(0, 1]`.
    Fraction(f64),
    /// An absolute count in `1..=n_features`.
    Count(usize),
}

impl MaxFeatures {
    /// Resolves to a feature count for a data set with `n_features` columns.
    pub fn resolve(&self, n_features: usize) -> Result<usize, Error> {
        let nf = n_features.max(1);
        let k = match *self {
            MaxFeatures::Sqrt => (nf as f64).sqrt().floor() as usize,
            MaxFeatures::Log2 => (nf as f64).log2().floor() as usize,
            MaxFeatures::All => nf,
            MaxFeatures::Fraction(f) => (f * nf as f64).floor() as usize,
            MaxFeatures::Count(c) => {
                if c > nf {
                    return Err(Error::InvalidParam {
                        name: "max_features",
                        reason: format!("{c} exceeds the number of features ({nf})"),
                    });
                }
                c
            }
        };
        Ok(k.clamp(1, nf))
    }

    fn check(&self) -> Result<(), Error> {
        match *self {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => Err(Error::InvalidParam {
                name: "max_features",
                reason: format!("fraction must be in (0, 1], got {f}"),
            }),
            MaxFeatures::Count(0) => Err(Error::InvalidParam {
                name: "max_features",
                reason: "count must be at least 1".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// Size of each bootstrap sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum MaxSamples {
    /// Absolute number of draws, in `1..=n_samples`.
    Count(usize),
    /// `max(1, round(fraction * n_samples))` draws, fraction in `(0, 1]`.
    Fraction(f64),
}

impl MaxSamples {
    /// Resolves to a number of draws for a training set of `n_samples` rows.
    pub fn resolve(&self, n_samples: usize) -> Result<usize, Error> {
        match *self {
            MaxSamples::Count(c) if c == 0 || c > n_samples => Err(Error::InvalidParam {
                name: "max_samples",
                reason: format!("count must be in 1..={n_samples}, got {c}"),
            }),
            MaxSamples::Count(c) => Ok(c),
            MaxSamples::Fraction(f) => Ok(((f * n_samples as f64).round() as usize).max(1)),
        }
    }

    fn check(&self) -> Result<(), Error> {
        match *self {
            MaxSamples::Fraction(f) if !(f > 0.0 && f <= 1.0) => Err(Error::InvalidParam {
                name: "max_samples",
                reason: format!("fraction must be in (0, 1], got {f}"),
            }),
            MaxSamples::Count(0) => Err(Error::InvalidParam {
                name: "max_samples",
                reason: "count must be at least 1".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// Parameters of a single decision tree (`DecisionTreeClassifier` /
/// `DecisionTreeRegressor` in scikit-learn).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeParams {
    /// Split quality measure.
    pub criterion: Criterion,
    /// Best or random thresholds.
    pub splitter: Splitter,
    /// Maximum depth (root has depth 0); `None` grows until leaves are pure.
    pub max_depth: Option<usize>,
    /// Minimum number of (distinct) samples a node needs to be split (>= 2).
    pub min_samples_split: usize,
    /// Minimum number of (distinct) samples in each leaf (>= 1).
    pub min_samples_leaf: usize,
    /// Features considered per split.
    pub max_features: MaxFeatures,
    /// Number of quantile bins per feature, in `2..=255`.
    pub max_bins: usize,
    /// Seed of the random generator (feature sampling, random thresholds).
    pub seed: u64,
}

impl DecisionTreeParams {
    /// scikit-learn `DecisionTreeClassifier()` defaults (gini, all features).
    pub fn classifier() -> Self {
        Self {
            criterion: Criterion::Gini,
            splitter: Splitter::Best,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            max_bins: MAX_BINS,
            seed: 0,
        }
    }

    /// scikit-learn `DecisionTreeRegressor()` defaults (squared error, all features).
    pub fn regressor() -> Self {
        Self {
            criterion: Criterion::SquaredError,
            ..Self::classifier()
        }
    }

    /// Validates every parameter; never panics.
    pub fn check(&self) -> Result<(), Error> {
        check_common(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            &self.max_features,
            self.max_bins,
        )
    }
}

impl Default for DecisionTreeParams {
    fn default() -> Self {
        Self::classifier()
    }
}

/// Parameters of a forest (`RandomForest*` / `ExtraTrees*` in scikit-learn).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    /// Number of trees (>= 1).
    pub n_estimators: usize,
    /// Split quality measure.
    pub criterion: Criterion,
    /// `Best` for random forests, `Random` for extra trees.
    pub splitter: Splitter,
    /// Maximum depth of each tree; `None` grows until leaves are pure.
    pub max_depth: Option<usize>,
    /// Minimum number of (distinct) samples a node needs to be split (>= 2).
    pub min_samples_split: usize,
    /// Minimum number of (distinct) samples in each leaf (>= 1).
    pub min_samples_leaf: usize,
    /// Features considered per split.
    pub max_features: MaxFeatures,
    /// Whether each tree sees a bootstrap sample (drawn with replacement).
    pub bootstrap: bool,
    /// Size of each bootstrap sample (`None`: as many draws as rows).
    pub max_samples: Option<MaxSamples>,
    /// Compute the out-of-bag score at fit time (needs `bootstrap`).
    pub oob_score: bool,
    /// Number of quantile bins per feature, in `2..=255`.
    pub max_bins: usize,
    /// Seed; tree `i` uses a generator derived from `(seed, i)`, so the model
    /// does not depend on the number of threads.
    pub seed: u64,
    /// Threads to fit with (`None`: the current rayon pool).
    pub n_jobs: Option<usize>,
}

impl ForestParams {
    /// scikit-learn `RandomForestClassifier()` defaults.
    pub fn classifier() -> Self {
        Self {
            n_estimators: 100,
            criterion: Criterion::Gini,
            splitter: Splitter::Best,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            bootstrap: true,
            max_samples: None,
            oob_score: false,
            max_bins: MAX_BINS,
            seed: 0,
            n_jobs: None,
        }
    }

    /// scikit-learn `RandomForestRegressor()` defaults (`max_features = 1.0`).
    pub fn regressor() -> Self {
        Self {
            criterion: Criterion::SquaredError,
            max_features: MaxFeatures::All,
            ..Self::classifier()
        }
    }

    /// scikit-learn `ExtraTreesClassifier()` defaults (random thresholds, no bootstrap).
    pub fn extra_trees_classifier() -> Self {
        Self {
            splitter: Splitter::Random,
            bootstrap: false,
            ..Self::classifier()
        }
    }

    /// scikit-learn `ExtraTreesRegressor()` defaults.
    pub fn extra_trees_regressor() -> Self {
        Self {
            splitter: Splitter::Random,
            bootstrap: false,
            ..Self::regressor()
        }
    }

    /// Sets the number of trees.
    pub fn with_n_estimators(mut self, n: usize) -> Self {
        self.n_estimators = n;
        self
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the maximum depth.
    pub fn with_max_depth(mut self, max_depth: Option<usize>) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets the number of features considered per split.
    pub fn with_max_features(mut self, max_features: MaxFeatures) -> Self {
        self.max_features = max_features;
        self
    }

    /// Turns bootstrap sampling on or off.
    pub fn with_bootstrap(mut self, bootstrap: bool) -> Self {
        self.bootstrap = bootstrap;
        self
    }

    /// Turns out-of-bag scoring on or off.
    pub fn with_oob_score(mut self, oob_score: bool) -> Self {
        self.oob_score = oob_score;
        self
    }

    /// Sets the number of threads (`None`: current rayon pool).
    pub fn with_n_jobs(mut self, n_jobs: Option<usize>) -> Self {
        self.n_jobs = n_jobs;
        self
    }

    /// Validates every parameter; never panics.
    pub fn check(&self) -> Result<(), Error> {
        if self.n_estimators == 0 {
            return Err(Error::InvalidParam {
                name: "n_estimators",
                reason: "must be at least 1".into(),
            });
        }
        check_common(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            &self.max_features,
            self.max_bins,
        )?;
        if let Some(ms) = &self.max_samples {
            if !self.bootstrap {
                return Err(Error::InvalidParam {
                    name: "max_samples",
                    reason: "cannot be set when bootstrap is false".into(),
                });
            }
            ms.check()?;
        }
        if self.oob_score && !self.bootstrap {
            return Err(Error::InvalidParam {
                name: "oob_score",
                reason: "out-of-bag estimation needs bootstrap = true".into(),
            });
        }
        if self.n_jobs == Some(0) {
            return Err(Error::InvalidParam {
                name: "n_jobs",
                reason: "must be at least 1 (or None)".into(),
            });
        }
        Ok(())
    }

    /// Parameters of each member tree (seed is overridden per tree).
    pub fn tree_params(&self) -> DecisionTreeParams {
        DecisionTreeParams {
            criterion: self.criterion,
            splitter: self.splitter,
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: self.max_features,
            max_bins: self.max_bins,
            seed: self.seed,
        }
    }
}

impl Default for ForestParams {
    fn default() -> Self {
        Self::classifier()
    }
}

fn check_common(
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: &MaxFeatures,
    max_bins: usize,
) -> Result<(), Error> {
    if max_depth == Some(0) {
        return Err(Error::InvalidParam {
            name: "max_depth",
            reason: "must be at least 1 (or None)".into(),
        });
    }
    if min_samples_split < 2 {
        return Err(Error::InvalidParam {
            name: "min_samples_split",
            reason: format!("must be at least 2, got {min_samples_split}"),
        });
    }
    if min_samples_leaf < 1 {
        return Err(Error::InvalidParam {
            name: "min_samples_leaf",
            reason: "must be at least 1".into(),
        });
    }
    if !(2..=MAX_BINS).contains(&max_bins) {
        return Err(Error::InvalidParam {
            name: "max_bins",
            reason: format!("must be in 2..={MAX_BINS}, got {max_bins}"),
        });
    }
    max_features.check()
}

/// Checks that a criterion fits the task (classification or regression).
pub(crate) fn check_criterion(criterion: Criterion, classification: bool) -> Result<(), Error> {
    if criterion.is_classification() != classification {
        let task = if classification {
            "a classifier (use Gini or Entropy)"
        } else {
            "a regressor (use SquaredError)"
        };
        return Err(Error::InvalidParam {
            name: "criterion",
            reason: format!("{criterion:?} is not valid for {task}"),
        });
    }
    Ok(())
}
