//! Writes a [`Frame`] as CSV, the inverse of the reader: missing values become empty
//! cells, so a written file reads back to the same frame.

use std::io::Write;

use crate::error::{Error, Result};
use crate::frame::Frame;

/// Writes `frame` with a header row; `output` names the destination in errors.
pub fn write_csv<W: Write>(frame: &Frame, writer: W, output: &str) -> Result<()> {
    let io = |e: csv::Error| Error::Io {
        path: output.to_string(),
        source: std::io::Error::other(e),
    };
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(frame.names()).map_err(io)?;
    for row in 0..frame.n_rows() {
        w.write_record(frame.columns().iter().map(|c| c.display_value(row)))
            .map_err(io)?;
    }
    w.flush().map_err(|source| Error::Io {
        path: output.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{ReadOptions, read_csv};

    #[test]
    fn round_trips_through_the_reader() {
        let text = "a,b\n1.5,x\n,y\n3,\n";
        let f = read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
        let mut out = Vec::new();
        write_csv(&f, &mut out, "mem").unwrap();
        let back = read_csv(out.as_slice(), "mem", &ReadOptions::default()).unwrap();
        assert_eq!(back.n_rows(), 3);
        assert_eq!(back.column("a").unwrap().missing_count(), 1);
        assert_eq!(back.column("b").unwrap().display_value(1), "y");
        assert_eq!(String::from_utf8(out).unwrap(), "a,b\n1.5,x\n,y\n3,\n");
    }
}
