//! driftwatch-drift: two-sample statistics and drift monitors.
//!
//! The [`ks`] module ports `scipy.stats.ks_2samp` (scipy 1.17): the two-sample
//! Kolmogorov-Smirnov statistic with exact and asymptotic p-values, including scipy's
//! finite-n two-sided Kolmogorov distribution (`kstwo`). [`chi2`] is the chi-square
//! test of homogeneity. [`columns`] applies the tests column by column with the
//! reference precomputed once; [`monitors`] registers the drift monitors in the plugin
//! registry. Fallible operations return [`Error`] (statistics) or the core error.

pub mod binpass;
pub mod chi2;
pub mod columns;
pub mod error;
pub mod ks;
pub mod monitors;
pub mod reference_file;
pub mod select;
pub mod sketch;
pub mod stats;
pub mod stream;
pub mod streaming;

pub use error::Error;
