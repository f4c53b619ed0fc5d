//! `driftwatch drift --engine datafusion|ballista`: the engine that summarises the
//! Parquet data (crates/datafusion); `drift.rs` checks its summaries as it checks
//! frames. The engines are in builds with the `distributed` feature only (DataFusion
//! and Ballista take longer to build than the rest of driftwatch); without it `--engine`
//! other than `local` is refused with the command that builds them. `--memory-limit`
//! bounds the engine's states (numeric columns beyond it are sketched, as locally).

use std::path::Path;

#[cfg(feature = "distributed")]
use anyhow::Context;
use anyhow::{Result, bail};
#[cfg(feature = "distributed")]
pub(super) use driftwatch_datafusion::Engine;
use driftwatch_drift::binpass::BinCounter;
use driftwatch_drift::columns::DriftReference;
#[cfg(feature = "distributed")]
use driftwatch_drift::streaming::DEFAULT_MEMORY_LIMIT;
use driftwatch_drift::streaming::FrameSummary;

use crate::args::{DriftArgs, DriftEngine, InputFormat};
use crate::data::is_stdin;

/// No engine in a build without the `distributed` feature: `open` never returns one.
#[cfg(not(feature = "distributed"))]
pub(super) enum Engine {}

/// The engine the flags ask for (`None`: the local path), after refusing the flags
/// that only apply to CSV input or to another engine.
pub(super) fn open(a: &DriftArgs) -> Result<Option<Engine>> {
    let name = match (a.engine, &a.scheduler) {
        (DriftEngine::Local, None) => return Ok(None),
        (DriftEngine::Ballista, None) => {
            bail!("--engine ballista needs --scheduler df://HOST:PORT (the Ballista scheduler)")
        }
        (DriftEngine::Local | DriftEngine::Datafusion, Some(_)) => {
            bail!(
                "--scheduler is for --engine ballista; add --engine ballista or leave --scheduler out"
            )
        }
        (DriftEngine::Datafusion, None) => "datafusion",
        (DriftEngine::Ballista, Some(_)) => "ballista",
    };
    if a.categorical.is_some() {
        bail!(
            "--categorical is for CSV input: with --engine {name} the Parquet types decide the kinds (strings are categorical); store the column as strings"
        );
    }
    if a.table.delimiter.is_some() {
        bail!("--delimiter is for CSV input; --engine {name} reads Parquet");
    }
    if !matches!(
        a.table.input_format,
        InputFormat::Auto | InputFormat::Parquet
    ) {
        bail!("--engine {name} reads Parquet only; leave out --input-format or say parquet");
    }
    for p in [&a.reference, &a.current] {
        if is_stdin(p) {
            bail!("--engine {name} reads Parquet files, not standard input ('-')");
        }
    }
    connect(a.scheduler.as_deref(), a.memory_limit)
}

#[cfg(not(feature = "distributed"))]
fn connect(_scheduler: Option<&str>, _memory_limit: Option<usize>) -> Result<Option<Engine>> {
    bail!(
        "this driftwatch was built without the DataFusion and Ballista engines; build it with them: cargo install --path crates/cli --features distributed (docs/DISTRIBUTED.md)"
    )
}

/// The engine, its states bounded by `--memory-limit` as the local path's summaries
/// are: each of the two summary queries (reference, current) gets half, shared by the
/// states alive in it (`driftwatch_datafusion::engine::state_limit`).
#[cfg(feature = "distributed")]
fn connect(scheduler: Option<&str>, memory_limit: Option<usize>) -> Result<Option<Engine>> {
    let engine = match scheduler {
        None => Engine::local(None)?,
        Some(url) => driftwatch_ballista::connect(url)
            .with_context(|| format!("connecting to the Ballista scheduler {url}"))?,
    };
    let limit = memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT) / 2;
    Ok(Some(engine.with_memory_limit(limit.max(1))))
}

#[cfg(feature = "distributed")]
fn location(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("the path {} is not UTF-8", path.display()))
}

/// The reference of `columns` (all when empty) of the Parquet data at `path`.
#[cfg(not(feature = "distributed"))]
pub(super) fn fit(engine: &Engine, _path: &Path, _columns: &[String]) -> Result<DriftReference> {
    match *engine {}
}

/// The current data at `path`, summarised.
#[cfg(not(feature = "distributed"))]
pub(super) fn current(engine: &Engine, _path: &Path, _columns: &[String]) -> Result<FrameSummary> {
    match *engine {}
}

/// `counter` after counting its columns in the data at `path`.
#[cfg(not(feature = "distributed"))]
pub(super) fn count_bins(
    engine: &Engine,
    _path: &Path,
    _counter: BinCounter,
) -> Result<BinCounter> {
    match *engine {}
}

/// `counter` after counting its columns in the Parquet data at `path` (the engine's
/// second query, `drift_bins`: the binned tests of sketched columns stay exact).
#[cfg(feature = "distributed")]
pub(super) fn count_bins(engine: &Engine, path: &Path, counter: BinCounter) -> Result<BinCounter> {
    engine
        .count_bins(location(path)?, counter)
        .with_context(|| format!("counting bins in {}", path.display()))
}

/// The reference of `columns` (all when empty) of the Parquet data at `path`.
#[cfg(feature = "distributed")]
pub(super) fn fit(engine: &Engine, path: &Path, columns: &[String]) -> Result<DriftReference> {
    engine
        .fit_reference(location(path)?, columns)
        .with_context(|| format!("in reference data {}", path.display()))
}

/// The current data at `path`, summarised by the engine (the merged samples and counts,
/// or sketches for numeric columns beyond the limit), as the summary the local read
/// would give.
#[cfg(feature = "distributed")]
pub(super) fn current(engine: &Engine, path: &Path, columns: &[String]) -> Result<FrameSummary> {
    let summary = engine
        .summarize(location(path)?, columns)
        .with_context(|| format!("in current data {}", path.display()))?;
    Ok(FrameSummary::from_reference(summary))
}
