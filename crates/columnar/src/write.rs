//! Frames as Arrow record batches, Parquet and Arrow IPC files: the inverse of the
//! reader, so a written file reads back to the same frame.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, RecordBatchOptions, StringArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{Field, Schema};
use driftwatch_core::{Column, ColumnKind, Frame};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};

/// The format of an output file, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Comma-separated text (any name not below).
    Csv,
    /// `.parquet` or `.pq`.
    Parquet,
    /// `.arrow`, `.ipc` or `.feather`: the Arrow IPC file format (Feather v2).
    Arrow,
}

impl OutputFormat {
    /// The format a file name asks for; CSV unless the extension names another.
    #[must_use]
    pub fn from_path(path: &Path) -> OutputFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("parquet" | "pq") => OutputFormat::Parquet,
            Some("arrow" | "ipc" | "feather") => OutputFormat::Arrow,
            _ => OutputFormat::Csv,
        }
    }
}

/// Seconds since 1970 as whole microseconds (whole seconds and the rounded fraction
/// apart, so the reader's whole + fraction / 10^6 gives the same float back).
fn micros(x: f64) -> Option<i64> {
    if !x.is_finite() {
        return None;
    }
    let whole = x.floor();
    let fraction = ((x - whole) * 1e6).round() as i64;
    if whole.abs() > 9.2e12 {
        return None;
    }
    (whole as i64).checked_mul(1_000_000)?.checked_add(fraction)
}

/// Whether `x` is an integer an int64 holds and gives back exactly (not -0.0).
fn is_whole(x: f64) -> bool {
    x.fract() == 0.0 && x.abs() <= (1u64 << 53) as f64 && !(x == 0.0 && x.is_sign_negative())
}

/// A frame as one record batch: numeric columns as float64 (NaN as null; int64 when
/// every value is a whole number up to 2^53), timestamps
/// as UTC microseconds, booleans as booleans, other categorical columns as strings;
/// every field nullable. `output` names the destination in errors.
pub fn to_record_batch(frame: &Frame, output: &str) -> Result<RecordBatch> {
    let mut fields = Vec::with_capacity(frame.n_cols());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(frame.n_cols());
    for (name, column) in frame.iter() {
        let kind = frame.kind(name)?;
        let array: ArrayRef = match (column, kind) {
            // microseconds in UTC, the unit pandas and Spark agree on: every date-time
            // the CSV reader parses, to the microsecond
            (Column::Numeric(v), ColumnKind::Timestamp) => {
                let mut out = Vec::with_capacity(v.len());
                for (row, &x) in v.iter().enumerate() {
                    if x.is_nan() {
                        out.push(None);
                        continue;
                    }
                    let us = micros(x).ok_or_else(|| Error::Write {
                        path: output.to_string(),
                        message: format!(
                            "column '{name}' row {}: {x} seconds is not a date-time Arrow can hold",
                            row + 1
                        ),
                    })?;
                    out.push(Some(us));
                }
                Arc::new(TimestampMicrosecondArray::from(out).with_timezone("UTC"))
            }
            // whole numbers (row numbers, counts, codes) as int64, which reads back as
            // the same floats and as the same labels when forced categorical
            (Column::Numeric(v), _) if v.iter().all(|&x| x.is_nan() || is_whole(x)) => Arc::new(
                Int64Array::from_iter(v.iter().map(|&x| (!x.is_nan()).then_some(x as i64))),
            ),
            (Column::Numeric(v), _) => Arc::new(Float64Array::from_iter(
                v.iter().map(|&x| (!x.is_nan()).then_some(x)),
            )),
            (Column::Categorical(c), ColumnKind::Boolean) => {
                let mut out = Vec::with_capacity(c.codes.len());
                for (row, label) in c.labels().enumerate() {
                    out.push(match label {
                        None => None,
                        Some("true") => Some(true),
                        Some("false") => Some(false),
                        Some(other) => {
                            return Err(Error::Write {
                                path: output.to_string(),
                                message: format!(
                                    "column '{name}' row {}: '{other}' in a boolean column",
                                    row + 1
                                ),
                            });
                        }
                    });
                }
                Arc::new(BooleanArray::from(out))
            }
            (Column::Categorical(c), _) => Arc::new(StringArray::from_iter(c.labels())),
        };
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let options = RecordBatchOptions::new().with_row_count(Some(frame.n_rows()));
    RecordBatch::try_new_with_options(schema, arrays, &options).map_err(|e| Error::Write {
        path: output.to_string(),
        message: e.to_string(),
    })
}

fn write_error(output: &str, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: output.to_string(),
        message: e.to_string(),
    }
}

/// Writes `frame` as Parquet (Snappy, the codec pandas and Spark default to); see
/// [`to_record_batch`] for the types. `output` names the destination in errors.
pub fn write_parquet<W: Write + Send>(frame: &Frame, writer: W, output: &str) -> Result<()> {
    let batch = to_record_batch(frame, output)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(writer, batch.schema(), Some(props))
        .map_err(|e| write_error(output, e))?;
    w.write(&batch).map_err(|e| write_error(output, e))?;
    w.close().map_err(|e| write_error(output, e))?;
    Ok(())
}

/// Writes `frame` as an Arrow IPC file (Feather v2).
pub fn write_ipc<W: Write>(frame: &Frame, writer: W, output: &str) -> Result<()> {
    let batch = to_record_batch(frame, output)?;
    let mut w = arrow::ipc::writer::FileWriter::try_new(writer, &batch.schema())
        .map_err(|e| write_error(output, e))?;
    w.write(&batch).map_err(|e| write_error(output, e))?;
    w.finish().map_err(|e| write_error(output, e))?;
    Ok(())
}

/// Writes `frame` to `path` in the format its name asks for ([`OutputFormat`]).
pub fn write_table(frame: &Frame, path: &Path) -> Result<()> {
    let output = path.display().to_string();
    let file = std::fs::File::create(path).map_err(|source| driftwatch_core::Error::Io {
        path: output.clone(),
        source,
    })?;
    let mut file = std::io::BufWriter::new(file);
    match OutputFormat::from_path(path) {
        OutputFormat::Csv => driftwatch_core::write_csv(frame, &mut file, &output)?,
        OutputFormat::Parquet => write_parquet(frame, &mut file, &output)?,
        OutputFormat::Arrow => write_ipc(frame, &mut file, &output)?,
    }
    file.flush().map_err(|source| driftwatch_core::Error::Io {
        path: output,
        source,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_as_integers() {
        assert!(is_whole(3.0) && is_whole(-7.0) && is_whole(0.0));
        assert!(!is_whole(-0.0) && !is_whole(0.5) && !is_whole(f64::INFINITY));
        assert!(!is_whole(1e300));
        let f = Frame::new(vec![
            (
                "n".into(),
                Column::Numeric(ndarray::array![1.0, f64::NAN, -3.0]),
            ),
            (
                "x".into(),
                Column::Numeric(ndarray::array![1.0, 0.5, f64::NAN]),
            ),
        ])
        .unwrap();
        let b = to_record_batch(&f, "t").unwrap();
        assert_eq!(b.column(0).data_type(), &arrow::datatypes::DataType::Int64);
        assert_eq!(
            b.column(1).data_type(),
            &arrow::datatypes::DataType::Float64
        );
        assert_eq!(b.column(0).null_count(), 1);
    }

    #[test]
    fn output_format_follows_the_extension() {
        assert_eq!(
            OutputFormat::from_path(Path::new("a.parquet")),
            OutputFormat::Parquet
        );
        assert_eq!(
            OutputFormat::from_path(Path::new("a.PQ")),
            OutputFormat::Parquet
        );
        assert_eq!(
            OutputFormat::from_path(Path::new("a.feather")),
            OutputFormat::Arrow
        );
        assert_eq!(
            OutputFormat::from_path(Path::new("a.csv")),
            OutputFormat::Csv
        );
        assert_eq!(OutputFormat::from_path(Path::new("a")), OutputFormat::Csv);
    }

    #[test]
    fn micros_round_trip_what_the_csv_reader_parses() {
        for text in [
            "2024-03-01 09:30:00.123",
            "2024-03-01 09:30:00.123456",
            "1969-12-31 23:59:58.5",
            "1900-01-01",
            "9999-12-31 23:59:59.999999",
        ] {
            let Some(x) = driftwatch_core::timestamp::parse_datetime(text) else {
                panic!("{text} parses")
            };
            let us = micros(x).unwrap();
            let back = us.div_euclid(1_000_000) as f64 + us.rem_euclid(1_000_000) as f64 / 1e6;
            assert_eq!(back, x, "{text}");
        }
        assert_eq!(micros(f64::INFINITY), None);
        assert_eq!(micros(1e300), None);
    }
}
