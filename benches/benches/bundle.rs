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
//!
//! And the model-sized bundles of issue 5, `persist/save/<model>/<level>` and
//! `persist/load/<model>/<level>` with levels `none`, `3`, `19`:
//!
//! * `iris`: StandardScaler + RandomForestClassifier(100) on the 150 iris rows;
//! * `rf100_80k`: StandardScaler + RandomForestClassifier(100), fully grown, on 80,000 x 20
//!   synthetic rows (standard normal features, label = sign of a linear score of five of
//!   them with 10% of the labels flipped, so trees grow deep as on real noisy data).
//!
//! The file size and one timed save of each are printed to stderr. Saving the large
//! bundle at level 19 takes about 8 s on 2 cores, so that save is timed once and not sampled.

use std::hint::black_box;
use std::path::PathBuf;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{
    Column, Frame, Pipeline, ReadOptions, Schema, Target, Transformer, make_pipeline, read_csv_path,
};
use driftwatch_models::RandomForestClassifier;
use driftwatch_persist::{
    BundleMeta, Compression, SaveOptions, TargetInfo, TaskKind, from_bytes, load, read_header,
    save, to_bytes,
};
use ndarray::Array1;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

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

/// 80,000 x 20 standard normal features; label `1` when `x0 - 0.8 x1 + 0.6 x2 + 0.5 x3
/// - 0.4 x4 > 0`, flipped for 10% of the rows.
fn synthetic(rows: usize, cols: usize) -> (Frame, Target) {
    let mut rng = ChaCha8Rng::seed_from_u64(20);
    let mut data = vec![Vec::with_capacity(rows); cols];
    let mut labels = Vec::with_capacity(rows);
    let w = [1.0, -0.8, 0.6, 0.5, -0.4];
    for _ in 0..rows {
        let mut score = 0.0;
        for (j, col) in data.iter_mut().enumerate() {
            let v: f64 = rng.sample(StandardNormal);
            if j < w.len() {
                score += w[j] * v;
            }
            col.push(v);
        }
        let flip = rng.random::<f64>() < 0.1;
        labels.push(if (score > 0.0) != flip { "1" } else { "0" }.to_string());
    }
    let columns = data
        .into_iter()
        .enumerate()
        .map(|(j, v)| (format!("x{j}"), Column::Numeric(Array1::from(v))))
        .collect();
    match Frame::new(columns) {
        Ok(f) => (f, Target::Labels(labels)),
        Err(e) => panic!("building the synthetic frame failed: {e}"),
    }
}

fn iris() -> (Frame, Target) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/golden/iris.csv");
    let mut data = match read_csv_path(&path, &ReadOptions::default()) {
        Ok(d) => d,
        Err(e) => panic!("reading {}: {e}", path.display()),
    };
    let y = match data.remove("species") {
        Ok(col) => (0..data.n_rows()).map(|i| col.display_value(i)).collect(),
        Err(e) => panic!("iris species column: {e}"),
    };
    (data, Target::Labels(y))
}

fn forest_bundle(x: &Frame, y: &Target, name: &str) -> (Pipeline, BundleMeta) {
    let mut rf = RandomForestClassifier::with_seed(0);
    rf.settings.n_estimators = 100;
    let mut p = make_pipeline(
        vec![Box::new(StandardScaler::default())],
        Some(Box::new(rf)),
    );
    if let Err(e) = p.fit(x, y) {
        panic!("fitting the {name} forest failed: {e}");
    }
    let mut classes = y.to_strings();
    classes.sort();
    classes.dedup();
    let mut meta = BundleMeta::new(name, "1.0.0", Schema::infer(x));
    meta.target = Some(TargetInfo {
        name: "label".into(),
        kind: TaskKind::Classification,
        classes,
    });
    meta.n_train_rows = x.n_rows() as u64;
    (p, meta)
}

fn bench_models(c: &mut Criterion) {
    let dir = scratch_dir();
    let (xi, yi) = iris();
    let (xs, ys) = synthetic(80_000, 20);
    let models = [
        ("iris", forest_bundle(&xi, &yi, "iris")),
        ("rf100_80k", forest_bundle(&xs, &ys, "rf100-80k")),
    ];
    let levels = [
        ("none", Compression::None),
        ("3", Compression::Zstd { level: 3 }),
        ("19", Compression::Zstd { level: 19 }),
    ];
    let mut group = c.benchmark_group("persist");
    for (model, (pipeline, meta)) in &models {
        let large = *model != "iris";
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if large { 5 } else { 2 }));
        group.warm_up_time(Duration::from_millis(if large { 500 } else { 300 }));
        for (level, compression) in levels {
            let opts = SaveOptions {
                compression,
                ..SaveOptions::default()
            };
            let path = dir.join(format!("{model}-{level}.dwm"));
            let start = std::time::Instant::now();
            if let Err(e) = save(&path, meta, pipeline, &opts) {
                panic!("saving {model} at level {level} failed: {e}");
            }
            let once = start.elapsed();
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            eprintln!(
                "persist/{model}/{level}: {size} bytes ({:.2} MB), one save {:.0} ms",
                size as f64 / 1e6,
                once.as_secs_f64() * 1e3
            );
            // zstd-19 on the large bundle takes ~8 s per save: the one timed save above
            // is its measurement; criterion's 10 samples would take minutes.
            if !(large && level == "19") {
                group.bench_function(format!("save/{model}/{level}"), |b| {
                    b.iter(|| save(black_box(&path), meta, pipeline, &opts))
                });
            }
            group.bench_function(format!("load/{model}/{level}"), |b| {
                b.iter(|| load(black_box(&path)))
            });
        }
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_bundle, bench_models);
criterion_main!(benches);
