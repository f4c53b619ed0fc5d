//! Bounded-memory drift (issue 16): `chunked/summary/exact` summarises a 100,000 x 4
//! CSV held in memory (numbers of many values and of few, categories, missing values)
//! read in chunks of 16,384 rows, every column kept exact; `chunked/summary/sketched`
//! the same under a 256 KiB limit, so the numeric columns become quantile sketches;
//! `chunked/sketch/extend` adds 1e6 values to a sketch and `chunked/sketch/merge`
//! merges two sketches of 1e6 values each; `chunked/report/sketched` checks a sketched
//! current table against a sketched reference (KS from the estimated CDFs).

// the inputs are generated here: a failure is a bug of the bench
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use driftwatch_core::{CsvChunks, ReadOptions};
use driftwatch_drift::columns::{DriftOptions, TestKind};
use driftwatch_drift::sketch::QuantileSketch;
use driftwatch_drift::streaming::FrameSummary;

fn table(rows: usize, shift: f64) -> String {
    let x = driftwatch_benches::normal_sample(rows, shift, 7);
    let mut t = String::from("x,k,c,m\n");
    for (i, v) in x.iter().enumerate() {
        let m = if i.is_multiple_of(13) {
            "NA".to_string()
        } else {
            format!("{:.3}", v * 2.0)
        };
        t.push_str(&format!(
            "{v:.6},{},{},{m}\n",
            i % 7,
            ["a", "b", "c"][i % 3]
        ));
    }
    t
}

fn summary(text: &str, limit: usize) -> FrameSummary {
    let chunks = CsvChunks::new(
        text.as_bytes(),
        "bench.csv",
        &ReadOptions::default(),
        16_384,
    )
    .expect("bench input");
    FrameSummary::new(&[], limit)
        .read(chunks)
        .expect("bench input")
}

fn bench(c: &mut Criterion) {
    let (r, cur) = (table(100_000, 0.0), table(100_000, 0.05));
    let mut group = c.benchmark_group("chunked");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("summary/exact", |b| {
        b.iter(|| summary(black_box(&r), usize::MAX))
    });
    group.bench_function("summary/sketched", |b| {
        b.iter(|| summary(black_box(&r), 256 << 10))
    });
    let values = driftwatch_benches::normal_sample(1_000_000, 0.0, 3);
    group.bench_function("sketch/extend", |b| {
        b.iter(|| {
            let mut s = QuantileSketch::default();
            s.extend(black_box(&values));
            s
        });
    });
    let mut a = QuantileSketch::default();
    a.extend(&values);
    let mut other = QuantileSketch::default();
    other.extend(&driftwatch_benches::normal_sample(1_000_000, 0.1, 4));
    group.bench_function("sketch/merge", |b| b.iter(|| black_box(&a).merge(&other)));
    let reference = summary(&r, 256 << 10).into_reference();
    let o = DriftOptions {
        test: TestKind::Ks,
        ..Default::default()
    };
    group.bench_function("report/sketched", |b| {
        b.iter(|| reference.report_summary(summary(black_box(&cur), 256 << 10), &o));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
