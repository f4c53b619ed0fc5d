//! driftwatch on DataFusion: aggregate functions whose partial states are driftwatch's
//! mergeable references (`drift_reference`, `drift_check`, `drift_psi`/`js`/`chi2`/
//! `ks`/`wasserstein`), so drift runs in SQL (`SELECT day, drift_check(x, r.ref) FROM
//! t CROSS JOIN r GROUP BY day`) on one machine or a Ballista cluster, `drift_bins` (the
//! counting pass that keeps binned tests exact on sketched columns), and the engine
//! behind `driftwatch drift --engine datafusion`.

pub mod bins;
pub mod engine;
pub mod parts;
pub mod udaf;

pub use datafusion;
pub use engine::Engine;
pub use udaf::{functions, register};

/// What can go wrong summarising or checking data with DataFusion.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The query over the data failed (missing files, not Parquet, a failed task).
    #[error(
        "cannot read the Parquet data at '{location}': {source}; pass a Parquet file, a directory of them, or a glob such as 'dir/*.parquet'"
    )]
    Read {
        /// The file, directory or glob.
        location: String,
        /// DataFusion's error.
        #[source]
        source: Box<datafusion::error::DataFusionError>,
    },
    /// A column to check is not in the reference data.
    #[error(
        "column '{column}' is not in '{location}' (it has {available}); leave it out of the checked columns"
    )]
    MissingColumn {
        /// The column.
        column: String,
        /// The data.
        location: String,
        /// The columns it has.
        available: String,
    },
    /// A column's Arrow type is not one drift compares.
    #[error(
        "column '{column}' of '{location}' is {data_type}, which drift cannot compare (numbers, strings, booleans, dates and timestamps can); leave it out of the checked columns"
    )]
    Unsupported {
        /// The column.
        column: String,
        /// The data.
        location: String,
        /// Its Arrow type.
        data_type: String,
    },
    /// A summary did not decode (a bug or a mismatched executor version).
    #[error(
        "a drift summary did not decode: {0}; check that the executors run this driftwatch version"
    )]
    Summary(#[from] driftwatch_drift::reference_file::ReferenceFileError),
    /// The counting pass's counters did not decode or merge (executors of another
    /// driftwatch version); a table that changed between the queries is refused later,
    /// by `BinPlan::add`.
    #[error("counting the bins of sketched columns in '{location}': {source}")]
    Bins {
        /// The data.
        location: String,
        /// What went wrong.
        #[source]
        source: driftwatch_drift::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the query runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// Something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}
