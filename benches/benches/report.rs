//! Criterion benchmarks of the monitoring report (`driftwatch_monitor`).
//!
//! - `monitor/report_html/30x20`: drawing the HTML page (metric panels, 20 histograms,
//!   class shares, tables) for a run already checked: 30 windows, 20 features.
//! - `monitor/report/100000x20`: the end-to-end case, file parsing excluded:
//!   100 000 current rows x 20 numeric features split into 30 windows, checked by
//!   `performance` (accuracy/precision/recall/F1 against a baseline), `feature_drift`
//!   (auto KS per column) and `prediction_drift`, then the alert policy, the summary,
//!   the histograms of the last window and the HTML page. The engine is fitted once on
//!   a 20 000-row reference outside the timing, as `driftwatch monitor` fits once.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use driftwatch_core::{Column, Frame, Target, Window};
use driftwatch_monitor::histogram::{DEFAULT_BINS, histograms};
use driftwatch_monitor::{
    AlertPolicy, Distributions, Engine, EngineConfig, MonitorConfig, RunReport, WindowSpec, split,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

// The monitors are found through the registry: keep their crates linked.
use driftwatch_drift as _;
use driftwatch_metrics as _;

const FEATURES: usize = 20;
const WINDOWS: usize = 30;

/// `n` rows of 20 normal features (the later ones shifted by `shift` from the middle
/// on), three classes predicted with ~90% accuracy.
fn window(n: usize, shift: f64, seed: u64) -> Window {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let columns = (0..FEATURES)
        .map(|j| {
            let s = if j >= FEATURES / 2 { shift } else { 0.0 };
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    z + if i >= n / 2 { s } else { 0.0 }
                })
                .collect();
            (format!("f{j:02}"), Column::Numeric(v.into()))
        })
        .collect();
    let classes = ["a", "b", "c"];
    let labels: Vec<String> = (0..n)
        .map(|_| classes[rng.random_range(0..3)].to_string())
        .collect();
    let predictions = labels
        .iter()
        .map(|l| {
            if rng.random::<f64>() < 0.9 {
                l.clone()
            } else {
                classes[rng.random_range(0..3)].to_string()
            }
        })
        .collect();
    Window {
        label: "data".into(),
        features: Frame::new(columns).unwrap_or_default(),
        predictions: Some(Target::Labels(predictions)),
        labels: Some(Target::Labels(labels)),
        ..Window::default()
    }
}

fn engine(reference: &Window) -> Engine {
    let baseline =
        serde_json::json!({"accuracy": 0.93, "precision": 0.93, "recall": 0.93, "f1": 0.93});
    let config = EngineConfig {
        monitors: vec![
            MonitorConfig {
                name: "performance".into(),
                config: serde_json::json!({"ratio": 0.95, "baseline": baseline}),
                ..MonitorConfig::default()
            },
            MonitorConfig {
                name: "feature_drift".into(),
                config: serde_json::Value::Null,
                ..MonitorConfig::default()
            },
            MonitorConfig {
                name: "prediction_drift".into(),
                config: serde_json::Value::Null,
                ..MonitorConfig::default()
            },
        ],
        ..EngineConfig::default()
    };
    let mut e = match Engine::from_config(&config) {
        Ok(e) => e,
        Err(err) => panic!("bench engine config: {err}"),
    };
    if let Err(err) = e.fit(reference) {
        panic!("bench engine fit: {err}");
    }
    e
}

/// Engine run, alerts, histograms of the last window and the page.
fn report(engine: &Engine, reference: &Window, windows: &[Window]) -> String {
    let reports = engine.run(windows).unwrap_or_default();
    let alerts = AlertPolicy::default().evaluate(&reports);
    let last = windows.len() - 1;
    let d = Distributions {
        window: last,
        features: histograms(reference, &windows[last], DEFAULT_BINS),
    };
    RunReport::new(reports, alerts)
        .render_html(Some(&d), "bench")
        .unwrap_or_default()
}

fn bench_report(c: &mut Criterion) {
    let reference = window(20_000, 0.0, 1);
    let current = window(100_000, 0.3, 2);
    let windows =
        split(&current, &WindowSpec::Rows(100_000_usize.div_ceil(WINDOWS))).unwrap_or_default();
    assert_eq!(windows.len(), WINDOWS);
    let engine = engine(&reference);

    let mut group = c.benchmark_group("monitor");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.sampling_mode(SamplingMode::Flat);

    let reports = engine.run(&windows).unwrap_or_default();
    let alerts = AlertPolicy::default().evaluate(&reports);
    let run = RunReport::new(reports, alerts);
    let d = Distributions {
        window: WINDOWS - 1,
        features: histograms(&reference, &windows[WINDOWS - 1], DEFAULT_BINS),
    };
    let html = run.render_html(Some(&d), "bench").unwrap_or_default();
    eprintln!(
        "HTML page for 30 windows x 20 features: {} bytes",
        html.len()
    );
    group.bench_function(BenchmarkId::new("report_html", "30x20"), |b| {
        b.iter(|| black_box(&run).render_html(Some(black_box(&d)), "bench"))
    });
    group.bench_function(BenchmarkId::new("report", "100000x20"), |b| {
        b.iter(|| report(black_box(&engine), &reference, black_box(&windows)))
    });
    group.finish();
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
