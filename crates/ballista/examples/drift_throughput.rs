//! Rows per second of drift over Parquet: frames in memory (fit + check, no file
//! reading), the local path of `driftwatch drift` (the Parquet files read in batches
//! into `FrameSummary`s, one thread), DataFusion with 1 and 2 partitions, Ballista with
//! two loopback executors; and the size of the partial states. The numbers of
//! docs/DISTRIBUTED.md:
//!
//! ```text
//! cargo run --release -p driftwatch-ballista --example drift_throughput -- 2000000
//! ```

use std::time::Instant;

use anyhow::{Context, Result};
use driftwatch_core::{Categorical, Column, Frame, ReadOptions};
use driftwatch_datafusion::Engine;
use driftwatch_datafusion::parts::write_parquet_parts;
use driftwatch_drift::columns::{DriftOptions, DriftReference};
use driftwatch_drift::reference_file::reference_to_bytes;
use driftwatch_drift::streaming::{DEFAULT_MEMORY_LIMIT, FrameSummary};

/// `n` rows of a numeric column (two decimals, like most exports) and a categorical
/// one with 20 levels, shifted by `shift`.
fn data(n: usize, shift: f64, mut seed: u64) -> Result<Frame> {
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut x = Vec::with_capacity(n);
    let mut c = Vec::with_capacity(n);
    for _ in 0..n {
        x.push(((next() + next() + next()) * 100.0 + shift).round() / 100.0);
        c.push(Some(format!("level{}", (next() * 20.0) as u32)));
    }
    Ok(Frame::new(vec![
        ("x".into(), Column::Numeric(x.into_iter().collect())),
        ("c".into(), Column::Categorical(Categorical::from_labels(c))),
    ])?)
}

fn main() -> Result<()> {
    let rows: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()
        .context("the argument is the number of rows")?
        .unwrap_or(1_000_000);
    let files = 8;
    let dir = tempfile::tempdir()?;
    let (rdir, cdir) = (dir.path().join("r"), dir.path().join("c"));
    std::fs::create_dir(&rdir)?;
    std::fs::create_dir(&cdir)?;
    let reference = data(rows, 0.0, 1)?;
    let current = data(rows, 0.05, 2)?;
    write_parquet_parts(&reference, &rdir, files)?;
    write_parquet_parts(&current, &cdir, files)?;
    let (r, c) = (rdir.display().to_string(), cdir.display().to_string());
    let options = DriftOptions::default();
    println!("rows per side: {rows}, Parquet files per side: {files}");
    println!(
        "| engine | seconds (fit reference + summarise current + check) | rows/s (both sides) |"
    );
    println!("|---|---|---|");

    let t = Instant::now();
    let fitted = DriftReference::fit(&reference, &[])?;
    let want = fitted.report(&current, &options)?;
    report("frames in memory (fit + check, no reading)", t, rows)?;

    let t = Instant::now();
    let got = local_chunked(&rdir, &cdir, &options)?;
    report(
        "local `driftwatch drift` path (Parquet read in batches)",
        t,
        rows,
    )?;
    anyhow::ensure!(
        serde_json::to_string(&got)? == serde_json::to_string(&want)?,
        "the local chunked path differs"
    );

    for partitions in [1, 2] {
        let engine = Engine::local(Some(partitions))?;
        let t = Instant::now();
        let got = run(&engine, &r, &c, &options)?;
        report(&format!("DataFusion, {partitions} partition(s)"), t, rows)?;
        anyhow::ensure!(
            serde_json::to_string(&got)? == serde_json::to_string(&want)?,
            "DataFusion differs"
        );
    }

    let cluster = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let url = cluster.block_on(driftwatch_ballista::start_loopback_cluster(2, 1))?;
    let engine = driftwatch_ballista::connect(&url)?;
    let t = Instant::now();
    let got = run(&engine, &r, &c, &options)?;
    report("Ballista, 2 executors x 1 task (loopback)", t, rows)?;
    anyhow::ensure!(
        serde_json::to_string(&got)? == serde_json::to_string(&want)?,
        "Ballista differs"
    );

    // the state one partition (one file) sends: the reference of its rows
    let part = rows / files;
    let keep: Vec<usize> = (0..part).collect();
    let one = DriftReference::fit(&current.take_rows(&keep)?, &[])?;
    for column in &one.columns {
        let single = DriftReference {
            columns: vec![column.clone()],
        };
        println!(
            "state of column {} for one partition of {part} rows: {} bytes",
            column.name,
            reference_to_bytes(&single)?.len()
        );
    }
    Ok(())
}

/// What `driftwatch drift` does with Parquet input: every file of each side read batch
/// by batch into one summary (within the default memory limit: exact), then checked.
fn local_chunked(
    reference: &std::path::Path,
    current: &std::path::Path,
    options: &DriftOptions,
) -> Result<driftwatch_drift::columns::DriftReport> {
    let summarize = |dir: &std::path::Path| -> Result<FrameSummary> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        paths.sort();
        let mut summary = FrameSummary::new(&[], DEFAULT_MEMORY_LIMIT);
        for path in paths {
            for chunk in driftwatch_columnar::read_chunks(&path, &ReadOptions::default(), None)? {
                summary
                    .push::<driftwatch_columnar::Error>(&chunk?)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        Ok(summary)
    };
    let fitted = summarize(reference)?.into_reference();
    Ok(fitted.report_summary(summarize(current)?, options))
}

fn run(
    engine: &Engine,
    reference: &str,
    current: &str,
    options: &DriftOptions,
) -> Result<driftwatch_drift::columns::DriftReport> {
    let fitted = engine.fit_reference(reference, &[])?;
    let frame = engine.summarize(current, &[])?.to_frame()?;
    Ok(fitted.report(&frame, options)?)
}

fn report(name: &str, start: Instant, rows: usize) -> Result<()> {
    let s = start.elapsed().as_secs_f64();
    println!("| {name} | {s:.2} | {:.0} |", 2.0 * rows as f64 / s);
    Ok(())
}
