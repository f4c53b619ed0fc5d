#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One monitoring pass over a small model: a table cut into row windows, batches, and a
//! prediction log with delayed labels.

use std::collections::{BTreeMap, HashMap};

use driftwatch_core::{
    Column, Frame, Pipeline, Prediction, PredictionRecord, ReadOptions, Schema, Target, read_jsonl,
    write_prediction_log,
};
use driftwatch_models::RandomForestClassifier;
use driftwatch_monitor::{AlertKind, AlertPolicy, WindowSpec};
use driftwatch_run::{Current, Labelled, Model, MonitorFile, PassConfig, run};
// The default monitors are found by name.
use driftwatch_drift as _;
use driftwatch_metrics as _;

/// `x` = `i % 10` plus `shift`; the class is `lo` when `i % 10 < 5`, so a shift makes
/// the model (which learnt `x < 5`) wrong on some rows.
fn data(n: usize, shift: f64) -> (Frame, Target) {
    let x: Vec<f64> = (0..n).map(|i| (i % 10) as f64 + shift).collect();
    let y = (0..n)
        .map(|i| if i % 10 < 5 { "lo" } else { "hi" }.to_string())
        .collect();
    let frame = Frame::new(vec![("x".into(), Column::Numeric(x.into_iter().collect()))]).unwrap();
    (frame, Target::Labels(y))
}

struct Fixture {
    pipeline: Pipeline,
    schema: Schema,
    baseline: BTreeMap<String, f64>,
}

fn fixture() -> Fixture {
    let (x, y) = data(200, 0.0);
    let mut pipeline =
        Pipeline::new().with_model("model", Box::new(RandomForestClassifier::with_seed(1)));
    pipeline.fit(&x, &y).unwrap();
    let mut schema = Schema::infer(&x);
    schema.set_range("x", Some(0.0), Some(100.0)).unwrap();
    Fixture {
        pipeline,
        schema,
        baseline: BTreeMap::from([("accuracy".to_string(), 1.0)]),
    }
}

fn reference() -> Labelled {
    let (features, labels) = data(200, 0.0);
    Labelled {
        label: "reference".into(),
        features,
        labels,
        timestamps: None,
    }
}

fn config(spec: WindowSpec) -> PassConfig {
    PassConfig {
        file: MonitorFile::default(),
        policy: AlertPolicy::default(),
        spec,
        extra_monitors: Vec::new(),
    }
}

#[test]
fn a_table_is_validated_predicted_cut_and_judged() {
    let f = fixture();
    let model = Model {
        pipeline: &f.pipeline,
        schema: &f.schema,
        baseline: &f.baseline,
    };
    // 40 rows: the second half shifted by 3 (so half its predictions are wrong), and
    // row 3 out of range.
    let (a, ya) = data(20, 0.0);
    let (b, _) = data(20, 3.0);
    let mut x: Vec<f64> = a.column("x").unwrap().numeric_values().unwrap();
    x.extend(b.column("x").unwrap().numeric_values().unwrap());
    x[2] = -5.0;
    let mut labels = match ya {
        Target::Labels(l) => l,
        Target::Values(_) => unreachable!(),
    };
    labels.extend(labels.clone());
    let current = Labelled {
        label: "current".into(),
        features: Frame::new(vec![("x".into(), Column::Numeric(x.into_iter().collect()))]).unwrap(),
        labels: Target::Labels(labels),
        timestamps: None,
    };
    let out = run(
        model,
        reference(),
        Current::Table(current),
        "current.csv",
        &config(WindowSpec::Rows(20)),
    )
    .unwrap();
    assert_eq!(out.windows.len(), 2);
    assert_eq!(out.skipped, [3]);
    assert_eq!(out.violations.len(), 1);
    assert_eq!(out.rejected_per_window(), [1, 0]);
    assert_eq!(out.history.len(), 2);
    let r = &out.report.windows;
    assert_eq!((r[0].n_rows, r[0].metrics["accuracy"]), (19, 1.0));
    assert_eq!(r[0].metrics["invalid_share"], 0.05);
    assert!(r[1].metrics["accuracy"] < 0.95);
    let kinds: Vec<AlertKind> = out.report.alerts.iter().map(|a| a.kind).collect();
    assert!(
        kinds.contains(&AlertKind::Metric),
        "{:?}",
        out.report.alerts
    );
    assert!(
        out.report
            .alerts
            .iter()
            .any(|a| a.metric == "accuracy" && a.first_window == 1)
    );
    assert!(out.distributions().is_some());
    // The JSON report: the engine's report plus what the caller knows.
    let json = driftwatch_run::report_json(&out.report, "m@1", &f.baseline, &out.skipped).unwrap();
    assert_eq!(json["model"], "m@1");
    assert_eq!(json["skipped_rows"], serde_json::json!([3]));
    assert_eq!(json["windows"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["baseline"]["accuracy"], f.baseline["accuracy"]);
}

#[test]
fn batches_are_windows_with_their_latency() {
    let f = fixture();
    let model = Model {
        pipeline: &f.pipeline,
        schema: &f.schema,
        baseline: &f.baseline,
    };
    let batches: Vec<Labelled> = (0..3)
        .map(|d| {
            let (features, labels) = data(30, 0.0);
            Labelled {
                label: format!("day {}", d + 1),
                features,
                labels,
                timestamps: None,
            }
        })
        .collect();
    let out = run(
        model,
        reference(),
        Current::Batches(batches),
        "scenario",
        &config(WindowSpec::All),
    )
    .unwrap();
    let labels: Vec<&str> = out
        .report
        .windows
        .iter()
        .map(|w| w.label.as_str())
        .collect();
    assert_eq!(labels, ["day 1", "day 2", "day 3"]);
    assert!(out.report.alerts.is_empty(), "{:?}", out.report.alerts);
    assert!(out.report.summary.latency.is_some());
    // Latency is reported, not a checked feature.
    assert_eq!(out.report.windows[0].checked_columns, ["x"]);
}

#[test]
fn a_log_takes_its_predictions_and_joins_delayed_labels() {
    let f = fixture();
    let model = Model {
        pipeline: &f.pipeline,
        schema: &f.schema,
        baseline: &f.baseline,
    };
    let (x, _) = data(10, 0.0);
    // Every logged prediction says `lo`: wrong for x >= 5.
    let records: Vec<PredictionRecord> = (0..10)
        .map(|row| PredictionRecord {
            request_id: Some(format!("r{row}")),
            timestamp: None,
            row: None,
            input: PredictionRecord::input_of(&x, row),
            prediction: Prediction::Label("lo".into()),
            probabilities: None,
            latency_ms: Some(2.0),
            model: None,
        })
        .collect();
    let mut text = Vec::new();
    write_prediction_log(&mut text, &records, "log").unwrap();
    let log = read_jsonl(text.as_slice(), "log.jsonl", &ReadOptions::default()).unwrap();
    // Labels arrived for the first four rows only (x = 0..3, all `lo`).
    let labels: HashMap<String, String> = (0..4)
        .map(|i| (format!("r{i}"), "lo".to_string()))
        .collect();
    let out = run(
        model,
        reference(),
        Current::Log {
            log: log.clone(),
            labels: Some(labels),
        },
        "log.jsonl",
        &config(WindowSpec::All),
    )
    .unwrap();
    assert_eq!(out.labelled, Some((4, 10)));
    let w = &out.report.windows[0];
    assert_eq!((w.n_rows, w.labelled_rows), (10, Some(4)));
    assert_eq!(w.metrics["accuracy"], 1.0);
    assert_eq!(w.class_shares["lo"], 1.0);
    assert_eq!(
        out.report.summary.latency.as_ref().map(|l| l.p95),
        Some(2.0)
    );

    let e = run(
        model,
        reference(),
        Current::Log { log, labels: None },
        "log.jsonl",
        &config(WindowSpec::Every(3600)),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "log.jsonl: windows by time need a 'timestamp' on every line"
    );
}

/// Prediction columns as the model: `y_pred` and `p_hi` taken from the data (not
/// features), the reference's own accuracy as the baseline, blank labels as unlabelled
/// rows whose windows have no performance, and a text cell in a numeric column skipped.
#[test]
fn prediction_columns_are_the_model() {
    use driftwatch_core::read_csv;
    use driftwatch_run::{PredictionColumns, ProbaSpec, Task};

    // x, the prediction (right when x < 8), P(hi) and the target.
    let table = |n: usize, blank_from: usize, bad_row: Option<usize>| {
        let mut t = String::from("x,y_pred,p_hi,y\n");
        for i in 0..n {
            let x = i % 10;
            let truth = if x < 5 { "lo" } else { "hi" };
            let pred = if (5..8).contains(&x) { "lo" } else { truth };
            let p = if pred == "hi" { 0.9 } else { 0.2 };
            let y = if i >= blank_from { "" } else { truth };
            let x = if Some(i) == bad_row {
                "hot".to_string()
            } else {
                x.to_string()
            };
            t.push_str(&format!("{x},{pred},{p},{y}\n"));
        }
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    };
    let split = |mut f: Frame| {
        let y = f.remove("y").unwrap();
        (f, y)
    };
    let (ref_x, ref_y) = split(table(100, 100, None));
    let reference = Labelled {
        label: "ref.csv".into(),
        features: ref_x,
        labels: Target::from_column("y", &ref_y, true).unwrap(),
        timestamps: None,
    };
    let (cur_x, cur_y) = split(table(40, 20, Some(3)));
    let (labels, labelled) = driftwatch_run::columns::partial_labels("y", &cur_y, true).unwrap();
    let current = Current::PartlyLabelled {
        table: Labelled {
            label: "current".into(),
            features: cur_x,
            labels,
            timestamps: None,
        },
        labelled,
    };
    let columns = PredictionColumns {
        prediction: "y_pred".into(),
        probabilities: ProbaSpec::Columns(vec![("hi".into(), "p_hi".into())]),
        ..PredictionColumns::default()
    };
    let out = run(
        &columns,
        reference,
        current,
        "cur.csv",
        &config(WindowSpec::Rows(20)),
    )
    .unwrap();
    assert_eq!(out.task, Some(Task::Binary));
    // 7 of 10 right: x = 5, 6 and 7 are predicted lo.
    assert!(
        (out.baseline["accuracy"] - 0.7).abs() < 1e-12,
        "{:?}",
        out.baseline
    );
    assert_eq!(out.reference.features.names(), ["x"]);
    let p = out.reference.probabilities.as_ref().unwrap();
    assert_eq!(p.classes, ["hi", "lo"]);
    assert_eq!(p.values.row(0).to_vec(), [0.2, 0.8]);
    assert_eq!(out.skipped, [4]);
    assert_eq!(out.labelled, Some((19, 39)));
    let w = &out.report.windows;
    assert_eq!(w.len(), 2);
    // Window 0: 19 rows kept (row 3 skipped); its labelled rows' accuracy.
    assert_eq!(w[0].n_rows, 19);
    let acc = w[0].metrics["accuracy"];
    assert!((acc - 13.0 / 19.0).abs() < 1e-12, "{acc}");
    assert!(!w[1].metrics.contains_key("accuracy"));
    assert_eq!(w[1].labelled_rows, Some(0));
}
