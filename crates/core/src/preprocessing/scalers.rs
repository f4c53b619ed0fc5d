//! StandardScaler and MinMaxScaler.

use serde::{Deserialize, Serialize};

use super::{mean_var, not_fitted, numeric_columns};
use crate::error::{Error, Result};
use crate::frame::{Column, Frame};
use crate::params::{ParamValue, Params, unknown_param};
use crate::traits::Transformer;

/// Fitted per-column offsets and scales: `(x - offset) / scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affine {
    /// Column names seen at fit.
    pub columns: Vec<String>,
    /// Subtracted first.
    pub offset: Vec<f64>,
    /// Divided by next (never zero).
    pub scale: Vec<f64>,
}

impl Affine {
    fn apply(&self, x: &Frame, who: &str) -> Result<Frame> {
        let cols = numeric_columns(x, who, Some(&self.columns))?;
        let mut out = Frame::default();
        for (j, v) in cols.into_iter().enumerate() {
            let (o, s) = (self.offset[j], self.scale[j]);
            out.push(
                self.columns[j].clone(),
                Column::Numeric(v.mapv(|a| (a - o) / s)),
            )?;
        }
        Ok(out)
    }

    fn check(&self, who: &str) -> Result<()> {
        let n = self.columns.len();
        if self.offset.len() != n || self.scale.len() != n {
            return Err(Error::model(who, "fitted state has inconsistent lengths"));
        }
        if self
            .offset
            .iter()
            .chain(&self.scale)
            .any(|v| !v.is_finite())
            || self.scale.contains(&0.0)
        {
            return Err(Error::model(
                who,
                "fitted state has a non-finite or zero scale",
            ));
        }
        Ok(())
    }
}

/// Centres and scales each column to unit variance (population std, as scikit-learn);
/// a constant column gets scale 1. Missing values are ignored at fit and kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardScaler {
    /// Subtract the mean.
    #[serde(default = "yes")]
    pub with_mean: bool,
    /// Divide by the standard deviation.
    #[serde(default = "yes")]
    pub with_std: bool,
    /// Learnt at fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<Affine>,
}

fn yes() -> bool {
    true
}

impl Default for StandardScaler {
    fn default() -> Self {
        StandardScaler {
            with_mean: true,
            with_std: true,
            fitted: None,
        }
    }
}

impl StandardScaler {
    /// The learnt means (scikit-learn `mean_`).
    pub fn mean(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.offset.as_slice())
    }
    /// The learnt scales (scikit-learn `scale_`).
    pub fn scale(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.scale.as_slice())
    }
}

impl Params for StandardScaler {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![
            ("with_mean".into(), self.with_mean.into()),
            ("with_std".into(), self.with_std.into()),
        ]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "with_mean" => self.with_mean = value.as_bool(name)?,
            "with_std" => self.with_std = value.as_bool(name)?,
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Transformer for StandardScaler {
    fn type_name(&self) -> &'static str {
        "StandardScaler"
    }
    fn fit(&mut self, x: &Frame) -> Result<()> {
        let cols = numeric_columns(x, "StandardScaler", None)?;
        let mut offset = Vec::new();
        let mut scale = Vec::new();
        for (name, v) in x.names().iter().zip(cols) {
            let (m, var) = mean_var(v).ok_or_else(|| {
                Error::InvalidValue(format!(
                    "StandardScaler: column '{name}' has no non-missing value to learn from; impute it first"
                ))
            })?;
            offset.push(if self.with_mean { m } else { 0.0 });
            let sd = var.sqrt();
            // scikit-learn treats near-zero variance as zero: scale 1.
            let constant = sd < 10.0 * f64::EPSILON * m.abs().max(1.0);
            scale.push(if !self.with_std || constant { 1.0 } else { sd });
        }
        self.fitted = Some(Affine {
            columns: x.names().to_vec(),
            offset,
            scale,
        });
        Ok(())
    }
    fn transform(&self, x: &Frame) -> Result<Frame> {
        self.fitted
            .as_ref()
            .ok_or_else(|| not_fitted("StandardScaler"))?
            .apply(x, "StandardScaler")
    }
    fn validate(&self) -> Result<()> {
        self.fitted
            .as_ref()
            .map_or(Ok(()), |f| f.check("StandardScaler"))
    }
}

/// Scales each column to `[min, max]` (default 0..1); a constant column maps to `min`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinMaxScaler {
    /// Lower end of the output range.
    #[serde(default)]
    pub min: f64,
    /// Upper end of the output range.
    #[serde(default = "one")]
    pub max: f64,
    /// Learnt at fit, in output units: `(x - data_min) / (range / (max - min)) + min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<Affine>,
}

fn one() -> f64 {
    1.0
}

impl Default for MinMaxScaler {
    fn default() -> Self {
        MinMaxScaler {
            min: 0.0,
            max: 1.0,
            fitted: None,
        }
    }
}

impl Params for MinMaxScaler {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![
            ("min".into(), self.min.into()),
            ("max".into(), self.max.into()),
        ]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "min" => self.min = value.as_f64(name)?,
            "max" => self.max = value.as_f64(name)?,
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Transformer for MinMaxScaler {
    fn type_name(&self) -> &'static str {
        "MinMaxScaler"
    }
    fn fit(&mut self, x: &Frame) -> Result<()> {
        if self.min >= self.max || self.min.is_nan() || self.max.is_nan() {
            return Err(Error::param(
                "min/max",
                format!("the output range [{}, {}] is empty", self.min, self.max),
            ));
        }
        let cols = numeric_columns(x, "MinMaxScaler", None)?;
        let span = self.max - self.min;
        let mut offset = Vec::new();
        let mut scale = Vec::new();
        for (name, v) in x.names().iter().zip(cols) {
            let (lo, hi) = v
                .iter()
                .filter(|a| !a.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &a| {
                    (l.min(a), h.max(a))
                });
            if !lo.is_finite() {
                return Err(Error::InvalidValue(format!(
                    "MinMaxScaler: column '{name}' has no non-missing value to learn from"
                )));
            }
            let range = if hi > lo { hi - lo } else { 1.0 };
            let s = range / span;
            // (x - lo) / s + min == (x - (lo - min * s)) / s
            offset.push(lo - self.min * s);
            scale.push(s);
        }
        self.fitted = Some(Affine {
            columns: x.names().to_vec(),
            offset,
            scale,
        });
        Ok(())
    }
    fn transform(&self, x: &Frame) -> Result<Frame> {
        self.fitted
            .as_ref()
            .ok_or_else(|| not_fitted("MinMaxScaler"))?
            .apply(x, "MinMaxScaler")
    }
    fn validate(&self) -> Result<()> {
        self.fitted
            .as_ref()
            .map_or(Ok(()), |f| f.check("MinMaxScaler"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{ReadOptions, read_csv};

    fn frame(text: &str) -> Frame {
        read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn standard_scaler_uses_population_std_and_unit_scale_for_constants() {
        let x = frame("a,b\n1,5\n2,5\n3,5\n,5\n");
        let mut s = StandardScaler::default();
        let out = s.fit_transform(&x).unwrap();
        assert_eq!(s.mean().unwrap(), [2.0, 5.0]);
        assert!((s.scale().unwrap()[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(s.scale().unwrap()[1], 1.0);
        let a = out.column("a").unwrap().numeric_values().unwrap();
        assert_eq!(a.len(), 3, "missing stays missing");
        assert!(out.column("a").unwrap().is_missing(3));
        assert!(
            s.transform(&frame("b,a\n1,2\n")).is_err(),
            "column order is checked"
        );
    }

    #[test]
    fn min_max_scaler_maps_to_range() {
        let x = frame("a\n2\n4\n6\n");
        let mut s = MinMaxScaler::default();
        let out = s.fit_transform(&x).unwrap();
        assert_eq!(
            out.column("a").unwrap().numeric_values().unwrap(),
            [0.0, 0.5, 1.0]
        );
        s.set_param("min", &ParamValue::Float(-1.0)).unwrap();
        let out = s.fit_transform(&x).unwrap();
        assert_eq!(
            out.column("a").unwrap().numeric_values().unwrap(),
            [-1.0, 0.0, 1.0]
        );
    }

    #[test]
    fn refuses_categorical_and_unfitted() {
        let x = frame("a\nx\n");
        assert!(StandardScaler::default().fit(&x).is_err());
        assert!(
            StandardScaler::default()
                .transform(&frame("a\n1\n"))
                .is_err()
        );
    }
}
