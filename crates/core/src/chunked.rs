//! Delimited text read in chunks of rows, for commands whose memory must not grow with
//! the file (`driftwatch drift`, `reference build`).
//!
//! [`CsvChunks`] yields [`Frame`]s of at most `chunk_rows` rows, parsed by the same
//! code as [`crate::read_csv`] (the same header checks, cell parsing, missing tokens,
//! delimiter sniffing and [`ReadOptions`]). The kinds are fixed by the first chunk,
//! inferred there exactly as `read_csv` infers them (a column that turns out text
//! after numbers is read again as categories; the first chunk's records are kept for
//! that). Later chunks are read with those kinds, and a cell that contradicts them is
//! an error naming the column, the row and the way out, never a quiet change: a
//! non-number in a numeric column (also one with no value in the first chunk, which is
//! read as numeric as `read_csv` reads an empty column), a non-date in a timestamp
//! column, a value other than true/false in a boolean one. Categorical columns are
//! never turned into booleans in later chunks. Codes (category numbers) are per chunk:
//! compare chunks by label.
//!
//! On a file that no chunk contradicts, the chunks put end to end are the frame
//! `read_csv` gives (tested for every chunk size).

use std::io::{Cursor, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::frame::{ColumnKind, Frame};
use crate::reader::{
    Projection, ReadOptions, Restart, SNIFF_BYTES, TableBuilder, csv_reader, next_record,
    read_headers, sniff_delimiter,
};

/// Rows per chunk when the caller has no reason to choose: about 10 MB per 20 numeric
/// columns, large enough that kinds are inferred from many rows.
pub const DEFAULT_CHUNK_ROWS: usize = 1 << 16;

/// An iterator of [`Frame`]s of at most `chunk_rows` rows over delimited text (see the
/// module docs).
pub struct CsvChunks<'a> {
    rdr: csv::Reader<Box<dyn Read + 'a>>,
    input: String,
    options: ReadOptions,
    headers: Vec<String>,
    /// The columns read and their fields, when not all of them ([`CsvChunks::project`]).
    picked: Option<(Vec<String>, Vec<usize>)>,
    chunk_rows: usize,
    /// The kinds, fixed by the first chunk.
    kinds: Option<Vec<ColumnKind>>,
    /// Data rows read so far.
    rows: usize,
    done: bool,
}

impl<'a> CsvChunks<'a> {
    /// Chunks of `reader` (`input` names it in errors); the delimiter is sniffed from
    /// the first 64 KiB unless `options` give it. Reads the header now.
    ///
    /// # Errors
    /// An unreadable input or a bad header (as [`crate::read_csv`]); `chunk_rows` of 0.
    pub fn new<R: Read + 'a>(
        mut reader: R,
        input: &str,
        options: &ReadOptions,
        chunk_rows: usize,
    ) -> Result<Self> {
        if chunk_rows == 0 {
            return Err(Error::InvalidParam {
                name: "chunk_rows".into(),
                message: format!("chunks of 0 rows for {input}; give at least 1 row per chunk"),
            });
        }
        let mut options = options.clone();
        let boxed: Box<dyn Read + 'a> = if options.delimiter.is_none() {
            let mut sample = Vec::with_capacity(SNIFF_BYTES);
            (&mut reader)
                .take(SNIFF_BYTES as u64)
                .read_to_end(&mut sample)
                .map_err(|source| Error::Io {
                    path: input.to_string(),
                    source,
                })?;
            options.delimiter = Some(sniff_delimiter(&sample));
            Box::new(Cursor::new(sample).chain(reader))
        } else {
            Box::new(reader)
        };
        let mut rdr = csv_reader(boxed, options.delimiter.unwrap_or(b','));
        let headers = read_headers(&mut rdr, input, &options)?;
        Ok(CsvChunks {
            rdr,
            input: input.to_string(),
            options,
            headers,
            picked: None,
            chunk_rows,
            kinds: None,
            rows: 0,
            done: false,
        })
    }

    /// Chunks of the file at `path`.
    ///
    /// # Errors
    /// As [`CsvChunks::new`], naming the path.
    pub fn open(
        path: &Path,
        options: &ReadOptions,
        chunk_rows: usize,
    ) -> Result<CsvChunks<'static>> {
        let input = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            path: input.clone(),
            source,
        })?;
        CsvChunks::new(file, &input, options, chunk_rows)
    }

    /// Reads only the columns `projection` names (in file order): the other fields of
    /// each row are split, so a row of another width is still an error, but not parsed.
    /// Kinds are inferred, and a cell checked, exactly as in a read of every column.
    ///
    /// # Errors
    /// A [`Projection::Only`] column the header lacks (naming the input, the column and
    /// the columns it has), or a projection after the first chunk was read.
    pub fn project(mut self, projection: Projection<'_>) -> Result<Self> {
        if self.kinds.is_some() {
            return Err(Error::InvalidParam {
                name: "projection".into(),
                message: format!(
                    "the columns of {} are chosen before its first chunk is read",
                    self.input
                ),
            });
        }
        self.picked = match projection {
            Projection::All => None,
            p => {
                let picks = p.positions(&self.headers, &self.input)?;
                let names = picks.iter().map(|&i| self.headers[i].clone()).collect();
                Some((names, picks))
            }
        };
        Ok(self)
    }

    /// The column names, from the header (every column, also those a projection leaves
    /// out).
    #[must_use]
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The names of the columns each chunk holds.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        self.picked
            .as_ref()
            .map_or(&self.headers, |(names, _)| names)
    }

    /// A table builder for the columns read.
    fn table(&self, as_text: &[String], fixed: Option<(Vec<ColumnKind>, &str)>) -> TableBuilder {
        let table = TableBuilder::new(self.columns().to_vec(), &self.options, as_text, fixed);
        match &self.picked {
            None => table,
            Some((_, picks)) => table.picking(picks.clone(), self.headers.len()),
        }
    }

    /// The kinds the first chunk fixed, one per column read (`None` before it is read).
    #[must_use]
    pub fn kinds(&self) -> Option<&[ColumnKind]> {
        self.kinds.as_deref()
    }

    /// Data rows read so far.
    #[must_use]
    pub fn rows_read(&self) -> usize {
        self.rows
    }

    /// The first chunk: its records are kept so that a column found to be text after
    /// numbers is read again, as `read_csv` does on the whole file.
    fn first_chunk(&mut self) -> Result<Frame> {
        let mut records = Vec::new();
        let mut record = csv::ByteRecord::new();
        while records.len() < self.chunk_rows
            && next_record(&mut self.rdr, &mut record, &self.input, records.len())?
        {
            records.push(record.clone());
        }
        if records.is_empty() && !self.options.allow_empty {
            return Err(Error::Empty(self.input.clone()));
        }
        let delimiter = self.options.delimiter.unwrap_or(b',');
        let mut as_text: Vec<String> = Vec::new();
        let frame = loop {
            let mut table = self.table(&as_text, None);
            for (row, r) in records.iter().enumerate() {
                table.push_record(r, row, &self.input, delimiter)?;
            }
            match table.finish(&self.input)? {
                Ok(frame) => break frame,
                Err(Restart(columns)) => as_text.extend(columns),
            }
        };
        self.rows = records.len();
        self.done = records.len() < self.chunk_rows;
        self.kinds = Some(
            self.columns()
                .iter()
                .map(|h| frame.kind(h))
                .collect::<Result<_>>()?,
        );
        Ok(frame)
    }

    /// A later chunk, read with the fixed kinds; `None` at the end of the input.
    fn next_chunk(&mut self, kinds: Vec<ColumnKind>) -> Result<Option<Frame>> {
        let why = format!(
            "the first {} rows fixed the column's kind; fix the value, or read the column as \
             categorical",
            self.chunk_rows
        );
        let delimiter = self.options.delimiter.unwrap_or(b',');
        let mut table = self.table(&[], Some((kinds, &why)));
        let mut record = csv::ByteRecord::new();
        let mut n = 0;
        while n < self.chunk_rows
            && next_record(&mut self.rdr, &mut record, &self.input, self.rows)?
        {
            table.push_record(&record, self.rows, &self.input, delimiter)?;
            self.rows += 1;
            n += 1;
        }
        if n < self.chunk_rows {
            self.done = true;
        }
        if n == 0 {
            return Ok(None);
        }
        match table.finish(&self.input)? {
            Ok(frame) => Ok(Some(frame)),
            // fixed kinds never ask for a second read; say so rather than drop data
            Err(Restart(columns)) => Err(Error::Parse {
                input: self.input.clone(),
                message: format!(
                    "columns {} changed kind after the first chunk; read them as categorical",
                    columns.join(", ")
                ),
            }),
        }
    }
}

impl Iterator for CsvChunks<'_> {
    type Item = Result<Frame>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let out = match self.kinds.clone() {
            None => self.first_chunk().map(Some),
            Some(kinds) => self.next_chunk(kinds),
        };
        match out {
            Ok(frame) => frame.map(Ok),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Column;
    use crate::reader::read_csv;

    fn chunks(text: &str, o: &ReadOptions, n: usize) -> Result<Vec<Frame>> {
        CsvChunks::new(text.as_bytes(), "t.csv", o, n)?.collect()
    }

    /// The cells of a frame by label (numbers bit for bit), kinds included.
    fn cells(frames: &[Frame]) -> Vec<(String, ColumnKind, Vec<Option<String>>)> {
        let first = &frames[0];
        first
            .names()
            .iter()
            .map(|name| {
                let mut all = Vec::new();
                for f in frames {
                    let col = f.column(name).unwrap();
                    match col {
                        Column::Numeric(v) => {
                            all.extend(v.iter().map(|x| Some(format!("{:x}", x.to_bits()))));
                        }
                        Column::Categorical(_) => all.extend(col.to_labels()),
                    }
                    assert_eq!(f.kind(name).unwrap(), first.kind(name).unwrap());
                }
                (name.clone(), first.kind(name).unwrap(), all)
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Chunks end to end equal the whole read, for any chunk size, on files whose
        /// kinds the first row already shows.
        #[test]
        fn chunks_end_to_end_are_the_whole_read(
            rows in proptest::collection::vec(
                (proptest::option::weighted(0.8, -50i32..50),
                 0u8..4,
                 proptest::bool::ANY,
                 0u32..100_000),
                1..60,
            ),
            n in 1usize..70,
        ) {
            let mut text = String::from("x;c;b;t\n");
            for (i, (x, c, b, t)) in rows.iter().enumerate() {
                let x = x.map_or("NA".to_string(), |v| format!("{}", f64::from(v) / 8.0));
                let c = if i == 0 { "a" } else { ["a", "b", "", "a b"][usize::from(*c)] };
                let b = if i == 0 { "True" } else if *b { "TRUE" } else { "false" };
                let t = format!("2024-01-01 00:00:{:02}", t % 60);
                text.push_str(&format!("{x};{c};{b};{t}\n"));
            }
            let whole = read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
            let parts = chunks(&text, &ReadOptions::default(), n).unwrap();
            proptest::prop_assert_eq!(parts.len(), rows.len().div_ceil(n));
            proptest::prop_assert_eq!(cells(&parts), cells(std::slice::from_ref(&whole)));
            // a projection reads the same cells of the columns it keeps
            let keep = ["t".to_string(), "x".to_string(), "zz".to_string()];
            let projected: Vec<Frame> = CsvChunks::new(text.as_bytes(), "t.csv", &ReadOptions::default(), n)
                .unwrap()
                .project(Projection::Present(&keep))
                .unwrap()
                .collect::<Result<_>>()
                .unwrap();
            let want = whole.select(&["x".to_string(), "t".to_string()]).unwrap();
            proptest::prop_assert_eq!(cells(&projected), cells(&[want]));
        }
    }

    #[test]
    fn a_projection_names_what_is_missing_and_skips_the_other_fields() {
        let o = ReadOptions::default();
        let open = || CsvChunks::new("a,b,c\n1,x,2\n".as_bytes(), "t.csv", &o, 4).unwrap();
        let e = open()
            .project(Projection::Only(&["c".into(), "z".into()]))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            e,
            "column 'z' is missing in t.csv; available columns: a, b, c"
        );
        let c = open()
            .project(Projection::Only(&["c".into(), "a".into()]))
            .unwrap();
        assert_eq!(c.columns(), ["a", "c"]);
        assert_eq!(c.headers(), ["a", "b", "c"]);
        // a field left out is not parsed: invalid UTF-8 there is no error
        let bytes = b"a,b\n1,\xff\n2,y\n";
        let parts: Vec<Frame> = CsvChunks::new(&bytes[..], "t.csv", &o, 1)
            .unwrap()
            .project(Projection::Only(&["a".into()]))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[1].column("a").unwrap().to_labels(),
            [Some("2".into())]
        );
        // but rows are still checked for their width
        let e = chunks_of("a,b\n1,2\n3\n", &["a"]).unwrap_err().to_string();
        assert!(e.contains("row 2 has 1 fields, the header has 2"), "{e}");
        // none of the columns present: chunks of no columns, no error
        let parts = chunks_of("a,b\n1,2\n", &[]).unwrap();
        assert_eq!(parts[0].n_cols(), 0);
        // too late once a chunk is read
        let mut c = open();
        let _ = c.next();
        assert!(c.project(Projection::All).is_err());
    }

    fn chunks_of(text: &str, keep: &[&str]) -> Result<Vec<Frame>> {
        let keep: Vec<String> = keep.iter().map(ToString::to_string).collect();
        CsvChunks::new(text.as_bytes(), "t.csv", &ReadOptions::default(), 4)?
            .project(Projection::Present(&keep))?
            .collect()
    }

    #[test]
    fn the_first_chunk_is_read_again_as_read_csv_does() {
        let text = "a,b\n1,x\nabc,y\n2,z\n";
        let parts = chunks(text, &ReadOptions::default(), 2).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].kind("a").unwrap(), ColumnKind::Categorical);
        assert_eq!(
            parts[1].column("a").unwrap().to_labels(),
            [Some("2".to_string())]
        );
    }

    #[test]
    fn a_later_chunk_that_contradicts_the_kinds_is_an_error() {
        let o = ReadOptions::default();
        let e = chunks("a,b\n1,x\n2,y\nabc,z\n", &o, 2)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("column 'a' row 3: 'abc' is not a number")
                && e.contains("the first 2 rows fixed"),
            "{e}"
        );
        // empty in the first chunk: numeric, as read_csv reads an empty column
        let e = chunks("a,b\n,x\n,y\nabc,z\n", &o, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'abc' is not a number"), "{e}");
        let e = chunks("t\n2024-01-01\n2024-01-02\n7\n", &o, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'7' is not a date-time"), "{e}");
        let e = chunks("b\ntrue\nfalse\nmaybe\n", &o, 2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("column 'b'") && e.contains("'maybe'"), "{e}");
        // categories that look boolean in a later chunk stay categories, as written
        let parts = chunks("c\nyes\nno\nTrue\n", &o, 2).unwrap();
        assert_eq!(parts[1].kind("c").unwrap(), ColumnKind::Categorical);
        assert_eq!(
            parts[1].column("c").unwrap().to_labels(),
            [Some("True".to_string())]
        );
        // a later chunk of missing booleans is still boolean
        let parts = chunks("b\ntrue\nfalse\nNA\n", &o, 2).unwrap();
        assert_eq!(parts[1].kind("b").unwrap(), ColumnKind::Boolean);
        assert_eq!(parts[1].column("b").unwrap().missing_count(), 1);
    }

    #[test]
    fn empty_inputs_and_bad_sizes() {
        let o = ReadOptions::default();
        assert!(matches!(chunks("a,b\n", &o, 4), Err(Error::Empty(_))));
        let empty = ReadOptions {
            allow_empty: true,
            ..Default::default()
        };
        let parts = chunks("a,b\n", &empty, 4).unwrap();
        assert_eq!(
            (parts.len(), parts[0].n_rows(), parts[0].n_cols()),
            (1, 0, 2)
        );
        assert!(CsvChunks::new("a\n1\n".as_bytes(), "t.csv", &o, 0).is_err());
        // exactly a multiple of the chunk size: no empty last chunk
        let parts = chunks("a\n1\n2\n3\n4\n", &o, 2).unwrap();
        assert_eq!(parts.len(), 2);
        let e = chunks("a,b\n1,2\n3,4\n5\n", &o, 2).unwrap_err().to_string();
        assert!(e.contains("row 3 has 1 fields"), "{e}");
    }
}
