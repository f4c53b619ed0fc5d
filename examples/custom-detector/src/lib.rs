//! An example driftwatch plugin: `mean_shift`, a monitor that flags a numeric column
//! whose window mean moved more than `z` standard errors from the reference mean.
//!
//! Three steps make a plugin: implement [`Monitor`] (with `#[typetag::serde]` so a
//! fitted monitor saves and loads), submit a [`MonitorFactory`] with
//! `inventory::submit!`, and reference this crate from the binary that should see it
//! (`use custom_detector as _;`). No change to driftwatch itself: this crate's
//! `src/bin/driftwatch.rs` is the full `driftwatch` CLI (`driftwatch_cli::main()`) plus
//! `mean_shift`, usable in `monitor --config` as `[[monitors]] name = "mean_shift"`.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{Column, Error, Finding, Monitor, Result, Severity, Status, Window};

/// Flags columns whose mean shifted by more than `z` standard errors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeanShift {
    /// How many standard errors make a shift.
    #[serde(default = "default_z")]
    pub z: f64,
    /// Learnt at fit: (column, mean, standard deviation).
    #[serde(default)]
    pub reference: Vec<(String, f64, f64)>,
}

fn default_z() -> f64 {
    3.0
}

impl Default for MeanShift {
    fn default() -> Self {
        MeanShift {
            z: default_z(),
            reference: Vec::new(),
        }
    }
}

/// Mean and population standard deviation of the non-missing values.
fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

#[typetag::serde]
impl Monitor for MeanShift {
    fn name(&self) -> &str {
        "mean_shift"
    }

    fn fit(&mut self, reference: &Window) -> Result<()> {
        self.reference = reference
            .features
            .iter()
            .filter_map(|(name, col)| {
                let values = col.numeric_values()?;
                let (m, sd) = mean_sd(&values)?;
                Some((name.to_string(), m, sd))
            })
            .collect();
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>> {
        let mut out = Vec::new();
        for (name, mean, sd) in &self.reference {
            let col = current.features.column(name)?;
            let Column::Numeric(_) = col else {
                return Err(Error::InvalidValue(format!(
                    "mean_shift: column '{name}' is no longer numeric"
                )));
            };
            let values = col.numeric_values().unwrap_or_default();
            let Some((m, _)) = mean_sd(&values) else {
                continue;
            };
            let se = sd / (values.len() as f64).sqrt();
            let score = if se > 0.0 { (m - mean).abs() / se } else { 0.0 };
            let shifted = score > self.z;
            out.push(Finding {
                column: Some(name.clone()),
                threshold: self.z,
                status: if shifted { Status::Alert } else { Status::Ok },
                severity: shifted.then_some(Severity::Medium),
                message: format!("mean {m:.4} vs reference {mean:.4} ({score:.1} standard errors)"),
                ..Finding::new(
                    driftwatch_core::FindingKind::Drift,
                    "mean_shift",
                    "mean_shift",
                    score,
                )
            });
        }
        Ok(out)
    }
}

inventory::submit! {
    MonitorFactory {
        name: "mean_shift",
        description: "example plugin: a numeric column's mean moved more than z standard errors",
        default_config: "z = 3.0\n",
        build: |v| {
            if v.is_null() {
                return Ok(Box::new(MeanShift::default()));
            }
            let m: MeanShift = serde_json::from_value(v.clone())
                .map_err(|e| Error::param("mean_shift", e.to_string()))?;
            Ok(Box::new(m))
        },
    }
}
