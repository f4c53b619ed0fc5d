//! The two traits a pipeline is made of: [`Transformer`] and [`Estimator`].
//!
//! Both are trait objects serialised with `typetag`, so a whole pipeline of boxed steps
//! saves and loads as data; loading never runs code beyond these types' own decoders.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::{Column, Frame, format_number_label};
use crate::params::Params;

/// A preprocessing step: learns from data in `fit`, maps frames in `transform`.
#[typetag::serde(tag = "type")]
pub trait Transformer: Params + Send + Sync + std::fmt::Debug {
    /// The scikit-learn-style type name, e.g. `StandardScaler`.
    fn type_name(&self) -> &'static str;
    /// Learns the transformation from `x`.
    fn fit(&mut self, x: &Frame) -> Result<()>;
    /// Applies it; columns may be renamed, added or removed.
    fn transform(&self, x: &Frame) -> Result<Frame>;
    /// `fit` then `transform`.
    fn fit_transform(&mut self, x: &Frame) -> Result<Frame> {
        self.fit(x)?;
        self.transform(x)
    }
    /// Checks a fitted (e.g. just loaded) step for internal consistency.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// What a model learns to predict: class labels or numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// Class labels.
    Labels(Vec<String>),
    /// Numeric values (regression).
    Values(Vec<f64>),
}

impl Target {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Target::Labels(l) => l.len(),
            Target::Values(v) => v.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The target from a frame column; missing values are an error naming the row.
    pub fn from_column(name: &str, column: &Column, classification: bool) -> Result<Target> {
        if let Some(row) = (0..column.len()).find(|&r| column.is_missing(r)) {
            return Err(Error::InvalidValue(format!(
                "target column '{name}' is missing a value at row {}: drop or fill unlabeled rows first",
                row + 1
            )));
        }
        Ok(match (column, classification) {
            (Column::Numeric(v), false) => Target::Values(v.to_vec()),
            (Column::Numeric(v), true) => {
                Target::Labels(v.iter().map(|x| format_number_label(*x)).collect())
            }
            (Column::Categorical(_), true) => {
                Target::Labels(column.to_labels().into_iter().flatten().collect())
            }
            (Column::Categorical(_), false) => {
                return Err(Error::ColumnKind {
                    column: name.to_string(),
                    found: "categorical",
                    needed: "numeric",
                    hint: "a regressor needs a numeric target; use a classifier for labels".into(),
                });
            }
        })
    }

    /// The labels, or an error when this is a numeric target.
    pub fn labels(&self) -> Result<&[String]> {
        match self {
            Target::Labels(l) => Ok(l),
            Target::Values(_) => Err(Error::InvalidValue(
                "expected class labels, found numeric values".into(),
            )),
        }
    }

    /// The values, or an error when this is a label target.
    pub fn values(&self) -> Result<&[f64]> {
        match self {
            Target::Values(v) => Ok(v),
            Target::Labels(_) => Err(Error::InvalidValue(
                "expected numeric values, found class labels".into(),
            )),
        }
    }

    /// The rows at `indices`.
    pub fn take(&self, indices: &[usize]) -> Target {
        match self {
            Target::Labels(l) => Target::Labels(indices.iter().map(|&i| l[i].clone()).collect()),
            Target::Values(v) => Target::Values(indices.iter().map(|&i| v[i]).collect()),
        }
    }

    /// Each row as text (labels as they are, numbers formatted).
    pub fn to_strings(&self) -> Vec<String> {
        match self {
            Target::Labels(l) => l.clone(),
            Target::Values(v) => v.iter().map(|x| x.to_string()).collect(),
        }
    }
}

/// Class probabilities, one row per sample and one column per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probabilities {
    /// Class labels in column order (sorted).
    pub classes: Vec<String>,
    /// rows x classes.
    pub values: Array2<f64>,
}

/// A model: learns from features and a target, then predicts.
#[typetag::serde(tag = "type")]
pub trait Estimator: Params + Send + Sync + std::fmt::Debug {
    /// The scikit-learn-style type name, e.g. `RandomForestClassifier`.
    fn type_name(&self) -> &'static str;
    /// Whether it predicts class labels.
    fn is_classifier(&self) -> bool;
    /// Learns from numeric features `x` and target `y`.
    fn fit(&mut self, x: &Frame, y: &Target) -> Result<()>;
    /// Predicts one value per row.
    fn predict(&self, x: &Frame) -> Result<Target>;
    /// Class probabilities, for classifiers that have them.
    fn predict_proba(&self, _x: &Frame) -> Result<Option<Probabilities>> {
        Ok(None)
    }
    /// Importance per input feature (summing to 1), where the model has them.
    fn feature_importances(&self) -> Option<Vec<f64>> {
        None
    }
    /// Checks a fitted (e.g. just loaded) model for internal consistency.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Categorical;
    use ndarray::array;

    #[test]
    fn target_from_columns() {
        let t = Target::from_column("y", &Column::Numeric(array![0.0, 1.0]), true).unwrap();
        assert_eq!(t, Target::Labels(vec!["0".into(), "1".into()]));
        let t = Target::from_column("y", &Column::Numeric(array![0.5]), false).unwrap();
        assert_eq!(t.values().unwrap(), [0.5]);
        let cat = Column::Categorical(Categorical::from_labels([Some("a"), None]));
        let err = Target::from_column("y", &cat, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 2"), "{err}");
        assert!(Target::from_column("y", &cat, false).is_err());
    }
}
