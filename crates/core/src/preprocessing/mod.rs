//! Preprocessing transformers with scikit-learn's semantics.

mod imputer;
mod onehot;
mod pca;
mod scalers;

pub use imputer::{ImputeStrategy, SimpleImputer};
pub use onehot::{HandleUnknown, OneHotEncoder};
pub use pca::Pca;
pub use scalers::{MinMaxScaler, StandardScaler};

use ndarray::Array1;

use crate::error::{Error, Result};
use crate::frame::{Column, Frame};

/// The numeric columns of `x`, checked to be exactly `expected` when given (by name).
///
/// One check for every numeric transformer: a categorical column or a column set that
/// differs from the one seen at fit is an error naming the column.
fn numeric_columns<'a>(
    x: &'a Frame,
    who: &str,
    expected: Option<&[String]>,
) -> Result<Vec<&'a Array1<f64>>> {
    if let Some(names) = expected
        && x.names() != names
    {
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| !x.has_column(n))
            .map(String::as_str)
            .collect();
        return Err(Error::Shape(format!(
            "{who} was fitted on columns [{}] but got [{}]{}",
            names.join(", "),
            x.names().join(", "),
            if missing.is_empty() {
                String::new()
            } else {
                format!("; missing: {}", missing.join(", "))
            }
        )));
    }
    x.iter()
        .map(|(name, c)| match c {
            Column::Numeric(v) => Ok(v),
            Column::Categorical(_) => Err(Error::ColumnKind {
                column: name.to_string(),
                found: "categorical",
                needed: "numeric",
                hint: format!("{who} scales numbers; send it to a OneHotEncoder instead"),
            }),
        })
        .collect()
}

/// Mean and population variance of the non-NaN values, by two passes (exact enough to
/// match scikit-learn to 1e-12); `None` when there is no value.
fn mean_var(v: &Array1<f64>) -> Option<(f64, f64)> {
    let (sum, n) = v
        .iter()
        .filter(|x| !x.is_nan())
        .fold((0.0, 0usize), |(s, n), &x| (s + x, n + 1));
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let var = v
        .iter()
        .filter(|x| !x.is_nan())
        .map(|&x| (x - mean) * (x - mean))
        .sum::<f64>()
        / n as f64;
    Some((mean, var))
}

fn not_fitted(who: &str) -> Error {
    Error::NotFitted(who.to_string())
}
