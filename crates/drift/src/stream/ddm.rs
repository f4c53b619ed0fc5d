//! DDM (drift detection method), a port of River 0.26.1's `drift.binary.DDM`.
//! Input: 1 = error, 0 = correct.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Flags, Result, Signal, StreamDetector};

use super::stats::Mean;
use super::{Params, ensure, unknown};

const PARAMS: &[&str] = &["warm_start", "warning_threshold", "drift_threshold"];

/// DDM: watches the error rate against its minimum plus a multiple of its deviation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ddm {
    /// Values seen before a change may be detected (default 30).
    pub warm_start: u64,
    /// Deviations above the minimum for a warning (default 2).
    pub warning_threshold: f64,
    /// Deviations above the minimum for a drift (default 3).
    pub drift_threshold: f64,
    p: Mean,
    p_min: f64,
    s_min: f64,
    #[serde(with = "super::stats::ext_f64")]
    ps_min: f64,
    drift: bool,
    warning: bool,
}

impl Default for Ddm {
    fn default() -> Self {
        Self {
            warm_start: 30,
            warning_threshold: 2.0,
            drift_threshold: 3.0,
            p: Mean::default(),
            p_min: 0.0,
            s_min: 0.0,
            ps_min: f64::INFINITY,
            drift: false,
            warning: false,
        }
    }
}

impl Ddm {
    /// Builds from `key=value` parameters (River's names).
    ///
    /// # Errors
    /// An unknown name or a value of the wrong type or out of range.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut d = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "warm_start" => d.warm_start = v.as_usize(k)? as u64,
                "warning_threshold" => d.warning_threshold = v.as_f64(k)?,
                "drift_threshold" => d.drift_threshold = v.as_f64(k)?,
                _ => return Err(unknown("ddm", k, PARAMS)),
            }
        }
        ensure(
            d.warning_threshold.is_finite() && d.drift_threshold.is_finite(),
            "warning_threshold",
            "thresholds must be finite",
        )?;
        Ok(d)
    }
}

#[typetag::serde(name = "ddm")]
impl StreamDetector for Ddm {
    fn name(&self) -> &str {
        "ddm"
    }

    fn update(&mut self, x: f64) -> Signal {
        self.update_flags(x).signal()
    }

    fn update_flags(&mut self, x: f64) -> Flags {
        if self.drift {
            self.reset();
        }
        self.p.update(x);
        let p_i = self.p.mean;
        let n = self.p.n;
        let s_i = (p_i * (1.0 - p_i) / n).sqrt();
        if n > self.warm_start as f64 {
            if p_i + s_i <= self.ps_min {
                self.p_min = p_i;
                self.s_min = s_i;
                self.ps_min = self.p_min + self.s_min;
            }
            self.warning = p_i + s_i > self.p_min + self.warning_threshold * self.s_min;
            if p_i + s_i > self.p_min + self.drift_threshold * self.s_min {
                self.drift = true;
                self.warning = false;
            }
        }
        Flags {
            drift: self.drift,
            warning: self.warning,
        }
    }

    fn reset(&mut self) {
        self.p = Mean::default();
        self.p_min = 0.0;
        self.s_min = 0.0;
        self.ps_min = f64::INFINITY;
        self.drift = false;
        self.warning = false;
    }
}

inventory::submit! {
    DetectorFactory {
        name: "ddm",
        description: "DDM on a 0/1 error stream (River: warm_start, warning_threshold, drift_threshold)",
        build: |p| Ok(Box::new(Ddm::from_params(p)?)),
    }
}
