//! How `driftwatch drift` reads its tables: only the needed columns (CSV fields left
//! unparsed, Parquet columns undecoded), both files at once on two threads with the same
//! results as one after the other, and the HTML page drawn from the chunked summaries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{json, run, text};

use std::path::Path;
use std::process::{Command, Stdio};

/// A reference and a current CSV: numbers `x`, `y`, categories `c`, and `z`, a column
/// of numbers with one typo in the current file.
fn write_pair(dir: &Path) -> (String, String) {
    let mut r = String::from("x,c,y,z\n");
    let mut c = String::from("x,c,y,z\n");
    // x has more distinct values than a sketch counts exactly (1,024)
    for i in 0..3000 {
        let v = ((i * 7919) % 3001) as f64 / 8.0;
        r.push_str(&format!("{v},{},{},{}\n", ["a", "b", "c"][i % 3], i % 7, i));
        let z = if i == 5 {
            "12x".to_string()
        } else {
            i.to_string()
        };
        c.push_str(&format!(
            "{},{},{},{z}\n",
            v + 40.0,
            ["a", "b", "d"][i % 3],
            i % 5
        ));
    }
    let (rp, cp) = (dir.join("r.csv"), dir.join("c.csv"));
    std::fs::write(&rp, r).unwrap();
    std::fs::write(&cp, c).unwrap();
    (
        rp.to_string_lossy().into_owned(),
        cp.to_string_lossy().into_owned(),
    )
}

/// `drift` with the current table on standard input: read after the reference, on one
/// thread, with the current getting what the reference left of the limit.
fn drift_current_on_stdin(reference: &str, current: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args(["drift", "--reference", reference, "--current", "-"])
        .args(extra)
        .stdin(Stdio::from(std::fs::File::open(current).unwrap()))
        .output()
        .unwrap()
}

#[test]
fn only_the_checked_columns_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = write_pair(dir.path());
    // every column read: z's typo in the current file is refused
    let all = run(&["drift", "--reference", &r, "--current", &c]);
    assert_eq!(all.status.code(), Some(2), "{}", text(&all));
    assert!(text(&all).contains("'z' (row 6: '12x'"), "{}", text(&all));
    // --columns x,c: z is never parsed, and the rows are those of the whole read
    let some = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--columns",
        "x,c",
        "--format",
        "json",
    ]);
    let doc = json(&some);
    let names: Vec<&str> = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["x", "c"]);
    assert_eq!(doc["columns"][0]["drift"], true);
    assert_eq!(doc["columns"][1]["unseen_categories"][0][0], "d");
    let cat = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--columns",
        "x,c",
        "--format",
        "json",
        "--categorical",
        "z",
    ]);
    let whole = json(&cat);
    // the same rows as a read of every column (z read as categories to get past it)
    assert_eq!(whole["columns"][0], doc["columns"][0]);
    assert_eq!(whole["columns"][1], doc["columns"][1]);
    // a column the reference lacks names the file, the column and what it has
    let missing = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--columns",
        "x,w",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    let e = text(&missing);
    assert!(
        e.contains("column 'w' is missing in")
            && e.contains("r.csv; available columns: x, c, y, z"),
        "{e}"
    );
    // one the current lacks is a one-sided row, as before
    let cur = dir.path().join("c2.csv");
    std::fs::write(&cur, "x,c\n1,a\n2,b\n").unwrap();
    let o = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &cur.to_string_lossy(),
        "--columns",
        "x,y",
        "--format",
        "json",
    ]);
    let doc = json(&o);
    assert_eq!(doc["columns"][1]["column"], "y");
    assert_eq!(doc["columns"][1]["issues"][0]["kind"], "one_sided");
}

#[test]
fn reference_build_reads_only_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (_, c) = write_pair(dir.path());
    let dwr = dir.path().join("c.dwr").to_string_lossy().into_owned();
    // the typo in z is not read when z is not built
    let o = run(&[
        "reference",
        "build",
        "--data",
        &c,
        "--columns",
        "y,x",
        "--output",
        &dwr,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("3000 rows, 2 columns: 2 numeric"),
        "{}",
        text(&o)
    );
    let o = run(&["reference", "build", "--data", &c, "--output", &dwr]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn two_threads_give_the_report_of_one_read_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = write_pair(dir.path());
    for extra in [
        &["--categorical", "z", "--format", "json"][..],
        &["--categorical", "z", "--format", "json", "--test", "ks"][..],
        &[
            "--columns",
            "y,x",
            "--format",
            "json",
            "--test",
            "wasserstein",
        ][..],
        &["--categorical", "z", "--format", "markdown"][..],
    ] {
        let mut args = vec!["drift", "--reference", &r, "--current", &c];
        args.extend_from_slice(extra);
        let both = run(&args);
        let one = drift_current_on_stdin(&r, &c, extra);
        assert_eq!(both.status.code(), Some(0), "{}", text(&both));
        let title = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).replace(&c, "-");
        assert_eq!(title(&both), title(&one), "{extra:?}");
    }
    // a typo in each file: one message naming both, reference first
    let bad_ref = dir.path().join("r2.csv");
    let text_r = std::fs::read_to_string(&r)
        .unwrap()
        .replacen(",7\n", ",7y\n", 1);
    std::fs::write(&bad_ref, text_r).unwrap();
    let o = run(&[
        "drift",
        "--reference",
        &bad_ref.to_string_lossy(),
        "--current",
        &c,
    ]);
    let e = text(&o);
    let (at_r, at_c) = (
        e.find("r2.csv: 'z'").unwrap(),
        e.find("c.csv: 'z'").unwrap(),
    );
    assert!(at_r < at_c, "{e}");
}

#[test]
fn the_html_page_is_drawn_from_the_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = write_pair(dir.path());
    let page = |extra: &[&str]| {
        let mut args = vec![
            "drift",
            "--reference",
            &r,
            "--current",
            &c,
            "--format",
            "html",
            "--columns",
            "x,c",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let exact = page(&[]);
    assert!(exact.contains("x - DRIFT"), "{exact}");
    assert!(!exact.contains("estimated"), "{exact}");
    // a limit small enough to sketch x: the page says its bars are estimates
    let sketched = page(&["--memory-limit", "2K"]);
    assert!(
        sketched.contains("bars estimated from a quantile sketch"),
        "{sketched}"
    );
}
