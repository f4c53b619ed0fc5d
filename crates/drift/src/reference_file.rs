//! The `.dwr` reference file: a fitted [`DriftReference`] saved once by
//! `driftwatch reference build` and loaded by `driftwatch drift --reference`.
//!
//! Layout (little endian): magic `DWRF`, format version (u16: 1, or 2 when a column is
//! a quantile sketch), payload length (u64),
//! SHA-256 of the payload (32 bytes), then the payload: the reference as MessagePack
//! (`rmp-serde`, named fields). Loading checks the magic, the version, the length
//! against the file and a size limit, the checksum, then decodes and validates the
//! reference (sorted samples, bin counts matching edges, sorted levels), so a truncated,
//! corrupt or hand-made file is an error, never a panic or a wrong result.

use std::path::Path;

use sha2::{Digest, Sha256};
use thiserror::Error as ThisError;

use crate::columns::DriftReference;

/// First bytes of every reference file.
pub const REFERENCE_MAGIC: [u8; 4] = *b"DWRF";

/// The newest format version, written when a reference holds a sketched column
/// (version 2 added `ColumnReference::Sketch`); a reference without one is written as
/// version 1, byte for byte as before, so older readers keep reading it.
pub const REFERENCE_FORMAT_VERSION: u16 = 2;

/// The version of files whose columns are all exact.
pub const REFERENCE_FORMAT_VERSION_EXACT: u16 = 1;

/// Bytes before the payload: magic, version, length, checksum.
pub const REFERENCE_PRELUDE_LEN: usize = 4 + 2 + 8 + 32;

/// Largest payload [`load_reference`] accepts by default (4 GiB): a bound on memory
/// for a damaged length field.
pub const DEFAULT_MAX_REFERENCE_BYTES: u64 = 4 << 30;

/// Why a reference file could not be written or read.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum ReferenceFileError {
    /// The file could not be read or written.
    #[error("cannot access reference file: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes do not start with the magic.
    #[error(
        "not a driftwatch reference file (no DWRF magic); build one with `driftwatch reference build`"
    )]
    NotAReference,
    /// A newer format.
    #[error(
        "reference file format version {found} is not supported (this build reads 1 to {REFERENCE_FORMAT_VERSION}); rebuild it with this driftwatch"
    )]
    Version {
        /// The version in the file.
        found: u16,
    },
    /// The file is shorter or longer than its header says, or over the limit.
    #[error("reference file is truncated or damaged: {0}; rebuild it")]
    Length(String),
    /// The checksum does not match.
    #[error("reference file checksum mismatch (the file is corrupt); rebuild it")]
    Checksum,
    /// The reference could not be encoded.
    #[error("cannot encode the reference: {0}")]
    Encode(#[source] rmp_serde::encode::Error),
    /// The payload does not decode.
    #[error("reference file content does not decode: {0}; rebuild it")]
    Decode(#[source] rmp_serde::decode::Error),
    /// The payload decodes to an inconsistent reference.
    #[error("reference file content is invalid: {0}; rebuild it")]
    Invalid(#[source] crate::Error),
}

/// The reference as file bytes.
///
/// # Errors
/// [`ReferenceFileError::Encode`] if serialisation fails.
pub fn reference_to_bytes(reference: &DriftReference) -> Result<Vec<u8>, ReferenceFileError> {
    let payload = rmp_serde::to_vec_named(reference).map_err(ReferenceFileError::Encode)?;
    let mut out = Vec::with_capacity(REFERENCE_PRELUDE_LEN + payload.len());
    out.extend_from_slice(&REFERENCE_MAGIC);
    let version = if reference.has_sketch() {
        REFERENCE_FORMAT_VERSION
    } else {
        REFERENCE_FORMAT_VERSION_EXACT
    };
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Whether `bytes` start like a reference file (for callers that accept a CSV or a
/// reference in the same argument).
#[must_use]
pub fn is_reference_bytes(bytes: &[u8]) -> bool {
    bytes.starts_with(&REFERENCE_MAGIC)
}

/// Reads a reference back from its bytes, with a payload limit.
///
/// # Errors
/// See [`ReferenceFileError`]; never panics on any input.
pub fn reference_from_bytes(
    bytes: &[u8],
    max_payload: u64,
) -> Result<DriftReference, ReferenceFileError> {
    if !is_reference_bytes(bytes) {
        return Err(ReferenceFileError::NotAReference);
    }
    if bytes.len() < REFERENCE_PRELUDE_LEN {
        return Err(ReferenceFileError::Length(format!(
            "{} bytes, shorter than the {REFERENCE_PRELUDE_LEN}-byte header",
            bytes.len()
        )));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if !(REFERENCE_FORMAT_VERSION_EXACT..=REFERENCE_FORMAT_VERSION).contains(&version) {
        return Err(ReferenceFileError::Version { found: version });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[6..14]);
    let len = u64::from_le_bytes(len);
    if len > max_payload {
        return Err(ReferenceFileError::Length(format!(
            "payload of {len} bytes is over the limit of {max_payload}"
        )));
    }
    let payload = &bytes[REFERENCE_PRELUDE_LEN..];
    if payload.len() as u64 != len {
        return Err(ReferenceFileError::Length(format!(
            "header says {len} payload bytes, the file holds {}",
            payload.len()
        )));
    }
    if Sha256::digest(payload).as_slice() != &bytes[14..REFERENCE_PRELUDE_LEN] {
        return Err(ReferenceFileError::Checksum);
    }
    let reference: DriftReference =
        rmp_serde::from_slice(payload).map_err(ReferenceFileError::Decode)?;
    if version == REFERENCE_FORMAT_VERSION_EXACT && reference.has_sketch() {
        return Err(ReferenceFileError::Length(
            "a version 1 file holds a sketched column (only version 2 may)".into(),
        ));
    }
    reference.validate().map_err(ReferenceFileError::Invalid)?;
    Ok(reference)
}

/// Writes the reference to `path`.
///
/// # Errors
/// I/O or serialisation failures.
pub fn save_reference(path: &Path, reference: &DriftReference) -> Result<(), ReferenceFileError> {
    std::fs::write(path, reference_to_bytes(reference)?)?;
    Ok(())
}

/// Reads a reference from `path` (payload limit [`DEFAULT_MAX_REFERENCE_BYTES`]); the
/// file size is checked before it is read into memory.
///
/// # Errors
/// See [`ReferenceFileError`].
pub fn load_reference(path: &Path) -> Result<DriftReference, ReferenceFileError> {
    let size = std::fs::metadata(path)?.len();
    if size > DEFAULT_MAX_REFERENCE_BYTES + REFERENCE_PRELUDE_LEN as u64 {
        return Err(ReferenceFileError::Length(format!(
            "file of {size} bytes is over the limit of {DEFAULT_MAX_REFERENCE_BYTES}"
        )));
    }
    reference_from_bytes(&std::fs::read(path)?, DEFAULT_MAX_REFERENCE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn fitted() -> DriftReference {
        let f = read_csv(
            "x,c\n1,a\n2.5,b\nNA,a\n4,b\n5,\n".as_bytes(),
            "t.csv",
            &ReadOptions::default(),
        )
        .unwrap();
        DriftReference::fit(&f, &[]).unwrap()
    }

    #[test]
    fn round_trip_is_exact() {
        let r = fitted();
        let bytes = reference_to_bytes(&r).unwrap();
        assert_eq!(&bytes[..4], b"DWRF");
        assert_eq!(reference_from_bytes(&bytes, u64::MAX).unwrap(), r);
    }

    #[test]
    fn a_sketched_reference_is_version_2_and_round_trips() {
        let exact = fitted();
        assert_eq!(reference_to_bytes(&exact).unwrap()[4..6], [1, 0]);
        let mut r = exact.clone();
        let mut s = crate::sketch::QuantileSketch::new(8);
        s.extend(&(0..100).map(f64::from).collect::<Vec<_>>());
        r.columns[0].reference = crate::columns::ColumnReference::Sketch(Box::new(s));
        r.columns[0].rows = 100 + r.columns[0].missing;
        let bytes = reference_to_bytes(&r).unwrap();
        assert_eq!(bytes[4..6], [2, 0]);
        assert_eq!(reference_from_bytes(&bytes, u64::MAX).unwrap(), r);
        // merges with an exact part, as a sketch
        let merged = r.merge(&exact).unwrap();
        assert!(merged.columns[0].reference.is_sketch());
        assert_eq!(merged.validate(), Ok(()));
    }

    #[test]
    fn damaged_files_are_errors() {
        let bytes = reference_to_bytes(&fitted()).unwrap();
        assert!(matches!(
            reference_from_bytes(b"x,y\n1,2\n", u64::MAX),
            Err(ReferenceFileError::NotAReference)
        ));
        for cut in [0, 3, 10, 45, bytes.len() - 1] {
            assert!(reference_from_bytes(&bytes[..cut], u64::MAX).is_err());
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x55;
        assert!(matches!(
            reference_from_bytes(&flipped, u64::MAX),
            Err(ReferenceFileError::Checksum)
        ));
        let mut v2 = bytes.clone();
        v2[4] = 9;
        assert!(matches!(
            reference_from_bytes(&v2, u64::MAX),
            Err(ReferenceFileError::Version { found: 9 })
        ));
        assert!(matches!(
            reference_from_bytes(&bytes, 3),
            Err(ReferenceFileError::Length(_))
        ));
    }

    #[test]
    fn an_inconsistent_reference_is_invalid_with_the_reason_as_source() {
        let mut r = fitted();
        r.columns[1].name = "x".into();
        let bytes = reference_to_bytes(&r).unwrap();
        let e = reference_from_bytes(&bytes, u64::MAX).unwrap_err();
        assert!(
            matches!(&e, ReferenceFileError::Invalid(crate::Error::DuplicateColumn { column }) if column == "x"),
            "{e:?}"
        );
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("column 'x' appears twice in the reference")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut bytes = REFERENCE_MAGIC.to_vec();
            bytes.extend_from_slice(&1u16.to_le_bytes());
            bytes.extend_from_slice(&tail);
            let _ = reference_from_bytes(&bytes, 1 << 20);
            // and with a correct length and checksum but random payload
            let mut framed = REFERENCE_MAGIC.to_vec();
            framed.extend_from_slice(&1u16.to_le_bytes());
            framed.extend_from_slice(&(tail.len() as u64).to_le_bytes());
            framed.extend_from_slice(&Sha256::digest(&tail));
            framed.extend_from_slice(&tail);
            let _ = reference_from_bytes(&framed, 1 << 20);
        }
    }
}
