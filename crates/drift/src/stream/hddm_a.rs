//! HDDM_A (Hoeffding's bounds, moving average test), a port of River 0.26.1's
//! `drift.binary.HDDM_A`. Input: 1 = error, 0 = correct.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Flags, Result, Signal, StreamDetector};

use super::stats::Mean;
use super::{Params, ensure, unknown};

const PARAMS: &[&str] = &["drift_confidence", "warning_confidence", "two_sided_test"];

/// HDDM_A: compares the global mean with the mean at the best cut point (Hoeffding bound).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HddmA {
    /// Confidence for a drift (default 0.001).
    pub drift_confidence: f64,
    /// Confidence for a warning (default 0.005).
    pub warning_confidence: f64,
    /// Also watch decreases (default false).
    pub two_sided_test: bool,
    x_min: Mean,
    x_max: Mean,
    z: Mean,
    drift: bool,
    warning: bool,
}

impl Default for HddmA {
    fn default() -> Self {
        Self {
            drift_confidence: 0.001,
            warning_confidence: 0.005,
            two_sided_test: false,
            x_min: Mean::default(),
            x_max: Mean::default(),
            z: Mean::default(),
            drift: false,
            warning: false,
        }
    }
}

impl HddmA {
    /// Builds from `key=value` parameters (River's names).
    ///
    /// # Errors
    /// An unknown name or a value of the wrong type or out of range.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut d = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "drift_confidence" => d.drift_confidence = v.as_f64(k)?,
                "warning_confidence" => d.warning_confidence = v.as_f64(k)?,
                "two_sided_test" => d.two_sided_test = v.as_bool(k)?,
                _ => return Err(unknown("hddm-a", k, PARAMS)),
            }
        }
        ensure(
            d.drift_confidence > 0.0 && d.drift_confidence < 1.0,
            "drift_confidence",
            "must be in (0, 1)",
        )?;
        ensure(
            d.warning_confidence > 0.0 && d.warning_confidence < 1.0,
            "warning_confidence",
            "must be in (0, 1)",
        )?;
        Ok(d)
    }

    fn hoeffding_bound(&self, n: f64) -> f64 {
        (1.0 / (2.0 * n) * (1.0 / self.drift_confidence).ln()).sqrt()
    }

    fn mean_incr(&self, confidence: f64) -> bool {
        if self.x_min.n == self.z.n {
            return false;
        }
        let m = (self.z.n - self.x_min.n) / self.x_min.n * (1.0 / self.z.n);
        let eps = (m / 2.0 * (2.0 / confidence).ln()).sqrt();
        self.z.mean - self.x_min.mean >= eps
    }

    fn mean_decr(&self, confidence: f64) -> bool {
        if self.x_max.n == self.z.n {
            return false;
        }
        let m = (self.z.n - self.x_max.n) / self.x_max.n * (1.0 / self.z.n);
        let eps = (m / 2.0 * (2.0 / confidence).ln()).sqrt();
        self.x_max.mean - self.z.mean >= eps
    }
}

#[typetag::serde(name = "hddm-a")]
impl StreamDetector for HddmA {
    fn name(&self) -> &str {
        "hddm-a"
    }

    fn update(&mut self, x: f64) -> Signal {
        self.update_flags(x).signal()
    }

    fn update_flags(&mut self, x: f64) -> Flags {
        if self.drift {
            self.reset();
        }
        self.z.update(x);
        if self.x_min.n == 0.0 {
            self.x_min = self.z;
        }
        if self.x_max.n == 0.0 {
            self.x_max = self.z;
        }
        let eps_z = self.hoeffding_bound(self.z.n);
        let eps_x = self.hoeffding_bound(self.x_min.n);
        if self.x_min.mean + eps_x >= self.z.mean + eps_z {
            self.x_min = self.z;
        }
        let eps_x = self.hoeffding_bound(self.x_max.n);
        if self.x_max.mean - eps_x <= self.z.mean - eps_z {
            self.x_max = self.z;
        }
        if self.mean_incr(self.drift_confidence) {
            self.warning = false;
            self.drift = true;
        } else if self.mean_incr(self.warning_confidence) {
            self.warning = true;
            self.drift = false;
        } else {
            self.warning = false;
            self.drift = false;
        }
        if self.two_sided_test {
            if self.mean_decr(self.drift_confidence) {
                self.drift = true;
            } else if self.mean_decr(self.warning_confidence) {
                self.warning = true;
            }
        }
        Flags {
            drift: self.drift,
            warning: self.warning,
        }
    }

    fn reset(&mut self) {
        self.x_min = Mean::default();
        self.x_max = Mean::default();
        self.z = Mean::default();
        self.drift = false;
        self.warning = false;
    }
}

inventory::submit! {
    DetectorFactory {
        name: "hddm-a",
        description: "HDDM_A on a 0/1 error stream: Hoeffding bound on averages (River: drift_confidence, warning_confidence, two_sided_test)",
        build: |p| Ok(Box::new(HddmA::from_params(p)?)),
    }
}
