//! The `cbpe` configuration and its check.

use serde::{Deserialize, Serialize};

use super::error::CbpeError;
use super::metric::Metric;

/// How the reference probabilities are calibrated before estimating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Calibration {
    /// NannyML's default: isotonic regression per class, when its calibration check
    /// says it helps.
    #[default]
    Isotonic,
    /// Take the probabilities as they are.
    None,
}

/// The `cbpe` config keys (a TOML table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CbpeConfig {
    /// Metrics to estimate (names of [`super::method`], `confusion_matrix` for the four
    /// counts); `None` = every metric that applies to the model.
    #[serde(default)]
    pub metrics: Option<Vec<String>>,
    /// Rows per reference chunk (the window size); `None` = NannyML's default chunker,
    /// the reference cut into chunks of `len / 10` rows (the remainder one more chunk).
    #[serde(default)]
    pub chunk_rows: Option<usize>,
    /// The positive class of a binary model; `None` = the second of the sorted classes.
    #[serde(default)]
    pub positive_class: Option<String>,
    /// `isotonic` (default) or `none`.
    #[serde(default)]
    pub calibration: Calibration,
    /// Band half-width in standard deviations of the reference chunks' metric.
    #[serde(default = "default_std")]
    pub std: f64,
}

fn default_std() -> f64 {
    3.0
}

impl Default for CbpeConfig {
    fn default() -> Self {
        CbpeConfig {
            metrics: None,
            chunk_rows: None,
            positive_class: None,
            calibration: Calibration::Isotonic,
            std: default_std(),
        }
    }
}

impl CbpeConfig {
    /// Refuses values CBPE cannot use, naming the key.
    pub fn check(&self) -> Result<(), CbpeError> {
        if !(self.std.is_finite() && self.std >= 0.0) {
            return Err(CbpeError::Config {
                key: "std",
                message: format!("{} is not a finite number >= 0 (default 3.0)", self.std),
            });
        }
        if self.chunk_rows == Some(0) {
            return Err(CbpeError::Config {
                key: "chunk_rows",
                message: "0 rows per chunk: give the window size, or leave it out".into(),
            });
        }
        self.requested_metrics().map(|_| ())
    }

    /// The metrics asked for, in report order without repeats (`None` = all that apply).
    pub fn requested_metrics(&self) -> Result<Option<Vec<Metric>>, CbpeError> {
        let Some(names) = &self.metrics else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for name in names {
            let ms = Metric::parse(name).ok_or_else(|| CbpeError::Config {
                key: "metrics",
                message: format!(
                    "unknown metric '{name}'; known: roc_auc, accuracy, precision, recall, f1, \
                     specificity, confusion_matrix, true_positive, false_positive, \
                     true_negative, false_negative"
                ),
            })?;
            out.extend(ms);
        }
        if out.is_empty() {
            return Err(CbpeError::Config {
                key: "metrics",
                message: "the list is empty: name at least one metric, or leave it out".into(),
            });
        }
        out.sort();
        out.dedup();
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_bad_values_by_key() {
        assert!(CbpeConfig::default().check().is_ok());
        let bad_std = CbpeConfig {
            std: -1.0,
            ..CbpeConfig::default()
        };
        assert!(matches!(
            bad_std.check(),
            Err(CbpeError::Config { key: "std", .. })
        ));
        let zero = CbpeConfig {
            chunk_rows: Some(0),
            ..CbpeConfig::default()
        };
        assert!(matches!(
            zero.check(),
            Err(CbpeError::Config {
                key: "chunk_rows",
                ..
            })
        ));
        let unknown = CbpeConfig {
            metrics: Some(vec!["mape".into()]),
            ..CbpeConfig::default()
        };
        assert!(
            unknown
                .check()
                .unwrap_err()
                .to_string()
                .contains("unknown metric 'mape'")
        );
        let cm = CbpeConfig {
            metrics: Some(vec!["confusion_matrix".into(), "f1".into(), "f1".into()]),
            ..CbpeConfig::default()
        };
        assert_eq!(cm.requested_metrics().unwrap().unwrap().len(), 5);
        let parsed: CbpeConfig =
            serde_json::from_value(serde_json::json!({"calibration": "none", "chunk_rows": 500}))
                .unwrap();
        assert_eq!(
            (parsed.calibration, parsed.chunk_rows, parsed.std),
            (Calibration::None, Some(500), 3.0)
        );
        assert!(serde_json::from_value::<CbpeConfig>(serde_json::json!({"stdd": 2})).is_err());
    }
}
