//! Row validation: which rows of the current data the model may see, and how many
//! were left out before each kept row (what the `schema_violations` monitor counts).

use driftwatch_core::Frame;

use crate::error::{Error, Result};

/// Rows that passed validation, and what was wrong with the others.
#[derive(Debug)]
pub struct Validated {
    /// The valid rows, with the schema's column kinds.
    pub frame: Frame,
    /// Their 0-based indices in the input.
    pub kept: Vec<usize>,
    /// Every row-level violation (the rows that were skipped).
    pub violations: Vec<driftwatch_core::Violation>,
}

/// Checks `data` against `schema`: a problem with a whole column (missing, wrong kind)
/// is an error; rows that break a rule are left out and listed in `violations`.
pub fn validate_rows(
    schema: &driftwatch_core::Schema,
    data: &Frame,
    input: &str,
) -> Result<Validated> {
    let violations = schema.validate(data);
    let whole: Vec<String> = violations
        .iter()
        .filter(|v| v.row.is_none())
        .map(ToString::to_string)
        .collect();
    if !whole.is_empty() {
        return Err(Error::Schema {
            input: input.to_string(),
            problems: whole.join("; "),
        });
    }
    let bad = driftwatch_core::Schema::invalid_rows(&violations);
    let kept: Vec<usize> = (0..data.n_rows()).filter(|r| !bad.contains(r)).collect();
    let frame = data
        .take_rows(&kept)
        .and_then(|rows| schema.conform(&rows))
        .map_err(Error::core(format!(
            "conforming {input} to the model's schema"
        )))?;
    Ok(Validated {
        frame,
        kept,
        violations,
    })
}

/// Per kept row, how many rejected input rows came just before it (the last kept row
/// also takes those after it): [`driftwatch_core::Window::rejected`].
pub fn rejected_before(kept: &[usize], n_input: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(kept.len());
    let mut next = 0;
    for &row in kept {
        out.push(u32::try_from(row.saturating_sub(next)).unwrap_or(u32::MAX));
        next = row + 1;
    }
    if let Some(last) = out.last_mut() {
        *last =
            last.saturating_add(u32::try_from(n_input.saturating_sub(next)).unwrap_or(u32::MAX));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, Schema, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn validate_rows_skips_bad_rows_and_refuses_missing_columns() {
        let mut schema = Schema::infer(&frame("t,s\n150,a\n"));
        schema.set_range("t", Some(100.0), Some(300.0)).unwrap();
        let v = validate_rows(&schema, &frame("t,s\n150,a\n999,b\nhot,c\n"), "in.csv").unwrap();
        assert_eq!(v.kept, [0]);
        assert_eq!(v.violations.len(), 2);
        assert_eq!(
            v.frame.column("t").unwrap().kind(),
            driftwatch_core::ColumnKind::Numeric
        );
        let err = validate_rows(&schema, &frame("s\na\n"), "in.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("in.csv") && err.contains("'t'"), "{err}");
    }

    #[test]
    fn rejected_rows_are_counted_before_the_next_kept_row() {
        // Input rows 0..7; rows 1, 2 and 6 rejected.
        assert_eq!(rejected_before(&[0, 3, 4, 5], 7), [0, 2, 0, 1]);
        assert_eq!(rejected_before(&[], 3), Vec::<u32>::new());
    }
}
