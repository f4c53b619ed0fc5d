//! Performance estimation without labels: CBPE for classifiers and DLE for regressors,
//! as NannyML 0.13 defines them, registered as the monitors `cbpe` and `dle`.
//!
//! Both emit `estimated_<metric>` findings ([`driftwatch_core::FindingKind::Estimate`],
//! with the band learnt from reference chunks and the sampling error) and, on windows
//! with labels, `realized_<metric>` info findings; docs/ESTIMATION.md says how.

pub mod cbpe;
pub mod dle;
