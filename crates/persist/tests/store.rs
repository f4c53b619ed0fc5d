//! The model store: push, list, show, promote, pull; immutability, bad references and
//! concurrent pushes and promotions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::sync::Arc;

use common::{bundle, model_ref as r};
use driftwatch_persist::store::{ModelRef, Selector};
use driftwatch_persist::{Error, SigningKey, Store, load, load_signed, sign_file, signature_path};

#[test]
fn push_list_show_promote_pull() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("models"));
    assert!(store.list().unwrap().is_empty());

    let a = bundle(dir.path(), "a.dwm", "1.2.0");
    let b = bundle(dir.path(), "b.dwm", "1.10.0");
    let key = SigningKey::from_bytes(&[9u8; 32]);
    sign_file(&b, &key).unwrap();

    let v = store.push(&a, Some("churn"), None).unwrap();
    assert_eq!((v.name.as_str(), v.version.as_str()), ("churn", "1.2.0"));
    assert!(!v.signed);
    assert_eq!(v.size, fs::metadata(&a).unwrap().len());
    let v = store.push(&b, Some("churn"), Some("1.10.0")).unwrap();
    assert!(v.signed);
    // Header name as default.
    let v = store.push(&a, None, Some("0.1.0")).unwrap();
    assert_eq!(v.name, "churn-classifier");

    let models = store.list().unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0].name, "churn");
    assert_eq!(models[0].versions, ["1.2.0", "1.10.0"]);
    assert_eq!(models[1].name, "churn-classifier");

    // Latest is by semantic version, not by text.
    assert_eq!(store.resolve(&r("churn")).unwrap(), "1.10.0");

    let v = store.promote("churn", "1.2.0", "production").unwrap();
    assert_eq!(v.stages, ["production"]);
    store.promote("churn", "1.10.0", "staging").unwrap();
    let shown = store.show(&r("churn@production")).unwrap();
    assert_eq!(shown.version, "1.2.0");
    assert_eq!(shown.header.version, "1.2.0");
    assert_eq!(shown.header.name, "churn-classifier");
    // Re-promoting moves the stage.
    store.promote("churn", "1.10.0", "production").unwrap();
    assert_eq!(store.resolve(&r("churn@production")).unwrap(), "1.10.0");
    let m = store.model("churn").unwrap();
    assert_eq!(m.stages["production"], "1.10.0");
    assert_eq!(m.stages["staging"], "1.10.0");

    // Pull copies the bundle and its signature; the copy loads and verifies.
    let out = dir.path().join("deployed.dwm");
    let v = store.pull(&r("churn@production"), &out).unwrap();
    assert_eq!(v.version, "1.10.0");
    assert_eq!(fs::read(&out).unwrap(), fs::read(&b).unwrap());
    load_signed(&out, &key.verifying_key()).unwrap();
    // Pulling an unsigned version over it removes the stale signature.
    store.pull(&r("churn@1.2.0"), &out).unwrap();
    assert!(!signature_path(&out).exists());
    assert_eq!(load(&out).unwrap().header.version, "1.2.0");
}

#[test]
fn versions_are_immutable_and_references_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("models"));
    let a = bundle(dir.path(), "a.dwm", "1.0.0");
    store.push(&a, Some("m"), None).unwrap();
    let err = store.push(&a, Some("m"), None).unwrap_err();
    assert!(err.to_string().contains("already in the store"), "{err}");

    for (name, version) in [("../evil", "1.0.0"), ("m", "../../x"), ("m/x", "1.0.0")] {
        let err = store.push(&a, Some(name), Some(version)).unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err}");
    }
    // Nothing was written outside the store.
    assert!(!dir.path().join("evil").exists());

    let err = store.promote("m", "2.0.0", "production").unwrap_err();
    assert!(err.to_string().contains("no version 2.0.0"), "{err}");
    let err = store.promote("m", "1.0.0", "Prod").unwrap_err();
    assert!(err.to_string().contains("not a valid stage"), "{err}");
    let err = store.show(&r("m@production")).unwrap_err();
    assert!(err.to_string().contains("no stage 'production'"), "{err}");
    let err = store.show(&r("nope")).unwrap_err();
    assert!(err.to_string().contains("no model named 'nope'"), "{err}");

    // A damaged bundle is refused at push.
    let mut bytes = fs::read(&a).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    let bad = dir.path().join("bad.dwm");
    fs::write(&bad, bytes).unwrap();
    let err = store.push(&bad, Some("m"), Some("1.0.1")).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert_eq!(store.model("m").unwrap().versions, ["1.0.0"]);
}

#[test]
fn concurrent_pushes_and_promotions_are_safe() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::new(dir.path().join("models")));
    let a = Arc::new(bundle(dir.path(), "a.dwm", "1.0.0"));
    // 8 threads push distinct versions, 8 threads race for the same version.
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (store, a) = (store.clone(), a.clone());
            std::thread::spawn(move || {
                let version = if i < 8 {
                    format!("1.{i}.0")
                } else {
                    "9.9.9".to_string()
                };
                store.push(&a, Some("m"), Some(&version)).is_ok()
            })
        })
        .collect();
    let ok: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(ok[..8].iter().all(|&x| x), "{ok:?}");
    assert_eq!(ok[8..].iter().filter(|&&x| x).count(), 1, "{ok:?}");
    let m = store.model("m").unwrap();
    assert_eq!(m.versions.len(), 9);
    assert_eq!(m.versions.last().unwrap(), "9.9.9");
    // No temporary directories left behind.
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("models/m"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // 8 threads promote 8 different stages at once: none is lost.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                store
                    .promote("m", &format!("1.{i}.0"), &format!("stage{i}"))
                    .unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let m = store.model("m").unwrap();
    assert_eq!(m.stages.len(), 8);
    for i in 0..8 {
        assert_eq!(m.stages[&format!("stage{i}")], format!("1.{i}.0"));
        let v = store.show(&r(&format!("m@stage{i}"))).unwrap();
        assert_eq!(v.version, format!("1.{i}.0"));
    }
    assert_eq!(
        ModelRef::parse("m@stage3").unwrap().selector,
        Selector::Stage("stage3".into())
    );
}
