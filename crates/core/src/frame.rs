//! Named, typed columns: the table every other part of driftwatch passes around.

use std::collections::BTreeMap;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The kind of a column.
///
/// [`Column::kind`] is how the values are stored (numeric or categorical); a [`Frame`]
/// may also know what they mean ([`Frame::kind`]): booleans are stored as categories
/// `false`/`true`, timestamps as seconds since 1970 (UTC). Drift uses the meaning to
/// compare `True` with `true` and to leave timestamps out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Floating point values; NaN marks a missing value.
    Numeric,
    /// Labels from a finite set of levels.
    Categorical,
    /// `true`/`false` in any letter case, stored as the categories `false` and `true`.
    Boolean,
    /// Date-times, stored as seconds since 1970 (UTC; NaN = missing).
    Timestamp,
}

impl ColumnKind {
    /// The lower-case name used in messages and files.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Timestamp => "timestamp",
        }
    }

    /// How values of this kind are stored in a [`Column`].
    pub fn storage(self) -> ColumnKind {
        match self {
            ColumnKind::Numeric | ColumnKind::Timestamp => ColumnKind::Numeric,
            ColumnKind::Categorical | ColumnKind::Boolean => ColumnKind::Categorical,
        }
    }
}

/// Dictionary-encoded labels: each row holds an index into `levels`, or `None` when missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Categorical {
    /// One code per row.
    pub codes: Vec<Option<u32>>,
    /// The distinct labels in order of first appearance.
    pub levels: Vec<String>,
}

impl Categorical {
    /// Encodes labels; `None` is a missing value.
    pub fn from_labels<S: AsRef<str>>(labels: impl IntoIterator<Item = Option<S>>) -> Self {
        let mut out = Categorical::default();
        let mut index = std::collections::HashMap::<String, u32>::new();
        for label in labels {
            let code = label.map(|s| {
                let s = s.as_ref();
                match index.get(s) {
                    Some(&c) => c,
                    None => {
                        let c = out.levels.len() as u32;
                        out.levels.push(s.to_string());
                        index.insert(s.to_string(), c);
                        c
                    }
                }
            });
            out.codes.push(code);
        }
        out
    }

    /// The label of row `row`, or `None` when missing or out of range.
    pub fn label(&self, row: usize) -> Option<&str> {
        let code = (*self.codes.get(row)?)?;
        self.levels.get(code as usize).map(String::as_str)
    }

    /// Iterates over the labels of all rows.
    pub fn labels(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.codes.len()).map(|r| self.label(r))
    }
}

/// One column of a [`Frame`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Column {
    /// Numbers, NaN = missing.
    Numeric(Array1<f64>),
    /// Labels.
    Categorical(Categorical),
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Categorical(c) => c.codes.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column's kind.
    pub fn kind(&self) -> ColumnKind {
        match self {
            Column::Numeric(_) => ColumnKind::Numeric,
            Column::Categorical(_) => ColumnKind::Categorical,
        }
    }

    /// Whether row `row` is missing.
    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            Column::Numeric(v) => v.get(row).is_none_or(|x| x.is_nan()),
            Column::Categorical(c) => c.codes.get(row).is_none_or(Option::is_none),
        }
    }

    /// How many rows are missing.
    pub fn missing_count(&self) -> usize {
        match self {
            // on the contiguous slice (the usual case) the count vectorises
            Column::Numeric(v) => match v.as_slice() {
                Some(x) => x.iter().map(|x| usize::from(x.is_nan())).sum(),
                None => v.iter().filter(|x| x.is_nan()).count(),
            },
            Column::Categorical(c) => c.codes.iter().filter(|x| x.is_none()).count(),
        }
    }

    /// The value of a row as text (for messages and logs); empty when missing.
    pub fn display_value(&self, row: usize) -> String {
        match self {
            Column::Numeric(v) => v
                .get(row)
                .filter(|x| !x.is_nan())
                .map(|x| x.to_string())
                .unwrap_or_default(),
            Column::Categorical(c) => c.label(row).unwrap_or_default().to_string(),
        }
    }

    /// The rows at `indices`, in that order.
    pub fn take(&self, indices: &[usize]) -> Column {
        match self {
            Column::Numeric(v) => Column::Numeric(indices.iter().map(|&i| v[i]).collect()),
            Column::Categorical(c) => Column::Categorical(Categorical {
                codes: indices.iter().map(|&i| c.codes[i]).collect(),
                levels: c.levels.clone(),
            }),
        }
    }

    /// The non-missing numbers, or `None` for a categorical column.
    pub fn numeric_values(&self) -> Option<Vec<f64>> {
        match self {
            Column::Numeric(v) => {
                let mut out = Vec::with_capacity(v.len());
                match v.as_slice() {
                    Some(x) => out.extend(x.iter().copied().filter(|x| !x.is_nan())),
                    None => out.extend(v.iter().copied().filter(|x| !x.is_nan())),
                }
                Some(out)
            }
            Column::Categorical(_) => None,
        }
    }

    /// Every row as an optional label (numbers are formatted), for label-like columns.
    pub fn to_labels(&self) -> Vec<Option<String>> {
        match self {
            Column::Numeric(v) => v
                .iter()
                .map(|x| (!x.is_nan()).then(|| format_number_label(*x)))
                .collect(),
            Column::Categorical(c) => c.labels().map(|l| l.map(str::to_string)).collect(),
        }
    }
}

/// Formats a number used as a class label so that `1.0` reads `1`, as a CSV had it.
pub fn format_number_label(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// A table of named columns of equal length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Frame {
    names: Vec<String>,
    columns: Vec<Column>,
    /// Columns whose meaning is more than their storage (booleans, timestamps).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    meanings: BTreeMap<String, ColumnKind>,
}

impl Frame {
    /// Builds a frame; all columns must have the same length and distinct names.
    pub fn new(columns: Vec<(String, Column)>) -> Result<Self> {
        let mut frame = Frame::default();
        for (name, column) in columns {
            frame.push(name, column)?;
        }
        Ok(frame)
    }

    /// A frame of numeric columns from a matrix (rows x columns).
    pub fn from_matrix(names: &[String], x: &Array2<f64>) -> Result<Self> {
        if names.len() != x.ncols() {
            return Err(Error::Shape(format!(
                "{} names for a matrix of {} columns",
                names.len(),
                x.ncols()
            )));
        }
        Frame::new(
            names
                .iter()
                .zip(x.columns())
                .map(|(n, c)| (n.clone(), Column::Numeric(c.to_owned())))
                .collect(),
        )
    }

    /// Adds a column at the end.
    pub fn push(&mut self, name: impl Into<String>, column: Column) -> Result<()> {
        let name = name.into();
        if self.names.contains(&name) {
            return Err(Error::Shape(format!("column '{name}' appears twice")));
        }
        if let Some(first) = self.columns.first()
            && first.len() != column.len()
        {
            return Err(Error::Shape(format!(
                "column '{name}' has {} rows, the others {}",
                column.len(),
                first.len()
            )));
        }
        self.names.push(name);
        self.columns.push(column);
        Ok(())
    }

    /// Removes and returns a column.
    pub fn remove(&mut self, name: &str) -> Result<Column> {
        let i = self.position(name)?;
        self.names.remove(i);
        self.meanings.remove(name);
        Ok(self.columns.remove(i))
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Columns in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// (name, column) pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Column)> + '_ {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.columns.iter())
    }

    /// Index of a column by name.
    pub fn position(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::MissingColumn {
                column: name.to_string(),
                context: String::new(),
                available: self.names.join(", "),
            })
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Result<&Column> {
        Ok(&self.columns[self.position(name)?])
    }

    /// What a column holds: its storage kind, or boolean / timestamp when the reader
    /// recognised them (see [`ColumnKind`]).
    pub fn kind(&self, name: &str) -> Result<ColumnKind> {
        let column = self.column(name)?;
        Ok(self
            .meanings
            .get(name)
            .copied()
            .unwrap_or_else(|| column.kind()))
    }

    /// Records that a column holds booleans or timestamps (or, with its storage kind,
    /// plain values again). The kind must be stored the way the column is.
    pub fn set_kind(&mut self, name: &str, kind: ColumnKind) -> Result<()> {
        let stored = self.column(name)?.kind();
        if kind.storage() != stored {
            return Err(Error::ColumnKind {
                column: name.to_string(),
                found: stored.as_str(),
                needed: kind.storage().as_str(),
                hint: format!(
                    "a {} column is stored as {}",
                    kind.as_str(),
                    kind.storage().as_str()
                ),
            });
        }
        if kind == stored {
            self.meanings.remove(name);
        } else {
            self.meanings.insert(name.to_string(), kind);
        }
        Ok(())
    }

    /// The meanings of `names` that this frame records, for frames built from its columns.
    fn meanings_of<S: AsRef<str>>(&self, names: &[S]) -> BTreeMap<String, ColumnKind> {
        names
            .iter()
            .filter_map(|n| {
                let n = n.as_ref();
                self.meanings.get(n).map(|k| (n.to_string(), *k))
            })
            .collect()
    }

    /// Whether a column exists.
    pub fn has_column(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// A new frame with the named columns, in the order given.
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Result<Frame> {
        let mut out = Frame::default();
        for n in names {
            let n = n.as_ref();
            out.push(n, self.column(n)?.clone())?;
        }
        out.meanings = self.meanings_of(names);
        Ok(out)
    }

    /// A new frame with the rows at `indices` (which must be in range).
    pub fn take_rows(&self, indices: &[usize]) -> Result<Frame> {
        let n = self.n_rows();
        if let Some(bad) = indices.iter().find(|&&i| i >= n) {
            return Err(Error::Shape(format!(
                "row index {bad} out of range for {n} rows"
            )));
        }
        Ok(Frame {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.take(indices)).collect(),
            meanings: self.meanings.clone(),
        })
    }

    /// The rows in `start..end` (clamped to the frame).
    pub fn slice_rows(&self, start: usize, end: usize) -> Frame {
        let end = end.min(self.n_rows());
        let start = start.min(end);
        let idx: Vec<usize> = (start..end).collect();
        Frame {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.take(&idx)).collect(),
            meanings: self.meanings.clone(),
        }
    }

    /// Joins the columns of two frames with the same row count.
    pub fn hstack(mut self, other: Frame) -> Result<Frame> {
        if self.n_cols() > 0 && other.n_cols() > 0 && self.n_rows() != other.n_rows() {
            return Err(Error::Shape(format!(
                "cannot join frames of {} and {} rows",
                self.n_rows(),
                other.n_rows()
            )));
        }
        for (n, c) in other.names.into_iter().zip(other.columns) {
            self.push(n, c)?;
        }
        self.meanings.extend(other.meanings);
        Ok(self)
    }

    /// Copies all columns into a rows x columns matrix; every column must be numeric.
    ///
    /// `who` names the component asking, for the error message.
    pub fn to_matrix(&self, who: &str) -> Result<Array2<f64>> {
        let mut x = Array2::zeros((self.n_rows(), self.n_cols()));
        for (j, (name, col)) in self.iter().enumerate() {
            match col {
                Column::Numeric(v) => x.column_mut(j).assign(v),
                Column::Categorical(_) => {
                    return Err(Error::ColumnKind {
                        column: name.to_string(),
                        found: "categorical",
                        needed: "numeric",
                        hint: format!(
                            "{who} works on numbers; encode it first (OneHotEncoder in a ColumnTransformer)"
                        ),
                    });
                }
            }
        }
        Ok(x)
    }

    /// Names of the numeric columns.
    pub fn numeric_names(&self) -> Vec<String> {
        self.names_of(ColumnKind::Numeric)
    }

    /// Names of the categorical columns.
    pub fn categorical_names(&self) -> Vec<String> {
        self.names_of(ColumnKind::Categorical)
    }

    fn names_of(&self, kind: ColumnKind) -> Vec<String> {
        self.iter()
            .filter(|(_, c)| c.kind() == kind)
            .map(|(n, _)| n.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn sample() -> Frame {
        Frame::new(vec![
            ("a".into(), Column::Numeric(array![1.0, f64::NAN, 3.0])),
            (
                "b".into(),
                Column::Categorical(Categorical::from_labels([Some("x"), None, Some("y")])),
            ),
        ])
        .unwrap()
    }

    #[test]
    fn counts_and_selects() {
        let f = sample();
        assert_eq!((f.n_rows(), f.n_cols()), (3, 2));
        assert_eq!(f.column("a").unwrap().missing_count(), 1);
        assert_eq!(f.column("b").unwrap().missing_count(), 1);
        let s = f.select(&["b"]).unwrap();
        assert_eq!(s.names(), ["b"]);
        let t = f.take_rows(&[2, 0]).unwrap();
        assert_eq!(t.column("b").unwrap().display_value(0), "y");
        assert!(f.take_rows(&[3]).is_err());
    }

    #[test]
    fn rejects_unequal_lengths_and_duplicates() {
        let mut f = sample();
        assert!(f.push("c", Column::Numeric(array![1.0])).is_err());
        assert!(f.push("a", Column::Numeric(array![1.0, 2.0, 3.0])).is_err());
    }

    #[test]
    fn matrix_refuses_categorical_with_a_hint() {
        let err = sample()
            .to_matrix("StandardScaler")
            .unwrap_err()
            .to_string();
        assert!(err.contains("'b' is categorical"), "{err}");
        assert!(err.contains("OneHotEncoder"), "{err}");
    }

    #[test]
    fn meanings_follow_the_columns() {
        let mut f = sample();
        assert_eq!(f.kind("a").unwrap(), ColumnKind::Numeric);
        f.set_kind("a", ColumnKind::Timestamp).unwrap();
        f.set_kind("b", ColumnKind::Boolean).unwrap();
        assert!(f.set_kind("b", ColumnKind::Timestamp).is_err());
        assert_eq!(
            f.take_rows(&[0]).unwrap().kind("a").unwrap(),
            ColumnKind::Timestamp
        );
        assert_eq!(f.slice_rows(0, 1).kind("b").unwrap(), ColumnKind::Boolean);
        let s = f.select(&["b"]).unwrap();
        assert_eq!(s.kind("b").unwrap(), ColumnKind::Boolean);
        assert!(s.kind("a").is_err());
        f.set_kind("a", ColumnKind::Numeric).unwrap();
        assert_eq!(f.kind("a").unwrap(), ColumnKind::Numeric);
        f.remove("b").unwrap();
        let joined = f.hstack(s).unwrap();
        assert_eq!(joined.kind("b").unwrap(), ColumnKind::Boolean);
        assert_eq!(ColumnKind::Boolean.storage(), ColumnKind::Categorical);
    }

    #[test]
    fn number_labels_read_like_integers() {
        assert_eq!(format_number_label(1.0), "1");
        assert_eq!(format_number_label(0.5), "0.5");
    }
}
