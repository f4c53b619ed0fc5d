//! The CSV read on its own (issue 13: the 1e6 x 20 `driftwatch drift` run is mostly
//! reading): `read/csv/1000000x20` reads a numeric file of 1e6 rows and 20 columns
//! (six-decimal N(0, 1) values, about 200 MB) into a `Frame`, as the CLI does with
//! each of its two inputs. The file is generated once by the benches library into
//! `<target dir>/bench-inputs/` (never committed).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use driftwatch_core::reader::{ReadOptions, read_csv_path};

fn bench(c: &mut Criterion) {
    let (rows, cols) = driftwatch_benches::CSV;
    let path = match driftwatch_benches::numeric_csv(
        &driftwatch_benches::inputs_dir(),
        rows,
        cols,
        driftwatch_benches::CSV_SEED,
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("read bench: cannot write its input: {e}; skipped");
            return;
        }
    };
    let mut group = c.benchmark_group("read");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15))
        .sampling_mode(SamplingMode::Flat);
    let options = ReadOptions::default();
    group.bench_function(format!("csv/{rows}x{cols}"), |b| {
        b.iter(|| read_csv_path(black_box(&path), &options));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
