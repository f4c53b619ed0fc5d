//! `cbpe` against NannyML 0.13.1's CBPE on its synthetic binary, multiclass and car
//! loan data sets (every 10th row; fixtures/golden/nannyml/cbpe_*.json, made by
//! fixtures/golden/scripts/nannyml_cbpe.py). The monitor is fitted on the stored
//! reference with NannyML's chunk size and checks every reference and analysis chunk.
//!
//! Tolerances (the task's target for estimates was 0.005 absolute; this is far inside):
//! - realized metrics and thresholds: 1e-9 (the same scikit-learn formulas on the same
//!   rows; the largest difference seen is 4e-15);
//! - whether each class is calibrated: equal to NannyML's decision (the splits of its
//!   check are scikit-learn's, drawn from a port of NumPy's generator);
//! - estimates: ESTIMATE_TOL = 5e-5 absolute (rates; confusion-matrix counts as a share
//!   of the chunk's rows). Binary estimates agree to 2e-15; multiclass ROC AUC differs by
//!   up to 1.1e-5 because the probabilities of these data sets have two decimals, so
//!   many rows tie on a class's score while their renormalised calibrated values differ,
//!   and NannyML orders ties with NumPy's unstable argsort, which no port can follow;
//! - sampling errors: 1e-9 relative, except ROC AUC's, AUC_SE_TOL = 2% relative (seen:
//!   1.2%): its components rank the reference scores, ties again ordered by NumPy's
//!   unstable sort in NannyML and by row here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use driftwatch_core::{Finding, FindingKind, Monitor, Probabilities, Target, Window};
use driftwatch_estimate::cbpe::{Cbpe, config::CbpeConfig};
use ndarray::Array2;
use serde_json::Value;

const ESTIMATE_TOL: f64 = 5e-5;
const SE_TOL: f64 = 1e-9;
const AUC_SE_TOL: f64 = 0.02;
const EXACT_TOL: f64 = 1e-9;

/// One data set of a fixture: probabilities, predictions and labels as a window.
fn window(doc: &Value, part: &str, range: std::ops::Range<usize>, label: &str) -> Window {
    let classes: Vec<String> = serde_json::from_value(doc["classes"].clone()).unwrap();
    let d = &doc[part];
    let idx = |key: &str| -> Vec<usize> { serde_json::from_value(d[key].clone()).unwrap() };
    let (pred, truth) = (idx("y_pred"), idx("y_true"));
    let n = range.len();
    let column =
        |c: &str| -> Vec<f64> { serde_json::from_value(d["y_pred_proba"][c].clone()).unwrap() };
    let mut values = Array2::zeros((n, classes.len()));
    if classes.len() == 2 {
        let p = column(&classes[1]);
        for (r, i) in range.clone().enumerate() {
            values[[r, 0]] = 1.0 - p[i];
            values[[r, 1]] = p[i];
        }
    } else {
        for (c, class) in classes.iter().enumerate() {
            let p = column(class);
            for (r, i) in range.clone().enumerate() {
                values[[r, c]] = p[i];
            }
        }
    }
    let names =
        |v: &[usize]| Target::Labels(range.clone().map(|i| classes[v[i]].clone()).collect());
    Window {
        label: label.into(),
        probabilities: Some(Probabilities {
            classes: classes.clone(),
            values,
        }),
        predictions: Some(names(&pred)),
        labels: Some(names(&truth)),
        ..Window::default()
    }
}

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/golden/nannyml")
        .join(format!("cbpe_{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn rows(doc: &Value, part: &str) -> usize {
    doc[part]["y_pred"].as_array().unwrap().len()
}

/// The fitted monitor and, per NannyML chunk, its findings.
fn run(doc: &Value) -> (Cbpe, Vec<(Value, Vec<Finding>)>) {
    let chunk = doc["chunk_size"].as_u64().unwrap() as usize;
    let config = CbpeConfig {
        chunk_rows: Some(chunk),
        ..CbpeConfig::default()
    };
    let mut m = Cbpe::new(config).unwrap();
    m.fit(&window(
        doc,
        "reference",
        0..rows(doc, "reference"),
        "reference",
    ))
    .unwrap();
    let chunks = doc["chunks"].as_array().unwrap();
    assert!(!chunks.is_empty(), "the fixture has no chunks");
    let out = chunks
        .iter()
        .map(|c| {
            let part = c["period"].as_str().unwrap();
            let (lo, hi) = (
                c["start"].as_u64().unwrap() as usize,
                c["end"].as_u64().unwrap() as usize,
            );
            let f = m
                .check(&window(doc, part, lo..hi, &format!("{part} {lo}..{hi}")))
                .unwrap();
            (c.clone(), f)
        })
        .collect();
    (m, out)
}

fn value<'a>(findings: &'a [Finding], method: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.method == method)
        .unwrap_or_else(|| panic!("no {method}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol
}

/// Max differences per quantity, asserting as it goes.
fn compare(name: &str) -> Vec<String> {
    let doc = load(name);
    let (m, results) = run(&doc);
    let want: Vec<String> = {
        let mut w: Vec<String> = doc["calibrated"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v.as_bool() == Some(true))
            .map(|(k, _)| k.clone())
            .collect();
        w.sort();
        w
    };
    let mut problems = Vec::new();
    let got: Vec<String> = m
        .calibrated_classes()
        .into_iter()
        .map(String::from)
        .collect();
    if got != want {
        problems.push(format!(
            "{name}: calibrated classes {got:?}, NannyML {want:?}"
        ));
    }
    let mut compared = 0;
    for (chunk, findings) in &results {
        let n = (chunk["end"].as_u64().unwrap() - chunk["start"].as_u64().unwrap()) as f64;
        for (metric, w) in chunk["metrics"].as_object().unwrap() {
            let est = value(findings, &format!("estimated_{metric}"));
            let real = value(findings, &format!("realized_{metric}"));
            assert!(
                matches!(est.kind, FindingKind::Estimate { .. }) && real.kind == FindingKind::Info
            );
            let count = metric.starts_with("true_") || metric.starts_with("false_");
            let scale = if count { n } else { 1.0 };
            let at = format!(
                "{name} {} {}..{} {metric}",
                chunk["period"], chunk["start"], chunk["end"]
            );
            let checks = [
                (
                    "estimate",
                    est.statistic / scale,
                    num(&w["estimated"]) / scale,
                    ESTIMATE_TOL,
                ),
                ("realized", real.statistic, num(&w["realized"]), EXACT_TOL),
                (
                    "lower threshold",
                    est.bounds.and_then(|b| b.lower).unwrap_or(f64::NAN),
                    num(&w["lower_threshold"]),
                    EXACT_TOL,
                ),
                (
                    "upper threshold",
                    est.bounds.and_then(|b| b.upper).unwrap_or(f64::NAN),
                    num(&w["upper_threshold"]),
                    EXACT_TOL,
                ),
            ];
            for (what, a, b, tol) in checks {
                if !close(a, b, tol) {
                    problems.push(format!("{at}: {what} {a} vs NannyML {b}"));
                }
            }
            let (se, want_se) = (
                est.sampling_error.unwrap_or(f64::NAN),
                num(&w["sampling_error"]),
            );
            let se_tol = if metric == "roc_auc" {
                AUC_SE_TOL
            } else {
                SE_TOL
            };
            if !close(se, want_se, se_tol * want_se.abs()) {
                problems.push(format!("{at}: sampling error {se} vs NannyML {want_se}"));
            }
            compared += 1;
        }
    }
    assert!(compared > 0, "{name}: nothing compared");
    problems
}

#[test]
fn binary_agrees_with_nannyml() {
    let p = compare("binary");
    assert!(p.is_empty(), "{} differences:\n{}", p.len(), p.join("\n"));
}

#[test]
fn multiclass_agrees_with_nannyml() {
    let p = compare("multiclass");
    assert!(p.is_empty(), "{} differences:\n{}", p.len(), p.join("\n"));
}

#[test]
fn car_loan_agrees_with_nannyml() {
    let p = compare("car_loan");
    assert!(p.is_empty(), "{} differences:\n{}", p.len(), p.join("\n"));
}

/// Prints, per data set, the largest differences from NannyML and the mean absolute
/// error of each estimate against the realized value over the analysis chunks, for
/// driftwatch and for NannyML. Run with `--ignored --nocapture`.
#[test]
#[ignore = "a report, not a check"]
fn report_agreement_and_estimation_error() {
    for name in ["binary", "multiclass", "car_loan"] {
        let doc = load(name);
        let (_, results) = run(&doc);
        let mut max = [0.0f64; 4];
        let mut mae: std::collections::BTreeMap<String, (f64, f64, usize)> = Default::default();
        for (chunk, findings) in &results {
            let n = (chunk["end"].as_u64().unwrap() - chunk["start"].as_u64().unwrap()) as f64;
            for (metric, w) in chunk["metrics"].as_object().unwrap() {
                let est = value(findings, &format!("estimated_{metric}"));
                let real = value(findings, &format!("realized_{metric}")).statistic;
                let count = metric.starts_with("true_") || metric.starts_with("false_");
                let scale = if count { n } else { 1.0 };
                let d = |a: f64, b: f64| {
                    if a.is_nan() && b.is_nan() {
                        0.0
                    } else {
                        (a - b).abs()
                    }
                };
                max[0] = max[0].max(d(est.statistic / scale, num(&w["estimated"]) / scale));
                let se = num(&w["sampling_error"]);
                max[1] = max[1].max(d(est.sampling_error.unwrap(), se) / se.abs());
                let b = est.bounds.unwrap();
                max[2] = max[2]
                    .max(d(b.lower.unwrap_or(f64::NAN), num(&w["lower_threshold"])))
                    .max(d(b.upper.unwrap_or(f64::NAN), num(&w["upper_threshold"])));
                max[3] = max[3].max(d(real, num(&w["realized"])));
                if chunk["period"] == "analysis" && !real.is_nan() {
                    let e = mae.entry(metric.clone()).or_default();
                    e.0 += (est.statistic - real).abs() / scale;
                    e.1 += (num(&w["estimated"]) - num(&w["realized"])).abs() / scale;
                    e.2 += 1;
                }
            }
        }
        eprintln!(
            "{name}: max |estimate diff| {:.2e}, max relative sampling-error diff {:.2e}, \
             max threshold diff {:.2e}, max realized diff {:.2e}",
            max[0], max[1], max[2], max[3]
        );
        eprintln!("| {name} metric | MAE driftwatch | MAE NannyML | chunks |");
        eprintln!("|---|---|---|---|");
        for (m, (a, b, k)) in mae {
            eprintln!("| {m} | {:.4} | {:.4} | {k} |", a / k as f64, b / k as f64);
        }
    }
}
