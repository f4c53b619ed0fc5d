//! End-to-end prediction through a fitted pipeline (StandardScaler + RF(100), the seed
//! notebook's model on iris): one row, as a service answering a request, and a batch.
//!
//! scikit-learn's `Pipeline.predict` on one row takes about 3.3 ms on this machine class
//! (RandomForestClassifier(100), mostly per-call overhead).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{ReadOptions, Target, make_pipeline, read_csv_path};
use driftwatch_models::RandomForestClassifier;

fn iris_pipeline() -> (driftwatch_core::Pipeline, driftwatch_core::Frame) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/golden/iris.csv");
    let mut data = read_csv_path(&path, &ReadOptions::default()).unwrap();
    let y = Target::from_column("species", &data.remove("species").unwrap(), true).unwrap();
    let mut p = make_pipeline(
        vec![Box::new(StandardScaler::default())],
        Some(Box::new(RandomForestClassifier::with_seed(42))),
    );
    p.fit(&data, &y).unwrap();
    (p, data)
}

fn bench(c: &mut Criterion) {
    let (pipeline, data) = iris_pipeline();
    let mut g = c.benchmark_group("pipeline");
    let row = data.slice_rows(0, 1);
    g.bench_function("predict_row", |b| {
        b.iter(|| pipeline.predict(&row).unwrap())
    });
    let n = 10_000;
    let rows: Vec<usize> = (0..n).map(|i| i % data.n_rows()).collect();
    let batch = data.take_rows(&rows).unwrap();
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    g.bench_with_input(BenchmarkId::new("predict_batch", n), &batch, |b, x| {
        b.iter(|| pipeline.predict(x).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
