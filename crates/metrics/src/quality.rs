//! Data-quality and serving monitors: the share of missing values per column against
//! the reference (`missing_values`), the share of rows that failed schema validation
//! (`schema_violations`) and latency percentiles (`latency`).
//!
//! `missing_values` and `schema_violations` report shares as data-quality findings
//! ([`FindingKind::DataQuality`]) with a baseline (the reference share, the accepted
//! share), so the alert policy judges them like metrics where lower is better. `latency`
//! is informational ([`FindingKind::Info`]): p50/p95/p99 without a baseline and with
//! status ok, for the report and the summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The methods of the `latency` monitor's findings.
pub use driftwatch_core::method::{LATENCY_P50, LATENCY_P95, LATENCY_P99};
use driftwatch_core::quantile::quantile_sorted;
use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{Error as CoreError, Finding, FindingKind, Monitor, Status, Window};

/// Method of the `missing_values` findings.
pub const MISSING_SHARE: &str = "missing_share";
/// Method of the `schema_violations` findings.
pub const INVALID_SHARE: &str = "invalid_share";
/// The latency percentiles reported by `latency`, as (method, quantile).
/// (The names are defined in core, where the monitor crate's summary reads them too.)
pub const LATENCY_PERCENTILES: [(&str, f64); 3] = [
    (LATENCY_P50, 0.50),
    (LATENCY_P95, 0.95),
    (LATENCY_P99, 0.99),
];

/// Share of missing values per column against the reference's share.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingValuesMonitor {
    /// Columns to watch; empty = every column of the reference.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Absolute rise over the reference share at which the monitor's own status turns
    /// to alert (display only; alerts come from the alert policy). Default 0.05.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Reference share per column, learned by `fit`.
    #[serde(default)]
    pub reference: BTreeMap<String, f64>,
}

fn default_tolerance() -> f64 {
    0.05
}

/// Share of missing rows of `name` in `w` (`None` without rows or without the column).
fn missing_share(w: &Window, name: &str) -> Option<f64> {
    let col = w.features.column(name).ok()?;
    (!col.is_empty()).then(|| col.missing_count() as f64 / col.len() as f64)
}

#[typetag::serde]
impl Monitor for MissingValuesMonitor {
    fn name(&self) -> &str {
        "missing_values"
    }

    fn fit(&mut self, reference: &Window) -> Result<(), CoreError> {
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(CoreError::param(
                "missing_values.tolerance",
                format!("{} is not a share >= 0; use e.g. 0.05", self.tolerance),
            ));
        }
        let names: Vec<String> = if self.columns.is_empty() {
            reference.features.names().to_vec()
        } else {
            self.columns.clone()
        };
        self.reference.clear();
        for name in names {
            if !reference.features.has_column(&name) {
                return Err(CoreError::param(
                    "missing_values.columns",
                    format!("the reference has no column '{name}'; name one of its columns"),
                ));
            }
            let share = missing_share(reference, &name).unwrap_or(0.0);
            self.reference.insert(name, share);
        }
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        Ok(self
            .reference
            .iter()
            .filter_map(|(name, &baseline)| {
                let share = missing_share(current, name)?;
                let threshold = baseline + self.tolerance;
                let bad = share > threshold;
                Some(Finding {
                    monitor: "missing_values".into(),
                    kind: FindingKind::DataQuality,
                    column: Some(name.clone()),
                    method: MISSING_SHARE.into(),
                    statistic: share,
                    p_value: None,
                    threshold,
                    baseline: Some(baseline),
                    status: if bad { Status::Alert } else { Status::Ok },
                    severity: None,
                    message: format!(
                        "{name}: {:.1}% missing vs {:.1}% in the reference",
                        share * 100.0,
                        baseline * 100.0
                    ),
                    bounds: None,
                    sampling_error: None,
                })
            })
            .collect())
    }
}

/// Latency percentiles (p50/p95/p99) of a numeric column, e.g. the prediction log's
/// `latency_ms`; informational findings without a baseline.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyMonitor {
    /// The latency column (milliseconds). The CLI adds the prediction log's latency as
    /// `latency_ms`.
    #[serde(default = "default_latency_column")]
    pub column: String,
}

fn default_latency_column() -> String {
    "latency_ms".into()
}

impl Default for LatencyMonitor {
    fn default() -> Self {
        LatencyMonitor {
            column: default_latency_column(),
        }
    }
}

#[typetag::serde]
impl Monitor for LatencyMonitor {
    fn name(&self) -> &str {
        "latency"
    }

    fn fit(&mut self, _reference: &Window) -> Result<(), CoreError> {
        // Nothing to learn: the reference data has no serving latency.
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        // A window without the column (a CSV without latency) has nothing to report.
        let Ok(col) = current.features.column(&self.column) else {
            return Ok(Vec::new());
        };
        let Some(mut values) = col.numeric_values() else {
            return Err(CoreError::param(
                "latency.column",
                format!(
                    "column '{}' is not numeric; name a column of milliseconds",
                    self.column
                ),
            ));
        };
        values.retain(|x| x.is_finite());
        values.sort_by(f64::total_cmp);
        Ok(LATENCY_PERCENTILES
            .iter()
            .filter_map(|&(method, q)| {
                let value = quantile_sorted(&values, q)?;
                Some(Finding {
                    monitor: "latency".into(),
                    kind: FindingKind::Info,
                    column: Some(self.column.clone()),
                    method: method.into(),
                    statistic: value,
                    p_value: None,
                    threshold: f64::NAN,
                    baseline: None,
                    status: Status::Ok,
                    severity: None,
                    message: format!("{method} {value:.3} ms over {} requests", values.len()),
                    bounds: None,
                    sampling_error: None,
                })
            })
            .collect())
    }
}

fn build<T: Monitor + Default + serde::de::DeserializeOwned + 'static>(
    name: &str,
    v: &serde_json::Value,
) -> Result<Box<dyn Monitor>, CoreError> {
    if v.is_null() {
        return Ok(Box::new(T::default()));
    }
    let m: T =
        serde_json::from_value(v.clone()).map_err(|e| CoreError::param(name, e.to_string()))?;
    Ok(Box::new(m))
}

inventory::submit! {
    MonitorFactory {
        name: "missing_values",
        description: "share of missing values per column against the reference share (a metric the alert policy judges, lower is better)",
        default_config: "columns = []  # all columns of the reference\ntolerance = 0.05  # display status only; alerts follow the alert policy\n",
        build: |v| build::<MissingValuesMonitor>("missing_values", v),
    }
}

/// Share of a window's input rows that failed schema validation (and were left out
/// of every other monitor), as a metric against an accepted share: the rows a caller
/// validated and rejected are counted in [`Window::rejected`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaViolationsMonitor {
    /// Accepted share of rejected rows: the baseline the alert policy judges against
    /// (default 0: any rejected row is bad).
    #[serde(default)]
    pub accepted_share: f64,
}

#[typetag::serde]
impl Monitor for SchemaViolationsMonitor {
    fn name(&self) -> &str {
        "schema_violations"
    }

    fn fit(&mut self, _reference: &Window) -> Result<(), CoreError> {
        if !(0.0..1.0).contains(&self.accepted_share) {
            return Err(CoreError::param(
                "schema_violations.accepted_share",
                format!(
                    "{} is not a share in [0, 1); use e.g. 0.01",
                    self.accepted_share
                ),
            ));
        }
        Ok(())
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        // Windows whose rows were never validated have nothing to report.
        let Some(rejected) = &current.rejected else {
            return Ok(Vec::new());
        };
        let bad: u64 = rejected.iter().map(|&r| u64::from(r)).sum();
        let total = bad + current.n_rows() as u64;
        if total == 0 {
            return Ok(Vec::new());
        }
        let share = bad as f64 / total as f64;
        let alert = share > self.accepted_share;
        Ok(vec![Finding {
            monitor: "schema_violations".into(),
            kind: FindingKind::DataQuality,
            column: None,
            method: INVALID_SHARE.into(),
            statistic: share,
            p_value: None,
            threshold: self.accepted_share,
            baseline: Some(self.accepted_share),
            status: if alert { Status::Alert } else { Status::Ok },
            severity: None,
            message: format!(
                "{bad} of {total} rows ({:.1}%) failed schema validation and were left out",
                share * 100.0
            ),
            bounds: None,
            sampling_error: None,
        }])
    }
}

inventory::submit! {
    MonitorFactory {
        name: "schema_violations",
        description: "share of rows that failed schema validation (ranges, levels, required values) per window (a metric, lower is better)",
        default_config: "accepted_share = 0.0  # baseline: alerts when a window's rejected share exceeds it\n",
        build: |v| build::<SchemaViolationsMonitor>("schema_violations", v),
    }
}

inventory::submit! {
    MonitorFactory {
        name: "latency",
        description: "p50/p95/p99 of a latency column (the prediction log's latency_ms), informational",
        default_config: "column = \"latency_ms\"\n",
        build: |v| build::<LatencyMonitor>("latency", v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{Column, Frame};

    fn window(cols: Vec<(&str, Vec<f64>)>) -> Window {
        let mut f = Frame::default();
        for (name, v) in cols {
            f.push(name, Column::Numeric(v.into_iter().collect()))
                .unwrap();
        }
        Window {
            features: f,
            ..Window::default()
        }
    }

    #[test]
    fn latency_reports_percentiles_and_skips_missing() {
        let m = LatencyMonitor::default();
        let w = window(vec![("latency_ms", vec![4.0, 1.0, f64::NAN, 3.0, 2.0])]);
        let f = m.check(&w).unwrap();
        let got: Vec<(&str, f64)> = f.iter().map(|x| (x.method.as_str(), x.statistic)).collect();
        // sorted 1,2,3,4: p50 = 2.5, p95 = 3 + 0.85 = 3.85, p99 = 3.97
        assert_eq!(got[0], (LATENCY_P50, 2.5));
        assert_eq!((got[1].0, got[2].0), (LATENCY_P95, LATENCY_P99));
        assert!((got[1].1 - 3.85).abs() < 1e-12);
        assert!((got[2].1 - 3.97).abs() < 1e-12);
        assert!(f.iter().all(|x| x.baseline.is_none()
            && x.status == Status::Ok
            && x.kind == FindingKind::Info));
        assert!(m.check(&window(vec![("x", vec![1.0])])).unwrap().is_empty());
    }

    #[test]
    fn missing_share_against_reference() {
        let mut m = MissingValuesMonitor {
            tolerance: 0.1,
            ..Default::default()
        };
        let nan = f64::NAN;
        m.fit(&window(vec![
            ("a", vec![1.0, nan, 3.0, 4.0]),
            ("b", vec![1.0, 2.0, 3.0, 4.0]),
        ]))
        .unwrap();
        assert_eq!(m.reference["a"], 0.25);
        assert_eq!(m.reference["b"], 0.0);
        let f = m
            .check(&window(vec![
                ("a", vec![nan, nan, 3.0, 4.0, 5.0]),
                ("b", vec![1.0, 2.0, 3.0, 4.0, 5.0]),
            ]))
            .unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].column.as_deref(), Some("a"));
        assert_eq!((f[0].statistic, f[0].baseline), (0.4, Some(0.25)));
        assert_eq!(f[0].status, Status::Alert); // 0.4 > 0.25 + 0.1
        assert_eq!(f[0].kind, FindingKind::DataQuality);
        assert_eq!((f[1].statistic, f[1].status), (0.0, Status::Ok));
        let bad = MissingValuesMonitor {
            columns: vec!["zz".into()],
            ..Default::default()
        }
        .fit(&window(vec![("a", vec![1.0])]));
        assert!(bad.unwrap_err().to_string().contains("zz"));
    }

    #[test]
    fn registered_with_default_configs_that_build() {
        for name in ["missing_values", "latency"] {
            let f = driftwatch_core::registry::monitor(name).unwrap();
            let table: toml_free::Table = toml_free::parse(f.default_config);
            let m = (f.build)(&table).unwrap();
            assert_eq!(m.name(), name);
        }
    }

    /// The default configs are flat `key = value` lines; enough to turn them into JSON
    /// here without a TOML dependency in this crate.
    mod toml_free {
        pub type Table = serde_json::Value;
        pub fn parse(text: &str) -> Table {
            let mut map = serde_json::Map::new();
            for line in text.lines() {
                let line = line.split('#').next().unwrap().trim();
                if let Some((k, v)) = line.split_once('=') {
                    map.insert(k.trim().into(), serde_json::from_str(v.trim()).unwrap());
                }
            }
            serde_json::Value::Object(map)
        }
    }

    #[test]
    fn schema_violations_share_counts_rejected_rows_of_the_window() {
        let w = |rejected: Option<Vec<u32>>| Window {
            features: Frame::new(vec![(
                "x".into(),
                Column::Numeric([1.0, 2.0, 3.0, 4.0].into_iter().collect()),
            )])
            .unwrap(),
            rejected,
            ..Window::default()
        };
        let mut m = SchemaViolationsMonitor::default();
        m.fit(&w(None)).unwrap();
        assert!(m.check(&w(None)).unwrap().is_empty(), "not validated");
        let f = m.check(&w(Some(vec![0, 0, 0, 0]))).unwrap();
        assert_eq!((f[0].statistic, f[0].status), (0.0, Status::Ok));
        let f = m.check(&w(Some(vec![2, 0, 1, 1]))).unwrap();
        assert_eq!(
            (f[0].method.as_str(), f[0].kind),
            (INVALID_SHARE, FindingKind::DataQuality)
        );
        assert_eq!(f[0].statistic, 0.5);
        assert_eq!(f[0].baseline, Some(0.0));
        assert_eq!(f[0].status, Status::Alert);
        assert!(
            f[0].message.starts_with("4 of 8 rows (50.0%)"),
            "{}",
            f[0].message
        );
        let mut m = SchemaViolationsMonitor {
            accepted_share: 1.5,
        };
        assert!(m.fit(&w(None)).is_err());
    }
}
