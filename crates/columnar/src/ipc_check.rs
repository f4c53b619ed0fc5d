//! Bounds checks of an Arrow IPC file or stream before arrow decodes it.
//!
//! The IPC reader allocates each message body at the length the file declares
//! (an `i64`), before reading it: one damaged length (a flipped byte in the footer)
//! asks for hundreds of gigabytes and aborts the process, which no error handling can
//! catch. These checks walk the declared lengths (footer blocks; stream message
//! headers) and refuse any that runs past the end of the bytes there are. What the
//! flatbuffers themselves hold is left to arrow, which validates them.

use std::io::{Read, Seek, SeekFrom};

fn io(e: std::io::Error) -> String {
    e.to_string()
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, n: usize) -> Result<Vec<u8>, String> {
    r.seek(SeekFrom::Start(at)).map_err(io)?;
    let mut buf = vec![0; n];
    r.read_exact(&mut buf).map_err(io)?;
    Ok(buf)
}

fn le_i32(b: &[u8]) -> i32 {
    let mut a = [0; 4];
    a.copy_from_slice(&b[..4]);
    i32::from_le_bytes(a)
}

/// Whether `start + lengths` stays within `len` (all lengths non-negative).
fn fits(len: u64, start: i64, lengths: &[i64]) -> bool {
    let mut end = start;
    if start < 0 {
        return false;
    }
    for &l in lengths {
        if l < 0 {
            return false;
        }
        match end.checked_add(l) {
            Some(e) => end = e,
            None => return false,
        }
    }
    u64::try_from(end).is_ok_and(|e| e <= len)
}

/// Checks the blocks an IPC file's footer lists; rewinds the reader.
pub(crate) fn check_file<R: Read + Seek>(r: &mut R) -> Result<(), String> {
    let len = r.seek(SeekFrom::End(0)).map_err(io)?;
    let result = (|| {
        if len < 18 {
            return Ok(()); // arrow reports a file too short for its magic and footer
        }
        let tail = read_at(r, len - 10, 10)?;
        let footer_len = i64::from(le_i32(&tail));
        if !fits(len - 10, 8, &[footer_len]) {
            return Err(format!(
                "its footer declares {footer_len} bytes, more than the file holds ({len} bytes)"
            ));
        }
        let footer = read_at(r, len - 10 - footer_len as u64, footer_len as usize)?;
        let Ok(footer) = arrow::ipc::root_as_footer(&footer) else {
            return Ok(()); // arrow reports the malformed footer itself
        };
        let blocks = footer
            .recordBatches()
            .into_iter()
            .flatten()
            .chain(footer.dictionaries().into_iter().flatten());
        for b in blocks {
            if !fits(
                len,
                b.offset(),
                &[i64::from(b.metaDataLength()), b.bodyLength()],
            ) {
                return Err(format!(
                    "a block at offset {} declares {} + {} bytes, past the end of the file \
                     ({len} bytes)",
                    b.offset(),
                    b.metaDataLength(),
                    b.bodyLength()
                ));
            }
        }
        Ok(())
    })();
    r.seek(SeekFrom::Start(0)).map_err(io)?;
    result
}

/// Checks the message lengths of an IPC stream; rewinds the reader.
pub(crate) fn check_stream<R: Read + Seek>(r: &mut R) -> Result<(), String> {
    let len = r.seek(SeekFrom::End(0)).map_err(io)?;
    let mut at = 0u64;
    let result = loop {
        if at + 4 > len {
            break Ok(());
        }
        let first = read_at(r, at, 4)?;
        let (header, meta_len) = if first == [0xFF; 4] {
            if at + 8 > len {
                break Ok(());
            }
            (8, i64::from(le_i32(&read_at(r, at + 4, 4)?)))
        } else {
            (4, i64::from(le_i32(&first))) // the format before Arrow 0.15
        };
        if meta_len == 0 {
            break Ok(()); // end of stream
        }
        let start = at as i64 + header;
        if !fits(len, start, &[meta_len]) {
            break Err(format!(
                "a message at byte {at} declares {meta_len} bytes of metadata, past the end ({len} bytes)"
            ));
        }
        let meta = read_at(r, start as u64, meta_len as usize)?;
        let Ok(message) = arrow::ipc::root_as_message(&meta) else {
            break Ok(()); // arrow reports the malformed message itself
        };
        let body = message.bodyLength();
        if !fits(len, start + meta_len, &[body]) {
            break Err(format!(
                "a message at byte {at} declares a body of {body} bytes, past the end ({len} bytes)"
            ));
        }
        at = (start + meta_len + body) as u64;
    };
    r.seek(SeekFrom::Start(0)).map_err(io)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_fit() {
        assert!(fits(10, 0, &[4, 6]));
        assert!(!fits(10, 0, &[4, 7]));
        assert!(!fits(10, -1, &[1]));
        assert!(!fits(10, 0, &[-1]));
        assert!(!fits(u64::MAX, 1, &[i64::MAX]));
    }
}
