//! The performance monitor: a window's metrics against the model's baseline.
//!
//! The monitor reports values; turning a drop into an alert with a severity is the
//! alert policy's job (driftwatch-monitor), so the same rule applies to every metric.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{Error as CoreError, Finding, FindingKind, Monitor, Status, Target, Window};

use crate::{ClassificationMetrics, r2};

/// The methods of the `performance` monitor's findings (defined in core, where the
/// monitor crate's summary reads them too); every one is better when higher.
pub use driftwatch_core::method::{ACCURACY, F1, PRECISION, R2, RECALL};

/// Tracks accuracy, precision, recall and F1 (weighted) per window — or R² for
/// regression — against a baseline.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PerformanceMonitor {
    /// Share of the baseline under which a metric is flagged (display only; alerts
    /// come from the alert policy).
    #[serde(default = "default_ratio")]
    pub ratio: f64,
    /// Baseline values (e.g. the test metrics stored in the bundle); when empty, `fit`
    /// computes them on the reference window.
    #[serde(default)]
    pub baseline: BTreeMap<String, f64>,
}

fn default_ratio() -> f64 {
    0.95
}

impl Default for PerformanceMonitor {
    fn default() -> Self {
        PerformanceMonitor {
            ratio: default_ratio(),
            baseline: BTreeMap::new(),
        }
    }
}

/// The tracked metrics of labels and predictions (`None` when the window has no labels).
pub fn window_metrics(window: &Window) -> Result<Option<BTreeMap<String, f64>>, CoreError> {
    let (Some(y), Some(p)) = (&window.labels, &window.predictions) else {
        return Ok(None);
    };
    if y.is_empty() {
        return Ok(None);
    }
    let err = |e: crate::Error| CoreError::InvalidValue(format!("performance: {e}"));
    let mut out = BTreeMap::new();
    match (y, p) {
        (Target::Labels(t), Target::Labels(p)) => {
            let m = ClassificationMetrics::weighted(t, p).map_err(err)?;
            out.insert(ACCURACY.into(), m.accuracy);
            out.insert(PRECISION.into(), m.precision);
            out.insert(RECALL.into(), m.recall);
            out.insert(F1.into(), m.f1);
        }
        (Target::Values(t), Target::Values(p)) => {
            out.insert(R2.into(), r2(t, p).map_err(err)?);
        }
        _ => {
            return Err(CoreError::InvalidValue(
                "performance: labels and predictions are of different kinds".into(),
            ));
        }
    }
    Ok(Some(out))
}

#[typetag::serde]
impl Monitor for PerformanceMonitor {
    fn name(&self) -> &str {
        "performance"
    }

    fn fit(&mut self, reference: &Window) -> Result<(), CoreError> {
        if self.baseline.is_empty() {
            self.baseline = window_metrics(reference)?.unwrap_or_default();
        }
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        let Some(values) = window_metrics(current)? else {
            return Ok(Vec::new());
        };
        Ok(values
            .into_iter()
            .map(|(metric, value)| {
                let baseline = self.baseline.get(&metric).copied();
                let threshold = baseline.map_or(f64::NAN, |b| b * self.ratio);
                let low = baseline.is_some() && value < threshold;
                Finding {
                    monitor: "performance".into(),
                    kind: FindingKind::Metric {
                        higher_is_better: true,
                    },
                    column: None,
                    message: match baseline {
                        Some(b) => format!("{metric} {value:.4} vs baseline {b:.4}"),
                        None => format!("{metric} {value:.4} (no baseline)"),
                    },
                    method: metric,
                    statistic: value,
                    p_value: None,
                    threshold,
                    baseline,
                    status: if low { Status::Alert } else { Status::Ok },
                    severity: None,
                    bounds: None,
                    sampling_error: None,
                }
            })
            .collect())
    }
}

inventory::submit! {
    MonitorFactory {
        name: "performance",
        description: "accuracy, precision, recall, F1 (weighted) or R2 per window against the model's baseline",
        default_config: "ratio = 0.95\n# baseline = { accuracy = 0.97 }  # default: the bundle's test metrics\n",
        build: |v| {
            if v.is_null() {
                return Ok(Box::new(PerformanceMonitor::default()));
            }
            let m: PerformanceMonitor = serde_json::from_value(v.clone())
                .map_err(|e| CoreError::param("performance", e.to_string()))?;
            Ok(Box::new(m))
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Option<Target> {
        Some(Target::Labels(v.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn reports_metrics_against_the_fitted_baseline() {
        let mut m = PerformanceMonitor::default();
        let reference = Window {
            labels: labels(&["a", "b", "a", "b"]),
            predictions: labels(&["a", "b", "a", "b"]),
            ..Default::default()
        };
        m.fit(&reference).unwrap();
        assert_eq!(m.baseline["accuracy"], 1.0);
        let current = Window {
            labels: labels(&["a", "b", "a", "b"]),
            predictions: labels(&["a", "b", "a", "a"]),
            ..Default::default()
        };
        let f = m.check(&current).unwrap();
        let acc = f.iter().find(|x| x.method == ACCURACY).unwrap();
        assert_eq!(
            (acc.statistic, acc.baseline, acc.status),
            (0.75, Some(1.0), Status::Alert)
        );
        assert!(f.iter().all(|x| x.kind
            == FindingKind::Metric {
                higher_is_better: true
            }));
        assert_eq!(acc.threshold, 0.95);
        assert!(
            m.check(&Window::default()).unwrap().is_empty(),
            "no labels, no finding"
        );
        let names: Vec<&str> = driftwatch_core::registry::monitors()
            .iter()
            .map(|f| f.name)
            .collect();
        assert!(names.contains(&"performance"));
    }
}
