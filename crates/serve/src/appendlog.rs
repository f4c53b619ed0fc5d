//! An append-only file shared by request handlers: each append is one `write_all` of
//! whole lines under a lock, so concurrent requests never interleave lines.
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
    /// Opens (creating) `path` for appending; `sync` makes every append durable.
    pub fn open(path: &Path, sync: bool) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
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
}
