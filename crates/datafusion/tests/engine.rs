//! The engine over partitioned Parquet gives the local path's reference and report on
//! the CSV fixtures the Parquet files were made from.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use driftwatch_core::{Frame, ReadOptions, read_csv_path};
use driftwatch_datafusion::Engine;
use driftwatch_datafusion::parts::write_parquet_parts;
use driftwatch_drift::columns::{DriftOptions, DriftReference};
use driftwatch_drift::reference_file::reference_to_bytes;

/// Equal references (as bytes: a NaN std is not equal to itself as a float).
fn same(a: &DriftReference, b: &DriftReference) -> bool {
    reference_to_bytes(a).unwrap() == reference_to_bytes(b).unwrap()
}

const FIXTURES: [(&str, &str); 4] = [
    ("iris/train.csv", "iris/current.csv"),
    ("messy/reference.csv", "messy/current.csv"),
    ("manufacturing/train.csv", "manufacturing/current.csv"),
    (
        "nannyml_car_loan_reference.csv",
        "nannyml_car_loan_analysis.csv",
    ),
];

fn read(name: &str) -> Frame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/data")
        .join(name);
    read_csv_path(&path, &ReadOptions::default()).unwrap()
}

fn parquet_dir(root: &Path, name: &str, frame: &Frame, parts: usize) -> String {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    write_parquet_parts(frame, &dir, parts).unwrap();
    dir.display().to_string()
}

#[test]
fn fixtures_as_partitioned_parquet_give_the_local_report() {
    let root = tempfile::tempdir().unwrap();
    let options = DriftOptions::default();
    for (i, (reference, current)) in FIXTURES.iter().enumerate() {
        let (rf, cf) = (read(reference), read(current));
        let want_fit = DriftReference::fit(&rf, &[]).unwrap();
        let want = serde_json::to_string(&want_fit.report(&cf, &options).unwrap()).unwrap();
        let rdir = parquet_dir(root.path(), &format!("r{i}"), &rf, 3);
        let cdir = parquet_dir(root.path(), &format!("c{i}"), &cf, 4);
        for partitions in [1, 3] {
            let engine = Engine::local(Some(partitions)).unwrap();
            let fitted = engine.fit_reference(&rdir, &[]).unwrap();
            assert!(
                same(&fitted, &want_fit),
                "{reference}, {partitions} partitions"
            );
            let glob = format!("{cdir}/*.parquet");
            let current = engine.summarize(&glob, &[]).unwrap().to_frame().unwrap();
            let got = serde_json::to_string(&fitted.report(&current, &options).unwrap()).unwrap();
            assert_eq!(got, want, "{reference}, {partitions} partitions");
        }
    }
}

#[test]
fn listed_columns_and_errors() {
    let root = tempfile::tempdir().unwrap();
    let rf = read("iris/train.csv");
    let rdir = parquet_dir(root.path(), "r", &rf, 2);
    let engine = Engine::local(Some(2)).unwrap();
    let cols = vec!["species".to_string(), "petal_width".to_string()];
    let fitted = engine.fit_reference(&rdir, &cols).unwrap();
    assert!(same(&fitted, &DriftReference::fit(&rf, &cols).unwrap()));
    let missing = engine
        .fit_reference(&rdir, &["nope".to_string()])
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("column 'nope'") && missing.contains("sepal_length"),
        "{missing}"
    );
    let none = engine
        .summarize(&root.path().join("absent").display().to_string(), &[])
        .unwrap_err()
        .to_string();
    assert!(none.contains("cannot read the Parquet data"), "{none}");
    // a current summary keeps only the listed columns it has
    let some = engine
        .summarize(&rdir, &["species".to_string(), "nope".to_string()])
        .unwrap();
    assert_eq!(some.names(), vec!["species".to_string()]);
}

/// `n` rows of a continuous numeric `x` (shifted by `shift`, 2% missing) and a
/// categorical `c`: many distinct values, so a sketch of `x` is approximate.
fn continuous(n: usize, shift: f64, seed: u64) -> Frame {
    use driftwatch_core::{Categorical, Column};
    let mut s = seed;
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut x = Vec::with_capacity(n);
    let mut c = Vec::with_capacity(n);
    for _ in 0..n {
        let u = next();
        x.push(if u < 0.02 {
            f64::NAN
        } else {
            next() * next() * 100.0 + shift
        });
        c.push(Some(
            ["a", "b", "c"][(next() * 3.0) as usize % 3].to_string(),
        ));
    }
    Frame::new(vec![
        ("x".into(), Column::Numeric(x.into_iter().collect())),
        ("c".into(), Column::Categorical(Categorical::from_labels(c))),
    ])
    .unwrap()
}

/// States past their limit become sketches whatever the partitioning: the numeric rows
/// say `exact: false`, and each sketched KS and Wasserstein statistic is within the
/// stated bound of the exact one (the local check of the whole data).
#[test]
fn states_beyond_the_limit_are_sketches_within_their_bound() {
    use driftwatch_datafusion::engine::state_limit;
    use driftwatch_drift::streaming::FrameSummary;
    let root = tempfile::tempdir().unwrap();
    let (rf, cf) = (continuous(100_000, 0.0, 1), continuous(100_000, 3.0, 2));
    let rdir = parquet_dir(root.path(), "r", &rf, 3);
    let cdir = parquet_dir(root.path(), "c", &cf, 3);
    let fitted_exact = DriftReference::fit(&rf, &[]).unwrap();
    let x = cf.column("x").unwrap().numeric_values().unwrap();
    let (lo, hi) = x
        .iter()
        .chain(rf.column("x").unwrap().numeric_values().unwrap().iter())
        .filter(|v| !v.is_nan())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    // 512 KiB per state: the 800 kB sample of x does not fit, its sketch does
    let per_state = 512 << 10;
    for partitions in [1, 2, 3] {
        let budget = per_state * 2 * (partitions + 1);
        assert_eq!(state_limit(budget, 2, partitions), per_state);
        let engine = Engine::local(Some(partitions))
            .unwrap()
            .with_memory_limit(budget);
        let fitted = engine.fit_reference(&rdir, &[]).unwrap();
        assert!(fitted.columns[0].reference.is_sketch(), "{partitions}");
        assert_eq!(fitted.columns[0].rows, 100_000);
        assert_eq!(fitted.columns[0].missing, fitted_exact.columns[0].missing);
        // categorical counts stay exact
        assert_eq!(fitted.columns[1], fitted_exact.columns[1]);
        for test in ["ks", "wasserstein"] {
            let options = DriftOptions {
                test: test.parse().unwrap(),
                ..Default::default()
            };
            let want = fitted_exact.report(&cf, &options).unwrap();
            let current = FrameSummary::from_reference(engine.summarize(&cdir, &[]).unwrap());
            assert_eq!(current.sketched(), vec!["x".to_string()]);
            let got = fitted.report_summary(current, &options);
            let (g, w) = (&got.columns[0], &want.columns[0]);
            assert_eq!((g.column.as_str(), g.exact), ("x", Some(false)), "{test}");
            let e = g.max_cdf_error.unwrap();
            assert!(e > 0.0 && e < 0.01, "{test} {partitions}: bound {e}");
            let bound = if test == "ks" { e } else { e * (hi - lo) };
            let gap = (g.statistic.unwrap() - w.statistic.unwrap()).abs();
            assert!(
                gap <= bound,
                "{test}, {partitions} partitions: {} vs {} (bound {bound})",
                g.statistic.unwrap(),
                w.statistic.unwrap()
            );
            assert_eq!(got.columns[1].statistic, want.columns[1].statistic);
        }
    }
}

/// The counting pass (`drift_bins`): with `x` sketched in the engine's states, a second
/// query counts its values into the exact bins (Sturges for Jensen-Shannon, and PSI's
/// deciles selected from the sketched reference), so the binned rows equal the local
/// check of the whole data, bit for bit, whatever the partitioning.
#[test]
fn counted_bins_make_sketched_binned_tests_exact() {
    use driftwatch_drift::binpass::BinSide;
    use driftwatch_drift::streaming::FrameSummary;
    let root = tempfile::tempdir().unwrap();
    let (rf, cf) = (continuous(60_000, 0.0, 5), continuous(50_000, 1.5, 6));
    let rdir = parquet_dir(root.path(), "r", &rf, 3);
    let cdir = parquet_dir(root.path(), "c", &cf, 2);
    let fitted_exact = DriftReference::fit(&rf, &[]).unwrap();
    for partitions in [1, 3] {
        // 256 KiB per state: the 480 kB sample of x is sketched
        let engine = Engine::local(Some(partitions))
            .unwrap()
            .with_memory_limit((256 << 10) * 2 * (partitions + 1));
        let fitted = engine.fit_reference(&rdir, &[]).unwrap();
        assert!(fitted.columns[0].reference.is_sketch());
        for test in ["jensenshannon", "psi"] {
            let options = DriftOptions {
                test: test.parse().unwrap(),
                ..Default::default()
            };
            let current = FrameSummary::from_reference(engine.summarize(&cdir, &[]).unwrap());
            let mut plan = fitted.bin_plan(&current, &options);
            for (side, dir) in [(BinSide::Reference, &rdir), (BinSide::Current, &cdir)] {
                assert_eq!(plan.columns(side), ["x"], "{test}");
                let counter = engine.count_bins(dir, plan.counter(side)).unwrap();
                plan.add(counter).unwrap();
            }
            let got = fitted.report_summary(current.with_bins(plan), &options);
            let want = fitted_exact.report(&cf, &options).unwrap();
            assert_eq!(got.columns[0].exact, None, "{test}");
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&want).unwrap(),
                "{test}, {partitions} partitions"
            );
        }
    }
    // counts of another table than the plan's are refused: they differ from its first pass
    let engine = Engine::local(Some(2)).unwrap().with_memory_limit(1 << 20);
    let fitted = engine.fit_reference(&rdir, &[]).unwrap();
    let current = FrameSummary::from_reference(engine.summarize(&cdir, &[]).unwrap());
    let options = DriftOptions {
        test: "jensenshannon".parse().unwrap(),
        ..Default::default()
    };
    let mut plan = fitted.bin_plan(&current, &options);
    let counter = engine
        .count_bins(&rdir, plan.counter(BinSide::Current))
        .unwrap();
    let e = plan.add(counter).unwrap_err().to_string();
    assert!(
        e.contains("the second read of the current data counted"),
        "{e}"
    );
}
