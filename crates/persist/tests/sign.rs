//! Detached Ed25519 signatures: a signed bundle loads with its public key; an unsigned,
//! re-signed-by-someone-else or tampered one is refused with a message saying which.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use common::{assemble, classifier_meta, fitted_classifier, numeric_frame};
use driftwatch_persist::{
    Error, SaveOptions, SigningKey, from_bytes, generate_key, load_signed, read_signing_key,
    read_verifying_key, save, sign_file, signature_path, verify_signature, write_key_pair,
};

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let x = numeric_frame(30, 3);
    let path = dir.path().join("model.dwm");
    save(
        &path,
        &classifier_meta(&x),
        &fitted_classifier(&x),
        &SaveOptions::default(),
    )
    .unwrap();
    (dir, path)
}

#[test]
fn keys_round_trip_through_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = generate_key().unwrap();
    let (secret, public) = write_key_pair(&dir.path().join("team"), &key).unwrap();
    assert_eq!(secret, dir.path().join("team.key"));
    assert_eq!(public, dir.path().join("team.pub"));
    assert_eq!(
        read_signing_key(&secret).unwrap().to_bytes(),
        key.to_bytes()
    );
    assert_eq!(read_verifying_key(&public).unwrap(), key.verifying_key());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwritten; swapped files are named as such.
    let err = write_key_pair(&dir.path().join("team"), &key).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = read_verifying_key(&secret).unwrap_err();
    assert!(err.to_string().contains("secret key file"), "{err}");
    let err = read_signing_key(&public).unwrap_err();
    assert!(err.to_string().contains("public key file"), "{err}");
    fs::write(dir.path().join("junk.pub"), "hello").unwrap();
    let err = read_verifying_key(&dir.path().join("junk.pub")).unwrap_err();
    assert!(err.to_string().contains("driftwatch keygen"), "{err}");
    // Two fresh keys differ.
    assert_ne!(generate_key().unwrap().to_bytes(), key.to_bytes());
}

#[test]
fn a_signed_bundle_verifies_and_loads() {
    let (_dir, path) = setup();
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let sig = sign_file(&path, &key).unwrap();
    assert_eq!(sig.algorithm, "ed25519");
    assert_eq!(sig.model, "churn-classifier");
    assert_eq!(sig.model_version, "1.2.0");
    assert!(signature_path(&path).exists());
    let v = verify_signature(&path, &key.verifying_key()).unwrap();
    assert_eq!(v, sig);
    let b = load_signed(&path, &key.verifying_key()).unwrap();
    assert_eq!(b.header.name, "churn-classifier");
    // Signing is deterministic (Ed25519) and leaves the bundle untouched.
    let before = fs::read(&path).unwrap();
    assert_eq!(sign_file(&path, &key).unwrap(), sig);
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn unsigned_foreign_and_tampered_bundles_are_refused() {
    let (_dir, path) = setup();
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let pubkey = key.verifying_key();

    let err = load_signed(&path, &pubkey).unwrap_err();
    assert!(matches!(err, Error::Unsigned { .. }), "{err}");
    assert!(err.to_string().contains("is not signed"), "{err}");

    sign_file(&path, &key).unwrap();
    let other = SigningKey::from_bytes(&[4u8; 32]).verifying_key();
    let err = load_signed(&path, &other).unwrap_err();
    assert!(err.to_string().contains("signed by key"), "{err}");

    // Tampering with a re-computed checksum: the bundle is still well formed, but not
    // what was signed.
    let original = fs::read(&path).unwrap();
    let b = from_bytes(&original).unwrap();
    let mut h = b.header.clone();
    h.description = Some("evil twin".into());
    let start = original.len() - h.payload_length as usize;
    let forged = assemble(&h, &original[start..]);
    assert!(from_bytes(&forged).is_ok());
    fs::write(&path, &forged).unwrap();
    let err = load_signed(&path, &pubkey).unwrap_err();
    assert!(matches!(err, Error::BadSignature { .. }), "{err}");
    assert!(
        err.to_string().contains("changed after it was signed"),
        "{err}"
    );
    let err = verify_signature(&path, &pubkey).unwrap_err();
    assert!(err.to_string().contains("changed after it was signed"));

    // A forged signature file claiming the new digest does not verify.
    fs::write(&path, &original).unwrap();
    let sig_path = signature_path(&path);
    let mut doc: serde_json::Value = serde_json::from_slice(&fs::read(&sig_path).unwrap()).unwrap();
    let mut s = doc["signature"].as_str().unwrap().to_string();
    s.replace_range(0..2, if &s[0..2] == "00" { "01" } else { "00" });
    doc["signature"] = s.into();
    fs::write(&sig_path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let err = load_signed(&path, &pubkey).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");

    fs::write(&sig_path, b"not json").unwrap();
    let err = load_signed(&path, &pubkey).unwrap_err();
    assert!(
        err.to_string().contains("not a driftwatch signature"),
        "{err}"
    );
}

#[test]
fn a_damaged_bundle_is_never_signed() {
    let (_dir, path) = setup();
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&path, &bytes).unwrap();
    let err = sign_file(&path, &SigningKey::from_bytes(&[3u8; 32])).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(!signature_path(&path).exists());
}
