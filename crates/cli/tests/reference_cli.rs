//! `driftwatch reference build` and `driftwatch drift --reference FILE.dwr`, through the
//! real binary: the saved reference gives the same report as the CSV it was built
//! from, for every test, and a damaged file is an input error (exit 2) with a message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args(args)
        .output()
        .expect("run driftwatch")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A reference and a current CSV with numeric (many values, few values), categorical
/// and partly missing columns; the current one shifted and with an unseen category.
fn write_data(dir: &Path) -> (String, String) {
    let mut r = String::from("x,small,region,gap\n");
    let mut c = String::from("x,small,region,gap\n");
    for i in 0..1500 {
        let x = ((i * 7919) % 1000) as f64 / 100.0;
        let region = ["north", "south", "east"][i % 3];
        let gap = if i % 10 == 0 {
            "NA".to_string()
        } else {
            format!("{}", i % 17)
        };
        r.push_str(&format!("{x},{},{region},{gap}\n", i % 3));
        let region = ["north", "south", "west"][i % 3];
        let gap = if i % 4 == 0 {
            "NA".to_string()
        } else {
            format!("{}", i % 13)
        };
        c.push_str(&format!("{},{},{region},{gap}\n", x + 0.7, (i % 4).min(2)));
    }
    let (rp, cp) = (dir.join("r.csv"), dir.join("c.csv"));
    std::fs::write(&rp, r).unwrap();
    std::fs::write(&cp, c).unwrap();
    (
        rp.to_string_lossy().into_owned(),
        cp.to_string_lossy().into_owned(),
    )
}

#[test]
fn saved_reference_gives_the_same_report_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = write_data(dir.path());
    let dwr = dir.path().join("r.dwr").to_string_lossy().into_owned();
    let o = run(&[
        "reference",
        "build",
        "--data",
        &r,
        "--out",
        &dwr,
        "--categorical",
        "region",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["rows"], 1500);
    assert_eq!(summary["columns"], 4);
    assert_eq!(summary["categorical"], 1);
    for test in ["auto", "ks", "psi", "cvm", "jensenshannon", "chi2"] {
        let from_csv = run(&[
            "drift",
            "--reference",
            &r,
            "--current",
            &c,
            "--categorical",
            "region",
            "--test",
            test,
            "--format",
            "json",
        ]);
        // the .dwr remembers that `region` is categorical
        let from_dwr = run(&[
            "drift",
            "--reference",
            &dwr,
            "--current",
            &c,
            "--test",
            test,
            "--format",
            "json",
        ]);
        assert_eq!(from_csv.status.code(), Some(0), "{}", stderr(&from_csv));
        assert_eq!(from_dwr.status.code(), Some(0), "{}", stderr(&from_dwr));
        let a: serde_json::Value = serde_json::from_slice(&from_csv.stdout).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&from_dwr.stdout).unwrap();
        assert_eq!(a, b, "test {test}");
        assert_eq!(a["total"], 4);
    }
    let a = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--categorical",
        "region",
        "--columns",
        "x,region",
        "--format",
        "json",
    ]);
    let b = run(&[
        "drift",
        "--reference",
        &dwr,
        "--current",
        &c,
        "--columns",
        "x,region",
        "--format",
        "json",
    ]);
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(v["columns"][0]["column"], "x");
    assert_eq!(v["columns"][1]["unseen_categories"][0][0], "west");
    let missing = run(&[
        "drift",
        "--reference",
        &dwr,
        "--current",
        &c,
        "--columns",
        "nope",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("does not hold"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn damaged_reference_files_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = write_data(dir.path());
    let dwr = dir.path().join("r.dwr");
    let o = run(&[
        "reference",
        "build",
        "--data",
        &r,
        "--out",
        dwr.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("4 columns"));
    let bytes = std::fs::read(&dwr).unwrap();
    let bad = dir.path().join("bad.dwr");
    let mut flipped = bytes.clone();
    let n = flipped.len();
    flipped[n / 2] ^= 0xff;
    std::fs::write(&bad, &flipped).unwrap();
    let o = run(&[
        "drift",
        "--reference",
        bad.to_str().unwrap(),
        "--current",
        &c,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("checksum"), "{}", stderr(&o));
    std::fs::write(&bad, &bytes[..bytes.len() / 3]).unwrap();
    let o = run(&[
        "drift",
        "--reference",
        bad.to_str().unwrap(),
        "--current",
        &c,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
}

/// `--format markdown|html --output FILE`: one table row and one chart per column, the
/// same from the CSV and from the saved reference (whose histograms come from its
/// stored sorted sample and counts).
#[test]
fn markdown_and_html_reports_from_csv_and_saved_reference() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = write_data(dir.path());
    let dwr = dir.path().join("r.dwr").to_string_lossy().into_owned();
    let o = run(&[
        "reference",
        "build",
        "--data",
        &r,
        "--out",
        &dwr,
        "--categorical",
        "region",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = |reference: &str, format: &str| {
        let out = dir.path().join(format!("report.{format}"));
        let o = run(&[
            "drift",
            "--reference",
            reference,
            "--current",
            &c,
            "--categorical",
            "region",
            "--format",
            format,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        let text = std::fs::read_to_string(&out).unwrap();
        // Drop the title line, which names the reference file.
        text.split_once('\n').unwrap().1.to_string()
    };
    let md = report(&r, "markdown");
    assert_eq!(md, report(&dwr, "markdown"));
    assert!(md.contains("columns drifted; dataset drift: yes"), "{md}");
    assert!(
        md.contains("| x | numeric | wasserstein-normed | 0.2424 | - |"),
        "{md}"
    );
    assert!(md.contains("**DRIFT**"), "{md}");
    assert!(
        md.contains("not in the reference: 'west' (500 rows)"),
        "{md}"
    );
    for reference in [&r, &dwr] {
        let html = report(reference, "html");
        assert_eq!(html.matches("<svg").count(), 4, "a chart per column");
        for col in ["x", "small", "region", "gap"] {
            assert!(html.contains(&format!("\n{col} - ")), "{col} chart");
        }
        assert!(
            html.contains("x - DRIFT (wasserstein-normed 0.242)"),
            "x drifted"
        );
        assert!(!html.contains("<script"));
    }
}

/// `reference merge`: the fixture cut into three parts, each built alone, merges into
/// the very bytes of the reference built on the whole file (everything a reference
/// holds is exact: counts add, samples merge, the rest is recomputed).
#[test]
fn merged_parts_equal_the_whole_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/data/manufacturing");
    let text = std::fs::read_to_string(root.join("train.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let build = |name: &str, rows: &[&str]| -> String {
        let csv = dir.path().join(format!("{name}.csv"));
        std::fs::write(&csv, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        let dwr = dir.path().join(format!("{name}.dwr"));
        let (csv, dwr) = (csv.to_string_lossy(), dwr.to_string_lossy().into_owned());
        let o = run(&["reference", "build", "--data", &csv, "--out", &dwr]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        dwr
    };
    let whole = build("whole", &rows);
    let cuts = [0, 700, 1900, rows.len()];
    let parts: Vec<String> = cuts
        .windows(2)
        .enumerate()
        .map(|(k, w)| build(&format!("part{k}"), &rows[w[0]..w[1]]))
        .collect();
    let merged = dir.path().join("merged.dwr").to_string_lossy().into_owned();
    let mut args = vec!["reference", "merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--out", &merged, "--format", "json"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["rows"], 3000);
    assert_eq!(
        (summary["numeric"].clone(), summary["categorical"].clone()),
        (6.into(), 2.into())
    );
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(&whole).unwrap()
    );
    // parts with other columns are refused, naming the file
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "a\n1\n2\n").unwrap();
    let other_dwr = dir.path().join("other.dwr").to_string_lossy().into_owned();
    let o = run(&[
        "reference",
        "build",
        "--data",
        &other.to_string_lossy(),
        "--out",
        &other_dwr,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&[
        "reference",
        "merge",
        &parts[0],
        &other_dwr,
        "--out",
        &merged,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("other.dwr"), "{}", stderr(&o));
    // one part only is a usage error
    let o = run(&["reference", "merge", &parts[0], "--out", &merged]);
    assert_eq!(o.status.code(), Some(2));
}

/// A numeric column of many distinct values (30,000 rows), a categorical one.
fn write_large(dir: &Path, name: &str, shift: f64) -> String {
    let mut t = String::from("x,c\n");
    for i in 0..30_000u64 {
        let x = ((i * 7919) % 100_003) as f64 / 1000.0 + shift;
        t.push_str(&format!("{x},{}\n", ["a", "b", "c"][(i % 3) as usize]));
    }
    let p = dir.join(name);
    std::fs::write(&p, t).unwrap();
    p.to_string_lossy().into_owned()
}

/// `--memory-limit`: within it the report is the exact one; below what the data needs
/// the numeric column is tested from sketches and its row says so with the bound; the
/// HTML page draws it from the sketch and says so; a sketched `.dwr` (version 2) checks
/// and merges.
#[test]
fn a_small_memory_limit_sketches_with_a_stated_bound() {
    let dir = tempfile::tempdir().unwrap();
    let r = write_large(dir.path(), "r.csv", 0.0);
    let c = write_large(dir.path(), "c.csv", 0.5);
    let drift = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "drift",
            "--reference",
            &r,
            "--current",
            &c,
            "--test",
            "ks",
            "--format",
            "json",
        ];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let exact = drift(&[]);
    assert_eq!(exact, drift(&["--memory-limit", "1G"]));
    assert!(exact["columns"][0].get("exact").is_none());
    let small = drift(&["--memory-limit", "100K"]);
    let x = &small["columns"][0];
    assert_eq!(x["exact"], false);
    let e = x["max_cdf_error"].as_f64().unwrap();
    assert!(e > 0.0 && e < 0.05, "{e}");
    let (d, want) = (
        x["statistic"].as_f64().unwrap(),
        exact["columns"][0]["statistic"].as_f64().unwrap(),
    );
    assert!((d - want).abs() <= e, "{d} vs {want} within {e}");
    assert!(x["note"].as_str().unwrap().contains("quantile sketches"));
    assert!(
        x["note"]
            .as_str()
            .unwrap()
            .contains("least significant statistic")
    );
    // categories stay exact
    assert_eq!(small["columns"][1], exact["columns"][1]);
    let o = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--format",
        "html",
        "--memory-limit",
        "100K",
    ]);
    // the page is drawn from the same summaries: x's bars from its sketch, marked;
    // the categories' counts are exact
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(
        page.contains("x - ok (wasserstein-normed 0.017; bars estimated from a quantile sketch)"),
        "{page}"
    );
    assert_eq!(page.matches("bars estimated").count(), 1, "{page}");
    let o = run(&[
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--memory-limit",
        "lots",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // a sketched reference file: version 2, checks as the sketched CSV run, merges
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
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(&dwr).unwrap();
    assert_eq!(bytes[4..6], [2, 0]);
    let from_dwr = {
        let o = run(&[
            "drift",
            "--reference",
            &dwr,
            "--current",
            &c,
            "--test",
            "ks",
            "--format",
            "json",
            "--memory-limit",
            "100K",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    assert_eq!(from_dwr["columns"][0]["exact"], false);
    let merged = dir.path().join("m.dwr").to_string_lossy().into_owned();
    let o = run(&[
        "reference",
        "merge",
        &dwr,
        &dwr,
        "--out",
        &merged,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["rows"], 60_000);
}
