//! What valid input looks like: column names, kinds, ranges, allowed levels.
//!
//! A schema is inferred from the training data, stored in the model bundle and checked
//! against every batch the model sees. [`Schema::validate`] reports every problem at once.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::{Column, ColumnKind, Frame};

/// The rules for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// Numeric or categorical.
    pub kind: ColumnKind,
    /// Whether the column must be present.
    #[serde(default = "yes")]
    pub required: bool,
    /// Whether missing values are allowed.
    #[serde(default = "yes")]
    pub nullable: bool,
    /// Smallest allowed value (numeric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed value (numeric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Allowed levels (categorical); `None` accepts any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<String>>,
    /// What the training data held (informational, never enforced): min and max of a
    /// numeric column, or its levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
}

/// The values a column held in the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Observed {
    /// Smallest and largest value.
    Range {
        /// Minimum.
        min: f64,
        /// Maximum.
        max: f64,
    },
    /// Distinct levels, sorted.
    Levels(Vec<String>),
}

fn yes() -> bool {
    true
}

/// A list of column rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Schema {
    /// The columns, in the training data's order.
    pub columns: Vec<ColumnSchema>,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The column.
    pub column: String,
    /// 1-based data row, or `None` when the problem is the whole column.
    pub row: Option<usize>,
    /// The offending value as text.
    pub value: String,
    /// The rule, e.g. `required`, `min 100`, `kind numeric`.
    pub rule: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(r) => write!(
                f,
                "row {r}, column '{}': value '{}' breaks rule '{}'",
                self.column, self.value, self.rule
            ),
            None => write!(f, "column '{}': {}", self.column, self.rule),
        }
    }
}

impl Schema {
    /// Read options for data checked against this schema: its categorical columns stay
    /// categorical even when their values look like numbers, and cells that do not
    /// parse are kept for validation to report (lenient) rather than failing the read.
    pub fn read_options(&self) -> crate::reader::ReadOptions {
        crate::reader::ReadOptions {
            categorical: self
                .columns
                .iter()
                .filter(|c| c.kind == ColumnKind::Categorical)
                .map(|c| c.name.clone())
                .collect(),
            lenient: true,
            ..Default::default()
        }
    }

    /// Infers a schema: every column required with its kind, missing values allowed only
    /// where the data had some. Observed ranges and levels are recorded but not enforced:
    /// production data legitimately goes beyond a training sample, so enforced ranges
    /// and level sets are set explicitly ([`Schema::set_range`], `--range`, a schema file).
    pub fn infer(frame: &Frame) -> Schema {
        let columns = frame
            .iter()
            .map(|(name, col)| {
                let nullable = col.missing_count() > 0;
                match col {
                    Column::Numeric(v) => {
                        let (min, max) = v
                            .iter()
                            .filter(|x| !x.is_nan())
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                                (lo.min(x), hi.max(x))
                            });
                        ColumnSchema {
                            name: name.to_string(),
                            kind: ColumnKind::Numeric,
                            required: true,
                            nullable,
                            min: None,
                            max: None,
                            levels: None,
                            observed: (min <= max).then_some(Observed::Range { min, max }),
                        }
                    }
                    Column::Categorical(c) => {
                        let used: BTreeSet<&str> = c.labels().flatten().collect();
                        ColumnSchema {
                            name: name.to_string(),
                            kind: ColumnKind::Categorical,
                            required: true,
                            nullable,
                            min: None,
                            max: None,
                            levels: None,
                            observed: Some(Observed::Levels(
                                used.into_iter().map(str::to_string).collect(),
                            )),
                        }
                    }
                }
            })
            .collect();
        Schema { columns }
    }

    /// The rule for a column.
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Names of the columns in order.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Sets or replaces a column's range (used by configs such as temperature 100..300).
    pub fn set_range(&mut self, name: &str, min: Option<f64>, max: Option<f64>) -> Result<()> {
        let available = self.names().join(", ");
        let col = self
            .columns
            .iter_mut()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::MissingColumn {
                column: name.to_string(),
                context: " in the schema".into(),
                available,
            })?;
        col.min = min;
        col.max = max;
        Ok(())
    }

    /// Sets the allowed levels of a categorical column.
    pub fn set_levels<S: AsRef<str>>(&mut self, name: &str, levels: &[S]) -> Result<()> {
        let available = self.names().join(", ");
        let col = self
            .columns
            .iter_mut()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::MissingColumn {
                column: name.to_string(),
                context: " in the schema".into(),
                available,
            })?;
        col.levels = Some(levels.iter().map(|l| l.as_ref().to_string()).collect());
        Ok(())
    }

    /// Checks a frame and returns every violation (empty when the frame is valid).
    pub fn validate(&self, frame: &Frame) -> Vec<Violation> {
        let mut out = Vec::new();
        for rule in &self.columns {
            let Ok(col) = frame.column(&rule.name) else {
                if rule.required {
                    out.push(Violation {
                        column: rule.name.clone(),
                        row: None,
                        value: String::new(),
                        rule: "required column is missing".into(),
                    });
                }
                continue;
            };
            let kind = rule.kind.storage();
            if kind == ColumnKind::Numeric && col.kind() == ColumnKind::Categorical {
                // Report each non-number with its row, so the user can fix the data.
                // The numbers among them still answer to the range rules.
                for (row, label) in col.to_labels().into_iter().enumerate() {
                    let broken = match &label {
                        None => (!rule.nullable).then(|| "not null".to_string()),
                        Some(l) => match l.parse::<f64>() {
                            Err(_) => Some("kind numeric".to_string()),
                            Ok(x) => range_rule(rule, x),
                        },
                    };
                    if let Some(rule_text) = broken {
                        out.push(Violation {
                            column: rule.name.clone(),
                            row: Some(row + 1),
                            value: label.unwrap_or_default(),
                            rule: rule_text,
                        });
                    }
                }
                continue;
            }
            if col.kind() != kind {
                out.push(Violation {
                    column: rule.name.clone(),
                    row: None,
                    value: String::new(),
                    rule: format!(
                        "kind {} expected, found {}",
                        rule.kind.as_str(),
                        col.kind().as_str()
                    ),
                });
                continue;
            }
            for row in 0..col.len() {
                if let Some(rule_text) = broken_rule(rule, col, row) {
                    out.push(Violation {
                        column: rule.name.clone(),
                        row: Some(row + 1),
                        value: col.display_value(row),
                        rule: rule_text,
                    });
                }
            }
        }
        out
    }

    /// Gives each schema column of `frame` its schema kind: a numeric column that was read
    /// as categorical (because some cell was not a number) is parsed back to numbers, so
    /// that once the invalid rows are dropped the model gets what it was trained on.
    /// A label that is still not a number is an error naming its row.
    pub fn conform(&self, frame: &Frame) -> Result<Frame> {
        let mut out = Frame::default();
        for (name, col) in frame.iter() {
            let want = self.column(name).map(|c| c.kind.storage());
            let col = match (want, col) {
                (Some(ColumnKind::Numeric), Column::Categorical(c)) => {
                    let mut values = Vec::with_capacity(c.codes.len());
                    for (row, label) in c.labels().enumerate() {
                        values.push(match label {
                            None => f64::NAN,
                            Some(l) => l.parse::<f64>().map_err(|_| {
                                Error::InvalidValue(format!(
                                    "column '{name}' row {}: '{l}' is not a number",
                                    row + 1
                                ))
                            })?,
                        });
                    }
                    Column::Numeric(values.into())
                }
                (Some(ColumnKind::Categorical), Column::Numeric(_)) => {
                    Column::Categorical(crate::frame::Categorical::from_labels(col.to_labels()))
                }
                (Some(ColumnKind::Categorical), Column::Categorical(c)) => {
                    match self.column(name).and_then(boolean_spellings) {
                        Some(spelling) => Column::Categorical(respell_booleans(c, &spelling)),
                        None => col.clone(),
                    }
                }
                _ => col.clone(),
            };
            out.push(name, col)?;
            // A boolean or timestamp column keeps its meaning when its storage did not
            // change; a column parsed to another storage has none (the error says so).
            if let Ok(kind) = frame.kind(name) {
                let _kept = out.set_kind(name, kind).is_ok();
            }
        }
        Ok(out)
    }

    /// The rows (0-based) that have at least one violation.
    pub fn invalid_rows(violations: &[Violation]) -> BTreeSet<usize> {
        violations
            .iter()
            .filter_map(|v| v.row.map(|r| r - 1))
            .collect()
    }

    /// The schema as a JSON Schema (draft 2020-12) for one row object.
    pub fn to_json_schema(&self) -> serde_json::Value {
        let mut props = serde_json::Map::new();
        for c in &self.columns {
            let mut p = serde_json::Map::new();
            match c.kind {
                ColumnKind::Numeric => {
                    p.insert(
                        "type".into(),
                        if c.nullable {
                            serde_json::json!(["number", "null"])
                        } else {
                            serde_json::json!("number")
                        },
                    );
                    if let Some(m) = c.min {
                        p.insert("minimum".into(), serde_json::json!(m));
                    }
                    if let Some(m) = c.max {
                        p.insert("maximum".into(), serde_json::json!(m));
                    }
                }
                ColumnKind::Boolean => {
                    let t = if c.nullable {
                        serde_json::json!(["boolean", "null"])
                    } else {
                        serde_json::json!("boolean")
                    };
                    p.insert("type".into(), t);
                }
                ColumnKind::Categorical | ColumnKind::Timestamp => {
                    p.insert(
                        "type".into(),
                        if c.nullable {
                            serde_json::json!(["string", "null"])
                        } else {
                            serde_json::json!("string")
                        },
                    );
                    if c.kind == ColumnKind::Timestamp {
                        p.insert("format".into(), serde_json::json!("date-time"));
                    }
                    if let Some(levels) = &c.levels {
                        let mut e: Vec<serde_json::Value> =
                            levels.iter().map(|l| serde_json::json!(l)).collect();
                        if c.nullable {
                            e.push(serde_json::Value::Null);
                        }
                        p.insert("enum".into(), serde_json::Value::Array(e));
                    }
                }
            }
            props.insert(c.name.clone(), serde_json::Value::Object(p));
        }
        let required: Vec<&str> = self
            .columns
            .iter()
            .filter(|c| c.required)
            .map(|c| c.name.as_str())
            .collect();
        serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "driftwatch input row",
            "type": "object",
            "properties": props,
            "required": required,
        })
    }
}

/// How a categorical column's training levels spell `false` and `true`, when they are
/// booleans (bundles trained before booleans were read as `false`/`true` may hold
/// `False`/`True`).
fn boolean_spellings(rule: &ColumnSchema) -> Option<[Option<String>; 2]> {
    let levels = match (&rule.levels, &rule.observed) {
        (Some(l), _) | (None, Some(Observed::Levels(l))) => l,
        _ => return None,
    };
    let mut out = [None, None];
    for l in levels {
        let slot = if l.eq_ignore_ascii_case("false") {
            0
        } else if l.eq_ignore_ascii_case("true") {
            1
        } else {
            return None;
        };
        out[slot] = Some(l.clone());
    }
    Some(out)
}

/// Boolean labels in the schema's spelling; other labels unchanged.
fn respell_booleans(
    c: &crate::frame::Categorical,
    spelling: &[Option<String>; 2],
) -> crate::frame::Categorical {
    let mut out = c.clone();
    for level in &mut out.levels {
        let slot = if level.eq_ignore_ascii_case("false") {
            0
        } else if level.eq_ignore_ascii_case("true") {
            1
        } else {
            continue;
        };
        if let Some(s) = &spelling[slot] {
            level.clone_from(s);
        }
    }
    out
}

/// The range rule a number breaks, if any. Infinite values break every numeric
/// column's rule: no model can use them.
fn range_rule(rule: &ColumnSchema, x: f64) -> Option<String> {
    if x.is_infinite() {
        return Some("a finite number".to_string());
    }
    if let Some(min) = rule.min.filter(|&m| x < m) {
        return Some(format!("min {min}"));
    }
    if let Some(max) = rule.max.filter(|&m| x > m) {
        return Some(format!("max {max}"));
    }
    None
}

fn broken_rule(rule: &ColumnSchema, col: &Column, row: usize) -> Option<String> {
    if col.is_missing(row) {
        return (!rule.nullable).then(|| "not null".to_string());
    }
    match col {
        Column::Numeric(v) => range_rule(rule, v[row]),
        Column::Categorical(c) => {
            let label = c.label(row)?;
            let levels = rule.levels.as_ref()?;
            (!levels.iter().any(|l| l == label)).then(|| format!("one of [{}]", levels.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{ReadOptions, read_csv};

    fn frame(text: &str) -> Frame {
        read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn read_options_keep_categorical_columns_that_look_numeric() {
        let schema = Schema::infer(&frame("grade,x\na,1.5\nb,2.5\n"));
        let o = schema.read_options();
        assert_eq!(o.categorical, vec!["grade".to_string()]);
        assert!(o.lenient);
        // Codes that look like numbers stay categorical when read for this schema.
        let f = read_csv("grade,x\n1,0.5\n".as_bytes(), "cur.csv", &o).unwrap();
        assert!(matches!(f.column("grade").unwrap(), Column::Categorical(_)));
    }

    #[test]
    fn inferred_schema_accepts_its_own_data() {
        let f = frame("t,s\n150,a\n250,b\n");
        let s = Schema::infer(&f);
        assert!(s.validate(&f).is_empty());
        assert_eq!(
            s.column("t").unwrap().observed,
            Some(Observed::Range {
                min: 150.0,
                max: 250.0
            })
        );
        assert_eq!(
            s.column("t").unwrap().min,
            None,
            "observed ranges are not enforced"
        );
    }

    #[test]
    fn infinite_numbers_are_violations_naming_their_row() {
        let s = Schema::infer(&frame("t,u\n150,a\n250,b\n"));
        let v = s.validate(&frame("t,u\n1,a\n1e400,b\n-inf,a\n"));
        let rows: Vec<(Option<usize>, &str)> = v.iter().map(|v| (v.row, v.rule.as_str())).collect();
        assert_eq!(
            rows,
            [(Some(2), "a finite number"), (Some(3), "a finite number")]
        );
        assert_eq!(v[0].value, "inf");
    }

    #[test]
    fn conform_speaks_the_bundles_boolean_spelling() {
        // a schema from before booleans were read as false/true
        let old = Schema::infer(
            &Frame::new(vec![(
                "b".into(),
                Column::Categorical(crate::frame::Categorical::from_labels([
                    Some("True"),
                    Some("False"),
                ])),
            )])
            .unwrap(),
        );
        let f = frame("b\ntrue\nFALSE\nNA\n");
        let c = old.conform(&f).unwrap();
        assert_eq!(
            c.column("b").unwrap().to_labels(),
            [Some("True".into()), Some("False".into()), None]
        );
        // a schema learnt from today's reader keeps false/true
        let new = Schema::infer(&frame("b\nTRUE\nfalse\n"));
        let c = new.conform(&f).unwrap();
        assert_eq!(c.column("b").unwrap().to_labels()[0], Some("true".into()));
        assert_eq!(c.kind("b").unwrap(), ColumnKind::Boolean);
    }

    #[test]
    fn reports_every_problem_with_row_and_rule() {
        let mut s = Schema::infer(&frame("temperature,shift,x\n150,day,1\n250,night,2\n"));
        s.set_range("temperature", Some(100.0), Some(300.0))
            .unwrap();
        s.set_levels("shift", &["day", "night"]).unwrap();
        let bad = frame("temperature,shift\n350,day\n,evening\n50,night\n");
        let v = s.validate(&bad);
        let text: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(v.len(), 5, "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("row 1") && t.contains("max 300"))
        );
        assert!(
            text.iter()
                .any(|t| t.contains("row 2") && t.contains("not null"))
        );
        assert!(
            text.iter()
                .any(|t| t.contains("row 2") && t.contains("evening"))
        );
        assert!(
            text.iter()
                .any(|t| t.contains("row 3") && t.contains("min 100"))
        );
        assert!(
            text.iter()
                .any(|t| t.contains("'x'") && t.contains("required"))
        );
        assert_eq!(
            Schema::invalid_rows(&v).into_iter().collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn json_schema_lists_required_and_ranges() {
        let s = Schema::infer(&frame("t,s\n1,a\n2,b\n"));
        let j = s.to_json_schema();
        assert_eq!(j["required"], serde_json::json!(["t", "s"]));
        assert_eq!(j["properties"]["t"]["type"], serde_json::json!("number"));
        let mut s = s;
        s.set_range("t", Some(1.0), None).unwrap();
        s.set_levels("s", &["a", "b"]).unwrap();
        let j = s.to_json_schema();
        assert_eq!(j["properties"]["t"]["minimum"], serde_json::json!(1.0));
        assert_eq!(j["properties"]["s"]["enum"], serde_json::json!(["a", "b"]));
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;
    use crate::reader::{ReadOptions, read_csv};

    fn frame(text: &str) -> Frame {
        read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn conform_restores_numeric_kinds_after_bad_rows_are_dropped() {
        let s = Schema::infer(&frame("t\n150\n"));
        let data = frame("t\n150\nhot\n");
        assert!(s.conform(&data).is_err());
        let ok = s.conform(&data.take_rows(&[0]).unwrap()).unwrap();
        assert_eq!(ok.column("t").unwrap().kind(), ColumnKind::Numeric);
    }

    #[test]
    fn non_numbers_in_a_numeric_column_are_reported_by_row() {
        let s = Schema::infer(&frame("t\n150\n"));
        let v = s.validate(&frame("t\n150\nhot\n"));
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].row, v[0].value.as_str(), v[0].rule.as_str()),
            (Some(2), "hot", "kind numeric")
        );
    }
}
