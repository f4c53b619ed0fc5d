//! The fitted reference: what a check needs from the reference data (sorted samples,
//! decile edges and counts, category counts), learnt once, saved in `.dwr` files,
//! checked when loaded ([`DriftReference::validate`]) and merged from parts
//! ([`DriftReference::merge`]).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use driftwatch_core::{Column, ColumnKind, Frame};

use crate::Error;
use crate::ks::KsReference;
use crate::sketch::QuantileSketch;
use crate::stats::{distinct_sorted, psi, std_population};

/// What the reference keeps about a numeric column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericReference {
    /// Sorted non-missing values.
    pub sorted: KsReference,
    /// Population standard deviation.
    pub std: f64,
    /// Distinct values.
    pub distinct: usize,
    /// PSI inner decile edges.
    pub psi_edges: Vec<f64>,
    /// Reference counts in the PSI bins.
    pub psi_counts: Vec<f64>,
}

/// Merges two ascending samples into one (`f64::total_cmp` order).
fn merge_sorted(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j].total_cmp(&a[i]).is_lt() {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

impl NumericReference {
    /// Precomputes everything the reference allows from its non-missing values.
    pub fn new(values: Vec<f64>) -> Result<Self, crate::Error> {
        let sorted = KsReference::from_vec(values)?;
        let s = sorted.sorted_values();
        let psi_edges = psi::decile_edges(s);
        Ok(NumericReference {
            std: std_population(s),
            distinct: distinct_sorted(s),
            psi_counts: psi::bin_counts_sorted(s, &psi_edges),
            psi_edges,
            sorted,
        })
    }

    /// The sample as a sketch of `capacity` items per level (exact while it fits).
    #[must_use]
    pub fn sketch(&self, capacity: usize) -> QuantileSketch {
        let mut s = QuantileSketch::new(capacity);
        s.extend(self.sorted.sorted_values());
        s
    }

    /// PSI of `current` (any order, finite) on the stored decile edges: one pass over
    /// `current`, no sort.
    #[must_use]
    pub fn psi(&self, current: &[f64]) -> f64 {
        psi::psi_from_counts(&self.psi_counts, &psi::bin_counts(current, &self.psi_edges))
    }
}

/// What the reference tells about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnReference {
    /// Numeric summary (None when the reference had no value).
    Numeric(Option<NumericReference>),
    /// Category counts, levels sorted.
    Categorical {
        /// Levels seen in the reference.
        levels: Vec<String>,
        /// Their counts.
        counts: Vec<f64>,
    },
    /// A numeric column too large for the memory limit: a quantile sketch with a
    /// stated error bound (format version 2 of `.dwr` files).
    Sketch(Box<QuantileSketch>),
}

impl ColumnReference {
    /// Whether the summary is a sketch (not exact).
    #[must_use]
    pub fn is_sketch(&self) -> bool {
        matches!(self, ColumnReference::Sketch(_))
    }
}

/// One fitted column: name, summary, missing count and row count of the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedColumn {
    /// Column name.
    pub name: String,
    /// Its summary.
    pub reference: ColumnReference,
    /// Missing values in the reference.
    pub missing: usize,
    /// Rows in the reference.
    pub rows: usize,
    /// Boolean or timestamp, when the reader recognised the column as such (absent in
    /// files written before these kinds existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<ColumnKind>,
}

impl FittedColumn {
    /// The column's kind as the user sees it (numeric, categorical, boolean, timestamp).
    #[must_use]
    pub fn kind(&self) -> ColumnKind {
        self.meaning.unwrap_or(match self.reference {
            ColumnReference::Numeric(_) | ColumnReference::Sketch(_) => ColumnKind::Numeric,
            ColumnReference::Categorical { .. } => ColumnKind::Categorical,
        })
    }
}

/// The fitted reference of every checked column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DriftReference {
    /// The columns, in order.
    pub columns: Vec<FittedColumn>,
}

/// Category counts of a column, sorted by label; `boolean` folds `True`/`TRUE`/... into
/// `true` and `false` (the reader does already; a hand-built frame may not).
pub(super) fn category_counts(col: &Column, boolean: bool) -> Vec<(String, usize)> {
    let label = |l: &str| -> String {
        if boolean && (l.eq_ignore_ascii_case("true") || l.eq_ignore_ascii_case("false")) {
            l.to_ascii_lowercase()
        } else {
            l.to_string()
        }
    };
    match col {
        Column::Categorical(c) => {
            let mut n = vec![0usize; c.levels.len()];
            for code in c.codes.iter().flatten() {
                if let Some(x) = n.get_mut(*code as usize) {
                    *x += 1;
                }
            }
            let mut out: BTreeMap<String, usize> = BTreeMap::new();
            for (l, k) in c.levels.iter().zip(n) {
                if k > 0 {
                    *out.entry(label(l)).or_default() += k;
                }
            }
            out.into_iter().collect()
        }
        Column::Numeric(_) => {
            let mut out = BTreeMap::<String, usize>::new();
            for l in col.to_labels().into_iter().flatten() {
                *out.entry(l).or_default() += 1;
            }
            out.into_iter().collect()
        }
    }
}

impl DriftReference {
    /// Learns the reference for `columns` (all columns when empty).
    pub fn fit(reference: &Frame, columns: &[String]) -> driftwatch_core::Result<Self> {
        let names: Vec<String> = if columns.is_empty() {
            reference.names().to_vec()
        } else {
            columns.to_vec()
        };
        let cols: Vec<(&String, &Column)> = names
            .iter()
            .map(|n| reference.column(n).map(|c| (n, c)))
            .collect::<driftwatch_core::Result<_>>()?;
        let out = cols
            .par_iter()
            .map(|(name, col)| {
                let fitted = match col {
                    Column::Numeric(_) => ColumnReference::Numeric(
                        NumericReference::new(col.numeric_values().unwrap_or_default()).ok(),
                    ),
                    Column::Categorical(_) => {
                        let (levels, counts) = category_counts(col, false)
                            .into_iter()
                            .map(|(l, c)| (l, c as f64))
                            .unzip();
                        ColumnReference::Categorical { levels, counts }
                    }
                };
                let kind = reference.kind(name).unwrap_or_else(|_| col.kind());
                FittedColumn {
                    name: (*name).clone(),
                    reference: fitted,
                    missing: col.missing_count(),
                    rows: col.len(),
                    meaning: (kind != col.kind()).then_some(kind),
                }
            })
            .collect();
        Ok(DriftReference { columns: out })
    }

    /// Checks what a loaded reference must satisfy for [`DriftReference::check`] to be
    /// right: distinct names, missing <= rows, PSI counts matching edges and sample size,
    /// categorical levels sorted and unique with one count each. (Sample order and
    /// finiteness are restored / checked when a [`KsReference`] is deserialized.)
    ///
    /// # Errors
    /// [`Error::DuplicateColumn`] or [`Error::InconsistentColumn`], naming the column.
    pub fn validate(&self) -> Result<(), Error> {
        let mut names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::DuplicateColumn {
                column: w[0].to_string(),
            });
        }
        for c in &self.columns {
            let inconsistent = |problem| {
                Err(Error::InconsistentColumn {
                    column: c.name.clone(),
                    problem,
                })
            };
            if c.missing > c.rows {
                return inconsistent("more missing values than rows");
            }
            match &c.reference {
                ColumnReference::Numeric(None) => {}
                ColumnReference::Numeric(Some(n)) => {
                    let total: f64 = n.psi_counts.iter().sum();
                    if n.psi_counts.len() != n.psi_edges.len() + 1
                        || total != n.sorted.len() as f64
                        || n.sorted.len() + c.missing != c.rows
                    {
                        return inconsistent("counts do not match the sample");
                    }
                }
                ColumnReference::Sketch(sk) => {
                    if let Err(problem) = sk.validate() {
                        return inconsistent(problem);
                    }
                    if sk.n as usize + c.missing != c.rows {
                        return inconsistent("counts do not match the sample");
                    }
                }
                ColumnReference::Categorical { levels, counts } => {
                    if levels.len() != counts.len()
                        || levels.windows(2).any(|w| w[0] >= w[1])
                        || counts.iter().any(|&k| !(k >= 0.0 && k.is_finite()))
                    {
                        return inconsistent(
                            "levels must be sorted and unique with one count each",
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Combines the references of two parts of the same data (same columns, same
    /// kinds, in the same order) into the reference of the whole: counts add, sorted
    /// samples merge, and what depends on the whole sample (std, distinct values,
    /// decile edges and their counts) is recomputed from the merged sample, so the
    /// result equals [`DriftReference::fit`] on the concatenated rows. A sketched
    /// column merges as a sketch (an exact part is sketched first): within the sum of
    /// the parts' bounds, see [`QuantileSketch::merge`]. Quantile edges
    /// cannot be combined from the parts' edges alone; that is why the full sorted
    /// sample is kept.
    ///
    /// # Errors
    /// [`Error::ColumnsDiffer`] or [`Error::KindsDiffer`] when the column lists or
    /// kinds differ.
    pub fn merge(&self, other: &DriftReference) -> Result<DriftReference, Error> {
        if self.names() != other.names() {
            return Err(Error::ColumnsDiffer {
                left: self.names(),
                right: other.names(),
            });
        }
        let columns = self
            .columns
            .par_iter()
            .zip(other.columns.par_iter())
            .map(|(a, b)| {
                let reference = match (&a.reference, &b.reference) {
                    (ColumnReference::Numeric(x), ColumnReference::Numeric(y)) => {
                        ColumnReference::Numeric(match (x, y) {
                            (None, None) => None,
                            (Some(v), None) | (None, Some(v)) => Some(v.clone()),
                            (Some(v), Some(w)) => Some(
                                NumericReference::new(merge_sorted(
                                    v.sorted.sorted_values(),
                                    w.sorted.sorted_values(),
                                ))
                                .map_err(|e| Error::InColumn {
                                    column: a.name.clone(),
                                    source: Box::new(e),
                                })?,
                            ),
                        })
                    }
                    (ColumnReference::Sketch(x), ColumnReference::Sketch(y)) => {
                        ColumnReference::Sketch(Box::new(x.merge(y)))
                    }
                    (ColumnReference::Sketch(x), ColumnReference::Numeric(y))
                    | (ColumnReference::Numeric(y), ColumnReference::Sketch(x)) => {
                        ColumnReference::Sketch(Box::new(match y {
                            Some(v) => x.merge(&v.sketch(x.capacity)),
                            None => (**x).clone(),
                        }))
                    }
                    (
                        ColumnReference::Categorical {
                            levels: la,
                            counts: ca,
                        },
                        ColumnReference::Categorical {
                            levels: lb,
                            counts: cb,
                        },
                    ) => {
                        let mut all: BTreeMap<String, f64> = BTreeMap::new();
                        for (l, k) in la.iter().zip(ca).chain(lb.iter().zip(cb)) {
                            *all.entry(l.clone()).or_default() += k;
                        }
                        let (levels, counts) = all.into_iter().unzip();
                        ColumnReference::Categorical { levels, counts }
                    }
                    _ => {
                        return Err(Error::KindsDiffer {
                            column: a.name.clone(),
                            left: a.kind().storage().as_str(),
                            right: b.kind().storage().as_str(),
                        });
                    }
                };
                if a.meaning != b.meaning {
                    return Err(Error::KindsDiffer {
                        column: a.name.clone(),
                        left: a.kind().as_str(),
                        right: b.kind().as_str(),
                    });
                }
                Ok(FittedColumn {
                    name: a.name.clone(),
                    reference,
                    missing: a.missing + b.missing,
                    rows: a.rows + b.rows,
                    meaning: a.meaning,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(DriftReference { columns })
    }

    /// Whether any column is a sketch (the file then needs format version 2).
    #[must_use]
    pub fn has_sketch(&self) -> bool {
        self.columns.iter().any(|c| c.reference.is_sketch())
    }

    /// Names of the fitted columns.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    /// A frame with a numeric column `x` and a categorical column `c` (None = missing).
    fn xc_frame(x: &[Option<i8>], c: &[Option<u8>]) -> Frame {
        use driftwatch_core::Categorical;
        let xs: Vec<f64> = x
            .iter()
            .map(|v| v.map_or(f64::NAN, |k| f64::from(k) / 4.0))
            .collect();
        let cs = Categorical::from_labels(c.iter().map(|v| v.map(|k| format!("l{k}"))));
        Frame::new(vec![
            ("x".into(), Column::Numeric(ndarray::Array1::from(xs))),
            ("c".into(), Column::Categorical(cs)),
        ])
        .unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// fit(a ++ b) == merge(fit(a), fit(b)): counts add, samples merge, and the
        /// parts derived from the whole sample (std, distinct, decile edges and counts)
        /// are recomputed from the merged sample, so the equality is exact.
        #[test]
        fn merge_of_parts_is_fit_of_whole(
            rows in proptest::collection::vec(
                (proptest::option::weighted(0.9, -40i8..40), proptest::option::weighted(0.9, 0u8..5)),
                2..80,
            ),
            cut in 0.0f64..1.0,
        ) {
            let k = ((rows.len() as f64 * cut) as usize).min(rows.len());
            let (x, c): (Vec<_>, Vec<_>) = rows.iter().copied().unzip();
            let whole = DriftReference::fit(&xc_frame(&x, &c), &[]).unwrap();
            let a = DriftReference::fit(&xc_frame(&x[..k], &c[..k]), &[]).unwrap();
            let b = DriftReference::fit(&xc_frame(&x[k..], &c[k..]), &[]).unwrap();
            let merged = a.merge(&b).unwrap();
            proptest::prop_assert_eq!(&merged, &whole);
            proptest::prop_assert_eq!(&b.merge(&a).unwrap(), &whole);
            proptest::prop_assert!(merged.validate().is_ok());
        }
    }

    #[test]
    fn merge_refuses_different_columns() {
        let a = DriftReference::fit(&frame("x\n1\n"), &[]).unwrap();
        let b = DriftReference::fit(&frame("y\n1\n"), &[]).unwrap();
        assert_eq!(
            a.merge(&b).unwrap_err(),
            Error::ColumnsDiffer {
                left: vec!["x".into()],
                right: vec!["y".into()],
            }
        );
        let c = DriftReference::fit(&frame("x\na\n"), &[]).unwrap();
        let e = a.merge(&c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'x' is numeric in one reference and categorical in the other"
        );
    }

    #[test]
    fn validate_names_the_column_and_the_problem() {
        let r = DriftReference::fit(&frame("x,c\n1,a\n2,b\n"), &[]).unwrap();
        assert_eq!(r.validate(), Ok(()));
        let mut twice = r.clone();
        twice.columns[1].name = "x".into();
        assert_eq!(
            twice.validate(),
            Err(Error::DuplicateColumn { column: "x".into() })
        );
        let mut missing = r.clone();
        missing.columns[0].missing = 3;
        assert_eq!(
            missing.validate().unwrap_err().to_string(),
            "column 'x' of the reference is inconsistent: more missing values than rows"
        );
        let mut levels = r;
        if let ColumnReference::Categorical { counts, .. } = &mut levels.columns[1].reference {
            counts.pop();
        }
        assert!(matches!(
            levels.validate(),
            Err(Error::InconsistentColumn { column, .. }) if column == "c"
        ));
    }
}
