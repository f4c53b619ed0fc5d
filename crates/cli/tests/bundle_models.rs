//! `driftwatch models`: push, list, show, promote, pull on a real store directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bundle_common;

use bundle_common::{iris, json, run, s, text, train};

#[test]
fn push_list_show_promote_pull() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let st = s(&store);
    let v1 = train(dir.path(), "v1.dwm", &["--model-version", "1.2.0"]);
    let v2 = train(
        dir.path(),
        "v2.dwm",
        &["--model-version", "1.10.0", "--seed", "3"],
    );

    let o = run(&[
        "models",
        "--store",
        st,
        "push",
        s(&v1),
        "--name",
        "iris",
        "--version",
        "1.2.0",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("pushed: iris@1.2.0"), "{}", text(&o));
    // Version from the bundle's header.
    let o = run(&[
        "models",
        "--store",
        st,
        "push",
        s(&v2),
        "--name",
        "iris",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(json(&o)["version"], "1.10.0");
    // Immutable versions; path traversal refused.
    let o = run(&[
        "models",
        "--store",
        st,
        "push",
        s(&v1),
        "--name",
        "iris",
        "--version",
        "1.2.0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("already in the store"), "{}", text(&o));
    let o = run(&[
        "models",
        "--store",
        st,
        "push",
        s(&v1),
        "--name",
        "../../etc",
        "--version",
        "1.0.0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a valid model name"), "{}", text(&o));

    let o = run(&["models", "--store", st, "list", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let l = json(&o);
    assert_eq!(l[0]["name"], "iris");
    assert_eq!(l[0]["versions"], serde_json::json!(["1.2.0", "1.10.0"]));

    let o = run(&[
        "models",
        "--store",
        st,
        "promote",
        "iris@1.2.0",
        "--stage",
        "production",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&[
        "models",
        "--store",
        st,
        "show",
        "iris@production",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let j = json(&o);
    assert_eq!(j["version"], "1.2.0");
    assert_eq!(j["stages"], serde_json::json!(["production"]));
    assert_eq!(j["header"]["training_metrics"]["accuracy"], 1.0);
    let o = run(&["models", "--store", st, "show", "iris"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("production -> 1.2.0"), "{}", text(&o));
    assert!(text(&o).contains("model: iris@1.10.0"), "{}", text(&o));
    let o = run(&[
        "models",
        "--store",
        st,
        "promote",
        "iris@production",
        "--stage",
        "staging",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("exact version"), "{}", text(&o));

    // Pull the production model and predict with it.
    let out = dir.path().join("deployed.dwm");
    let o = run(&[
        "models",
        "--store",
        st,
        "pull",
        "iris@production",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&v1).unwrap());
    let o = run(&["predict", "--model", s(&out), "--data", s(&iris())]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&[
        "models",
        "--store",
        st,
        "pull",
        "iris@staging",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no stage 'staging'"), "{}", text(&o));
}

#[test]
fn signatures_travel_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("store");
    let model = train(dir.path(), "m.dwm", &[]);
    assert!(
        run(&["keygen", "--out", s(&dir.path().join("k"))])
            .status
            .success()
    );
    let (k, p) = (dir.path().join("k.key"), dir.path().join("k.pub"));
    assert!(run(&["sign", s(&model), "--key", s(&k)]).status.success());
    let o = run(&[
        "models",
        "--store",
        s(&st),
        "push",
        s(&model),
        "--name",
        "iris",
        "--version",
        "2.0.0",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("signed:   yes"), "{}", text(&o));
    let out = dir.path().join("pulled.dwm");
    let o = run(&[
        "models",
        "--store",
        s(&st),
        "pull",
        "iris@2.0.0",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&[
        "predict",
        "--model",
        s(&out),
        "--data",
        s(&iris()),
        "--verify-key",
        s(&p),
    ]);
    assert!(o.status.success(), "{}", text(&o));
}
