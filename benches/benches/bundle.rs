//! Model bundle benchmarks: saving and loading a `.dwm` file.
//!
//! The pipeline is one StandardScaler fitted on 1,000 x 20 deterministic numeric rows
//! (the forest-sized bundle comes with the models crate). Each benchmark runs with the
//! payload uncompressed (`none`) and zstd level 3 (`zstd3`, the default):
//!
//! * `persist/bundle_encode/{none,zstd3}` and `persist/bundle_decode/{none,zstd3}`: the
//!   same work in memory (`to_bytes`, `from_bytes`), without the file system;
//! * `persist/bundle_save/{none,zstd3}`: `save` to a file in the temp directory
//!   (encode, checksum, write a temporary file, fsync, rename, fsync the directory);
//! * `persist/bundle_load/{none,zstd3}`: `load` of that file (every check, bounded
//!   decompression, MessagePack decoding on the decoder thread, `Pipeline::validate`);
//! * `persist/bundle_read_header/zstd3`: `read_header`, which never reads the payload.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{Column, Frame, Pipeline, Schema, Transformer, make_pipeline};
use driftwatch_persist::{
    BundleMeta, Compression, SaveOptions, from_bytes, load, read_header, save, to_bytes,
};
use ndarray::Array1;

const ROWS: usize = 1_000;
const COLS: usize = 20;

fn frame() -> Frame {
    let columns = (0..COLS)
        .map(|j| {
            let v: Array1<f64> = (0..ROWS)
                .map(|i| ((i * 31 + j * 17) % 97) as f64 * 0.25 - j as f64)
                .collect();
            (format!("feature_{j}"), Column::Numeric(v))
        })
        .collect();
    Frame::new(columns).unwrap_or_default()
}

fn fitted(x: &Frame) -> Pipeline {
    let mut p = make_pipeline(vec![Box::new(StandardScaler::default())], None);
    if let Err(e) = Transformer::fit(&mut p, x) {
        panic!("fitting the bench pipeline failed: {e}");
    }
    p
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("driftwatch-bench-bundle-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    dir
}

fn bench_bundle(c: &mut Criterion) {
    let x = frame();
    let pipeline = fitted(&x);
    let mut meta = BundleMeta::new("bench-scaler", "1.0.0", Schema::infer(&x));
    meta.n_train_rows = ROWS as u64;
    let dir = scratch_dir();

    let variants = [
        ("none", Compression::None),
        ("zstd3", Compression::Zstd { level: 3 }),
    ];
    let mut group = c.benchmark_group("persist");
    group.sample_size(20);
    for (label, compression) in variants {
        let opts = SaveOptions {
            compression,
            ..SaveOptions::default()
        };
        let path = dir.join(format!("{label}.dwm"));
        group.bench_function(format!("bundle_encode/{label}"), |b| {
            b.iter(|| to_bytes(&meta, black_box(&pipeline), &opts))
        });
        let bytes = match to_bytes(&meta, &pipeline, &opts) {
            Ok(b) => b,
            Err(e) => panic!("encoding the bench bundle failed: {e}"),
        };
        group.bench_function(format!("bundle_decode/{label}"), |b| {
            b.iter(|| from_bytes(black_box(&bytes)))
        });
        group.bench_function(format!("bundle_save/{label}"), |b| {
            b.iter(|| save(black_box(&path), &meta, &pipeline, &opts))
        });
        if let Err(e) = save(&path, &meta, &pipeline, &opts) {
            panic!("saving the bench bundle failed: {e}");
        }
        group.bench_function(format!("bundle_load/{label}"), |b| {
            b.iter(|| load(black_box(&path)))
        });
        if compression != Compression::None {
            group.bench_function(format!("bundle_read_header/{label}"), |b| {
                b.iter(|| read_header(black_box(&path)))
            });
        }
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_bundle);
criterion_main!(benches);
