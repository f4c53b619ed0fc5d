//! The monitor `dle`: fit the loss models and thresholds on the reference, then per
//! window the mean predicted loss as the estimated metric.

use driftwatch_core::{
    Bounds, Finding, FindingKind, Frame, Monitor, Severity, Status, Target, Window,
};
use driftwatch_models::forest::RandomForestRegressor;
use serde::{Deserialize, Serialize};

use super::config::DleConfig;
use super::encode::FeatureEncoder;
use super::error::DleError;
use super::metric::{DleMetric, Loss, LossSpread};
use super::thresholds::{Band, chunk_ranges};

/// The registered name.
pub const NAME: &str = "dle";

/// Direct loss estimation of a regressor's MAE, MSE and RMSE without labels (see the
/// [module docs](super)).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DleMonitor {
    config: DleConfig,
    fitted: Option<Fitted>,
}

/// What `fit` learns.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Fitted {
    encoder: FeatureEncoder,
    /// One forest per loss the metrics need.
    models: Vec<(Loss, RandomForestRegressor)>,
    metrics: Vec<FittedMetric>,
    /// Reference chunks the bands come from, and rows in each full one.
    n_chunks: usize,
    chunk_rows: usize,
}

/// One metric's thresholds and reference loss spread.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FittedMetric {
    metric: DleMetric,
    band: Option<Band>,
    spread: LossSpread,
}

/// One metric of one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DleEstimate {
    /// The metric.
    pub metric: DleMetric,
    /// The estimate: mean predicted loss (its root for RMSE).
    pub estimate: f64,
    /// NannyML's sampling error at the window's size.
    pub sampling_error: f64,
    /// Thresholds from the reference chunks (`None` when no chunk had a value).
    pub band: Option<Band>,
    /// The realized metric on the window's labelled rows, if any.
    pub realized: Option<f64>,
}

/// The targets and predictions of a window's labelled rows.
type Labelled = (Vec<f64>, Vec<f64>);

fn describe(window: &Window) -> String {
    if window.label.is_empty() {
        "the window".to_string()
    } else {
        format!("window `{}`", window.label)
    }
}

/// The window's predictions as finite numbers.
fn predictions<'a>(window: &'a Window, input: &str) -> Result<&'a [f64], DleError> {
    let values = match &window.predictions {
        None => {
            return Err(DleError::NoPredictions {
                input: input.to_string(),
            });
        }
        Some(Target::Labels(_)) => {
            return Err(DleError::Classification {
                input: format!("the predictions of {input}"),
            });
        }
        Some(Target::Values(v)) => v.as_slice(),
    };
    finite(values, &format!("the predictions of {input}"))?;
    Ok(values)
}

fn finite(values: &[f64], input: &str) -> Result<(), DleError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(DleError::NonFinite {
            input: input.to_string(),
            row: i + 1,
            value: values[i],
        }),
        None => Ok(()),
    }
}

impl DleMonitor {
    /// An unfitted monitor; the configuration is checked here.
    pub fn new(config: DleConfig) -> Result<Self, DleError> {
        config.check()?;
        Ok(DleMonitor {
            config,
            fitted: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DleConfig {
        &self.config
    }

    /// The features the loss models read, from a window.
    fn features(&self, frame: &Frame, input: &str) -> Result<Frame, DleError> {
        match &self.config.features {
            None => Ok(frame.clone()),
            Some(names) => {
                for name in names {
                    if !frame.has_column(name) {
                        return Err(DleError::MissingColumn {
                            column: name.clone(),
                            input: input.to_string(),
                            available: frame.names().join(", "),
                        });
                    }
                }
                frame.select(names).map_err(|e| DleError::Config {
                    key: "features",
                    message: e.to_string(),
                })
            }
        }
    }

    /// Learns the loss models, the loss spreads and the thresholds from a labelled
    /// reference with predictions.
    pub fn fit_reference(&mut self, reference: &Window) -> Result<(), DleError> {
        self.config.check()?;
        let input = "the reference";
        let n = reference.n_rows();
        if n == 0 {
            return Err(DleError::Empty(input.into()));
        }
        let y_pred = predictions(reference, input)?;
        let y_true = match &reference.labels {
            None => return Err(DleError::NoReferenceLabels),
            Some(Target::Labels(_)) => {
                return Err(DleError::Classification {
                    input: "the reference labels".into(),
                });
            }
            Some(Target::Values(v)) => v.as_slice(),
        };
        if let Some(mask) = &reference.labelled {
            let count = mask.iter().filter(|&&b| !b).count();
            if count > 0 {
                return Err(DleError::UnlabelledReference { count });
            }
        }
        for (what, len) in [
            ("the reference labels", y_true.len()),
            ("the reference predictions", y_pred.len()),
        ] {
            if len != n {
                return Err(DleError::Length {
                    input: what.into(),
                    got: len,
                    expected: n,
                });
            }
        }
        finite(y_true, "the reference labels")?;

        let features = self.features(&reference.features, input)?;
        let encoder = FeatureEncoder::fit(&features);
        let x = encoder.matrix(&features, y_pred, input)?;
        let params = self.config.forest();
        let chunks = chunk_ranges(n, self.config.chunk_rows);
        let mut models = Vec::new();
        let mut metrics = Vec::new();
        for &metric in &self.config.metrics {
            let loss = metric.loss();
            let losses: Vec<f64> = y_true
                .iter()
                .zip(y_pred)
                .map(|(&t, &p)| loss.of(t, p))
                .collect();
            if !models.iter().any(|(l, _)| *l == loss) {
                models.push((
                    loss,
                    RandomForestRegressor::fit(&params, x.view(), &losses)?,
                ));
            }
            let per_chunk = chunks
                .iter()
                .map(|r| metric.realized(&y_true[r.clone()], &y_pred[r.clone()]))
                .collect::<Result<Vec<f64>, _>>()?;
            metrics.push(FittedMetric {
                metric,
                band: Band::of(&per_chunk, self.config.std),
                spread: LossSpread::of(&losses),
            });
        }
        self.fitted = Some(Fitted {
            encoder,
            models,
            metrics,
            n_chunks: chunks.len(),
            chunk_rows: chunks.first().map_or(0, |r| r.len()),
        });
        Ok(())
    }

    /// Estimates (and, where the window has labels, realizes) every metric on a window.
    pub fn estimate(&self, window: &Window) -> Result<Vec<DleEstimate>, DleError> {
        let fitted = self.fitted.as_ref().ok_or(DleError::NotFitted)?;
        let input = describe(window);
        let n = window.n_rows();
        if n == 0 {
            return Err(DleError::Empty(input));
        }
        let y_pred = predictions(window, &input)?;
        if y_pred.len() != n {
            return Err(DleError::Length {
                input: format!("the predictions of {input}"),
                got: y_pred.len(),
                expected: n,
            });
        }
        let features = self.features(&window.features, &input)?;
        let x = fitted.encoder.matrix(&features, y_pred, &input)?;
        let mut mean_loss = Vec::with_capacity(fitted.models.len());
        for (loss, model) in &fitted.models {
            model.validate(fitted.encoder.width())?;
            let predicted = model.predict(x.view())?;
            // NannyML clips negative predicted losses to 0 before the mean.
            let sum: f64 = predicted.iter().map(|&l| l.max(0.0)).sum();
            mean_loss.push((*loss, sum / n as f64));
        }
        let labelled = self.labelled_rows(window, y_pred, &input)?;
        fitted
            .metrics
            .iter()
            .map(|m| {
                let mean = mean_loss
                    .iter()
                    .find(|(l, _)| *l == m.metric.loss())
                    .map_or(f64::NAN, |(_, v)| *v);
                let realized = match &labelled {
                    Some((t, p)) if !t.is_empty() => Some(m.metric.realized(t, p)?),
                    _ => None,
                };
                Ok(DleEstimate {
                    metric: m.metric,
                    estimate: m.metric.from_mean_loss(mean),
                    sampling_error: m.spread.sampling_error(m.metric, n),
                    band: m.band,
                    realized,
                })
            })
            .collect()
    }

    /// The labels and predictions of the window's labelled rows with a finite label
    /// (NannyML drops missing targets), or `None` without labels.
    fn labelled_rows(
        &self,
        window: &Window,
        y_pred: &[f64],
        input: &str,
    ) -> Result<Option<Labelled>, DleError> {
        let y_true = match &window.labels {
            None => return Ok(None),
            Some(Target::Labels(_)) => {
                return Err(DleError::Classification {
                    input: format!("the labels of {input}"),
                });
            }
            Some(Target::Values(v)) => v,
        };
        if y_true.len() != y_pred.len() {
            return Err(DleError::Length {
                input: format!("the labels of {input}"),
                got: y_true.len(),
                expected: y_pred.len(),
            });
        }
        let mask = window.labelled.as_deref();
        let (t, p) = y_true
            .iter()
            .zip(y_pred)
            .enumerate()
            .filter(|(i, (t, _))| {
                t.is_finite() && mask.is_none_or(|m| m.get(*i).copied().unwrap_or(false))
            })
            .map(|(_, (&t, &p))| (t, p))
            .unzip();
        Ok(Some((t, p)))
    }

    /// The findings of one window: an estimate per metric and, with labels, the
    /// realized metric.
    fn findings(&self, window: &Window) -> Result<Vec<Finding>, DleError> {
        let (n_chunks, chunk_rows) = self
            .fitted
            .as_ref()
            .map_or((0, 0), |f| (f.n_chunks, f.chunk_rows));
        let mut out = Vec::new();
        for e in self.estimate(window)? {
            let name = e.metric.name();
            let bounds = e.band.map(|b| Bounds {
                lower: Some(b.lower),
                upper: Some(b.upper),
            });
            let (status, severity) = match e.band {
                Some(b) if e.estimate > b.upper => (Status::Alert, Some(Severity::Medium)),
                // An error below its band is better than the reference's: still an
                // alert, as NannyML raises it, but a low one.
                Some(b) if e.estimate < b.lower => (Status::Alert, Some(Severity::Low)),
                _ => (Status::Ok, None),
            };
            let band = e.band.map_or(
                "no band (no reference chunk had a value)".to_string(),
                |b| {
                    format!(
                        "band [{:.6}, {:.6}] from {n_chunks} reference chunks of {chunk_rows} rows",
                        b.lower, b.upper
                    )
                },
            );
            out.push(Finding {
                threshold: e.band.map_or(f64::NAN, |b| b.upper),
                bounds,
                sampling_error: Some(e.sampling_error),
                status,
                severity,
                message: format!(
                    "estimated {name} {:.6} (sampling error {:.6}); {band}",
                    e.estimate, e.sampling_error
                ),
                ..Finding::new(
                    FindingKind::Estimate {
                        higher_is_better: false,
                    },
                    NAME,
                    format!("estimated_{name}"),
                    e.estimate,
                )
            });
            if let Some(r) = e.realized {
                out.push(Finding {
                    message: format!("realized {name} {r:.6} on the window's labelled rows"),
                    ..Finding::new(FindingKind::Info, NAME, format!("realized_{name}"), r)
                });
            }
        }
        Ok(out)
    }
}

#[typetag::serde]
impl Monitor for DleMonitor {
    fn name(&self) -> &str {
        NAME
    }

    fn fit(&mut self, reference: &Window) -> driftwatch_core::Result<()> {
        Ok(self.fit_reference(reference)?)
    }

    fn check(&self, current: &Window) -> driftwatch_core::Result<Vec<Finding>> {
        Ok(self.findings(current)?)
    }
}

/// Builds the monitor from its config table (`null`: the defaults).
pub(super) fn build(v: &serde_json::Value) -> driftwatch_core::Result<Box<dyn Monitor>> {
    let config = if v.is_null() {
        DleConfig::default()
    } else {
        serde_json::from_value(v.clone()).map_err(|e| DleError::Config {
            key: "config",
            message: format!("{e} (keys: metrics, features, chunk_rows, std, n_trees, max_depth, min_samples_leaf, seed)"),
        })?
    };
    Ok(Box::new(DleMonitor::new(config)?))
}

inventory::submit! {
    driftwatch_core::registry::MonitorFactory {
        name: NAME,
        description: "estimated MAE, MSE, RMSE of a regressor without labels (NannyML's direct loss estimation), judged by thresholds from reference chunks",
        default_config: "metrics = [\"mae\", \"mse\", \"rmse\"]\n# chunk_rows = 5000  # rows per reference chunk (the window size); unset: the reference in 10 chunks\nstd = 3.0\nn_trees = 48\n# max_depth = 12  # default: no limit\nmin_samples_leaf = 300\nseed = 0\n",
        build,
    }
}
