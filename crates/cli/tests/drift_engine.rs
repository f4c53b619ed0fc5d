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
    let rows = frame.n_rows();
    for p in 0..parts {
        let part = frame.slice_rows(rows * p / parts, rows * (p + 1) / parts);
        driftwatch_columnar::write_table(&part, &dir.join(format!("part-{p}.parquet"))).unwrap();
    }
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
        (
            &["--engine", "datafusion", "--memory-limit", "64M"][..],
            "--memory-limit is for the local engine",
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
