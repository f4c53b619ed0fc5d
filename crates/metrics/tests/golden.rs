//! Checks every value of `fixtures/golden/metrics.json` (computed with
//! scikit-learn 1.9.1) to a relative tolerance of 1e-12.
//!
//! Every key of every case must be understood by this test: an unknown key
//! fails it, so a fixture that grows a new metric cannot pass unchecked. The
//! number of values compared is checked against the number of numeric and
//! string leaves of the fixture (inputs excluded).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use driftwatch_metrics::{
    Average, ClassificationMetrics, Prf, RegressionMetrics, ZeroDivision, accuracy,
    classification_report, confusion_matrix, f1, mae, mape, mse, precision,
    precision_recall_fscore_support, r2, recall, rmse,
};
use serde_json::Value;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/golden/metrics.json"
);
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
        if got.to_bits() == want.to_bits() {
            self.bit_exact += 1;
        }
        let ok = (got.is_nan() && want.is_nan())
            || got == want
            || (got - want).abs() <= RTOL * want.abs();
        if got.to_bits() != want.to_bits() {
            eprintln!("not bit-exact: {what}: got {got:e}, want {want:e}");
        }
        if !ok {
            self.failures
                .push(format!("{what}: got {got:e}, want {want:e}"));
        }
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        self.compared += 1;
        if got == want {
            self.bit_exact += 1;
        } else {
            self.failures
                .push(format!("{what}: got {got:?}, want {want:?}"));
        }
    }
}

fn num(v: &Value) -> f64 {
    match v {
        // The fixture writes NaN as null only if it ever has one.
        Value::Null => f64::NAN,
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

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

/// Number of scalar leaves in `v`.
fn leaves(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.iter().map(leaves).sum(),
        Value::Object(o) => o.values().map(leaves).sum(),
        _ => 1,
    }
}

fn zero_division(s: &str) -> ZeroDivision {
    match s {
        "0" => ZeroDivision::Zero,
        "1" => ZeroDivision::One,
        "nan" => ZeroDivision::Nan,
        other => panic!("unsupported zero_division {other:?}"),
    }
}

fn average(s: &str) -> Average<String> {
    match s {
        "micro" => Average::Micro,
        "macro" => Average::Macro,
        "weighted" => Average::Weighted,
        other => panic!("unsupported average {other:?}"),
    }
}

fn check_classification(c: &mut Checker, i: usize, case: &serde_json::Map<String, Value>) -> usize {
    let y_true = strings(&case["y_true"]);
    let y_pred = strings(&case["y_pred"]);
    let mut expected = 0;
    for (key, value) in case {
        let what = format!("classification[{i}].{key}");
        match key.as_str() {
            "y_true" | "y_pred" => {}
            "labels_sorted" => {
                expected += leaves(value);
                let cm = confusion_matrix(&y_true, &y_pred, None).unwrap();
                let want = strings(value);
                assert_eq!(cm.labels.len(), want.len(), "{what}: length");
                for (j, (g, w)) in cm.labels.iter().zip(&want).enumerate() {
                    c.eq(&format!("{what}[{j}]"), g, w);
                }
            }
            "accuracy" => {
                expected += 1;
                c.close(&what, accuracy(&y_true, &y_pred).unwrap(), num(value));
            }
            "confusion_matrix" => {
                expected += leaves(value);
                let cm = confusion_matrix(&y_true, &y_pred, None).unwrap();
                let want = value.as_array().unwrap();
                assert_eq!(cm.matrix.len(), want.len(), "{what}: rows");
                for (r, (grow, wrow)) in cm.matrix.iter().zip(want).enumerate() {
                    let wrow = wrow.as_array().unwrap();
                    assert_eq!(grow.len(), wrow.len(), "{what}: columns");
                    for (k, (g, w)) in grow.iter().zip(wrow).enumerate() {
                        c.eq(&format!("{what}[{r}][{k}]"), *g, w.as_u64().unwrap());
                    }
                }
            }
            _ => {
                let (head, zd) = key
                    .split_once("_zero_division_")
                    .unwrap_or_else(|| panic!("unsupported key {what}"));
                let zd = zero_division(zd);
                let obj = value.as_object().unwrap();
                expected += leaves(value);
                if head == "per_class" {
                    let prf = precision_recall_fscore_support(&y_true, &y_pred, Average::None, zd)
                        .unwrap();
                    let Prf::PerClass(p) = prf else {
                        panic!("{what}: expected per-class scores")
                    };
                    for (field, want) in obj {
                        let got: Vec<f64> = match field.as_str() {
                            "precision" => p.precision.clone(),
                            "recall" => p.recall.clone(),
                            "f1" => p.fbeta.clone(),
                            "support" => p.support.iter().map(|&s| s as f64).collect(),
                            other => panic!("unsupported field {what}.{other}"),
                        };
                        let want = floats(want);
                        assert_eq!(got.len(), want.len(), "{what}.{field}: length");
                        for (j, (g, w)) in got.iter().zip(&want).enumerate() {
                            c.close(&format!("{what}.{field}[{j}]"), *g, *w);
                        }
                    }
                } else {
                    let avg = average(head);
                    let prf =
                        precision_recall_fscore_support(&y_true, &y_pred, avg.clone(), zd).unwrap();
                    let s = *prf.averaged().expect("averaged scores");
                    for (field, want) in obj {
                        let (got, single) = match field.as_str() {
                            "precision" => (
                                s.precision,
                                precision(&y_true, &y_pred, avg.clone(), zd).unwrap(),
                            ),
                            "recall" => {
                                (s.recall, recall(&y_true, &y_pred, avg.clone(), zd).unwrap())
                            }
                            "f1" => (s.fbeta, f1(&y_true, &y_pred, avg.clone(), zd).unwrap()),
                            other => panic!("unsupported field {what}.{other}"),
                        };
                        c.close(&format!("{what}.{field}"), got, num(want));
                        // The single-metric helpers must agree bit for bit.
                        assert_eq!(got.to_bits(), single.to_bits(), "{what}.{field} helper");
                    }
                }
            }
        }
    }

    // Cross-checks (not fixture values): the monitor summary and the report
    // agree with the fixture.
    let m = ClassificationMetrics::weighted(&y_true, &y_pred).unwrap();
    let w = &case["weighted_zero_division_0"];
    assert_eq!(m.accuracy, num(&case["accuracy"]));
    for (got, key) in [
        (m.precision, "precision"),
        (m.recall, "recall"),
        (m.f1, "f1"),
    ] {
        assert!((got - num(&w[key])).abs() <= RTOL * num(&w[key]).abs());
    }
    let report = classification_report(&y_true, &y_pred).unwrap();
    let per = &case["per_class_zero_division_0"];
    for (j, row) in report.classes.iter().enumerate() {
        assert_eq!(row.name, case["labels_sorted"][j].as_str().unwrap());
        assert!((row.scores.f1_score - num(&per["f1"][j])).abs() <= RTOL);
        assert_eq!(row.scores.support, per["support"][j].as_u64().unwrap());
    }
    assert!(report.micro_is_accuracy);
    assert!((report.accuracy().unwrap() - num(&case["accuracy"])).abs() <= RTOL);
    assert!((report.macro_avg.f1_score - num(&case["macro_zero_division_0"]["f1"])).abs() <= RTOL);
    assert!((report.weighted_avg.precision - num(&w["precision"])).abs() <= RTOL);
    expected
}

fn check_regression(c: &mut Checker, i: usize, case: &serde_json::Map<String, Value>) -> usize {
    let y_true = floats(&case["y_true"]);
    let y_pred = floats(&case["y_pred"]);
    let all = RegressionMetrics::compute(&y_true, &y_pred).unwrap();
    let mut expected = 0;
    for (key, value) in case {
        let what = format!("regression[{i}].{key}");
        let (got, from_struct) = match key.as_str() {
            "y_true" | "y_pred" => continue,
            "mse" => (mse(&y_true, &y_pred).unwrap(), all.mse),
            "rmse" => (rmse(&y_true, &y_pred).unwrap(), all.rmse),
            "mae" => (mae(&y_true, &y_pred).unwrap(), all.mae),
            "r2" => (r2(&y_true, &y_pred).unwrap(), all.r2),
            "mape" => (mape(&y_true, &y_pred).unwrap(), all.mape),
            other => panic!("unsupported key regression[{i}].{other}"),
        };
        expected += 1;
        c.close(&what, got, num(value));
        assert_eq!(got.to_bits(), from_struct.to_bits(), "{what}: struct");
    }
    expected
}

#[test]
fn golden_metrics_match_scikit_learn() {
    let text = std::fs::read_to_string(PATH).expect("read fixtures/golden/metrics.json");
    let root: Value = serde_json::from_str(&text).expect("parse metrics.json");
    let root = root.as_object().expect("object");

    let mut c = Checker::default();
    let mut expected = 0;
    let mut n_cases = 0;
    for (key, value) in root {
        match key.as_str() {
            "generated_by" | "definitions" => {}
            "classification" => {
                for (i, case) in value.as_array().unwrap().iter().enumerate() {
                    expected += check_classification(&mut c, i, case.as_object().unwrap());
                    n_cases += 1;
                }
            }
            "regression" => {
                for (i, case) in value.as_array().unwrap().iter().enumerate() {
                    expected += check_regression(&mut c, i, case.as_object().unwrap());
                    n_cases += 1;
                }
            }
            other => panic!("unsupported top-level key {other:?}"),
        }
    }
    println!(
        "golden: {} values compared over {n_cases} cases ({} bit-exact), {} failures",
        c.compared,
        c.bit_exact,
        c.failures.len()
    );
    assert!(
        c.failures.is_empty(),
        "mismatches:\n{}",
        c.failures.join("\n")
    );
    assert_eq!(c.compared, expected, "every fixture value must be compared");
    assert_eq!(n_cases, 7);
    assert!(c.compared >= 250);
}
