//! Per-column drift between a reference frame and a current frame.
//!
//! One path for the `drift` subcommand and the drift monitor: fit once on the reference
//! (sorted samples, category counts), then judge any number of current frames.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use driftwatch_core::{Column, ColumnKind, Frame};

use crate::chi2::chi2_homogeneity;
use crate::ks::{Alternative, KsMethod, KsReference};

/// How to test the columns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftOptions {
    /// KS alternative for numeric columns.
    pub alternative: Alternative,
    /// KS p-value method.
    pub method: KsMethod,
    /// Drift when p < threshold.
    pub threshold: f64,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            alternative: Alternative::TwoSided,
            method: KsMethod::Auto,
            threshold: 0.05,
        }
    }
}

/// What the reference tells about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnReference {
    /// Sorted non-missing values (None when the reference had none).
    Numeric(Option<KsReference>),
    /// Category counts, levels sorted.
    Categorical {
        /// Levels seen in the reference.
        levels: Vec<String>,
        /// Their counts.
        counts: Vec<f64>,
    },
}

/// The fitted reference of every checked column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DriftReference {
    /// (column, reference, missing count in the reference).
    pub columns: Vec<(String, ColumnReference, usize)>,
}

/// The drift verdict for one column; the JSON row of `driftwatch drift`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// numeric or categorical.
    pub kind: ColumnKind,
    /// `ks`, `chi2`, or `none` when no test could run.
    pub test: String,
    /// The test statistic (null when no test could run).
    pub statistic: Option<f64>,
    /// The p-value.
    pub p_value: Option<f64>,
    /// Drift when p < threshold.
    pub threshold: f64,
    /// The verdict.
    pub drift: bool,
    /// Non-missing reference values used.
    pub n_reference: usize,
    /// Non-missing current values used.
    pub n_current: usize,
    /// Missing values in the reference (counted, not tested).
    pub missing_reference: usize,
    /// Missing values in the current data.
    pub missing_current: usize,
    /// Where the KS statistic is attained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic_location: Option<f64>,
    /// +1 when the reference ECDF is above the current one there, -1 below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic_sign: Option<i8>,
    /// Categories in the current data not seen in the reference, with counts.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unseen_categories: Vec<(String, usize)>,
    /// Why no test ran, or other notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn label_counts(col: &Column) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for l in col.to_labels().into_iter().flatten() {
        *counts.entry(l).or_default() += 1;
    }
    counts.into_iter().collect()
}

impl DriftReference {
    /// Learns the reference for `columns` (all columns when empty).
    pub fn fit(reference: &Frame, columns: &[String]) -> driftwatch_core::Result<Self> {
        let names: Vec<String> = if columns.is_empty() {
            reference.names().to_vec()
        } else {
            columns.to_vec()
        };
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let col = reference.column(&name)?;
            let fitted = match col {
                Column::Numeric(_) => {
                    let values = col.numeric_values().unwrap_or_default();
                    ColumnReference::Numeric(KsReference::new(&values).ok())
                }
                Column::Categorical(_) => {
                    let (levels, counts) = label_counts(col)
                        .into_iter()
                        .map(|(l, c)| (l, c as f64))
                        .unzip();
                    ColumnReference::Categorical { levels, counts }
                }
            };
            out.push((name, fitted, col.missing_count()));
        }
        Ok(DriftReference { columns: out })
    }

    /// Names of the fitted columns.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|(n, _, _)| n.clone()).collect()
    }

    /// Tests every fitted column of `current` (in parallel), in the reference's order.
    pub fn check(
        &self,
        current: &Frame,
        options: &DriftOptions,
    ) -> driftwatch_core::Result<Vec<ColumnDrift>> {
        for (name, fitted, _) in &self.columns {
            let col = current.column(name)?;
            let want = match fitted {
                ColumnReference::Numeric(_) => ColumnKind::Numeric,
                ColumnReference::Categorical { .. } => ColumnKind::Categorical,
            };
            if col.kind() != want {
                return Err(driftwatch_core::Error::ColumnKind {
                    column: name.clone(),
                    found: col.kind().as_str(),
                    needed: want.as_str(),
                    hint: "the reference and current data must agree on each column's kind".into(),
                });
            }
        }
        self.columns
            .par_iter()
            .map(|(name, fitted, missing_ref)| {
                let col = current.column(name)?;
                Ok(check_column(name, fitted, *missing_ref, col, options))
            })
            .collect()
    }
}

fn check_column(
    name: &str,
    fitted: &ColumnReference,
    missing_reference: usize,
    col: &Column,
    o: &DriftOptions,
) -> ColumnDrift {
    let mut row = ColumnDrift {
        column: name.to_string(),
        kind: col.kind(),
        test: "none".into(),
        statistic: None,
        p_value: None,
        threshold: o.threshold,
        drift: false,
        n_reference: 0,
        n_current: col.len() - col.missing_count(),
        missing_reference,
        missing_current: col.missing_count(),
        statistic_location: None,
        statistic_sign: None,
        unseen_categories: Vec::new(),
        note: None,
    };
    match fitted {
        ColumnReference::Numeric(reference) => {
            let values = col.numeric_values().unwrap_or_default();
            let Some(reference) = reference else {
                row.note = Some("the reference has no non-missing value".into());
                return row;
            };
            row.n_reference = reference.len();
            row.test = "ks".into();
            match reference.test(&values, o.alternative, o.method) {
                Ok(r) => {
                    row.statistic = Some(r.statistic);
                    row.p_value = Some(r.p_value);
                    row.statistic_location = Some(r.statistic_location);
                    row.statistic_sign = Some(r.statistic_sign);
                    row.drift = r.p_value < o.threshold;
                }
                Err(e) => row.note = Some(format!("not tested: {e}")),
            }
        }
        ColumnReference::Categorical { levels, counts } => {
            row.n_reference = counts.iter().sum::<f64>() as usize;
            row.test = "chi2".into();
            let current = label_counts(col);
            let mut all: Vec<String> = levels.clone();
            for (l, c) in &current {
                if levels.binary_search(l).is_err() {
                    row.unseen_categories.push((l.clone(), *c));
                    all.push(l.clone());
                }
            }
            all.sort();
            let r: Vec<f64> = all
                .iter()
                .map(|l| levels.binary_search(l).map_or(0.0, |i| counts[i]))
                .collect();
            let c: Vec<f64> = all
                .iter()
                .map(|l| {
                    current
                        .iter()
                        .find(|(k, _)| k == l)
                        .map_or(0.0, |x| x.1 as f64)
                })
                .collect();
            match chi2_homogeneity(&r, &c) {
                Ok(t) => {
                    row.statistic = Some(t.statistic);
                    row.p_value = Some(t.p_value);
                    row.drift = t.p_value < o.threshold;
                }
                Err(e) => row.note = Some(format!("not tested: {e}")),
            }
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn numeric_and_categorical_columns_get_their_tests() {
        let reference = frame("x,c\n1,a\n2,a\n3,b\n4,b\n5,a\n6,b\n");
        let current = frame("x,c\n11,a\n12,z\n13,z\n14,z\n15,z\nNA,z\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&current, &DriftOptions::default()).unwrap();
        assert_eq!(rows[0].test, "ks");
        assert_eq!(rows[0].statistic, Some(1.0));
        assert_eq!(rows[0].missing_current, 1);
        assert_eq!(rows[0].n_current, 5);
        assert!(rows[0].drift);
        assert_eq!(rows[1].test, "chi2");
        assert_eq!(rows[1].unseen_categories, vec![("z".to_string(), 5)]);
        assert!(rows[1].drift);
    }

    #[test]
    fn missing_or_retyped_columns_are_errors_and_empty_columns_notes() {
        let reference = frame("x,c\n1,a\n2,b\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        assert!(
            fitted
                .check(&frame("x\n1\n"), &DriftOptions::default())
                .is_err()
        );
        assert!(
            fitted
                .check(&frame("x,c\n1,2\n"), &DriftOptions::default())
                .is_err()
        );
        let rows = fitted
            .check(&frame("x,c\nNA,a\nNA,b\n"), &DriftOptions::default())
            .unwrap();
        assert_eq!(rows[0].test, "ks");
        assert!(rows[0].note.as_deref().unwrap_or("").contains("not tested"));
        assert!(!rows[0].drift);
    }
}
