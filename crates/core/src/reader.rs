//! The one place that turns files into [`Frame`]s.
//!
//! Column kinds are inferred and can be forced either way: a column is numeric when
//! every non-missing cell parses as a number (`inf`, `-inf`, `Infinity` and overflowing
//! literals such as `1e400` are infinite numbers, as in numpy and pandas), a timestamp
//! when every one is a date-time ([`crate::timestamp`]), boolean when every one is
//! `true` or `false` in any letter case (stored as the categories `false`/`true`, so
//! `True`, `TRUE` and JSON `false` are one value), and categorical otherwise. Empty
//! cells and `NA`, `N/A`, `NaN`, `null` are missing values: they are kept as NaN / no
//! code, never dropped.
//!
//! Two formats: delimited text with a header ([`read_csv`]; the delimiter is sniffed
//! among `,` `;` tab `|` unless given) and the JSON-lines prediction log that
//! `driftwatch predict --log` writes ([`read_jsonl`]).

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

use ndarray::Array1;

use crate::decimal::parse_plain_decimal;
use crate::error::{Error, Result};
use crate::frame::{Categorical, Column, ColumnKind, Frame};
use crate::prediction_log::{InputValue, Prediction, PredictionRecord};
use crate::timestamp::parse_datetime;
use crate::traits::{Probabilities, Target};

/// The delimiters that are sniffed, most common first.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

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
    /// The field delimiter; `None` sniffs it from the first lines.
    pub delimiter: Option<u8>,
    /// A file with a header and no rows gives a frame of empty columns instead of an
    /// error (drift reports such columns as `all_missing`).
    pub allow_empty: bool,
    /// The file format; `None` picks it from the file's first bytes and its name. Core's
    /// own readers read delimited text whatever this says: Parquet and Arrow IPC are
    /// read by `driftwatch-columnar` (`read_table`), which dispatches on it, so that
    /// arrow stays out of every crate that only needs frames.
    pub format: Option<TableFormat>,
}

/// The table formats driftwatch reads (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC: the file format (`.arrow`, Feather v2) or the stream format.
    Arrow,
}

impl TableFormat {
    /// The name used in messages and by `--input-format`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
            TableFormat::Arrow => "arrow",
        }
    }
}

/// Which columns a read parses: the others are still split (a row of another width is
/// still an error) but never decoded, so a check of two columns of a wide file pays for
/// two. Shared by core's chunked CSV reader and the columnar readers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Projection<'a> {
    /// Every column.
    #[default]
    All,
    /// These columns; one the file lacks is an error naming the file, the column and the
    /// columns it has.
    Only(&'a [String]),
    /// Those of these columns the file has (the current side of a check, which reports
    /// a column the current data lacks as one-sided rather than failing).
    Present(&'a [String]),
}

impl Projection<'_> {
    /// The positions (ascending, file order) of the columns of `names` to read, or the
    /// error for a [`Projection::Only`] column that `names` lacks (`input` names the file).
    ///
    /// # Errors
    /// [`Error::MissingColumn`] as above.
    pub fn positions(&self, names: &[String], input: &str) -> Result<Vec<usize>> {
        let wanted = match self {
            Projection::All => return Ok((0..names.len()).collect()),
            Projection::Only(w) | Projection::Present(w) => w,
        };
        if let Projection::Only(_) = self
            && let Some(absent) = wanted.iter().find(|w| !names.contains(w))
        {
            return Err(Error::MissingColumn {
                column: absent.clone(),
                context: format!(" in {input}"),
                available: names.join(", "),
            });
        }
        Ok((0..names.len())
            .filter(|&i| wanted.contains(&names[i]))
            .collect())
    }
}

impl ReadOptions {
    /// Forces these columns to be read with the given kinds (by their storage:
    /// booleans as categories, timestamps as numbers).
    pub fn with_kinds<'a>(kinds: impl IntoIterator<Item = (&'a str, ColumnKind)>) -> Self {
        let mut o = ReadOptions::default();
        for (name, kind) in kinds {
            match kind.storage() {
                ColumnKind::Categorical => o.categorical.push(name.to_string()),
                _ => o.numeric.push(name.to_string()),
            }
        }
        o
    }
}

/// The name of a delimiter for messages (`tab` for the invisible one).
#[must_use]
pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        d => format!("'{}'", char::from(d)),
    }
}

/// Guesses the delimiter from the start of a file: among `,` `;` tab `|` (outside
/// quotes), the one found in the header that splits the next lines into as many
/// fields as the header, the one with most fields first; `,` when none is found.
#[must_use]
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    // whole lines only: the sample may end inside one
    let end = sample
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(sample.len(), |i| i + 1);
    let lines: Vec<&[u8]> = sample[..end]
        .split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .take(20)
        .collect();
    let Some(header) = lines.first() else {
        return b',';
    };
    let count = |line: &[u8], d: u8| {
        let mut quoted = false;
        line.iter()
            .filter(|&&c| {
                if c == b'"' {
                    quoted = !quoted;
                }
                !quoted && c == d
            })
            .count()
    };
    let mut best: Option<(bool, usize, u8)> = None;
    for d in DELIMITERS {
        let n = count(header, d);
        if n == 0 {
            continue;
        }
        let consistent = lines[1..].iter().all(|l| count(l, d) == n);
        let score = (consistent, n, d);
        if best.is_none_or(|b| (score.0, score.1) > (b.0, b.1)) {
            best = Some(score);
        }
    }
    best.map_or(b',', |b| b.2)
}

/// Whether a cell is a missing value.
pub fn is_missing_token(cell: &str) -> bool {
    matches!(
        cell.trim(),
        "" | "NA" | "N/A" | "NaN" | "nan" | "null" | "NULL" | "None"
    )
}

/// Reads a delimited text file with a header row.
///
/// Cells are parsed as they are read (numbers straight to f64, categories to codes),
/// so memory is the frame's, not the text's. A column inferred numeric that meets a
/// non-number after some numbers is read again as categories (the file is read a
/// second time; only such files pay for it).
pub fn read_csv_path(path: &Path, options: &ReadOptions) -> Result<Frame> {
    let input = path.display().to_string();
    let open = || {
        std::fs::File::open(path).map_err(|source| Error::Io {
            path: input.clone(),
            source,
        })
    };
    let mut options = options.clone();
    if options.delimiter.is_none() {
        let mut sample = Vec::with_capacity(SNIFF_BYTES);
        open()?
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut sample)
            .map_err(|source| Error::Io {
                path: input.clone(),
                source,
            })?;
        options.delimiter = Some(sniff_delimiter(&sample));
    }
    let mut as_text = Vec::new();
    loop {
        match read_csv_typed(open()?, &input, &options, &as_text)? {
            Ok(frame) => return Ok(frame),
            Err(Restart(columns)) => as_text.extend(columns),
        }
    }
}

/// The CSV reader's buffer: large reads, few system calls.
const READ_BUFFER: usize = 1 << 20;

/// How much of a file the delimiter is sniffed from.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Reads delimited text from any reader; `input` names it in error messages. The input
/// is kept in memory (as bytes) in case a column must be read twice (see
/// [`read_csv_path`]).
pub fn read_csv<R: Read>(mut reader: R, input: &str, options: &ReadOptions) -> Result<Frame> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|source| Error::Io {
        path: input.to_string(),
        source,
    })?;
    let mut options = options.clone();
    if options.delimiter.is_none() {
        options.delimiter = Some(sniff_delimiter(&bytes[..bytes.len().min(SNIFF_BYTES)]));
    }
    let mut as_text = Vec::new();
    loop {
        match read_csv_typed(bytes.as_slice(), input, &options, &as_text)? {
            Ok(frame) => return Ok(frame),
            Err(Restart(columns)) => as_text.extend(columns),
        }
    }
}

/// A read must start over with these columns read as categories: they held numbers
/// (or date-times) before their first other value, and the text was not kept.
pub(crate) struct Restart(pub(crate) Vec<String>);

/// One column being read.
enum Builder {
    /// Every non-missing cell so far is a number (NaN = missing).
    Numeric(Vec<f64>),
    /// Every non-missing cell so far is a date-time, as seconds since 1970.
    Timestamp(Vec<f64>),
    /// Categories: codes by first appearance.
    Categorical {
        codes: Vec<Option<u32>>,
        levels: Vec<String>,
        index: std::collections::HashMap<String, u32>,
    },
    /// Turned out categorical after numbers: needs a second read.
    Restart,
}

impl Builder {
    fn categorical(missing_rows: usize) -> Self {
        Builder::Categorical {
            codes: vec![None; missing_rows],
            levels: Vec::new(),
            index: std::collections::HashMap::new(),
        }
    }

    fn push_label(&mut self, cell: &str) {
        if let Builder::Categorical {
            codes,
            levels,
            index,
        } = self
        {
            let code = (!is_missing_token(cell)).then(|| match index.get(cell) {
                Some(&c) => c,
                None => {
                    let c = levels.len() as u32;
                    levels.push(cell.to_string());
                    index.insert(cell.to_string(), c);
                    c
                }
            });
            codes.push(code);
        }
    }

    /// Takes one cell. `forced_numeric`: a cell of another kind than the column's
    /// (a non-number, or a non-date in a timestamp column) is an error; otherwise a non-number turns the column into a timestamp or categorical
    /// column, or asks for a second read when numbers came first.
    fn push(&mut self, cell: &str, forced_numeric: bool) -> std::result::Result<(), ()> {
        match self {
            Builder::Numeric(values) => match numeric_cell(cell) {
                Some(x) => values.push(x),
                None if forced_numeric => return Err(()),
                None if values.iter().all(|x| x.is_nan()) => {
                    // only missing values so far: nothing to keep
                    let n = values.len();
                    *self = match parse_datetime(cell) {
                        Some(t) => {
                            let mut v = vec![f64::NAN; n];
                            v.push(t);
                            Builder::Timestamp(v)
                        }
                        None => {
                            let mut b = Builder::categorical(n);
                            b.push_label(cell);
                            b
                        }
                    };
                }
                None => *self = Builder::Restart,
            },
            Builder::Timestamp(values) => {
                if is_missing_token(cell) {
                    values.push(f64::NAN);
                } else if let Some(t) = parse_datetime(cell) {
                    values.push(t);
                } else if forced_numeric {
                    return Err(());
                } else {
                    *self = Builder::Restart;
                }
            }
            Builder::Categorical { .. } => self.push_label(cell),
            Builder::Restart => {}
        }
        Ok(())
    }
}

/// Parses a numeric cell: `Some(NaN)` when missing, `None` when not a number. Infinite
/// values (`inf`, `-Infinity`, `1e400`) are numbers, as numpy reads them. Public so
/// that text columns of other formats forced numeric read as CSV cells do.
#[must_use]
pub fn numeric_cell(cell: &str) -> Option<f64> {
    if is_missing_token(cell) {
        return Some(f64::NAN);
    }
    cell.parse::<f64>().ok()
}

/// `true`/`false` in any letter case.
fn boolean_token(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A categorical column whose every level is a boolean spelling, re-coded to the two
/// levels `false` and `true`; `None` when some level is not a boolean.
fn as_booleans(c: &Categorical) -> Option<Categorical> {
    if c.levels.is_empty() {
        return None;
    }
    let values: Vec<bool> = c
        .levels
        .iter()
        .map(|l| boolean_token(l))
        .collect::<Option<_>>()?;
    let mut out = Categorical::default();
    let mut code_of = [None::<u32>; 2];
    let mut map = Vec::with_capacity(values.len());
    for v in values {
        let slot = &mut code_of[usize::from(v)];
        let code = *slot.get_or_insert_with(|| {
            out.levels.push(v.to_string());
            out.levels.len() as u32 - 1
        });
        map.push(code);
    }
    out.codes = c
        .codes
        .iter()
        .map(|code| code.and_then(|k| map.get(k as usize).copied()))
        .collect();
    Some(out)
}

/// Adds a finished column to the frame with the kind its values showed: booleans
/// (also in a column forced categorical: its values are still booleans) and
/// timestamps as numbers with their meaning.
fn push_column(frame: &mut Frame, name: String, column: Column, timestamp: bool) -> Result<()> {
    if timestamp {
        frame.push(name.clone(), column)?;
        return frame.set_kind(&name, ColumnKind::Timestamp);
    }
    if let Column::Categorical(c) = &column
        && let Some(b) = as_booleans(c)
    {
        frame.push(name.clone(), Column::Categorical(b))?;
        return frame.set_kind(&name, ColumnKind::Boolean);
    }
    frame.push(name, column)
}

/// One pass over delimited text: the frame, or the columns to read as categories on a
/// second pass.
fn read_csv_typed<R: Read>(
    reader: R,
    input: &str,
    options: &ReadOptions,
    as_text: &[String],
) -> Result<std::result::Result<Frame, Restart>> {
    let delimiter = options.delimiter.unwrap_or(b',');
    let mut rdr = csv_reader(reader, delimiter);
    let headers = read_headers(&mut rdr, input, options)?;
    let mut table = TableBuilder::new(headers, options, as_text, None);
    let mut record = csv::ByteRecord::new();
    let mut row = 0usize;
    while next_record(&mut rdr, &mut record, input, row)? {
        table.push_record(&record, row, input, delimiter)?;
        row += 1;
    }
    if row == 0 && !options.allow_empty {
        return Err(Error::Empty(input.to_string()));
    }
    table.finish(input)
}

/// The csv crate's reader as every table read uses it: bytes, flexible rows (a row of
/// another width gets a message naming the delimiter), a large buffer.
pub(crate) fn csv_reader<R: Read>(reader: R, delimiter: u8) -> csv::Reader<R> {
    // Fields are read as bytes and trimmed here: a plain decimal in a
    // numeric column is parsed from its bytes, and only other cells are checked as
    // UTF-8 and trimmed as text (Unicode whitespace, as `csv::Trim::All` did).
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(READ_BUFFER)
        .from_reader(reader)
}

/// Reads the next record into `record`; `false` at the end. `row` (0-based, the rows
/// read before) names the row in the error.
pub(crate) fn next_record<R: Read>(
    rdr: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    input: &str,
    row: usize,
) -> Result<bool> {
    rdr.read_byte_record(record).map_err(|e| Error::Parse {
        input: input.to_string(),
        message: format!("row {}: {e}", row + 1),
    })
}

/// The header row, trimmed and checked: not empty, no empty or repeated name, not one
/// name that holds another delimiter, and every column named by a kind override
/// present (unless `lenient`).
pub(crate) fn read_headers<R: Read>(
    rdr: &mut csv::Reader<R>,
    input: &str,
    options: &ReadOptions,
) -> Result<Vec<String>> {
    let parse_err = |message: String| Error::Parse {
        input: input.to_string(),
        message,
    };
    let delimiter = options.delimiter.unwrap_or(b',');
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| parse_err(format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(Error::Empty(format!("{input} (no header row)")));
    }
    if let [only] = headers.as_slice()
        && let Some(&d) = DELIMITERS
            .iter()
            .find(|&&d| d != delimiter && only.as_bytes().contains(&d))
    {
        return Err(parse_err(format!(
            "the header '{only}' is one column that contains {}, but the file was split on {}; \
             if the file is {}-separated, pass --delimiter {}",
            delimiter_name(d),
            delimiter_name(delimiter),
            delimiter_name(d),
            delimiter_name(d),
        )));
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
    Ok(headers)
}

/// The columns of one table (or one chunk of it) being read: cells are parsed into
/// the builders as the records come.
pub(crate) struct TableBuilder {
    /// The names of the columns read.
    headers: Vec<String>,
    /// The field of each column read (`None`: every field, in order).
    picks: Option<Vec<usize>>,
    /// Fields in every record: the header's width.
    width: usize,
    /// Why a column may not change kind (a non-number or a non-date there is an error
    /// with this reason), `None` where kinds are still inferred.
    fixed_reason: Vec<Option<String>>,
    /// The kinds fixed in advance (chunked reads after the first chunk).
    fixed: Option<Vec<ColumnKind>>,
    columns: Vec<Builder>,
}

impl TableBuilder {
    /// Builders for `headers`: with `fixed` kinds (and `why` they are fixed), each
    /// column is read with its kind and a cell of another kind is an error; otherwise
    /// kinds are inferred from the options, with `as_text` read as categories.
    pub(crate) fn new(
        headers: Vec<String>,
        options: &ReadOptions,
        as_text: &[String],
        fixed: Option<(Vec<ColumnKind>, &str)>,
    ) -> Self {
        const FORCED: &str =
            "the column is numeric; fix the value or read the column as categorical";
        let (columns, fixed_reason, fixed) = match fixed {
            None => {
                let reason = headers
                    .iter()
                    .map(|h| {
                        (options.numeric.contains(h) && !options.categorical.contains(h))
                            .then(|| FORCED.to_string())
                    })
                    .collect();
                let columns = headers
                    .iter()
                    .map(|h| {
                        if options.categorical.contains(h) || as_text.contains(h) {
                            Builder::categorical(0)
                        } else {
                            Builder::Numeric(Vec::new())
                        }
                    })
                    .collect();
                (columns, reason, None)
            }
            Some((kinds, why)) => {
                let columns = kinds
                    .iter()
                    .map(|k| match k {
                        ColumnKind::Numeric => Builder::Numeric(Vec::new()),
                        ColumnKind::Timestamp => Builder::Timestamp(Vec::new()),
                        ColumnKind::Categorical | ColumnKind::Boolean => Builder::categorical(0),
                    })
                    .collect();
                let reason = kinds.iter().map(|_| Some(why.to_string())).collect();
                (columns, reason, Some(kinds))
            }
        };
        TableBuilder {
            width: headers.len(),
            picks: None,
            headers,
            fixed_reason,
            fixed,
            columns,
        }
    }

    /// Reads only the fields `picks` (ascending) of records `width` fields wide, into
    /// the columns this builder was made for (one per pick, in the same order).
    pub(crate) fn picking(mut self, picks: Vec<usize>, width: usize) -> Self {
        self.picks = Some(picks);
        self.width = width;
        self
    }

    /// Parses one record (data row `row`, 0-based) into the columns.
    pub(crate) fn push_record(
        &mut self,
        record: &csv::ByteRecord,
        row: usize,
        input: &str,
        delimiter: u8,
    ) -> Result<()> {
        let parse_err = |message: String| Error::Parse {
            input: input.to_string(),
            message,
        };
        if record.len() != self.width {
            return Err(parse_err(format!(
                "row {} has {} fields, the header has {} (fields are split on {}; \
                 pass --delimiter if the file uses another one)",
                row + 1,
                record.len(),
                self.width,
                delimiter_name(delimiter)
            )));
        }
        for j in 0..self.columns.len() {
            let field = self.picks.as_ref().map_or(j, |p| p[j]);
            self.push_cell(j, record.get(field).unwrap_or_default(), row, input)?;
        }
        Ok(())
    }

    /// Parses one field into column `j`.
    #[inline]
    fn push_cell(&mut self, j: usize, raw: &[u8], row: usize, input: &str) -> Result<()> {
        let parse_err = |message: String| Error::Parse {
            input: input.to_string(),
            message,
        };
        if let Builder::Numeric(values) = &mut self.columns[j]
            && let Some(x) = parse_plain_decimal(raw.trim_ascii())
        {
            values.push(x);
            return Ok(());
        }
        let Ok(cell) = std::str::from_utf8(raw) else {
            return Err(parse_err(format!(
                "row {}: column '{}' is not valid UTF-8 (save the file as UTF-8)",
                row + 1,
                self.headers[j]
            )));
        };
        let cell = cell.trim();
        let reason = self.fixed_reason[j].as_deref();
        if self.columns[j].push(cell, reason.is_some()).is_err() {
            let what = if matches!(self.columns[j], Builder::Timestamp(_)) {
                "a date-time"
            } else {
                "a number"
            };
            return Err(parse_err(format!(
                "column '{}' row {}: '{cell}' is not {what} ({})",
                self.headers[j],
                row + 1,
                reason.unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// The frame of the rows pushed, or the columns to read again as categories.
    /// With fixed kinds, booleans stay booleans (a chunk with another value is an
    /// error) and categories are not turned into booleans.
    pub(crate) fn finish(self, input: &str) -> Result<std::result::Result<Frame, Restart>> {
        let restart: Vec<String> = self
            .headers
            .iter()
            .zip(&self.columns)
            .filter(|(_, c)| matches!(c, Builder::Restart))
            .map(|(h, _)| h.clone())
            .collect();
        if !restart.is_empty() {
            return Ok(Err(Restart(restart)));
        }
        let mut frame = Frame::default();
        for (j, (name, column)) in self.headers.into_iter().zip(self.columns).enumerate() {
            let (column, timestamp) = match column {
                Builder::Numeric(mut values) => {
                    values.shrink_to_fit();
                    (Column::Numeric(Array1::from(values)), false)
                }
                Builder::Timestamp(values) => (Column::Numeric(Array1::from(values)), true),
                Builder::Categorical { codes, levels, .. } => {
                    (Column::Categorical(Categorical { codes, levels }), false)
                }
                Builder::Restart => continue, // none left: returned above
            };
            match self.fixed.as_ref().map(|k| k[j]) {
                None => push_column(&mut frame, name, column, timestamp)?,
                Some(ColumnKind::Categorical | ColumnKind::Numeric) => frame.push(name, column)?,
                Some(ColumnKind::Timestamp) => push_column(&mut frame, name, column, true)?,
                Some(ColumnKind::Boolean) => {
                    let Column::Categorical(c) = &column else {
                        continue; // a boolean column is built as categories
                    };
                    let b = if c.levels.is_empty() {
                        c.clone()
                    } else {
                        as_booleans(c).ok_or_else(|| Error::Parse {
                            input: input.to_string(),
                            message: format!(
                                "column '{name}' held only true/false in the first rows, so it is read as boolean, but it also holds '{}'; read it as categorical",
                                c.levels
                                    .iter()
                                    .find(|l| boolean_token(l).is_none())
                                    .map_or("", String::as_str)
                            ),
                        })?
                    };
                    frame.push(name.clone(), Column::Categorical(b))?;
                    frame.set_kind(&name, ColumnKind::Boolean)?;
                }
            }
        }
        Ok(Ok(frame))
    }
}

/// Columns of cells (text as read) to a frame, with the kinds inferred or forced.
fn build_frame(
    headers: Vec<String>,
    cells: Vec<Vec<String>>,
    options: &ReadOptions,
    input: &str,
) -> Result<Frame> {
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
            ColumnKind::Timestamp => Column::Numeric(
                col.iter()
                    .map(|c| parse_datetime(c).unwrap_or(f64::NAN))
                    .collect(),
            ),
            ColumnKind::Categorical | ColumnKind::Boolean => {
                Column::Categorical(Categorical::from_labels(
                    col.iter()
                        .map(|c| (!is_missing_token(c)).then_some(c.as_str())),
                ))
            }
        };
        push_column(&mut frame, name, column, kind == ColumnKind::Timestamp)?;
    }
    Ok(frame)
}

/// A column that is mostly numbers with a few non-numbers: most likely a numeric column
/// with typos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumericTypo {
    /// The column.
    pub column: String,
    /// 1-based data row of its first non-number.
    pub row: usize,
    /// That value.
    pub value: String,
    /// How many non-missing values are not numbers.
    pub non_numbers: usize,
    /// How many values are present.
    pub present: usize,
}

/// Every categorical column whose values are mostly numbers (except those forced
/// categorical), so the user can fix them, or read them as categorical on purpose,
/// in one go.
pub fn mostly_numeric_columns(frame: &Frame, forced_categorical: &[String]) -> Vec<NumericTypo> {
    let mut out = Vec::new();
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
        let is_number = |l: &str| l.parse::<f64>().is_ok();
        let numbers = present.iter().filter(|(_, l)| is_number(l)).count();
        if numbers * 2 > present.len()
            && let Some((row, value)) = present.iter().find(|(_, l)| !is_number(l))
        {
            out.push(NumericTypo {
                column: name.to_string(),
                row: row + 1,
                value: value.to_string(),
                non_numbers: present.len() - numbers,
                present: present.len(),
            });
        }
    }
    out
}

fn infer_kind(cells: &[String]) -> ColumnKind {
    let mut present = cells.iter().filter(|c| !is_missing_token(c)).peekable();
    if present.peek().is_none() {
        return ColumnKind::Numeric;
    }
    if present.clone().all(|c| c.parse::<f64>().is_ok()) {
        ColumnKind::Numeric
    } else if present.all(|c| parse_datetime(c).is_some()) {
        ColumnKind::Timestamp
    } else {
        ColumnKind::Categorical
    }
}

fn parse_numeric(cells: &[String], column: &str, input: &str) -> Result<Array1<f64>> {
    cells
        .iter()
        .enumerate()
        .map(|(row, c)| {
            numeric_cell(c).ok_or_else(|| Error::Parse {
                input: input.to_string(),
                message: format!(
                    "column '{column}' row {}: '{c}' is not a number (the column is numeric; \
                     fix the value or read the column as categorical)",
                    row + 1
                ),
            })
        })
        .collect()
}

/// A prediction log read back: one row per JSON line, each a [`PredictionRecord`].
///
/// Per line: `request_id` (string or number), `timestamp` (seconds since 1970, a number
/// or a numeric string, or a date-time), `input` (an object of feature values: numbers,
/// strings, booleans or null), `prediction` (string or number), optional `probabilities`
/// (an object class -> probability) and `latency_ms`. Other fields are ignored.
#[derive(Debug, Clone)]
pub struct PredictionLog {
    /// The inputs, one column per key seen in any `input` object (by first appearance,
    /// each line's keys in sorted order; a key absent from a line is a missing value),
    /// kinds inferred as for CSV. Conform them to the model's schema to order them.
    pub inputs: Frame,
    /// The predictions: numbers when every prediction is a number, else labels.
    pub predictions: Target,
    /// Predicted probabilities, when every line has them.
    pub probabilities: Option<Probabilities>,
    /// Request ids (`None` where a line has none).
    pub request_ids: Vec<Option<String>>,
    /// Timestamps in whole seconds, when every line has one.
    pub timestamps: Option<Vec<i64>>,
    /// Latency of each prediction in milliseconds (NaN where not logged).
    pub latency_ms: Vec<f64>,
}

/// Reads a JSON-lines prediction log file (see [`read_jsonl`]).
pub fn read_jsonl_path(path: &Path, options: &ReadOptions) -> Result<PredictionLog> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_jsonl(
        std::io::BufReader::new(file),
        &path.display().to_string(),
        options,
    )
}

/// Reads a JSON-lines prediction log (see [`PredictionLog`]); blank lines are skipped.
/// `input` names the source in errors, which give the line number.
pub fn read_jsonl<R: std::io::BufRead>(
    reader: R,
    input: &str,
    options: &ReadOptions,
) -> Result<PredictionLog> {
    use serde_json::Value;
    let err = |line: usize, message: String| Error::Parse {
        input: input.to_string(),
        message: format!("line {line}: {message}"),
    };
    let mut headers: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::<String, usize>::new();
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut preds: Vec<Prediction> = Vec::new();
    let mut probas: Vec<Option<BTreeMap<String, f64>>> = Vec::new();
    let mut request_ids = Vec::new();
    let mut timestamps: Vec<Option<i64>> = Vec::new();
    let mut latency_ms = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| err(n, format!("cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: serde_json::Map<String, Value> = serde_json::from_str(&line).map_err(|e| {
            err(
                n,
                format!("not a JSON object ({e}); expected one record per line"),
            )
        })?;
        // The two fields a record cannot do without, checked first for a clear message.
        match rec.get("input") {
            Some(Value::Object(m)) => {
                if let Some((k, _)) = m.iter().find(|(_, v)| v.is_array() || v.is_object()) {
                    return Err(err(
                        n,
                        format!("input '{k}' is an array or object; give a number or a string"),
                    ));
                }
            }
            _ => return Err(err(n, "no 'input' object with the feature values".into())),
        }
        if !matches!(
            rec.get("prediction"),
            Some(Value::String(_) | Value::Number(_))
        ) {
            return Err(err(n, "no 'prediction' (a string or a number)".into()));
        }
        let rec: PredictionRecord =
            serde_json::from_value(Value::Object(rec)).map_err(|e| err(n, e.to_string()))?;
        let row = preds.len();
        for (k, v) in &rec.input {
            let j = *index.entry(k.clone()).or_insert_with(|| {
                headers.push(k.clone());
                cells.push(vec![String::new(); row]);
                headers.len() - 1
            });
            cells[j].push(v.as_ref().map_or_else(String::new, InputValue::to_cell));
        }
        for c in &mut cells {
            c.resize(row + 1, String::new());
        }
        preds.push(rec.prediction);
        probas.push(rec.probabilities);
        request_ids.push(rec.request_id);
        timestamps.push(rec.timestamp.map(|t| t.floor() as i64));
        latency_ms.push(rec.latency_ms.unwrap_or(f64::NAN));
    }
    if preds.is_empty() {
        return Err(Error::Empty(format!("{input} (no prediction records)")));
    }
    let inputs = build_frame(headers, cells, options, input)?;
    let predictions = if preds.iter().all(|p| matches!(p, Prediction::Number(_))) {
        Target::Values(
            preds
                .iter()
                .filter_map(|p| match p {
                    Prediction::Number(x) => x.as_f64(),
                    Prediction::Label(_) => None,
                })
                .collect(),
        )
    } else {
        Target::Labels(preds.iter().map(Prediction::to_label).collect())
    };
    let probabilities = if probas.iter().all(Option::is_some) {
        let classes: Vec<String> = probas
            .iter()
            .flatten()
            .flat_map(|m| m.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut values = ndarray::Array2::<f64>::zeros((probas.len(), classes.len()));
        for (r, m) in probas.iter().flatten().enumerate() {
            for (c, class) in classes.iter().enumerate() {
                values[[r, c]] = m.get(class).copied().unwrap_or(0.0);
            }
        }
        Some(Probabilities { classes, values })
    } else {
        None
    };
    Ok(PredictionLog {
        inputs,
        predictions,
        probabilities,
        request_ids,
        timestamps: timestamps
            .iter()
            .all(Option::is_some)
            .then(|| timestamps.iter().flatten().copied().collect()),
        latency_ms,
    })
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
    fn text_after_numbers_is_read_again_as_categories() {
        // numbers first, then text: the second pass keeps the numbers' own text
        let text = "a,b,c\n1.50,1,NA\n02134,2,x\nabc,3,y\n";
        let f = read(text, &ReadOptions::default()).unwrap();
        let a = f.column("a").unwrap();
        assert_eq!(a.kind(), ColumnKind::Categorical);
        assert_eq!(
            a.to_labels(),
            vec![
                Some("1.50".into()),
                Some("02134".into()),
                Some("abc".into())
            ]
        );
        assert_eq!(f.column("b").unwrap().kind(), ColumnKind::Numeric);
        // only missing values before the text: one pass, the missing rows stay missing
        let c = f.column("c").unwrap();
        assert_eq!(
            c.to_labels(),
            vec![None, Some("x".into()), Some("y".into())]
        );
        // the same from a file
        let path = std::env::temp_dir().join(format!("dw_reader_{}.csv", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let g = read_csv_path(&path, &ReadOptions::default()).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(g.column("a").unwrap().to_labels(), a.to_labels());
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
    fn finds_every_typo_column_at_once() {
        let f = read(
            "a,b,c\n1,x,7\n2,y,C\nabc,z,8\n4,w,9\n",
            &ReadOptions::default(),
        )
        .unwrap();
        let typos = mostly_numeric_columns(&f, &[]);
        assert_eq!(
            typos,
            [
                NumericTypo {
                    column: "a".into(),
                    row: 3,
                    value: "abc".into(),
                    non_numbers: 1,
                    present: 4
                },
                NumericTypo {
                    column: "c".into(),
                    row: 2,
                    value: "C".into(),
                    non_numbers: 1,
                    present: 4
                }
            ]
        );
        let names: Vec<String> = mostly_numeric_columns(&f, &["a".to_string()])
            .into_iter()
            .map(|t| t.column)
            .collect();
        assert_eq!(names, ["c"]);
    }

    #[test]
    fn infinities_are_numbers() {
        let f = read(
            "x,y\n1,inf\n-inf,2\nInfinity,1e400\n-1e400,NA\n",
            &ReadOptions::default(),
        )
        .unwrap();
        let Column::Numeric(x) = f.column("x").unwrap() else {
            panic!("x is numeric")
        };
        assert_eq!(
            x.to_vec(),
            [1.0, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY]
        );
        let Column::Numeric(y) = f.column("y").unwrap() else {
            panic!("y is numeric")
        };
        assert_eq!(y[2], f64::INFINITY);
        assert!(y[3].is_nan());
        // forced numeric accepts them too
        let o = ReadOptions::with_kinds([("x", ColumnKind::Numeric)]);
        assert!(read("x\n-inf\n", &o).is_ok());
    }

    #[test]
    fn booleans_in_any_case_are_one_kind() {
        let f = read(
            "b,c,d\nTrue,yes,TRUE\nfalse,no,\nFALSE,true,false\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(f.kind("b").unwrap(), ColumnKind::Boolean);
        assert_eq!(
            f.column("b").unwrap().to_labels(),
            [
                Some("true".into()),
                Some("false".into()),
                Some("false".into())
            ]
        );
        assert_eq!(f.kind("c").unwrap(), ColumnKind::Categorical);
        assert_eq!(f.kind("d").unwrap(), ColumnKind::Boolean);
        assert_eq!(f.column("d").unwrap().missing_count(), 1);
        // forced categorical (as a model's schema does): still one spelling
        let o = ReadOptions::with_kinds([("b", ColumnKind::Categorical)]);
        let g = read("b\nTrue\ntrue\n", &o).unwrap();
        assert_eq!(g.kind("b").unwrap(), ColumnKind::Boolean);
        assert_eq!(g.column("b").unwrap().to_labels()[0], Some("true".into()));
    }

    #[test]
    fn date_times_are_timestamps() {
        let text = "t,d,u,late\n2024-03-01 09:30:00,2024-03-01,2024-03-01T09:30:00Z,\n\
                    2024-03-01 09:30:00.500,2024-03-02,x,NA\n,2024-03-03,2024-03-01,2024-03-01\n";
        let f = read(text, &ReadOptions::default()).unwrap();
        assert_eq!(f.kind("t").unwrap(), ColumnKind::Timestamp);
        let Column::Numeric(t) = f.column("t").unwrap() else {
            panic!("timestamps are stored as numbers")
        };
        assert_eq!(t[0], 1_709_285_400.0);
        assert_eq!(t[1], 1_709_285_400.5);
        assert!(t[2].is_nan());
        assert_eq!(f.kind("d").unwrap(), ColumnKind::Timestamp);
        // a non-date after dates: read again as categories, text kept
        assert_eq!(f.kind("u").unwrap(), ColumnKind::Categorical);
        assert_eq!(
            f.column("u").unwrap().to_labels()[0],
            Some("2024-03-01T09:30:00Z".into())
        );
        // missing values first, then dates
        assert_eq!(f.kind("late").unwrap(), ColumnKind::Timestamp);
        // the meaning survives row selection
        assert_eq!(
            f.take_rows(&[1]).unwrap().kind("t").unwrap(),
            ColumnKind::Timestamp
        );
    }

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n"), b'|');
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y\",2\n"), b',');
        assert_eq!(sniff_delimiter(b"a\n1\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
        // a comma inside a decimal number does not outvote a consistent ';'
        assert_eq!(sniff_delimiter(b"a;b\n1,5;2\n3;4,25\n"), b';');
        let f = read("a;b\n1;2\n3;4\n", &ReadOptions::default()).unwrap();
        assert_eq!(f.names(), ["a", "b"]);
        let f = read("a\tb\nx\t2\n", &ReadOptions::default()).unwrap();
        assert_eq!(f.names(), ["a", "b"]);
    }

    #[test]
    fn a_one_column_header_with_a_delimiter_is_refused() {
        let o = ReadOptions {
            delimiter: Some(b','),
            ..Default::default()
        };
        let err = read("a;b\n1;2\n", &o).unwrap_err().to_string();
        assert!(
            err.contains("'a;b'") && err.contains("--delimiter ';'"),
            "{err}"
        );
        let err = read("a,b\n1,2,3\n", &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 1 has 3 fields") && err.contains("--delimiter"),
            "{err}"
        );
    }

    #[test]
    fn a_header_only_file_can_be_an_empty_frame() {
        assert!(matches!(
            read("a,b\n", &ReadOptions::default()),
            Err(Error::Empty(_))
        ));
        let o = ReadOptions {
            allow_empty: true,
            categorical: vec!["b".into()],
            ..Default::default()
        };
        let f = read("a,b\n", &o).unwrap();
        assert_eq!((f.n_rows(), f.n_cols()), (0, 2));
        assert_eq!(f.column("b").unwrap().kind(), ColumnKind::Categorical);
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

    #[test]
    fn reads_a_prediction_log() {
        let log = concat!(
            r#"{"request_id":"r1","timestamp":1709251200.5,"row":1,"input":{"x":1.5,"c":"a"},"prediction":"yes","probabilities":{"yes":0.8,"no":0.2},"latency_ms":0.5,"model":"m@1"}"#,
            "\n\n",
            r#"{"request_id":7,"timestamp":"1709254800","input":{"x":null,"c":"b","extra":true},"prediction":"no","probabilities":{"no":0.9,"yes":0.1}}"#,
            "\n"
        );
        let p = read_jsonl(log.as_bytes(), "log.jsonl", &ReadOptions::default()).unwrap();
        assert_eq!(p.inputs.names(), ["c", "x", "extra"]);
        let Column::Numeric(x) = p.inputs.column("x").unwrap() else {
            panic!("x is numeric")
        };
        assert_eq!(x[0], 1.5);
        assert!(x[1].is_nan());
        assert_eq!(
            p.inputs.column("c").unwrap().to_labels(),
            [Some("a".into()), Some("b".into())]
        );
        assert_eq!(p.inputs.column("extra").unwrap().missing_count(), 1);
        assert_eq!(
            p.predictions,
            Target::Labels(vec!["yes".into(), "no".into()])
        );
        assert_eq!(p.request_ids, [Some("r1".into()), Some("7".into())]);
        assert_eq!(p.timestamps, Some(vec![1_709_251_200, 1_709_254_800]));
        assert_eq!(p.latency_ms[0], 0.5);
        assert!(p.latency_ms[1].is_nan());
        let pr = p.probabilities.unwrap();
        assert_eq!(pr.classes, ["no", "yes"]);
        assert_eq!(pr.values.row(1).to_vec(), [0.9, 0.1]);
    }

    #[test]
    fn prediction_log_booleans_and_date_times() {
        let log = concat!(
            r#"{"timestamp":"2024-03-01 09:30:00","input":{"b":false,"t":"2024-03-01"},"prediction":1}"#,
            "\n",
            r#"{"timestamp":"2024-03-01T10:30:00Z","input":{"b":"True","t":null},"prediction":0}"#,
            "\n"
        );
        let p = read_jsonl(log.as_bytes(), "log.jsonl", &ReadOptions::default()).unwrap();
        assert_eq!(p.timestamps, Some(vec![1_709_285_400, 1_709_289_000]));
        assert_eq!(p.inputs.kind("b").unwrap(), ColumnKind::Boolean);
        assert_eq!(
            p.inputs.column("b").unwrap().to_labels(),
            [Some("false".into()), Some("true".into())]
        );
        assert_eq!(p.inputs.kind("t").unwrap(), ColumnKind::Timestamp);
    }

    #[test]
    fn prediction_log_errors_name_the_line() {
        let o = ReadOptions::default();
        let e = read_jsonl(
            &b"{\"input\":{},\"prediction\":1}\nnot json\n"[..],
            "p.jsonl",
            &o,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("p.jsonl") && e.contains("line 2"), "{e}");
        let e = read_jsonl(&b"{\"input\":{\"x\":1}}\n"[..], "p.jsonl", &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1: no 'prediction'"), "{e}");
        let e = read_jsonl(
            &b"{\"input\":{\"x\":1},\"prediction\":1,\"timestamp\":\"monday\"}\n"[..],
            "p.jsonl",
            &o,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not seconds since 1970 or a date-time"), "{e}");
        assert!(read_jsonl(&b"\n"[..], "p.jsonl", &o).is_err());
        let p = read_jsonl(
            &b"{\"input\":{\"x\":1},\"prediction\":2.5}\n"[..],
            "p.jsonl",
            &o,
        )
        .unwrap();
        assert_eq!(p.predictions, Target::Values(vec![2.5]));
        assert_eq!(p.timestamps, None);
    }
}
