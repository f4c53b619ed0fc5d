//! The plugin registry: crates submit monitor factories with `inventory::submit!` and
//! the engine and CLI find them here by name.
//!
//! A crate nobody references is dropped by the linker, so binaries reference each plugin
//! crate (`use driftwatch_drift as _;`) and tests assert the expected names are present.

use crate::error::{Error, Result};
use crate::monitor::Monitor;
use crate::stream::StreamDetector;

/// How to build one kind of monitor.
pub struct MonitorFactory {
    /// Unique name used in configs, e.g. `feature_drift`.
    pub name: &'static str,
    /// One line for `driftwatch plugins`.
    pub description: &'static str,
    /// The default config, as TOML text.
    pub default_config: &'static str,
    /// Builds an unfitted monitor from a config (a TOML table as JSON value).
    pub build: fn(&serde_json::Value) -> Result<Box<dyn Monitor>>,
}

/// Builds a detector from `key=value` parameters.
pub type BuildDetector =
    fn(&[(String, crate::params::ParamValue)]) -> Result<Box<dyn StreamDetector>>;

/// How to build one kind of streaming detector.
pub struct DetectorFactory {
    /// Unique name, e.g. `adwin`.
    pub name: &'static str,
    /// One line for `driftwatch plugins`.
    pub description: &'static str,
    /// Builds a detector from `key=value` parameters.
    pub build: BuildDetector,
}

inventory::collect!(MonitorFactory);
inventory::collect!(DetectorFactory);

/// Every registered monitor factory, sorted by name.
pub fn monitors() -> Vec<&'static MonitorFactory> {
    let mut v: Vec<_> = inventory::iter::<MonitorFactory>.into_iter().collect();
    v.sort_by_key(|f| f.name);
    v
}

/// Every registered detector factory, sorted by name.
pub fn detectors() -> Vec<&'static DetectorFactory> {
    let mut v: Vec<_> = inventory::iter::<DetectorFactory>.into_iter().collect();
    v.sort_by_key(|f| f.name);
    v
}

/// The monitor factory with this name.
pub fn monitor(name: &str) -> Result<&'static MonitorFactory> {
    let all = monitors();
    all.iter()
        .find(|f| f.name == name)
        .copied()
        .ok_or_else(|| Error::UnknownPlugin {
            kind: "monitor",
            name: name.to_string(),
            available: all.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
        })
}

/// The detector factory with this name.
pub fn detector(name: &str) -> Result<&'static DetectorFactory> {
    let all = detectors();
    all.iter()
        .find(|f| f.name == name)
        .copied()
        .ok_or_else(|| Error::UnknownPlugin {
            kind: "detector",
            name: name.to_string(),
            available: all.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
        })
}

/// Builds a monitor by registered name from a config value (`null` = defaults).
pub fn build_monitor(name: &str, config: &serde_json::Value) -> Result<Box<dyn Monitor>> {
    (monitor(name)?.build)(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{Finding, Window};

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Dummy;

    #[typetag::serde]
    impl Monitor for Dummy {
        fn name(&self) -> &str {
            "zz_dummy"
        }
        fn fit(&mut self, _: &Window) -> Result<()> {
            Ok(())
        }
        fn check(&self, _: &Window) -> Result<Vec<Finding>> {
            Ok(vec![])
        }
    }

    inventory::submit! {
        MonitorFactory {
            name: "zz_dummy",
            description: "test monitor",
            default_config: "",
            build: |_| Ok(Box::new(Dummy)),
        }
    }

    #[test]
    fn finds_submitted_factories_and_lists_the_rest() {
        assert!(monitors().iter().any(|f| f.name == "zz_dummy"));
        assert_eq!(
            build_monitor("zz_dummy", &serde_json::Value::Null)
                .unwrap()
                .name(),
            "zz_dummy"
        );
        let err = monitor("nope")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("zz_dummy"), "{err}");
    }
}
