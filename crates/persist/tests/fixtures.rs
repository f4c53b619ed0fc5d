//! Bundles written by earlier format versions keep loading.
//!
//! Each format version has a fixture in `fixtures/bundles/`, generated once by the
//! version's generator below and committed; the generators are frozen with their version
//! (a new format version gets a new generator and a new fixture, the old ones stay).
//!
//! Fixtures: `v1-standardscaler.dwm` and `v1-forest.dwm` (format 1, tree nodes as arrays of
//! numbers), `v2-forest.dwm` (format 2, tree nodes as byte blobs; the same forest as
//! `v1-forest.dwm`, so both must predict the same).
//!
//! To regenerate a fixture (only while the writer still writes its version, e.g. when
//! core changes what a fitted StandardScaler looks like on purpose):
//!
//! ```text
//! DRIFTWATCH_REGENERATE_FIXTURES=1 cargo test -p driftwatch-persist --test fixtures -- --ignored
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns too

use std::collections::BTreeMap;
use std::path::PathBuf;

use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{
    Column, Frame, ParamValue, Pipeline, Schema, Target, Transformer, make_pipeline,
};
use driftwatch_models::RandomForestClassifier;
use driftwatch_persist::{
    BundleMeta, Compression, FORMAT_VERSION, SaveOptions, TargetInfo, TaskKind, load, save,
};
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

/// 48 rows of three numeric features and a three-class label that depends on `x` and `y`
/// with a few exceptions, so the trees split on several features at several depths.
fn forest_training_data() -> (Frame, Target) {
    let n = 48;
    let xs: Vec<f64> = (0..n).map(|i| ((i * 7) % 13) as f64 * 0.75 - 3.0).collect();
    let ys: Vec<f64> = (0..n).map(|i| ((i * 5) % 11) as f64 * 0.5).collect();
    let zs: Vec<f64> = (0..n).map(|i| (i % 4) as f64).collect();
    let labels = (0..n)
        .map(|i| {
            let s = xs[i] + ys[i];
            let k = if i % 9 == 4 {
                1
            } else if s < 0.0 {
                0
            } else if s < 3.0 {
                1
            } else {
                2
            };
            ["low", "mid", "high"][k].to_string()
        })
        .collect();
    let x = Frame::new(vec![
        ("x".into(), Column::Numeric(xs.into())),
        ("y".into(), Column::Numeric(ys.into())),
        ("z".into(), Column::Numeric(zs.into())),
    ])
    .unwrap();
    (x, Target::Labels(labels))
}

/// Rows probed by the forest fixture tests, with values inside and outside the training
/// ranges.
fn forest_probe() -> Frame {
    Frame::new(vec![
        (
            "x".into(),
            Column::Numeric(array![-3.0, -1.0, 0.5, 2.0, 6.0, 0.0]),
        ),
        (
            "y".into(),
            Column::Numeric(array![0.0, 1.0, 2.5, 4.0, 9.0, 0.1]),
        ),
        (
            "z".into(),
            Column::Numeric(array![0.0, 3.0, 1.0, 2.0, -5.0, 0.5]),
        ),
    ])
    .unwrap()
}

/// Metadata of the forest fixtures (`version` says which format wrote it).
fn forest_meta(x: &Frame, format: u16) -> BundleMeta {
    let mut meta = BundleMeta::new("fixture-forest", "1.0.0", Schema::infer(x));
    meta.description = Some(format!(
        "format v{format} fixture: StandardScaler + RandomForestClassifier(4 trees, depth <= 4)"
    ));
    meta.owner = Some("driftwatch-persist tests".into());
    meta.target = Some(TargetInfo {
        name: "grade".into(),
        kind: TaskKind::Classification,
        classes: vec!["high".into(), "low".into(), "mid".into()],
    });
    meta.n_train_rows = x.n_rows() as u64;
    meta.created_at = Some(datetime!(2025-06-01 00:00:00 UTC));
    meta.crate_versions = BTreeMap::from([
        ("driftwatch-core".into(), "0.1.0".into()),
        ("driftwatch-models".into(), "0.1.0".into()),
        ("driftwatch-persist".into(), "0.1.0".into()),
    ]);
    meta
}

/// StandardScaler + RandomForestClassifier(4 trees, max depth 4, seed 3).
fn forest_pipeline() -> (Frame, Pipeline) {
    let (x, y) = forest_training_data();
    let mut rf = RandomForestClassifier::with_seed(3);
    rf.settings.n_estimators = 4;
    rf.settings.max_depth = Some(4);
    rf.settings.n_jobs = Some(1);
    let mut p = make_pipeline(
        vec![Box::new(StandardScaler::default())],
        Some(Box::new(rf)),
    );
    p.fit(&x, &y).unwrap();
    (x, p)
}

/// Writes `fixtures/bundles/v1-forest.dwm` (uncompressed). Frozen with format version
/// 1: it refuses to run once the writer writes a newer version.
#[test]
#[ignore = "writes the committed v1 forest fixture; run on purpose only"]
fn regenerate_v1_forest_fixture() {
    if std::env::var("DRIFTWATCH_REGENERATE_FIXTURES").as_deref() != Ok("1") {
        eprintln!("set DRIFTWATCH_REGENERATE_FIXTURES=1 to overwrite the v1 forest fixture");
        return;
    }
    assert_eq!(
        FORMAT_VERSION, 1,
        "the writer no longer writes format version 1: the v1 forest fixture is frozen"
    );
    let (x, pipeline) = forest_pipeline();
    let opts = SaveOptions {
        compression: Compression::None,
        ..SaveOptions::default()
    };
    let path = fixture("v1-forest.dwm");
    save(&path, &forest_meta(&x, 1), &pipeline, &opts).unwrap();
    let probe = forest_probe();
    eprintln!("{:?}", pipeline.predict(&probe).unwrap());
    eprintln!("{:?}", pipeline.predict_proba(&probe).unwrap());
}

/// Writes `fixtures/bundles/v2-forest.dwm`: the same forest as `v1-forest.dwm`, with
/// the node columns and leaf values as byte blobs. Frozen with format version 2.
#[test]
#[ignore = "writes the committed v2 forest fixture; run on purpose only"]
fn regenerate_v2_forest_fixture() {
    if std::env::var("DRIFTWATCH_REGENERATE_FIXTURES").as_deref() != Ok("1") {
        eprintln!("set DRIFTWATCH_REGENERATE_FIXTURES=1 to overwrite the v2 forest fixture");
        return;
    }
    assert_eq!(
        FORMAT_VERSION, 2,
        "the writer no longer writes format version 2: the v2 forest fixture is frozen"
    );
    let (x, pipeline) = forest_pipeline();
    let opts = SaveOptions {
        compression: Compression::None,
        ..SaveOptions::default()
    };
    save(
        &fixture("v2-forest.dwm"),
        &forest_meta(&x, 2),
        &pipeline,
        &opts,
    )
    .unwrap();
}

/// What the v1 forest fixture predicted when it was written: class probabilities (columns
/// `high`, `low`, `mid`) of the rows of [`forest_probe`].
const FOREST_PROBA: [[f64; 3]; 6] = [
    [0.25, 0.75, 0.0],
    [0.5, 0.0, 0.5],
    [0.85, 0.0, 0.15],
    [0.84375, 0.0, 0.15625],
    [0.75, 0.0, 0.25],
    [0.25, 0.0, 0.75],
];

/// Loads a forest fixture and checks it predicts what the v1 fixture predicted.
fn check_forest_fixture(name: &str, format: u16) {
    let bundle = load(&fixture(name)).unwrap();
    let h = &bundle.header;
    assert_eq!(h.format_version, format);
    assert_eq!(h.name, "fixture-forest");
    assert_eq!(h.compression, Compression::None);
    assert_eq!(h.n_train_rows, 48);
    assert_eq!(
        h.parameters["randomforestclassifier__n_estimators"],
        ParamValue::Int(4)
    );
    let probe = forest_probe();
    let proba = bundle.pipeline.predict_proba(&probe).unwrap().unwrap();
    assert_eq!(proba.classes, ["high", "low", "mid"]);
    for (row, want) in proba.values.rows().into_iter().zip(FOREST_PROBA) {
        for (got, want) in row.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{row} vs {want:?}");
        }
    }
    assert_eq!(
        bundle.pipeline.predict(&probe).unwrap(),
        Target::Labels(
            ["low", "high", "high", "high", "high", "mid"]
                .map(String::from)
                .to_vec()
        )
    );
}

/// A forest written by format version 1 (node arrays as MessagePack arrays of numbers)
/// loads and predicts as it did.
#[test]
fn v1_forest_fixture_still_loads() {
    check_forest_fixture("v1-forest.dwm", 1);
}

/// The same forest written by format version 2 (nodes and leaf values as byte blobs)
/// loads and predicts exactly as the v1 one.
#[test]
fn v2_forest_fixture_loads() {
    check_forest_fixture("v2-forest.dwm", 2);
    let raw = std::fs::read(fixture("v2-forest.dwm")).unwrap();
    let has = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    // MessagePack strings: the v2 field names are there, the v1 ones are not
    assert!(has(b"\xa9leaf_bits") && has(b"\xa8children") && has(b"\xableaf_values"));
    assert!(!has(b"\xa9threshold") && !has(b"\xa4left"));
}
