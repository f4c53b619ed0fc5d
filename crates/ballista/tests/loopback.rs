//! A scheduler and two executors on loopback, in this process: drift over partitioned
//! Parquet equals the local result.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use driftwatch_core::{Frame, ReadOptions, read_csv_path};
use driftwatch_datafusion::parts::{uniform_frame, write_parquet_parts};
use driftwatch_drift::binpass::BinSide;
use driftwatch_drift::columns::{DriftOptions, DriftReference};
use driftwatch_drift::streaming::FrameSummary;

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

    // states sketched past a small limit: the counting pass (`drift_bins`, its counter a
    // binary literal in the plan) runs on the executors, and the binned row is exact
    let (rx, cx) = (
        uniform_frame(40_000, 0.0, 3).unwrap(),
        uniform_frame(30_000, 1.0, 4).unwrap(),
    );
    for (name, frame) in [("rx", &rx), ("cx", &cx)] {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        write_parquet_parts(frame, &dir, 3).unwrap();
    }
    let engine = driftwatch_ballista::connect(&url)
        .unwrap()
        .with_memory_limit(256 << 10);
    let fitted = engine.fit_reference(&location("rx"), &[]).unwrap();
    assert!(fitted.columns[0].reference.is_sketch());
    let current = FrameSummary::from_reference(engine.summarize(&location("cx"), &[]).unwrap());
    let options = DriftOptions {
        test: "psi".parse().unwrap(),
        ..Default::default()
    };
    let mut plan = fitted.bin_plan(&current, &options);
    for (side, name) in [(BinSide::Reference, "rx"), (BinSide::Current, "cx")] {
        let counter = engine
            .count_bins(&location(name), plan.counter(side))
            .unwrap();
        plan.add(counter).unwrap();
    }
    let got = fitted.report_summary(current.with_bins(plan), &options);
    let want = DriftReference::fit(&rx, &[])
        .unwrap()
        .report(&cx, &options)
        .unwrap();
    assert_eq!(got.columns[0].exact, None);
    assert_eq!(
        serde_json::to_string(&got).unwrap(),
        serde_json::to_string(&want).unwrap()
    );
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
        "drift_bins",
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
