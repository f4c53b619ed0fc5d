//! Infinite values and the two chi-square tests through the real binary (issue 12,
//! items 1 and 10).
//!
//! The reader parses `inf`, `-inf`, `Infinity` and `1e400` as f64 infinities; the
//! library-level tests of the statistics with infinities are in
//! `crates/drift/tests/options_golden.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;

/// [`common::drift_json`], which must exit 0.
fn drift_json(reference: &str, current: &str, args: &[&str]) -> Value {
    let (code, doc) = common::drift_json(reference, current, args);
    assert_eq!(code, Some(0), "{doc}");
    doc
}

fn has_issue(row: &Value, kind: &str) -> bool {
    row["issues"]
        .as_array()
        .is_some_and(|a| a.iter().any(|i| i["kind"] == kind))
}

/// `mannwhitneyu([1, 2, inf], [3, 4, 5])` from CSV cells, every spelling of infinity:
/// a numeric column, Mann-Whitney (not chi2), U = 3, p = 0.7 (exact, scipy's auto).
#[test]
fn inf_cells_are_numbers() {
    for inf in ["inf", "Infinity", "1e400", "+inf"] {
        let doc = drift_json(
            &format!("x\n1\n2\n{inf}\n"),
            "x\n3\n4\n5\n",
            &["--test", "mannwhitney", "--method", "auto"],
        );
        let x = &doc["columns"][0];
        assert_eq!(x["kind"], "numeric", "{inf}: {x}");
        assert_eq!(x["test"], "mannwhitney", "{inf}: {x}");
        assert_eq!(x["statistic"], 3.0, "{inf}: {x}");
        assert!(
            (x["p_value"].as_f64().unwrap() - 0.7).abs() < 1e-12,
            "{inf}: {x}"
        );
        assert!(has_issue(x, "infinite_values"), "{inf}: {x}");
    }
    // -inf on the current side, inf on both: wasserstein is inf, then undefined
    let doc = drift_json("x\n1\n2\ninf\n", "x\n-inf\n1\n", &["--test", "wasserstein"]);
    let x = &doc["columns"][0];
    assert_eq!(
        (x["drift"].clone(), x["kind"].clone()),
        (true.into(), "numeric".into()),
        "{x}"
    );
    assert!(x["note"].as_str().unwrap().contains("inf"), "{x}");
    let doc = drift_json("x\n1\n2\ninf\n", "x\ninf\n1\n", &["--test", "wasserstein"]);
    let x = &doc["columns"][0];
    assert_eq!(x["statistic"], Value::Null, "{x}");
    assert!(x["note"].as_str().unwrap().contains("undefined"), "{x}");
}

/// `chi2` is scipy's two-sample table, `chi2-gof` Evidently's goodness of fit (p = 0
/// on an unseen category); both report the unseen category as a finding.
#[test]
fn chi2_and_chi2_gof_with_an_unseen_category() {
    let reference = "c\na\na\nb\nb\nb\nc\na\na\nb\nb\nb\nc\n";
    let current = "c\na\na\nb\nb\nc\nd\na\na\nb\nb\nc\nd\n";
    let table = drift_json(reference, current, &["--test", "chi2"]);
    let gof = drift_json(reference, current, &["--test", "chi2-gof"]);
    let (t, g) = (&table["columns"][0], &gof["columns"][0]);
    assert_eq!(
        (t["test"].as_str(), g["test"].as_str()),
        (Some("chi2"), Some("chi2-gof"))
    );
    // scipy.stats.chi2_contingency([[4, 6, 2, 0], [4, 4, 2, 2]], correction=False)
    assert!(
        (t["statistic"].as_f64().unwrap() - 2.4).abs() < 1e-12,
        "{t}"
    );
    assert!(
        (t["p_value"].as_f64().unwrap() - 0.49363462271172787).abs() < 1e-12,
        "{t}"
    );
    // scipy.stats.chisquare([4, 4, 2, 2], [4, 6, 2, 0]): inf, p = 0
    assert_eq!(g["p_value"], 0.0, "{g}");
    assert_eq!(g["drift"], true, "{g}");
    for row in [t, g] {
        assert!(has_issue(row, "unseen_categories"), "{row}");
        assert_eq!(row["unseen_categories"][0][0], "d");
    }
    // auto on a small categorical reference runs the two-sample table
    let auto = drift_json(reference, current, &[]);
    assert_eq!(auto["columns"][0]["test"], "chi2");
}
