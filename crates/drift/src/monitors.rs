//! Drift monitors registered in the plugin registry: per-feature drift and prediction drift.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{
    Error, Finding, FindingKind, Monitor, Result, Severity, Status, Target, Window,
};

use crate::chi2::chi2_homogeneity;
use crate::columns::{DriftOptions, DriftReference};
use crate::ks::{Alternative, KsMethod, KsReference};

/// Per-feature drift: each column tested against the reference with the configured
/// test, by default the one `auto` picks per column (`columns::auto_test`, docs/DRIFT.md).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct FeatureDriftMonitor {
    /// Test options: `auto` and each test's own threshold by default.
    #[serde(default)]
    pub options: DriftOptions,
    /// Columns to watch (all when empty).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Learnt at fit.
    #[serde(default)]
    pub reference: Option<DriftReference>,
}

fn config<T: serde::de::DeserializeOwned + Default>(v: &serde_json::Value, who: &str) -> Result<T> {
    if v.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(v.clone()).map_err(|e| Error::config(who, e))
}

#[typetag::serde]
impl Monitor for FeatureDriftMonitor {
    fn name(&self) -> &str {
        "feature_drift"
    }

    fn fit(&mut self, reference: &Window) -> Result<()> {
        self.reference = Some(DriftReference::fit(&reference.features, &self.columns)?);
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>> {
        let reference = self
            .reference
            .as_ref()
            .ok_or_else(|| Error::NotFitted("feature_drift monitor".into()))?;
        let rows = reference.check(&current.features, &self.options)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut message = format!(
                    "{} on {} reference vs {} current values",
                    r.test, r.n_reference, r.n_current
                );
                if r.missing_current > 0 {
                    message.push_str(&format!("; {} missing in the window", r.missing_current));
                }
                if !r.options.is_empty()
                    && let Ok(options) = serde_json::to_string(&r.options)
                {
                    message.push_str(&format!("; options {options}"));
                }
                if let Some(note) = &r.note {
                    message.push_str(&format!("; {note}"));
                }
                Finding {
                    monitor: "feature_drift".into(),
                    kind: FindingKind::Drift,
                    column: Some(r.column),
                    method: r.test,
                    statistic: r.statistic.unwrap_or(f64::NAN),
                    p_value: r.p_value,
                    threshold: r.threshold,
                    baseline: None,
                    status: if r.drift { Status::Alert } else { Status::Ok },
                    severity: r.drift.then_some(Severity::Medium),
                    message,
                    bounds: None,
                    sampling_error: None,
                }
            })
            .collect())
    }
}

/// Prediction drift: the predicted class counts of a window against the reference
/// predictions, by a chi-square test of homogeneity; a regressor's predicted values by
/// the two-sample KS test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PredictionDriftMonitor {
    /// Drift when p < threshold.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Learnt at fit: class -> count in the reference predictions.
    #[serde(default)]
    pub reference: Vec<(String, f64)>,
    /// Learnt at fit for a regressor: the reference's predicted values, sorted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<KsReference>,
}

fn default_threshold() -> f64 {
    0.05
}

impl Default for PredictionDriftMonitor {
    fn default() -> Self {
        PredictionDriftMonitor {
            threshold: default_threshold(),
            reference: Vec::new(),
            values: None,
        }
    }
}

fn class_counts(t: &Target) -> Result<Vec<(String, f64)>> {
    let mut counts = std::collections::BTreeMap::<&str, f64>::new();
    for l in t.labels()? {
        *counts.entry(l.as_str()).or_default() += 1.0;
    }
    Ok(counts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect())
}

impl PredictionDriftMonitor {
    /// A regressor's predicted values against the reference's: scipy's two-sided
    /// `ks_2samp`, missing predictions left out.
    fn check_values(&self, reference: &KsReference, current: &[f64]) -> Result<Vec<Finding>> {
        let known: Vec<f64> = current.iter().copied().filter(|x| !x.is_nan()).collect();
        let base = Finding::new(FindingKind::Drift, "prediction_drift", "ks", f64::NAN);
        if known.is_empty() {
            return Ok(vec![Finding {
                kind: FindingKind::Info,
                status: Status::Warning,
                message: "no predicted value in this window: prediction drift not tested".into(),
                ..base
            }]);
        }
        let t = reference
            .test(&known, Alternative::TwoSided, KsMethod::Auto)
            .map_err(|e| Error::InvalidValue(format!("prediction_drift: {e}")))?;
        let drift = t.p_value < self.threshold;
        Ok(vec![Finding {
            statistic: t.statistic,
            p_value: Some(t.p_value),
            threshold: self.threshold,
            status: if drift { Status::Alert } else { Status::Ok },
            severity: drift.then_some(Severity::Medium),
            message: format!(
                "{} predicted values vs {} in the reference (KS)",
                known.len(),
                reference.len()
            ),
            ..base
        }])
    }
}

#[typetag::serde]
impl Monitor for PredictionDriftMonitor {
    fn name(&self) -> &str {
        "prediction_drift"
    }

    fn fit(&mut self, reference: &Window) -> Result<()> {
        let p = reference.predictions.as_ref().ok_or_else(|| {
            Error::InvalidValue("prediction_drift needs predictions on the reference window".into())
        })?;
        match p {
            Target::Labels(_) => self.reference = class_counts(p)?,
            Target::Values(v) => {
                let known: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                let r = KsReference::from_vec(known).map_err(|e| {
                    Error::InvalidValue(format!(
                        "prediction_drift: the reference predictions: {e} (every prediction is missing)"
                    ))
                })?;
                self.values = Some(r);
            }
        }
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>> {
        let Some(p) = current.predictions.as_ref() else {
            return Ok(Vec::new());
        };
        match (p, &self.values) {
            (Target::Values(v), Some(r)) => return self.check_values(r, v),
            (Target::Values(_), None) | (Target::Labels(_), Some(_)) => {
                return Err(Error::InvalidValue(
                    "prediction_drift: the predictions are numbers in one of the reference and \
                     the window and class labels in the other; fit on predictions of the same model"
                        .into(),
                ));
            }
            (Target::Labels(_), None) => {}
        }
        let cur = class_counts(p)?;
        let mut classes: Vec<&str> = self
            .reference
            .iter()
            .chain(&cur)
            .map(|(k, _)| k.as_str())
            .collect();
        classes.sort_unstable();
        classes.dedup();
        let get =
            |v: &[(String, f64)], k: &str| v.iter().find(|(c, _)| c == k).map_or(0.0, |x| x.1);
        let r: Vec<f64> = classes.iter().map(|k| get(&self.reference, k)).collect();
        let c: Vec<f64> = classes.iter().map(|k| get(&cur, k)).collect();
        let t = chi2_homogeneity(&r, &c).map_err(|e| Error::InvalidValue(e.to_string()))?;
        let drift = t.p_value < self.threshold;
        Ok(vec![Finding {
            monitor: "prediction_drift".into(),
            kind: FindingKind::Drift,
            // Not a feature column: keeps "drifted features n/total" about inputs.
            column: None,
            method: "chi2".into(),
            statistic: t.statistic,
            p_value: Some(t.p_value),
            threshold: self.threshold,
            baseline: None,
            status: if drift { Status::Alert } else { Status::Ok },
            severity: drift.then_some(Severity::Medium),
            message: format!("predicted class counts {c:?} vs reference {r:?} over {classes:?}"),
            bounds: None,
            sampling_error: None,
        }])
    }
}

/// The `feature_drift` monitor from its config, its options checked as the CLI's
/// (an option its test would not take is an error, not a silent no-op).
fn build_feature_drift(v: &serde_json::Value) -> Result<Box<dyn Monitor>> {
    let m = config::<FeatureDriftMonitor>(v, "feature_drift")?;
    m.options
        .check()
        .map_err(|e| Error::config("feature_drift", e))?;
    Ok(Box::new(m))
}

inventory::submit! {
    MonitorFactory {
        name: "feature_drift",
        description: "per-feature drift against the reference: the test `auto` picks per column (docs/DRIFT.md), or the one configured",
        // The defaults of `DriftOptions`, spelled out or commented: a config from
        // `monitor --init` must test exactly as no config does.
        default_config: "columns = []  # all\n[options]\n# auto: the test picked per column by reference size, kind and distinct values\n# (Evidently's rules, docs/DRIFT.md); or a test name of `driftwatch drift --test`.\ntest = \"auto\"\n# threshold = 0.05  # default: the test's own (docs/DRIFT.md)\n# options of a named test (refused with auto, docs/DRIFT.md):\n# alternative = \"two-sided\"  # ks, mannwhitney\n# method = \"auto\"  # ks, mannwhitney, cvm: auto, exact or asymptotic\n",
        build: build_feature_drift,
    }
}

inventory::submit! {
    MonitorFactory {
        name: "prediction_drift",
        description: "prediction drift against the reference predictions: class counts (chi-square), a regressor's values (KS)",
        default_config: "threshold = 0.05\n",
        build: |v| Ok(Box::new(config::<PredictionDriftMonitor>(v, "prediction_drift")?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::registry;
    use driftwatch_core::{ReadOptions, read_csv};

    #[test]
    fn registered_and_fires_on_shift() {
        let names: Vec<&str> = registry::monitors().iter().map(|f| f.name).collect();
        assert!(names.contains(&"feature_drift") && names.contains(&"prediction_drift"));
        let f = |t: &str| read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
        let mut m = registry::build_monitor("feature_drift", &serde_json::Value::Null).unwrap();
        let reference = Window {
            // not whole numbers: `auto` compares few integers as categories
            features: f("x\n1.5\n2.5\n3.5\n4.5\n5.5\n6.5\n7.5\n8.5\n"),
            ..Default::default()
        };
        m.fit(&reference).unwrap();
        let same = m.check(&reference).unwrap();
        assert_eq!(same[0].status, Status::Ok);
        assert_eq!(same[0].p_value, Some(1.0));
        let shifted = Window {
            features: f("x\n21.5\n22.5\n23.5\n24.5\n25.5\n26.5\n27.5\n28.5\n"),
            ..Default::default()
        };
        let out = m.check(&shifted).unwrap();
        assert_eq!(out[0].status, Status::Alert);
        assert_eq!(out[0].statistic, 1.0);
        assert!(
            out[0]
                .message
                .contains(r#"options {"alternative":"two-sided","method":"exact"}"#)
        );
    }

    #[test]
    fn prediction_drift_tests_a_regressors_values_by_ks() {
        let values = |v: &[f64]| Window {
            predictions: Some(Target::Values(v.to_vec())),
            ..Default::default()
        };
        let mut m = registry::build_monitor("prediction_drift", &serde_json::Value::Null).unwrap();
        let reference: Vec<f64> = (1..=8).map(|i| i as f64 + 0.5).collect();
        m.fit(&values(&reference)).unwrap();
        let same = m.check(&values(&reference)).unwrap();
        assert_eq!(
            (same[0].method.as_str(), same[0].p_value),
            ("ks", Some(1.0))
        );
        assert_eq!(same[0].status, Status::Ok);
        // Fully separated samples of 8 and 8: D = 1, scipy's exact p = 2 / C(16, 8).
        let shifted: Vec<f64> = reference.iter().map(|x| x + 20.0).collect();
        let out = m.check(&values(&shifted)).unwrap();
        assert_eq!(out[0].statistic, 1.0);
        assert!((out[0].p_value.unwrap() - 2.0 / 12870.0).abs() < 1e-12);
        assert_eq!(out[0].status, Status::Alert);
        // Missing predictions are left out; none at all is said, not tested.
        let none = m.check(&values(&[f64::NAN])).unwrap();
        assert_eq!(
            (none[0].kind, none[0].status),
            (FindingKind::Info, Status::Warning)
        );
        // Labels against a fit on numbers is an error naming the monitor.
        let labels = Window {
            predictions: Some(Target::Labels(vec!["a".into()])),
            ..Default::default()
        };
        let e = m.check(&labels).unwrap_err().to_string();
        assert!(e.contains("prediction_drift"), "{e}");
    }

    #[test]
    fn feature_drift_refuses_options_its_test_would_drop() {
        let config = |o: serde_json::Value| serde_json::json!({ "options": o });
        let err = registry::build_monitor(
            "feature_drift",
            &config(serde_json::json!({"test": "psi", "alternative": "less"})),
        )
        .err()
        .unwrap();
        assert!(
            err.to_string().starts_with(
                "invalid configuration of feature_drift: `alternative` less does not apply to the test psi"
            ),
            "{err}"
        );
        let source = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<crate::columns::OptionError>());
        assert!(
            matches!(
                source,
                Some(crate::columns::OptionError::NotApplicable {
                    option: crate::columns::OptionName::Alternative,
                    test: crate::columns::TestKind::Psi,
                    ..
                })
            ),
            "{source:?}"
        );
        // the default config of `monitor --init` still builds
        let init: toml::Value = toml::from_str(
            registry::monitors()
                .iter()
                .find(|f| f.name == "feature_drift")
                .unwrap()
                .default_config,
        )
        .unwrap();
        let init = serde_json::to_value(init).unwrap();
        assert!(registry::build_monitor("feature_drift", &init).is_ok());
        assert!(
            registry::build_monitor(
                "feature_drift",
                &config(serde_json::json!({"test": "mannwhitney", "alternative": "less", "method": "exact"}))
            )
            .is_ok()
        );
    }

    #[test]
    fn prediction_drift_compares_class_counts() {
        let labels = |v: &[&str]| Some(Target::Labels(v.iter().map(|s| s.to_string()).collect()));
        let mut m = PredictionDriftMonitor::default();
        m.fit(&Window {
            predictions: labels(
                &["a"; 50]
                    .iter()
                    .chain(&["b"; 50])
                    .copied()
                    .collect::<Vec<_>>(),
            ),
            ..Default::default()
        })
        .unwrap();
        let out = m
            .check(&Window {
                predictions: labels(
                    &["a"; 90]
                        .iter()
                        .chain(&["b"; 10])
                        .copied()
                        .collect::<Vec<_>>(),
                ),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(out[0].status, Status::Alert);
        // chi2_contingency([[50, 50], [90, 10]], correction=False): 38.095238...
        assert!(
            (out[0].statistic - 38.095238095238095).abs() < 1e-9,
            "{}",
            out[0].statistic
        );
    }
}
