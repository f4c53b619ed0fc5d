//! The metrics DLE estimates, the per-row loss each one is learnt from, and NannyML's
//! sampling error of each.

use serde::{Deserialize, Serialize};

use super::error::DleError;

/// Metric names of the `dle` findings: `estimated_<name>` and `realized_<name>`.
pub mod method {
    /// Mean absolute error.
    pub const MAE: &str = "mae";
    /// Mean squared error.
    pub const MSE: &str = "mse";
    /// Root mean squared error.
    pub const RMSE: &str = "rmse";
}

/// A regression metric DLE estimates (configuration key `metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DleMetric {
    /// Mean absolute error, learnt from |y - ŷ|.
    Mae,
    /// Mean squared error, learnt from (y - ŷ)².
    Mse,
    /// Root mean squared error: the square root of the estimated MSE, as NannyML.
    Rmse,
}

/// The per-row loss a loss model learns; MSE and RMSE share the squared one (NannyML
/// fits the same LightGBM model twice for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Loss {
    /// |y - ŷ|.
    Absolute,
    /// (y - ŷ)².
    Squared,
}

impl Loss {
    /// The loss of one row.
    pub fn of(self, y_true: f64, y_pred: f64) -> f64 {
        let d = y_true - y_pred;
        match self {
            Loss::Absolute => d.abs(),
            Loss::Squared => d * d,
        }
    }
}

impl DleMetric {
    /// Every metric, in NannyML's order.
    pub const ALL: [DleMetric; 3] = [DleMetric::Mae, DleMetric::Mse, DleMetric::Rmse];

    /// The name, as in configs and finding methods.
    pub fn name(self) -> &'static str {
        match self {
            DleMetric::Mae => method::MAE,
            DleMetric::Mse => method::MSE,
            DleMetric::Rmse => method::RMSE,
        }
    }

    /// The per-row loss whose mean this metric is (or whose mean's root).
    pub fn loss(self) -> Loss {
        match self {
            DleMetric::Mae => Loss::Absolute,
            DleMetric::Mse | DleMetric::Rmse => Loss::Squared,
        }
    }

    /// The metric from the mean predicted loss of a window.
    pub fn from_mean_loss(self, mean_loss: f64) -> f64 {
        match self {
            DleMetric::Rmse => mean_loss.sqrt(),
            _ => mean_loss,
        }
    }

    /// The realized metric, as scikit-learn computes it (NumPy's summation order).
    pub fn realized(self, y_true: &[f64], y_pred: &[f64]) -> Result<f64, DleError> {
        Ok(match self {
            DleMetric::Mae => driftwatch_metrics::mae(y_true, y_pred)?,
            DleMetric::Mse => driftwatch_metrics::mse(y_true, y_pred)?,
            DleMetric::Rmse => driftwatch_metrics::rmse(y_true, y_pred)?,
        })
    }
}

/// What the sampling error needs from the reference: the population standard
/// deviation and the mean of the metric's per-row loss (NannyML's
/// `*_sampling_error_components`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LossSpread {
    /// `np.std` of the reference losses (ddof 0).
    pub std: f64,
    /// `np.mean` of the reference losses.
    pub mean: f64,
}

impl LossSpread {
    /// The spread of the losses (non-empty, finite).
    pub fn of(losses: &[f64]) -> LossSpread {
        let n = losses.len() as f64;
        let mean = losses.iter().sum::<f64>() / n;
        let var = losses.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / n;
        LossSpread {
            std: var.sqrt(),
            mean,
        }
    }

    /// NannyML's sampling error of `metric` on a window of `n` rows: std/√n for MAE
    /// and MSE; √(std² / (4 n mean)) for RMSE (the delta method on √MSE).
    pub fn sampling_error(&self, metric: DleMetric, n: usize) -> f64 {
        let n = n as f64;
        match metric {
            DleMetric::Mae | DleMetric::Mse => self.std / n.sqrt(),
            DleMetric::Rmse => (self.std * self.std / (4.0 * n * self.mean)).sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_losses_and_roots() {
        assert_eq!(DleMetric::ALL.map(DleMetric::name), ["mae", "mse", "rmse"]);
        assert_eq!(DleMetric::Rmse.loss(), Loss::Squared);
        assert_eq!(Loss::Absolute.of(1.0, 4.0), 3.0);
        assert_eq!(Loss::Squared.of(1.0, 4.0), 9.0);
        assert_eq!(DleMetric::Rmse.from_mean_loss(9.0), 3.0);
        assert_eq!(DleMetric::Mse.from_mean_loss(9.0), 9.0);
        let m: DleMetric = serde_json::from_str("\"rmse\"").unwrap();
        assert_eq!(m, DleMetric::Rmse);
        assert!(serde_json::from_str::<DleMetric>("\"mape\"").is_err());
    }

    #[test]
    fn sampling_errors_follow_nannyml() {
        // Losses 1, 2, 3, 4: mean 2.5, population std sqrt(1.25).
        let s = LossSpread::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert!((s.std - 1.25f64.sqrt()).abs() < 1e-15);
        assert!((s.sampling_error(DleMetric::Mae, 100) - 1.25f64.sqrt() / 10.0).abs() < 1e-15);
        let rmse = (1.25f64 / (4.0 * 100.0 * 2.5)).sqrt();
        assert!((s.sampling_error(DleMetric::Rmse, 100) - rmse).abs() < 1e-15);
    }

    #[test]
    fn realized_metrics_match_their_definitions() {
        let (t, p) = ([1.0, 2.0, 4.0], [2.0, 2.0, 1.0]);
        assert_eq!(DleMetric::Mae.realized(&t, &p).unwrap(), 4.0 / 3.0);
        assert_eq!(DleMetric::Mse.realized(&t, &p).unwrap(), 10.0 / 3.0);
        assert_eq!(
            DleMetric::Rmse.realized(&t, &p).unwrap(),
            (10.0f64 / 3.0).sqrt()
        );
        assert!(DleMetric::Mae.realized(&[], &[]).is_err());
    }
}
