//! Estimators for driftwatch.
//!
//! The [`forest`] module holds the native, histogram-based decision tree and
//! random forest engine (classification and regression, including the
//! extra-trees variant). Every fallible operation returns [`Error`]; nothing
//! in the public API panics on bad input or on a corrupt deserialized model.

pub mod error;
pub mod forest;

pub use error::Error;
