//! The drift engine over Parquet: the reference and the current data are summarised
//! by `drift_reference` in one aggregate query each (on this machine with DataFusion,
//! or on a Ballista cluster), and the check runs here on the summaries, so the report
//! is the local path's.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext, ident, lit};
use driftwatch_drift::binpass::BinCounter;
use driftwatch_drift::columns::DriftReference;
use driftwatch_drift::reference_file::{DEFAULT_MAX_REFERENCE_BYTES, reference_from_bytes};
use driftwatch_drift::streaming::DEFAULT_MEMORY_LIMIT;

use crate::Error;
use crate::bins::DriftBinsUdaf;
use crate::udaf::{DriftReferenceUdaf, register};
use driftwatch_columnar::kind_of;

/// A DataFusion session (local or remote) and the runtime that drives it, behind a
/// blocking API for the CLI.
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    memory_limit: usize,
}

/// Bytes the states of one summary query may hold by default: half the local path's
/// default limit (the reference's query and the current's get half each, as the local
/// path's two reads do).
pub const DEFAULT_ENGINE_MEMORY_LIMIT: usize = DEFAULT_MEMORY_LIMIT / 2;

/// The bytes each state of a summary query over `columns` columns and `partitions`
/// partitions may hold, so that the states alive at once (one per column in each
/// partition, plus the merged one per column) fit `memory_limit` together (at least 1:
/// a sketch is the smallest a numeric state gets, about 0.1-1.5 MB).
#[must_use]
pub fn state_limit(memory_limit: usize, columns: usize, partitions: usize) -> usize {
    let states = columns
        .max(1)
        .saturating_mul(partitions.max(1).saturating_add(1));
    (memory_limit / states).max(1)
}

/// A multi-threaded runtime for an engine.
///
/// # Errors
/// [`Error::Runtime`] when the threads cannot start.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

impl Engine {
    /// DataFusion on this machine with `target_partitions` partitions (default: one per
    /// core), driftwatch's functions registered.
    ///
    /// # Errors
    /// [`Error::Runtime`] when the runtime cannot start.
    pub fn local(target_partitions: Option<usize>) -> Result<Self, Error> {
        let mut config = SessionConfig::new();
        if let Some(n) = target_partitions {
            config = config.with_target_partitions(n.max(1));
        }
        let ctx = SessionContext::new_with_config(config);
        register(&ctx);
        Ok(Engine::with(runtime()?, ctx))
    }

    /// An engine on a context made elsewhere (a Ballista client's); registers
    /// driftwatch's functions on it.
    #[must_use]
    pub fn with(runtime: tokio::runtime::Runtime, ctx: SessionContext) -> Self {
        register(&ctx);
        Engine {
            runtime,
            ctx,
            memory_limit: DEFAULT_ENGINE_MEMORY_LIMIT,
        }
    }

    /// Bounds the states of each summary query to `bytes` together ([`state_limit`]
    /// per state; default [`DEFAULT_ENGINE_MEMORY_LIMIT`]): a numeric column whose state
    /// would outgrow its share is summarised by a quantile sketch, and its report row
    /// says `exact: false` with the bound.
    #[must_use]
    pub fn with_memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// The session, for queries of one's own.
    #[must_use]
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// The reference of `columns` (all when empty) of the Parquet data at `location`
    /// (a file, a directory or a glob); every listed column must be there.
    ///
    /// # Errors
    /// [`Error::MissingColumn`], [`Error::Unsupported`], or the query's error.
    pub fn fit_reference(
        &self,
        location: &str,
        columns: &[String],
    ) -> Result<DriftReference, Error> {
        let fitted = self.summarize(location, columns)?;
        if let Some(missing) = columns
            .iter()
            .find(|c| !fitted.columns.iter().any(|f| &f.name == *c))
        {
            return Err(Error::MissingColumn {
                column: missing.clone(),
                location: location.to_string(),
                available: self
                    .runtime
                    .block_on(columns_of(&self.ctx, location))?
                    .join(","),
            });
        }
        Ok(fitted)
    }

    /// The summary (a reference) of the columns of `wanted` that the data at `location`
    /// has, in that order (all its columns when `wanted` is empty). Its
    /// [`DriftReference::to_frame`] is what a check of that data needs.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a column of a type drift cannot compare, or the
    /// query's error.
    pub fn summarize(&self, location: &str, wanted: &[String]) -> Result<DriftReference, Error> {
        self.runtime
            .block_on(summarize(&self.ctx, location, wanted, self.memory_limit))
    }

    /// `counter` after counting its columns in the Parquet data at `location`: the
    /// second read of the local path, as one aggregate query of `drift_bins` per column
    /// (see [`crate::bins`]); feed it to `BinPlan::add`.
    ///
    /// # Errors
    /// The query's error, or [`Error::Bins`] when the partitions' counters do not add
    /// up.
    pub fn count_bins(&self, location: &str, counter: BinCounter) -> Result<BinCounter, Error> {
        self.runtime
            .block_on(count_bins(&self.ctx, location, counter))
    }
}

/// [`Engine::count_bins`] on any context with driftwatch's functions registered.
///
/// # Errors
/// As [`Engine::count_bins`].
pub async fn count_bins(
    ctx: &SessionContext,
    location: &str,
    counter: BinCounter,
) -> Result<BinCounter, Error> {
    let names = counter.column_names();
    if names.is_empty() {
        return Ok(counter);
    }
    let bins = |source| Error::Bins {
        location: location.to_string(),
        source,
    };
    let udaf = datafusion::logical_expr::AggregateUDF::from(DriftBinsUdaf::default());
    let mut exprs = Vec::with_capacity(names.len());
    for (i, (name, one)) in names.iter().zip(counter.split()).enumerate() {
        let bytes = one.to_bytes().map_err(bins)?;
        exprs.push(
            udaf.call(vec![ident(name), lit(ScalarValue::Binary(Some(bytes)))])
                .alias(format!("c{i}")),
        );
    }
    let df = ctx
        .read_parquet(location, ParquetReadOptions::default())
        .await
        .map_err(|e| read_error(location, e))?;
    let results = aggregate_bytes(df, location, exprs, &names).await?;
    let mut merged: Option<BinCounter> = None;
    for bytes in results {
        let part = BinCounter::from_bytes(&bytes).map_err(bins)?;
        match &mut merged {
            None => merged = Some(part),
            Some(m) => m.merge(part).map_err(bins)?,
        }
    }
    merged.ok_or_else(|| Error::Internal("no bin counts".into()))
}

fn read_error(location: &str, source: datafusion::error::DataFusionError) -> Error {
    Error::Read {
        location: location.to_string(),
        source: Box::new(source),
    }
}

async fn columns_of(ctx: &SessionContext, location: &str) -> Result<Vec<String>, Error> {
    let df = ctx
        .read_parquet(location, ParquetReadOptions::default())
        .await
        .map_err(|e| read_error(location, e))?;
    Ok(df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect())
}

/// [`Engine::summarize`] on any context with driftwatch's functions registered, the
/// states of the query within `memory_limit` bytes together ([`state_limit`]).
///
/// # Errors
/// As [`Engine::summarize`].
pub async fn summarize(
    ctx: &SessionContext,
    location: &str,
    wanted: &[String],
    memory_limit: usize,
) -> Result<DriftReference, Error> {
    let df = ctx
        .read_parquet(location, ParquetReadOptions::default())
        .await
        .map_err(|e| read_error(location, e))?;
    let mut names = Vec::new();
    for field in df.schema().fields() {
        if !wanted.is_empty() && !wanted.contains(field.name()) {
            continue;
        }
        if kind_of(field.data_type()).is_none() {
            return Err(Error::Unsupported {
                column: field.name().clone(),
                location: location.to_string(),
                data_type: field.data_type().to_string(),
            });
        }
        names.push(field.name().clone());
    }
    if !wanted.is_empty() {
        names = wanted
            .iter()
            .filter(|w| names.contains(w))
            .cloned()
            .collect();
    }
    if names.is_empty() {
        return Ok(DriftReference::default());
    }
    let udaf = datafusion::logical_expr::AggregateUDF::from(DriftReferenceUdaf::default());
    let partitions = ctx.copied_config().target_partitions();
    let limit =
        i64::try_from(state_limit(memory_limit, names.len(), partitions)).unwrap_or(i64::MAX);
    let exprs = names
        .iter()
        .enumerate()
        .map(|(i, n)| udaf.call(vec![ident(n), lit(limit)]).alias(format!("c{i}")))
        .collect();
    let results = aggregate_bytes(df, location, exprs, &names).await?;
    let mut columns = Vec::with_capacity(names.len());
    for (name, bytes) in names.iter().zip(results) {
        let mut part = reference_from_bytes(&bytes, DEFAULT_MAX_REFERENCE_BYTES)?;
        let mut column = part
            .columns
            .pop()
            .ok_or_else(|| Error::Internal(format!("empty summary for column '{name}'")))?;
        column.name.clone_from(name);
        columns.push(column);
    }
    Ok(DriftReference { columns })
}

/// Runs one ungrouped aggregate of `exprs` (one binary result per column of `names`)
/// over `df` and gives each result's bytes, in order.
async fn aggregate_bytes(
    df: datafusion::dataframe::DataFrame,
    location: &str,
    exprs: Vec<datafusion::logical_expr::Expr>,
    names: &[String],
) -> Result<Vec<Vec<u8>>, Error> {
    let batches = df
        .aggregate(vec![], exprs)
        .map_err(|e| read_error(location, e))?
        .collect()
        .await
        .map_err(|e| read_error(location, e))?;
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::Internal("the aggregate returned no row".into()))?;
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let array =
            cast(batch.column(i), &DataType::Binary).map_err(|e| read_error(location, e.into()))?;
        let binary = array.as_binary::<i32>();
        if binary.is_empty() || binary.is_null(0) {
            return Err(Error::Internal(format!("no result for column '{name}'")));
        }
        out.push(binary.value(0).to_vec());
    }
    Ok(out)
}
