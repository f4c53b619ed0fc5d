//! Performance estimation without labels: CBPE for classifiers and DLE for regressors,
//! as NannyML 0.13 defines them, registered as monitors.

pub mod cbpe;
