//! `.dwr` reference files written by earlier format versions keep loading and give the
//! same report.
//!
//! Each format version has a fixture in `fixtures/references/`, written once by the
//! version's generator below and committed with the report it gave then
//! (`vN.report.json`); the generators are frozen with their version (a new format
//! version gets a new generator and fixture, the old ones stay), as bundles do
//! (`crates/persist/tests/fixtures.rs`).
//!
//! `v1.dwr` (format 1): a numeric column with missing values and an infinity, few
//! integers (compared as categories under `auto`), a categorical column, a boolean and a
//! timestamp, so every kind the reference stores is in the file.
//!
//! To regenerate (only while the writer still writes that version, and only when the
//! reference's content changes on purpose):
//!
//! ```text
//! DRIFTWATCH_REGENERATE_FIXTURES=1 cargo test -p driftwatch-drift --test reference_fixtures -- --ignored
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns too

use std::path::PathBuf;

use driftwatch_core::{Frame, ReadOptions, read_csv};
use driftwatch_drift::columns::{ColumnReference, DriftOptions, DriftReference, DriftReport};
use driftwatch_drift::reference_file::{
    REFERENCE_FORMAT_VERSION, load_reference, reference_from_bytes, reference_to_bytes,
    save_reference,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/references")
        .join(name)
}

fn frame(text: &str) -> Frame {
    read_csv(text.as_bytes(), "inline.csv", &ReadOptions::default()).unwrap()
}

/// The reference data of the v1 fixture.
const V1_REFERENCE: &str = "\
x,k,c,b,t
1.5,1,red,true,2024-01-01 00:00:00
2.25,2,blue,false,2024-01-01 06:00:00
NA,3,red,true,2024-01-01 12:00:00
3.75,1,green,true,2024-01-02 00:00:00
4.5,2,red,false,2024-01-02 06:00:00
5.0,3,blue,true,2024-01-02 12:00:00
6.125,1,red,true,2024-01-03 00:00:00
inf,2,green,false,2024-01-03 06:00:00
7.5,3,red,true,2024-01-03 12:00:00
8.0,1,blue,false,2024-01-04 00:00:00
9.25,2,red,true,2024-01-04 06:00:00
10.5,3,,true,2024-01-04 12:00:00
";

/// The current data the v1 fixture is checked against: `x` shifted, an unseen colour.
const V1_CURRENT: &str = "\
x,k,c,b,t
11.5,1,red,true,2024-02-01 00:00:00
12.25,2,blue,true,2024-02-01 06:00:00
13.0,3,purple,true,2024-02-01 12:00:00
NA,1,red,false,2024-02-02 00:00:00
14.5,2,purple,true,2024-02-02 06:00:00
15.75,3,red,true,2024-02-02 12:00:00
16.0,1,blue,true,2024-02-03 00:00:00
17.5,2,red,false,2024-02-03 06:00:00
";

/// The report of a reference on the v1 current data, as JSON (what the CLI prints).
fn report_json(reference: &DriftReference) -> serde_json::Value {
    let report: DriftReport = reference
        .report(&frame(V1_CURRENT), &DriftOptions::default())
        .unwrap();
    serde_json::to_value(&report).unwrap()
}

/// The report without its prose (`note`, `message`): rewording a note is no change of
/// the format, numbers and verdicts are.
fn without_prose(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(map) => {
            map.remove("note");
            map.remove("message");
            for x in map.values_mut() {
                *x = without_prose(x.take());
            }
        }
        serde_json::Value::Array(items) => {
            for x in items.iter_mut() {
                *x = without_prose(x.take());
            }
        }
        _ => {}
    }
    v
}

/// Writes `fixtures/references/v1.dwr` and `v1.report.json`. Ignored: run it on purpose
/// only (see the file's doc comment), then commit both files.
#[test]
#[ignore = "writes the committed v1 fixture; run on purpose only"]
fn regenerate_v1_fixture() {
    if std::env::var("DRIFTWATCH_REGENERATE_FIXTURES").as_deref() != Ok("1") {
        eprintln!("set DRIFTWATCH_REGENERATE_FIXTURES=1 to overwrite the v1 fixture");
        return;
    }
    assert_eq!(
        REFERENCE_FORMAT_VERSION, 1,
        "the writer no longer writes format version 1: the v1 fixture is frozen, add a generator for the new version"
    );
    let reference = DriftReference::fit(&frame(V1_REFERENCE), &[]).unwrap();
    let path = fixture("v1.dwr");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    save_reference(&path, &reference).unwrap();
    let report = serde_json::to_string_pretty(&report_json(&reference)).unwrap();
    std::fs::write(fixture("v1.report.json"), report + "\n").unwrap();
}

#[test]
fn v1_reference_loads_with_every_column_kind() {
    let bytes = std::fs::read(fixture("v1.dwr")).unwrap();
    assert_eq!(&bytes[..4], b"DWRF");
    assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 1);
    let loaded = load_reference(&fixture("v1.dwr")).unwrap();
    // Debug, not ==: the infinity makes x's std and top decile edge NaN
    assert_eq!(
        format!("{loaded:?}"),
        format!("{:?}", reference_from_bytes(&bytes, u64::MAX).unwrap())
    );
    assert_eq!(loaded.names(), ["x", "k", "c", "b", "t"]);
    let kinds: Vec<&str> = loaded.columns.iter().map(|c| c.kind().as_str()).collect();
    assert_eq!(
        kinds,
        ["numeric", "numeric", "categorical", "boolean", "timestamp"]
    );
    let x = &loaded.columns[0];
    assert_eq!((x.rows, x.missing), (12, 1));
    let ColumnReference::Numeric(Some(n)) = &x.reference else {
        panic!("x is numeric: {x:?}")
    };
    assert_eq!(n.sorted.sorted_values().last(), Some(&f64::INFINITY));
    assert!(n.std.is_nan());
    assert_eq!(loaded.columns[2].missing, 1);
}

#[test]
fn v1_reference_gives_the_report_it_gave_when_written() {
    let loaded = load_reference(&fixture("v1.dwr")).unwrap();
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("v1.report.json")).unwrap()).unwrap();
    let now = report_json(&loaded);
    assert_eq!(without_prose(now), without_prose(stored.clone()));
    // the stored report is a real check: x drifted, the new colour was found, the
    // timestamp was left out, the integers were compared as categories
    assert_eq!(stored["total"], 5);
    assert_eq!(stored["columns"][1]["kind"], "categorical");
    assert_eq!(stored["columns"][4]["test"], "skipped");
    assert_eq!(stored["skipped"], 1);
    assert_eq!(stored["columns"][0]["column"], "x");
    assert_eq!(stored["columns"][0]["drift"], true);
    assert_eq!(
        stored["columns"][2]["unseen_categories"],
        serde_json::json!([["purple", 2]])
    );
}

#[test]
fn v1_reference_equals_a_fit_of_its_data_today() {
    // The same data fitted by today's code gives the same reference, hence the same
    // report: what the file stores is still what a fit computes.
    let loaded = load_reference(&fixture("v1.dwr")).unwrap();
    let fitted = DriftReference::fit(&frame(V1_REFERENCE), &[]).unwrap();
    // compared as today's bytes (== would fail on the NaNs the infinity gives)
    assert_eq!(
        reference_to_bytes(&loaded).unwrap(),
        reference_to_bytes(&fitted).unwrap()
    );
    assert_eq!(report_json(&loaded), report_json(&fitted));
}
