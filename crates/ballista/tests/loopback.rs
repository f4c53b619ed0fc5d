//! A scheduler and two executors on loopback, in this process: drift over partitioned
//! Parquet equals the local result.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use driftwatch_core::{Frame, ReadOptions, read_csv_path};
use driftwatch_datafusion::parts::write_parquet_parts;
use driftwatch_drift::columns::{DriftOptions, DriftReference};

fn read(name: &str) -> Frame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/data")
        .join(name);
    read_csv_path(&path, &ReadOptions::default()).unwrap()
}

#[test]
fn two_executors_give_the_local_report() {
    let cluster = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = cluster
        .block_on(driftwatch_ballista::start_loopback_cluster(2, 2))
        .unwrap();
    let engine = driftwatch_ballista::connect(&url).unwrap();

    let root = tempfile::tempdir().unwrap();
    let (rf, cf) = (read("messy/reference.csv"), read("messy/current.csv"));
    for (name, frame) in [("r", &rf), ("c", &cf)] {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        write_parquet_parts(frame, &dir, 4).unwrap();
    }
    let location = |name: &str| root.path().join(name).display().to_string();
    let want_fit = DriftReference::fit(&rf, &[]).unwrap();
    let fitted = engine.fit_reference(&location("r"), &[]).unwrap();
    // as bytes: the messy data's infinity makes a std NaN, unequal to itself as a float
    let bytes =
        |r: &DriftReference| driftwatch_drift::reference_file::reference_to_bytes(r).unwrap();
    assert!(
        bytes(&fitted) == bytes(&want_fit),
        "the cluster's reference differs from fit"
    );
    let current = engine
        .summarize(&location("c"), &[])
        .unwrap()
        .to_frame()
        .unwrap();
    let options = DriftOptions::default();
    let json = |r: &DriftReference, f: &Frame| {
        serde_json::to_string(&r.report(f, &options).unwrap()).unwrap()
    };
    assert_eq!(json(&fitted, &current), json(&want_fit, &cf));
}

#[test]
fn scheduler_addresses_are_checked() {
    for bad in [
        "localhost:50050",
        "df://",
        "df://host",
        "df://host:port",
        "http://h:1",
        "df://h:1/x",
    ] {
        let e = driftwatch_ballista::connect(bad).err().unwrap().to_string();
        assert!(e.contains("df://HOST:PORT"), "{bad}: {e}");
    }
    assert!(driftwatch_ballista::connect("df://localhost:50050").is_ok());
}

#[test]
fn the_executor_registry_has_driftwatch_functions() {
    let registry = driftwatch_ballista::function_registry();
    for name in [
        "drift_reference",
        "drift_check",
        "drift_psi",
        "drift_ks",
        "sum",
    ] {
        assert!(registry.aggregate_functions.contains_key(name), "{name}");
    }
    let state = driftwatch_ballista::session_state(
        driftwatch_datafusion::datafusion::prelude::SessionConfig::new(),
    )
    .unwrap();
    assert!(state.aggregate_functions().contains_key("drift_check"));
}
