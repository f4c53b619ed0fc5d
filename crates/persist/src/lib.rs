//! driftwatch-persist: the `.dwm` model bundle format.
//!
//! A bundle holds a fitted [`Pipeline`] together with what a monitor needs to know about
//! it (schema, target, training metrics, parameters) in one file:
//!
//! ```text
//! "DWMB" | format version u16 LE | header length u32 LE | SHA-256 of header | header JSON | payload
//! ```
//!
//! The payload is the pipeline as MessagePack, optionally zstd-compressed. Loading checks
//! sizes against [`Limits`] and both checksums before it decompresses or decodes anything,
//! and runs nothing but the decoders. `docs/FORMAT.md` describes the format in full.
//!
//! ```no_run
//! # fn main() -> Result<(), driftwatch_persist::Error> {
//! # let (pipeline, schema) = (driftwatch_core::Pipeline::new(), driftwatch_core::Schema::default());
//! use driftwatch_persist::{BundleMeta, SaveOptions, load, read_header, save};
//! let path = std::path::Path::new("model.dwm");
//! save(path, &BundleMeta::new("churn", "1.0.0", schema), &pipeline, &SaveOptions::default())?;
//! let header = read_header(path)?; // cheap: never touches the payload
//! let bundle = load(path)?; // verified, decoded, validated
//! # Ok(()) }
//! ```

mod card;
mod codec;
mod error;
mod file;
mod header;
mod limits;
mod msgpack;
mod reencode;
mod sign;
mod signed_pull;
pub mod store;

use driftwatch_core::Pipeline;

pub use card::{card_html, card_markdown};
pub use codec::{Bundle, FORMAT_VERSION, MAGIC, PRELUDE_LEN, SaveOptions};
/// The Ed25519 key types of [`sign_file`] and [`load_signed`].
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use error::{Error, Result};
pub use file::{load, load_with, read_header, read_header_with, save, verify, verify_with};
pub use header::{
    BundleHeader, BundleMeta, Compression, DEFAULT_ZSTD_LEVEL, TargetInfo, TaskKind,
    default_crate_versions,
};
pub use limits::Limits;
pub use reencode::reencode;
pub use sign::{
    SignatureFile, generate_key, load_signed, read_signing_key, read_verifying_key, sign_file,
    signature_path, verify_signature, write_key_pair,
};
pub use store::{ModelRef, Store};

/// How in-memory bundles are named in error messages.
const BYTES_NAME: &str = "bundle bytes";

/// Encodes a bundle in memory (what [`save`] writes), e.g. to send it over the network.
pub fn to_bytes(meta: &BundleMeta, pipeline: &Pipeline, opts: &SaveOptions) -> Result<Vec<u8>> {
    codec::encode(meta, pipeline, opts, BYTES_NAME).map(|(_, bytes)| bytes)
}

/// Decodes a bundle held in memory with the default [`Limits`], with every check that
/// [`load`] runs.
pub fn from_bytes(bytes: &[u8]) -> Result<Bundle> {
    from_bytes_with(bytes, &Limits::default())
}

/// [`from_bytes`] with the given limits.
pub fn from_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Bundle> {
    codec::decode(bytes, limits, BYTES_NAME)
}

/// Reads only the header of a bundle held in memory (`bytes` may stop after the header).
pub fn header_from_bytes(bytes: &[u8]) -> Result<BundleHeader> {
    codec::decode_header(bytes, &Limits::default(), BYTES_NAME)
}
