//! Encoding and decoding of the byte layout, independent of where the bytes live.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! offset  size  field
//! 0       4     magic "DWMB"
//! 4       2     format version (u16)
//! 6       4     header length H (u32)
//! 10      32    SHA-256 of the header JSON
//! 42      H     header JSON (UTF-8), a BundleHeader
//! 42+H    P     payload: MessagePack of the pipeline, maybe zstd; P = header.payload_length
//!               (format v2: tree nodes and leaf values as `bin` blobs; v1: as numbers)
//! ```
//!
//! Reading checks, in this order: magic, format version, header length against the
//! limit and the bytes present, header checksum, header JSON, payload length against the
//! limit and the bytes present, payload checksum, bounded decompression, a walk of the
//! MessagePack (well formed, nesting within the limit), decoding, `Pipeline::validate`.
//! Each step only runs on bytes the previous ones vouched for, and nothing but these
//! decoders runs.

use std::collections::BTreeMap;
use std::io::Read;

use driftwatch_core::{ParamValue, Params, Pipeline};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use crate::error::{Error, Result};
use crate::header::{
    BundleHeader, BundleMeta, Compression, TaskKind, default_crate_versions, is_semver,
};
use crate::limits::Limits;
use crate::msgpack::{WalkError, nesting_depth};

/// The first four bytes of every bundle.
pub const MAGIC: [u8; 4] = *b"DWMB";

/// The format version this build writes, and the newest it reads. Version 2 stores tree
/// nodes and leaf values as byte blobs (MessagePack `bin`); version 1 (numbers one by
/// one) still loads. `docs/FORMAT.md` has the history.
pub const FORMAT_VERSION: u16 = 2;

/// Bytes before the header JSON: magic, version, header length, header checksum.
pub const PRELUDE_LEN: usize = 4 + 2 + 4 + 32;

/// How a bundle is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaveOptions {
    /// Payload compression; default zstd level 3.
    pub compression: Compression,
    /// The limits the bundle must fit so that readers with the same limits accept it.
    pub limits: Limits,
}

/// A loaded bundle: the header and the fitted, validated pipeline.
#[derive(Debug)]
pub struct Bundle {
    /// Everything known about the model without running it.
    pub header: BundleHeader,
    /// The fitted pipeline, ready to transform or predict.
    pub pipeline: Pipeline,
}

/// The fixed-size start of a bundle, parsed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prelude {
    pub version: u16,
    pub header_len: u64,
    pub header_sha256: [u8; 32],
}

/// Parses the prelude from the first bytes of a bundle (`start` may be shorter than
/// [`PRELUDE_LEN`] when the file is) of a file of `total_len` bytes.
pub(crate) fn parse_prelude(
    start: &[u8],
    total_len: u64,
    limits: &Limits,
    file: &str,
) -> Result<Prelude> {
    let n = start.len().min(MAGIC.len());
    if start[..n] != MAGIC[..n] {
        return Err(Error::BadMagic { file: file.into() });
    }
    if start.len() < PRELUDE_LEN {
        if start.is_empty() {
            return Err(Error::BadMagic { file: file.into() });
        }
        return Err(Error::Truncated {
            file: file.into(),
            part: "prelude",
            needed: PRELUDE_LEN as u64,
            present: start.len() as u64,
        });
    }
    let version = u16::from_le_bytes([start[4], start[5]]);
    if version == 0 {
        return Err(Error::Corrupt {
            file: file.into(),
            detail: "format version 0 does not exist".into(),
        });
    }
    if version > FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            file: file.into(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let header_len = u64::from(u32::from_le_bytes([start[6], start[7], start[8], start[9]]));
    if header_len > limits.max_header_bytes {
        return Err(Error::TooLarge {
            file: file.into(),
            part: "header",
            size: header_len,
            limit: limits.max_header_bytes,
            field: "max_header_bytes",
        });
    }
    let present = total_len.saturating_sub(PRELUDE_LEN as u64);
    if header_len > present {
        return Err(Error::Truncated {
            file: file.into(),
            part: "header",
            needed: header_len,
            present,
        });
    }
    let mut header_sha256 = [0u8; 32];
    header_sha256.copy_from_slice(&start[10..PRELUDE_LEN]);
    Ok(Prelude {
        version,
        header_len,
        header_sha256,
    })
}

/// Checks the header bytes against the prelude's checksum and parses them.
pub(crate) fn parse_header(prelude: &Prelude, bytes: &[u8], file: &str) -> Result<BundleHeader> {
    if Sha256::digest(bytes).as_slice() != prelude.header_sha256 {
        return Err(Error::Corrupt {
            file: file.into(),
            detail: "the header does not match its SHA-256 checksum".into(),
        });
    }
    // Every format version so far (1, 2) has the same header; older versions will be
    // upgraded here, field by field, when a newer one changes it. Version 2 changed only
    // the payload encoding of trees, which their decoder reads in both forms.
    let header: BundleHeader = serde_json::from_slice(bytes).map_err(|e| Error::InvalidHeader {
        file: file.into(),
        detail: e.to_string(),
    })?;
    let invalid = |detail: String| Error::InvalidHeader {
        file: file.into(),
        detail,
    };
    if header.format_version != prelude.version {
        return Err(invalid(format!(
            "it says format version {} but the prelude says {}",
            header.format_version, prelude.version
        )));
    }
    if header.payload_sha256.len() != 64
        || !header
            .payload_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(invalid(
            "payload_sha256 is not 64 lower-case hex digits".into(),
        ));
    }
    if header.compression == Compression::None && header.decoded_length != header.payload_length {
        return Err(invalid(format!(
            "an uncompressed payload of {} bytes cannot decode to {} bytes",
            header.payload_length, header.decoded_length
        )));
    }
    Ok(header)
}

/// Checks the payload length stated in the header against the limit and the `present`
/// bytes after the header.
pub(crate) fn check_payload_len(
    header: &BundleHeader,
    present: u64,
    limits: &Limits,
    file: &str,
) -> Result<()> {
    if header.payload_length > limits.max_payload_bytes {
        return Err(Error::TooLarge {
            file: file.into(),
            part: "payload",
            size: header.payload_length,
            limit: limits.max_payload_bytes,
            field: "max_payload_bytes",
        });
    }
    if present < header.payload_length {
        return Err(Error::Truncated {
            file: file.into(),
            part: "payload",
            needed: header.payload_length,
            present,
        });
    }
    if present > header.payload_length {
        return Err(Error::Corrupt {
            file: file.into(),
            detail: format!(
                "{} unexpected bytes follow the {}-byte payload",
                present - header.payload_length,
                header.payload_length
            ),
        });
    }
    Ok(())
}

/// Checks the payload's checksum against the header.
pub(crate) fn check_payload_sha256(
    header: &BundleHeader,
    payload: &[u8],
    file: &str,
) -> Result<()> {
    let found = hex(&Sha256::digest(payload));
    if found != header.payload_sha256 {
        return Err(Error::Corrupt {
            file: file.into(),
            detail: format!(
                "the payload's SHA-256 is {found} but the header says {}",
                header.payload_sha256
            ),
        });
    }
    Ok(())
}

/// Verifies, decompresses (bounded), decodes and validates the payload.
pub(crate) fn decode_payload(
    header: &BundleHeader,
    payload: &[u8],
    limits: &Limits,
    file: &str,
) -> Result<Pipeline> {
    check_payload_sha256(header, payload, file)?;
    if header.decoded_length > limits.max_decoded_bytes {
        return Err(Error::TooLarge {
            file: file.into(),
            part: "decoded payload",
            size: header.decoded_length,
            limit: limits.max_decoded_bytes,
            field: "max_decoded_bytes",
        });
    }
    let decompressed;
    let msgpack: &[u8] = match header.compression {
        Compression::None => payload,
        Compression::Zstd { .. } => {
            decompressed = decompress_bounded(payload, header.decoded_length, file)?;
            &decompressed
        }
    };
    let depth = match nesting_depth(msgpack, limits.max_nesting_depth) {
        Ok(depth) => depth,
        Err(WalkError::TooDeep) => {
            return Err(Error::TooDeep {
                file: file.into(),
                limit: limits.max_nesting_depth,
            });
        }
        Err(WalkError::Malformed(detail)) => {
            return Err(Error::Corrupt {
                file: file.into(),
                detail: format!("the payload is not well-formed MessagePack ({detail})"),
            });
        }
    };
    let pipeline = decode_msgpack(msgpack, depth).map_err(|detail| Error::Decode {
        file: file.into(),
        detail,
        writer: describe_writer(&header.crate_versions),
    })?;
    pipeline
        .validate()
        .map_err(|source| Error::InvalidPipeline {
            file: file.into(),
            source,
        })?;
    Ok(pipeline)
}

/// Deepest nesting decoded on the caller's thread. The serde decoder recurses once per
/// level, and in a debug build a level of a nested pipeline costs about 20 KiB of stack:
/// 32 levels fit in any thread's stack (2 MiB for test and most pool threads), and real
/// pipelines nest about 15 (a column transformer of pipelines inside a pipeline).
const INLINE_MAX_DEPTH: usize = 32;

/// Stack for decoding deeper payloads on a thread of their own, enough for ~3,000 levels
/// in a debug build: far past any limit worth setting. Only reserved address space: the
/// pages a decode does not touch are never allocated.
const DECODE_STACK_BYTES: usize = 64 << 20;

/// Decodes MessagePack (already walked: well formed, `depth` levels deep) into a
/// pipeline, on a thread with a large stack when it nests deeper than is safe inline
/// (spawning one costs ~0.1 ms, more than decoding a small pipeline).
fn decode_msgpack(msgpack: &[u8], depth: usize) -> std::result::Result<Pipeline, String> {
    let run = move || {
        let mut de = rmp_serde::Deserializer::from_read_ref(msgpack);
        // The walk bounded the depth; rmp's own counter is a second guard.
        de.set_max_depth(depth + 1);
        Pipeline::deserialize(&mut de).map_err(|e| e.to_string())
    };
    if depth <= INLINE_MAX_DEPTH {
        return run();
    }
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("driftwatch-bundle-decode".into())
            .stack_size(DECODE_STACK_BYTES)
            .spawn_scoped(scope, run)
            .map_err(|e| format!("cannot start the decoding thread: {e}"))?;
        worker
            .join()
            .unwrap_or_else(|_| Err("the decoder panicked".into()))
    })
}

/// Largest decoded payload decompressed in one call into a buffer of the stated size
/// (faster than streaming); larger ones stream into a buffer that grows as data arrives.
const BULK_MAX_BYTES: u64 = 64 << 20;

/// Decompresses a zstd payload, never producing more than `expected + 1` bytes: a stream
/// that claims little and inflates a lot costs at most that.
///
/// When the frame states its size, that size equals `expected` and is at most
/// [`BULK_MAX_BYTES`], it is decompressed in one call into a buffer of exactly that
/// capacity, which zstd refuses to overrun; otherwise it is streamed and stopped one byte
/// past `expected`.
fn decompress_bounded(payload: &[u8], expected: u64, file: &str) -> Result<Vec<u8>> {
    let failed = |e: std::io::Error| Error::Decompress {
        file: file.into(),
        detail: e.to_string(),
    };
    let stated = zstd::zstd_safe::get_frame_content_size(payload)
        .ok()
        .flatten();
    let mut out;
    match usize::try_from(expected) {
        Ok(len) if expected <= BULK_MAX_BYTES && stated == Some(expected) => {
            out = Vec::with_capacity(len);
            zstd::bulk::Decompressor::new()
                .and_then(|mut d| d.decompress_to_buffer(payload, &mut out))
                .map_err(failed)?;
        }
        _ => {
            let decoder = zstd::stream::read::Decoder::with_buffer(payload).map_err(failed)?;
            // Grow as data arrives rather than trusting the stated size for one allocation.
            out = Vec::with_capacity(usize::try_from(expected.min(BULK_MAX_BYTES)).unwrap_or(0));
            decoder
                .take(expected.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(failed)?;
        }
    }
    if out.len() as u64 != expected {
        return Err(Error::Corrupt {
            file: file.into(),
            detail: if out.len() as u64 > expected {
                format!(
                    "the payload decompresses to more than the {expected} bytes the header states"
                )
            } else {
                format!(
                    "the payload decompresses to {} bytes but the header states {expected}",
                    out.len()
                )
            },
        });
    }
    Ok(out)
}

fn describe_writer(versions: &BTreeMap<String, String>) -> String {
    if versions.is_empty() {
        return "an unknown driftwatch".into();
    }
    versions
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Parses a whole bundle held in memory.
pub(crate) fn decode(bytes: &[u8], limits: &Limits, file: &str) -> Result<Bundle> {
    let header = decode_header(bytes, limits, file)?;
    let start = PRELUDE_LEN + header_len_of(bytes);
    let payload = &bytes[start..];
    check_payload_len(&header, payload.len() as u64, limits, file)?;
    let pipeline = decode_payload(&header, payload, limits, file)?;
    Ok(Bundle { header, pipeline })
}

/// Checks a whole bundle held in memory up to the payload checksum (what
/// [`crate::verify`] does on a file), without decompressing or decoding; returns the header.
pub(crate) fn verify_bytes(bytes: &[u8], limits: &Limits, file: &str) -> Result<BundleHeader> {
    let header = decode_header(bytes, limits, file)?;
    let payload = &bytes[PRELUDE_LEN + header_len_of(bytes)..];
    check_payload_len(&header, payload.len() as u64, limits, file)?;
    check_payload_sha256(&header, payload, file)?;
    Ok(header)
}

/// Parses the prelude and header of a bundle held in memory (the payload is not touched).
pub(crate) fn decode_header(bytes: &[u8], limits: &Limits, file: &str) -> Result<BundleHeader> {
    let prelude = parse_prelude(
        &bytes[..bytes.len().min(PRELUDE_LEN)],
        bytes.len() as u64,
        limits,
        file,
    )?;
    // parse_prelude checked that the header fits in `bytes`.
    let end = PRELUDE_LEN + header_len_of(bytes);
    parse_header(&prelude, &bytes[PRELUDE_LEN..end], file)
}

/// The header length field of bytes already accepted by [`parse_prelude`].
fn header_len_of(bytes: &[u8]) -> usize {
    u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize
}

/// Builds the header and the whole bundle for `pipeline`, checking everything a reader
/// would check.
pub(crate) fn encode(
    meta: &BundleMeta,
    pipeline: &Pipeline,
    opts: &SaveOptions,
    file: &str,
) -> Result<(BundleHeader, Vec<u8>)> {
    check_input(meta, pipeline, opts, file)?;
    let msgpack = rmp_serde::to_vec_named(pipeline).map_err(|e| Error::Encode {
        file: file.into(),
        detail: e.to_string(),
    })?;
    match nesting_depth(&msgpack, opts.limits.max_nesting_depth) {
        Ok(_) => {}
        Err(WalkError::TooDeep) => {
            return Err(Error::TooDeep {
                file: file.into(),
                limit: opts.limits.max_nesting_depth,
            });
        }
        Err(WalkError::Malformed(detail)) => {
            return Err(Error::Encode {
                file: file.into(),
                detail: format!("the encoder wrote malformed MessagePack ({detail})"),
            });
        }
    }
    let too_large = |part, size: u64, limit, field| Error::TooLarge {
        file: file.into(),
        part,
        size,
        limit,
        field,
    };
    let limits = &opts.limits;
    if msgpack.len() as u64 > limits.max_decoded_bytes {
        return Err(too_large(
            "decoded payload",
            msgpack.len() as u64,
            limits.max_decoded_bytes,
            "max_decoded_bytes",
        ));
    }
    let compressed;
    let payload: &[u8] = match opts.compression {
        Compression::None => &msgpack,
        Compression::Zstd { level } => {
            compressed = zstd::bulk::compress(&msgpack, level).map_err(|e| Error::Encode {
                file: file.into(),
                detail: format!("zstd: {e}"),
            })?;
            &compressed
        }
    };
    if payload.len() as u64 > limits.max_payload_bytes {
        return Err(too_large(
            "payload",
            payload.len() as u64,
            limits.max_payload_bytes,
            "max_payload_bytes",
        ));
    }

    let mut crate_versions = meta.crate_versions.clone();
    for (k, v) in default_crate_versions() {
        crate_versions.entry(k).or_insert(v);
    }
    let created_at = meta
        .created_at
        .unwrap_or_else(|| {
            let now = OffsetDateTime::now_utc();
            now.replace_nanosecond(0).unwrap_or(now)
        })
        .to_offset(UtcOffset::UTC);
    let header = BundleHeader {
        format_version: FORMAT_VERSION,
        name: meta.name.clone(),
        version: meta.version.clone(),
        created_at,
        crate_versions,
        schema: meta.schema.clone(),
        target: meta.target.clone(),
        training_metrics: meta.training_metrics.clone(),
        parameters: header_params(pipeline),
        description: meta.description.clone(),
        owner: meta.owner.clone(),
        feature_importances: meta.feature_importances.clone(),
        limitations: meta.limitations.clone(),
        n_train_rows: meta.n_train_rows,
        compression: opts.compression,
        payload_length: payload.len() as u64,
        decoded_length: msgpack.len() as u64,
        payload_sha256: hex(&Sha256::digest(payload)),
    };
    let header_json = serde_json::to_vec_pretty(&header).map_err(|e| Error::Encode {
        file: file.into(),
        detail: format!("header: {e}"),
    })?;
    let header_len = header_json.len() as u64;
    if header_len > limits.max_header_bytes || header_len > u64::from(u32::MAX) {
        return Err(too_large(
            "header",
            header_len,
            limits.max_header_bytes.min(u64::from(u32::MAX)),
            "max_header_bytes",
        ));
    }
    let mut out = Vec::with_capacity(PRELUDE_LEN + header_json.len() + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header_len as u32).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&header_json));
    out.extend_from_slice(&header_json);
    out.extend_from_slice(payload);
    Ok((header, out))
}

/// The pipeline's parameters for the header. JSON has no NaN or infinity, so non-finite
/// floats are written as the text `NaN`, `inf`, `-inf` (which `ParamValue::parse` reads
/// back as the same floats).
fn header_params(pipeline: &Pipeline) -> BTreeMap<String, ParamValue> {
    pipeline
        .get_params()
        .into_iter()
        .map(|(k, v)| match v {
            ParamValue::Float(f) if !f.is_finite() => (k, ParamValue::Str(f.to_string())),
            other => (k, other),
        })
        .collect()
}

/// Refuses input that would make a bundle a reader rejects or misreads.
fn check_input(
    meta: &BundleMeta,
    pipeline: &Pipeline,
    opts: &SaveOptions,
    file: &str,
) -> Result<()> {
    let bad = |detail: String| Error::InvalidInput {
        file: file.into(),
        detail,
    };
    if meta.name.trim().is_empty() {
        return Err(bad("the model name is empty: give the model a name".into()));
    }
    if !is_semver(&meta.version) {
        return Err(bad(format!(
            "model version '{}' is not a semantic version: use MAJOR.MINOR.PATCH, e.g. 1.0.0",
            meta.version
        )));
    }
    if let Compression::Zstd { level } = opts.compression {
        let range = zstd::compression_level_range();
        if !range.contains(&level) {
            return Err(bad(format!(
                "zstd level {level} is outside {}..={}: pick 3 (default) to 19",
                range.start(),
                range.end()
            )));
        }
    }
    if pipeline.input_columns.is_empty() {
        return Err(bad(
            "the pipeline is not fitted (it has no input columns): fit it before saving".into(),
        ));
    }
    pipeline.validate().map_err(|e| {
        bad(format!(
            "the fitted pipeline fails its own checks ({e}): refit it before saving"
        ))
    })?;
    let missing: Vec<&str> = pipeline
        .input_columns
        .iter()
        .filter(|c| meta.schema.column(c).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "the schema lacks column(s) {} that the pipeline was fitted on: build it from the training features (Schema::infer)",
            missing.join(", ")
        )));
    }
    for c in &meta.schema.columns {
        if c.min.is_some_and(|v| !v.is_finite()) || c.max.is_some_and(|v| !v.is_finite()) {
            return Err(bad(format!(
                "schema column '{}' has a non-finite bound, which JSON cannot store: use no bound instead",
                c.name
            )));
        }
    }
    match (&pipeline.model, &meta.target) {
        (Some(m), None) => {
            return Err(bad(format!(
                "the pipeline has a model ('{}') but no target was given: set BundleMeta::target",
                m.name
            )));
        }
        (Some(m), Some(t)) => {
            let is_classifier = m.estimator.is_classifier();
            if is_classifier != (t.kind == TaskKind::Classification) {
                return Err(bad(format!(
                    "target '{}' is marked {:?} but the model '{}' is a {}",
                    t.name,
                    t.kind,
                    m.name,
                    if is_classifier {
                        "classifier"
                    } else {
                        "regressor"
                    }
                )));
            }
        }
        _ => {}
    }
    if let Some((k, v)) = meta.training_metrics.iter().find(|(_, v)| !v.is_finite()) {
        return Err(bad(format!(
            "training metric '{k}' is {v}, which JSON cannot store: leave it out of training_metrics"
        )));
    }
    if let Some((k, v)) = meta
        .feature_importances
        .iter()
        .flatten()
        .find(|(_, v)| !v.is_finite())
    {
        return Err(bad(format!(
            "the importance of feature '{k}' is {v}, which JSON cannot store"
        )));
    }
    Ok(())
}
