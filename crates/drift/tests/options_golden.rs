//! The test options (Mann-Whitney alternative and exact method, Cramér-von Mises exact,
//! Anderson-Darling variants, chi-square Yates / lambda, Evidently's chi-square) and
//! samples holding infinities, against scipy 1.17.1 in
//! `fixtures/golden/scipy_options.json` (made by `fixtures/golden/scripts/
//! scipy_options.py`), relative 1e-9.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_core::{Column, Frame};
use driftwatch_drift::chi2::{PowerDivergence, chi2_contingency, chisquare_gof};
use driftwatch_drift::columns::{DriftOptions, DriftReference, TestKind};
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::stats::anderson::AndersonVariant;
use driftwatch_drift::stats::{PValueMethod, anderson, cvm, mannwhitney};
use serde_json::Value;

fn load() -> Value {
    let path = format!(
        "{}/../../fixtures/golden/scipy_options.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The cases of one section, which must not be empty.
fn cases<'a>(doc: &'a Value, section: &str) -> &'a [Value] {
    let c = doc[section].as_array().unwrap();
    assert!(!c.is_empty(), "{section} has no cases");
    c
}

/// A float of the fixture: a number, or "inf" / "-inf" / "nan".
fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            "nan" => f64::NAN,
            other => panic!("not a number: {other}"),
        },
        other => other.as_f64().unwrap(),
    }
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[track_caller]
fn close(label: &str, got: f64, want: f64) {
    let same = if want.is_nan() || want.is_infinite() {
        got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan())
    } else {
        (got - want).abs() <= 1e-9 * got.abs().max(want.abs())
            || (got.abs() < 1e-300 && want.abs() < 1e-300)
    };
    assert!(same, "{label}: got {got:e}, want {want:e}");
}

fn label(c: &Value, extra: &str) -> String {
    format!("{} ({extra})", c["name"].as_str().unwrap())
}

#[test]
fn mann_whitney_alternatives_and_methods_match_scipy() {
    let doc = load();
    for c in cases(&doc, "mannwhitneyu") {
        let alternative: Alternative = c["alternative"].as_str().unwrap().parse().unwrap();
        let method: PValueMethod = c["method"].as_str().unwrap().parse().unwrap();
        let l = label(c, &format!("{alternative}, {method}"));
        let r = mannwhitney::mannwhitneyu(&nums(&c["x"]), &nums(&c["y"]), alternative, method)
            .unwrap_or_else(|e| panic!("{l}: {e}"));
        close(&l, r.statistic, num(&c["statistic"]));
        close(&l, r.p_value, num(&c["pvalue"]));
    }
}

#[test]
fn cramer_von_mises_methods_match_scipy() {
    let doc = load();
    for c in cases(&doc, "cramervonmises_2samp") {
        let method: PValueMethod = c["method"].as_str().unwrap().parse().unwrap();
        let l = label(c, method.as_str());
        let r = cvm::cramervonmises_2samp(&nums(&c["x"]), &nums(&c["y"]), method).unwrap();
        close(&l, r.statistic, num(&c["statistic"]));
        close(&l, r.p_value, num(&c["pvalue"]));
    }
}

#[test]
fn anderson_variants_match_scipy() {
    let doc = load();
    for c in cases(&doc, "anderson_ksamp") {
        let variant: AndersonVariant = c["variant"].as_str().unwrap().parse().unwrap();
        let l = label(c, variant.as_str());
        let a = anderson::anderson_ksamp(&nums(&c["x"]), &nums(&c["y"]), variant).unwrap();
        close(&l, a, num(&c["statistic"]));
    }
}

#[test]
fn chi2_yates_and_lambdas_match_scipy() {
    let doc = load();
    for c in cases(&doc, "chi2_contingency") {
        let lambda: PowerDivergence = c["lambda"].as_str().unwrap().parse().unwrap();
        let yates = c["correction"].as_bool().unwrap();
        let l = label(c, &format!("yates {yates}, {lambda}"));
        let r =
            chi2_contingency(&nums(&c["reference"]), &nums(&c["current"]), yates, lambda).unwrap();
        assert_eq!(r.dof as u64, c["dof"].as_u64().unwrap(), "{l}");
        close(&l, r.statistic, num(&c["statistic"]));
        if !r.statistic.is_nan() {
            close(&l, r.p_value, num(&c["pvalue"]));
        }
    }
}

/// Category counts of two label lists over their union, in sorted order.
fn label_counts(reference: &Value, current: &Value) -> (Vec<f64>, Vec<f64>) {
    let (r, c): (Vec<&str>, Vec<&str>) = (
        reference
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect(),
        current
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect(),
    );
    let mut keys: Vec<&str> = r.iter().chain(&c).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let count = |xs: &[&str], k: &str| xs.iter().filter(|x| **x == k).count() as f64;
    (
        keys.iter().map(|k| count(&r, k)).collect(),
        keys.iter().map(|k| count(&c, k)).collect(),
    )
}

#[test]
fn evidently_chi_square_matches_scipy_chisquare() {
    let doc = load();
    for c in cases(&doc, "chisquare_evidently") {
        let lambda: PowerDivergence = c["lambda"].as_str().unwrap().parse().unwrap();
        let l = label(c, lambda.as_str());
        let (r, x) = label_counts(&c["reference"], &c["current"]);
        let t = chisquare_gof(&r, &x, lambda).unwrap();
        close(&l, t.statistic, num(&c["statistic"]));
        close(&l, t.p_value, num(&c["pvalue"]));
    }
}

fn frame(values: Vec<f64>) -> Frame {
    Frame::new(vec![(
        "x".into(),
        Column::Numeric(ndarray::Array1::from(values)),
    )])
    .unwrap()
}

/// Every test on a fitted column holding infinities, reference side and current side:
/// scipy's number, or (where scipy gives nan or numpy refuses the bins) no statistic
/// and a note saying why; never a switch of test, and always an `infinite_values`
/// finding.
#[test]
fn columns_with_infinities_give_scipys_answer_or_say_why() {
    let doc = load();
    for c in cases(&doc, "inf_columns") {
        let fitted = DriftReference::fit(&frame(nums(&c["reference"])), &[]).unwrap();
        let current = frame(nums(&c["current"]));
        let tests = c["tests"].as_object().unwrap();
        for (name, want) in tests {
            let test: TestKind = name.parse().unwrap();
            let l = label(c, name);
            let options = DriftOptions {
                test,
                ..DriftOptions::default()
            };
            let row = &fitted.check(&current, &options).unwrap()[0];
            assert_eq!(row.test, test.as_str(), "{l}: the test switched");
            assert!(
                row.issues.iter().any(|i| i.kind == "infinite_values"),
                "{l}: no infinite_values finding: {:?}",
                row.issues
            );
            match want {
                Value::Null => {
                    assert_eq!(row.statistic, None, "{l}");
                    let note = row.note.as_deref().unwrap_or_default();
                    assert!(note.contains("undefined"), "{l}: {note}");
                    assert!(!row.drift, "{l}");
                }
                Value::Object(w) if w["statistic"] == "defined" => {
                    assert!(row.statistic.is_some(), "{l}: {:?}", row.note);
                }
                Value::Object(w) => {
                    let got = row
                        .statistic
                        .unwrap_or_else(|| panic!("{l}: no statistic: {:?}", row.note));
                    close(&l, got, num(&w["statistic"]));
                    if let Some(p) = w.get("pvalue") {
                        close(&l, row.p_value.unwrap(), num(p));
                    }
                }
                other => panic!("{l}: bad fixture value {other}"),
            }
        }
        assert!(
            TestKind::ALL
                .iter()
                .filter(|t| !matches!(t, TestKind::Auto | TestKind::Z))
                .all(|t| tests.contains_key(t.as_str())),
            "a test lacks an inf case"
        );
    }
}

/// The issue's example at the library level, reference side and current side:
/// `mannwhitneyu([1, 2, inf], [3, 4, 5])` is defined (U = 3, exact p = 0.7).
#[test]
fn issue_example_runs_mann_whitney_not_chi2() {
    let inf = f64::INFINITY;
    for (r, x) in [
        (vec![1.0, 2.0, inf], vec![3.0, 4.0, 5.0]),
        (vec![3.0, 4.0, 5.0], vec![1.0, 2.0, inf]),
    ] {
        let fitted = DriftReference::fit(&frame(r), &[]).unwrap();
        let options = DriftOptions {
            test: TestKind::Mannwhitney,
            method: Some(PValueMethod::Auto),
            ..DriftOptions::default()
        };
        let row = &fitted.check(&frame(x), &options).unwrap()[0];
        assert_eq!(row.test, "mannwhitney");
        assert_eq!(row.options.method, Some(PValueMethod::Exact));
        assert!((row.p_value.unwrap() - 0.7).abs() < 1e-12, "{row:?}");
    }
}
