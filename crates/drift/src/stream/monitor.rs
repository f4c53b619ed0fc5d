//! The `stream_detector` monitor: a streaming detector inside `driftwatch monitor`.
//!
//! It feeds a detector, row by row and window after window, either a numeric feature
//! column (`source = "column"`) or the model's per-row error (`source = "error"`: 1/0
//! for a wrong/right class, the absolute error for regression; unlabeled rows skipped).
//! The reference window warms the detector up (its signals are ignored) and that state
//! is saved; each window is then streamed through a copy of the warmed detector and gives
//! one finding: alert when the detector reported a drift in it, warning when it only
//! warned. Starting every window from the reference state (rather than carrying state
//! from window to window) keeps results independent of the order in which the engine
//! checks windows, which it does in parallel. To watch the whole stream, configure the
//! monitor with `span = "cumulative"`: the engine then hands it every window so far and
//! [`Monitor::check_span`] streams all of it, reporting the drifts and warnings of the
//! window's own rows, exactly what a detector carried from window to window would say.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{
    Column, Error, Finding, FindingKind, Monitor, Result, Severity, Status, StreamDetector, Target,
    Window,
};

/// What the detector watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A numeric feature column (`column`).
    #[default]
    Column,
    /// The per-row error of the predictions against the labels.
    Error,
}

/// Config and state of the `stream_detector` monitor.
#[derive(Debug, Serialize, Deserialize)]
pub struct StreamDetectorMonitor {
    /// Detector spec, e.g. `adwin` or `ddm:warm_start=50`.
    #[serde(default = "default_detector")]
    pub detector: String,
    /// What to watch.
    #[serde(default)]
    pub source: Source,
    /// The column, for `source = "column"`.
    #[serde(default)]
    pub column: Option<String>,
    /// The detector warmed on the reference (its serialised state), saved at fit.
    #[serde(default)]
    fitted: Option<serde_json::Value>,
}

fn default_detector() -> String {
    "adwin".into()
}

impl StreamDetectorMonitor {
    /// The values the detector reads, each with its row in `w`.
    fn values(&self, w: &Window) -> Result<Vec<(usize, f64)>> {
        match self.source {
            Source::Column => {
                let name = self.column.as_deref().ok_or_else(|| {
                    Error::param(
                        "stream_detector.column",
                        "source = \"column\" needs column = \"<numeric feature>\"",
                    )
                })?;
                match w.features.column(name)? {
                    Column::Numeric(v) => Ok(v
                        .iter()
                        .copied()
                        .enumerate()
                        .filter(|(_, x)| x.is_finite())
                        .collect()),
                    Column::Categorical(_) => Err(Error::param(
                        "stream_detector.column",
                        format!("column '{name}' is categorical; a stream detector needs numbers"),
                    )),
                }
            }
            Source::Error => {
                let (Some(p), Some(l)) = (&w.predictions, &w.labels) else {
                    return Ok(Vec::new());
                };
                // Rows flagged as unlabelled (delayed labels) hold placeholders.
                let known = |i: usize| w.labelled.as_ref().is_none_or(|m| m.get(i) == Some(&true));
                Ok(match (p, l) {
                    (Target::Labels(p), Target::Labels(l)) => p
                        .iter()
                        .zip(l)
                        .enumerate()
                        .filter(|(i, (_, l))| known(*i) && !l.is_empty())
                        .map(|(i, (p, l))| (i, f64::from(u8::from(p != l))))
                        .collect(),
                    (Target::Values(p), Target::Values(l)) => p
                        .iter()
                        .zip(l)
                        .enumerate()
                        .filter(|(i, (p, l))| known(*i) && p.is_finite() && l.is_finite())
                        .map(|(i, (p, l))| (i, (p - l).abs()))
                        .collect(),
                    _ => {
                        return Err(Error::InvalidValue(
                            "stream_detector: predictions and labels are of different kinds".into(),
                        ));
                    }
                })
            }
        }
    }

    /// Streams `w` through a copy of the warmed detector; counts the drifts (by row of
    /// the window's own part) and warnings of rows `from..`.
    fn stream(&self, w: &Window, from: usize) -> Result<Vec<Finding>> {
        let fitted = self
            .fitted
            .as_ref()
            .ok_or_else(|| Error::NotFitted("stream_detector monitor".into()))?;
        let values = self.values(w)?;
        let mut d: Box<dyn StreamDetector> =
            serde_json::from_value(fitted.clone()).map_err(|e| Error::Serde(e.to_string()))?;
        let (mut drifts, mut warnings, mut own) = (Vec::new(), 0usize, 0usize);
        for &(row, x) in &values {
            // River's flags are independent: a drift row may also carry a warning.
            let f = d.update_flags(x);
            if row < from {
                continue;
            }
            own += 1;
            if f.drift {
                drifts.push(row - from);
            }
            if f.warning {
                warnings += 1;
            }
        }
        let status = if !drifts.is_empty() {
            Status::Alert
        } else if warnings > 0 {
            Status::Warning
        } else {
            Status::Ok
        };
        let what = match self.source {
            Source::Column => format!("column {}", self.column.as_deref().unwrap_or("?")),
            Source::Error => "per-row error".to_string(),
        };
        let before = if from > 0 {
            format!(" (after {} values of earlier windows)", values.len() - own)
        } else {
            String::new()
        };
        Ok(vec![Finding {
            monitor: "stream_detector".into(),
            kind: FindingKind::Drift,
            column: match self.source {
                Source::Column => self.column.clone(),
                Source::Error => None,
            },
            method: self.detector.clone(),
            statistic: drifts.len() as f64,
            p_value: None,
            threshold: 0.0,
            baseline: None,
            status,
            severity: match status {
                Status::Alert => Some(Severity::Medium),
                Status::Warning => Some(Severity::Low),
                _ => None,
            },
            message: format!(
                "{} over {what}: {} drift(s) at window rows {:?}, {warnings} warning row(s), {own} values{before}",
                self.detector,
                drifts.len(),
                &drifts[..drifts.len().min(10)],
            ),
            bounds: None,
            sampling_error: None,
        }])
    }
}

#[typetag::serde]
impl Monitor for StreamDetectorMonitor {
    fn name(&self) -> &str {
        "stream_detector"
    }

    fn fit(&mut self, reference: &Window) -> Result<()> {
        let mut d = super::build(&self.detector)?;
        for (_, x) in self.values(reference)? {
            d.update(x);
        }
        self.fitted = Some(serde_json::to_value(&d).map_err(|e| Error::Serde(e.to_string()))?);
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>> {
        self.stream(current, 0)
    }

    /// Over a span the detector streams every row (as if its state were carried from
    /// window to window) and reports the drifts and warnings of the window's own rows.
    fn check_span(&self, current: &Window, new_rows: usize) -> Result<Vec<Finding>> {
        self.stream(current, current.n_rows().saturating_sub(new_rows))
    }
}

inventory::submit! {
    MonitorFactory {
        name: "stream_detector",
        description: "a streaming detector (adwin, ddm, ...) over a feature column or the per-row error, across windows",
        default_config: "detector = \"adwin\"\nsource = \"column\"  # or \"error\"\ncolumn = \"<numeric feature>\"\n",
        build: |v| {
            let m: StreamDetectorMonitor = if v.is_null() {
                StreamDetectorMonitor { detector: default_detector(), source: Source::Column, column: None, fitted: None }
            } else {
                serde_json::from_value(v.clone()).map_err(|e| Error::config("stream_detector", e))?
            };
            // Check the spec now, so a typo fails at config time rather than at fit.
            super::build(&m.detector)?;
            Ok(Box::new(m))
        },
    }
}
