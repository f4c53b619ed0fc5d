//! The daily workflow end to end, with two monitors defined and registered here and
//! found by name: split by day (one day without data), run, alerts, history, summary,
//! report; then the same days run one at a time, continuing the history, give the same
//! alerts.

// Test helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{
    Column, Finding, FindingKind, Frame, Monitor, Severity, Status, Target, Window,
};
use driftwatch_monitor::alert::AlertState;
use driftwatch_monitor::{
    AlertPolicy, Engine, EngineConfig, HistoryEntry, RunReport, Summary, TrendDirection,
    WindowSpec, history, split,
};
use serde::{Deserialize, Serialize};

/// Accuracy against the reference's accuracy as baseline.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Accuracy {
    baseline: Option<f64>,
}

fn accuracy(w: &Window) -> driftwatch_core::Result<f64> {
    let (Some(p), Some(l)) = (&w.predictions, &w.labels) else {
        return Err(driftwatch_core::Error::InvalidValue("no labels".into()));
    };
    let (p, l) = (p.labels()?, l.labels()?);
    Ok(p.iter().zip(l).filter(|(a, b)| a == b).count() as f64 / p.len() as f64)
}

#[typetag::serde]
impl Monitor for Accuracy {
    fn name(&self) -> &str {
        "zz_workflow_accuracy"
    }
    fn fit(&mut self, reference: &Window) -> driftwatch_core::Result<()> {
        self.baseline = Some(accuracy(reference)?);
        Ok(())
    }
    fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
        let baseline = self
            .baseline
            .ok_or_else(|| driftwatch_core::Error::NotFitted("accuracy".into()))?;
        let value = accuracy(w)?;
        Ok(vec![Finding {
            monitor: self.name().into(),
            kind: FindingKind::Metric {
                higher_is_better: true,
            },
            column: None,
            method: "accuracy".into(),
            statistic: value,
            p_value: None,
            threshold: baseline * 0.95,
            baseline: Some(baseline),
            status: Status::Ok,
            severity: None,
            message: String::new(),
            bounds: None,
            sampling_error: None,
        }])
    }
}

/// Drift when a column's mean moves by more than `tolerance` from the reference's.
#[derive(Debug, Serialize, Deserialize)]
struct MeanShift {
    tolerance: f64,
    means: BTreeMap<String, f64>,
}

fn means(w: &Window) -> BTreeMap<String, f64> {
    w.features
        .iter()
        .filter_map(|(n, c)| {
            let v = c.numeric_values()?;
            Some((n.to_string(), v.iter().sum::<f64>() / v.len() as f64))
        })
        .collect()
}

#[typetag::serde]
impl Monitor for MeanShift {
    fn name(&self) -> &str {
        "zz_workflow_mean_shift"
    }
    fn fit(&mut self, reference: &Window) -> driftwatch_core::Result<()> {
        self.means = means(reference);
        Ok(())
    }
    fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
        let now = means(w);
        Ok(self
            .means
            .iter()
            .map(|(col, m)| {
                let shift = (now[col] - m).abs();
                let drift = shift > self.tolerance;
                Finding {
                    monitor: self.name().into(),
                    kind: FindingKind::Drift,
                    column: Some(col.clone()),
                    method: "mean_shift".into(),
                    statistic: shift,
                    p_value: None,
                    threshold: self.tolerance,
                    baseline: None,
                    status: if drift { Status::Alert } else { Status::Ok },
                    severity: drift.then_some(Severity::Medium),
                    message: String::new(),
                    bounds: None,
                    sampling_error: None,
                }
            })
            .collect())
    }
}

inventory::submit! {
    MonitorFactory {
        name: "zz_workflow_accuracy",
        description: "accuracy against the reference (test)",
        default_config: "",
        build: |_| Ok(Box::new(Accuracy::default())),
    }
}

inventory::submit! {
    MonitorFactory {
        name: "zz_workflow_mean_shift",
        description: "mean shift per column (test)",
        default_config: "tolerance = 1.0",
        build: |c| Ok(Box::new(MeanShift {
            tolerance: c.get("tolerance").and_then(serde_json::Value::as_f64).unwrap_or(1.0),
            means: BTreeMap::new(),
        })),
    }
}

const DAY: i64 = 86_400;
const T0: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z

/// `days` of 10 rows each: (day, accuracy in tenths, shift of column b). Column a never
/// moves; day 3 has no rows.
fn data(days: &[(i64, usize, f64)]) -> Window {
    let (mut a, mut b, mut preds, mut labels, mut ts) = (vec![], vec![], vec![], vec![], vec![]);
    for &(day, right, shift) in days {
        for i in 0..10 {
            a.push(i as f64);
            b.push(i as f64 + shift);
            preds.push(if i % 2 == 0 { "yes" } else { "no" }.to_string());
            let truth = if i < right {
                preds[preds.len() - 1].clone()
            } else {
                "other".into()
            };
            labels.push(truth);
            ts.push(T0 + day * DAY + i as i64 * 60);
        }
    }
    Window {
        label: String::new(),
        features: Frame::new(vec![
            ("a".into(), Column::Numeric(a.into())),
            ("b".into(), Column::Numeric(b.into())),
        ])
        .unwrap(),
        predictions: Some(Target::Labels(preds)),
        probabilities: None,
        labels: Some(Target::Labels(labels)),
        timestamps: Some(ts),
        labelled: None,
        rejected: None,
    }
}

fn engine() -> Engine {
    let config: EngineConfig = serde_json::from_value(serde_json::json!({
        "monitors": [
            {"name": "zz_workflow_accuracy"},
            {"name": "zz_workflow_mean_shift", "config": {"tolerance": 1.0}}
        ]
    }))
    .unwrap();
    let mut engine = Engine::from_config(&config).unwrap();
    engine.fit(&data(&[(0, 10, 0.0)])).unwrap();
    engine
}

const DAYS: [(i64, usize, f64); 7] = [
    (0, 10, 0.0),
    (1, 10, 0.5),
    (2, 9, 2.0),
    // day 3: nothing
    (4, 8, 2.0),
    (5, 10, 0.0),
    (6, 10, 0.0),
    (7, 9, 3.0),
];

#[test]
fn a_week_of_monitoring() {
    let engine = engine();
    let windows = split(&data(&DAYS), &WindowSpec::Every(DAY)).unwrap();
    assert_eq!(windows.len(), 8);
    assert_eq!(windows[3].n_rows(), 0);
    let reports = engine.run(&windows).unwrap();
    let acc: Vec<Option<f64>> = reports
        .iter()
        .map(|r| r.metrics.get("accuracy").copied())
        .collect();
    assert_eq!(
        acc,
        [
            Some(1.0),
            Some(1.0),
            Some(0.9),
            None,
            Some(0.8),
            Some(1.0),
            Some(1.0),
            Some(0.9)
        ]
    );
    assert_eq!(reports[0].class_shares["yes"], 0.5);
    assert_eq!(reports[2].drifted_columns, ["b"]);
    assert_eq!(reports[2].checked_columns, ["a", "b"]);

    let policy = AlertPolicy::default();
    policy.check().unwrap();
    let alerts = policy.evaluate(&reports);
    let got: Vec<_> = alerts
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                a.severity,
                a.first_window,
                a.last_window,
                a.state,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // 0.9 is 10% down: MEDIUM; 0.8 on day 4 (window 4, after the empty day): HIGH.
            ("accuracy-w2", Severity::High, 2, 4, AlertState::Resolved),
            (
                "mean_shift-b-w2",
                Severity::Medium,
                2,
                4,
                AlertState::Resolved
            ),
            ("accuracy-w7", Severity::Medium, 7, 7, AlertState::Active),
            (
                "mean_shift-b-w7",
                Severity::Medium,
                7,
                7,
                AlertState::Active
            ),
        ]
    );

    let summary = Summary::build(&reports, &alerts);
    assert_eq!(summary.period.first, "2024-01-01T00:00:00Z");
    assert_eq!(summary.period.last, "2024-01-08T00:00:00Z");
    assert_eq!(
        (
            summary.n_windows,
            summary.empty_windows,
            summary.total_predictions
        ),
        (8, 1, 70)
    );
    assert!((summary.average_accuracy.unwrap() - 6.6 / 7.0).abs() < 1e-12);
    assert_eq!(summary.current_accuracy, Some(0.9));
    assert_eq!(
        summary.accuracy_trend.unwrap().direction,
        TrendDirection::Declining
    );
    assert_eq!((summary.drifted_features, summary.total_features), (1, 2));
    assert_eq!(summary.active_alerts.len(), 2);

    let report = RunReport::new(reports.clone(), alerts.clone());
    let text = report.render_text();
    assert!(
        text.contains("2024-01-04T00:00:00Z   0         -        -       2"),
        "{text}"
    );
    assert!(report.to_json().unwrap().contains("\"accuracy-w7\""));

    // The same days one run at a time, continuing the history, give the same alerts.
    let mut file = Vec::new();
    for w in &windows {
        let past = history::read(file.as_slice(), "history.jsonl", None).unwrap();
        let today = engine
            .run_from(std::slice::from_ref(w), history::next_index(&past))
            .unwrap();
        let mut all: Vec<_> = past.iter().map(HistoryEntry::to_report).collect();
        all.extend(today.iter().cloned());
        let alerts_now = policy.evaluate(&all);
        history::append(&mut file, &history::entries(&today, &alerts_now)).unwrap();
    }
    let past = history::read(file.as_slice(), "history.jsonl", None).unwrap();
    let all: Vec<_> = past.iter().map(HistoryEntry::to_report).collect();
    assert_eq!(all, reports);
    assert_eq!(policy.evaluate(&all), alerts);
    assert_eq!(past[4].alerts, ["accuracy-w2", "mean_shift-b-w2"]);
}
