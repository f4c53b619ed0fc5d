//! Streaming drift detectors with River 0.26.1's parameters, defaults and exact behaviour.
//!
//! Each detector implements [`StreamDetector`] and is registered in the plugin registry
//! under its CLI name (`adwin`, `page-hinkley`, `ddm`, `eddm`, `hddm-a`, `hddm-w`, `fhddm`,
//! `kswin`, `cusum`). A detector is built from a spec such as `adwin:delta=0.0001,clock=1`
//! with [`build`]; parameter names are River's. A detection at index `j` means River's
//! `drift_detected` was true right after `update(stream[j])`; a warning at `j` that its
//! `warning_detected` was. The two flags are independent, as in River
//! ([`StreamDetector::update_flags`]): EDDM keeps an earlier warning at a drift update,
//! and the two-sided HDDM tests can raise both, so an index can be in both lists.
//!
//! Like River, every detector resets itself on the update after a drift, so indices of
//! later detections count from the same stream. State is plain data (serde), so a
//! detector saved mid-stream and restored continues with identical signals.

pub mod adwin;
pub mod cusum;
pub mod ddm;
pub mod eddm;
pub mod fhddm;
pub mod hddm_a;
pub mod hddm_w;
pub mod kswin;
pub mod monitor;
pub mod page_hinkley;
mod stats;

use driftwatch_core::params::ParamValue;
use driftwatch_core::{Error, Result, Signal, StreamDetector, registry};

pub use adwin::Adwin;
pub use cusum::Cusum;
pub use ddm::Ddm;
pub use eddm::Eddm;
pub use fhddm::Fhddm;
pub use hddm_a::HddmA;
pub use hddm_w::HddmW;
pub use kswin::Kswin;
pub use page_hinkley::PageHinkley;

/// Parameters as `(name, value)` pairs, as the registry passes them.
pub type Params = [(String, ParamValue)];

/// Splits a spec `name` or `name:key=value,key=value` into the name and its parameters.
///
/// # Errors
/// [`Error::InvalidParam`] for an item without `=` or with an empty key.
pub fn parse_spec(spec: &str) -> Result<(String, Vec<(String, ParamValue)>)> {
    let spec = spec.trim();
    let (name, rest) = match spec.split_once(':') {
        Some((n, r)) => (n.trim(), r.trim()),
        None => (spec, ""),
    };
    let mut params = Vec::new();
    for item in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((k, v)) = item.split_once('=') else {
            return Err(Error::param(
                item,
                format!("expected key=value in detector spec '{spec}'"),
            ));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(Error::param(
                item,
                format!("empty parameter name in detector spec '{spec}'"),
            ));
        }
        params.push((k.to_string(), ParamValue::parse(v)));
    }
    Ok((name.to_string(), params))
}

/// Builds a registered detector from a spec (see [`parse_spec`]).
///
/// # Errors
/// [`Error::UnknownPlugin`] (listing the registered names) for an unknown detector,
/// [`Error::UnknownParam`] (listing the valid ones) for an unknown parameter,
/// [`Error::InvalidParam`] for a value of the wrong type or out of range.
pub fn build(spec: &str) -> Result<Box<dyn StreamDetector>> {
    let (name, params) = parse_spec(spec)?;
    (registry::detector(&name)?.build)(&params)
}

/// Runs a detector over values and returns the 0-based indices where River's
/// `drift_detected` was true, and those where its `warning_detected` was true, right after
/// `update(values[i])`. The lists may share indices (see [`driftwatch_core::Flags`]).
pub fn run(detector: &mut dyn StreamDetector, values: &[f64]) -> (Vec<usize>, Vec<usize>) {
    let mut drifts = Vec::new();
    let mut warnings = Vec::new();
    for (i, &x) in values.iter().enumerate() {
        let f = detector.update_flags(x);
        if f.drift {
            drifts.push(i);
        }
        if f.warning {
            warnings.push(i);
        }
    }
    (drifts, warnings)
}

/// The error for a parameter name a detector does not have.
pub(crate) fn unknown(detector: &str, name: &str, valid: &[&str]) -> Error {
    Error::UnknownParam {
        path: format!("{detector}:{name}"),
        valid: valid.join(", "),
    }
}

/// Checks a condition on a parameter, else an [`Error::InvalidParam`].
pub(crate) fn ensure(ok: bool, name: &str, message: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::param(name, message))
    }
}

/// The signal from River's two flags (drift wins over warning).
pub(crate) fn signal(drift: bool, warning: bool) -> Signal {
    if drift {
        Signal::Drift
    } else if warning {
        Signal::Warning
    } else {
        Signal::None
    }
}

/// A `mode` parameter: which direction of change a detector watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Increases only.
    Up,
    /// Decreases only.
    Down,
    /// Both directions.
    Both,
}

impl Mode {
    pub(crate) fn parse(v: &ParamValue, name: &str) -> Result<Self> {
        match v.as_string().as_str() {
            "up" => Ok(Mode::Up),
            "down" => Ok(Mode::Down),
            "both" => Ok(Mode::Both),
            other => Err(Error::param(
                name,
                format!("invalid mode '{other}'; valid values are: up, down, both"),
            )),
        }
    }

    /// Whether a test on the increase and decrease statistics fires.
    pub(crate) fn test(self, increase: bool, decrease: bool) -> bool {
        match self {
            Mode::Up => increase,
            Mode::Down => decrease,
            Mode::Both => increase || decrease,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let (n, p) = parse_spec("adwin:delta=0.0001,clock=1").unwrap();
        assert_eq!(n, "adwin");
        assert_eq!(
            p,
            vec![
                ("delta".to_string(), ParamValue::Float(0.0001)),
                ("clock".to_string(), ParamValue::Int(1))
            ]
        );
        assert_eq!(parse_spec("ddm").unwrap(), ("ddm".to_string(), vec![]));
        assert!(parse_spec("adwin:delta").is_err());
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let e = build("nope").unwrap_err().to_string();
        assert!(e.contains("adwin") && e.contains("page-hinkley"), "{e}");
        let e = build("adwin:deltaa=1").unwrap_err().to_string();
        assert!(e.contains("delta, clock"), "{e}");
    }
}
