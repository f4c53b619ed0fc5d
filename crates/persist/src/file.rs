//! Bundles on disk: atomic save, bounded reading.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use driftwatch_core::Pipeline;

use crate::codec::{
    Bundle, PRELUDE_LEN, SaveOptions, check_payload_len, check_payload_sha256, decode_payload,
    encode, parse_header, parse_prelude,
};
use crate::error::{Error, Result};
use crate::header::{BundleHeader, BundleMeta};
use crate::limits::Limits;

/// Writes `pipeline` and `meta` as a bundle at `path`, atomically: the bytes go to a
/// temporary file in the same directory, which is synced and then renamed over `path`, so
/// a crash or a concurrent reader never sees half a bundle.
///
/// Returns the header as written. Fails without touching `path` when the pipeline is not
/// fitted or inconsistent, the metadata cannot make a valid header, or the bundle would
/// exceed `opts.limits`.
pub fn save(
    path: &Path,
    meta: &BundleMeta,
    pipeline: &Pipeline,
    opts: &SaveOptions,
) -> Result<BundleHeader> {
    let file = path.display().to_string();
    let (header, bytes) = encode(meta, pipeline, opts, &file)?;
    write_atomic_named(path, &bytes, &file)?;
    Ok(header)
}

/// Loads a bundle with the default [`Limits`]: every check of the format runs, then the
/// pipeline's own `validate`.
pub fn load(path: &Path) -> Result<Bundle> {
    load_with(path, &Limits::default())
}

/// Loads a bundle with the given limits (raise them only for files you trust).
pub fn load_with(path: &Path, limits: &Limits) -> Result<Bundle> {
    let file = path.display().to_string();
    let mut f = open(path, &file)?;
    let total = file_len(&f, &file)?;
    let (header, after_header) = read_front(&mut f, total, limits, &file)?;
    let payload = read_payload(&mut f, &header, after_header, limits, &file)?;
    let pipeline = decode_payload(&header, &payload, limits, &file)?;
    Ok(Bundle { header, pipeline })
}

/// Reads only the prelude and the header (checksummed), never the payload: fast on large
/// bundles, and what `driftwatch inspect` shows. It does not vouch for the payload; use
/// [`verify`] or [`load`] for that.
pub fn read_header(path: &Path) -> Result<BundleHeader> {
    read_header_with(path, &Limits::default())
}

/// [`read_header`] with the given limits.
pub fn read_header_with(path: &Path, limits: &Limits) -> Result<BundleHeader> {
    let file = path.display().to_string();
    let mut f = open(path, &file)?;
    let total = file_len(&f, &file)?;
    read_front(&mut f, total, limits, &file).map(|(h, _)| h)
}

/// Checks the whole file (header, payload length and payload checksum) without
/// decompressing or decoding the payload; returns the header.
pub fn verify(path: &Path) -> Result<BundleHeader> {
    verify_with(path, &Limits::default())
}

/// [`verify`] with the given limits.
pub fn verify_with(path: &Path, limits: &Limits) -> Result<BundleHeader> {
    let file = path.display().to_string();
    let mut f = open(path, &file)?;
    let total = file_len(&f, &file)?;
    let (header, after_header) = read_front(&mut f, total, limits, &file)?;
    let payload = read_payload(&mut f, &header, after_header, limits, &file)?;
    check_payload_sha256(&header, &payload, &file)?;
    Ok(header)
}

fn open(path: &Path, file: &str) -> Result<File> {
    File::open(path).map_err(|source| Error::Io {
        action: "open",
        file: file.into(),
        source,
    })
}

fn file_len(f: &File, file: &str) -> Result<u64> {
    f.metadata().map(|m| m.len()).map_err(|source| Error::Io {
        action: "read the size of",
        file: file.into(),
        source,
    })
}

fn read_err(file: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        action: "read",
        file: file.into(),
        source,
    }
}

/// Reads and checks the prelude and header; returns the header and the number of bytes
/// the file holds after it.
fn read_front(
    f: &mut File,
    total: u64,
    limits: &Limits,
    file: &str,
) -> Result<(BundleHeader, u64)> {
    let mut start = Vec::with_capacity(PRELUDE_LEN);
    Read::take(&mut *f, PRELUDE_LEN as u64)
        .read_to_end(&mut start)
        .map_err(read_err(file))?;
    // The size from metadata may be stale if the file shrank meanwhile; trust what was read.
    let total = if start.len() < PRELUDE_LEN {
        start.len() as u64
    } else {
        total
    };
    let prelude = parse_prelude(&start, total, limits, file)?;
    // Bounded by the limit and the file size, both checked in parse_prelude.
    let mut header_bytes = vec![0u8; usize::try_from(prelude.header_len).unwrap_or(0)];
    read_exact_or_truncated(f, &mut header_bytes, "header", file)?;
    let header = parse_header(&prelude, &header_bytes, file)?;
    let after = total - PRELUDE_LEN as u64 - prelude.header_len;
    Ok((header, after))
}

/// Reads exactly the payload the header announces, and checks that nothing follows.
fn read_payload(
    f: &mut File,
    header: &BundleHeader,
    present: u64,
    limits: &Limits,
    file: &str,
) -> Result<Vec<u8>> {
    check_payload_len(header, present, limits, file)?;
    let len = usize::try_from(header.payload_length).map_err(|_| Error::TooLarge {
        file: file.into(),
        part: "payload",
        size: header.payload_length,
        limit: usize::MAX as u64,
        field: "max_payload_bytes",
    })?;
    // Read one byte past the payload to notice a file that grew; no zero-filling of
    // the buffer first (the length was bounded by the limit and the file size).
    let mut payload = Vec::with_capacity(len.saturating_add(1));
    Read::take(&mut *f, len as u64 + 1)
        .read_to_end(&mut payload)
        .map_err(read_err(file))?;
    if payload.len() < len {
        return Err(Error::Truncated {
            file: file.into(),
            part: "payload",
            needed: len as u64,
            present: payload.len() as u64,
        });
    }
    if payload.len() > len {
        return Err(Error::Corrupt {
            file: file.into(),
            detail: "unexpected bytes follow the payload (the file grew while it was read?)".into(),
        });
    }
    Ok(payload)
}

fn read_exact_or_truncated(
    f: &mut File,
    buf: &mut [u8],
    part: &'static str,
    file: &str,
) -> Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        match f.read(&mut buf[filled..]) {
            Ok(0) => {
                return Err(Error::Truncated {
                    file: file.into(),
                    part,
                    needed: buf.len() as u64,
                    present: filled as u64,
                });
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(read_err(file)(e)),
        }
    }
    Ok(())
}

/// [`write_atomic_named`] with errors naming `path` itself.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_named(path, bytes, &path.display().to_string())
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to a fresh temporary file next to `path`, syncs it, renames it over
/// `path` and syncs the directory (where the platform allows), so `path` holds either
/// the old or the new bundle, never a mix.
pub(crate) fn write_atomic_named(path: &Path, bytes: &[u8], file: &str) -> Result<()> {
    let name = path.file_name().ok_or_else(|| Error::InvalidInput {
        file: file.into(),
        detail: "the path has no file name: give a path like model.dwm".into(),
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let io = |action: &'static str, at: &Path| {
        let at = at.display().to_string();
        move |source| Error::Io {
            action,
            file: at,
            source,
        }
    };
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(io("create the temporary file", &tmp))?;
    let written = f
        .write_all(bytes)
        .map_err(io("write", &tmp))
        .and_then(|()| f.sync_all().map_err(io("sync", &tmp)));
    drop(f);
    let moved =
        written.and_then(|()| fs::rename(&tmp, path).map_err(io("rename into place", path)));
    if let Err(e) = moved {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // Make the rename itself durable. Directories cannot be opened for syncing on every
    // platform (e.g. Windows), and the bundle is complete either way, so failure is fine.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
