//! Different preprocessing for different columns, joined side by side.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::params::{ParamValue, Params, unknown_param};
use crate::traits::Transformer;

/// What happens to columns no transformer names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Remainder {
    /// Leave them out (scikit-learn's default).
    #[default]
    Drop,
    /// Pass them through unchanged.
    Passthrough,
}

/// One transformer and the columns it gets.
#[derive(Debug, Serialize, Deserialize)]
pub struct ColumnGroup {
    /// Name, used as output prefix (`num__temperature`) and parameter path.
    pub name: String,
    /// Input columns.
    pub columns: Vec<String>,
    /// The transformer (a `Pipeline` for several steps).
    pub transformer: Box<dyn Transformer>,
}

/// Applies named transformers to column lists and concatenates their outputs, with
/// output names `group__column` as scikit-learn's `verbose_feature_names_out`.
#[derive(Debug, Serialize, Deserialize, Default)]
pub struct ColumnTransformer {
    /// The groups, in output order.
    pub transformers: Vec<ColumnGroup>,
    /// Unnamed columns: drop or pass through.
    #[serde(default)]
    pub remainder: Remainder,
    /// Columns passed through as remainder, learnt at fit.
    #[serde(default)]
    pub remainder_columns: Vec<String>,
}

impl ColumnTransformer {
    /// A column transformer with the given remainder policy.
    pub fn new(remainder: Remainder) -> Self {
        ColumnTransformer {
            transformers: Vec::new(),
            remainder,
            remainder_columns: Vec::new(),
        }
    }

    /// Adds a group.
    pub fn add<S: Into<String>>(
        mut self,
        name: impl Into<String>,
        transformer: Box<dyn Transformer>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        self.transformers.push(ColumnGroup {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            transformer,
        });
        self
    }

    fn combine(&self, parts: Vec<(String, Frame)>, x: &Frame) -> Result<Frame> {
        let mut out = Frame::default();
        for (prefix, part) in parts {
            for (n, c) in part.iter() {
                out.push(format!("{prefix}__{n}"), c.clone())?;
            }
        }
        if self.remainder == Remainder::Passthrough {
            for n in &self.remainder_columns {
                out.push(format!("remainder__{n}"), x.column(n)?.clone())?;
            }
        }
        Ok(out)
    }
}

impl Params for ColumnTransformer {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        let mut out = vec![(
            "remainder".to_string(),
            ParamValue::Str(
                match self.remainder {
                    Remainder::Drop => "drop",
                    Remainder::Passthrough => "passthrough",
                }
                .into(),
            ),
        )];
        for g in &self.transformers {
            for (k, v) in g.transformer.get_params() {
                out.push((format!("{}__{k}", g.name), v));
            }
        }
        out
    }

    fn set_param(&mut self, path: &str, value: &ParamValue) -> Result<()> {
        if path == "remainder" {
            self.remainder = match value.as_string().as_str() {
                "drop" => Remainder::Drop,
                "passthrough" => Remainder::Passthrough,
                other => {
                    return Err(Error::param(
                        "remainder",
                        format!("'{other}' is not drop or passthrough"),
                    ));
                }
            };
            return Ok(());
        }
        let all = self.get_params();
        let (group, rest) = path
            .split_once("__")
            .ok_or_else(|| unknown_param(path, &all, ""))?;
        let g = self
            .transformers
            .iter_mut()
            .find(|g| g.name == group)
            .ok_or_else(|| unknown_param(path, &all, ""))?;
        g.transformer.set_param(rest, value)
    }
}

#[typetag::serde]
impl Transformer for ColumnTransformer {
    fn type_name(&self) -> &'static str {
        "ColumnTransformer"
    }

    fn fit(&mut self, x: &Frame) -> Result<()> {
        self.fit_transform(x).map(|_| ())
    }

    fn fit_transform(&mut self, x: &Frame) -> Result<Frame> {
        let mut parts = Vec::new();
        for g in &mut self.transformers {
            let sub = x.select(&g.columns).map_err(|e| match e {
                Error::MissingColumn {
                    column, available, ..
                } => Error::MissingColumn {
                    column,
                    context: format!(" (listed in column group '{}')", g.name),
                    available,
                },
                other => other,
            })?;
            parts.push((g.name.clone(), g.transformer.fit_transform(&sub)?));
        }
        let named: Vec<&String> = self.transformers.iter().flat_map(|g| &g.columns).collect();
        self.remainder_columns = x
            .names()
            .iter()
            .filter(|n| !named.contains(n))
            .cloned()
            .collect();
        self.combine(parts, x)
    }

    fn transform(&self, x: &Frame) -> Result<Frame> {
        let mut parts = Vec::new();
        for g in &self.transformers {
            parts.push((
                g.name.clone(),
                g.transformer.transform(&x.select(&g.columns)?)?,
            ));
        }
        self.combine(parts, x)
    }

    fn validate(&self) -> Result<()> {
        self.transformers
            .iter()
            .try_for_each(|g| g.transformer.validate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocessing::{OneHotEncoder, StandardScaler};
    use crate::reader::{ReadOptions, read_csv};

    #[test]
    fn routes_columns_and_names_outputs() {
        let x = read_csv(
            "t,m,z\n1,a,9\n3,b,8\n".as_bytes(),
            "t.csv",
            &ReadOptions::default(),
        )
        .unwrap();
        let mut ct = ColumnTransformer::new(Remainder::Passthrough)
            .add("num", Box::new(StandardScaler::default()), ["t"])
            .add("cat", Box::new(OneHotEncoder::default()), ["m"]);
        let out = ct.fit_transform(&x).unwrap();
        assert_eq!(
            out.names(),
            ["num__t", "cat__m_a", "cat__m_b", "remainder__z"]
        );
        let m = out.to_matrix("test").unwrap();
        assert_eq!(m.row(0).to_vec(), vec![-1.0, 1.0, 0.0, 9.0]);
        ct.set_param("remainder", &ParamValue::Str("drop".into()))
            .unwrap();
        assert_eq!(ct.transform(&x).unwrap().n_cols(), 3);
        assert!(
            ct.set_param("num__with_mean", &ParamValue::Bool(false))
                .is_ok()
        );
        assert!(ct.set_param("zzz__a", &ParamValue::Bool(false)).is_err());
    }
}
