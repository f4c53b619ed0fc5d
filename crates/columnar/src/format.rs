//! Which reader a file needs: its magic bytes first, then its name, then the format
//! asked for (`--input-format`), so a Parquet file named `.csv` still reads and a CSV
//! named `.parquet` is refused with a message instead of decoded as garbage.

use std::path::Path;

use driftwatch_core::TableFormat;

use crate::error::{Error, Result};

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// Delimited text (core's reader).
    Csv,
    /// Apache Parquet (starts and ends with `PAR1`).
    Parquet,
    /// The Arrow IPC file format, also Feather v2 (starts with `ARROW1`).
    ArrowFile,
    /// The Arrow IPC stream format (starts with the continuation marker `0xFFFFFFFF`).
    ArrowStream,
}

/// How many leading bytes [`detect`] looks at.
pub const HEAD_BYTES: usize = 8;

const PARQUET_MAGIC: &[u8] = b"PAR1";
const ARROW_MAGIC: &[u8] = b"ARROW1";
const STREAM_MARKER: &[u8] = &[0xFF, 0xFF, 0xFF, 0xFF];
const FEATHER_V1_MAGIC: &[u8] = b"FEA1";

const PARQUET_EXTENSIONS: [&str; 2] = ["parquet", "pq"];
const ARROW_EXTENSIONS: [&str; 4] = ["arrow", "arrows", "ipc", "feather"];

/// What the first bytes say, if anything.
fn sniff(head: &[u8]) -> Option<Magic> {
    if head.starts_with(PARQUET_MAGIC) {
        Some(Magic::Parquet)
    } else if head.starts_with(ARROW_MAGIC) {
        Some(Magic::ArrowFile)
    } else if head.starts_with(STREAM_MARKER) {
        Some(Magic::ArrowStream)
    } else if head.starts_with(FEATHER_V1_MAGIC) {
        Some(Magic::FeatherV1)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    Parquet,
    ArrowFile,
    ArrowStream,
    FeatherV1,
}

impl Magic {
    fn describe(self) -> &'static str {
        match self {
            Magic::Parquet => "it starts with PAR1: it is a Parquet file (--input-format parquet)",
            Magic::ArrowFile => {
                "it starts with ARROW1: it is an Arrow IPC file (--input-format arrow)"
            }
            Magic::ArrowStream => {
                "it starts with 0xFFFFFFFF: it looks like an Arrow IPC stream (--input-format arrow)"
            }
            Magic::FeatherV1 => "it starts with FEA1: it is a Feather v1 file",
        }
    }
}

/// The file extension, lower case.
fn extension(input: &str) -> Option<String> {
    Path::new(input)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Decides how to read `input` from its first bytes `head` (at least [`HEAD_BYTES`]
/// when the file has them), its name and the format asked for (`None`: automatic).
///
/// The magic bytes win over the name; a name that promises Parquet or Arrow without
/// the magic, a format asked for that the bytes contradict, and Feather v1 (a format
/// the Arrow crates no longer read) are errors that say what the file looks like.
pub fn detect(input: &str, head: &[u8], asked: Option<TableFormat>) -> Result<Detected> {
    let magic = sniff(head);
    let refuse = |message: String| {
        Err(Error::Format {
            path: input.to_string(),
            message,
        })
    };
    let looks = || match magic {
        Some(m) => format!(" ({})", m.describe()),
        None if head.is_empty() => " (it is empty)".to_string(),
        None => " (it looks like text: --input-format csv)".to_string(),
    };
    if magic == Some(Magic::FeatherV1) {
        return refuse(
            "it is a Feather v1 file, which driftwatch does not read; save it again as \
             Feather v2 (pyarrow.feather.write_feather's default) or Parquet"
                .to_string(),
        );
    }
    match asked {
        Some(TableFormat::Csv) => match magic {
            Some(m @ (Magic::Parquet | Magic::ArrowFile)) => refuse(format!(
                "--input-format csv was given, but {}; drop --input-format or pass that one",
                m.describe()
            )),
            _ => Ok(Detected::Csv),
        },
        Some(TableFormat::Parquet) => match magic {
            Some(Magic::Parquet) => Ok(Detected::Parquet),
            _ => refuse(format!(
                "not a Parquet file: it does not start with the magic bytes PAR1{}",
                looks()
            )),
        },
        Some(TableFormat::Arrow) => match magic {
            Some(Magic::ArrowFile) => Ok(Detected::ArrowFile),
            Some(Magic::ArrowStream) => Ok(Detected::ArrowStream),
            _ => refuse(format!(
                "not an Arrow IPC file or stream: it starts with neither ARROW1 nor 0xFFFFFFFF{}",
                looks()
            )),
        },
        None => match magic {
            Some(Magic::Parquet) => Ok(Detected::Parquet),
            Some(Magic::ArrowFile) => Ok(Detected::ArrowFile),
            Some(Magic::ArrowStream) => Ok(Detected::ArrowStream),
            Some(Magic::FeatherV1) | None => match extension(input).as_deref() {
                Some(e) if PARQUET_EXTENSIONS.contains(&e) => refuse(format!(
                    "named .{e} but not a Parquet file: it does not start with the magic bytes PAR1{}",
                    looks()
                )),
                Some(e) if ARROW_EXTENSIONS.contains(&e) => refuse(format!(
                    "named .{e} but not an Arrow IPC file or stream: it starts with neither \
                     ARROW1 nor 0xFFFFFFFF{}",
                    looks()
                )),
                _ => Ok(Detected::Csv),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<Detected>) -> String {
        match r {
            Ok(d) => panic!("expected an error, got {d:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn magic_bytes_win_over_the_name() {
        assert_eq!(
            detect("a.csv", b"PAR1\x15\x04", None).ok(),
            Some(Detected::Parquet)
        );
        assert_eq!(
            detect("a", b"ARROW1\0\0", None).ok(),
            Some(Detected::ArrowFile)
        );
        assert_eq!(
            detect("a.feather", b"\xff\xff\xff\xff\x10\0", None).ok(),
            Some(Detected::ArrowStream)
        );
        assert_eq!(detect("a.txt", b"a,b\n1,2", None).ok(), Some(Detected::Csv));
        assert_eq!(detect("a.txt", b"", None).ok(), Some(Detected::Csv));
        assert_eq!(
            detect("standard input", b"x\n", None).ok(),
            Some(Detected::Csv)
        );
    }

    #[test]
    fn a_name_that_lies_is_refused() {
        let e = msg(detect("data/x.parquet", b"a,b\n1,2", None));
        assert!(
            e.starts_with("data/x.parquet: named .parquet but not a Parquet file")
                && e.contains("looks like text"),
            "{e}"
        );
        let e = msg(detect("x.PQ", b"", None));
        assert!(e.contains("named .pq") && e.contains("it is empty"), "{e}");
        let e = msg(detect("x.arrow", b"PAR", None));
        assert!(e.contains("not an Arrow IPC file"), "{e}");
        let e = msg(detect("x.feather", b"FEA1\0\0\0\0", None));
        assert!(e.contains("Feather v1") && e.contains("Feather v2"), "{e}");
    }

    #[test]
    fn the_format_asked_for_must_match_the_bytes() {
        assert_eq!(
            detect("x.csv", b"PAR1", Some(TableFormat::Parquet)).ok(),
            Some(Detected::Parquet)
        );
        let e = msg(detect("x.parquet", b"a,b\n", Some(TableFormat::Parquet)));
        assert!(
            e.contains("not a Parquet file") && e.contains("--input-format csv"),
            "{e}"
        );
        let e = msg(detect("x", b"ARROW1\0\0", Some(TableFormat::Parquet)));
        assert!(e.contains("--input-format arrow"), "{e}");
        let e = msg(detect("x", b"PAR1", Some(TableFormat::Csv)));
        assert!(
            e.contains("--input-format csv was given") && e.contains("Parquet"),
            "{e}"
        );
        // a CSV named .parquet is read as CSV when CSV is asked for
        assert_eq!(
            detect("x.parquet", b"a\n1\n", Some(TableFormat::Csv)).ok(),
            Some(Detected::Csv)
        );
        assert_eq!(
            detect("x", b"\xff\xff\xff\xff", Some(TableFormat::Arrow)).ok(),
            Some(Detected::ArrowStream)
        );
        let e = msg(detect("x", b"a,b", Some(TableFormat::Arrow)));
        assert!(e.contains("neither ARROW1"), "{e}");
    }
}
