//! `driftwatch drift --engine datafusion|ballista`: the engine that summarises the
//! Parquet data (crates/datafusion); `drift.rs` checks its summaries as it checks
//! frames. The engines are in builds with the `distributed` feature only (DataFusion
//! and Ballista take longer to build than the rest of driftwatch); without it `--engine`
//! other than `local` is refused with the command that builds them.

use std::path::Path;

#[cfg(feature = "distributed")]
use anyhow::Context;
use anyhow::{Result, bail};
#[cfg(feature = "distributed")]
use driftwatch_datafusion::Engine;
use driftwatch_drift::columns::DriftReference;
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
    if a.memory_limit.is_some() {
        bail!(
            "--memory-limit is for the local engine; --engine {name} keeps each partition's state in its own task (leave --memory-limit out)"
        );
    }
    for p in [&a.reference, &a.current] {
        if is_stdin(p) {
            bail!("--engine {name} reads Parquet files, not standard input ('-')");
        }
    }
    connect(a.scheduler.as_deref())
}

#[cfg(not(feature = "distributed"))]
fn connect(_scheduler: Option<&str>) -> Result<Option<Engine>> {
    bail!(
        "this driftwatch was built without the DataFusion and Ballista engines; build it with them: cargo install --path crates/cli --features distributed (docs/DISTRIBUTED.md)"
    )
}

#[cfg(feature = "distributed")]
fn connect(scheduler: Option<&str>) -> Result<Option<Engine>> {
    match scheduler {
        None => Ok(Some(Engine::local(None)?)),
        Some(url) => Ok(Some(driftwatch_ballista::connect(url).with_context(
            || format!("connecting to the Ballista scheduler {url}"),
        )?)),
    }
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

/// The reference of `columns` (all when empty) of the Parquet data at `path`.
#[cfg(feature = "distributed")]
pub(super) fn fit(engine: &Engine, path: &Path, columns: &[String]) -> Result<DriftReference> {
    engine
        .fit_reference(location(path)?, columns)
        .with_context(|| format!("in reference data {}", path.display()))
}

/// The current data at `path`, summarised by the engine (exact: the merged samples and
/// counts), as the summary the local read would give.
#[cfg(feature = "distributed")]
pub(super) fn current(engine: &Engine, path: &Path, columns: &[String]) -> Result<FrameSummary> {
    let summary = engine
        .summarize(location(path)?, columns)
        .with_context(|| format!("in current data {}", path.display()))?;
    let frame = summary.to_frame()?;
    Ok(FrameSummary::new(&[], usize::MAX)
        .read(std::iter::once(Ok::<_, driftwatch_core::Error>(frame)))?)
}
