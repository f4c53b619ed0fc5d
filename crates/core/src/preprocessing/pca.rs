//! PCA by eigen-decomposition of the covariance matrix.
//!
//! Features are few in tabular monitoring (tens, not thousands), so the d x d covariance
//! route is exact and cheap; nalgebra's symmetric eigen-solver does the work.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::{not_fitted, numeric_columns};
use crate::error::{Error, Result};
use crate::frame::{Column, Frame};
use crate::params::{ParamValue, Params, unknown_param};
use crate::traits::Transformer;

/// The learnt projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaState {
    /// Input columns.
    pub columns: Vec<String>,
    /// Column means.
    pub mean: Vec<f64>,
    /// Components, row k = k-th principal axis (length = number of inputs).
    pub components: Vec<Vec<f64>>,
    /// Variance along each component (ddof = 1, as scikit-learn).
    pub explained_variance: Vec<f64>,
    /// Share of total variance along each component.
    pub explained_variance_ratio: Vec<f64>,
}

/// Projects onto the leading principal components; outputs are named `pca0`, `pca1`, ...
/// Component signs follow scikit-learn's `svd_flip`: the largest loading is positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Pca {
    /// Number of components (`None` = all); a float in (0, 1) keeps enough components to
    /// explain that share of variance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_components: Option<ParamValue>,
    /// Learnt at fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<PcaState>,
}

impl Pca {
    /// PCA keeping `n` components (`None` = all).
    pub fn new(n: Option<usize>) -> Self {
        Pca {
            n_components: n.map(Into::into),
            fitted: None,
        }
    }

    /// The fitted state.
    pub fn state(&self) -> Option<&PcaState> {
        self.fitted.as_ref()
    }
}

impl Params for Pca {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![(
            "n_components".into(),
            self.n_components.clone().unwrap_or(ParamValue::None),
        )]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "n_components" => {
                self.n_components = match value {
                    ParamValue::None => None,
                    ParamValue::Int(i) if *i > 0 => Some(value.clone()),
                    ParamValue::Float(f) if *f > 0.0 && *f < 1.0 => Some(value.clone()),
                    other => {
                        return Err(Error::param(
                            name,
                            format!(
                                "{other}: use a positive integer, a fraction in (0, 1) or none"
                            ),
                        ));
                    }
                }
            }
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Transformer for Pca {
    fn type_name(&self) -> &'static str {
        "PCA"
    }

    fn fit(&mut self, x: &Frame) -> Result<()> {
        let cols = numeric_columns(x, "PCA", None)?;
        let (n, d) = (x.n_rows(), cols.len());
        if n < 2 || d == 0 {
            return Err(Error::InvalidValue(format!(
                "PCA needs at least 2 rows and 1 column, got {n} x {d}"
            )));
        }
        if let Some((name, _)) = x.iter().find(|(_, c)| c.missing_count() > 0) {
            return Err(Error::InvalidValue(format!(
                "PCA: column '{name}' has missing values; put a SimpleImputer before it"
            )));
        }
        let mean: Vec<f64> = cols.iter().map(|c| c.sum() / n as f64).collect();
        let mut cov = DMatrix::<f64>::zeros(d, d);
        for i in 0..d {
            for j in i..d {
                let s: f64 = cols[i]
                    .iter()
                    .zip(cols[j].iter())
                    .map(|(a, b)| (a - mean[i]) * (b - mean[j]))
                    .sum::<f64>()
                    / (n - 1) as f64;
                cov[(i, j)] = s;
                cov[(j, i)] = s;
            }
        }
        let eig = cov.symmetric_eigen();
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        let total: f64 = eig.eigenvalues.iter().map(|v| v.max(0.0)).sum();
        let max_k = d.min(n);
        let k = match &self.n_components {
            None => max_k,
            Some(ParamValue::Float(f)) => {
                let mut acc = 0.0;
                let mut k = 0;
                for &i in &order {
                    k += 1;
                    acc += eig.eigenvalues[i].max(0.0) / total.max(f64::MIN_POSITIVE);
                    if acc >= *f {
                        break;
                    }
                }
                k.min(max_k)
            }
            Some(v) => v.as_usize("n_components")?,
        };
        if k == 0 || k > max_k {
            return Err(Error::param(
                "n_components",
                format!("{k} is not between 1 and min(rows, columns) = {max_k}"),
            ));
        }
        let mut components = Vec::with_capacity(k);
        let mut variance = Vec::with_capacity(k);
        for &i in order.iter().take(k) {
            let mut v: Vec<f64> = eig.eigenvectors.column(i).iter().copied().collect();
            let big = v
                .iter()
                .copied()
                .fold(0.0f64, |m, a| if a.abs() > m.abs() { a } else { m });
            if big < 0.0 {
                v.iter_mut().for_each(|a| *a = -*a);
            }
            components.push(v);
            variance.push(eig.eigenvalues[i].max(0.0));
        }
        let ratio = variance
            .iter()
            .map(|v| if total > 0.0 { v / total } else { 0.0 })
            .collect();
        self.fitted = Some(PcaState {
            columns: x.names().to_vec(),
            mean,
            components,
            explained_variance: variance,
            explained_variance_ratio: ratio,
        });
        Ok(())
    }

    fn transform(&self, x: &Frame) -> Result<Frame> {
        let st = self.fitted.as_ref().ok_or_else(|| not_fitted("PCA"))?;
        let cols = numeric_columns(x, "PCA", Some(&st.columns))?;
        let n = x.n_rows();
        let mut out = Frame::default();
        for (k, comp) in st.components.iter().enumerate() {
            let mut v = ndarray::Array1::<f64>::zeros(n);
            for (j, c) in cols.iter().enumerate() {
                let (w, m) = (comp[j], st.mean[j]);
                v.zip_mut_with(*c, |o, &a| *o += (a - m) * w);
            }
            out.push(format!("pca{k}"), Column::Numeric(v))?;
        }
        Ok(out)
    }

    fn validate(&self) -> Result<()> {
        if let Some(st) = &self.fitted {
            let d = st.columns.len();
            if st.mean.len() != d || st.components.iter().any(|c| c.len() != d) {
                return Err(Error::model("PCA", "fitted state has inconsistent widths"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{ReadOptions, read_csv};

    #[test]
    fn finds_the_main_axis() {
        let x = read_csv(
            "a,b\n1,2\n2,4\n3,6\n4,8.5\n".as_bytes(),
            "t.csv",
            &ReadOptions::default(),
        )
        .unwrap();
        let mut p = Pca::new(Some(1));
        let out = p.fit_transform(&x).unwrap();
        assert_eq!(out.names(), ["pca0"]);
        let st = p.state().unwrap();
        assert!(st.explained_variance_ratio[0] > 0.99);
        let c = &st.components[0];
        assert!(c[0] > 0.0 && c[1] > 0.0, "largest loading positive: {c:?}");
        assert!(((c[0] * c[0] + c[1] * c[1]) - 1.0).abs() < 1e-12);
        let v = out.column("pca0").unwrap().numeric_values().unwrap();
        assert!(v.iter().sum::<f64>().abs() < 1e-12, "centred");
        assert!(Pca::new(Some(3)).fit(&x).is_err());
    }
}
