//! `monitor/cbpe/50000x10`: the `cbpe` monitor fitted on 50 000 labelled reference rows
//! of a binary model and checking 10 windows of 5 000 rows, every binary metric (the
//! goal is under 1 s). The rows are shaped like NannyML's synthetic binary data set
//! (scores with two decimals, slightly miscalibrated so that the isotonic calibrator
//! is fitted); fixtures/golden/scripts/nannyml_cbpe.py times NannyML on that data set
//! for the same workload.

#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use driftwatch_core::{Monitor, Probabilities, Target, Window};
use driftwatch_estimate::cbpe::{Cbpe, config::CbpeConfig};
use ndarray::Array2;

/// `n` rows from a 64-bit LCG: scores rounded to two decimals, labels drawn with a
/// probability that is not the score (so calibration is needed), predictions at 0.5.
fn window(n: usize, seed: u64) -> Window {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut values = Array2::zeros((n, 2));
    let (mut pred, mut truth) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for r in 0..n {
        let p = (uniform() * 100.0).round() / 100.0;
        values[[r, 0]] = 1.0 - p;
        values[[r, 1]] = p;
        pred.push(if p >= 0.5 { "1" } else { "0" }.to_string());
        let truth_p = p * p * (3.0 - 2.0 * p);
        truth.push(if uniform() < truth_p { "1" } else { "0" }.to_string());
    }
    Window {
        label: format!("rows {seed}"),
        probabilities: Some(Probabilities {
            classes: vec!["0".into(), "1".into()],
            values,
        }),
        predictions: Some(Target::Labels(pred)),
        labels: Some(Target::Labels(truth)),
        ..Window::default()
    }
}

fn cbpe(c: &mut Criterion) {
    let reference = window(50_000, 1);
    let windows: Vec<Window> = (0..10)
        .map(|i| {
            let mut w = window(5_000, 100 + i);
            w.labels = None;
            w
        })
        .collect();
    let mut group = c.benchmark_group("monitor");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("cbpe", "50000x10"), |b| {
        b.iter(|| {
            let config = CbpeConfig {
                chunk_rows: Some(5_000),
                ..CbpeConfig::default()
            };
            let mut m = Cbpe::new(config).expect("valid config");
            m.fit(black_box(&reference)).expect("fit");
            let n: usize = windows
                .iter()
                .map(|w| m.check(w).expect("check").len())
                .sum();
            black_box(n)
        });
    });
    group.finish();
}

criterion_group!(benches, cbpe);
criterion_main!(benches);
