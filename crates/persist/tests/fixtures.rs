//! Bundles written by earlier format versions keep loading.
//!
//! Each format version has a fixture in `fixtures/bundles/`, generated once by the
//! version's generator below and committed; the generators are frozen with their version
//! (a new format version gets a new generator and a new fixture, the old ones stay).
//!
//! To regenerate the v1 fixture (only while the writer still writes version 1, e.g. when
//! core changes what a fitted StandardScaler looks like on purpose):
//!
//! ```text
//! DRIFTWATCH_REGENERATE_FIXTURES=1 cargo test -p driftwatch-persist --test fixtures -- --ignored
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns too

use std::collections::BTreeMap;
use std::path::PathBuf;

use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{Column, Frame, ParamValue, Schema, Transformer, make_pipeline};
use driftwatch_persist::{BundleMeta, Compression, FORMAT_VERSION, SaveOptions, load, save};
use ndarray::array;
use time::macros::datetime;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/bundles")
        .join(name)
}

/// Training data with exact means and standard deviations: a (mean 2, sd 1),
/// b (mean 2, sd 2), c (constant 10: scale 1).
fn v1_training_frame() -> Frame {
    Frame::new(vec![
        ("a".into(), Column::Numeric(array![1.0, 3.0, 1.0, 3.0])),
        ("b".into(), Column::Numeric(array![0.0, 4.0, 0.0, 4.0])),
        ("c".into(), Column::Numeric(array![10.0, 10.0, 10.0, 10.0])),
    ])
    .unwrap()
}

/// Writes `fixtures/bundles/v1-standardscaler.dwm`. Ignored: run it on purpose only
/// (see the file's doc comment), then commit the file.
#[test]
#[ignore = "writes the committed v1 fixture; run on purpose only"]
fn regenerate_v1_fixture() {
    if std::env::var("DRIFTWATCH_REGENERATE_FIXTURES").as_deref() != Ok("1") {
        eprintln!("set DRIFTWATCH_REGENERATE_FIXTURES=1 to overwrite the v1 fixture");
        return;
    }
    assert_eq!(
        FORMAT_VERSION, 1,
        "the writer no longer writes format version 1: the v1 fixture is frozen, add a generator for the new version"
    );
    let x = v1_training_frame();
    let mut pipeline = make_pipeline(vec![Box::new(StandardScaler::default())], None);
    Transformer::fit(&mut pipeline, &x).unwrap();
    let mut meta = BundleMeta::new("fixture-standardscaler", "1.0.0", Schema::infer(&x));
    meta.description = Some("format v1 fixture: a StandardScaler over a, b, c".into());
    meta.owner = Some("driftwatch-persist tests".into());
    meta.n_train_rows = 4;
    meta.training_metrics = BTreeMap::from([("reconstruction_rmse".into(), 0.0)]);
    meta.created_at = Some(datetime!(2025-01-01 00:00:00 UTC));
    meta.crate_versions = BTreeMap::from([
        ("driftwatch-core".into(), "0.1.0".into()),
        ("driftwatch-persist".into(), "0.1.0".into()),
    ]);
    let path = fixture("v1-standardscaler.dwm");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    save(&path, &meta, &pipeline, &SaveOptions::default()).unwrap();
}

#[test]
fn v1_fixture_still_loads() {
    let bundle = load(&fixture("v1-standardscaler.dwm")).unwrap();
    let h = &bundle.header;
    assert_eq!(h.format_version, 1);
    // Written before the optional `limitations` field existed: it reads as absent.
    assert_eq!(h.limitations, None);
    assert_eq!(h.name, "fixture-standardscaler");
    assert_eq!(h.version, "1.0.0");
    assert_eq!(h.created_at, datetime!(2025-01-01 00:00:00 UTC));
    assert_eq!(h.crate_versions["driftwatch-persist"], "0.1.0");
    // The fixture was written when inferred schemas enforced the observed ranges; it
    // must keep loading with exactly what it stored.
    let stored: Vec<(&str, Option<f64>, Option<f64>)> = h
        .schema
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.min, c.max))
        .collect();
    assert_eq!(
        stored,
        [
            ("a", Some(1.0), Some(3.0)),
            ("b", Some(0.0), Some(4.0)),
            ("c", Some(10.0), Some(10.0))
        ]
    );
    assert_eq!(
        h.schema.names(),
        Schema::infer(&v1_training_frame()).names()
    );
    assert_eq!(h.target, None);
    assert_eq!(h.training_metrics["reconstruction_rmse"], 0.0);
    assert_eq!(h.n_train_rows, 4);
    assert_eq!(h.compression, Compression::Zstd { level: 3 });
    assert_eq!(
        h.parameters,
        BTreeMap::from([
            ("standardscaler__with_mean".into(), ParamValue::Bool(true)),
            ("standardscaler__with_std".into(), ParamValue::Bool(true)),
        ])
    );
    assert_eq!(bundle.pipeline.input_columns, ["a", "b", "c"]);

    // Columns are selected by name, so order and extra columns do not matter.
    let probe = Frame::new(vec![
        ("extra".into(), Column::Numeric(array![7.0, 7.0])),
        ("c".into(), Column::Numeric(array![10.0, 11.0])),
        ("b".into(), Column::Numeric(array![2.0, 6.0])),
        ("a".into(), Column::Numeric(array![2.0, 4.0])),
    ])
    .unwrap();
    let out = bundle.pipeline.transform_features(&probe).unwrap();
    let expected = Frame::new(vec![
        ("a".into(), Column::Numeric(array![0.0, 2.0])),
        ("b".into(), Column::Numeric(array![0.0, 2.0])),
        ("c".into(), Column::Numeric(array![0.0, 1.0])),
    ])
    .unwrap();
    assert_eq!(out, expected);
}
