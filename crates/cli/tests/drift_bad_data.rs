//! `driftwatch drift` on bad data, through the real binary: each kind of problem is a
//! finding with a message and a status, never a crash; `--fail-on-data-issue` turns
//! findings into exit 1, and bad usage stays exit 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run, text};

use std::path::PathBuf;

struct Files {
    _dir: tempfile::TempDir,
    reference: PathBuf,
    current: PathBuf,
}

fn files(reference: &str, current: &str) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
    std::fs::write(&r, reference).unwrap();
    std::fs::write(&c, current).unwrap();
    Files {
        _dir: dir,
        reference: r,
        current: c,
    }
}

/// Runs drift as JSON (exit 0 expected) and with --fail-on-data-issue (exit 1 expected);
/// returns the row of `column`.
fn finding(
    reference: &str,
    current: &str,
    column: &str,
    kind: &str,
    needle: &str,
) -> serde_json::Value {
    let f = files(reference, current);
    let base = [
        "drift",
        "--reference",
        f.reference.to_str().unwrap(),
        "--current",
        f.current.to_str().unwrap(),
    ];
    let mut args = base.to_vec();
    args.extend(["--format", "json"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["column"] == column)
        .unwrap_or_else(|| panic!("no row for {column}: {doc}"))
        .clone();
    let issue = row["issues"]
        .as_array()
        .unwrap_or_else(|| panic!("no issues: {row}"))
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} issue: {row}"))
        .clone();
    let msg = issue["message"].as_str().unwrap();
    assert!(msg.contains(needle), "{msg}");
    assert!(doc["issues"].as_u64().unwrap() >= 1);
    // text output shows the message, and the flag makes it fail the run
    let o = run(&base);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains(needle), "{}", text(&o));
    let mut args = base.to_vec();
    args.push("--fail-on-data-issue");
    assert_eq!(run(&args).status.code(), Some(1));
    row
}

/// `x` holds decimals: `auto` compares integer columns with few values as categories.
const REF: &str = "x,c\n1.5,a\n2.5,b\n3.5,a\n4.5,b\n5.5,a\n6.5,b\n7.5,a\n8.5,b\n";

#[test]
fn missing_share_rise_is_a_warning() {
    let row = finding(
        REF,
        "x,c\n1.5,a\nNA,b\nNA,a\nNA,b\n5.5,a\n6.5,b\n7.5,a\n8.5,b\n",
        "x",
        "missing_share",
        "37.5% missing in the current data vs 0.0% in the reference",
    );
    assert_eq!(row["missing_current"], 3);
    assert_eq!(row["test"], "ks");
}

#[test]
fn all_missing_column_is_an_alert_not_a_crash() {
    let row = finding(
        REF,
        "x,c\nNA,a\nNA,b\nNA,a\n",
        "x",
        "all_missing",
        "column 'x' has no value in the current data",
    );
    assert_eq!(row["test"], "none");
    assert_eq!(row["drift"], false);
    assert!(row["statistic"].is_null());
}

#[test]
fn constant_column_is_reported() {
    let row = finding(
        "x,c\n5.5,a\n5.5,b\n5.5,a\n5.5,b\n",
        "x,c\n5.5,a\n6.5,b\n5.5,a\n5.5,b\n",
        "x",
        "constant",
        "column 'x' is constant in the reference",
    );
    assert_eq!(row["issues"][0]["status"], "warning");
}

#[test]
fn column_on_one_side_only_is_an_alert() {
    let row = finding(
        REF,
        "c\na\nb\n",
        "x",
        "one_sided",
        "column 'x' is in the reference only",
    );
    assert_eq!(row["issues"][0]["status"], "alert");
    let row = finding(
        "x\n1\n2\n3\n",
        "x,extra\n1,a\n2,b\n3,c\n",
        "extra",
        "one_sided",
        "column 'extra' is in the current data only",
    );
    assert_eq!(row["test"], "none");
}

#[test]
fn unseen_categories_are_listed_with_counts() {
    let row = finding(
        REF,
        "x,c\n1,a\n2,zz\n3,zz\n4,b\n5,new\n",
        "c",
        "unseen_categories",
        "'zz' (2 rows), 'new' (1 rows)",
    );
    // most frequent first
    assert_eq!(row["unseen_categories"][0], serde_json::json!(["zz", 2]));
    assert_eq!(
        (row["unseen_distinct"].as_u64(), row["unseen_rows"].as_u64()),
        (Some(2), Some(3))
    );
}

#[test]
fn bad_usage_exits_2_with_the_fix() {
    let f = files(REF, REF);
    let (r, c) = (f.reference.to_str().unwrap(), f.current.to_str().unwrap());
    for (extra, needle) in [
        // clap lists the names (and suggests a near one)
        (
            vec!["--test", "magic"],
            "invalid value 'magic' for '--test <TEST>'",
        ),
        (vec!["--test", "kss"], "a similar value exists: 'ks'"),
        (
            vec!["--correction", "sidak"],
            "[possible values: none, bonferroni, holm, bh]",
        ),
        (vec!["--test", "ks", "--threshold", "3"], "between 0 and 1"),
        (vec!["--min-effect=-1"], "--min-effect"),
    ] {
        let mut args = vec!["drift", "--reference", r, "--current", c];
        args.extend(extra.iter().copied());
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o));
        assert!(text(&o).contains(needle), "{extra:?}: {}", text(&o));
    }
}

#[test]
fn config_overrides_a_column_and_corrections_adjust_p_values() {
    let f = files(REF, "x,c\n11,a\n12,b\n13,a\n14,b\n15,a\n16,b\n17,a\n18,b\n");
    let cfg = f.reference.with_file_name("drift.toml");
    std::fs::write(&cfg, "[columns.x]\ntest = \"psi\"\nthreshold = 0.2\n").unwrap();
    let o = run(&[
        "drift",
        "--reference",
        f.reference.to_str().unwrap(),
        "--current",
        f.current.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--correction",
        "bonferroni",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let x = &doc["columns"][0];
    assert_eq!(x["test"], "psi");
    assert_eq!(x["threshold"], 0.2);
    assert_eq!(x["drift"], true);
    let c = &doc["columns"][1];
    assert_eq!(c["test"], "z");
    assert_eq!(
        c["p_adjusted"],
        c["p_value"].as_f64().map(|p| (p * 1.0).min(1.0)).unwrap()
    );
    assert_eq!(doc["dataset_drift"], true);
}
