//! SimpleImputer: fills missing values with a statistic learnt at fit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::not_fitted;
use crate::error::{Error, Result};
use crate::frame::{Categorical, Column, ColumnKind, Frame};
use crate::params::{ParamValue, Params, unknown_param};
use crate::traits::Transformer;

/// How to choose the fill value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImputeStrategy {
    /// Column mean (numeric).
    #[default]
    Mean,
    /// Column median (numeric).
    Median,
    /// Most frequent value; ties go to the smallest, as scikit-learn.
    MostFrequent,
    /// `fill_value`.
    Constant,
}

/// A learnt fill value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fill {
    /// For numeric columns.
    Number(f64),
    /// For categorical columns.
    Label(String),
}

/// Replaces missing values column by column (scikit-learn's `SimpleImputer`).
///
/// A column with no value at all cannot be imputed by a statistic: that is an error
/// naming it (scikit-learn drops such a column with a warning; driftwatch drops nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SimpleImputer {
    /// How to choose the fill value.
    #[serde(default)]
    pub strategy: ImputeStrategy,
    /// For `constant`: the value (default 0, or `missing_value` for labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_value: Option<ParamValue>,
    /// Learnt at fit: column -> fill value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<Vec<(String, Fill)>>,
}

impl SimpleImputer {
    /// An imputer with a strategy.
    pub fn new(strategy: ImputeStrategy) -> Self {
        SimpleImputer {
            strategy,
            ..Default::default()
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn most_frequent_number(v: &[f64]) -> f64 {
    let mut counts = BTreeMap::<u64, (f64, usize)>::new();
    for &x in v {
        let key = if x == 0.0 { 0 } else { x.to_bits() };
        counts.entry(key).or_insert((x, 0)).1 += 1;
    }
    let mut best = (f64::NAN, 0usize);
    for (x, c) in counts.into_values() {
        if c > best.1 || (c == best.1 && x < best.0) {
            best = (x, c);
        }
    }
    best.0
}

impl Params for SimpleImputer {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        let s = match self.strategy {
            ImputeStrategy::Mean => "mean",
            ImputeStrategy::Median => "median",
            ImputeStrategy::MostFrequent => "most_frequent",
            ImputeStrategy::Constant => "constant",
        };
        vec![
            ("strategy".into(), s.into()),
            (
                "fill_value".into(),
                self.fill_value.clone().unwrap_or(ParamValue::None),
            ),
        ]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
        match name {
            "strategy" => {
                self.strategy = match value.as_string().as_str() {
                    "mean" => ImputeStrategy::Mean,
                    "median" => ImputeStrategy::Median,
                    "most_frequent" => ImputeStrategy::MostFrequent,
                    "constant" => ImputeStrategy::Constant,
                    other => {
                        return Err(Error::param(
                            name,
                            format!("'{other}': use mean, median, most_frequent or constant"),
                        ));
                    }
                }
            }
            "fill_value" => self.fill_value = (*value != ParamValue::None).then(|| value.clone()),
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Transformer for SimpleImputer {
    fn type_name(&self) -> &'static str {
        "SimpleImputer"
    }

    fn fit(&mut self, x: &Frame) -> Result<()> {
        let mut fills = Vec::new();
        for (name, col) in x.iter() {
            let fill = match (col, self.strategy) {
                (Column::Numeric(_), ImputeStrategy::Constant) => Fill::Number(
                    self.fill_value
                        .as_ref()
                        .map_or(Ok(0.0), |v| v.as_f64("fill_value"))?,
                ),
                (Column::Categorical(_), ImputeStrategy::Constant) => Fill::Label(
                    self.fill_value
                        .as_ref()
                        .map_or("missing_value".to_string(), ParamValue::as_string),
                ),
                (Column::Numeric(v), strategy) => {
                    let values: Vec<f64> = v.iter().copied().filter(|a| !a.is_nan()).collect();
                    if values.is_empty() {
                        return Err(Error::InvalidValue(format!(
                            "SimpleImputer: column '{name}' has only missing values; \
                             use strategy constant or drop the column"
                        )));
                    }
                    Fill::Number(match strategy {
                        ImputeStrategy::Mean => values.iter().sum::<f64>() / values.len() as f64,
                        ImputeStrategy::Median => median(values),
                        _ => most_frequent_number(&values),
                    })
                }
                (Column::Categorical(c), ImputeStrategy::MostFrequent) => {
                    let mut counts = BTreeMap::<&str, usize>::new();
                    for l in c.labels().flatten() {
                        *counts.entry(l).or_default() += 1;
                    }
                    let best = counts
                        .iter()
                        .fold(None::<(&str, usize)>, |b, (&l, &n)| match b {
                            Some((_, bn)) if bn >= n => b,
                            _ => Some((l, n)),
                        })
                        .ok_or_else(|| {
                            Error::InvalidValue(format!(
                                "SimpleImputer: column '{name}' has only missing values"
                            ))
                        })?;
                    Fill::Label(best.0.to_string())
                }
                (Column::Categorical(_), s) => {
                    return Err(Error::ColumnKind {
                        column: name.to_string(),
                        found: "categorical",
                        needed: "numeric",
                        hint: format!(
                            "strategy {s:?} needs numbers; use most_frequent or constant for labels"
                        ),
                    });
                }
            };
            fills.push((name.to_string(), fill));
        }
        self.fitted = Some(fills);
        Ok(())
    }

    fn transform(&self, x: &Frame) -> Result<Frame> {
        let fills = self
            .fitted
            .as_ref()
            .ok_or_else(|| not_fitted("SimpleImputer"))?;
        let mut out = Frame::default();
        for (name, fill) in fills {
            let col = x.column(name)?;
            let filled = match (col, fill) {
                (Column::Numeric(v), Fill::Number(f)) => {
                    Column::Numeric(v.mapv(|a| if a.is_nan() { *f } else { a }))
                }
                (Column::Categorical(c), Fill::Label(l)) => Column::Categorical(
                    Categorical::from_labels(c.labels().map(|x| Some(x.unwrap_or(l.as_str())))),
                ),
                (c, _) => {
                    return Err(Error::ColumnKind {
                        column: name.clone(),
                        found: c.kind().as_str(),
                        needed: if c.kind() == ColumnKind::Numeric {
                            "categorical"
                        } else {
                            "numeric"
                        },
                        hint: "the column changed kind since fit".into(),
                    });
                }
            };
            out.push(name.clone(), filled)?;
        }
        Ok(out)
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
    fn strategies_fill_as_scikit_learn() {
        let x = frame("a,s\n1,x\n,y\n10,y\n2,\n");
        let col = |s: ImputeStrategy| {
            let mut i = SimpleImputer::new(s);
            let only_a = x.select(&["a"]).unwrap();
            i.fit_transform(&only_a)
                .unwrap()
                .column("a")
                .unwrap()
                .numeric_values()
                .unwrap()
        };
        assert_eq!(col(ImputeStrategy::Mean)[1], 13.0 / 3.0);
        assert_eq!(col(ImputeStrategy::Median)[1], 2.0);
        assert_eq!(
            col(ImputeStrategy::MostFrequent)[1],
            1.0,
            "ties -> smallest"
        );
        assert_eq!(col(ImputeStrategy::Constant)[1], 0.0);
        let mut i = SimpleImputer::new(ImputeStrategy::MostFrequent);
        let out = i.fit_transform(&x).unwrap();
        assert_eq!(out.column("s").unwrap().display_value(3), "y");
        assert!(
            SimpleImputer::new(ImputeStrategy::Mean).fit(&x).is_err(),
            "labels need most_frequent"
        );
    }

    #[test]
    fn all_missing_column_is_an_error() {
        let x = frame("a,b\n,1\n,2\n");
        let err = SimpleImputer::new(ImputeStrategy::Median)
            .fit(&x)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'a'"), "{err}");
    }
}
