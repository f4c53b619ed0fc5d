//! Messy real files through the real binary (issue 12, items 1 and 3-8): infinities
//! in predict and train, other delimiters and standard input, booleans in any case, timestamps, integer
//! codes, several problem columns at once, header-only files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{json, root, run, text, train_iris};

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn drift(reference: &str, current: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    common::drift_json(reference, current, extra)
}

fn row<'a>(doc: &'a serde_json::Value, column: &str) -> &'a serde_json::Value {
    common::drift_row(doc, column)
}

// Infinities in drift: tests/drift_inf.rs (scipy's values).

#[test]
fn predict_names_the_file_row_of_an_infinite_value() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_iris(dir.path(), &[]);
    let data = write(
        dir.path(),
        "rows.csv",
        "sepal_length,sepal_width,petal_length,petal_width\n\
         6.1,2.8,4.7,1.2\n5.7,3.8,1.7,0.3\n7.7,2.6,6.9,2.3\n1e400,2.9,4.5,1.5\n6.8,2.8,4.8,1.4\n",
    );
    let o = run(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("row 4, column 'sepal_length': value 'inf' breaks rule 'a finite number'"),
        "{err}"
    );
    assert!(!err.contains("impute"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    let rows: Vec<&str> = out.lines().skip(1).map(|l| &l[..2]).collect();
    assert_eq!(rows, ["1,", "2,", "3,", "5,"]);
    // training data with an infinity is refused with its row
    let bad = write(
        dir.path(),
        "train.csv",
        "a,y\n1,x\n2,y\n-inf,x\n4,y\n5,x\n6,y\n",
    );
    let o = run(&[
        "train",
        "--data",
        bad.to_str().unwrap(),
        "--target",
        "y",
        "--out",
        dir.path().join("m.dwm").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("'a' row 3: -inf"), "{}", text(&o));
}

#[test]
fn semicolons_tabs_and_pipes_are_sniffed() {
    for d in [";", "\t", "|"] {
        let r = format!("a{d}b\n1.5{d}x\n2.5{d}y\n3.5{d}x\n");
        let c = format!("a{d}b\n11.5{d}x\n12.5{d}y\n13.5{d}x\n");
        let (code, doc) = drift(&r, &c, &["--test", "ks"]);
        assert_eq!(code, Some(0));
        assert_eq!(doc["total"], 2, "{d:?}: {doc}");
        assert_eq!(row(&doc, "a")["statistic"], 1.0);
    }
}

#[test]
fn a_wrong_delimiter_is_exit_2_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "semi.csv", "a;b\n1;2\n3;4\n");
    let o = run(&[
        "drift",
        "--reference",
        f.to_str().unwrap(),
        "--current",
        f.to_str().unwrap(),
        "--delimiter",
        ",",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--delimiter ';'"), "{}", text(&o));
    // the named delimiter is used
    let o = run(&[
        "drift",
        "--reference",
        f.to_str().unwrap(),
        "--current",
        f.to_str().unwrap(),
        "--delimiter",
        ";",
        "--format",
        "json",
    ]);
    assert_eq!(json(&o)["total"], 2);
}

#[test]
fn standard_input_is_dash() {
    let dir = tempfile::tempdir().unwrap();
    let r = write(dir.path(), "r.csv", "a\n1.5\n2.5\n3.5\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args([
            "drift",
            "--reference",
            r.to_str().unwrap(),
            "--current",
            "-",
            "--test",
            "ks",
            "--format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a\n11.5\n12.5\n13.5\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(row(&json(&o), "a")["statistic"], 1.0);
    let o = run(&["drift", "--reference", "-", "--current", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("only one input"), "{}", text(&o));
}

#[test]
fn booleans_in_any_case_are_one_kind() {
    let (code, doc) = drift(
        "b\nTrue\nFalse\nTrue\nFalse\nTrue\n",
        "b\ntrue\nfalse\nTRUE\nfalse\ntrue\n",
        &["--fail-on-drift"],
    );
    assert_eq!(code, Some(0), "{doc}");
    let b = row(&doc, "b");
    assert_eq!(b["kind"], "boolean");
    assert_eq!(b["drift"], false);
    assert_eq!(b["effect"], 0.0);
    assert!(b.get("unseen_categories").is_none(), "{b}");
}

#[test]
fn timestamps_are_skipped_and_never_listed() {
    let mut r = String::from("ts,x\n");
    let mut c = String::from("ts,x\n");
    for i in 0..40 {
        r.push_str(&format!(
            "2024-01-{:02} 10:00:00.5,{}.5\n",
            1 + i % 28,
            i % 9
        ));
        c.push_str(&format!(
            "2024-02-{:02}T10:00:00Z,{}.5\n",
            1 + i % 28,
            i % 9
        ));
    }
    let (code, doc) = drift(&r, &c, &["--fail-on-data-issue"]);
    assert_eq!(code, Some(0), "{doc}");
    let ts = row(&doc, "ts");
    assert_eq!(ts["kind"], "timestamp");
    assert_eq!(ts["test"], "skipped");
    assert!(ts.get("unseen_categories").is_none(), "{ts}");
    assert_eq!(doc["skipped"], 1);
    // --numerical compares them as numbers: a month apart, KS sees it
    let (_, doc) = drift(&r, &c, &["--numerical", "ts"]);
    assert_eq!(row(&doc, "ts")["drift"], true, "{doc}");
}

#[test]
fn monitor_windows_by_pandas_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_iris(dir.path(), &[]);
    let iris = std::fs::read_to_string(root().join("fixtures/data/iris/current.csv")).unwrap();
    let mut cur = String::new();
    for (i, line) in iris.lines().enumerate() {
        if i == 0 {
            cur.push_str(&format!("{line},timestamp\n"));
        } else {
            let k = i - 1;
            cur.push_str(&format!(
                "{line},2024-03-{:02} {:02}:00:00.250\n",
                1 + k / 30,
                k % 24
            ));
        }
    }
    let current = write(dir.path(), "cur.csv", &cur);
    let o = run(&[
        "monitor",
        "--model",
        model.to_str().unwrap(),
        "--reference",
        root()
            .join("fixtures/data/iris/train.csv")
            .to_str()
            .unwrap(),
        "--current",
        current.to_str().unwrap(),
        "--target",
        "species",
        "--every",
        "1d",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc = json(&o);
    let windows = doc["windows"].as_array().unwrap();
    assert_eq!(windows[0]["label"], "2024-03-01T00:00:00Z");
    assert_eq!(windows.len(), 30);
    assert_eq!(windows[29]["label"], "2024-03-30T00:00:00Z");
    assert_eq!(windows[0]["n_rows"], 30);
}

#[test]
fn few_integers_are_categories_unless_numerical() {
    let r = "k\n1\n2\n3\n1\n2\n3\n1\n2\n";
    let c = "k\n1\n2\n3\n7\n7\n3\n1\n2\n";
    let (_, doc) = drift(r, c, &[]);
    let k = row(&doc, "k");
    assert_eq!(k["kind"], "categorical");
    assert_eq!(k["unseen_categories"], serde_json::json!([["7", 2]]));
    // as numbers, the values are counted as values (Evidently's rule for <= 5 values)
    let (_, doc) = drift(r, c, &["--numerical", "k"]);
    let k = row(&doc, "k");
    assert_eq!(k["kind"], "numeric");
    assert!(k.get("note").is_none(), "{k}");
    let (_, doc) = drift(r, c, &["--numerical", "k", "--test", "ks"]);
    assert_eq!(row(&doc, "k")["statistic"], 0.25);
    // a name that is not a numeric column is refused, not ignored
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "f.csv", "k,c\n1,a\n2,b\n");
    for (flag, needle) in [("nope", "does not have"), ("c", "is categorical")] {
        let o = run(&[
            "drift",
            "--reference",
            f.to_str().unwrap(),
            "--current",
            f.to_str().unwrap(),
            "--numerical",
            flag,
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o).contains(needle), "{}", text(&o));
    }
}

#[test]
fn every_mixed_column_is_named_in_one_message() {
    // Titanic's Ticket and boat: mostly numbers with some text, in both files
    let r = "Ticket,boat,age\n113803,1,22\nA/5 21171,C,38\n2,13,26\n";
    let c = "Ticket,boat,age\n113803,1,22\n2,C,38\n2,13,x26\n";
    let dir = tempfile::tempdir().unwrap();
    let (rp, cp) = (write(dir.path(), "r.csv", r), write(dir.path(), "c.csv", c));
    let o = run(&[
        "drift",
        "--reference",
        rp.to_str().unwrap(),
        "--current",
        cp.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    for needle in [
        "r.csv: 'Ticket' (row 2: 'A/5 21171'",
        "r.csv: 'boat' (row 2: 'C'",
        "c.csv: 'boat' (row 2: 'C'",
        "c.csv: 'age' (row 3: 'x26'",
        "--categorical Ticket,boat,age",
    ] {
        assert!(t.contains(needle), "{needle}: {t}");
    }
}

#[test]
fn a_header_only_current_file_is_all_missing() {
    let r = "x,c\n1.5,a\n2.5,b\n3.5,a\n";
    let (code, doc) = drift(r, "x,c\n", &[]);
    assert_eq!(code, Some(0), "{doc}");
    for name in ["x", "c"] {
        let issues = row(&doc, name)["issues"].as_array().unwrap().clone();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0]["kind"], "all_missing");
    }
    let (code, _) = drift(r, "x,c\n", &["--fail-on-data-issue"]);
    assert_eq!(code, Some(1));
}
