//! Criterion benchmarks of the drift statistics library against the targets of
//! issue 8: KS from unsorted input and with a cached reference, the whole-table
//! auto check (100k x 20, 5 shifted columns), PSI with a cached reference and
//! the Wasserstein and energy distances, each at n = 1e6 unless named otherwise. The inputs come from the library
//! (`driftwatch_benches`), which `cargo xtask bench --vs-python` also writes to files
//! for the scipy side.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use driftwatch_core::Frame;
use driftwatch_drift::columns::{DriftOptions, DriftReference, NumericReference};
use driftwatch_drift::ks::{Alternative, KsMethod, KsReference, ks_2samp};
use driftwatch_drift::stats::energy::energy_distance;
use driftwatch_drift::stats::wasserstein::wasserstein_distance;

/// The frame of a matrix from [`driftwatch_benches::table_pair`], columns `f0`...
fn frame(x: &ndarray::Array2<f64>) -> Frame {
    let names: Vec<String> = (0..x.ncols()).map(|j| format!("f{j}")).collect();
    let Ok(frame) = Frame::from_matrix(&names, x) else {
        panic!("benchmark frame has a bad shape");
    };
    frame
}

/// Short, flat sampling: each of these runs takes milliseconds.
fn configure(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.sampling_mode(SamplingMode::Flat);
}

fn bench_drift_stats(c: &mut Criterion) {
    let (reference, current) = driftwatch_benches::drift_pair();

    let mut group = c.benchmark_group("drift");
    configure(&mut group);

    group.bench_function("ks_2samp/1000000", |b| {
        b.iter(|| {
            ks_2samp(
                black_box(&reference),
                black_box(&current),
                Alternative::TwoSided,
                KsMethod::Auto,
            )
        });
    });

    let Ok(fitted_ks) = KsReference::new(&reference) else {
        panic!("benchmark reference sample is invalid");
    };
    group.bench_function("ks_2samp_cached_reference/1000000", |b| {
        b.iter(|| fitted_ks.test(black_box(&current), Alternative::TwoSided, KsMethod::Auto));
    });

    let Ok(numeric) = NumericReference::new(reference.clone()) else {
        panic!("benchmark reference sample is invalid");
    };
    group.bench_function("psi_cached_reference/1000000", |b| {
        b.iter(|| numeric.psi(black_box(&current)));
    });

    group.bench_function("wasserstein/1000000", |b| {
        b.iter(|| wasserstein_distance(black_box(&reference), black_box(&current)));
    });

    group.bench_function("energy/1000000", |b| {
        b.iter(|| energy_distance(black_box(&reference), black_box(&current)));
    });

    let (r, c) = driftwatch_benches::table_pair();
    let (ref_frame, cur_frame) = (frame(&r), frame(&c));
    let options = DriftOptions::default();
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(2).build() else {
        panic!("cannot build a 2-thread pool");
    };
    // Fit and check: the whole job of `driftwatch drift` once the CSVs are read.
    group.bench_function("table_auto/100000x20", |b| {
        b.iter(|| {
            pool.install(|| {
                DriftReference::fit(black_box(&ref_frame), &[])
                    .and_then(|r| r.report(black_box(&cur_frame), &options))
            })
        });
    });
    let Ok(fitted) = pool.install(|| DriftReference::fit(&ref_frame, &[])) else {
        panic!("cannot fit the benchmark reference");
    };
    // Check only, against a reference fitted (or loaded) once.
    group.bench_function("table_auto_cached_reference/100000x20", |b| {
        b.iter(|| pool.install(|| fitted.report(black_box(&cur_frame), &options)));
    });
    group.finish();
}

criterion_group!(benches, bench_drift_stats);
criterion_main!(benches);
