//! The engine over partitioned Parquet gives the local path's reference and report on
//! the CSV fixtures the Parquet files were made from.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use driftwatch_core::{Frame, ReadOptions, read_csv_path};
use driftwatch_datafusion::Engine;
use driftwatch_datafusion::parts::write_parquet_parts;
use driftwatch_drift::columns::{DriftOptions, DriftReference};
use driftwatch_drift::reference_file::reference_to_bytes;

/// Equal references (as bytes: a NaN std is not equal to itself as a float).
fn same(a: &DriftReference, b: &DriftReference) -> bool {
    reference_to_bytes(a).unwrap() == reference_to_bytes(b).unwrap()
}

const FIXTURES: [(&str, &str); 4] = [
    ("iris/train.csv", "iris/current.csv"),
    ("messy/reference.csv", "messy/current.csv"),
    ("manufacturing/train.csv", "manufacturing/current.csv"),
    (
        "nannyml_car_loan_reference.csv",
        "nannyml_car_loan_analysis.csv",
    ),
];

fn read(name: &str) -> Frame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/data")
        .join(name);
    read_csv_path(&path, &ReadOptions::default()).unwrap()
}

fn parquet_dir(root: &Path, name: &str, frame: &Frame, parts: usize) -> String {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    write_parquet_parts(frame, &dir, parts).unwrap();
    dir.display().to_string()
}

#[test]
fn fixtures_as_partitioned_parquet_give_the_local_report() {
    let root = tempfile::tempdir().unwrap();
    let options = DriftOptions::default();
    for (i, (reference, current)) in FIXTURES.iter().enumerate() {
        let (rf, cf) = (read(reference), read(current));
        let want_fit = DriftReference::fit(&rf, &[]).unwrap();
        let want = serde_json::to_string(&want_fit.report(&cf, &options).unwrap()).unwrap();
        let rdir = parquet_dir(root.path(), &format!("r{i}"), &rf, 3);
        let cdir = parquet_dir(root.path(), &format!("c{i}"), &cf, 4);
        for partitions in [1, 3] {
            let engine = Engine::local(Some(partitions)).unwrap();
            let fitted = engine.fit_reference(&rdir, &[]).unwrap();
            assert!(
                same(&fitted, &want_fit),
                "{reference}, {partitions} partitions"
            );
            let glob = format!("{cdir}/*.parquet");
            let current = engine.summarize(&glob, &[]).unwrap().to_frame().unwrap();
            let got = serde_json::to_string(&fitted.report(&current, &options).unwrap()).unwrap();
            assert_eq!(got, want, "{reference}, {partitions} partitions");
        }
    }
}

#[test]
fn listed_columns_and_errors() {
    let root = tempfile::tempdir().unwrap();
    let rf = read("iris/train.csv");
    let rdir = parquet_dir(root.path(), "r", &rf, 2);
    let engine = Engine::local(Some(2)).unwrap();
    let cols = vec!["species".to_string(), "petal_width".to_string()];
    let fitted = engine.fit_reference(&rdir, &cols).unwrap();
    assert!(same(&fitted, &DriftReference::fit(&rf, &cols).unwrap()));
    let missing = engine
        .fit_reference(&rdir, &["nope".to_string()])
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("column 'nope'") && missing.contains("sepal_length"),
        "{missing}"
    );
    let none = engine
        .summarize(&root.path().join("absent").display().to_string(), &[])
        .unwrap_err()
        .to_string();
    assert!(none.contains("cannot read the Parquet data"), "{none}");
    // a current summary keeps only the listed columns it has
    let some = engine
        .summarize(&rdir, &["species".to_string(), "nope".to_string()])
        .unwrap();
    assert_eq!(some.names(), vec!["species".to_string()]);
}
