//! The loss model's input: the reference's feature columns as numbers, then the
//! model's prediction, as NannyML hands LightGBM `features + [y_pred]`.
//!
//! The forest takes finite numbers only, so each column gets a rule learnt on the
//! reference:
//! - categorical: the ordinal code of the level among the reference's levels sorted
//!   (scikit-learn's `OrdinalEncoder`), plus 1 as NannyML adds; a level the reference
//!   never had is 0 and a missing value is `levels + 1`, each a code of its own, never a
//!   panic;
//! - numeric: the value; a missing (NaN) or infinite one becomes a value below every
//!   reference value, so trees can split it off as LightGBM sends missing values one
//!   way.

use std::collections::HashMap;

use driftwatch_core::{Column, ColumnKind, Frame};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::error::DleError;

/// How one reference column becomes numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Rule {
    /// Numbers as they are; non-finite ones become `missing`.
    Numeric {
        /// Stands for a missing value: below every finite reference value.
        missing: f64,
    },
    /// Levels in sorted order; code = 1 + position.
    Categorical {
        /// The reference's levels, sorted.
        levels: Vec<String>,
    },
}

/// The per-column rules learnt on the reference, in the reference's column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureEncoder {
    columns: Vec<(String, Rule)>,
}

impl FeatureEncoder {
    /// Learns a rule for every column of the reference features.
    pub fn fit(features: &Frame) -> FeatureEncoder {
        let columns = features
            .iter()
            .map(|(name, col)| {
                let rule = match col {
                    Column::Numeric(v) => {
                        let finite = v.iter().copied().filter(|x| x.is_finite());
                        let (lo, hi) = finite
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                                (a.min(x), b.max(x))
                            });
                        let missing = if lo.is_finite() {
                            lo - (hi - lo).max(1.0)
                        } else {
                            0.0
                        };
                        Rule::Numeric { missing }
                    }
                    Column::Categorical(c) => {
                        let mut seen = vec![false; c.levels.len()];
                        for code in c.codes.iter().flatten() {
                            if let Some(s) = seen.get_mut(*code as usize) {
                                *s = true;
                            }
                        }
                        let mut levels: Vec<String> = c
                            .levels
                            .iter()
                            .zip(&seen)
                            .filter(|(_, s)| **s)
                            .map(|(l, _)| l.clone())
                            .collect();
                        levels.sort();
                        Rule::Categorical { levels }
                    }
                };
                (name.to_string(), rule)
            })
            .collect();
        FeatureEncoder { columns }
    }

    /// Number of columns of the matrix [`FeatureEncoder::matrix`] builds (features plus
    /// the prediction).
    pub fn width(&self) -> usize {
        self.columns.len() + 1
    }

    /// The rows x (features + 1) matrix of `features` with `predictions` as the last
    /// column. `input` names the window in errors.
    pub fn matrix(
        &self,
        features: &Frame,
        predictions: &[f64],
        input: &str,
    ) -> Result<Array2<f64>, DleError> {
        let n = predictions.len();
        let mut x = Array2::zeros((n, self.width()));
        for (j, (name, rule)) in self.columns.iter().enumerate() {
            let col = features.column(name).map_err(|_| DleError::MissingColumn {
                column: name.clone(),
                input: input.to_string(),
                available: features.names().join(", "),
            })?;
            if col.len() != n {
                return Err(DleError::Length {
                    input: format!("column '{name}' of {input}"),
                    got: col.len(),
                    expected: n,
                });
            }
            let mut out = x.column_mut(j);
            match (rule, col) {
                (Rule::Numeric { missing }, Column::Numeric(v)) => {
                    for (o, &v) in out.iter_mut().zip(v) {
                        *o = if v.is_finite() { v } else { *missing };
                    }
                }
                (Rule::Categorical { levels }, Column::Categorical(c)) => {
                    // The window's own codes mapped once to the reference's.
                    let index: HashMap<&str, usize> = levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| (l.as_str(), i))
                        .collect();
                    let map: Vec<f64> = c
                        .levels
                        .iter()
                        .map(|l| index.get(l.as_str()).map_or(0.0, |&i| (i + 1) as f64))
                        .collect();
                    let missing = (levels.len() + 1) as f64;
                    for (o, code) in out.iter_mut().zip(&c.codes) {
                        *o = code
                            .and_then(|k| map.get(k as usize).copied())
                            .unwrap_or(missing);
                    }
                }
                (rule, col) => {
                    let expected = match rule {
                        Rule::Numeric { .. } => ColumnKind::Numeric,
                        Rule::Categorical { .. } => ColumnKind::Categorical,
                    };
                    return Err(DleError::ColumnKind {
                        column: name.clone(),
                        input: input.to_string(),
                        found: col.kind().as_str(),
                        expected: expected.as_str(),
                    });
                }
            }
        }
        x.column_mut(self.columns.len())
            .iter_mut()
            .zip(predictions)
            .for_each(|(o, &p)| *o = p);
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Categorical;

    fn frame(num: Vec<f64>, cat: Vec<Option<&str>>) -> Frame {
        Frame::new(vec![
            ("x".into(), Column::Numeric(num.into())),
            (
                "c".into(),
                Column::Categorical(Categorical::from_labels(cat)),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn categories_get_sorted_codes_and_unseen_or_missing_ones_their_own() {
        let reference = frame(
            vec![1.0, 3.0, 2.0],
            vec![Some("gas"), Some("diesel"), Some("gas")],
        );
        let enc = FeatureEncoder::fit(&reference);
        assert_eq!(enc.width(), 3);
        let x = enc
            .matrix(&reference, &[10.0, 20.0, 30.0], "reference")
            .unwrap();
        // diesel < gas: diesel 1, gas 2; the prediction last.
        assert_eq!(x.row(0).to_vec(), vec![1.0, 2.0, 10.0]);
        assert_eq!(x.row(1).to_vec(), vec![3.0, 1.0, 20.0]);
        let window = frame(
            vec![f64::NAN, f64::INFINITY, 5.0],
            vec![Some("electric"), None, Some("diesel")],
        );
        let x = enc.matrix(&window, &[1.0, 2.0, 3.0], "window").unwrap();
        // Missing numbers below every reference value (1 - 2 = -1); unseen level 0,
        // missing level 3.
        assert_eq!(x.column(0).to_vec(), vec![-1.0, -1.0, 5.0]);
        assert_eq!(x.column(1).to_vec(), vec![0.0, 3.0, 1.0]);
    }

    #[test]
    fn missing_or_retyped_columns_are_named() {
        let enc = FeatureEncoder::fit(&frame(vec![1.0], vec![Some("a")]));
        let only_x = Frame::new(vec![("x".into(), Column::Numeric(vec![1.0].into()))]).unwrap();
        let e = enc.matrix(&only_x, &[1.0], "window `w`").unwrap_err();
        assert!(
            e.to_string()
                .contains("column 'c' of the reference is missing from window `w`")
        );
        let swapped = Frame::new(vec![
            (
                "x".into(),
                Column::Categorical(Categorical::from_labels([Some("a")])),
            ),
            (
                "c".into(),
                Column::Categorical(Categorical::from_labels([Some("a")])),
            ),
        ])
        .unwrap();
        let e = enc.matrix(&swapped, &[1.0], "w").unwrap_err();
        assert!(
            e.to_string()
                .contains("column 'x' is categorical in w but was numeric"),
            "{e}"
        );
    }
}
