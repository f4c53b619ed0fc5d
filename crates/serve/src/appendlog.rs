//! An append-only file shared by request handlers: each append is one `write_all` of
//! whole lines under a lock, so concurrent requests never interleave lines.
//!
//! A `kill -9` cannot tear a small append in practice (the kernel has the whole buffer
//! when `write` starts), but Linux does stop a write at a page boundary when a fatal
//! signal arrives, so a torn last line is possible in principle. Such a line was never
//! acknowledged (the answer is sent after the write returns), so [`AppendLog::open`]
//! cuts a file that does not end with a newline back to its last whole line, and the
//! file holds only whole lines again before anything is appended.
//!
//! fsync policy: with `sync` set (the labels file) every append is `sync_data`'d before
//! the request is acknowledged, so an acknowledged label survives a crash. The
//! prediction log is not synced per request (that would cost a disk flush per
//! prediction); its lines reach the OS at once and the disk when the OS writes them
//! back, and are synced at shutdown.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// An append-only file.
#[derive(Debug)]
pub struct AppendLog {
    path: PathBuf,
    file: Mutex<File>,
    sync: bool,
}

impl AppendLog {
    /// Opens (creating) `path` for appending; `sync` makes every append durable. A torn
    /// last line (no newline at the end: a crash mid-write) is cut off first.
    pub fn open(path: &Path, sync: bool) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        let len = file.metadata()?.len();
        let whole = whole_lines_len(&file, len)?;
        if whole < len {
            tracing::warn!(
                "{}: cut a torn last line of {} bytes (a crash mid-write; never acknowledged)",
                path.display(),
                len - whole
            );
            file.set_len(whole)?;
            file.sync_data()?;
        }
        Ok(AppendLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            sync,
        })
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `bytes` (whole lines) in one write; syncs when the log was opened so.
    pub fn append(&self, bytes: &[u8]) -> std::io::Result<()> {
        // A poisoned lock only means another append panicked; the file is still usable.
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(bytes)?;
        if self.sync {
            f.sync_data()?;
        }
        Ok(())
    }

    /// Like [`AppendLog::append`], then hands the written bytes to `then` while still
    /// holding the lock, so `then` sees the appends in file order (live monitoring
    /// places lines in windows by their position in the file).
    pub fn append_then(&self, bytes: &[u8], then: impl FnOnce(&[u8])) -> std::io::Result<()> {
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(bytes)?;
        if self.sync {
            f.sync_data()?;
        }
        then(bytes);
        Ok(())
    }

    /// Flushes everything to disk (at shutdown).
    pub fn sync(&self) -> std::io::Result<()> {
        let f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.sync_data()
    }
}

/// The length of `file`'s whole lines: up to and including its last newline (`len`
/// when it ends with one or is empty).
fn whole_lines_len(file: &File, len: u64) -> std::io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut reader = file;
    let mut end = len;
    let mut buf = [0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        reader.seek(SeekFrom::Start(start))?;
        reader.read_exact(chunk)?;
        if end == len && chunk.last() == Some(&b'\n') {
            return Ok(len);
        }
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_whole_lines() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("a.log");
        let log = AppendLog::open(&p, true)?;
        log.append(b"one\n")?;
        log.append(b"two\n")?;
        let mut seen = Vec::new();
        log.append_then(b"three\n", |b| seen.extend_from_slice(b))?;
        log.sync()?;
        assert_eq!(std::fs::read_to_string(&p)?, "one\ntwo\nthree\n");
        assert_eq!(seen, b"three\n");
        assert_eq!(log.path(), p);
        Ok(())
    }

    #[test]
    fn a_torn_last_line_is_cut_on_open() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("a.log");
        std::fs::write(&p, "one\ntwo\nthr")?;
        AppendLog::open(&p, false)?.append(b"four\n")?;
        assert_eq!(std::fs::read_to_string(&p)?, "one\ntwo\nfour\n");
        // A torn first line, and a last line longer than one read chunk.
        std::fs::write(&p, "torn")?;
        AppendLog::open(&p, false)?;
        assert_eq!(std::fs::read_to_string(&p)?, "");
        let long = format!("head\n{}", "x".repeat(10_000));
        std::fs::write(&p, &long)?;
        AppendLog::open(&p, false)?;
        assert_eq!(std::fs::read_to_string(&p)?, "head\n");
        // Whole lines are left alone.
        AppendLog::open(&p, false)?;
        assert_eq!(std::fs::read_to_string(&p)?, "head\n");
        Ok(())
    }
}
