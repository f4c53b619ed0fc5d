//! Page-Hinkley test, a port of River 0.26.1's `drift.PageHinkley` (fading sums around
//! the running mean, one- or two-sided through `mode`).

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Result, Signal, StreamDetector};

use super::stats::Mean;
use super::{Mode, Params, ensure, unknown};

const PARAMS: &[&str] = &["min_instances", "delta", "threshold", "alpha", "mode"];

/// Page-Hinkley: detects a change in the mean; no warnings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageHinkley {
    /// Values seen before a change may be detected (default 30).
    pub min_instances: u64,
    /// Magnitude of change tolerated (default 0.005).
    pub delta: f64,
    /// Detection threshold lambda (default 50).
    pub threshold: f64,
    /// Forgetting factor of the sums (default 1 - 0.0001).
    pub alpha: f64,
    /// Direction watched (default both).
    pub mode: Mode,
    x_mean: Mean,
    sum_increase: f64,
    sum_decrease: f64,
    #[serde(with = "super::stats::ext_f64")]
    min_increase: f64,
    max_decrease: f64,
    drift: bool,
}

impl Default for PageHinkley {
    fn default() -> Self {
        let mut d = Self {
            min_instances: 30,
            delta: 0.005,
            threshold: 50.0,
            alpha: 1.0 - 0.0001,
            mode: Mode::Both,
            x_mean: Mean::default(),
            sum_increase: 0.0,
            sum_decrease: 0.0,
            min_increase: f64::INFINITY,
            max_decrease: -1.0,
            drift: false,
        };
        d.reset();
        d
    }
}

impl PageHinkley {
    /// Builds from `key=value` parameters (River's names).
    ///
    /// # Errors
    /// An unknown name or a value of the wrong type or out of range.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut d = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "min_instances" => d.min_instances = v.as_usize(k)? as u64,
                "delta" => d.delta = v.as_f64(k)?,
                "threshold" => d.threshold = v.as_f64(k)?,
                "alpha" => d.alpha = v.as_f64(k)?,
                "mode" => d.mode = Mode::parse(v, k)?,
                _ => return Err(unknown("page-hinkley", k, PARAMS)),
            }
        }
        ensure(d.threshold.is_finite(), "threshold", "must be finite")?;
        ensure((0.0..=1.0).contains(&d.alpha), "alpha", "must be in [0, 1]")?;
        Ok(d)
    }
}

#[typetag::serde(name = "page-hinkley")]
impl StreamDetector for PageHinkley {
    fn name(&self) -> &str {
        "page-hinkley"
    }

    fn update(&mut self, x: f64) -> Signal {
        if self.drift {
            self.reset();
        }
        self.x_mean.update(x);
        let dev = x - self.x_mean.mean;
        self.sum_increase = self.alpha * self.sum_increase + dev - self.delta;
        self.sum_decrease = self.alpha * self.sum_decrease + dev + self.delta;
        if self.sum_increase < self.min_increase {
            self.min_increase = self.sum_increase;
        }
        if self.sum_decrease > self.max_decrease {
            self.max_decrease = self.sum_decrease;
        }
        if self.x_mean.n >= self.min_instances as f64 {
            let test_increase = self.sum_increase - self.min_increase;
            let test_decrease = self.max_decrease - self.sum_decrease;
            self.drift = self.mode.test(
                test_increase > self.threshold,
                test_decrease > self.threshold,
            );
        }
        super::signal(self.drift, false)
    }

    fn reset(&mut self) {
        self.x_mean = Mean::default();
        self.sum_increase = 0.0;
        self.sum_decrease = 0.0;
        self.min_increase = f64::INFINITY;
        self.max_decrease = -1.0;
        self.drift = false;
    }
}

inventory::submit! {
    DetectorFactory {
        name: "page-hinkley",
        description: "Page-Hinkley test on the mean (River: min_instances, delta, threshold, alpha, mode)",
        build: |p| Ok(Box::new(PageHinkley::from_params(p)?)),
    }
}
