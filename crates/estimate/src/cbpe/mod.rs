//! The `cbpe` monitor: confidence-based performance estimation as NannyML 0.13.1
//! defines it. Fitted on a labelled reference window, it estimates a classifier's ROC
//! AUC, accuracy, precision, recall, F1, specificity and (binary) confusion matrix on
//! windows without labels, from calibrated probabilities; each estimate carries its
//! sampling error and is judged against a band learnt from the realized metric on
//! reference chunks. Windows with labels also get the realized metrics.
//!
//! It assumes what CBPE assumes: the calibrated probabilities stay calibrated on the
//! new data (covariate shift only, no concept drift). See docs/ESTIMATION.md.

pub mod calibration;
pub mod config;
mod data;
pub mod error;
pub mod estimate;
pub mod isotonic;
pub mod method;
pub mod metric;
mod mt19937;
pub mod realized;
pub mod sampling_error;
pub mod threshold;

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{Bounds, Finding, FindingKind, Monitor, Severity, Status, Window};

use calibration::Calibrator;
use config::{Calibration, CbpeConfig};
use error::CbpeError;
use metric::Metric;
use sampling_error::Components;

/// The registered name.
pub const NAME: &str = "cbpe";

/// The `cbpe` monitor: its config and, once fitted, what it learnt from the reference.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Cbpe {
    /// The configuration.
    pub config: CbpeConfig,
    /// What `fit` learnt; `None` before.
    fitted: Option<Fitted>,
}

/// What the reference leaves: classes, calibrators, and per metric its sampling-error
/// components and band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Fitted {
    /// The model's classes, sorted.
    classes: Vec<String>,
    /// Binary models: the index of the positive class in `classes`.
    positive: Option<usize>,
    /// Binary: one calibrator (the positive class); multiclass: one per class.
    calibrators: Vec<Calibrator>,
    /// The estimated metrics.
    metrics: Vec<FittedMetric>,
    /// Rows per reference chunk the bands were learnt on.
    chunk_rows: usize,
}

/// One metric's sampling-error components and its band from the reference chunks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FittedMetric {
    metric: Metric,
    components: Components,
    lower: Option<f64>,
    upper: Option<f64>,
}

/// A window's rows as the metrics take them.
enum Rows<'a> {
    /// Positive-class scores and, per row, whether the class is the positive one.
    Binary {
        score: &'a [f64],
        pred: Vec<bool>,
        truth: Vec<bool>,
    },
    /// Per-class scores and class indices.
    Multi {
        scores: &'a [Vec<f64>],
        pred: &'a [usize],
        truth: &'a [usize],
    },
}

impl Rows<'_> {
    fn realized(&self, metric: Metric) -> f64 {
        match self {
            Rows::Binary { score, pred, truth } => realized::binary(metric, truth, pred, score),
            Rows::Multi {
                scores,
                pred,
                truth,
            } => realized::multiclass(metric, scores.len(), truth, pred, scores),
        }
    }
}

impl Cbpe {
    /// An unfitted monitor with `config` (checked).
    pub fn new(config: CbpeConfig) -> Result<Self, CbpeError> {
        config.check()?;
        Ok(Cbpe {
            config,
            fitted: None,
        })
    }

    /// The classes whose probabilities were calibrated with isotonic regression at fit
    /// (NannyML's calibration check said it helps); empty before `fit`.
    pub fn calibrated_classes(&self) -> Vec<&str> {
        let Some(f) = &self.fitted else {
            return Vec::new();
        };
        match f.positive {
            Some(p) if f.calibrators[0].is_isotonic() => vec![f.classes[p].as_str()],
            Some(_) => Vec::new(),
            None => f
                .classes
                .iter()
                .zip(&f.calibrators)
                .filter(|(_, c)| c.is_isotonic())
                .map(|(n, _)| n.as_str())
                .collect(),
        }
    }

    /// Rows per reference chunk the bands were learnt on (`chunk_rows`, or NannyML's
    /// default of a tenth of the reference); `None` before `fit`.
    pub fn chunk_rows(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.chunk_rows)
    }

    /// The band `(lower, upper)` learnt for `metric`, if it is estimated.
    pub fn band(&self, metric: Metric) -> Option<(Option<f64>, Option<f64>)> {
        let f = self.fitted.as_ref()?;
        f.metrics
            .iter()
            .find(|m| m.metric == metric)
            .map(|m| (m.lower, m.upper))
    }

    fn fit_reference(&mut self, reference: &Window) -> Result<(), CbpeError> {
        self.config.check()?;
        let name = "reference";
        let classes = data::probability_classes(reference, name)?;
        let all = data::outputs(reference, &classes, name)?;
        let n_all = all.pred.len();
        let Some((rows, truth)) = data::labelled(reference, &classes, name, n_all)? else {
            return Err(CbpeError::Missing {
                window: name.into(),
                what: "labels",
                fix: "CBPE learns calibration and thresholds from a labelled reference",
            });
        };
        if rows.is_empty() {
            return Err(CbpeError::Empty {
                window: "labelled reference".into(),
            });
        }
        let scores: Vec<Vec<f64>> = all
            .scores
            .iter()
            .map(|s| rows.iter().map(|&i| s[i]).collect())
            .collect();
        let pred: Vec<usize> = rows.iter().map(|&i| all.pred[i]).collect();
        let mut seen = vec![false; classes.len()];
        truth.iter().for_each(|&c| seen[c] = true);
        if classes.len() < 2 || seen.iter().any(|s| !s) {
            let present: Vec<&str> = classes
                .iter()
                .zip(&seen)
                .filter(|(_, s)| **s)
                .map(|(c, _)| c.as_str())
                .collect();
            return Err(CbpeError::ReferenceClasses {
                found: match present.as_slice() {
                    [one] => format!("a single class '{one}'"),
                    many => format!("only the classes {}", many.join(", ")),
                },
                classes: classes.join(", "),
            });
        }
        let binary = classes.len() == 2;
        let metrics = match self.config.requested_metrics()? {
            Some(ms) => ms,
            None => Metric::ALL
                .iter()
                .copied()
                .filter(|m| binary || !m.binary_only())
                .collect(),
        };
        if let Some(m) = metrics.iter().find(|m| !binary && m.binary_only()) {
            return Err(CbpeError::BinaryOnly {
                metric: m.name(),
                n_classes: classes.len(),
            });
        }
        if let (false, Some(p)) = (binary, &self.config.positive_class) {
            return Err(CbpeError::Config {
                key: "positive_class",
                message: format!(
                    "'{p}' given, but the model has {} classes: leave it out (multiclass \
                     metrics are macro averages)",
                    classes.len()
                ),
            });
        }
        let positive = if binary {
            Some(match &self.config.positive_class {
                Some(p) => {
                    classes
                        .iter()
                        .position(|c| c == p)
                        .ok_or_else(|| CbpeError::Config {
                            key: "positive_class",
                            message: format!(
                                "'{p}' is not a class of the model ({})",
                                classes.join(", ")
                            ),
                        })?
                }
                None => 1,
            })
        } else {
            None
        };
        let n = pred.len();
        let chunk_rows = self.config.chunk_rows.unwrap_or((n / 10).max(1));
        let chunks = threshold::chunks(n, chunk_rows);
        let isotonic = self.config.calibration == Calibration::Isotonic;
        let (fitted_metrics, calibrators) = match positive {
            Some(p) => {
                let score = &scores[p];
                let pred_b: Vec<bool> = pred.iter().map(|&c| c == p).collect();
                let truth_b: Vec<bool> = truth.iter().map(|&c| c == p).collect();
                let fm = metrics
                    .iter()
                    .map(|&metric| {
                        let values: Vec<f64> = chunks
                            .iter()
                            .map(|r| {
                                let rows = Rows::Binary {
                                    score: &score[r.clone()],
                                    pred: pred_b[r.clone()].to_vec(),
                                    truth: truth_b[r.clone()].to_vec(),
                                };
                                rows.realized(metric)
                            })
                            .collect();
                        let (lower, upper) =
                            threshold::band(&values, self.config.std, metric.upper_limit());
                        let components = sampling_error::binary(metric, &truth_b, &pred_b, score);
                        FittedMetric {
                            metric,
                            components,
                            lower,
                            upper,
                        }
                    })
                    .collect();
                (fm, vec![Calibrator::fit(score, &truth_b, isotonic)])
            }
            None => {
                let fm = metrics
                    .iter()
                    .map(|&metric| {
                        let values: Vec<f64> = chunks
                            .iter()
                            .map(|r| {
                                let chunk_scores: Vec<Vec<f64>> =
                                    scores.iter().map(|s| s[r.clone()].to_vec()).collect();
                                let rows = Rows::Multi {
                                    scores: &chunk_scores,
                                    pred: &pred[r.clone()],
                                    truth: &truth[r.clone()],
                                };
                                rows.realized(metric)
                            })
                            .collect();
                        let (lower, upper) =
                            threshold::band(&values, self.config.std, metric.upper_limit());
                        let components = sampling_error::multiclass(metric, &truth, &pred, &scores);
                        FittedMetric {
                            metric,
                            components,
                            lower,
                            upper,
                        }
                    })
                    .collect();
                let cals = (0..classes.len())
                    .map(|c| {
                        let t: Vec<bool> = truth.iter().map(|&y| y == c).collect();
                        Calibrator::fit(&scores[c], &t, isotonic)
                    })
                    .collect();
                (fm, cals)
            }
        };
        self.fitted = Some(Fitted {
            classes,
            positive,
            calibrators,
            metrics: fitted_metrics,
            chunk_rows,
        });
        Ok(())
    }

    fn check_window(&self, current: &Window) -> Result<Vec<Finding>, CbpeError> {
        let f = self.fitted.as_ref().ok_or(CbpeError::NotFitted)?;
        let name = if current.label.is_empty() {
            "current"
        } else {
            current.label.as_str()
        };
        let out = data::outputs(current, &f.classes, name)?;
        let n = out.pred.len();
        let labelled = data::labelled(current, &f.classes, name, n)?;
        let mut findings = Vec::with_capacity(2 * f.metrics.len());
        match f.positive {
            Some(p) => {
                let raw = &out.scores[p];
                let cal: Vec<f64> = raw.iter().map(|&v| f.calibrators[0].apply(v)).collect();
                let pred: Vec<bool> = out.pred.iter().map(|&c| c == p).collect();
                for m in &f.metrics {
                    let value = estimate::binary(m.metric, &cal, raw, &pred);
                    findings.push(estimate_finding(m, value, m.components.at(n)));
                }
                if let Some((rows, truth)) = labelled.filter(|(r, _)| !r.is_empty()) {
                    let score: Vec<f64> = rows.iter().map(|&i| raw[i]).collect();
                    let rows_b = Rows::Binary {
                        score: &score,
                        pred: rows.iter().map(|&i| pred[i]).collect(),
                        truth: truth.iter().map(|&c| c == p).collect(),
                    };
                    findings.extend(f.metrics.iter().map(|m| {
                        realized_finding(m.metric, rows_b.realized(m.metric), rows.len())
                    }));
                }
            }
            None => {
                let cal = calibrate_multiclass(&f.calibrators, &out.scores);
                for m in &f.metrics {
                    let value = estimate::multiclass(m.metric, &cal, &out.scores, &out.pred);
                    findings.push(estimate_finding(m, value, m.components.at(n)));
                }
                if let Some((rows, truth)) = labelled.filter(|(r, _)| !r.is_empty()) {
                    let scores: Vec<Vec<f64>> = out
                        .scores
                        .iter()
                        .map(|s| rows.iter().map(|&i| s[i]).collect())
                        .collect();
                    let pred: Vec<usize> = rows.iter().map(|&i| out.pred[i]).collect();
                    let rows_m = Rows::Multi {
                        scores: &scores,
                        pred: &pred,
                        truth: &truth,
                    };
                    findings.extend(f.metrics.iter().map(|m| {
                        realized_finding(m.metric, rows_m.realized(m.metric), rows.len())
                    }));
                }
            }
        }
        Ok(findings)
    }
}

/// NannyML's multiclass calibration: each class's calibrator, then each row divided by
/// its sum (a row summing to 0 becomes uniform).
fn calibrate_multiclass(calibrators: &[Calibrator], scores: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut cal: Vec<Vec<f64>> = calibrators
        .iter()
        .zip(scores)
        .map(|(c, s)| s.iter().map(|&v| c.apply(v)).collect())
        .collect();
    let k = cal.len();
    let n = scores.first().map_or(0, Vec::len);
    for row in 0..n {
        let sum: f64 = cal.iter().map(|c| c[row]).sum();
        for c in cal.iter_mut() {
            c[row] = if sum != 0.0 {
                c[row] / sum
            } else {
                1.0 / k as f64
            };
        }
    }
    cal
}

/// The `estimated_<metric>` finding: judged against the reference band.
fn estimate_finding(m: &FittedMetric, value: f64, se: f64) -> Finding {
    let bounds = Bounds {
        lower: m.lower,
        upper: m.upper,
    };
    let alert = bounds.excludes(value);
    let crossed = match (m.lower, m.upper) {
        (Some(l), _) if value < l => l,
        (_, Some(u)) if value > u => u,
        _ => f64::NAN,
    };
    let fmt = |b: Option<f64>| b.map_or("open".to_string(), |v| format!("{v:.4}"));
    let severity = alert.then(|| {
        if (value - crossed).abs() > 3.0 * se {
            Severity::High
        } else {
            Severity::Medium
        }
    });
    Finding {
        bounds: Some(bounds),
        sampling_error: Some(se),
        status: if alert { Status::Alert } else { Status::Ok },
        severity,
        threshold: crossed,
        message: format!(
            "estimated {} {value:.4} (sampling error {se:.4}), reference band [{}, {}]{}",
            m.metric.name(),
            fmt(m.lower),
            fmt(m.upper),
            if alert { ": outside the band" } else { "" }
        ),
        ..Finding::new(
            FindingKind::Estimate {
                higher_is_better: m.metric.higher_is_better(),
            },
            NAME,
            method::estimated(m.metric.name()),
            value,
        )
    }
}

/// The `realized_<metric>` finding of a window's labelled rows.
fn realized_finding(metric: Metric, value: f64, rows: usize) -> Finding {
    Finding {
        message: if value.is_nan() {
            format!(
                "realized {} undefined on {rows} labelled rows (a single class)",
                metric.name()
            )
        } else {
            format!(
                "realized {} {value:.4} on {rows} labelled rows",
                metric.name()
            )
        },
        ..Finding::new(
            FindingKind::Info,
            NAME,
            method::realized(metric.name()),
            value,
        )
    }
}

#[typetag::serde]
impl Monitor for Cbpe {
    fn name(&self) -> &str {
        NAME
    }

    fn fit(&mut self, reference: &Window) -> driftwatch_core::Result<()> {
        Ok(self.fit_reference(reference)?)
    }

    fn check(&self, current: &Window) -> driftwatch_core::Result<Vec<Finding>> {
        Ok(self.check_window(current)?)
    }
}

/// The factory's default config, as TOML.
const DEFAULT_CONFIG: &str = "\
# metrics = [\"roc_auc\", \"accuracy\", \"f1\"]  # default: all that apply (binary: also confusion_matrix)
# chunk_rows = 5000        # rows per reference chunk (the window size); default: reference / 10
# positive_class = \"1\"     # binary: default the second of the sorted classes
calibration = \"isotonic\"   # or \"none\"
std = 3.0                  # band: mean +- std * sd of the metric over reference chunks
";

inventory::submit! {
    MonitorFactory {
        name: NAME,
        description: "CBPE (NannyML): classification metrics estimated without labels from calibrated probabilities, with sampling errors and reference-chunk bands",
        default_config: DEFAULT_CONFIG,
        build: |v| {
            let config: CbpeConfig = if v.is_null() {
                CbpeConfig::default()
            } else {
                serde_json::from_value(v.clone())
                    .map_err(|e| driftwatch_core::Error::param(NAME, e.to_string()))?
            };
            Ok(Box::new(Cbpe::new(config)?))
        },
    }
}
