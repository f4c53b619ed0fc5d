//! The `mmd` monitor: alibi-detect's MMDDrift on tabular rows.
//!
//! Rows are imputed, count-encoded and standardised by the reference (`encode.rs`, as
//! `pca_reconstruction`); at most `max_rows` rows of the reference (drawn once at fit)
//! and of each window (seeded) enter the O(n²) kernel. The Gaussian RBF bandwidth comes
//! from the reference by the median heuristic; the window's MMD² gets a p-value from
//! `n_permutations` seeded permutations, and drift is `p_value < p_val`.

use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{
    Error as CoreError, Finding, FindingKind, Frame, Monitor, Severity, Status, Window,
};

use crate::encode::{CategoricalImpute, ContinuousImpute, Encoder, select_columns};
use crate::error::Error;
use crate::kernel::{PermutationTest, kernel_matrix, permutation_test, sigma_median};
use crate::method::MMD;

/// The registered name.
pub const NAME: &str = "mmd";

/// The configuration (TOML keys of the monitor's table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MmdConfig {
    /// Columns to use; empty: every reference column except timestamps.
    #[serde(default)]
    pub columns: Vec<String>,
    /// At most this many rows of the reference and of each window enter the kernel
    /// (seeded subsamples); the cost grows with its square.
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
    /// Permutations of the p-value.
    #[serde(default = "default_permutations")]
    pub n_permutations: usize,
    /// Drift when the p-value is below this.
    #[serde(default = "default_p_val")]
    pub p_val: f64,
    /// Seed of the subsamples and permutations.
    #[serde(default)]
    pub seed: u64,
    /// How missing numbers are filled.
    #[serde(default)]
    pub impute_continuous: ContinuousImpute,
    /// How missing categories are filled.
    #[serde(default)]
    pub impute_categorical: CategoricalImpute,
}

fn default_max_rows() -> usize {
    1000
}
fn default_permutations() -> usize {
    100
}
fn default_p_val() -> f64 {
    0.05
}

impl Default for MmdConfig {
    fn default() -> Self {
        MmdConfig {
            columns: Vec::new(),
            max_rows: default_max_rows(),
            n_permutations: default_permutations(),
            p_val: default_p_val(),
            seed: 0,
            impute_continuous: ContinuousImpute::default(),
            impute_categorical: CategoricalImpute::default(),
        }
    }
}

impl MmdConfig {
    /// Refuses values the monitor cannot use, naming the key.
    pub fn check(&self) -> Result<(), Error> {
        if self.max_rows < 2 {
            return Err(Error::config(NAME, "max_rows", "use at least 2 rows"));
        }
        if self.n_permutations == 0 {
            return Err(Error::config(
                NAME,
                "n_permutations",
                "use at least 1 permutation",
            ));
        }
        if !(self.p_val > 0.0 && self.p_val < 1.0) {
            return Err(Error::config(
                NAME,
                "p_val",
                format!("{}: use a level in (0, 1)", self.p_val),
            ));
        }
        Ok(())
    }
}

/// What `fit` learns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MmdState {
    encoder: Encoder,
    /// The (subsampled) standardised reference rows.
    reference: Array2<f64>,
    /// The kernel bandwidth.
    pub sigma: f64,
}

/// alibi-detect's MMD drift detector as a monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MmdMonitor {
    /// The configuration.
    #[serde(flatten)]
    pub config: MmdConfig,
    /// Set by `fit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MmdState>,
}

/// Row indices of at most `cap` rows of `n`, a seeded sample in row order.
fn capped(n: usize, cap: usize, seed: u64) -> Option<Vec<usize>> {
    (n > cap).then(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut v = sample(&mut rng, n, cap).into_vec();
        v.sort_unstable();
        v
    })
}

impl MmdMonitor {
    /// An unfitted monitor; the configuration is checked.
    pub fn new(config: MmdConfig) -> Result<Self, Error> {
        config.check()?;
        Ok(MmdMonitor {
            config,
            state: None,
        })
    }

    /// Fits on the reference features.
    pub fn fit_frame(&mut self, reference: &Frame) -> Result<(), Error> {
        let cfg = &self.config;
        cfg.check()?;
        let n = reference.n_rows();
        if n < 2 {
            return Err(Error::input(
                NAME,
                format!("the reference has {n} rows; MMD needs at least 2"),
            ));
        }
        let columns = select_columns(NAME, reference, &cfg.columns)?;
        let encoder = Encoder::fit(
            NAME,
            reference,
            &columns,
            cfg.impute_continuous,
            cfg.impute_categorical,
        )?;
        let mut x = encoder.transform(NAME, reference, "reference")?;
        if let Some(rows) = capped(n, cfg.max_rows, cfg.seed) {
            x = x.select(Axis(0), &rows);
        }
        let sigma = sigma_median(x.view())
            .ok_or_else(|| Error::input(NAME, "the reference needs at least 2 rows"))?;
        self.state = Some(MmdState {
            encoder,
            reference: x,
            sigma,
        });
        Ok(())
    }

    /// MMD², p-value and distance threshold of a window.
    pub fn test(&self, frame: &Frame) -> Result<PermutationTest, Error> {
        let state = self.state.as_ref().ok_or(Error::NotFitted(NAME))?;
        let cfg = &self.config;
        let m = frame.n_rows();
        if m < 2 {
            return Err(Error::input(
                NAME,
                format!("the window has {m} rows; MMD needs at least 2"),
            ));
        }
        let mut x = state.encoder.transform(NAME, frame, "window")?;
        if let Some(rows) = capped(m, cfg.max_rows, cfg.seed.wrapping_add(1)) {
            x = x.select(Axis(0), &rows);
        }
        let z = ndarray::concatenate(Axis(0), &[state.reference.view(), x.view()])
            .map_err(|e| Error::input(NAME, e.to_string()))?;
        let k = kernel_matrix(z.view(), state.sigma);
        Ok(permutation_test(
            k.view(),
            x.nrows(),
            cfg.n_permutations,
            cfg.p_val,
            cfg.seed,
        ))
    }
}

#[typetag::serde]
impl Monitor for MmdMonitor {
    fn name(&self) -> &str {
        NAME
    }

    fn fit(&mut self, reference: &Window) -> Result<(), CoreError> {
        Ok(self.fit_frame(&reference.features)?)
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        let t = self.test(&current.features)?;
        let drift = t.p_value < self.config.p_val;
        Ok(vec![Finding {
            p_value: Some(t.p_value),
            threshold: self.config.p_val,
            status: if drift { Status::Alert } else { Status::Ok },
            severity: drift.then_some(Severity::Medium),
            message: format!(
                "MMD² {:.6}, permutation p-value {:.3} ({} permutations; drift below {}); MMD² threshold {:.6}",
                t.mmd2,
                t.p_value,
                self.config.n_permutations,
                self.config.p_val,
                t.distance_threshold
            ),
            ..Finding::new(FindingKind::Drift, NAME, MMD, t.mmd2)
        }])
    }
}

fn build(v: &serde_json::Value) -> Result<Box<dyn Monitor>, CoreError> {
    let config: MmdConfig = if v.is_null() {
        MmdConfig::default()
    } else {
        serde_json::from_value(v.clone()).map_err(|e| CoreError::param(NAME, e.to_string()))?
    };
    Ok(Box::new(MmdMonitor::new(config)?))
}

inventory::submit! {
    MonitorFactory {
        name: NAME,
        description: "multivariate drift: MMD² with a Gaussian kernel (median-heuristic bandwidth) and a permutation p-value (alibi-detect's MMDDrift)",
        default_config: "max_rows = 1000\nn_permutations = 100\np_val = 0.05\nseed = 0\n# columns = [\"a\", \"b\"]  # default: every feature column\n",
        build,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Column;
    use rand::Rng;

    fn frame(n: usize, shift: f64, seed: u64) -> Frame {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut col = |s: f64| -> Column {
            Column::Numeric(
                (0..n)
                    .map(|_| rng.random::<f64>() + s)
                    .collect::<Vec<_>>()
                    .into(),
            )
        };
        Frame::new(vec![("a".into(), col(shift)), ("b".into(), col(0.0))]).unwrap()
    }

    #[test]
    fn a_clear_shift_has_a_small_p_value() {
        let mut m = MmdMonitor::default();
        m.fit(&Window {
            features: frame(300, 0.0, 1),
            ..Default::default()
        })
        .unwrap();
        let f = m
            .check(&Window {
                features: frame(200, 0.5, 2),
                ..Default::default()
            })
            .unwrap();
        assert_eq!((f[0].status, f[0].method.as_str()), (Status::Alert, MMD));
        assert_eq!(f[0].p_value, Some(0.0));
        assert!(f[0].statistic > 0.0);
        let json = serde_json::to_string(&(Box::new(m.clone()) as Box<dyn Monitor>)).unwrap();
        let back: Box<dyn Monitor> = serde_json::from_str(&json).unwrap();
        let again = back
            .check(&Window {
                features: frame(200, 0.5, 2),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(again, f);
    }

    #[test]
    fn caps_rows_and_refuses_bad_input() {
        let mut m = MmdMonitor::new(MmdConfig {
            max_rows: 50,
            ..Default::default()
        })
        .unwrap();
        m.fit_frame(&frame(120, 0.0, 1)).unwrap();
        assert_eq!(m.state.as_ref().unwrap().reference.nrows(), 50);
        let t = m.test(&frame(80, 0.0, 3)).unwrap();
        assert!((0.0..=1.0).contains(&t.p_value));
        let e = m.test(&frame(1, 0.0, 3)).unwrap_err().to_string();
        assert!(e.contains("at least 2"), "{e}");
        for bad in [
            serde_json::json!({"max_rows": 1}),
            serde_json::json!({"n_permutations": 0}),
            serde_json::json!({"p_val": 1.5}),
        ] {
            let key = bad.as_object().unwrap().keys().next().unwrap().clone();
            let e = build(&bad).unwrap_err().to_string();
            assert!(e.contains(&key), "{e}");
        }
        assert!(
            MmdMonitor::default()
                .check(&Window::default())
                .unwrap_err()
                .to_string()
                .contains("fit")
        );
    }
}
