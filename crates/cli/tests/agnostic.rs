#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `driftwatch monitor` and `driftwatch evaluate` without a bundle, from the prediction
//! columns of NannyML's synthetic data sets (fixtures/data/nannyml_*, written by
//! fixtures/golden/scripts/nannyml_agnostic_data.py with NannyML's realized accuracy per
//! chunk of 500 rows in nannyml_agnostic_expected.json).

mod common;

use common::{json, root, run, text};

fn data(name: &str) -> String {
    root()
        .join("fixtures/data")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(data("nannyml_agnostic_expected.json")).unwrap())
        .unwrap()
}

/// A CSV's columns by name: (header, rows of cells), split on commas (the fixtures
/// quote nothing).
fn table(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(t: &(Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<String> {
    let i = t.0.iter().position(|h| h == name).unwrap();
    t.1.iter().map(|r| r[i].clone()).collect()
}

/// Share of rows in `rows` where the two columns agree.
fn accuracy(pred: &[String], truth: &[String], rows: std::ops::Range<usize>) -> f64 {
    let n = rows.len() as f64;
    rows.filter(|&i| pred[i] == truth[i]).count() as f64 / n
}

fn validate_report(j: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report-schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(j).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn car_loan(current: &str, extra: &[&str]) -> std::process::Output {
    let reference = data("nannyml_car_loan_reference.csv");
    let current = data(current);
    let mut args = vec![
        "monitor",
        "--reference",
        &reference,
        "--current",
        &current,
        "--prediction",
        "y_pred",
        "--proba",
        "y_pred_proba",
        "--target",
        "repaid",
        "--id",
        "id",
        "--chunk-size",
        "500",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn window_accuracy(j: &serde_json::Value) -> Vec<Option<f64>> {
    j["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["metrics"]["accuracy"].as_f64())
        .collect()
}

/// Binary car loans: accuracy per window as counted here and as NannyML's realized
/// performance has it, the reference's accuracy as the baseline, prediction drift in
/// the drifted half, the output columns not features, a report that validates.
#[test]
fn binary_car_loans_from_prediction_columns() {
    let o = car_loan("nannyml_car_loan_analysis.csv", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    validate_report(&j);
    let analysis = table(&data("nannyml_car_loan_analysis.csv"));
    let (pred, truth) = (column(&analysis, "y_pred"), column(&analysis, "repaid"));
    let acc = window_accuracy(&j);
    assert_eq!(acc.len(), 6);
    assert_eq!(acc[0], Some(accuracy(&pred, &truth, 0..500)));
    let nannyml: Vec<f64> = expected()["car_loan_accuracy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (ours, theirs) in acc.iter().zip(&nannyml) {
        assert!(
            (ours.unwrap() - theirs).abs() < 1e-12,
            "{acc:?} vs {nannyml:?}"
        );
    }
    let reference = table(&data("nannyml_car_loan_reference.csv"));
    let (rp, rt) = (column(&reference, "y_pred"), column(&reference, "repaid"));
    assert_eq!(
        j["baseline"]["accuracy"].as_f64(),
        Some(accuracy(&rp, &rt, 0..rp.len()))
    );
    assert_eq!(j["model"], "y_pred (binary)");
    let windows = j["windows"].as_array().unwrap();
    let checked: Vec<&str> = windows[0]["checked_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        checked,
        [
            "car_value",
            "debt_to_income_ratio",
            "driver_tenure",
            "loan_length",
            "repaid_loan_on_prev_car",
            "salary_range",
            "size_of_downpayment"
        ]
    );
    let prediction_drift = |w: &serde_json::Value| {
        w["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["monitor"] == "prediction_drift")
            .map(|f| f["status"].as_str().unwrap().to_string())
    };
    assert_eq!(prediction_drift(&windows[0]).as_deref(), Some("ok"));
    assert_eq!(prediction_drift(&windows[5]).as_deref(), Some("alert"));
    // The drift NannyML's data set has in its second half.
    assert!(windows[0]["drifted_columns"].as_array().unwrap().is_empty());
    assert!(
        windows[5]["drifted_columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "car_value")
    );
    // Alerts are active at the end: --fail-on-alert exits 1.
    let o = car_loan("nannyml_car_loan_analysis.csv", &["--fail-on-alert"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("predictions of a binary model (inferred"));
}

/// Delayed labels: blank target cells leave their windows without performance (not an
/// error); `--labels FILE --id id` joins the targets back and gives NannyML's numbers.
#[test]
fn delayed_labels_blank_or_joined_by_id() {
    let o = car_loan(
        "nannyml_car_loan_analysis_delayed.csv",
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    validate_report(&j);
    let acc = window_accuracy(&j);
    let nannyml = expected()["car_loan_accuracy"].clone();
    assert_eq!(
        acc[..4].to_vec(),
        (0..4).map(|i| nannyml[i].as_f64()).collect::<Vec<_>>()
    );
    assert_eq!(acc[4..], [None, None]);
    assert_eq!(j["windows"][5]["labelled_rows"], 0);
    assert_eq!(j["windows"][5]["n_rows"], 500);

    let labels = data("nannyml_car_loan_analysis_targets.csv");
    let o = car_loan(
        "nannyml_car_loan_analysis_delayed.csv",
        &["--labels", &labels, "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("labels for 3000 of 3000 rows"),
        "{}",
        text(&o)
    );
    let acc = window_accuracy(&json(&o));
    assert_eq!(acc[5], nannyml[5].as_f64());
}

/// The same run with a bundle-less HTML report and the row-window flag's old name.
#[test]
fn html_report_and_the_window_flag() {
    let o = car_loan("nannyml_car_loan_analysis.csv", &["--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = String::from_utf8(o.stdout).unwrap();
    for s in driftwatch_monitor::html::SECTIONS {
        assert!(page.contains(&format!("<section id=\"{s}\">")), "{s}");
    }
    assert!(page.contains("<title>driftwatch: y_pred (binary) on "));
    let a = car_loan("nannyml_car_loan_analysis.csv", &["--format", "json"]);
    let reference = data("nannyml_car_loan_reference.csv");
    let current = data("nannyml_car_loan_analysis.csv");
    let b = run(&[
        "monitor",
        "--reference",
        &reference,
        "--current",
        &current,
        "--prediction",
        "y_pred",
        "--proba-column",
        "1=y_pred_proba",
        "--target",
        "repaid",
        "--ignore",
        "id",
        "--window",
        "500",
        "--format",
        "json",
    ]);
    assert_eq!(json(&a)["windows"], json(&b)["windows"], "{}", text(&b));
}

/// Multiclass credit cards: probabilities by a glob, NannyML's accuracy per chunk.
#[test]
fn multiclass_from_a_probability_glob() {
    let reference = data("nannyml_multiclass_reference.csv");
    let current = data("nannyml_multiclass_analysis.csv");
    let o = run(&[
        "monitor",
        "--reference",
        &reference,
        "--current",
        &current,
        "--prediction",
        "y_pred",
        "--proba",
        "y_pred_proba_*",
        "--target",
        "y_true",
        "--id",
        "id",
        "--chunk-size",
        "500",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    validate_report(&j);
    assert_eq!(j["model"], "y_pred (multiclass)");
    let analysis = table(&current);
    let (pred, truth) = (column(&analysis, "y_pred"), column(&analysis, "y_true"));
    let acc = window_accuracy(&j);
    assert_eq!(acc[0], Some(accuracy(&pred, &truth, 0..500)));
    let nannyml = expected()["multiclass_accuracy"].clone();
    assert_eq!(acc, [nannyml[0].as_f64(), nannyml[1].as_f64()]);
    let shares = &j["windows"][0]["class_shares"];
    assert!(shares.get("upmarket_card").is_some(), "{shares}");
    assert!(
        !j["windows"][0]["checked_columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().starts_with("y_pred"))
    );
}

/// Regression car prices: numeric predictions with many values are a regression; R²
/// of the first window as computed here; prediction_drift (classes) is left out.
#[test]
fn regression_from_a_numeric_prediction() {
    let reference = data("nannyml_car_price_reference.csv");
    let current = data("nannyml_car_price_analysis.csv");
    let o = run(&[
        "monitor",
        "--reference",
        &reference,
        "--current",
        &current,
        "--prediction",
        "y_pred",
        "--target",
        "y_true",
        "--id",
        "id",
        "--chunk-size",
        "250",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    validate_report(&j);
    assert_eq!(j["model"], "y_pred (regression)");
    let t = table(&current);
    let num = |c: &str| -> Vec<f64> {
        column(&t, c)[..250]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let (p, y) = (num("y_pred"), num("y_true"));
    let mean = y.iter().sum::<f64>() / 250.0;
    let ss_res: f64 = p.iter().zip(&y).map(|(p, y)| (y - p).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|y| (y - mean).powi(2)).sum();
    let r2 = j["windows"][0]["metrics"]["r2"].as_f64().unwrap();
    assert!((r2 - (1.0 - ss_res / ss_tot)).abs() < 1e-12, "{r2}");
    let findings = j["windows"][0]["findings"].as_array().unwrap();
    let find = |monitor: &str, method: &str| {
        findings
            .iter()
            .find(|f| f["monitor"] == monitor && f["method"] == method)
            .unwrap_or_else(|| panic!("{monitor} {method} in {findings:?}"))
    };
    // A regressor's predictions are tested for drift by KS.
    assert!(find("prediction_drift", "ks")["p_value"].as_f64().is_some());
    // The default set adds DLE: its realized MAE is the window's MAE.
    let mae = p.iter().zip(&y).map(|(p, y)| (y - p).abs()).sum::<f64>() / 250.0;
    let realized = find("dle", "realized_mae")["statistic"].as_f64().unwrap();
    assert!((realized - mae).abs() < 1e-9, "{realized} vs {mae}");
    assert_eq!(find("dle", "estimated_mae")["kind"]["type"], "estimate");
    // evaluate gives the regression's errors.
    let o = run(&[
        "evaluate",
        "--data",
        &current,
        "--target",
        "y_true",
        "--prediction",
        "y_pred",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let e = json(&o);
    assert_eq!(e["rows"], 1000);
    assert!(e["metrics"]["mae"].as_f64().unwrap() > 0.0);
}

/// `evaluate` without a bundle: one table of the prediction column against the target.
#[test]
fn evaluate_from_prediction_columns() {
    let current = data("nannyml_car_loan_analysis.csv");
    let o = run(&[
        "evaluate",
        "--data",
        &current,
        "--target",
        "repaid",
        "--prediction",
        "y_pred",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    let t = table(&current);
    let (pred, truth) = (column(&t, "y_pred"), column(&t, "repaid"));
    assert_eq!(
        j["metrics"]["accuracy"].as_f64(),
        Some(accuracy(&pred, &truth, 0..3000))
    );
    assert_eq!(j["rows"], 3000);
    // Unlabelled rows are left out.
    let delayed = data("nannyml_car_loan_analysis_delayed.csv");
    let o = run(&[
        "evaluate",
        "--data",
        &delayed,
        "--target",
        "repaid",
        "--prediction",
        "y_pred",
        "--format",
        "json",
    ]);
    assert_eq!(json(&o)["rows"], 2000, "{}", text(&o));
}

/// Errors exit 2 and name the fix: no model at all, a missing prediction column, a
/// probability out of range (file, column, row), one probability column for three
/// classes.
#[test]
fn errors_name_the_fix() {
    let reference = data("nannyml_car_loan_reference.csv");
    let current = data("nannyml_car_loan_analysis.csv");
    let o = run(&[
        "monitor",
        "--reference",
        &reference,
        "--current",
        &current,
        "--target",
        "repaid",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("--model MODEL") && t.contains("--prediction COLUMN"),
        "{t}"
    );
    let o = run(&["evaluate", "--data", &current, "--target", "repaid"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--prediction COLUMN"), "{}", text(&o));

    let o = run(&[
        "monitor",
        "--reference",
        &reference,
        "--current",
        &current,
        "--prediction",
        "score",
        "--target",
        "repaid",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("no prediction column 'score'") && t.contains("--prediction names"),
        "{t}"
    );

    // A probability of 1.5 in data row 3 of a copy of the analysis.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    let text_in = std::fs::read_to_string(&current).unwrap();
    let header = text_in.lines().next().unwrap();
    let col = header.split(',').position(|h| h == "y_pred_proba").unwrap();
    let lines: Vec<String> = text_in
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 3 {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells[col] = "1.5";
                cells.join(",")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let o = run(&[
        "monitor",
        "--reference",
        &reference,
        "--current",
        bad.to_str().unwrap(),
        "--prediction",
        "y_pred",
        "--proba",
        "y_pred_proba",
        "--target",
        "repaid",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("bad.csv")
            && t.contains(
                "probability column 'y_pred_proba' row 3: 1.5 is not a probability in [0, 1]"
            ),
        "{t}"
    );

    let o = car_loan("nannyml_car_loan_analysis.csv", &["--task", "multiclass"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("give one per class"), "{}", text(&o));
}
