//! `driftwatch drift` counts the bins of sketched columns in a second read of each
//! file: under a tiny `--memory-limit` the binned tests give the report of the
//! unlimited run, bit for bit; standard input and a sketched `.dwr` reference cannot
//! be read again, so their rows stay approximate and say why.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{json, run, text};

/// Two numeric columns of many distinct values (30,000 rows, `x` with missing
/// values), a categorical one.
fn write_table(dir: &Path, name: &str, shift: f64) -> String {
    let mut t = String::from("x,y,c\n");
    for i in 0..30_000u64 {
        let x = if i % 13 == 0 {
            String::new()
        } else {
            format!("{}", ((i * 7919) % 100_003) as f64 / 1000.0 + shift)
        };
        let y = ((i * 104_729) % 65_521) as f64 / 7.0;
        t.push_str(&format!("{x},{y},{}\n", ["a", "b", "c"][(i % 3) as usize]));
    }
    let p = dir.join(name);
    std::fs::write(&p, t).unwrap();
    p.to_string_lossy().into_owned()
}

fn drift(reference: &str, current: &str, test: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "drift",
        "--reference",
        reference,
        "--current",
        current,
        "--test",
        test,
        "--format",
        "json",
    ];
    args.extend(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    json(&o)
}

#[test]
fn binned_tests_on_sketched_columns_equal_the_unlimited_run() {
    let dir = tempfile::tempdir().unwrap();
    let r = write_table(dir.path(), "r.csv", 0.0);
    let c = write_table(dir.path(), "c.csv", 0.5);
    for test in ["jensenshannon", "kl", "tvd"] {
        let exact = drift(&r, &c, test, &[]);
        let small = drift(&r, &c, test, &["--memory-limit", "100K"]);
        assert!(exact["columns"][0]["statistic"].as_f64().unwrap() > 0.0);
        assert_eq!(small, exact, "{test}");
    }
    // an order-based test on the same run stays from the sketches
    let approximate = drift(&r, &c, "ks", &["--memory-limit", "100K"]);
    assert_eq!(approximate["columns"][0]["exact"], false);
    // PSI on the sketched reference: its sketches alone outgrow 100K, so no memory is
    // left to keep the values near its deciles, and the row says how much more to give
    let psi = drift(&r, &c, "psi", &["--memory-limit", "100K"]);
    let x = &psi["columns"][0];
    assert_eq!(x["exact"], false);
    let note = x["note"].as_str().unwrap();
    assert!(
        note.contains("the deciles and bins of the reference are estimated from its sketch: finding them exactly keeps up to ")
            && note.contains("raise memory_limit (--memory-limit) by "),
        "{note}"
    );
}

/// `rows` rows: `x` rounded to quarters (many ties, more distinct values than a
/// sketch counts exactly), `y` spread, `c` categorical.
fn write_large(dir: &Path, name: &str, rows: u64, shift: f64) -> String {
    let mut t = String::with_capacity(rows as usize * 24);
    t.push_str("x,y,c\n");
    for i in 0..rows {
        let x = ((i * 7919) % 12_007) as f64 / 4.0 + shift;
        let y = ((i * 104_729) % 1_000_003) as f64 / 7.0;
        t.push_str(&format!("{x},{y},{}\n", ["a", "b"][(i % 2) as usize]));
    }
    let p = dir.join(name);
    std::fs::write(&p, t).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn psi_on_a_sketched_reference_table_equals_the_unlimited_run() {
    let dir = tempfile::tempdir().unwrap();
    let r = write_large(dir.path(), "r.csv", 120_000, 0.0);
    let c = write_large(dir.path(), "c.csv", 90_000, 3.0);
    let limit = ["--memory-limit", "1200K"];
    // the limit sketches both numeric columns of both tables
    let ks = drift(&r, &c, "ks", &limit);
    for j in 0..2 {
        assert_eq!(ks["columns"][j]["exact"], false, "{}", ks["columns"][j]);
    }
    let exact = drift(&r, &c, "psi", &[]);
    let small = drift(&r, &c, "psi", &limit);
    for j in 0..3 {
        let row = &small["columns"][j];
        assert!(row.get("exact").is_none(), "{row}");
    }
    assert!(exact["columns"][0]["statistic"].as_f64().unwrap() > 0.0);
    assert_eq!(small, exact);
}

#[test]
fn standard_input_and_a_sketched_dwr_stay_approximate_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let r = write_table(dir.path(), "r.csv", 0.0);
    let c = write_table(dir.path(), "c.csv", 0.5);
    let exact = drift(&r, &c, "hellinger", &[]);

    // the current table on standard input: read once
    let mut child = Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args([
            "drift",
            "--reference",
            &r,
            "--current",
            "-",
            "--test",
            "hellinger",
            "--format",
            "json",
            "--memory-limit",
            "100K",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = std::fs::read(&c).unwrap();
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let piped = json(&o);
    let x = &piped["columns"][0];
    assert_eq!(x["exact"], false);
    assert!(
        x["note"].as_str().unwrap().contains(
            "the bins of the current data are estimated from its sketch: standard input cannot be read a second time"
        ),
        "{x}"
    );
    let (got, want) = (
        x["statistic"].as_f64().unwrap(),
        exact["columns"][0]["statistic"].as_f64().unwrap(),
    );
    assert!(got != want && (got - want).abs() < 0.05, "{got} vs {want}");

    // a .dwr holding a sketch: the reference's bins are estimated, the current's counted
    let dwr = dir.path().join("r.dwr").to_string_lossy().into_owned();
    let o = run(&[
        "reference",
        "build",
        "--data",
        &r,
        "--out",
        &dwr,
        "--memory-limit",
        "100K",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let from_dwr = drift(&dwr, &c, "hellinger", &["--memory-limit", "100K"]);
    let x = &from_dwr["columns"][0];
    assert_eq!(x["exact"], false);
    assert!(
        x["note"]
            .as_str()
            .unwrap()
            .contains("the bins of the reference are estimated from its sketch: a .dwr reference keeps a sketch"),
        "{x}"
    );
    // a .dwr of an exact reference with a sketched current: exact again, PSI too
    let o = run(&["reference", "build", "--data", &r, "--out", &dwr]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let exact_dwr = drift(&dwr, &c, "hellinger", &["--memory-limit", "100K"]);
    assert_eq!(exact_dwr["columns"][0], exact["columns"][0]);
    let psi = drift(&dwr, &c, "psi", &["--memory-limit", "100K"]);
    assert_eq!(psi["columns"][0], drift(&r, &c, "psi", &[])["columns"][0]);

    // PSI on a .dwr holding a sketch: its deciles stay estimated, and the row says why
    let o = run(&[
        "reference",
        "build",
        "--data",
        &r,
        "--out",
        &dwr,
        "--memory-limit",
        "100K",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let psi = drift(&dwr, &c, "psi", &["--memory-limit", "100K"]);
    let x = &psi["columns"][0];
    assert_eq!(x["exact"], false);
    assert!(
        x["note"].as_str().unwrap().contains(
            "the deciles and bins of the reference are estimated from its sketch: a .dwr reference keeps a sketch"
        ),
        "{x}"
    );
}
