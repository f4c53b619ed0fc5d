//! The one error type of the bundle format.
//!
//! Every variant names the bundle (a file path, or `bundle bytes` for in-memory data) and
//! ends with what the user can do about it, because these messages reach the command line
//! as they are.

use thiserror::Error;

/// Everything that can go wrong writing or reading a `.dwm` bundle.
#[derive(Debug, Error)]
pub enum Error {
    /// The file could not be opened, read, written, synced or renamed.
    #[error("cannot {action} {file}: {source}")]
    Io {
        /// What was being done (`read`, `write`, `rename into place`...).
        action: &'static str,
        /// The file.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file does not start with `DWMB`.
    #[error(
        "{file} is not a driftwatch bundle (bad magic bytes): expected a .dwm file written by driftwatch"
    )]
    BadMagic {
        /// The file.
        file: String,
    },
    /// The bundle was written by a newer driftwatch whose format this build cannot read.
    #[error(
        "{file} uses bundle format version {found}, but this driftwatch reads versions 1 to {supported}: upgrade driftwatch to load it"
    )]
    UnsupportedVersion {
        /// The file.
        file: String,
        /// The version in the file.
        found: u16,
        /// The newest version this build reads.
        supported: u16,
    },
    /// The file ends before a part the bundle says is there.
    #[error(
        "{file} is truncated: the {part} needs {needed} bytes but only {present} are present; the copy is incomplete, copy or save the bundle again"
    )]
    Truncated {
        /// The file.
        file: String,
        /// The part that is cut short (`prelude`, `header`, `payload`).
        part: &'static str,
        /// Bytes the part needs.
        needed: u64,
        /// Bytes available for it.
        present: u64,
    },
    /// A size in the bundle is above the configured [`crate::Limits`].
    #[error(
        "{file}: the {part} is {size} bytes, above the limit of {limit} bytes; if you trust this file, raise Limits::{field}"
    )]
    TooLarge {
        /// The file.
        file: String,
        /// The part that is too large.
        part: &'static str,
        /// Its size (as stated in the file, or as produced).
        size: u64,
        /// The limit in force.
        limit: u64,
        /// The [`crate::Limits`] field that sets this limit.
        field: &'static str,
    },
    /// The pipeline nests arrays and maps deeper than [`crate::Limits`] allows.
    #[error(
        "{file}: the pipeline nests deeper than {limit} levels; if you trust this file, raise Limits::max_nesting_depth"
    )]
    TooDeep {
        /// The file.
        file: String,
        /// The limit in force.
        limit: usize,
    },
    /// The bundle is damaged: a checksum or an internal length does not match.
    #[error("{file} is corrupt: {detail}; restore it from a good copy or save the model again")]
    Corrupt {
        /// The file.
        file: String,
        /// What does not match.
        detail: String,
    },
    /// The header passed its checksum but is not a valid header of this format version.
    #[error(
        "{file}: the bundle header is invalid ({detail}); it was not written by a compatible driftwatch, save the model again"
    )]
    InvalidHeader {
        /// The file.
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// The zstd payload could not be decompressed.
    #[error(
        "{file}: cannot decompress the payload ({detail}); the file is damaged or was not written by driftwatch, save the model again"
    )]
    Decompress {
        /// The file.
        file: String,
        /// The decompressor's message.
        detail: String,
    },
    /// The MessagePack payload does not decode into a pipeline.
    #[error(
        "{file}: cannot decode the pipeline ({detail}); it was written by {writer}, which may use model types or fields this build lacks: load it with that driftwatch version or upgrade"
    )]
    Decode {
        /// The file.
        file: String,
        /// The decoder's message (e.g. an unknown step type).
        detail: String,
        /// The crate versions recorded in the header.
        writer: String,
    },
    /// The decoded pipeline failed its own consistency checks.
    #[error(
        "{file}: the decoded pipeline is inconsistent ({source}); the bundle is damaged or was edited, save the model again"
    )]
    InvalidPipeline {
        /// The file.
        file: String,
        /// The check that failed.
        source: driftwatch_core::Error,
    },
    /// What the caller asked to save cannot make a valid bundle.
    #[error("cannot save {file}: {detail}")]
    InvalidInput {
        /// The destination (or `bundle bytes`).
        file: String,
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// The pipeline could not be encoded as MessagePack.
    #[error("cannot save {file}: encoding the pipeline failed ({detail})")]
    Encode {
        /// The destination (or `bundle bytes`).
        file: String,
        /// The encoder's message.
        detail: String,
    },
    /// `--verify-key` was given but the bundle has no detached signature.
    #[error(
        "{file} is not signed (no {sig} next to it) and a signature was required: sign it with `driftwatch sign {file} --key KEY`, or get the signed bundle and its .sig from the publisher"
    )]
    Unsigned {
        /// The bundle.
        file: String,
        /// The signature file looked for.
        sig: String,
    },
    /// The detached signature does not vouch for this bundle with this key.
    #[error("{file} failed signature verification: {detail}")]
    BadSignature {
        /// The bundle.
        file: String,
        /// What did not match, and what to do.
        detail: String,
    },
    /// A key file is missing, damaged or of the wrong kind.
    #[error("key {file}: {detail}")]
    Key {
        /// The key file.
        file: String,
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// A model store operation cannot be done (bad name, unknown version, conflict).
    #[error("model store {store}: {detail}")]
    Store {
        /// The store directory.
        store: String,
        /// What is wrong and what to do.
        detail: String,
    },
}

/// Result with the bundle [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_the_remedy() {
        let e = Error::UnsupportedVersion {
            file: "model.dwm".into(),
            found: 7,
            supported: 1,
        };
        let text = e.to_string();
        assert!(text.contains("model.dwm") && text.contains("upgrade driftwatch"));
        let e = Error::BadMagic {
            file: "x.csv".into(),
        };
        assert!(
            e.to_string()
                .contains("not a driftwatch bundle (bad magic bytes)")
        );
    }
}
