//! Opening files: the format detected, the columns planned, batches streamed.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use arrow::error::ArrowError;
use arrow::ipc::reader::{FileReader, StreamReader};
use arrow::record_batch::RecordBatch;
use driftwatch_core::{Frame, Projection, ReadOptions, read_csv, read_csv_path};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::ChunkReader;

use crate::convert::Converter;
use crate::error::{Error, Result};
use crate::format::{Detected, HEAD_BYTES, detect};

/// Rows per streamed batch: a Parquet row group or an Arrow IPC record batch larger
/// than this is cut into batches of at most this many rows, so memory stays bounded
/// by the columns read times this, not by the file.
pub const CHUNK_ROWS: usize = 65_536;

type Batches = Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>;

enum Source {
    /// A Parquet or Arrow file: batches decoded on demand.
    Columnar {
        batches: Batches,
        converter: Converter,
        format: &'static str,
    },
    /// A CSV file, read whole by core's reader (not incremental): one chunk.
    Csv { frame: Option<Frame> },
}

/// The rows of one file as a sequence of frames (see [`read_chunks`]).
///
/// Each chunk is a complete [`Frame`] of the columns read, with the same names and
/// kinds in every chunk; categorical levels are numbered per chunk (by first
/// appearance in it), so join chunks by label, not by code. After an error the
/// iterator ends.
pub struct Chunks {
    input: String,
    source: Source,
    /// Data rows handed out so far.
    rows: usize,
    failed: bool,
}

impl std::fmt::Debug for Chunks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunks")
            .field("input", &self.input)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl Chunks {
    /// The columns every chunk holds, in file order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        match &self.source {
            Source::Columnar { converter, .. } => converter.names(),
            Source::Csv { frame } => frame
                .as_ref()
                .map(|f| f.names().to_vec())
                .unwrap_or_default(),
        }
    }

    /// The next non-empty batch.
    fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        let Source::Columnar {
            batches, format, ..
        } = &mut self.source
        else {
            return None;
        };
        loop {
            match guard(&self.input, format, || Ok(batches.next())) {
                Ok(None) => return None,
                Ok(Some(Ok(b))) if b.num_rows() == 0 => {}
                Ok(Some(Ok(b))) => return Some(Ok(b)),
                Ok(Some(Err(e))) => return Some(Err(Error::decode(&self.input, format, e))),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Every remaining row as one frame: what [`read_table`] returns. A file without
    /// rows is [`driftwatch_core::Error::Empty`] unless `allow_empty`, then a frame of
    /// empty columns with the kinds of the schema.
    pub fn into_frame(mut self, allow_empty: bool) -> Result<Frame> {
        if let Source::Csv { frame } = &mut self.source {
            // core's reader has applied allow_empty
            return frame
                .take()
                .ok_or_else(|| driftwatch_core::Error::Empty(self.input.clone()).into());
        }
        let mut batches = Vec::new();
        while let Some(b) = self.next_batch() {
            batches.push(b?);
        }
        let Source::Columnar { converter, .. } = &self.source else {
            return Err(driftwatch_core::Error::Empty(self.input.clone()).into());
        };
        let mut builder = converter.builder();
        for b in &batches {
            builder.append(b, builder.rows())?;
        }
        if builder.rows() == 0 && !allow_empty {
            return Err(driftwatch_core::Error::Empty(self.input.clone()).into());
        }
        builder.finish()
    }
}

impl Iterator for Chunks {
    type Item = Result<Frame>;

    fn next(&mut self) -> Option<Result<Frame>> {
        if self.failed {
            return None;
        }
        if let Source::Csv { frame } = &mut self.source {
            return frame.take().map(Ok);
        }
        let result = match self.next_batch()? {
            Ok(batch) => {
                let Source::Columnar { converter, .. } = &self.source else {
                    return None;
                };
                let mut builder = converter.builder();
                let r = builder
                    .append(&batch, self.rows)
                    .and_then(|()| builder.finish());
                self.rows += batch.num_rows();
                r
            }
            Err(e) => Err(e),
        };
        self.failed = result.is_err();
        Some(result)
    }
}

/// Opens a table file for streaming: Parquet (batches of at most [`CHUNK_ROWS`] rows
/// out of each row group), Arrow IPC file or stream (its record batches), or CSV (read
/// whole by core's reader and handed out as one chunk).
///
/// The format is detected from the magic bytes and the name ([`detect`]) unless
/// `options.format` asks for one. `columns`: only those are decoded (`None`: every
/// column except pandas' `__index_level_N__` index columns); a named column the file
/// lacks is an error unless `options.lenient`. Kinds follow the Arrow types, forced by
/// `options` as for CSV (docs/FORMATS.md).
pub fn read_chunks(
    path: &Path,
    options: &ReadOptions,
    columns: Option<&[String]>,
) -> Result<Chunks> {
    read_chunks_projected(path, options, projection(columns))
}

/// `None` reads every column, `Some` only those.
fn projection(columns: Option<&[String]>) -> Projection<'_> {
    columns.map_or(Projection::All, Projection::Only)
}

/// [`read_chunks`] with the columns as a [`Projection`]: [`Projection::Present`] reads
/// those of the columns the file has and leaves out the others without an error (the
/// current side of a check).
pub fn read_chunks_projected(
    path: &Path,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks> {
    let input = path.display().to_string();
    let open = || {
        File::open(path).map_err(|source| {
            Error::from(driftwatch_core::Error::Io {
                path: input.clone(),
                source,
            })
        })
    };
    let head = read_head(&mut open()?, &input)?;
    match detect(&input, &head, options.format)? {
        Detected::Csv => {
            let frame = read_csv_path(path, options)?;
            csv_chunks(input, frame, options, columns)
        }
        columnar => columnar_chunks(columnar, open, input.clone(), options, columns),
    }
}

/// [`read_chunks_projected`] of a stream that can be read only once (standard input;
/// `input` names it in messages). It is first copied to an unnamed temporary file in
/// `std::env::temp_dir()`, deleted when the chunks are dropped: Parquet is read from
/// its footer and Arrow is checked before it is decoded, which a pipe cannot do. So
/// memory stays one batch's, as for a file, and only the projected columns are decoded.
pub fn read_chunks_from_reader<R: Read>(
    mut reader: R,
    input: &str,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks> {
    let spool = |source| Error::Spool {
        input: input.to_string(),
        dir: std::env::temp_dir().display().to_string(),
        source,
    };
    let mut file = tempfile::tempfile().map_err(spool)?;
    std::io::copy(&mut reader, &mut file).map_err(spool)?;
    let open = || {
        let mut f = file.try_clone().map_err(spool)?;
        f.rewind().map_err(spool)?;
        Ok(f)
    };
    let input = input.to_string();
    let head = read_head(&mut open()?, &input)?;
    match detect(&input, &head, options.format)? {
        Detected::Csv => {
            let frame = read_csv(std::io::BufReader::new(open()?), &input, options)?;
            csv_chunks(input, frame, options, columns)
        }
        columnar => columnar_chunks(columnar, open, input, options, columns),
    }
}

/// The chunks of a Parquet or Arrow file; `open` gives a reader at its start.
fn columnar_chunks(
    format: Detected,
    open: impl Fn() -> Result<File>,
    input: String,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks> {
    match format {
        Detected::Parquet => parquet_chunks(open()?, input, options, columns),
        Detected::ArrowFile => ipc_file_chunks(open, input, options, columns),
        Detected::ArrowStream => ipc_stream_chunks(open()?, input, options, columns),
        Detected::Csv => Err(Error::Format {
            path: input,
            message: "a CSV table reached the Parquet/Arrow reader (a bug)".into(),
        }),
    }
}

/// The first [`HEAD_BYTES`] of a file, for [`detect`].
fn read_head(file: &mut File, input: &str) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|source| {
            Error::from(driftwatch_core::Error::Io {
                path: input.to_string(),
                source,
            })
        })?;
    Ok(head)
}

/// What `path` holds, from its first bytes, its name and `options.format`
/// ([`detect`]): callers that stream CSV with core's `CsvChunks` ask this first.
pub fn detect_file(path: &Path, options: &ReadOptions) -> Result<Detected> {
    let input = path.display().to_string();
    let mut file = File::open(path).map_err(|source| {
        Error::from(driftwatch_core::Error::Io {
            path: input.clone(),
            source,
        })
    })?;
    detect(&input, &read_head(&mut file, &input)?, options.format)
}

/// [`read_chunks`] read whole: one frame of every row (`options.allow_empty` says
/// whether a file without rows is an error).
pub fn read_table(path: &Path, options: &ReadOptions, columns: Option<&[String]>) -> Result<Frame> {
    read_chunks(path, options, columns)?.into_frame(options.allow_empty)
}

/// A CSV frame cut to `columns` (in file order, as the other formats give them; a
/// lenient read of [`Projection::Only`] leaves out absent columns).
fn csv_chunks(
    input: String,
    frame: Frame,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks> {
    let columns = match columns {
        Projection::Only(wanted) if options.lenient => Projection::Present(wanted),
        p => p,
    };
    let frame = match columns {
        Projection::All => frame,
        p => {
            let names = frame.names();
            let keep: Vec<String> = p
                .positions(names, &input)?
                .into_iter()
                .map(|i| names[i].clone())
                .collect();
            frame.select(&keep)?
        }
    };
    Ok(Chunks {
        input,
        source: Source::Csv { frame: Some(frame) },
        rows: 0,
        failed: false,
    })
}

fn columnar(input: String, batches: Batches, converter: Converter, format: &'static str) -> Chunks {
    Chunks {
        input,
        source: Source::Columnar {
            batches,
            converter,
            format,
        },
        rows: 0,
        failed: false,
    }
}

/// Runs a decoder step, turning a panic into an error naming the file.
///
/// The Parquet decoder asserts on some damaged files (a bit width out of range, found
/// by flipping bytes of a valid file) instead of returning an error; a damaged file
/// must not take the process down with it. The default panic hook has already printed
/// the decoder's message when this returns.
fn guard<T>(input: &str, format: &'static str, step: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        Err(Error::decode(
            input,
            format,
            std::io::Error::other(format!("the decoder failed on damaged data: {what}")),
        ))
    })
}

const PARQUET: &str = "Parquet";
const ARROW: &str = "Arrow IPC";

fn parquet_chunks<T: ChunkReader + 'static>(
    reader: T,
    input: String,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks> {
    let (reader, converter) = guard(&input, PARQUET, || {
        let builder = ParquetRecordBatchReaderBuilder::try_new(reader)
            .map_err(|e| Error::decode(&input, PARQUET, e))?;
        let converter = Converter::new(&input, builder.schema(), options, columns)?;
        let mask =
            ProjectionMask::roots(builder.parquet_schema(), converter.indices.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(CHUNK_ROWS)
            .build()
            .map_err(|e| Error::decode(&input, PARQUET, e))?;
        Ok((reader, converter))
    })?;
    Ok(columnar(input, Box::new(reader), converter, PARQUET))
}

fn ipc_file_chunks<R, F>(
    open: F,
    input: String,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks>
where
    R: Read + Seek + Send + 'static,
    F: Fn() -> Result<R>,
{
    let (reader, converter) = guard(&input, ARROW, || {
        crate::ipc_check::check_file(&mut open()?)
            .map_err(|m| Error::decode(&input, ARROW, std::io::Error::other(m)))?;
        let schema = FileReader::try_new_buffered(open()?, None)
            .map_err(|e| Error::decode(&input, ARROW, e))?
            .schema();
        let converter = Converter::new(&input, &schema, options, columns)?;
        // opened again with the projection: only the columns read are decoded
        let reader = FileReader::try_new_buffered(open()?, Some(converter.indices.clone()))
            .map_err(|e| Error::decode(&input, ARROW, e))?;
        Ok((reader, converter))
    })?;
    Ok(columnar(input, Box::new(reader), converter, ARROW))
}

fn ipc_stream_chunks<R: Read + Seek + Send + 'static>(
    mut reader: R,
    input: String,
    options: &ReadOptions,
    columns: Projection<'_>,
) -> Result<Chunks> {
    // a stream cannot be opened twice: the projection is applied to each batch
    let (reader, converter) = guard(&input, ARROW, || {
        crate::ipc_check::check_stream(&mut reader)
            .map_err(|m| Error::decode(&input, ARROW, std::io::Error::other(m)))?;
        let reader = StreamReader::try_new_buffered(reader, None)
            .map_err(|e| Error::decode(&input, ARROW, e))?;
        let converter = Converter::new(&input, &reader.schema(), options, columns)?;
        Ok((reader, converter))
    })?;
    let indices = converter.indices.clone();
    let batches = reader.map(move |b| b.and_then(|b| b.project(&indices)));
    Ok(columnar(input, Box::new(batches), converter, ARROW))
}
