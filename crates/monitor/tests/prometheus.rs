#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Prometheus file parses as the text exposition format: an independent parser
//! (prometheus-parse) reads every sample back with its labels and value, and a strict
//! line check holds each family to `# HELP`, then `# TYPE`, then its samples.

use std::collections::HashMap;

use driftwatch_core::{Finding, FindingKind, Status};
use driftwatch_monitor::{AlertPolicy, RunReport, WindowReport};

fn finding(
    monitor: &str,
    column: Option<&str>,
    method: &str,
    statistic: f64,
    baseline: Option<f64>,
) -> Finding {
    Finding {
        monitor: monitor.into(),
        kind: match (baseline, monitor) {
            (Some(_), _) => FindingKind::Metric {
                higher_is_better: true,
            },
            (None, "latency") => FindingKind::Info,
            (None, _) => FindingKind::Drift,
        },
        column: column.map(Into::into),
        method: method.into(),
        statistic,
        p_value: None,
        threshold: baseline.map_or(0.05, |b| 0.95 * b),
        baseline,
        status: Status::Ok,
        severity: None,
        message: String::new(),
        bounds: None,
        sampling_error: None,
    }
}

fn drift(column: &str, method: &str, statistic: f64, p: Option<f64>, drifted: bool) -> Finding {
    Finding {
        p_value: p,
        status: if drifted { Status::Alert } else { Status::Ok },
        ..finding("feature_drift", Some(column), method, statistic, None)
    }
}

/// Two windows: accuracy falls, `petal width` drifts in the second, latency logged.
fn report() -> RunReport {
    let day = |i: usize, acc: f64, drifted: bool| {
        WindowReport::from_findings(
            i,
            format!("day {}", i + 1),
            100,
            vec![
                finding("performance", None, "accuracy", acc, Some(1.0)),
                finding("performance", Some("setosa"), "recall", 1.0, Some(1.0)),
                drift("petal width", "ks", 0.4, Some(1e-6), drifted),
                // Escapes are held to the grammar by the strict line check below
                // (prometheus-parse's regex does not unescape label values).
                drift("say \"hi\"\\now", "ks", 0.1, Some(0.5), false),
                drift("colour", "chi2", 3.5, Some(0.2), false),
                drift("income", "wasserstein_normed", 0.02, None, false),
                finding("latency", Some("latency_ms"), "latency_p50", 2.5, None),
                finding("latency", Some("latency_ms"), "latency_p95", 7.0, None),
                finding("latency", Some("latency_ms"), "latency_p99", 12.25, None),
            ],
        )
    };
    let windows = vec![day(0, 1.0, false), day(1, 0.8, true)];
    let alerts = AlertPolicy::default().evaluate(&windows);
    RunReport::new(windows, alerts)
}

fn scrape(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap()
}

/// Value of the one sample of `metric` whose labels include `labels`.
fn value(s: &prometheus_parse::Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    let hits: Vec<&prometheus_parse::Sample> = s
        .samples
        .iter()
        .filter(|x| x.metric == metric && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .collect();
    assert_eq!(hits.len(), 1, "{metric} {labels:?}: {} samples", hits.len());
    match hits[0].value {
        prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v,
        ref other => panic!("{metric}: not a gauge: {other:?}"),
    }
}

#[test]
fn every_sample_parses_with_its_labels_and_value() {
    let text = report().render_prometheus();
    let s = scrape(&text);
    assert_eq!(
        value(&s, "driftwatch_metric", &[("metric", "accuracy")]),
        0.8
    );
    assert_eq!(
        value(&s, "driftwatch_metric", &[("metric", "recall:setosa")]),
        1.0
    );
    assert_eq!(value(&s, "driftwatch_drifted_features", &[]), 1.0);
    assert_eq!(value(&s, "driftwatch_checked_features", &[]), 4.0);
    let width = [("feature", "petal width"), ("test", "ks")];
    assert_eq!(value(&s, "driftwatch_drift_statistic", &width), 0.4);
    assert_eq!(value(&s, "driftwatch_drift_p_value", &width), 1e-6);
    assert_eq!(value(&s, "driftwatch_drift_detected", &width), 1.0);
    let income = [("feature", "income"), ("test", "wasserstein_normed")];
    assert_eq!(value(&s, "driftwatch_drift_statistic", &income), 0.02);
    assert!(
        !s.samples
            .iter()
            .any(|x| x.metric == "driftwatch_drift_p_value"
                && x.labels.get("feature") == Some("income")),
        "a test without a p-value has no p-value sample"
    );
    assert_eq!(
        value(&s, "driftwatch_drift_detected", &[("feature", "colour")]),
        0.0
    );
    assert_eq!(
        value(&s, "driftwatch_latency_ms", &[("quantile", "0.99")]),
        12.25
    );
    assert_eq!(
        value(&s, "driftwatch_latency_ms", &[("quantile", "0.5")]),
        2.5
    );
    assert_eq!(
        value(&s, "driftwatch_active_alerts", &[("severity", "HIGH")]),
        1.0
    );
    assert_eq!(value(&s, "driftwatch_predictions", &[]), 200.0);
    assert!(
        !s.samples
            .iter()
            .any(|x| x.labels.get("feature") == Some("latency_ms")),
        "latency is not a drift check"
    );
}

/// The grammar of the text format, line by line: each family announced once by HELP and
/// TYPE (gauge) before its samples; sample names and label names are valid identifiers;
/// label values are quoted with only `\\`, `\"` and `\n` escapes; values parse as floats.
#[test]
fn families_are_announced_before_their_samples() {
    let text = report().render_prometheus();
    assert!(text.ends_with('\n'));
    let mut announced: HashMap<String, (bool, bool)> = HashMap::new();
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars().enumerate().all(|(i, c)| {
                c == '_' || c == ':' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
            })
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap();
            assert!(ident(name) && !help.is_empty(), "{line}");
            assert!(
                announced.insert(name.into(), (true, false)).is_none(),
                "family {name} announced twice"
            );
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(kind, "gauge", "{line}");
            let e = announced.get_mut(name).expect("TYPE after HELP");
            assert!(e.0 && !e.1, "{line}");
            e.1 = true;
        } else {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let name = series.split('{').next().unwrap();
            assert!(ident(name), "{line}");
            assert_eq!(announced.get(name), Some(&(true, true)), "{line}");
            let v = value.replace("+Inf", "inf").replace("-Inf", "-inf");
            assert!(v.parse::<f64>().is_ok(), "{line}");
            if let Some(labels) = series.strip_prefix(name).filter(|l| !l.is_empty()) {
                check_labels(labels, line);
            }
        }
    }
    assert!(announced.values().all(|&(h, t)| h && t));
}

/// `{name="value",...}` with only valid escapes inside the quotes.
fn check_labels(labels: &str, line: &str) {
    let inner = labels
        .strip_prefix('{')
        .and_then(|l| l.strip_suffix('}'))
        .unwrap_or_else(|| panic!("{line}"));
    let mut chars = inner.chars().peekable();
    loop {
        let name: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=')).collect();
        assert!(!name.is_empty() && chars.next() == Some('='), "{line}");
        assert_eq!(chars.next(), Some('"'), "{line}");
        loop {
            match chars.next() {
                Some('\\') => assert!(
                    matches!(chars.next(), Some('\\' | '"' | 'n')),
                    "bad escape: {line}"
                ),
                Some('"') => break,
                Some('\n') | None => panic!("unterminated label value: {line}"),
                Some(_) => {}
            }
        }
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(c) => panic!("unexpected {c:?}: {line}"),
        }
    }
}
