//! NannyML's preprocessing of the reconstruction monitor, fitted on the reference:
//! missing values imputed (scikit-learn's `SimpleImputer`), categories replaced by
//! their share of the reference (category_encoders' `CountEncoder(normalize=True)`;
//! an unseen category becomes 0), then every column standardised (`StandardScaler`).
//! The MMD monitor reuses it, so both see the same numeric matrix.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use driftwatch_core::{Column, ColumnKind, Frame};

use crate::error::Error;

/// How missing numbers are filled (scikit-learn's `SimpleImputer` strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContinuousImpute {
    /// The reference mean (NannyML's default).
    #[default]
    Mean,
    /// The reference median.
    Median,
    /// The most frequent reference value (the smallest of ties, as scikit-learn).
    MostFrequent,
}

/// How missing categories are filled (the strategies NannyML accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalImpute {
    /// The most frequent reference category (the smallest of ties; NannyML's default).
    #[default]
    MostFrequent,
    /// The constant category `missing_value` (scikit-learn's default fill for text).
    Constant,
}

/// The category `CategoricalImpute::Constant` fills in.
pub const MISSING_CATEGORY: &str = "missing_value";

/// The columns a monitor uses: those configured, or every column of the reference
/// except timestamps.
pub fn select_columns(
    monitor: &'static str,
    reference: &Frame,
    configured: &[String],
) -> Result<Vec<String>, Error> {
    let names: Vec<String> = if configured.is_empty() {
        reference
            .names()
            .iter()
            .filter(|n| !matches!(reference.kind(n), Ok(ColumnKind::Timestamp)))
            .cloned()
            .collect()
    } else {
        configured.to_vec()
    };
    if names.is_empty() {
        return Err(Error::input(
            monitor,
            "the reference has no feature column; give the reference features or set `columns`",
        ));
    }
    if let Some(missing) = names.iter().find(|n| !reference.has_column(n)) {
        return Err(Error::input(
            monitor,
            format!(
                "column '{missing}' of `columns` is not in the reference (it has: {})",
                reference.names().join(", ")
            ),
        ));
    }
    Ok(names)
}

/// One fitted column: how to fill, encode and scale it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Encoded {
    /// A number: filled, then scaled.
    Continuous { fill: f64 },
    /// A category: filled, replaced by its reference share, then scaled.
    Categorical {
        fill: String,
        shares: BTreeMap<String, f64>,
    },
}

/// One column's fitted state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct EncodedColumn {
    name: String,
    encoded: Encoded,
    /// StandardScaler's mean of the filled, encoded reference column.
    mean: f64,
    /// StandardScaler's scale (population sd; 1 for a constant column).
    scale: f64,
}

/// The fitted preprocessing: imputation, count encoding and standard scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    columns: Vec<EncodedColumn>,
}

impl Encoder {
    /// Fits on the reference's `columns` (numeric columns are continuous, categorical
    /// and boolean ones categorical).
    pub fn fit(
        monitor: &'static str,
        reference: &Frame,
        columns: &[String],
        continuous: ContinuousImpute,
        categorical: CategoricalImpute,
    ) -> Result<Self, Error> {
        if reference.n_rows() == 0 {
            return Err(Error::input(monitor, "the reference has no rows"));
        }
        let mut out = Vec::with_capacity(columns.len());
        for name in columns {
            let column = reference
                .column(name)
                .map_err(|e| Error::input(monitor, e.to_string()))?;
            let encoded = match column {
                Column::Numeric(v) => {
                    check_finite(monitor, name, v.iter().copied(), "reference")?;
                    Encoded::Continuous {
                        fill: continuous_fill(monitor, name, v.iter().copied(), continuous)?,
                    }
                }
                Column::Categorical(c) => {
                    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                    for label in c.labels().flatten() {
                        *counts.entry(label).or_default() += 1;
                    }
                    let fill = match categorical {
                        CategoricalImpute::Constant => MISSING_CATEGORY.to_string(),
                        // BTreeMap iterates in order, so `max_by_key` keeping the first
                        // of ties would keep the last; pick the smallest explicitly.
                        CategoricalImpute::MostFrequent => most_frequent(&counts)
                            .ok_or_else(|| all_missing(monitor, name))?
                            .to_string(),
                    };
                    let missing = c.codes.iter().filter(|x| x.is_none()).count();
                    let n = c.codes.len() as f64;
                    let mut shares: BTreeMap<String, f64> = counts
                        .iter()
                        .map(|(k, v)| (k.to_string(), *v as f64))
                        .collect();
                    *shares.entry(fill.clone()).or_default() += missing as f64;
                    shares.values_mut().for_each(|v| *v /= n);
                    Encoded::Categorical { fill, shares }
                }
            };
            out.push(EncodedColumn {
                name: name.clone(),
                encoded,
                mean: 0.0,
                scale: 1.0,
            });
        }
        let mut enc = Encoder { columns: out };
        let raw = enc.encode(monitor, reference, "reference")?;
        for (j, col) in enc.columns.iter_mut().enumerate() {
            let (mean, scale) = standard_scaler(raw.column(j).iter().copied());
            col.mean = mean;
            col.scale = scale;
        }
        Ok(enc)
    }

    /// The column names, in matrix order.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The filled, encoded and scaled matrix (rows x columns) of `frame`.
    pub fn transform(
        &self,
        monitor: &'static str,
        frame: &Frame,
        what: &str,
    ) -> Result<Array2<f64>, Error> {
        let mut x = self.encode(monitor, frame, what)?;
        for (j, col) in self.columns.iter().enumerate() {
            x.column_mut(j).mapv_inplace(|v| (v - col.mean) / col.scale);
        }
        Ok(x)
    }

    /// Filled and encoded, not yet scaled.
    fn encode(
        &self,
        monitor: &'static str,
        frame: &Frame,
        what: &str,
    ) -> Result<Array2<f64>, Error> {
        let n = frame.n_rows();
        let mut x = Array2::<f64>::zeros((n, self.columns.len()));
        for (j, col) in self.columns.iter().enumerate() {
            let column = frame.column(&col.name).map_err(|_| {
                Error::input(
                    monitor,
                    format!(
                        "the {what} has no column '{}' that the reference had; give every monitored column",
                        col.name
                    ),
                )
            })?;
            let mut out = x.column_mut(j);
            match (&col.encoded, column) {
                (Encoded::Continuous { fill }, Column::Numeric(v)) => {
                    check_finite(monitor, &col.name, v.iter().copied(), what)?;
                    out.zip_mut_with(v, |o, &a| *o = if a.is_nan() { *fill } else { a });
                }
                (Encoded::Categorical { fill, shares }, Column::Categorical(c)) => {
                    // Share per level of this frame, looked up once.
                    let level_share: Vec<f64> = c
                        .levels
                        .iter()
                        .map(|l| shares.get(l).copied().unwrap_or(0.0))
                        .collect();
                    let fill_share = shares.get(fill).copied().unwrap_or(0.0);
                    for (o, code) in out.iter_mut().zip(&c.codes) {
                        *o = code
                            .and_then(|k| level_share.get(k as usize).copied())
                            .unwrap_or(fill_share);
                    }
                }
                (_, other) => {
                    return Err(Error::input(
                        monitor,
                        format!(
                            "column '{}' is {} in the {what} but was not in the reference; give it the reference's kind",
                            col.name,
                            other.kind().as_str()
                        ),
                    ));
                }
            }
        }
        Ok(x)
    }
}

fn all_missing(monitor: &'static str, name: &str) -> Error {
    Error::input(
        monitor,
        format!(
            "column '{name}' has no value in the reference, so nothing can fill it; leave it out of `columns`"
        ),
    )
}

fn check_finite(
    monitor: &'static str,
    name: &str,
    values: impl Iterator<Item = f64>,
    what: &str,
) -> Result<(), Error> {
    match values.enumerate().find(|(_, v)| v.is_infinite()) {
        Some((row, v)) => Err(Error::input(
            monitor,
            format!(
                "column '{name}' of the {what} holds {v} at row {row}; replace infinities by a number or leave them empty"
            ),
        )),
        None => Ok(()),
    }
}

/// The smallest of the most frequent keys.
fn most_frequent<K: Copy>(counts: &BTreeMap<K, usize>) -> Option<K> {
    let top = counts.values().copied().max()?;
    counts.iter().find(|(_, c)| **c == top).map(|(k, _)| *k)
}

/// The value `SimpleImputer` fills a numeric column with.
fn continuous_fill(
    monitor: &'static str,
    name: &str,
    values: impl Iterator<Item = f64>,
    strategy: ContinuousImpute,
) -> Result<f64, Error> {
    let mut v: Vec<f64> = values.filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return Err(all_missing(monitor, name));
    }
    Ok(match strategy {
        ContinuousImpute::Mean => v.iter().sum::<f64>() / v.len() as f64,
        ContinuousImpute::Median => {
            v.sort_by(f64::total_cmp);
            let m = v.len() / 2;
            if v.len() % 2 == 1 {
                v[m]
            } else {
                (v[m - 1] + v[m]) / 2.0
            }
        }
        ContinuousImpute::MostFrequent => {
            v.sort_by(f64::total_cmp);
            let (mut best, mut best_n) = (v[0], 0usize);
            let mut i = 0;
            while i < v.len() {
                let j = i + v[i..].iter().take_while(|x| **x == v[i]).count();
                if j - i > best_n {
                    (best, best_n) = (v[i], j - i);
                }
                i = j.max(i + 1);
            }
            best
        }
    })
}

/// scikit-learn's `StandardScaler` on one column: the mean and the population sd,
/// with 1 for a column its `_is_constant_feature` calls constant.
fn standard_scaler(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    // _incremental_mean_and_var: sum of squares of deviations, corrected by the
    // (rounding-sized) sum of deviations.
    let (mut sq, mut dev) = (0.0, 0.0);
    for v in values {
        let d = v - mean;
        sq += d * d;
        dev += d;
    }
    let var = (sq - dev * dev / n) / n;
    let eps = f64::EPSILON;
    let constant = var <= n * eps * var + (n * mean * eps).powi(2);
    (mean, if constant { 1.0 } else { var.sqrt() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Categorical;

    fn frame() -> Frame {
        Frame::new(vec![
            (
                "x".into(),
                Column::Numeric(vec![1.0, f64::NAN, 3.0, 3.0, 5.0].into()),
            ),
            (
                "c".into(),
                Column::Categorical(Categorical::from_labels([
                    Some("b"),
                    Some("a"),
                    None,
                    Some("b"),
                    Some("a"),
                ])),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn fills_counts_and_scales_as_nannyml() {
        let f = frame();
        let cols = select_columns("m", &f, &[]).unwrap();
        let enc = Encoder::fit(
            "m",
            &f,
            &cols,
            ContinuousImpute::Mean,
            CategoricalImpute::MostFrequent,
        )
        .unwrap();
        let x = enc.encode("m", &f, "reference").unwrap();
        // Mean of 1, 3, 3, 5 fills row 1.
        assert_eq!(x.column(0).to_vec(), vec![1.0, 3.0, 3.0, 3.0, 5.0]);
        // a and b tie at 2: the smallest, a, fills; then a has 3 of 5 rows.
        assert_eq!(x.column(1).to_vec(), vec![0.4, 0.6, 0.6, 0.4, 0.6]);
        let z = enc.transform("m", &f, "reference").unwrap();
        let sd = (((1.0f64 - 3.0).powi(2) * 2.0) / 5.0).sqrt();
        assert!((z[(0, 0)] - (1.0 - 3.0) / sd).abs() < 1e-15);
        assert!(z.column(1).sum().abs() < 1e-12);
    }

    #[test]
    fn other_strategies_and_unseen_categories() {
        let f = frame();
        let cols = vec!["x".to_string(), "c".to_string()];
        let enc = Encoder::fit(
            "m",
            &f,
            &cols,
            ContinuousImpute::MostFrequent,
            CategoricalImpute::Constant,
        )
        .unwrap();
        let x = enc.encode("m", &f, "reference").unwrap();
        assert_eq!(x[(1, 0)], 3.0);
        assert_eq!(x[(2, 1)], 0.2, "missing_value is a category of one row");
        let med = continuous_fill(
            "m",
            "x",
            [4.0, 1.0, f64::NAN, 2.0, 3.0].into_iter(),
            ContinuousImpute::Median,
        )
        .unwrap();
        assert_eq!(med, 2.5);
        let window = Frame::new(vec![
            ("x".into(), Column::Numeric(vec![0.0].into())),
            (
                "c".into(),
                Column::Categorical(Categorical::from_labels([Some("zzz")])),
            ),
        ])
        .unwrap();
        assert_eq!(enc.encode("m", &window, "window").unwrap()[(0, 1)], 0.0);
    }

    #[test]
    fn timestamps_are_left_out_by_default() {
        let mut f = frame();
        f.push("t", Column::Numeric(vec![1e9; 5].into())).unwrap();
        f.set_kind("t", ColumnKind::Timestamp).unwrap();
        assert_eq!(select_columns("m", &f, &[]).unwrap(), ["x", "c"]);
        assert_eq!(select_columns("m", &f, &["t".into()]).unwrap(), ["t"]);
        let e = select_columns("m", &Frame::default(), &[]).unwrap_err();
        assert!(e.to_string().contains("no feature column"), "{e}");
    }

    #[test]
    fn refuses_bad_input_with_a_fix() {
        let f = frame();
        let e = select_columns("m", &f, &["nope".into()]).unwrap_err();
        assert!(e.to_string().contains("'nope'"), "{e}");
        let empty = Frame::new(vec![("x".into(), Column::Numeric(vec![f64::NAN].into()))]).unwrap();
        let e = Encoder::fit(
            "m",
            &empty,
            &["x".into()],
            ContinuousImpute::Mean,
            CategoricalImpute::MostFrequent,
        )
        .unwrap_err();
        assert!(e.to_string().contains("leave it out"), "{e}");
        let inf = Frame::new(vec![(
            "x".into(),
            Column::Numeric(vec![1.0, f64::INFINITY].into()),
        )])
        .unwrap();
        let e = Encoder::fit(
            "m",
            &inf,
            &["x".into()],
            ContinuousImpute::Mean,
            CategoricalImpute::MostFrequent,
        )
        .unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
        let enc = Encoder::fit(
            "m",
            &f,
            &["x".into()],
            ContinuousImpute::Mean,
            CategoricalImpute::MostFrequent,
        )
        .unwrap();
        let e = enc.transform("m", &Frame::default(), "window").unwrap_err();
        assert!(e.to_string().contains("no column 'x'"), "{e}");
        assert_eq!(standard_scaler([2.0, 2.0].into_iter()), (2.0, 1.0));
    }
}
