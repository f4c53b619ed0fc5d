//! Performance estimation without labels: CBPE for classifiers and DLE for regressors,
//! as NannyML 0.13 defines them, registered as monitors.
//!
//! Work in progress (issue 14): the monitors are not registered yet.

pub mod dle;
