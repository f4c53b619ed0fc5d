//! A tiny, fast benchmark (`smoke/sum/1000`) used to exercise
//! `cargo xtask bench` end to end without depending on the real benches.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Sums a small vector of integers.
fn sum(c: &mut Criterion) {
    let mut group = c.benchmark_group("smoke");
    for n in [100_u64, 1000] {
        let data: Vec<u64> = (0..n).collect();
        group.bench_with_input(BenchmarkId::new("sum", n), &data, |b, data| {
            b.iter(|| black_box(data).iter().sum::<u64>());
        });
    }
    group.finish();
}

criterion_group!(benches, sum);
criterion_main!(benches);
