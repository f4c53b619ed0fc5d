//! Replays `tests/data/sklearn_cases.json`, edge cases computed by
//! scikit-learn 1.9.1 itself (see `tests/data/gen_sklearn_cases.py`):
//! every `zero_division` × average × beta combination on data with classes
//! never predicted / never true, explicit label lists, binary `pos_label`
//! cases and errors, up to 300 classes, confusion matrices, text and dict
//! classification reports, and regression at sizes around NumPy's pairwise
//! summation block boundaries.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use driftwatch_metrics::{
    Average, Error, Prf, ReportOptions, ZeroDivision, classification_report_with, confusion_matrix,
    mae, mape, mse, precision_recall_fbeta_support, r2, rmse,
};
use serde_json::Value;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sklearn_cases.json");
const RTOL: f64 = 1e-12;

#[derive(Default)]
struct Checker {
    compared: usize,
    bit_exact: usize,
    failures: Vec<String>,
}

impl Checker {
    fn close(&mut self, what: &str, got: f64, want: f64) {
        self.compared += 1;
        if got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()) {
            self.bit_exact += 1;
            return;
        }
        if (got - want).abs() > RTOL * want.abs() || got.is_nan() != want.is_nan() {
            self.failures
                .push(format!("{what}: got {got:e}, want {want:e}"));
        }
    }

    fn fail(&mut self, what: String) {
        self.failures.push(what);
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        _ => v.as_f64().expect("number"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

fn opt_strings(v: &Value) -> Option<Vec<String>> {
    (!v.is_null()).then(|| strings(v))
}

fn zero_division(v: &Value) -> ZeroDivision {
    match v.as_str().unwrap() {
        "0" => ZeroDivision::Zero,
        "1" => ZeroDivision::One,
        "nan" => ZeroDivision::Nan,
        other => panic!("unknown zero_division {other}"),
    }
}

struct Data {
    y_true: Vec<String>,
    y_pred: Vec<String>,
}

fn data(root: &Value, case: &Value) -> Data {
    let d = &root["datasets"][case["data"].as_str().unwrap()];
    Data {
        y_true: strings(&d["y_true"]),
        y_pred: strings(&d["y_pred"]),
    }
}

fn load() -> Value {
    let text = std::fs::read_to_string(PATH).expect("read sklearn_cases.json");
    serde_json::from_str(&text).expect("parse sklearn_cases.json")
}

#[test]
fn precision_recall_fbeta_support_matches_scikit_learn() {
    let root = load();
    let mut c = Checker::default();
    let mut errors = 0;
    for (i, case) in root["classification"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let d = data(&root, case);
        let what = format!("classification[{i}] {}", case);
        let what = &what[..what.len().min(200)];
        let labels = opt_strings(&case["labels"]);
        let average = match case["average"].as_str().unwrap() {
            "micro" => Average::Micro,
            "macro" => Average::Macro,
            "weighted" => Average::Weighted,
            "none" => Average::None,
            "binary" => Average::Binary {
                pos_label: case["pos_label"].as_str().unwrap().to_owned(),
            },
            other => panic!("unknown average {other}"),
        };
        let got = precision_recall_fbeta_support(
            &d.y_true,
            &d.y_pred,
            num(&case["beta"]),
            labels.as_deref(),
            average,
            zero_division(&case["zero_division"]),
        );
        if let Some(msg) = case.get("error") {
            errors += 1;
            let msg = msg.as_str().unwrap();
            let ok = match &got {
                Err(Error::UnknownPosLabel { .. }) => msg.starts_with("pos_label="),
                Err(Error::NotBinary { .. }) => msg.starts_with("Target is multiclass"),
                _ => false,
            };
            if !ok {
                c.fail(format!("{what}: want error {msg:?}, got {got:?}"));
            }
            continue;
        }
        let want = &case["result"];
        match got.unwrap() {
            Prf::Averaged(s) => {
                c.close(
                    &format!("{what} precision"),
                    s.precision,
                    num(&want["precision"]),
                );
                c.close(&format!("{what} recall"), s.recall, num(&want["recall"]));
                c.close(&format!("{what} fbeta"), s.fbeta, num(&want["fbeta"]));
            }
            Prf::PerClass(p) => {
                let n = want["precision"].as_array().unwrap().len();
                assert_eq!(p.labels.len(), n, "{what}: number of classes");
                if let Some(l) = &labels {
                    assert_eq!(&p.labels, l);
                }
                for j in 0..n {
                    c.close(
                        &format!("{what} precision[{j}]"),
                        p.precision[j],
                        num(&want["precision"][j]),
                    );
                    c.close(
                        &format!("{what} recall[{j}]"),
                        p.recall[j],
                        num(&want["recall"][j]),
                    );
                    c.close(
                        &format!("{what} fbeta[{j}]"),
                        p.fbeta[j],
                        num(&want["fbeta"][j]),
                    );
                    c.close(
                        &format!("{what} support[{j}]"),
                        p.support[j] as f64,
                        num(&want["support"][j]),
                    );
                }
            }
        }
    }
    println!(
        "prf: {} values compared ({} bit-exact), {errors} error cases, {} failures",
        c.compared,
        c.bit_exact,
        c.failures.len()
    );
    assert!(
        c.failures.is_empty(),
        "mismatches:\n{}",
        c.failures.join("\n")
    );
    assert!(c.compared > 2000);
    assert_eq!(errors, 2);
}

#[test]
fn confusion_matrix_matches_scikit_learn() {
    let root = load();
    for (i, case) in root["confusion"].as_array().unwrap().iter().enumerate() {
        let d = data(&root, case);
        let labels = opt_strings(&case["labels"]);
        let got = confusion_matrix(&d.y_true, &d.y_pred, labels.as_deref());
        if case.get("error").is_some() {
            assert_eq!(got, Err(Error::NoLabelInTrue), "confusion[{i}]");
            continue;
        }
        let got = got.unwrap();
        let want: Vec<Vec<u64>> = case["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect()
            })
            .collect();
        assert_eq!(got.matrix, want, "confusion[{i}]");
        if let Some(l) = labels {
            assert_eq!(got.labels, l);
        }
    }
}

/// Compares two JSON values, numbers to `RTOL`.
fn json_close(path: &str, got: &Value, want: &Value, failures: &mut Vec<String>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            let gk: Vec<_> = g.keys().collect();
            let wk: Vec<_> = w.keys().collect();
            if gk != wk {
                failures.push(format!("{path}: keys {gk:?} != {wk:?}"));
                return;
            }
            for (k, wv) in w {
                json_close(&format!("{path}.{k}"), &g[k], wv, failures);
            }
        }
        (Value::Number(_) | Value::Null, Value::Number(_) | Value::Null) => {
            let (g, w) = (num(got), num(want));
            let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= RTOL * w.abs();
            if !ok {
                failures.push(format!("{path}: {g} != {w}"));
            }
        }
        _ => {
            if got != want {
                failures.push(format!("{path}: {got} != {want}"));
            }
        }
    }
}

#[test]
fn classification_report_matches_scikit_learn() {
    let root = load();
    let mut failures = Vec::new();
    let cases = root["reports"].as_array().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let d = data(&root, case);
        let labels = opt_strings(&case["labels"]);
        let options = ReportOptions {
            labels: labels.as_deref(),
            digits: usize::try_from(case["digits"].as_u64().unwrap()).unwrap(),
            zero_division: zero_division(&case["zero_division"]),
        };
        let report = classification_report_with(&d.y_true, &d.y_pred, &options).unwrap();
        let text = report.to_string();
        let want = case["text"].as_str().unwrap();
        if text != want {
            failures.push(format!("reports[{i}] text:\n{text}\n--- want ---\n{want}"));
        }
        let dict = serde_json::to_value(&report).unwrap();
        json_close(
            &format!("reports[{i}].dict"),
            &dict,
            &case["dict"],
            &mut failures,
        );
    }
    println!("reports: {} text and dict reports compared", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn regression_matches_scikit_learn() {
    let root = load();
    let mut c = Checker::default();
    for case in root["regression"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let y_true: Vec<f64> = case["y_true"].as_array().unwrap().iter().map(num).collect();
        let y_pred: Vec<f64> = case["y_pred"].as_array().unwrap().iter().map(num).collect();
        c.close(
            &format!("{name} mse"),
            mse(&y_true, &y_pred).unwrap(),
            num(&case["mse"]),
        );
        c.close(
            &format!("{name} rmse"),
            rmse(&y_true, &y_pred).unwrap(),
            num(&case["rmse"]),
        );
        c.close(
            &format!("{name} mae"),
            mae(&y_true, &y_pred).unwrap(),
            num(&case["mae"]),
        );
        c.close(
            &format!("{name} r2"),
            r2(&y_true, &y_pred).unwrap(),
            num(&case["r2"]),
        );
        c.close(
            &format!("{name} mape"),
            mape(&y_true, &y_pred).unwrap(),
            num(&case["mape"]),
        );
    }
    println!(
        "regression: {} values compared ({} bit-exact), {} failures",
        c.compared,
        c.bit_exact,
        c.failures.len()
    );
    assert!(
        c.failures.is_empty(),
        "mismatches:\n{}",
        c.failures.join("\n")
    );
    assert_eq!(c.compared, c.bit_exact, "regression should be bit-exact");
}
