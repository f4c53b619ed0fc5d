//! The monitor `dle` (direct loss estimation) on car-price-like data, the size NannyML's
//! DLE is timed on by `fixtures/golden/scripts/nannyml_dle.py`: 50,000 reference rows
//! and 10 windows of 5,000 rows, metrics mae, mse and rmse, default loss-model
//! parameters (48 trees, leaves of at least 300 rows), `chunk_rows` 5000.
//!
//! The data imitates NannyML's synthetic car price set (ChaCha8, seed 0): car age
//! 0..15 years, km driven about 15,000 a year, new price 10,000..60,000, accidents
//! 0..3, 3 or 5 doors, fuel (gas, diesel, electric) and transmission (manual,
//! automatic) as categories; the price falls with age, kilometres and accidents; the
//! model's prediction is the price with an error whose spread grows with the price.
//! The last 5 windows are drifted (younger cars), as in NannyML's analysis set.
//!
//! Benchmarks: `monitor/dle/50000x10` (fit on the reference, then check the 10
//! windows: what NannyML's `fit` + `estimate` do), `monitor/dle_fit/50000` and
//! `monitor/dle_check/5000` (one window).

#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use driftwatch_core::{Categorical, Column, Frame, Monitor, Target, Window};
use driftwatch_estimate::dle::{DleConfig, DleMonitor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

const REFERENCE_ROWS: usize = 50_000;
const WINDOW_ROWS: usize = 5_000;
const WINDOWS: usize = 10;

/// `n` car-price-like rows; `young` drifts the ages towards new cars.
fn cars(rng: &mut ChaCha8Rng, n: usize, young: bool, with_labels: bool) -> Window {
    let (mut age, mut km, mut new, mut acc, mut doors) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut fuel, mut trans, mut pred, mut y) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let a = if young {
            f64::from(rng.random_range(0..8u32))
        } else {
            f64::from(rng.random_range(0..16u32))
        };
        let k = (a * 15_000.0 + 10_000.0 * rng.sample::<f64, _>(StandardNormal))
            .max(0.0)
            .round();
        let p = f64::from(rng.random_range(10_000..60_000u32));
        let c = f64::from(rng.random_range(0..4u32).saturating_sub(1));
        let f = ["gas", "diesel", "electric"][rng.random_range(0..3usize)];
        let t = if rng.random::<f64>() < 0.7 {
            "manual"
        } else {
            "automatic"
        };
        let bonus = if f == "electric" { 1.1 } else { 1.0 };
        let price = (p * bonus * (-0.12 * a).exp() * (1.0 - k / 1_000_000.0).max(0.2) - 500.0 * c)
            .max(100.0);
        let truth = price * (1.0 + 0.05 * rng.sample::<f64, _>(StandardNormal));
        age.push(a);
        km.push(k);
        new.push(p);
        acc.push(c);
        doors.push(if rng.random::<f64>() < 0.5 { 3.0 } else { 5.0 });
        fuel.push(Some(f));
        trans.push(Some(t));
        pred.push((price + 0.1 * price * rng.sample::<f64, _>(StandardNormal)).round());
        y.push(truth.round());
    }
    Window {
        features: Frame::new(vec![
            ("car_age".into(), Column::Numeric(age.into())),
            ("km_driven".into(), Column::Numeric(km.into())),
            ("price_new".into(), Column::Numeric(new.into())),
            ("accident_count".into(), Column::Numeric(acc.into())),
            ("door_count".into(), Column::Numeric(doors.into())),
            (
                "fuel".into(),
                Column::Categorical(Categorical::from_labels(fuel)),
            ),
            (
                "transmission".into(),
                Column::Categorical(Categorical::from_labels(trans)),
            ),
        ])
        .expect("frame"),
        predictions: Some(Target::Values(pred)),
        labels: with_labels.then_some(Target::Values(y)),
        ..Window::default()
    }
}

fn dle(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let reference = cars(&mut rng, REFERENCE_ROWS, false, true);
    let windows: Vec<Window> = (0..WINDOWS)
        .map(|i| cars(&mut rng, WINDOW_ROWS, i >= WINDOWS / 2, false))
        .collect();
    let config = DleConfig {
        chunk_rows: Some(WINDOW_ROWS),
        ..DleConfig::default()
    };
    let fit = || {
        let mut m = DleMonitor::new(config.clone()).expect("config");
        m.fit(&reference).expect("fit");
        m
    };

    let mut group = c.benchmark_group("monitor");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(std::time::Duration::from_secs(10));
    group.bench_function(format!("dle/{REFERENCE_ROWS}x{WINDOWS}"), |b| {
        b.iter(|| {
            let m = fit();
            for w in &windows {
                black_box(m.check(w).expect("check"));
            }
        });
    });
    group.bench_function(format!("dle_fit/{REFERENCE_ROWS}"), |b| {
        b.iter(|| black_box(fit()));
    });
    let fitted = fit();
    group.bench_function(format!("dle_check/{WINDOW_ROWS}"), |b| {
        b.iter(|| black_box(fitted.check(&windows[WINDOWS - 1]).expect("check")));
    });
    group.finish();
}

criterion_group!(benches, dle);
criterion_main!(benches);
