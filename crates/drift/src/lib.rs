//! Two-sample statistics and drift tests for driftwatch.
//!
//! The [`ks`] module ports `scipy.stats.ks_2samp` (scipy 1.17): the
//! two-sample Kolmogorov-Smirnov statistic with exact and asymptotic
//! p-values, including scipy's finite-n two-sided Kolmogorov distribution
//! (`kstwo`). Fallible operations return [`Error`].

pub mod error;
pub mod ks;

pub use error::Error;
