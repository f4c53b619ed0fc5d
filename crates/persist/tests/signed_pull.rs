//! `Store::pull_verified`: a bundle signed by the trusted key comes out with its
//! signature; an unsigned, otherwise signed or tampered one is refused and nothing is
//! written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use common::{bundle, model_ref as r};
use driftwatch_persist::{Error, SigningKey, Store, load_signed, sign_file, signature_path};

#[test]
fn pull_verified_refuses_what_the_key_did_not_sign() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("models"));
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let other = SigningKey::from_bytes(&[4u8; 32]);
    let vk = key.verifying_key();

    let signed = bundle(dir.path(), "signed.dwm", "1.0.0");
    sign_file(&signed, &key).unwrap();
    store.push(&signed, Some("m"), None).unwrap();
    let unsigned = bundle(dir.path(), "unsigned.dwm", "1.1.0");
    store.push(&unsigned, Some("m"), None).unwrap();
    let foreign = bundle(dir.path(), "foreign.dwm", "1.2.0");
    sign_file(&foreign, &other).unwrap();
    store.push(&foreign, Some("m"), None).unwrap();
    store.promote("m", "1.0.0", "production").unwrap();

    // Signed by the key: the same bytes and signature come out, and load with the key.
    let out = dir.path().join("out").join("deployed.dwm");
    fs::create_dir(out.parent().unwrap()).unwrap();
    let v = store.pull_verified(&r("m@production"), &out, &vk).unwrap();
    assert_eq!(v.version, "1.0.0");
    assert_eq!(fs::read(&out).unwrap(), fs::read(&signed).unwrap());
    assert!(signature_path(&out).is_file());
    assert_eq!(load_signed(&out, &vk).unwrap().header.version, "1.0.0");

    // Unsigned and signed by another key: refused, nothing written.
    let refused = dir.path().join("out").join("refused.dwm");
    let err = store
        .pull_verified(&r("m@1.1.0"), &refused, &vk)
        .unwrap_err();
    assert!(matches!(err, Error::Unsigned { .. }), "{err}");
    assert!(err.to_string().contains("is not signed"), "{err}");
    let err = store
        .pull_verified(&r("m@1.2.0"), &refused, &vk)
        .unwrap_err();
    assert!(matches!(err, Error::BadSignature { .. }), "{err}");
    assert!(err.to_string().contains("signed by key"), "{err}");
    assert!(!refused.exists() && !signature_path(&refused).exists());

    // Tampered inside the store after the push: refused, nothing written.
    let stored = store.show(&r("m@1.0.0")).unwrap().path;
    let mut bytes = fs::read(&stored).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x01;
    fs::write(&stored, bytes).unwrap();
    let err = store
        .pull_verified(&r("m@production"), &refused, &vk)
        .unwrap_err();
    assert!(
        err.to_string().contains("changed after it was signed"),
        "{err}"
    );
    assert!(!refused.exists());
    // The plain pull still copies it (its checksums fail instead).
    assert!(store.pull(&r("m@production"), &refused).is_err());
}
