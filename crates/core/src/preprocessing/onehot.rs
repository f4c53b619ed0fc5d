//! OneHotEncoder: one 0/1 column per category.

use serde::{Deserialize, Serialize};

use super::not_fitted;
use crate::error::{Error, Result};
use crate::frame::{Column, Frame};
use crate::params::{ParamValue, Params, unknown_param};
use crate::traits::Transformer;

/// What to do with a category not seen at fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HandleUnknown {
    /// Fail, naming the column, row and value.
    #[default]
    Error,
    /// Encode as all zeros.
    Ignore,
}

/// The category name used for missing values, as scikit-learn's `nan` category.
pub const MISSING_CATEGORY: &str = "nan";

/// Encodes each input column as one 0/1 column per category seen at fit (sorted),
/// named `column_category`. Numeric columns are encoded by their formatted values;
/// missing values form their own `nan` category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OneHotEncoder {
    /// Unseen categories at transform time.
    #[serde(default)]
    pub handle_unknown: HandleUnknown,
    /// Learnt at fit: (column, sorted categories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<Vec<(String, Vec<String>)>>,
}

fn labels(col: &Column) -> Vec<String> {
    col.to_labels()
        .into_iter()
        .map(|l| l.unwrap_or_else(|| MISSING_CATEGORY.to_string()))
        .collect()
}

impl Params for OneHotEncoder {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        let h = match self.handle_unknown {
            HandleUnknown::Error => "error",
            HandleUnknown::Ignore => "ignore",
        };
        vec![("handle_unknown".into(), h.into())]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match (name, value.as_string().as_str()) {
            ("handle_unknown", "error") => self.handle_unknown = HandleUnknown::Error,
            ("handle_unknown", "ignore") => self.handle_unknown = HandleUnknown::Ignore,
            ("handle_unknown", other) => {
                return Err(Error::param(
                    name,
                    format!("'{other}': use error or ignore"),
                ));
            }
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Transformer for OneHotEncoder {
    fn type_name(&self) -> &'static str {
        "OneHotEncoder"
    }

    fn fit(&mut self, x: &Frame) -> Result<()> {
        let mut fitted = Vec::new();
        for (name, col) in x.iter() {
            let mut cats = labels(col);
            cats.sort();
            cats.dedup();
            fitted.push((name.to_string(), cats));
        }
        self.fitted = Some(fitted);
        Ok(())
    }

    fn transform(&self, x: &Frame) -> Result<Frame> {
        let fitted = self
            .fitted
            .as_ref()
            .ok_or_else(|| not_fitted("OneHotEncoder"))?;
        let mut out = Frame::default();
        for (name, cats) in fitted {
            let values = labels(x.column(name)?);
            let mut codes = Vec::with_capacity(values.len());
            for (row, v) in values.iter().enumerate() {
                let code = cats.binary_search(v).ok();
                if code.is_none() && self.handle_unknown == HandleUnknown::Error {
                    return Err(Error::InvalidValue(format!(
                        "OneHotEncoder: column '{name}' row {} has category '{v}' not seen at fit \
                         (known: {}); set handle_unknown = \"ignore\" to encode it as zeros",
                        row + 1,
                        cats.join(", ")
                    )));
                }
                codes.push(code);
            }
            for (k, cat) in cats.iter().enumerate() {
                let col = codes
                    .iter()
                    .map(|c| if *c == Some(k) { 1.0 } else { 0.0 })
                    .collect();
                out.push(format!("{name}_{cat}"), Column::Numeric(col))?;
            }
        }
        Ok(out)
    }

    fn validate(&self) -> Result<()> {
        for (name, cats) in self.fitted.iter().flatten() {
            if cats.windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::model(
                    "OneHotEncoder",
                    format!("categories of '{name}' are not sorted and unique"),
                ));
            }
        }
        Ok(())
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
    fn encodes_sorted_categories_and_handles_unknown() {
        let mut e = OneHotEncoder::default();
        let out = e.fit_transform(&frame("m\nb\na\nNA\n")).unwrap();
        assert_eq!(out.names(), ["m_a", "m_b", "m_nan"]);
        assert_eq!(out.to_matrix("t").unwrap().row(0).to_vec(), [0.0, 1.0, 0.0]);
        let err = e.transform(&frame("m\nc\n")).unwrap_err().to_string();
        assert!(err.contains("'c'") && err.contains("row 1"), "{err}");
        e.set_param("handle_unknown", &"ignore".into()).unwrap();
        let out = e.transform(&frame("m\nc\n")).unwrap();
        assert_eq!(out.to_matrix("t").unwrap().row(0).to_vec(), [0.0, 0.0, 0.0]);
    }
}
