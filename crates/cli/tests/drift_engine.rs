//! `driftwatch drift --engine datafusion` over partitioned Parquet prints the local
//! path's JSON for the CSV fixtures the Parquet files were made from (builds with the
//! `distributed` feature: `cargo test -p driftwatch-cli --features distributed --test
//! drift_engine`); the engine flags that do not apply are refused with exit 2, and a
//! build without the feature refuses `--engine datafusion` saying how to build it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{root, run, text};

/// `path` (a CSV) written as `parts` Parquet files `part-N.parquet` in `dir`.
#[cfg(feature = "distributed")]
fn write_parquet_parts(path: &std::path::Path, dir: &std::path::Path, parts: usize) {
    use driftwatch_core::{ReadOptions, read_csv_path};
    let frame = read_csv_path(path, &ReadOptions::default()).unwrap();
    driftwatch_datafusion::parts::write_parquet_parts(&frame, dir, parts).unwrap();
}

#[cfg(feature = "distributed")]
#[test]
fn datafusion_engine_prints_the_local_json() {
    let dir = tempfile::tempdir().unwrap();
    for (reference, current, extra) in [
        (
            "fixtures/data/messy/reference.csv",
            "fixtures/data/messy/current.csv",
            &[][..],
        ),
        (
            "fixtures/data/iris/train.csv",
            "fixtures/data/iris/current.csv",
            &["--test", "ks", "--correction", "holm"][..],
        ),
        (
            "fixtures/data/manufacturing/train.csv",
            "fixtures/data/manufacturing/current.csv",
            &["--columns", "temperature,machine_type,defect"][..],
        ),
    ] {
        let (r, c) = (root().join(reference), root().join(current));
        let mut dirs = Vec::new();
        for (side, path, parts) in [("r", &r, 3), ("c", &c, 2)] {
            let d = dir
                .path()
                .join(format!("{side}-{}", reference.replace('/', "_")));
            std::fs::create_dir(&d).unwrap();
            write_parquet_parts(path, &d, parts);
            dirs.push(d);
        }
        let mut local = vec![
            "drift",
            "--format",
            "json",
            "--reference",
            r.to_str().unwrap(),
            "--current",
            c.to_str().unwrap(),
        ];
        local.extend_from_slice(extra);
        let want = run(&local);
        let glob = format!("{}/*.parquet", dirs[0].display());
        let mut engine = vec![
            "drift",
            "--format",
            "json",
            "--engine",
            "datafusion",
            "--reference",
            glob.as_str(),
            "--current",
            dirs[1].to_str().unwrap(),
        ];
        engine.extend_from_slice(extra);
        let got = run(&engine);
        assert_eq!(got.status.code(), want.status.code(), "{}", text(&got));
        assert!(!want.stdout.is_empty(), "{}", text(&want));
        assert_eq!(
            String::from_utf8_lossy(&got.stdout),
            String::from_utf8_lossy(&want.stdout),
            "{reference}"
        );
    }
}

/// `n` rows of a continuous `x` shifted by `shift` (many distinct values), written as
/// `parts` Parquet files in `dir`.
#[cfg(feature = "distributed")]
fn write_continuous(dir: &std::path::Path, n: usize, shift: f64, seed: u64, parts: usize) {
    use driftwatch_datafusion::parts::{uniform_frame, write_parquet_parts};
    std::fs::create_dir_all(dir).unwrap();
    write_parquet_parts(&uniform_frame(n, shift, seed).unwrap(), dir, parts).unwrap();
}

/// `--memory-limit` bounds the engine's states: 100,000 values (800 kB) do not fit a
/// 3 MiB limit's share per state, so the row is sketched (`exact: false` with its
/// bound, within it of the exact statistic), while binned tests are counted exactly by
/// a second query; without the limit the same data is exact.
#[cfg(feature = "distributed")]
#[test]
fn memory_limit_sketches_engine_states() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = (dir.path().join("r"), dir.path().join("c"));
    write_continuous(&r, 100_000, 0.0, 1, 3);
    write_continuous(&c, 100_000, 2.0, 2, 2);
    let row = |extra: &[&str]| {
        let mut args = vec![
            "drift",
            "--format",
            "json",
            "--engine",
            "datafusion",
            "--reference",
            r.to_str().unwrap(),
            "--current",
            c.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        common::json(&o)["columns"][0].clone()
    };
    let exact = row(&["--test", "ks"]);
    assert!(exact.get("exact").is_none(), "{exact}");
    let sketched = row(&["--test", "ks", "--memory-limit", "3M"]);
    assert_eq!(sketched["exact"], false, "{sketched}");
    let e = sketched["max_cdf_error"].as_f64().unwrap();
    assert!(e > 0.0 && e < 0.01, "{sketched}");
    let gap =
        (sketched["statistic"].as_f64().unwrap() - exact["statistic"].as_f64().unwrap()).abs();
    assert!(gap <= e, "{sketched} vs {exact}");
    assert_eq!(sketched["n_reference"], exact["n_reference"]);
    // binned tests: a second query (drift_bins) counts the sketched column's bins
    // (PSI: after selecting the reference's exact deciles), so the row is the exact one
    for test in ["jensenshannon", "psi"] {
        let binned = row(&["--test", test, "--memory-limit", "3M"]);
        assert!(binned.get("exact").is_none(), "{binned}");
        assert_eq!(binned, row(&["--test", test]), "{test}");
    }
}

#[test]
fn engine_flags_that_do_not_apply_are_refused() {
    let csv = root().join("fixtures/data/iris/train.csv");
    let csv = csv.to_str().unwrap();
    for (flags, needle) in [
        (&["--engine", "ballista"][..], "needs --scheduler"),
        (
            &["--scheduler", "df://localhost:50050"][..],
            "--scheduler is for --engine ballista",
        ),
        (
            &["--engine", "datafusion", "--scheduler", "df://h:1"][..],
            "--scheduler is for --engine ballista",
        ),
        (
            &["--engine", "datafusion", "--categorical", "species"][..],
            "--categorical is for CSV input",
        ),
        (
            &["--engine", "datafusion", "--delimiter", ";"][..],
            "--delimiter is for CSV input",
        ),
        (
            &["--engine", "datafusion", "--input-format", "csv"][..],
            "reads Parquet only",
        ),
        #[cfg(feature = "distributed")]
        (
            &["--engine", "datafusion"][..],
            "cannot read the Parquet data",
        ),
        #[cfg(not(feature = "distributed"))]
        (
            &["--engine", "datafusion"][..],
            "built without the DataFusion and Ballista engines; build it with them: cargo install --path crates/cli --features distributed",
        ),
    ] {
        let mut args = vec!["drift", "--reference", csv, "--current", csv];
        args.extend_from_slice(flags);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {}", text(&o));
        assert!(text(&o).contains(needle), "{flags:?}: {}", text(&o));
    }
}
