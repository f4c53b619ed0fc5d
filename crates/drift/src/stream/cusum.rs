//! Two-sided tabular CUSUM, after River's `drift.CUSUM` (added after 0.26.1; same
//! parameter names and defaults): slack and threshold are multiples of the standard
//! deviation of the first `min_instances` values, whose mean is the frozen reference.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Result, Signal, StreamDetector};

use super::stats::{Mean, Var};
use super::{Mode, Params, ensure, unknown};

const PARAMS: &[&str] = &["min_instances", "slack", "threshold", "mode"];

/// CUSUM: sums of deviations from the warm-up mean beyond a slack, against a threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cusum {
    /// Warm-up values that fix the reference (default 30).
    pub min_instances: u64,
    /// Slack k in reference standard deviations (default 0.5).
    pub slack: f64,
    /// Decision interval h in reference standard deviations (default 5).
    pub threshold: f64,
    /// Direction watched (default both).
    pub mode: Mode,
    n: u64,
    mean: Mean,
    var: Var,
    sum_increase: f64,
    sum_decrease: f64,
    reference: Option<f64>,
    sigma: f64,
    drift: bool,
}

impl Default for Cusum {
    fn default() -> Self {
        Self {
            min_instances: 30,
            slack: 0.5,
            threshold: 5.0,
            mode: Mode::Both,
            n: 0,
            mean: Mean::default(),
            var: Var::default(),
            sum_increase: 0.0,
            sum_decrease: 0.0,
            reference: None,
            sigma: 0.0,
            drift: false,
        }
    }
}

impl Cusum {
    /// Builds from `key=value` parameters (River's names).
    ///
    /// # Errors
    /// An unknown name or a value of the wrong type or out of range.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut d = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "min_instances" => d.min_instances = v.as_usize(k)? as u64,
                "slack" => d.slack = v.as_f64(k)?,
                "threshold" => d.threshold = v.as_f64(k)?,
                "mode" => d.mode = Mode::parse(v, k)?,
                _ => return Err(unknown("cusum", k, PARAMS)),
            }
        }
        ensure(
            d.slack >= 0.0,
            "slack",
            "must be greater than or equal to 0",
        )?;
        ensure(d.threshold > 0.0, "threshold", "must be greater than 0")?;
        ensure(d.min_instances >= 1, "min_instances", "must be at least 1")?;
        Ok(d)
    }
}

#[typetag::serde(name = "cusum")]
impl StreamDetector for Cusum {
    fn name(&self) -> &str {
        "cusum"
    }

    fn update(&mut self, x: f64) -> Signal {
        if self.drift {
            self.reset();
        }
        self.n += 1;
        self.mean.update(x);
        self.var.update(x);
        if self.n < self.min_instances {
            self.drift = false;
            return Signal::None;
        }
        let reference = match self.reference {
            Some(r) => r,
            None => {
                let r = self.mean.mean;
                self.reference = Some(r);
                self.sigma = self.var.get().max(0.0).powf(0.5);
                r
            }
        };
        let k = self.slack * self.sigma;
        let limit = self.threshold * self.sigma;
        let deviation = x - reference;
        self.sum_increase = (self.sum_increase + deviation - k).max(0.0);
        self.sum_decrease = (self.sum_decrease - deviation - k).max(0.0);
        self.drift = self
            .mode
            .test(self.sum_increase > limit, self.sum_decrease > limit);
        super::signal(self.drift, false)
    }

    fn reset(&mut self) {
        *self = Self {
            min_instances: self.min_instances,
            slack: self.slack,
            threshold: self.threshold,
            mode: self.mode,
            ..Self::default()
        };
    }
}

inventory::submit! {
    DetectorFactory {
        name: "cusum",
        description: "two-sided tabular CUSUM around the warm-up mean (River: min_instances, slack, threshold, mode)",
        build: |p| Ok(Box::new(Cusum::from_params(p)?)),
    }
}
