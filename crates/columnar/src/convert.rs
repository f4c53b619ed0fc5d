//! Arrow record batches to frames, with the kinds the Arrow types give.
//!
//! A [`Converter`] decides once per file what each column becomes (its [`Target`]),
//! from the Arrow type and the kinds forced by [`ReadOptions`]; a [`FrameBuilder`]
//! then takes batches one by one into growing columns. Categorical levels are numbered
//! by first appearance, as the CSV reader numbers them, so a file read whole gives the
//! frame its CSV copy gives.

use std::collections::HashMap;

use arrow::array::{Array, AsArray, PrimitiveArray};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, DecimalType, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, Schema, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use driftwatch_core::frame::format_number_label;
use driftwatch_core::reader::numeric_cell;
use driftwatch_core::{Categorical, Column, ColumnKind, Frame, Projection, ReadOptions};
use ndarray::Array1;

use crate::error::{Error, Result};

/// The largest integer below which every integer is an exact 64-bit float (2^53).
const EXACT_INTEGER: u64 = 1 << 53;

/// What a column becomes in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Numbers (NaN = missing); `timestamp`: seconds since 1970 meaning date-times.
    Number { timestamp: bool },
    /// Labels; `boolean`: the two labels `false`/`true` meaning booleans.
    Labels { boolean: bool },
}

/// The Arrow types by what they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Number,
    Time,
    Text,
    Bool,
    Null,
    Unsupported,
}

fn class(dt: &DataType) -> Class {
    use DataType as D;
    match dt {
        D::Int8
        | D::Int16
        | D::Int32
        | D::Int64
        | D::UInt8
        | D::UInt16
        | D::UInt32
        | D::UInt64
        | D::Float16
        | D::Float32
        | D::Float64
        | D::Decimal32(..)
        | D::Decimal64(..)
        | D::Decimal128(..)
        | D::Decimal256(..) => Class::Number,
        D::Timestamp(..) | D::Date32 | D::Date64 => Class::Time,
        D::Utf8 | D::LargeUtf8 | D::Utf8View => Class::Text,
        D::Boolean => Class::Bool,
        D::Null => Class::Null,
        D::Dictionary(_, values) => class(values),
        _ => Class::Unsupported,
    }
}

fn is_nested_or_binary(dt: &DataType) -> bool {
    use DataType as D;
    match dt {
        D::Dictionary(_, v) => is_nested_or_binary(v),
        D::Binary
        | D::LargeBinary
        | D::BinaryView
        | D::FixedSizeBinary(_)
        | D::List(_)
        | D::LargeList(_)
        | D::ListView(_)
        | D::LargeListView(_)
        | D::FixedSizeList(..)
        | D::Struct(_)
        | D::Map(..)
        | D::Union(..)
        | D::RunEndEncoded(..) => true,
        _ => false,
    }
}

/// pandas' `to_parquet` stores a non-default index as `__index_level_N__` columns:
/// bookkeeping, not data, so a whole-file read leaves them out.
fn is_pandas_index(name: &str) -> bool {
    name.strip_prefix("__index_level_")
        .and_then(|r| r.strip_suffix("__"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// One column to read.
#[derive(Debug, Clone)]
struct Plan {
    name: String,
    target: Target,
}

/// What each column of a file becomes; made once per file from its Arrow schema.
#[derive(Debug, Clone)]
pub(crate) struct Converter {
    path: String,
    plans: Vec<Plan>,
    /// The positions in the file's schema of the columns read, ascending.
    pub(crate) indices: Vec<usize>,
}

impl Converter {
    /// Plans the read of the `columns` of a file with `schema` (all but pandas' index
    /// columns for [`Projection::All`]). Refuses, naming the column: a needed column of
    /// a type driftwatch cannot hold, a missing (for [`Projection::Only`], unless
    /// `options.lenient`) or duplicated column, a boolean forced numeric, and a kind
    /// override naming an absent column (unless `options.lenient`).
    pub(crate) fn new(
        path: &str,
        schema: &Schema,
        options: &ReadOptions,
        columns: Projection<'_>,
    ) -> Result<Self> {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        if names.is_empty() {
            return Err(driftwatch_core::Error::Empty(format!("{path} (no columns)")).into());
        }
        let missing = |column: &str, context: String| -> Error {
            driftwatch_core::Error::MissingColumn {
                column: column.to_string(),
                context,
                available: names.join(", "),
            }
            .into()
        };
        for forced in options.numeric.iter().chain(&options.categorical) {
            if !names.contains(&forced.as_str()) && !options.lenient {
                return Err(missing(
                    forced,
                    format!(" in {path} (asked for by a column-kind override)"),
                ));
            }
        }
        let mut indices: Vec<usize> = match columns {
            Projection::All => (0..names.len())
                .filter(|&i| !is_pandas_index(names[i]))
                .collect(),
            Projection::Only(wanted) | Projection::Present(wanted) => {
                let absent_ok = options.lenient || matches!(columns, Projection::Present(_));
                let mut out = Vec::new();
                for w in wanted {
                    match names.iter().position(|n| n == w) {
                        Some(i) => out.push(i),
                        None if absent_ok => {}
                        None => return Err(missing(w, format!(" in {path}"))),
                    }
                }
                out
            }
        };
        indices.sort_unstable();
        indices.dedup();
        let format_error = |message: String| Error::Format {
            path: path.to_string(),
            message,
        };
        let mut plans = Vec::with_capacity(indices.len());
        for &i in &indices {
            let name = names[i];
            if name.is_empty() {
                return Err(format_error(
                    "a column has an empty name; name it in the file".to_string(),
                ));
            }
            if names.iter().filter(|n| **n == name).count() > 1 {
                return Err(format_error(format!(
                    "column '{name}' appears twice; rename one of them in the file"
                )));
            }
            let dt = schema.field(i).data_type();
            let forced_categorical = options.categorical.iter().any(|c| c == name);
            let forced_numeric = !forced_categorical && options.numeric.iter().any(|c| c == name);
            let target = match class(dt) {
                Class::Number | Class::Null if forced_categorical => {
                    Target::Labels { boolean: false }
                }
                Class::Number | Class::Null => Target::Number { timestamp: false },
                Class::Time if forced_categorical => Target::Labels { boolean: false },
                Class::Time => Target::Number { timestamp: true },
                Class::Text if forced_numeric => Target::Number { timestamp: false },
                Class::Text => Target::Labels { boolean: false },
                Class::Bool if forced_numeric => {
                    return Err(format_error(format!(
                        "column '{name}' is boolean, but it is read as numeric here (a \
                         column-kind override or the model's schema); booleans read as the \
                         categories false/true"
                    )));
                }
                Class::Bool => Target::Labels { boolean: true },
                Class::Unsupported => {
                    let hint = if is_nested_or_binary(dt) {
                        "it reads numbers, strings, booleans, dates and timestamps, not nested \
                         or binary values; leave the column out (list the columns to read where \
                         the command takes --columns, or drop it from the file) or flatten it \
                         into plain columns"
                    } else {
                        "it reads numbers, strings, booleans, dates and timestamps; cast the \
                         column to one of those (durations and times of day to numbers) or \
                         leave it out"
                    };
                    return Err(Error::Unsupported {
                        path: path.to_string(),
                        column: name.to_string(),
                        data_type: dt.to_string(),
                        hint: hint.to_string(),
                    });
                }
            };
            plans.push(Plan {
                name: name.to_string(),
                target,
            });
        }
        Ok(Converter {
            path: path.to_string(),
            plans,
            indices,
        })
    }

    /// The columns read, in file order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.plans.iter().map(|p| p.name.clone()).collect()
    }

    /// An empty frame builder for these columns.
    pub(crate) fn builder(&self) -> FrameBuilder<'_> {
        FrameBuilder {
            converter: self,
            columns: self
                .plans
                .iter()
                .map(|p| match p.target {
                    Target::Number { .. } => Builder::Numbers(Vec::new()),
                    Target::Labels { .. } => Builder::Labels(Labels::default()),
                })
                .collect(),
            rows: 0,
        }
    }
}

/// Categories by first appearance.
#[derive(Debug, Default)]
struct Labels {
    codes: Vec<Option<u32>>,
    levels: Vec<String>,
    index: HashMap<String, u32>,
}

impl Labels {
    fn code(&mut self, label: &str) -> u32 {
        if let Some(&c) = self.index.get(label) {
            return c;
        }
        let c = self.levels.len() as u32;
        self.levels.push(label.to_string());
        self.index.insert(label.to_string(), c);
        c
    }

    fn push(&mut self, label: Option<&str>) {
        let code = label.map(|l| self.code(l));
        self.codes.push(code);
    }
}

#[derive(Debug)]
enum Builder {
    Numbers(Vec<f64>),
    Labels(Labels),
}

/// Where a value is, for messages.
struct At<'a> {
    path: &'a str,
    column: &'a str,
    /// Data rows before this batch.
    row0: usize,
}

impl At<'_> {
    fn value_error(&self, i: usize, message: String) -> Error {
        Error::Value {
            path: self.path.to_string(),
            column: self.column.to_string(),
            row: self.row0 + i + 1,
            message,
        }
    }

    fn internal(&self, dt: &DataType) -> Error {
        Error::Format {
            path: self.path.to_string(),
            message: format!(
                "column '{}' decoded as {dt}, which its schema did not announce",
                self.column
            ),
        }
    }
}

/// Growing columns that batches are appended to; [`FrameBuilder::finish`] gives the
/// frame.
pub(crate) struct FrameBuilder<'a> {
    converter: &'a Converter,
    columns: Vec<Builder>,
    rows: usize,
}

impl FrameBuilder<'_> {
    /// Appends a batch (the converter's columns, in order) whose first row is data row
    /// `row0 + 1` of the file.
    pub(crate) fn append(&mut self, batch: &RecordBatch, row0: usize) -> Result<()> {
        let c = self.converter;
        if batch.num_columns() != c.plans.len() {
            return Err(Error::Format {
                path: c.path.clone(),
                message: format!(
                    "a batch has {} columns where {} were asked for",
                    batch.num_columns(),
                    c.plans.len()
                ),
            });
        }
        for ((plan, builder), array) in c.plans.iter().zip(&mut self.columns).zip(batch.columns()) {
            let at = At {
                path: &c.path,
                column: &plan.name,
                row0,
            };
            match builder {
                Builder::Numbers(out) => numbers(out, array.as_ref(), &at)?,
                Builder::Labels(out) => labels(out, array.as_ref(), &at)?,
            }
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    /// Rows appended so far.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The frame, with booleans and timestamps marked as such.
    pub(crate) fn finish(self) -> Result<Frame> {
        let mut frame = Frame::default();
        for (plan, builder) in self.converter.plans.iter().zip(self.columns) {
            let column = match builder {
                Builder::Numbers(v) => Column::Numeric(Array1::from(v)),
                Builder::Labels(l) => Column::Categorical(Categorical {
                    codes: l.codes,
                    levels: l.levels,
                }),
            };
            frame.push(plan.name.clone(), column)?;
            match plan.target {
                Target::Number { timestamp: true } => {
                    frame.set_kind(&plan.name, ColumnKind::Timestamp)?;
                }
                Target::Labels { boolean: true } => {
                    frame.set_kind(&plan.name, ColumnKind::Boolean)?;
                }
                _ => {}
            }
        }
        Ok(frame)
    }
}

/// The driftwatch kind an Arrow type becomes when read (`None`: a type driftwatch
/// cannot hold): the rule of [`column_of_array`] and of whole-file reads.
#[must_use]
pub fn kind_of(data_type: &DataType) -> Option<ColumnKind> {
    match class(data_type) {
        Class::Number | Class::Null => Some(ColumnKind::Numeric),
        Class::Time => Some(ColumnKind::Timestamp),
        Class::Text => Some(ColumnKind::Categorical),
        Class::Bool => Some(ColumnKind::Boolean),
        Class::Unsupported => None,
    }
}

/// One Arrow array as the driftwatch column a file's column of its type becomes (the
/// same conversion as [`read_table`](crate::read_table): integers beyond 2^53 refused,
/// timestamps as seconds since 1970 UTC, booleans as `false`/`true`), with its kind.
/// For engines that hand over arrays one column at a time (DataFusion aggregates);
/// `source` and `name` name the data in messages, `row0` the rows before this array.
///
/// # Errors
/// A type driftwatch cannot hold, or a value it cannot hold exactly.
pub fn column_of_array(
    source: &str,
    name: &str,
    array: &arrow::array::ArrayRef,
    row0: usize,
) -> Result<(Column, ColumnKind)> {
    let field = arrow::datatypes::Field::new(name, array.data_type().clone(), true);
    let schema = std::sync::Arc::new(Schema::new(vec![field]));
    let batch =
        RecordBatch::try_new(schema.clone(), vec![array.clone()]).map_err(|e| Error::Format {
            path: source.to_string(),
            message: format!("column '{name}': {e}"),
        })?;
    let converter = Converter::new(
        source,
        &schema,
        &ReadOptions::default(),
        driftwatch_core::Projection::Only(&[name.to_string()]),
    )?;
    let mut builder = converter.builder();
    builder.append(&batch, row0)?;
    let frame = builder.finish()?;
    let kind = frame.kind(name)?;
    let column = frame.column(name)?.clone();
    Ok((column, kind))
}

/// The strings of a text array, or `None` when it is not one.
fn texts(array: &dyn Array) -> Option<Box<dyn Iterator<Item = Option<&str>> + '_>> {
    Some(match array.data_type() {
        DataType::Utf8 => Box::new(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => Box::new(array.as_string::<i64>().iter()),
        DataType::Utf8View => Box::new(array.as_string_view().iter()),
        _ => return None,
    })
}

/// Values of an integer type that always fit a float exactly.
fn small<T>(out: &mut Vec<f64>, a: &PrimitiveArray<T>)
where
    T: arrow::datatypes::ArrowPrimitiveType,
    T::Native: Into<f64>,
{
    out.extend(a.iter().map(|v| v.map_or(f64::NAN, Into::into)));
}

/// The error for an integer a float would round.
fn inexact(at: &At<'_>, i: usize, v: impl std::fmt::Display) -> Error {
    at.value_error(
        i,
        format!(
            "{v} is beyond 2^53, where 64-bit floats stop holding every integer, so it would be \
             rounded; read the column as categorical to keep it exact (e.g. --categorical {}), \
             or cast it to float64 in the file to accept the rounding",
            at.column
        ),
    )
}

/// Seconds since 1970 of `v` units of `per` per second, computed as the CSV reader
/// computes a date-time with a fraction (whole seconds plus the fraction), so both
/// give the same float.
fn seconds(v: i64, per: i64) -> f64 {
    let (whole, fraction) = (v.div_euclid(per), v.rem_euclid(per));
    if fraction == 0 {
        whole as f64
    } else {
        whole as f64 + fraction as f64 / per as f64
    }
}

fn timestamps<T>(out: &mut Vec<f64>, a: &PrimitiveArray<T>, per: i64)
where
    T: arrow::datatypes::ArrowPrimitiveType<Native = i64>,
{
    out.extend(a.iter().map(|v| v.map_or(f64::NAN, |v| seconds(v, per))));
}

fn decimals<T: DecimalType>(out: &mut Vec<f64>, a: &PrimitiveArray<T>, at: &At<'_>) -> Result<()> {
    for i in 0..a.len() {
        if a.is_null(i) {
            out.push(f64::NAN);
            continue;
        }
        // through the decimal text, so the float is the one a CSV of it reads
        let text = a.value_as_string(i);
        let x = text
            .parse::<f64>()
            .map_err(|e| at.value_error(i, format!("decimal {text} is not a number ({e})")))?;
        out.push(x);
    }
    Ok(())
}

/// Appends a numeric column's values (NaN = missing).
fn numbers(out: &mut Vec<f64>, array: &dyn Array, at: &At<'_>) -> Result<()> {
    use DataType as D;
    out.reserve(array.len());
    match array.data_type() {
        D::Dictionary(_, values) => {
            let plain = arrow::compute::cast(array, values)
                .map_err(|e| Error::decode(at.path, "Arrow", e))?;
            return numbers(out, plain.as_ref(), at);
        }
        D::Null => out.extend(std::iter::repeat_n(f64::NAN, array.len())),
        D::Int8 => small(out, array.as_primitive::<Int8Type>()),
        D::Int16 => small(out, array.as_primitive::<Int16Type>()),
        D::Int32 => small(out, array.as_primitive::<Int32Type>()),
        D::UInt8 => small(out, array.as_primitive::<UInt8Type>()),
        D::UInt16 => small(out, array.as_primitive::<UInt16Type>()),
        D::UInt32 => small(out, array.as_primitive::<UInt32Type>()),
        D::Float32 => small(out, array.as_primitive::<Float32Type>()),
        D::Float64 => out.extend(
            array
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.unwrap_or(f64::NAN)),
        ),
        D::Float16 => out.extend(
            array
                .as_primitive::<Float16Type>()
                .iter()
                .map(|v| v.map_or(f64::NAN, |h| h.to_f64())),
        ),
        D::Int64 => {
            for (i, v) in array.as_primitive::<Int64Type>().iter().enumerate() {
                out.push(match v {
                    None => f64::NAN,
                    Some(v) if v.unsigned_abs() > EXACT_INTEGER => {
                        return Err(inexact(at, i, v));
                    }
                    Some(v) => v as f64,
                });
            }
        }
        D::UInt64 => {
            for (i, v) in array.as_primitive::<UInt64Type>().iter().enumerate() {
                out.push(match v {
                    None => f64::NAN,
                    Some(v) if v > EXACT_INTEGER => return Err(inexact(at, i, v)),
                    Some(v) => v as f64,
                });
            }
        }
        D::Decimal32(..) => decimals(
            out,
            array.as_primitive::<arrow::datatypes::Decimal32Type>(),
            at,
        )?,
        D::Decimal64(..) => decimals(
            out,
            array.as_primitive::<arrow::datatypes::Decimal64Type>(),
            at,
        )?,
        D::Decimal128(..) => {
            decimals(
                out,
                array.as_primitive::<arrow::datatypes::Decimal128Type>(),
                at,
            )?;
        }
        D::Decimal256(..) => {
            decimals(
                out,
                array.as_primitive::<arrow::datatypes::Decimal256Type>(),
                at,
            )?;
        }
        D::Timestamp(TimeUnit::Second, _) => {
            timestamps(out, array.as_primitive::<TimestampSecondType>(), 1);
        }
        D::Timestamp(TimeUnit::Millisecond, _) => {
            timestamps(out, array.as_primitive::<TimestampMillisecondType>(), 1_000);
        }
        D::Timestamp(TimeUnit::Microsecond, _) => {
            timestamps(
                out,
                array.as_primitive::<TimestampMicrosecondType>(),
                1_000_000,
            );
        }
        D::Timestamp(TimeUnit::Nanosecond, _) => {
            timestamps(
                out,
                array.as_primitive::<TimestampNanosecondType>(),
                1_000_000_000,
            );
        }
        D::Date32 => out.extend(
            array
                .as_primitive::<Date32Type>()
                .iter()
                .map(|d| d.map_or(f64::NAN, |d| f64::from(d) * 86_400.0)),
        ),
        D::Date64 => out.extend(
            array
                .as_primitive::<Date64Type>()
                .iter()
                .map(|ms| ms.map_or(f64::NAN, |ms| seconds(ms, 1_000))),
        ),
        dt => {
            // text forced numeric: each cell as the CSV reader reads one
            let Some(cells) = texts(array) else {
                return Err(at.internal(dt));
            };
            for (i, cell) in cells.enumerate() {
                let x = match cell {
                    None => f64::NAN,
                    Some(c) => numeric_cell(c.trim()).ok_or_else(|| {
                        at.value_error(
                            i,
                            format!(
                                "'{}' is not a number (the column is numeric; fix the value or \
                                 read the column as categorical)",
                                c.trim()
                            ),
                        )
                    })?,
                };
                out.push(x);
            }
        }
    }
    Ok(())
}

/// A float as a label, as [`Column::to_labels`] writes numbers (`1.0` reads `1`).
fn float_label(x: f64) -> Option<String> {
    (!x.is_nan()).then(|| format_number_label(x))
}

/// Appends a categorical column's labels.
fn labels(out: &mut Labels, array: &dyn Array, at: &At<'_>) -> Result<()> {
    use DataType as D;
    out.codes.reserve(array.len());
    macro_rules! integers {
        ($t:ty) => {
            for v in array.as_primitive::<$t>().iter() {
                out.push(v.map(|v| v.to_string()).as_deref());
            }
        };
    }
    match array.data_type() {
        D::Dictionary(_, values)
            if matches!(values.as_ref(), D::Utf8 | D::LargeUtf8 | D::Utf8View) =>
        {
            let dict = array.as_any_dictionary();
            let strings: Vec<Option<&str>> = texts(dict.values().as_ref())
                .map(Iterator::collect)
                .unwrap_or_default();
            // dictionary entry -> our code, given on first use so that levels keep
            // the order of first appearance in the rows
            let mut code_of: Vec<Option<u32>> = vec![None; strings.len()];
            for (i, k) in dict.normalized_keys().into_iter().enumerate() {
                let label = if array.is_null(i) {
                    None
                } else {
                    strings.get(k).copied().flatten()
                };
                let code = match (label, code_of.get_mut(k)) {
                    (None, _) => None,
                    (Some(_), Some(Some(c))) => Some(*c),
                    (Some(l), slot) => {
                        let c = out.code(l);
                        if let Some(s) = slot {
                            *s = Some(c);
                        }
                        Some(c)
                    }
                };
                out.codes.push(code);
            }
        }
        D::Dictionary(_, values) => {
            let plain = arrow::compute::cast(array, values)
                .map_err(|e| Error::decode(at.path, "Arrow", e))?;
            return labels(out, plain.as_ref(), at);
        }
        D::Null => out.codes.extend(std::iter::repeat_n(None, array.len())),
        D::Boolean => {
            for v in array.as_boolean().iter() {
                out.push(v.map(|b| if b { "true" } else { "false" }));
            }
        }
        D::Int8 => integers!(Int8Type),
        D::Int16 => integers!(Int16Type),
        D::Int32 => integers!(Int32Type),
        D::Int64 => integers!(Int64Type),
        D::UInt8 => integers!(UInt8Type),
        D::UInt16 => integers!(UInt16Type),
        D::UInt32 => integers!(UInt32Type),
        D::UInt64 => integers!(UInt64Type),
        D::Float16 => {
            for v in array.as_primitive::<Float16Type>().iter() {
                out.push(v.and_then(|h| float_label(h.to_f64())).as_deref());
            }
        }
        D::Float32 => {
            for v in array.as_primitive::<Float32Type>().iter() {
                // a float32 written as its own shortest text, not its float64 widening
                let label = v.filter(|x| !x.is_nan()).map(|x| {
                    if x.fract() == 0.0 {
                        format_number_label(f64::from(x))
                    } else {
                        x.to_string()
                    }
                });
                out.push(label.as_deref());
            }
        }
        D::Float64 => {
            for v in array.as_primitive::<Float64Type>().iter() {
                out.push(v.and_then(float_label).as_deref());
            }
        }
        dt if class(dt) == Class::Number || class(dt) == Class::Time => {
            // decimals, dates and timestamps: Arrow's own text (ISO 8601 for times)
            let f = ArrayFormatter::try_new(array, &FormatOptions::default())
                .map_err(|e| Error::decode(at.path, "Arrow", e))?;
            for i in 0..array.len() {
                if array.is_null(i) {
                    out.push(None);
                } else {
                    out.push(Some(&f.value(i).to_string()));
                }
            }
        }
        dt => {
            let Some(cells) = texts(array) else {
                return Err(at.internal(dt));
            };
            for cell in cells {
                out.push(cell);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandas_index_columns_are_recognised() {
        assert!(is_pandas_index("__index_level_0__"));
        assert!(is_pandas_index("__index_level_12__"));
        assert!(!is_pandas_index("__index_level___"));
        assert!(!is_pandas_index("__index_level_x__"));
        assert!(!is_pandas_index("index"));
    }

    #[test]
    fn fractional_seconds_match_the_csv_reader() {
        // the CSV reader gives whole + digits / 10^n
        for (v, per, text) in [
            (1_709_285_400_123_i64, 1_000, "2024-03-01 09:30:00.123"),
            (
                1_709_285_400_123_456,
                1_000_000,
                "2024-03-01 09:30:00.123456",
            ),
            (
                1_709_285_400_123_456_789,
                1_000_000_000,
                "2024-03-01 09:30:00.123456789",
            ),
            (-1_500, 1_000, "1969-12-31 23:59:58.5"),
        ] {
            let csv = driftwatch_core::timestamp::parse_datetime(text);
            assert_eq!(Some(seconds(v, per)), csv, "{text}");
        }
    }

    #[test]
    fn one_array_converts_as_a_file_column_would() {
        use arrow::array::{
            ArrayRef, BooleanArray, DictionaryArray, Int64Array, StringArray,
            TimestampMillisecondArray,
        };
        use std::sync::Arc;
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(3), None, Some(-1)]));
        let (c, k) = column_of_array("t", "x", &ints, 0).unwrap();
        assert_eq!(k, ColumnKind::Numeric);
        let Column::Numeric(v) = c else {
            panic!("not numeric")
        };
        assert_eq!((v[0], v[2]), (3.0, -1.0));
        assert!(v[1].is_nan());
        let big: ArrayRef = Arc::new(Int64Array::from(vec![1, (1_i64 << 53) + 1]));
        let e = column_of_array("t.parquet", "id", &big, 10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.parquet") && e.contains("id") && e.contains("12"),
            "{e}"
        );
        let ts: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![1_500]));
        let (c, k) = column_of_array("t", "ts", &ts, 0).unwrap();
        assert_eq!(
            (k, c.numeric_values().unwrap()[0]),
            (ColumnKind::Timestamp, 1.5)
        );
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)]));
        let (c, k) = column_of_array("t", "b", &b, 0).unwrap();
        assert_eq!(k, ColumnKind::Boolean);
        assert_eq!(
            c.to_labels(),
            vec![Some("true".to_string()), None, Some("false".to_string())]
        );
        let d: DictionaryArray<arrow::datatypes::Int8Type> =
            vec!["u", "v", "u"].into_iter().collect();
        let d: ArrayRef = Arc::new(d);
        let (c, k) = column_of_array("t", "c", &d, 0).unwrap();
        assert_eq!(k, ColumnKind::Categorical);
        assert_eq!(c.to_labels()[2].as_deref(), Some("u"));
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("NA"), None]));
        let (c, _) = column_of_array("t", "s", &s, 0).unwrap();
        assert_eq!(c.to_labels(), vec![Some("NA".to_string()), None]);
        assert_eq!(kind_of(&arrow::datatypes::DataType::Binary), None);
    }
}
