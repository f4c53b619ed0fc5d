//! Criterion benchmarks of the two-sample Kolmogorov-Smirnov test
//! (`driftwatch_drift::ks`): `ks_2samp` end to end (validate, copy and sort
//! both samples, one merge pass, p-value) and the precomputed-reference path
//! `KsReference::test` (the reference sorted once, as a fitted monitor holds
//! it). Two normal samples of equal size n, the current one shifted by 0.1
//! standard deviation, method `auto` (exact up to n = 10000, asymptotic
//! above).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use driftwatch_drift::ks::{Alternative, KsMethod, KsReference, ks_2samp};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];
const SHIFT: f64 = 0.1;

fn normal_sample(n: usize, shift: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            z + shift
        })
        .collect()
}

/// Settings that keep the whole bench to about a minute on 2 cores.
fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
) {
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    if n >= 100_000 {
        group.sampling_mode(SamplingMode::Flat);
        group.measurement_time(Duration::from_secs(2));
    } else {
        group.sampling_mode(SamplingMode::Auto);
        group.measurement_time(Duration::from_secs(1));
    }
}

fn bench_ks(c: &mut Criterion) {
    let data: Vec<(usize, Vec<f64>, Vec<f64>)> = SIZES
        .iter()
        .map(|&n| (n, normal_sample(n, 0.0, 1), normal_sample(n, SHIFT, 2)))
        .collect();

    let mut group = c.benchmark_group("drift/ks_2samp_port");
    for (n, reference, current) in &data {
        configure(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), n, |b, _| {
            b.iter(|| {
                ks_2samp(
                    black_box(reference),
                    black_box(current),
                    Alternative::TwoSided,
                    KsMethod::Auto,
                )
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("drift/ks_reference_test");
    for (n, reference, current) in &data {
        configure(&mut group, *n);
        let Ok(fitted) = KsReference::new(reference) else {
            panic!("benchmark reference sample is invalid");
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), n, |b, _| {
            b.iter(|| fitted.test(black_box(current), Alternative::TwoSided, KsMethod::Auto));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ks);
criterion_main!(benches);
