//! Random forest benchmarks on a synthetic 100,000 x 20 binary problem.
//!
//! The data follows scikit-learn's `make_classification` with its defaults
//! (`n_samples=100_000, n_features=20, n_informative=2, n_redundant=2,
//! n_repeated=0, n_classes=2, n_clusters_per_class=2, class_sep=1.0,
//! flip_y=0.01, hypercube=True, shuffle=True`), re-implemented here with a
//! ChaCha8 generator seeded with 0:
//!
//! * 4 clusters (2 per class) centred on the vertices of the square
//!   `{-1, 1}^2` (vertex order shuffled); each cluster is standard normal in
//!   the 2 informative dimensions, multiplied by its own random matrix with
//!   entries uniform in `[-1, 1)`, then shifted to its vertex;
//! * 2 redundant features = informative features times a random `[-1, 1)`
//!   2x2 matrix; 16 pure-noise standard normal features;
//! * 1% of the labels are replaced by a uniformly random class;
//! * rows and columns are shuffled.
//!
//! The first 80,000 rows train, the last 20,000 test. Before the timed
//! benchmarks the harness prints one untimed-by-criterion report: fit time,
//! test accuracy, node count and model memory.
//!
//! Benchmarks: `models/rf_fit/80000x20` (100 trees, scikit-learn defaults,
//! seed 42, all threads of the machine), `models/rf_predict_batch/20000`
//! (`predict_proba` on the test rows), `models/rf_predict_row` (one
//! `predict_row` call, cycling through the test rows so the cache is not
//! artificially warm).

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use driftwatch_models::forest::{ForestParams, RandomForestClassifier};
use ndarray::{Array2, Axis, Slice};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

const N_SAMPLES: usize = 100_000;
const N_FEATURES: usize = 20;
const N_TRAIN: usize = 80_000;

/// `make_classification` defaults for 100,000 x 20 (see the module docs).
fn make_classification(seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (n_inf, n_red, n_clusters) = (2usize, 2usize, 4usize);
    let mut vertices = [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]];
    vertices.shuffle(&mut rng);
    let mut x = Array2::<f64>::zeros((N_SAMPLES, N_FEATURES));
    let mut y = vec![0usize; N_SAMPLES];
    for i in 0..N_SAMPLES {
        for j in 0..n_inf {
            x[[i, j]] = rng.sample(StandardNormal);
        }
    }
    let per_cluster = N_SAMPLES / n_clusters;
    for (k, centroid) in vertices.iter().enumerate() {
        let a: Vec<f64> = (0..n_inf * n_inf)
            .map(|_| 2.0 * rng.random::<f64>() - 1.0)
            .collect();
        for i in k * per_cluster..(k + 1) * per_cluster {
            y[i] = k % 2;
            let v = [x[[i, 0]], x[[i, 1]]];
            for j in 0..n_inf {
                x[[i, j]] = v[0] * a[j] + v[1] * a[n_inf + j] + centroid[j];
            }
        }
    }
    let b: Vec<f64> = (0..n_inf * n_red)
        .map(|_| 2.0 * rng.random::<f64>() - 1.0)
        .collect();
    for i in 0..N_SAMPLES {
        for r in 0..n_red {
            x[[i, n_inf + r]] = (0..n_inf).map(|j| x[[i, j]] * b[j * n_red + r]).sum();
        }
        for j in n_inf + n_red..N_FEATURES {
            x[[i, j]] = rng.sample(StandardNormal);
        }
    }
    for label in &mut y {
        if rng.random::<f64>() < 0.01 {
            *label = rng.random_range(0..2);
        }
    }
    let mut rows: Vec<usize> = (0..N_SAMPLES).collect();
    rows.shuffle(&mut rng);
    let mut cols: Vec<usize> = (0..N_FEATURES).collect();
    cols.shuffle(&mut rng);
    let xs = Array2::from_shape_fn((N_SAMPLES, N_FEATURES), |(i, j)| x[[rows[i], cols[j]]]);
    let ys = rows.iter().map(|&i| y[i]).collect();
    (xs, ys)
}

fn params() -> ForestParams {
    ForestParams::classifier()
        .with_n_estimators(100)
        .with_seed(42)
}

fn forest(c: &mut Criterion) {
    let (x, y) = make_classification(0);
    let xtr = x.slice_axis(Axis(0), Slice::from(..N_TRAIN)).to_owned();
    let xte = x.slice_axis(Axis(0), Slice::from(N_TRAIN..)).to_owned();
    let (ytr, yte) = y.split_at(N_TRAIN);

    let t0 = Instant::now();
    let model = RandomForestClassifier::fit(&params(), xtr.view(), ytr, 2).expect("fit");
    let fit_s = t0.elapsed().as_secs_f64();
    let pred = model.predict(xte.view()).expect("predict");
    let acc = pred.iter().zip(yte).filter(|(a, b)| a == b).count() as f64 / yte.len() as f64;
    let nodes = model.n_nodes();
    let bytes = model.memory_bytes();
    eprintln!(
        "forest report: threads={} fit={fit_s:.2}s test_accuracy={acc:.4} nodes={nodes} \
         ({:.0}/tree, max depth {}) memory={:.1} MiB ({:.1} bytes/node)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        nodes as f64 / model.n_trees() as f64,
        model.trees().iter().map(|t| t.depth()).max().unwrap_or(0),
        bytes as f64 / (1024.0 * 1024.0),
        bytes as f64 / nodes as f64,
    );

    let mut group = c.benchmark_group("models");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(std::time::Duration::from_millis(1));
    group.measurement_time(std::time::Duration::from_secs(10));
    group.bench_function("rf_fit/80000x20", |b| {
        b.iter(|| {
            RandomForestClassifier::fit(&params(), black_box(xtr.view()), ytr, 2).expect("fit")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("models");
    group.throughput(Throughput::Elements(yte.len() as u64));
    group.bench_function("rf_predict_batch/20000", |b| {
        b.iter(|| model.predict_proba(black_box(xte.view())).expect("predict"))
    });
    group.throughput(Throughput::Elements(1));
    let rows: Vec<Vec<f64>> = xte.rows().into_iter().map(|r| r.to_vec()).collect();
    let mut k = 0usize;
    group.bench_function("rf_predict_row", |b| {
        b.iter(|| {
            k = (k + 1) % rows.len();
            model.predict_row(black_box(&rows[k])).expect("predict")
        })
    });
    group.finish();
}

criterion_group!(benches, forest);
criterion_main!(benches);
