//! Hand-computed answers (mostly scikit-learn's documented examples) and
//! the error paths.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use driftwatch_metrics::{
    Average, ClassificationMetrics, Error, Prf, RegressionMetrics, ReportOptions, ZeroDivision,
    accuracy, classification_report, classification_report_with, confusion_matrix, f1, fbeta, mae,
    mape, mse, precision, precision_recall_fbeta_support, precision_recall_fscore_support, r2,
    recall, rmse,
};

fn assert_close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-15 * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

const Z: ZeroDivision = ZeroDivision::Zero;

// cat: tp 2, predicted 3, true 2 -> P 2/3, R 1, F1 2*2/(2+3) = 0.8
// dog, pig: tp 0, predicted 1 and 2, true 2 -> all 0
const ANIMALS_TRUE: [&str; 6] = ["cat", "dog", "pig", "cat", "dog", "pig"];
const ANIMALS_PRED: [&str; 6] = ["cat", "pig", "dog", "cat", "cat", "dog"];

#[test]
fn precision_recall_f1_on_documented_example() {
    let (t, p) = (&ANIMALS_TRUE, &ANIMALS_PRED);
    assert_close(precision(t, p, Average::Macro, Z).unwrap(), 2.0 / 9.0);
    assert_close(recall(t, p, Average::Macro, Z).unwrap(), 1.0 / 3.0);
    assert_close(f1(t, p, Average::Macro, Z).unwrap(), 0.8 / 3.0);
    for avg in [Average::Micro, Average::Weighted] {
        assert_close(recall(t, p, avg, Z).unwrap(), 1.0 / 3.0);
    }
    assert_close(precision(t, p, Average::Micro, Z).unwrap(), 1.0 / 3.0);
    assert_close(f1(t, p, Average::Micro, Z).unwrap(), 1.0 / 3.0);
    // Equal supports: weighted = macro.
    assert_close(f1(t, p, Average::Weighted, Z).unwrap(), 0.8 / 3.0);

    let labels = ["pig", "dog", "cat"];
    let prf = precision_recall_fbeta_support(t, p, 1.0, Some(&labels), Average::None, Z).unwrap();
    let per = prf.per_class().unwrap();
    assert_eq!(per.labels, labels);
    assert_eq!(per.precision, [0.0, 0.0, 2.0 / 3.0]);
    assert_eq!(per.recall, [0.0, 0.0, 1.0]);
    assert_eq!(per.fbeta, [0.0, 0.0, 0.8]);
    assert_eq!(per.support, [2, 2, 2]);
    assert!(prf.averaged().is_none());
}

#[test]
fn fbeta_on_documented_example() {
    // class 0: tp 2, predicted 3, true 2 -> F0.5 = 1.25*2 / (0.25*2 + 3) = 5/7
    let t = [0, 1, 2, 0, 1, 2];
    let p = [0, 2, 1, 0, 0, 1];
    assert_close(fbeta(&t, &p, 0.5, Average::Macro, Z).unwrap(), 5.0 / 21.0);
    assert_close(fbeta(&t, &p, 0.5, Average::Micro, Z).unwrap(), 1.0 / 3.0);
    let per = precision_recall_fbeta_support(&t, &p, 0.5, None, Average::None, Z).unwrap();
    assert_eq!(per.per_class().unwrap().fbeta, [2.5 / 3.5, 0.0, 0.0]);
    // beta = 0 is precision, beta = inf is recall.
    let p0 = fbeta(&t, &p, 0.0, Average::Macro, Z).unwrap();
    assert_eq!(p0, precision(&t, &p, Average::Macro, Z).unwrap());
    let pinf = fbeta(&t, &p, f64::INFINITY, Average::Macro, Z).unwrap();
    assert_eq!(pinf, recall(&t, &p, Average::Macro, Z).unwrap());
}

#[test]
fn zero_division_semantics() {
    // a: tp 0, predicted 0, true 2 -> P undefined, R 0, F 0 (tp+fp+fn = 2)
    // b: tp 0, predicted 2, true 0 -> P 0, R undefined, F 0
    let t = ["a", "a"];
    let p = ["b", "b"];
    let per = |zd| {
        let prf = precision_recall_fscore_support(&t, &p, Average::None, zd).unwrap();
        let Prf::PerClass(per) = prf else {
            panic!("per class")
        };
        per
    };
    let one = per(ZeroDivision::One);
    assert_eq!(one.precision, [1.0, 0.0]);
    assert_eq!(one.recall, [0.0, 1.0]);
    assert_eq!(one.fbeta, [0.0, 0.0]);
    let nan = per(ZeroDivision::Nan);
    assert!(nan.precision[0].is_nan() && nan.recall[1].is_nan());
    assert_eq!(nan.fbeta, [0.0, 0.0]);

    let macro_one =
        precision_recall_fscore_support(&t, &p, Average::Macro, ZeroDivision::One).unwrap();
    let s = macro_one.averaged().unwrap();
    assert_eq!((s.precision, s.recall, s.fbeta), (0.5, 0.5, 0.0));
    // NaN is left out of the mean: only class b's precision and a's recall.
    assert_eq!(
        precision(&t, &p, Average::Macro, ZeroDivision::Nan).unwrap(),
        0.0
    );
    assert_eq!(
        recall(&t, &p, Average::Macro, ZeroDivision::Nan).unwrap(),
        0.0
    );
    // Weighted by support (2, 0).
    assert_eq!(
        precision(&t, &p, Average::Weighted, ZeroDivision::One).unwrap(),
        1.0
    );
    // A label in neither y_true nor y_pred: F takes the zero_division value.
    let prf =
        precision_recall_fbeta_support(&t, &p, 1.0, Some(&["z"]), Average::None, ZeroDivision::One)
            .unwrap();
    let per = prf.per_class().unwrap();
    assert_eq!(
        (per.precision[0], per.recall[0], per.fbeta[0]),
        (1.0, 1.0, 1.0)
    );
    assert_eq!(per.support, [0]);
    // Everything NaN: the average is NaN.
    let all_nan = precision_recall_fbeta_support(
        &t,
        &p,
        1.0,
        Some(&["z"]),
        Average::Macro,
        ZeroDivision::Nan,
    )
    .unwrap();
    assert!(all_nan.averaged().unwrap().precision.is_nan());
}

#[test]
fn binary_average_scores_pos_label() {
    // yes: tp 2, predicted 3, true 4
    let t = ["yes", "yes", "no", "yes", "no", "yes"];
    let p = ["yes", "no", "yes", "yes", "no", "no"];
    let yes = || Average::Binary { pos_label: "yes" };
    assert_close(precision(&t, &p, yes(), Z).unwrap(), 2.0 / 3.0);
    assert_close(recall(&t, &p, yes(), Z).unwrap(), 0.5);
    assert_close(f1(&t, &p, yes(), Z).unwrap(), 4.0 / 7.0);
    let no = Average::Binary { pos_label: "no" };
    assert_close(recall(&t, &p, no, Z).unwrap(), 0.5);
    let m = ClassificationMetrics::binary(&t, &p, "yes").unwrap();
    assert_close(m.accuracy, 0.5);
    assert_close(m.f1, 4.0 / 7.0);
    // pos_label absent but only one class present: all counts are zero.
    let single = precision_recall_fscore_support(
        &["no", "no"],
        &["no", "no"],
        Average::Binary { pos_label: "yes" },
        ZeroDivision::One,
    )
    .unwrap();
    let s = single.averaged().unwrap();
    assert_eq!((s.precision, s.recall, s.fbeta), (1.0, 1.0, 1.0));
}

#[test]
fn confusion_matrix_on_documented_examples() {
    let cm = confusion_matrix(&[2, 0, 2, 2, 0, 1], &[0, 0, 2, 2, 0, 2], None).unwrap();
    assert_eq!(cm.labels, [0, 1, 2]);
    assert_eq!(cm.matrix, [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
    assert_eq!(cm.total(), 6);
    assert_eq!(cm.correct(), 4);
    assert_eq!(cm.count(&2, &0), Some(1));
    assert_eq!(cm.count(&7, &0), None);
    assert_eq!(cm.n_labels(), 3);

    let t = ["cat", "ant", "cat", "cat", "ant", "bird"];
    let p = ["ant", "ant", "cat", "cat", "ant", "cat"];
    let cm = confusion_matrix(&t, &p, None).unwrap();
    assert_eq!(cm.labels, ["ant", "bird", "cat"]);
    assert_eq!(cm.matrix, [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
    // Explicit order and subset: samples with unlisted labels are dropped.
    let cm = confusion_matrix(&t, &p, Some(&["cat", "ant"])).unwrap();
    assert_eq!(cm.matrix, [[2, 1], [0, 2]]);

    // Binary: tn, fp, fn, tp = 0, 2, 1, 1
    let cm = confusion_matrix(&[0, 1, 0, 1], &[1, 1, 1, 0], None).unwrap();
    assert_eq!(cm.matrix, [[0, 2], [1, 1]]);
    // Labels sort like Python strings (code points), not by length.
    let cm = confusion_matrix(&["b", "B", "ab", "é"], &["b", "b", "b", "b"], None).unwrap();
    assert_eq!(cm.labels, ["B", "ab", "b", "é"]);
}

#[test]
fn accuracy_counts_exact_matches() {
    assert_eq!(accuracy(&[0, 2, 1, 3], &[0, 1, 2, 3]).unwrap(), 0.5);
    assert_eq!(accuracy(&["a"], &["a"]).unwrap(), 1.0);
    let owned: Vec<String> = ["x", "y", "y"].iter().map(|s| (*s).to_owned()).collect();
    let pred: Vec<String> = ["x", "x", "y"].iter().map(|s| (*s).to_owned()).collect();
    assert_close(accuracy(&owned, &pred).unwrap(), 2.0 / 3.0);
}

#[test]
fn classification_metrics_summary() {
    let m = ClassificationMetrics::weighted(&ANIMALS_TRUE, &ANIMALS_PRED).unwrap();
    assert_close(m.accuracy, 1.0 / 3.0);
    assert_close(m.precision, 2.0 / 9.0);
    assert_close(m.recall, 1.0 / 3.0);
    assert_close(m.f1, 0.8 / 3.0);
    let micro = ClassificationMetrics::micro(&ANIMALS_TRUE, &ANIMALS_PRED).unwrap();
    assert_eq!(micro.precision, micro.accuracy);
    assert_eq!(micro.f1, micro.accuracy);
    let macro_avg = ClassificationMetrics::macro_average(&ANIMALS_TRUE, &ANIMALS_PRED).unwrap();
    assert_eq!(macro_avg, m);
    let json = serde_json::to_string(&m).unwrap();
    assert!(json.contains("\"accuracy\"") && json.contains("\"f1\""));
    let back: ClassificationMetrics = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    assert_eq!(
        ClassificationMetrics::compute(&ANIMALS_TRUE, &ANIMALS_PRED, Average::None, Z),
        Err(Error::PerClassAverage)
    );
}

#[test]
fn report_text_matches_scikit_learn_docstring() {
    let t = ["class 0", "class 1", "class 2", "class 2", "class 2"];
    let p = ["class 0", "class 0", "class 2", "class 2", "class 1"];
    let report = classification_report(&t, &p).unwrap();
    let want = [
        "              precision    recall  f1-score   support\n",
        "\n",
        "     class 0       0.50      1.00      0.67         1\n",
        "     class 1       0.00      0.00      0.00         1\n",
        "     class 2       1.00      0.67      0.80         3\n",
        "\n",
        "    accuracy                           0.60         5\n",
        "   macro avg       0.50      0.56      0.49         5\n",
        "weighted avg       0.70      0.60      0.61         5\n",
    ]
    .concat();
    assert_eq!(report.to_string(), want);
    assert_eq!(report.accuracy(), Some(0.6));

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["accuracy"], 0.6);
    assert_eq!(json["class 2"]["support"], 3.0);
    assert_close(json["class 2"]["f1-score"].as_f64().unwrap(), 0.8);
    assert_eq!(json["macro avg"]["support"], 5.0);
    assert!(json.get("micro avg").is_none());
}

#[test]
fn report_with_label_subset_has_micro_avg_line() {
    let t = [1, 2, 3, 3];
    let p = [1, 3, 3, 2];
    let options = ReportOptions {
        labels: Some(&[1, 3]),
        digits: 3,
        ..ReportOptions::default()
    };
    let report = classification_report_with(&t, &p, &options).unwrap();
    assert!(!report.micro_is_accuracy);
    assert_eq!(report.accuracy(), None);
    let text = report.to_string();
    // 1: P 1, R 1; 3: tp 1, predicted 2, true 2 -> 0.5 each.
    // micro over {1, 3}: tp 2, predicted 3, true 3.
    assert!(
        text.contains("   micro avg      0.667     0.667     0.667         3\n"),
        "{text}"
    );
    assert!(
        text.contains("           1      1.000     1.000     1.000         1\n"),
        "{text}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert!(json.get("accuracy").is_none());
    assert_close(json["micro avg"]["precision"].as_f64().unwrap(), 2.0 / 3.0);
}

#[test]
fn report_prints_nan_like_python() {
    let options = ReportOptions {
        zero_division: ZeroDivision::Nan,
        ..ReportOptions::default()
    };
    let report = classification_report_with(&["a", "a"], &["b", "b"], &options).unwrap();
    let text = report.to_string();
    assert!(
        text.contains("           a        nan      0.00      0.00         2\n"),
        "{text}"
    );
    // serde_json writes NaN as null.
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["a"]["precision"].is_null());
}

#[test]
fn regression_on_documented_example() {
    let t = [3.0, -0.5, 2.0, 7.0];
    let p = [2.5, 0.0, 2.0, 8.0];
    assert_eq!(mse(&t, &p).unwrap(), 0.375);
    assert_eq!(rmse(&t, &p).unwrap(), 0.375_f64.sqrt());
    assert_eq!(mae(&t, &p).unwrap(), 0.5);
    // SS_res = 1.5, mean 2.875, SS_tot = 29.1875
    assert_close(r2(&t, &p).unwrap(), 1.0 - 1.5 / 29.1875);
    // (0.5/3 + 0.5/0.5 + 0 + 1/7) / 4
    assert_close(mape(&t, &p).unwrap(), (0.5 / 3.0 + 1.0 + 1.0 / 7.0) / 4.0);

    let all = RegressionMetrics::compute(&t, &p).unwrap();
    assert_eq!(all.mse, 0.375);
    assert_eq!(all.r2, r2(&t, &p).unwrap());
    let back: RegressionMetrics =
        serde_json::from_str(&serde_json::to_string(&all).unwrap()).unwrap();
    assert_eq!(back, all);
}

#[test]
fn regression_conventions() {
    // Constant y_true: 1 if perfect, else 0 (force_finite).
    assert_eq!(r2(&[2.0, 2.0, 2.0], &[2.0, 2.0, 2.0]).unwrap(), 1.0);
    assert_eq!(r2(&[2.0, 2.0, 2.0], &[2.0, 2.5, 2.0]).unwrap(), 0.0);
    // Reversed prediction: negative R².
    assert_close(r2(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(), -3.0);
    // A zero target divides by machine epsilon.
    assert_eq!(mape(&[0.0, 1.0], &[1.0, 1.0]).unwrap(), 0.5 / f64::EPSILON);
    assert_eq!(mape(&[0.0, 1.0], &[0.0, 1.0]).unwrap(), 0.0);
}

#[test]
fn errors_instead_of_panics() {
    let empty: [&str; 0] = [];
    assert_eq!(accuracy(&empty, &empty), Err(Error::Empty));
    assert_eq!(
        accuracy(&["a"], &["a", "b"]),
        Err(Error::LengthMismatch {
            y_true: 1,
            y_pred: 2
        })
    );
    assert_eq!(confusion_matrix(&empty, &empty, None), Err(Error::Empty));
    assert_eq!(f1(&empty, &empty, Average::Macro, Z), Err(Error::Empty));
    assert_eq!(classification_report(&empty, &empty), Err(Error::Empty));
    assert_eq!(mse(&[], &[]), Err(Error::Empty));
    assert_eq!(
        mae(&[1.0, 2.0], &[1.0]),
        Err(Error::LengthMismatch {
            y_true: 2,
            y_pred: 1
        })
    );
    assert!(matches!(
        mse(&[1.0, f64::NAN], &[1.0, 2.0]),
        Err(Error::NonFinite {
            input: "y_true",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        r2(&[1.0, 2.0], &[1.0, f64::INFINITY]),
        Err(Error::NonFinite {
            input: "y_pred",
            index: 1,
            ..
        })
    ));
    assert_eq!(
        r2(&[1.0], &[1.0]),
        Err(Error::TooFewSamples {
            metric: "r2",
            needed: 2,
            got: 1
        })
    );
    assert!(RegressionMetrics::compute(&[1.0], &[1.0]).is_err());

    let t = ["a", "b", "a"];
    let p = ["a", "a", "b"];
    assert_eq!(
        f1(&t, &p, Average::Binary { pos_label: "c" }, Z),
        Err(Error::UnknownPosLabel {
            pos_label: "\"c\"".into(),
            present: vec!["\"a\"".into(), "\"b\"".into()]
        })
    );
    assert_eq!(
        f1(
            &["a", "b", "c"],
            &["a", "b", "b"],
            Average::Binary { pos_label: "a" },
            Z
        ),
        Err(Error::NotBinary { n_labels: 3 })
    );
    let none: &[&str] = &[];
    assert_eq!(
        precision_recall_fbeta_support(&t, &p, 1.0, Some(none), Average::Macro, Z),
        Err(Error::EmptyLabels)
    );
    assert_eq!(
        confusion_matrix(&t, &p, Some(&["a", "a"])),
        Err(Error::DuplicateLabel {
            label: "\"a\"".into()
        })
    );
    assert_eq!(
        confusion_matrix(&t, &p, Some(&["z"])),
        Err(Error::NoLabelInTrue)
    );
    assert_eq!(
        confusion_matrix(&t, &p, Some(none)),
        Err(Error::EmptyLabels)
    );
    assert!(matches!(
        fbeta(&t, &p, -1.0, Average::Macro, Z),
        Err(Error::InvalidBeta { .. })
    ));
    assert!(matches!(
        fbeta(&t, &p, f64::NAN, Average::Macro, Z),
        Err(Error::InvalidBeta { .. })
    ));
    assert_eq!(
        precision(&t, &p, Average::None, Z),
        Err(Error::PerClassAverage)
    );
    // Errors render a readable message.
    let msg = Error::LengthMismatch {
        y_true: 1,
        y_pred: 2,
    }
    .to_string();
    assert_eq!(
        msg,
        "length mismatch: y_true has 1 samples but y_pred has 2"
    );
}

#[test]
fn average_and_zero_division_serialize_as_snake_case() {
    assert_eq!(
        serde_json::to_string(&ZeroDivision::Nan).unwrap(),
        "\"nan\""
    );
    assert_eq!(ZeroDivision::default(), ZeroDivision::Zero);
    assert_eq!(ZeroDivision::One.value(), 1.0);
    assert_eq!(
        serde_json::to_string(&Average::<String>::Weighted).unwrap(),
        "\"weighted\""
    );
    let b: Average<String> = serde_json::from_str(r#"{"binary":{"pos_label":"yes"}}"#).unwrap();
    assert_eq!(
        b,
        Average::Binary {
            pos_label: "yes".to_owned()
        }
    );
}
