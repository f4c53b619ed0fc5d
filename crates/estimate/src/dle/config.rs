//! The configuration of the monitor `dle` (a `monitor.toml` table), checked once.

use serde::{Deserialize, Serialize};

use super::error::DleError;
use super::metric::DleMetric;
use driftwatch_models::forest::{ForestParams, MaxFeatures};

/// What the monitor `dle` estimates and how its loss models are grown.
///
/// The loss models are driftwatch's random forest (NannyML uses LightGBM with its
/// defaults). The defaults, 48 trees, no depth limit, leaves of at least 300 rows,
/// every feature considered per split, each tree on a bootstrap sample of the
/// reference (scikit-learn's `RandomForestRegressor` otherwise), were chosen on
/// NannyML's car price data (5000 reference rows, `tests/dle_golden.rs`): per-row
/// losses are noisy, squared ones heavy-tailed, and big leaves average them. Leaves of
/// 20 to 100 rows put the estimated MSE 4% from NannyML's and 20% further from the
/// realized one than NannyML; 300 rows, 2.8% and 4% (leaves of 400 rows do better on
/// MSE and worse on MAE; 600 rows are too coarse: 10% off). The same holds for seeds
/// 0, 1 and 2 within 0.5 percentage points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DleConfig {
    /// Metrics to estimate (default `["mae", "mse", "rmse"]`).
    #[serde(default = "default_metrics")]
    pub metrics: Vec<DleMetric>,
    /// Feature columns the loss models read (default: every column of the
    /// reference's features). List them to leave out ids and timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// Rows per reference chunk, the window size, for the thresholds. Unset: the
    /// reference cut into chunks of `rows / 10` rows (NannyML's `DefaultChunker`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_rows: Option<usize>,
    /// Half-width of the band in standard deviations of the reference chunks' metric
    /// (default 3, NannyML's).
    #[serde(default = "default_std")]
    pub std: f64,
    /// Trees per loss model (default 48).
    #[serde(default = "default_n_trees")]
    pub n_trees: usize,
    /// Maximum tree depth (default: none; the leaf size bounds the trees).
    #[serde(default)]
    pub max_depth: Option<usize>,
    /// Fewest reference rows in a leaf (default 300).
    #[serde(default = "default_min_samples_leaf")]
    pub min_samples_leaf: usize,
    /// Seed of the bootstrap samples (default 0): a fit is reproducible.
    #[serde(default)]
    pub seed: u64,
}

fn default_metrics() -> Vec<DleMetric> {
    DleMetric::ALL.to_vec()
}
fn default_std() -> f64 {
    3.0
}
fn default_n_trees() -> usize {
    48
}
fn default_min_samples_leaf() -> usize {
    300
}

impl Default for DleConfig {
    fn default() -> Self {
        DleConfig {
            metrics: default_metrics(),
            features: None,
            chunk_rows: None,
            std: default_std(),
            n_trees: default_n_trees(),
            max_depth: None,
            min_samples_leaf: default_min_samples_leaf(),
            seed: 0,
        }
    }
}

impl DleConfig {
    /// Refuses a value the monitor cannot use, naming its key.
    pub fn check(&self) -> Result<(), DleError> {
        let bad = |key, message: &str| {
            Err(DleError::Config {
                key,
                message: message.to_string(),
            })
        };
        if self.metrics.is_empty() {
            return bad(
                "metrics",
                "lists no metric; give some of \"mae\", \"mse\", \"rmse\"",
            );
        }
        if let Some(m) = self
            .metrics
            .iter()
            .enumerate()
            .find_map(|(i, m)| self.metrics[..i].contains(m).then_some(m))
        {
            return Err(DleError::Config {
                key: "metrics",
                message: format!("lists {} twice", m.name()),
            });
        }
        if self.features.as_ref().is_some_and(Vec::is_empty) {
            return bad(
                "features",
                "lists no column; leave it out to use every column",
            );
        }
        if self.chunk_rows == Some(0) {
            return bad(
                "chunk_rows",
                "must be at least 1 (rows per reference chunk)",
            );
        }
        if !(self.std.is_finite() && self.std > 0.0) {
            return bad(
                "std",
                "must be a positive number of standard deviations (NannyML: 3)",
            );
        }
        if self.n_trees == 0 {
            return bad("n_trees", "must be at least 1");
        }
        if self.max_depth == Some(0) {
            return bad("max_depth", "must be at least 1 (or left out for no limit)");
        }
        if self.min_samples_leaf == 0 {
            return bad("min_samples_leaf", "must be at least 1");
        }
        Ok(())
    }

    /// The forest parameters of a loss model.
    pub fn forest(&self) -> ForestParams {
        ForestParams {
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            min_samples_split: 2 * self.min_samples_leaf,
            max_features: MaxFeatures::All,
            ..ForestParams::regressor()
        }
        .with_n_estimators(self.n_trees)
        .with_seed(self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_checks() {
        let c: DleConfig = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(c, DleConfig::default());
        assert!(c.check().is_ok());
        assert!(c.forest().check().is_ok());
        let c: DleConfig =
            serde_json::from_value(serde_json::json!({"metrics": ["rmse"], "chunk_rows": 500}))
                .unwrap();
        assert_eq!(
            (c.metrics.clone(), c.chunk_rows),
            (vec![DleMetric::Rmse], Some(500))
        );
        for (key, value) in [
            ("metrics", serde_json::json!([])),
            ("chunk_rows", serde_json::json!(0)),
            ("std", serde_json::json!(-1.0)),
            ("n_trees", serde_json::json!(0)),
            ("max_depth", serde_json::json!(0)),
            ("min_samples_leaf", serde_json::json!(0)),
            ("features", serde_json::json!([])),
            ("metrics", serde_json::json!(["mae", "mae"])),
        ] {
            let c: DleConfig = serde_json::from_value(serde_json::json!({ key: value })).unwrap();
            let e = c.check().unwrap_err().to_string();
            assert!(e.starts_with(&format!("dle.{key}:")), "{e}");
        }
        assert!(serde_json::from_value::<DleConfig>(serde_json::json!({"trees": 3})).is_err());
    }
}
