//! `driftwatch keygen`, `sign` and `--verify-key` on `predict` and `monitor`, on real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bundle_common;

use bundle_common::{iris, run, s, text, train};

fn predict(model: &str, key: Option<&str>) -> std::process::Output {
    let data = iris();
    let mut args = vec!["predict", "--model", model, "--data", s(&data)];
    if let Some(k) = key {
        args.extend(["--verify-key", k]);
    }
    run(&args)
}

fn monitor(model: &str, key: &str) -> std::process::Output {
    let data = iris();
    run(&[
        "monitor",
        "--model",
        model,
        "--reference",
        s(&data),
        "--current",
        s(&data),
        "--target",
        "species",
        "--format",
        "json",
        "--verify-key",
        key,
    ])
}

#[test]
fn keygen_sign_verify_and_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), "iris.dwm", &[]);
    let m = s(&model);
    let stem = dir.path().join("release");
    let o = run(&["keygen", "--out", s(&stem)]);
    assert!(o.status.success(), "{}", text(&o));
    let (secret, public) = (
        dir.path().join("release.key"),
        dir.path().join("release.pub"),
    );
    assert!(secret.exists() && public.exists());
    let (k, p) = (s(&secret), s(&public));
    // keygen never overwrites.
    let o = run(&["keygen", "--out", s(&stem)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("already exists"), "{}", text(&o));

    // Unsigned: predict and monitor refuse with --verify-key, and work without it.
    let o = predict(m, Some(p));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not signed"), "{}", text(&o));
    let o = monitor(m, p);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not signed"), "{}", text(&o));
    assert!(predict(m, None).status.success());

    // Signed: both accept it; `sign --verify-key` reports OK.
    let o = run(&["sign", m, "--key", k]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(dir.path().join("iris.dwm.sig").exists());
    let o = run(&["sign", "--verify-key", p, m]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("signature OK"), "{}", text(&o));
    let o = predict(m, Some(p));
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 151, "{out}");
    let o = monitor(m, p);
    assert!(o.status.success(), "{}", text(&o));

    // Another key: refused, naming the key mismatch.
    let o = run(&["keygen", "--out", s(&dir.path().join("other"))]);
    assert!(o.status.success());
    let other = dir.path().join("other.pub");
    let o = predict(m, Some(s(&other)));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("signed by key"), "{}", text(&o));

    // The wrong kind of key file.
    let o = run(&["sign", "--verify-key", k, m]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("secret key file"), "{}", text(&o));

    // Tampered after signing (retrained over the same path): refused.
    train(dir.path(), "iris.dwm", &["--seed", "7"]);
    let o = predict(m, Some(p));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("changed after it was signed"),
        "{}",
        text(&o)
    );
    let o = run(&["sign", "--verify-key", p, m]);
    assert_eq!(o.status.code(), Some(2));
    let o = monitor(m, p);
    assert_eq!(o.status.code(), Some(2));

    // One byte flipped in the bundle: refused too.
    run(&["sign", m, "--key", k]);
    assert!(predict(m, Some(p)).status.success());
    let mut bytes = std::fs::read(&model).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x10;
    std::fs::write(&model, bytes).unwrap();
    let o = predict(m, Some(p));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("failed signature verification"),
        "{}",
        text(&o)
    );
}

#[test]
fn sign_needs_exactly_one_mode() {
    let o = run(&["sign", "x.dwm"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["sign", "x.dwm", "--key", "a", "--verify-key", "b"]);
    assert_eq!(o.status.code(), Some(2));
}
