//! Streaming detector benchmarks: `stream/<detector>/update` is the time of one `update`
//! call on a warmed-up detector (River's defaults), fed in a cycle from the golden
//! 40,000-value streams of `fixtures/golden/stream_detectors.json`: the real stream for
//! ADWIN, Page-Hinkley, KSWIN and CUSUM, the 0/1 error stream for DDM, EDDM, HDDM_A,
//! HDDM_W and FHDDM. Each criterion iteration is one update, so `median_ns` is per update.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use driftwatch_drift::stream;

fn bench(c: &mut Criterion) {
    let real = driftwatch_benches::golden_stream("real_stream");
    let binary = driftwatch_benches::golden_stream("binary_stream");
    if real.is_empty() || binary.is_empty() {
        eprintln!("stream bench: golden streams not found; skipped");
        return;
    }
    let mut group = c.benchmark_group("stream");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, spec, xs) in [
        ("adwin", "adwin", &real),
        ("page-hinkley", "page-hinkley", &real),
        ("ddm", "ddm", &binary),
        ("eddm", "eddm", &binary),
        ("hddm-a", "hddm-a", &binary),
        ("hddm-w", "hddm-w", &binary),
        ("fhddm", "fhddm", &binary),
        ("kswin", "kswin:seed=42", &real),
        ("cusum", "cusum", &real),
    ] {
        let Ok(mut d) = stream::build(spec) else {
            eprintln!("stream bench: cannot build {spec}; skipped");
            continue;
        };
        // Warm up on the whole stream so buffers and windows reach their steady size.
        for &x in xs.iter() {
            d.update(x);
        }
        let mut i = 0usize;
        group.bench_function(format!("{name}/update"), |b| {
            b.iter(|| {
                let x = xs[i];
                i += 1;
                if i == xs.len() {
                    i = 0;
                }
                black_box(d.update(black_box(x)))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
