//! The one place that turns files into [`Frame`]s.
//!
//! Column kinds are inferred (a column is numeric when every non-missing cell parses as
//! a number) and can be forced either way. Empty cells and `NA`, `N/A`, `NaN`, `null`
//! are missing values: they are kept as NaN / no code, never dropped.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use ndarray::Array1;

use crate::error::{Error, Result};
use crate::frame::{Categorical, Column, ColumnKind, Frame};

/// Options for reading a table.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Columns to read as categorical even if they look numeric (e.g. integer codes).
    pub categorical: Vec<String>,
    /// Columns that must be numeric: a non-number there is an error naming the row.
    pub numeric: Vec<String>,
    /// Ignore overrides that name absent columns (for reads driven by a schema, whose
    /// own check reports the absent column); otherwise they are an error (a typo).
    pub lenient: bool,
}

impl ReadOptions {
    /// Forces these columns to be read with the given kinds.
    pub fn with_kinds<'a>(kinds: impl IntoIterator<Item = (&'a str, ColumnKind)>) -> Self {
        let mut o = ReadOptions::default();
        for (name, kind) in kinds {
            match kind {
                ColumnKind::Numeric => o.numeric.push(name.to_string()),
                ColumnKind::Categorical => o.categorical.push(name.to_string()),
            }
        }
        o
    }
}

/// Whether a cell is a missing value.
pub fn is_missing_token(cell: &str) -> bool {
    matches!(
        cell.trim(),
        "" | "NA" | "N/A" | "NaN" | "nan" | "null" | "NULL" | "None"
    )
}

/// Reads a CSV file with a header row.
pub fn read_csv_path(path: &Path, options: &ReadOptions) -> Result<Frame> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_csv(file, &path.display().to_string(), options)
}

/// Reads CSV from any reader; `input` names it in error messages.
pub fn read_csv<R: Read>(reader: R, input: &str, options: &ReadOptions) -> Result<Frame> {
    let parse_err = |message: String| Error::Parse {
        input: input.to_string(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| parse_err(format!("cannot read the header row: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(Error::Empty(format!("{input} (no header row)")));
    }
    let mut seen = HashSet::new();
    for h in &headers {
        if h.is_empty() {
            return Err(parse_err("the header has an empty column name".into()));
        }
        if !seen.insert(h) {
            return Err(parse_err(format!(
                "column '{h}' appears twice in the header"
            )));
        }
    }
    for forced in options.numeric.iter().chain(&options.categorical) {
        if !headers.contains(forced) && !options.lenient {
            return Err(Error::MissingColumn {
                column: forced.clone(),
                context: format!(" in {input} (asked for by a column-kind override)"),
                available: headers.join(", "),
            });
        }
    }
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for (row, record) in rdr.records().enumerate() {
        let record = record.map_err(|e| parse_err(format!("row {}: {e}", row + 1)))?;
        if record.len() != headers.len() {
            return Err(parse_err(format!(
                "row {} has {} fields, the header has {}",
                row + 1,
                record.len(),
                headers.len()
            )));
        }
        for (j, cell) in record.iter().enumerate() {
            cells[j].push(cell.to_string());
        }
    }
    if cells[0].is_empty() {
        return Err(Error::Empty(input.to_string()));
    }
    let mut frame = Frame::default();
    for (name, col) in headers.into_iter().zip(cells) {
        let kind = if options.categorical.contains(&name) {
            ColumnKind::Categorical
        } else if options.numeric.contains(&name) {
            ColumnKind::Numeric
        } else {
            infer_kind(&col)
        };
        let column = match kind {
            ColumnKind::Numeric => Column::Numeric(parse_numeric(&col, &name, input)?),
            ColumnKind::Categorical => Column::Categorical(Categorical::from_labels(
                col.iter()
                    .map(|c| (!is_missing_token(c)).then_some(c.as_str())),
            )),
        };
        frame.push(name, column)?;
    }
    Ok(frame)
}

/// A categorical column whose values are mostly numbers: most likely a numeric column
/// with a typo. Returns (column, 1-based row, value) of the first non-number so the user
/// can fix it, or read the column as categorical on purpose.
pub fn mostly_numeric_column(
    frame: &Frame,
    forced_categorical: &[String],
) -> Option<(String, usize, String)> {
    for (name, col) in frame.iter() {
        if col.kind() != ColumnKind::Categorical || forced_categorical.iter().any(|c| c == name) {
            continue;
        }
        let labels = col.to_labels();
        let present: Vec<(usize, &String)> = labels
            .iter()
            .enumerate()
            .filter_map(|(r, l)| l.as_ref().map(|l| (r, l)))
            .collect();
        let numbers = present
            .iter()
            .filter(|(_, l)| l.parse::<f64>().is_ok())
            .count();
        if numbers * 2 > present.len() {
            if let Some((row, value)) = present.iter().find(|(_, l)| l.parse::<f64>().is_err()) {
                return Some((name.to_string(), row + 1, value.to_string()));
            }
        }
    }
    None
}

fn infer_kind(cells: &[String]) -> ColumnKind {
    let numeric = cells
        .iter()
        .filter(|c| !is_missing_token(c))
        .all(|c| c.parse::<f64>().is_ok_and(f64::is_finite));
    if numeric {
        ColumnKind::Numeric
    } else {
        ColumnKind::Categorical
    }
}

fn parse_numeric(cells: &[String], column: &str, input: &str) -> Result<Array1<f64>> {
    cells
        .iter()
        .enumerate()
        .map(|(row, c)| {
            if is_missing_token(c) {
                return Ok(f64::NAN);
            }
            match c.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(Error::Parse {
                    input: input.to_string(),
                    message: format!(
                        "column '{column}' row {}: '{c}' is not a number (the column is numeric; \
                         fix the value or read the column as categorical)",
                        row + 1
                    ),
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, o: &ReadOptions) -> Result<Frame> {
        read_csv(text.as_bytes(), "test.csv", o)
    }

    #[test]
    fn infers_kinds_and_missing() {
        let f = read("a,b,c\n1,x,3\nNA,y,\n2.5,,4\n", &ReadOptions::default()).unwrap();
        assert_eq!(f.column("a").unwrap().kind(), ColumnKind::Numeric);
        assert_eq!(f.column("b").unwrap().kind(), ColumnKind::Categorical);
        assert_eq!(f.column("a").unwrap().missing_count(), 1);
        assert_eq!(f.column("b").unwrap().missing_count(), 1);
        assert_eq!(f.column("c").unwrap().missing_count(), 1);
        assert_eq!(f.n_rows(), 3);
    }

    #[test]
    fn overrides_kinds() {
        let o = ReadOptions::with_kinds([("a", ColumnKind::Categorical)]);
        let f = read("a\n1\n2\n", &o).unwrap();
        assert_eq!(f.column("a").unwrap().kind(), ColumnKind::Categorical);
        let o = ReadOptions::with_kinds([("a", ColumnKind::Numeric)]);
        let err = read("a\n1\nx\n", &o).unwrap_err().to_string();
        assert!(err.contains("row 2") && err.contains("'x'"), "{err}");
    }

    #[test]
    fn finds_a_typo_in_a_numeric_column() {
        let f = read("a,b\n1,x\n2,y\nabc,z\n4,w\n", &ReadOptions::default()).unwrap();
        assert_eq!(
            mostly_numeric_column(&f, &[]),
            Some(("a".to_string(), 3, "abc".to_string()))
        );
        assert_eq!(mostly_numeric_column(&f, &["a".to_string()]), None);
    }

    #[test]
    fn rejects_bad_files() {
        assert!(matches!(
            read("", &ReadOptions::default()),
            Err(Error::Empty(_))
        ));
        assert!(matches!(
            read("a,b\n", &ReadOptions::default()),
            Err(Error::Empty(_))
        ));
        let err = read("a,b\n1,2\n3\n", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 2"), "{err}");
        assert!(read("a,a\n1,2\n", &ReadOptions::default()).is_err());
        let o = ReadOptions::with_kinds([("zz", ColumnKind::Numeric)]);
        assert!(read("a\n1\n", &o).is_err());
    }
}
