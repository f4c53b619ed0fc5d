//! Detached Ed25519 signatures of bundles: who made a bundle, and that nobody changed it.
//!
//! The checksums inside a bundle detect damage but anyone can recompute them. A signature
//! made with a secret key, checked with the matching public key, detects tampering. It is
//! stored next to the bundle in `FILE.sig` (a small JSON document) so that signing never
//! rewrites the bundle and the bundle format stays as it is; `docs/FORMAT.md` explains
//! the choice.
//!
//! What is signed: the bytes `driftwatch-bundle-signature-v1\0` followed by the 32-byte
//! SHA-256 of the whole bundle file. [`load_signed`] reads the file once, checks the
//! signature on exactly the bytes it then decodes, so the file cannot change between the
//! check and the load.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codec::{self, Bundle, PRELUDE_LEN, hex};
use crate::error::{Error, Result};
use crate::header::BundleHeader;
use crate::limits::Limits;

/// Domain separation: a signature over a bundle is never valid for anything else.
const CONTEXT: &[u8] = b"driftwatch-bundle-signature-v1\0";
/// First word of a secret key file.
const SECRET_TAG: &str = "driftwatch-ed25519-secret-key";
/// First word of a public key file.
const PUBLIC_TAG: &str = "driftwatch-ed25519-public-key";
/// `format` of a signature file.
const SIG_FORMAT: &str = "driftwatch-bundle-signature";

/// The detached signature file `FILE.sig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureFile {
    /// Always `driftwatch-bundle-signature`.
    pub format: String,
    /// Version of this document's layout (1).
    pub version: u32,
    /// Always `ed25519`.
    pub algorithm: String,
    /// SHA-256 of the whole bundle file, lower-case hex.
    pub file_sha256: String,
    /// The signer's public key, lower-case hex (32 bytes), so a mismatch can be named.
    pub public_key: String,
    /// The Ed25519 signature of `CONTEXT || sha256(file)`, lower-case hex (64 bytes).
    pub signature: String,
    /// Model name from the header, informational.
    pub model: String,
    /// Model version from the header, informational.
    pub model_version: String,
}

/// Where the detached signature of `bundle` lives: `bundle` with `.sig` appended.
pub fn signature_path(bundle: &Path) -> PathBuf {
    let mut s = bundle.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

/// A fresh key pair from the operating system's random number generator.
pub fn generate_key() -> Result<SigningKey> {
    use rand::TryRngCore;
    let mut seed = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .map_err(|e| Error::Key {
            file: "the system random number generator".into(),
            detail: format!("cannot draw a key: {e}"),
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes `NAME.key` (secret, owner-only permissions on Unix) and `NAME.pub` for the
/// path stem `out` and returns both paths. Refuses to overwrite existing key files.
pub fn write_key_pair(out: &Path, key: &SigningKey) -> Result<(PathBuf, PathBuf)> {
    let with_ext = |ext: &str| {
        let mut s = out.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s)
    };
    let (secret, public) = (with_ext(".key"), with_ext(".pub"));
    for p in [&secret, &public] {
        if p.exists() {
            return Err(Error::Key {
                file: p.display().to_string(),
                detail: "already exists; keys are never overwritten, choose another --output"
                    .into(),
            });
        }
    }
    write_new(
        &secret,
        &format!("{SECRET_TAG} {}\n", hex(&key.to_bytes())),
        true,
    )?;
    write_new(
        &public,
        &format!("{PUBLIC_TAG} {}\n", hex(key.verifying_key().as_bytes())),
        false,
    )?;
    Ok((secret, public))
}

fn write_new(path: &Path, text: &str, secret: bool) -> Result<()> {
    let io = |action: &'static str| {
        let file = path.display().to_string();
        move |source| Error::Io {
            action,
            file,
            source,
        }
    };
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = opts.open(path).map_err(io("create"))?;
    f.write_all(text.as_bytes()).map_err(io("write"))?;
    f.sync_all().map_err(io("sync"))
}

/// Reads a secret key written by [`write_key_pair`].
pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    let bytes = read_key(path, SECRET_TAG, PUBLIC_TAG, "--verify-key")?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Reads a public key written by [`write_key_pair`].
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey> {
    let bytes = read_key(path, PUBLIC_TAG, SECRET_TAG, "--key")?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| Error::Key {
        file: path.display().to_string(),
        detail: format!("not a valid Ed25519 public key ({e})"),
    })
}

fn read_key(path: &Path, tag: &str, other: &str, other_flag: &str) -> Result<[u8; 32]> {
    let file = path.display().to_string();
    let mut text = String::new();
    File::open(path)
        .and_then(|f| f.take(4096).read_to_string(&mut text))
        .map_err(|source| Error::Io {
            action: "read the key file",
            file: file.clone(),
            source,
        })?;
    let bad = |detail: String| Error::Key {
        file: file.clone(),
        detail,
    };
    let mut words = text.split_whitespace();
    match words.next() {
        Some(t) if t == tag => {}
        Some(t) if t == other => {
            return Err(bad(format!(
                "this is a {} key file; it belongs with {other_flag}",
                if other == SECRET_TAG {
                    "secret"
                } else {
                    "public"
                }
            )));
        }
        _ => {
            return Err(bad(format!(
                "not a driftwatch key file (it should start with `{tag}`); make one with `driftwatch keygen --output NAME`"
            )));
        }
    }
    let hex_key = words.next().unwrap_or_default();
    let bytes = unhex(hex_key)
        .filter(|b| b.len() == 32)
        .ok_or_else(|| bad("the key is not 64 hex digits; the file is damaged".into()))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// Signs the bundle at `path` with `key`: checks the bundle (header and payload
/// checksums) first, so a damaged bundle is never signed, then writes `path.sig`
/// atomically. Returns the signature document.
pub fn sign_file(path: &Path, key: &SigningKey) -> Result<SignatureFile> {
    let file = path.display().to_string();
    let limits = Limits::default();
    let bytes = read_bounded(path, &limits)?;
    let header = codec::verify_bytes(&bytes, &limits, &file)?;
    let sig = sign_bytes(&bytes, &header, key);
    let json = serde_json::to_vec_pretty(&sig).map_err(|e| Error::Encode {
        file: file.clone(),
        detail: e.to_string(),
    })?;
    crate::file::write_atomic(&signature_path(path), &json)?;
    Ok(sig)
}

/// The signature document of bundle bytes (already checked) with `key`.
fn sign_bytes(bytes: &[u8], header: &BundleHeader, key: &SigningKey) -> SignatureFile {
    let digest = Sha256::digest(bytes);
    let signature = key.sign(&message(&digest));
    SignatureFile {
        format: SIG_FORMAT.into(),
        version: 1,
        algorithm: "ed25519".into(),
        file_sha256: hex(&digest),
        public_key: hex(key.verifying_key().as_bytes()),
        signature: hex(&signature.to_bytes()),
        model: header.name.clone(),
        model_version: header.version.clone(),
    }
}

fn message(digest: &[u8]) -> Vec<u8> {
    let mut m = CONTEXT.to_vec();
    m.extend_from_slice(digest);
    m
}

/// Checks the detached signature of the bundle at `path` against `key`, and the bundle's
/// own checksums; returns the signature document. Errors say whether the bundle is
/// unsigned, signed by another key, or changed since it was signed.
pub fn verify_signature(path: &Path, key: &VerifyingKey) -> Result<SignatureFile> {
    let file = path.display().to_string();
    let limits = Limits::default();
    let bytes = read_bounded(path, &limits)?;
    let sig = check_signature(path, &bytes, key)?;
    codec::verify_bytes(&bytes, &limits, &file)?;
    Ok(sig)
}

/// Loads a bundle only if its detached signature verifies with `key`: the file is read
/// once, the signature checked on those bytes, and the same bytes decoded with every
/// check of [`crate::load`].
pub fn load_signed(path: &Path, key: &VerifyingKey) -> Result<Bundle> {
    let file = path.display().to_string();
    let limits = Limits::default();
    let bytes = read_bounded(path, &limits)?;
    check_signature(path, &bytes, key)?;
    codec::decode(&bytes, &limits, &file)
}

pub(crate) fn check_signature(
    path: &Path,
    bytes: &[u8],
    key: &VerifyingKey,
) -> Result<SignatureFile> {
    let file = path.display().to_string();
    let sig_path = signature_path(path);
    let sig_name = sig_path.display().to_string();
    let bad = |detail: String| Error::BadSignature {
        file: file.clone(),
        detail,
    };
    let mut text = Vec::new();
    match File::open(&sig_path) {
        Ok(f) => f
            .take(64 * 1024)
            .read_to_end(&mut text)
            .map_err(|source| Error::Io {
                action: "read",
                file: sig_name.clone(),
                source,
            })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Unsigned {
                file: file.clone(),
                sig: sig_name,
            });
        }
        Err(source) => {
            return Err(Error::Io {
                action: "open",
                file: sig_name,
                source,
            });
        }
    };
    let sig: SignatureFile = serde_json::from_slice(&text).map_err(|e| {
        bad(format!(
            "{sig_name} is not a driftwatch signature file ({e})"
        ))
    })?;
    if sig.format != SIG_FORMAT || sig.version != 1 || sig.algorithm != "ed25519" {
        return Err(bad(format!(
            "{sig_name} is a {} v{} {} signature; this driftwatch checks {SIG_FORMAT} v1 ed25519",
            sig.format, sig.version, sig.algorithm
        )));
    }
    if sig.public_key != hex(key.as_bytes()) {
        return Err(bad(format!(
            "it was signed by key {}, not by the given public key {}; ask the publisher for their public key",
            short(&sig.public_key),
            short(&hex(key.as_bytes()))
        )));
    }
    let digest = Sha256::digest(bytes);
    if sig.file_sha256 != hex(&digest) {
        return Err(bad(
            "the bundle was changed after it was signed (its SHA-256 differs from the signed one); do not use it, get the bundle again from its publisher".into(),
        ));
    }
    let raw = unhex(&sig.signature)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| bad(format!("{sig_name}: the signature is not 128 hex digits")))?;
    key.verify_strict(&message(&digest), &Signature::from_bytes(&raw))
        .map_err(|_| {
            bad(format!(
                "{sig_name} does not verify: the signature or the bundle was tampered with; do not use it"
            ))
        })?;
    Ok(sig)
}

/// Reads a whole bundle file, refusing files larger than the limits allow a bundle to be.
pub(crate) fn read_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let file = path.display().to_string();
    let io = |action: &'static str| {
        let file = file.clone();
        move |source| Error::Io {
            action,
            file,
            source,
        }
    };
    let f = File::open(path).map_err(io("open"))?;
    let max = (PRELUDE_LEN as u64)
        .saturating_add(limits.max_header_bytes)
        .saturating_add(limits.max_payload_bytes);
    let len = f.metadata().map_err(io("read the size of"))?.len();
    if len > max {
        return Err(Error::TooLarge {
            file: file.clone(),
            part: "file",
            size: len,
            limit: max,
            field: "max_payload_bytes",
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io("read"))?;
    Ok(bytes)
}

fn short(hex: &str) -> &str {
    hex.get(..16).unwrap_or(hex)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        let b = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&b), "0001abff");
        assert_eq!(unhex("0001abff").unwrap(), b);
        assert!(unhex("0g").is_none());
        assert!(unhex("abc").is_none());
        assert!(unhex("é1").is_none());
    }

    #[test]
    fn signature_path_appends_sig() {
        assert_eq!(
            signature_path(Path::new("dir/m.dwm")),
            PathBuf::from("dir/m.dwm.sig")
        );
    }

    #[test]
    fn the_signed_message_is_domain_separated() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let digest = [1u8; 32];
        let s = key.sign(&message(&digest));
        assert!(key.verifying_key().verify_strict(&digest, &s).is_err());
        assert!(
            key.verifying_key()
                .verify_strict(&message(&digest), &s)
                .is_ok()
        );
    }
}
