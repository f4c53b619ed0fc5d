//! [`Scoring`]: how a grid search scores a fitted candidate on a test fold.

use driftwatch_core::{Error, Result, Target};

/// A score where higher is better (scikit-learn's scorer convention).
#[derive(Debug, Clone, Copy)]
pub enum Scoring {
    /// Fraction of labels predicted exactly (classifiers).
    Accuracy,
    /// Coefficient of determination R² (regressors).
    R2,
    /// Any score `f(y_true, y_pred)`, higher is better; negate losses.
    Custom(fn(&Target, &Target) -> Result<f64>),
}

impl Scoring {
    /// scikit-learn's default: accuracy for classifiers, R² for regressors.
    pub fn default_for(classifier: bool) -> Scoring {
        if classifier {
            Scoring::Accuracy
        } else {
            Scoring::R2
        }
    }

    /// The name used in tables: `accuracy`, `r2` or `custom`.
    pub fn name(&self) -> &'static str {
        match self {
            Scoring::Accuracy => "accuracy",
            Scoring::R2 => "r2",
            Scoring::Custom(_) => "custom",
        }
    }

    /// Scores predictions against the truth.
    pub fn score(&self, y_true: &Target, y_pred: &Target) -> Result<f64> {
        if y_true.len() != y_pred.len() {
            return Err(Error::Shape(format!(
                "{} true values but {} predictions",
                y_true.len(),
                y_pred.len()
            )));
        }
        if y_true.is_empty() {
            return Err(Error::Empty("the test fold".into()));
        }
        match self {
            Scoring::Accuracy => {
                let (t, p) = (labels(y_true)?, labels(y_pred)?);
                let hits = t.iter().zip(p).filter(|(a, b)| a == b).count();
                Ok(hits as f64 / t.len() as f64)
            }
            Scoring::R2 => {
                let (t, p) = (values(y_true)?, values(y_pred)?);
                Ok(r2(t, p))
            }
            Scoring::Custom(f) => f(y_true, y_pred),
        }
    }
}

fn labels(y: &Target) -> Result<&[String]> {
    y.labels().map_err(|_| {
        Error::param(
            "scoring",
            "accuracy needs class labels, but the target is numeric; use r2",
        )
    })
}

fn values(y: &Target) -> Result<&[f64]> {
    y.values().map_err(|_| {
        Error::param(
            "scoring",
            "r2 needs numeric values, but the target is class labels; use accuracy",
        )
    })
}

/// R² as scikit-learn computes it, including its convention for a constant truth:
/// 1 when the predictions are perfect, else 0.
fn r2(t: &[f64], p: &[f64]) -> f64 {
    let mean = t.iter().sum::<f64>() / t.len() as f64;
    let ss_res: f64 = t.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum();
    let ss_tot: f64 = t.iter().map(|a| (a - mean).powi(2)).sum();
    if ss_tot == 0.0 {
        if ss_res == 0.0 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_and_r2() {
        let t = Target::Labels(vec!["a".into(), "b".into()]);
        let p = Target::Labels(vec!["a".into(), "a".into()]);
        assert_eq!(Scoring::Accuracy.score(&t, &p).unwrap(), 0.5);
        let t = Target::Values(vec![1.0, 2.0, 3.0]);
        let p = Target::Values(vec![1.0, 2.0, 4.0]);
        assert!((Scoring::R2.score(&t, &p).unwrap() - 0.5).abs() < 1e-12);
        let c = Target::Values(vec![1.0, 1.0]);
        assert_eq!(Scoring::R2.score(&c, &c).unwrap(), 1.0);
        assert!(Scoring::Accuracy.score(&t, &p).is_err());
    }
}
