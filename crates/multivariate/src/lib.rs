//! Multivariate drift monitors: PCA reconstruction error (`pca_reconstruction`, NannyML's
//! DataReconstructionDriftCalculator), a domain classifier (`domain_classifier`,
//! NannyML's DomainClassifierCalculator with driftwatch's forest) and the maximum mean
//! discrepancy with a permutation p-value (`mmd`, alibi-detect's MMDDrift).
//!
//! Each judges the window's rows as a whole, so a change in how features move together
//! shows even when every column alone looks the same. docs/MULTIVARIATE.md has the
//! configuration keys and how each differs from its reference library.

pub mod auroc;
pub mod band;
pub mod domain;
pub mod encode;
pub mod error;
pub mod kernel;
pub mod mmd;
pub mod reconstruction;

pub use domain::{DomainClassifierMonitor, DomainConfig};
pub use error::Error;
pub use mmd::{MmdConfig, MmdMonitor};
pub use reconstruction::{ReconstructionConfig, ReconstructionMonitor};

/// The methods of this crate's findings.
pub mod method {
    /// Mean PCA reconstruction error of the window (`pca_reconstruction`).
    pub const RECONSTRUCTION_ERROR: &str = "reconstruction_error";
    /// Cross-validated AUROC of the reference-vs-window classifier (`domain_classifier`).
    pub const DOMAIN_AUROC: &str = "domain_auroc";
    /// Squared maximum mean discrepancy (`mmd`).
    pub const MMD: &str = "mmd";
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_three_monitors_are_registered_and_build_from_their_default_config() {
        for name in ["pca_reconstruction", "domain_classifier", "mmd"] {
            let factory = driftwatch_core::registry::monitor(name).unwrap();
            let config: toml::Value = toml::from_str(factory.default_config).unwrap();
            let json = serde_json::to_value(config).unwrap();
            let monitor = (factory.build)(&json).unwrap();
            assert_eq!(monitor.name(), name);
        }
    }
}
