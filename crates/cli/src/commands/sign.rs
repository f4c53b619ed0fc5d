//! `driftwatch keygen` and `driftwatch sign`: Ed25519 key pairs and detached bundle
//! signatures (`FILE.sig`).

use anyhow::{Context, Result};
use driftwatch_persist::{
    generate_key, read_signing_key, read_verifying_key, sign_file, signature_path,
    verify_signature, write_key_pair,
};

use crate::args::{KeygenArgs, SignArgs};

pub fn keygen(a: &KeygenArgs) -> Result<i32> {
    let key = generate_key()?;
    let (secret, public) = write_key_pair(&a.out, &key).context("writing the key pair")?;
    println!(
        "wrote {} (secret: keep it private) and {} (public: give it to whoever loads your bundles)",
        secret.display(),
        public.display()
    );
    Ok(0)
}

pub fn run(a: &SignArgs) -> Result<i32> {
    if let Some(key) = &a.key {
        let key = read_signing_key(key).context("reading --key")?;
        let sig =
            sign_file(&a.file, &key).with_context(|| format!("signing {}", a.file.display()))?;
        println!(
            "signed {} ({} {}) -> {} with key {}",
            a.file.display(),
            sig.model,
            sig.model_version,
            signature_path(&a.file).display(),
            sig.public_key.get(..16).unwrap_or_default()
        );
    } else if let Some(key) = &a.verify_key {
        let key = read_verifying_key(key).context("reading --verify-key")?;
        let sig = verify_signature(&a.file, &key)
            .with_context(|| format!("verifying {}", a.file.display()))?;
        println!(
            "{}: signature OK ({} {}, signed by key {}, sha256 {})",
            a.file.display(),
            sig.model,
            sig.model_version,
            sig.public_key.get(..16).unwrap_or_default(),
            sig.file_sha256
        );
    }
    Ok(0)
}
