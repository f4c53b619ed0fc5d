//! `driftwatch keygen` and `driftwatch sign`: Ed25519 key pairs and detached bundle
//! signatures (`FILE.sig`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use driftwatch_persist::{
    generate_key, read_signing_key, read_verifying_key, sign_file, signature_path,
    verify_signature, write_key_pair,
};

use crate::args::{KeygenArgs, SignArgs};
use crate::output::emit;

pub fn keygen(a: &KeygenArgs) -> Result<i32> {
    let key = generate_key()?;
    let (secret, public) =
        write_key_pair(&key_stem(&a.output), &key).context("writing the key pair")?;
    emit(
        &format!(
            "wrote {} (secret: keep it private) and {} (public: give it to whoever loads your bundles)",
            secret.display(),
            public.display()
        ),
        None,
        "the key paths",
    )?;
    Ok(0)
}

/// The stem of the key files: `--output release.key` (or `.pub`) means `release`, as
/// `--output` elsewhere names the file written, not a stem.
fn key_stem(output: &Path) -> PathBuf {
    match output.extension().and_then(|e| e.to_str()) {
        Some("key" | "pub") => output.with_extension(""),
        _ => output.to_path_buf(),
    }
}

pub fn run(a: &SignArgs) -> Result<i32> {
    let file = a.model.path()?;
    if let Some(key) = &a.key {
        let key = read_signing_key(key).context("reading --key")?;
        let sig = sign_file(file, &key).with_context(|| format!("signing {}", file.display()))?;
        let text = format!(
            "signed {} ({} {}) -> {} with key {}",
            file.display(),
            sig.model,
            sig.model_version,
            signature_path(file).display(),
            sig.public_key.get(..16).unwrap_or_default()
        );
        emit(&text, None, "the signature")?;
    } else if let Some(key) = &a.verify_key {
        let key = read_verifying_key(key).context("reading --verify-key")?;
        let sig = verify_signature(file, &key)
            .with_context(|| format!("verifying {}", file.display()))?;
        let text = format!(
            "{}: signature OK ({} {}, signed by key {}, sha256 {})",
            file.display(),
            sig.model,
            sig.model_version,
            sig.public_key.get(..16).unwrap_or_default(),
            sig.file_sha256
        );
        emit(&text, None, "the verification")?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_stem_drops_a_key_or_pub_extension_only() {
        assert_eq!(
            key_stem(Path::new("keys/release")),
            Path::new("keys/release")
        );
        assert_eq!(key_stem(Path::new("release.key")), Path::new("release"));
        assert_eq!(key_stem(Path::new("release.pub")), Path::new("release"));
        assert_eq!(key_stem(Path::new("release.v2")), Path::new("release.v2"));
    }
}
