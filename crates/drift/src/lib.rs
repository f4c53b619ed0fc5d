//! driftwatch-drift: two-sample statistics, drift monitors and (later) streaming detectors.
//!
//! The KS test ([`ks`]) is a port of `scipy.stats.ks_2samp`; [`columns`] applies the tests
//! column by column with the reference precomputed once; [`monitors`] registers the
//! drift monitors in the plugin registry.

pub mod chi2;
pub mod columns;
pub mod error;
pub mod ks;
pub mod monitors;

pub use error::Error;
