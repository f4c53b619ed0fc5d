//! Multivariate drift: PCA reconstruction error (NannyML's
//! DataReconstructionDriftCalculator), a domain classifier and MMD with a permutation
//! p-value (alibi-detect's MMDDrift), registered as monitors.
//!
//! Work in progress (issue 14): the monitors are not registered yet.
