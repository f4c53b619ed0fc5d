//! The `pca_reconstruction` monitor: NannyML's DataReconstructionDriftCalculator.
//!
//! Fit: impute, count-encode and standardise the reference (`encode.rs`), then a PCA
//! keeping enough components for `n_components` of the variance (core's PCA, which
//! follows scikit-learn's covariance route for tall data). A row's reconstruction
//! error is the Euclidean distance between its scaled values and their projection
//! back from the components; a window's statistic is the mean over its rows, with
//! `sd / sqrt(n)` as sampling error. The band is `mean ± std x sd` of the statistic over
//! reference chunks of `chunk_rows` rows (a lower threshold at or below 0 is dropped).

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use driftwatch_core::preprocessing::Pca;
use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{
    Bounds, Error as CoreError, Finding, FindingKind, Frame, Monitor, ParamValue, Severity, Status,
    Transformer, Window,
};

use crate::band::{Limit, chunks, outside_open, std_band};
use crate::encode::{CategoricalImpute, ContinuousImpute, Encoder, select_columns};
use crate::error::Error;
use crate::method::RECONSTRUCTION_ERROR;

/// The registered name.
pub const NAME: &str = "pca_reconstruction";

/// The configuration (TOML keys of the monitor's table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconstructionConfig {
    /// Columns to use; empty: every reference column except timestamps.
    #[serde(default)]
    pub columns: Vec<String>,
    /// A share of variance in (0, 1) to keep (scikit-learn's rule: the fewest components
    /// whose cumulated share exceeds it), or a whole number of components.
    #[serde(default = "default_n_components")]
    pub n_components: f64,
    /// Rows per reference chunk (the window size); unset: a tenth of the reference,
    /// as NannyML's default chunker.
    #[serde(default)]
    pub chunk_rows: Option<usize>,
    /// Half-width of the band in standard deviations of the chunks' errors.
    #[serde(default = "default_std")]
    pub std: f64,
    /// How missing numbers are filled.
    #[serde(default)]
    pub impute_continuous: ContinuousImpute,
    /// How missing categories are filled.
    #[serde(default)]
    pub impute_categorical: CategoricalImpute,
}

fn default_n_components() -> f64 {
    0.65
}

fn default_std() -> f64 {
    3.0
}

impl Default for ReconstructionConfig {
    fn default() -> Self {
        ReconstructionConfig {
            columns: Vec::new(),
            n_components: default_n_components(),
            chunk_rows: None,
            std: default_std(),
            impute_continuous: ContinuousImpute::default(),
            impute_categorical: CategoricalImpute::default(),
        }
    }
}

impl ReconstructionConfig {
    /// Refuses values the monitor cannot use, naming the key.
    pub fn check(&self) -> Result<(), Error> {
        let k = self.n_components;
        if !(k > 0.0 && (k < 1.0 || k.fract() == 0.0) && k.is_finite()) {
            return Err(Error::config(
                NAME,
                "n_components",
                format!("{k}: use a share of variance in (0, 1) or a whole number of components"),
            ));
        }
        crate::band::check_band_keys(NAME, self.chunk_rows, self.std)?;
        Ok(())
    }
}

/// What `fit` learns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconstructionState {
    encoder: Encoder,
    /// PCA mean of the scaled reference.
    mean: Vec<f64>,
    /// Principal axes kept, one row each.
    components: Vec<Vec<f64>>,
    /// The mean error of each reference chunk.
    pub reference_errors: Vec<f64>,
    /// The band learnt from them.
    pub bounds: Bounds,
}

/// The statistic of one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowError {
    /// Mean reconstruction error of the rows.
    pub mean: f64,
    /// `sd (ddof 1) / sqrt(n)`; NaN for one row.
    pub sampling_error: f64,
}

/// NannyML's multivariate drift by PCA reconstruction error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReconstructionMonitor {
    /// The configuration.
    #[serde(flatten)]
    pub config: ReconstructionConfig,
    /// Set by `fit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ReconstructionState>,
}

impl ReconstructionMonitor {
    /// An unfitted monitor; the configuration is checked.
    pub fn new(config: ReconstructionConfig) -> Result<Self, Error> {
        config.check()?;
        Ok(ReconstructionMonitor {
            config,
            state: None,
        })
    }

    /// Fits on the reference features.
    pub fn fit_frame(&mut self, reference: &Frame) -> Result<(), Error> {
        self.config.check()?;
        let n = reference.n_rows();
        if n < 2 {
            return Err(Error::input(
                NAME,
                format!("the reference has {n} rows; a PCA needs at least 2"),
            ));
        }
        let columns = select_columns(NAME, reference, &self.config.columns)?;
        let encoder = Encoder::fit(
            NAME,
            reference,
            &columns,
            self.config.impute_continuous,
            self.config.impute_categorical,
        )?;
        let x = encoder.transform(NAME, reference, "reference")?;
        let (mean, components) = fit_pca(&x, &encoder.names(), self.config.n_components)?;
        let mut state = ReconstructionState {
            encoder,
            mean,
            components,
            reference_errors: Vec::new(),
            bounds: Bounds::default(),
        };
        let errors = row_errors(&state, x.view());
        state.reference_errors = chunks(NAME, n, self.config.chunk_rows)?
            .into_iter()
            .map(|r| summarise(&errors[r]).mean)
            .collect();
        state.bounds = std_band(
            &state.reference_errors,
            self.config.std,
            Limit::Drop(0.0),
            Limit::None,
        );
        self.state = Some(state);
        Ok(())
    }

    /// The mean reconstruction error of a frame's rows and its sampling error.
    pub fn window_error(&self, frame: &Frame) -> Result<WindowError, Error> {
        let state = self.state.as_ref().ok_or(Error::NotFitted(NAME))?;
        if frame.n_rows() == 0 {
            return Err(Error::input(NAME, "the window has no rows"));
        }
        let x = state.encoder.transform(NAME, frame, "window")?;
        Ok(summarise(&row_errors(state, x.view())))
    }

    /// The number of principal components kept.
    pub fn n_components_kept(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.components.len())
    }
}

/// Core's PCA on the scaled matrix: its mean and kept components.
fn fit_pca(
    x: &Array2<f64>,
    names: &[String],
    n_components: f64,
) -> Result<(Vec<f64>, Vec<Vec<f64>>), Error> {
    let frame = Frame::from_matrix(names, x).map_err(|e| Error::input(NAME, e.to_string()))?;
    let mut pca = Pca {
        n_components: Some(if n_components < 1.0 {
            ParamValue::Float(n_components)
        } else {
            ParamValue::Int(n_components as i64)
        }),
        fitted: None,
    };
    pca.fit(&frame).map_err(|e| {
        Error::input(
            NAME,
            format!("PCA of the reference failed ({e}); check `n_components` against the number of columns"),
        )
    })?;
    let st = pca
        .state()
        .ok_or_else(|| Error::input(NAME, "PCA of the reference learnt nothing"))?;
    Ok((st.mean.clone(), st.components.clone()))
}

/// Each row's distance to its reconstruction: `|z - V^T V z|` with `z = x - mean`.
fn row_errors(state: &ReconstructionState, x: ArrayView2<'_, f64>) -> Vec<f64> {
    let d = state.mean.len();
    let mut z = vec![0.0; d];
    x.rows()
        .into_iter()
        .map(|row| {
            for ((zi, xi), m) in z.iter_mut().zip(row.iter()).zip(&state.mean) {
                *zi = xi - m;
            }
            let mut r = z.clone();
            for v in &state.components {
                let t: f64 = v.iter().zip(&z).map(|(a, b)| a * b).sum();
                for (ri, vi) in r.iter_mut().zip(v) {
                    *ri -= t * vi;
                }
            }
            r.iter().map(|a| a * a).sum::<f64>().sqrt()
        })
        .collect()
}

/// Mean and standard error of the mean (sd with ddof 1, as NannyML).
fn summarise(errors: &[f64]) -> WindowError {
    let n = errors.len() as f64;
    let mean = errors.iter().sum::<f64>() / n;
    let var = errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0);
    WindowError {
        mean,
        sampling_error: if errors.len() > 1 {
            var.sqrt() / n.sqrt()
        } else {
            f64::NAN
        },
    }
}

#[typetag::serde]
impl Monitor for ReconstructionMonitor {
    fn name(&self) -> &str {
        NAME
    }

    fn fit(&mut self, reference: &Window) -> Result<(), CoreError> {
        Ok(self.fit_frame(&reference.features)?)
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        let w = self.window_error(&current.features)?;
        let bounds = self.state.as_ref().map(|s| s.bounds).unwrap_or_default();
        let alert = outside_open(&bounds, w.mean);
        let show = |v: Option<f64>| v.map_or("open".to_string(), |v| format!("{v:.4}"));
        Ok(vec![Finding {
            threshold: bounds.upper.unwrap_or(f64::NAN),
            bounds: Some(bounds),
            sampling_error: w.sampling_error.is_finite().then_some(w.sampling_error),
            status: if alert { Status::Alert } else { Status::Ok },
            severity: alert.then_some(Severity::Medium),
            message: format!(
                "reconstruction error {:.4} (sampling error {:.4}), band [{}, {}] from reference chunks",
                w.mean,
                w.sampling_error,
                show(bounds.lower),
                show(bounds.upper)
            ),
            ..Finding::new(FindingKind::Drift, NAME, RECONSTRUCTION_ERROR, w.mean)
        }])
    }
}

fn build(v: &serde_json::Value) -> Result<Box<dyn Monitor>, CoreError> {
    let config: ReconstructionConfig = if v.is_null() {
        ReconstructionConfig::default()
    } else {
        serde_json::from_value(v.clone()).map_err(|e| CoreError::param(NAME, e.to_string()))?
    };
    Ok(Box::new(ReconstructionMonitor::new(config)?))
}

inventory::submit! {
    MonitorFactory {
        name: NAME,
        description: "multivariate drift: mean PCA reconstruction error per window against a band from reference chunks (NannyML)",
        default_config: "n_components = 0.65\nstd = 3.0\nimpute_continuous = \"mean\"\nimpute_categorical = \"most_frequent\"\n# columns = [\"a\", \"b\"]  # default: every feature column\n# chunk_rows = 5000  # default: a tenth of the reference\n",
        build,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Column;

    fn frame(n: usize, shift: f64) -> Frame {
        // Two correlated columns and one independent one, deterministic.
        let a: Vec<f64> = (0..n).map(|i| ((i * 37 % 101) as f64) / 10.0).collect();
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, v)| v + ((i * 13 % 7) as f64) / 10.0)
            .collect();
        let c: Vec<f64> = (0..n)
            .map(|i| ((i * 53 % 97) as f64) / 10.0 + shift)
            .collect();
        Frame::new(vec![
            ("a".into(), Column::Numeric(a.into())),
            ("b".into(), Column::Numeric(b.into())),
            ("c".into(), Column::Numeric(c.into())),
        ])
        .unwrap()
    }

    #[test]
    fn a_broken_correlation_alerts_and_the_reference_does_not() {
        let mut m = ReconstructionMonitor::default();
        let reference = Window {
            features: frame(1000, 0.0),
            ..Default::default()
        };
        m.fit(&reference).unwrap();
        // a and b share one axis, which holds about 2/3 of the variance of three columns.
        assert_eq!(m.n_components_kept(), Some(1));
        let st = m.state.as_ref().unwrap();
        assert_eq!(st.reference_errors.len(), 10);
        let same = m.check(&reference).unwrap();
        assert_eq!(same[0].status, Status::Ok);
        assert_eq!(same[0].method, RECONSTRUCTION_ERROR);
        assert_eq!(same[0].kind, FindingKind::Drift);
        // Swap a's values around: a and b no longer move together.
        let mut broken = frame(200, 0.0);
        let a = broken.remove("a").unwrap();
        let mut vals = a.numeric_values().unwrap();
        vals.reverse();
        broken.push("a", Column::Numeric(vals.into())).unwrap();
        let f = m
            .check(&Window {
                features: broken,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(f[0].status, Status::Alert, "{}", f[0].message);
        assert!(f[0].statistic > st.bounds.upper.unwrap());
        assert!(f[0].sampling_error.unwrap() > 0.0);
        let json = serde_json::to_string(&(Box::new(m.clone()) as Box<dyn Monitor>)).unwrap();
        let back: Box<dyn Monitor> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.check(&reference).unwrap(), same);
    }

    #[test]
    fn refuses_bad_config_and_input() {
        for (toml_key, v) in [
            ("n_components", serde_json::json!({"n_components": 1.5})),
            ("chunk_rows", serde_json::json!({"chunk_rows": 0})),
            ("std", serde_json::json!({"std": -1.0})),
        ] {
            let e = build(&v).unwrap_err().to_string();
            assert!(e.contains(toml_key), "{e}");
        }
        assert!(build(&serde_json::json!({"nope": 1})).is_err());
        assert!(build(&serde_json::Value::Null).is_ok());
        let m = ReconstructionMonitor::default();
        assert!(
            m.check(&Window::default())
                .unwrap_err()
                .to_string()
                .contains("fit")
        );
        let mut m = ReconstructionMonitor::default();
        let e = m.fit(&Window::default()).unwrap_err().to_string();
        assert!(e.contains("at least 2"), "{e}");
        m.fit(&Window {
            features: frame(100, 0.0),
            ..Default::default()
        })
        .unwrap();
        let e = m.check(&Window::default()).unwrap_err().to_string();
        assert!(e.contains("no rows"), "{e}");
        let mut too_many = ReconstructionMonitor::new(ReconstructionConfig {
            n_components: 5.0,
            ..Default::default()
        })
        .unwrap();
        let e = too_many
            .fit_frame(&frame(100, 0.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("n_components"), "{e}");
    }
}
