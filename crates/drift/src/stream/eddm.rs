//! EDDM (early drift detection method), a port of River 0.26.1's `drift.binary.EDDM`:
//! watches the distance between errors. Input: 1 = error, anything else = correct.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Flags, Result, Signal, StreamDetector};

use super::stats::Var;
use super::{Params, ensure, unknown};

const PARAMS: &[&str] = &["warm_start", "alpha", "beta"];

/// EDDM: a drop of mean + 2 sd of the error distance below `beta` of its maximum is a drift.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Eddm {
    /// Values and errors seen before a change may be detected (default 30).
    pub warm_start: u64,
    /// Warning level (default 0.95).
    pub alpha: f64,
    /// Drift level (default 0.9).
    pub beta: f64,
    error_distances: Var,
    n: u64,
    last_error: u64,
    n_errors: u64,
    p2s_prime_max: f64,
    drift: bool,
    warning: bool,
}

impl Default for Eddm {
    fn default() -> Self {
        Self {
            warm_start: 30,
            alpha: 0.95,
            beta: 0.9,
            error_distances: Var::default(),
            n: 0,
            last_error: 0,
            n_errors: 0,
            p2s_prime_max: -1.0,
            drift: false,
            warning: false,
        }
    }
}

impl Eddm {
    /// Builds from `key=value` parameters (River's names).
    ///
    /// # Errors
    /// An unknown name, a value of the wrong type, or `alpha < beta`.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut d = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "warm_start" => d.warm_start = v.as_usize(k)? as u64,
                "alpha" => d.alpha = v.as_f64(k)?,
                "beta" => d.beta = v.as_f64(k)?,
                _ => return Err(unknown("eddm", k, PARAMS)),
            }
        }
        ensure(
            d.alpha >= d.beta,
            "alpha",
            "'alpha' must be greater or equal to 'beta'",
        )?;
        Ok(d)
    }
}

#[typetag::serde(name = "eddm")]
impl StreamDetector for Eddm {
    fn name(&self) -> &str {
        "eddm"
    }

    fn update(&mut self, x: f64) -> Signal {
        self.update_flags(x).signal()
    }

    fn update_flags(&mut self, x: f64) -> Flags {
        if self.drift {
            self.reset();
        }
        self.n += 1;
        if x == 1.0 {
            self.n_errors += 1;
            self.error_distances
                .update((self.n - self.last_error) as f64);
            if self.n > self.warm_start {
                let pi = self.error_distances.mean.mean;
                let si = self.error_distances.get().powf(0.5);
                let p2s = pi + 2.0 * si;
                if p2s > self.p2s_prime_max {
                    self.p2s_prime_max = p2s;
                } else if self.n_errors > self.warm_start {
                    let level = p2s / self.p2s_prime_max;
                    if level < self.beta {
                        self.drift = true;
                    } else {
                        self.warning = level < self.alpha;
                    }
                }
            }
            self.last_error = self.n;
        }
        Flags {
            drift: self.drift,
            warning: self.warning,
        }
    }

    fn reset(&mut self) {
        self.error_distances = Var::default();
        self.n = 0;
        self.last_error = 0;
        self.n_errors = 0;
        self.p2s_prime_max = -1.0;
        self.drift = false;
        self.warning = false;
    }
}

inventory::submit! {
    DetectorFactory {
        name: "eddm",
        description: "EDDM on a 0/1 error stream: distance between errors (River: warm_start, alpha, beta)",
        build: |p| Ok(Box::new(Eddm::from_params(p)?)),
    }
}
