//! FHDDM (fast Hoeffding drift detection method), a port of River 0.26.1's
//! `drift.binary.FHDDM`, including its stacking variant (`short_window_size`).
//!
//! As in River, a drift is a drop of the window mean below its maximum by more than the
//! Hoeffding bound, so it is meant for a 1 = correct stream (River's docs say 1 = error,
//! but the code watches a decrease; the port keeps the code's behaviour).

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Result, Signal, StreamDetector};

use super::{Params, ensure, unknown};

const PARAMS: &[&str] = &[
    "sliding_window_size",
    "confidence_level",
    "short_window_size",
];

/// FHDDM: Hoeffding bound on the drop of a sliding-window mean from its maximum.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fhddm {
    /// Window size (default 100).
    pub sliding_window_size: usize,
    /// Confidence of the bound (default 0.000001).
    pub confidence_level: f64,
    /// Short window of the stacking variant (default none).
    pub short_window_size: Option<usize>,
    /// Ring buffer holding the window (capacity `sliding_window_size`).
    buf: Vec<f64>,
    head: usize,
    len: usize,
    n_one: f64,
    u_max: f64,
    u_short_max: f64,
    epsilon: f64,
    epsilon_s: f64,
    drift: bool,
}

impl Default for Fhddm {
    fn default() -> Self {
        Self::new(100, 0.000001, None)
    }
}

impl Fhddm {
    /// A detector with River's parameters (not checked; see [`Fhddm::from_params`]).
    pub fn new(
        sliding_window_size: usize,
        confidence_level: f64,
        short_window_size: Option<usize>,
    ) -> Self {
        let mut d = Self {
            sliding_window_size,
            confidence_level,
            short_window_size,
            buf: vec![0.0; sliding_window_size],
            head: 0,
            len: 0,
            n_one: 0.0,
            u_max: 0.0,
            u_short_max: 0.0,
            epsilon: 0.0,
            epsilon_s: 0.0,
            drift: false,
        };
        d.reset();
        d
    }

    /// Builds from `key=value` parameters (River's names).
    ///
    /// # Errors
    /// An unknown name or a value of the wrong type or out of range.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut d = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "sliding_window_size" => d.sliding_window_size = v.as_usize(k)?,
                "confidence_level" => d.confidence_level = v.as_f64(k)?,
                "short_window_size" => d.short_window_size = v.as_opt_usize(k)?,
                _ => return Err(unknown("fhddm", k, PARAMS)),
            }
        }
        ensure(
            d.sliding_window_size >= 1 && d.sliding_window_size <= 100_000_000,
            "sliding_window_size",
            "must be between 1 and 1e8",
        )?;
        ensure(
            d.confidence_level > 0.0 && d.confidence_level < 1.0,
            "confidence_level",
            "must be in (0, 1)",
        )?;
        if let Some(s) = d.short_window_size {
            ensure(
                s >= 1 && s <= d.sliding_window_size,
                "short_window_size",
                "must be between 1 and sliding_window_size",
            )?;
        }
        Ok(Self::new(
            d.sliding_window_size,
            d.confidence_level,
            d.short_window_size,
        ))
    }
}

#[typetag::serde(name = "fhddm")]
impl StreamDetector for Fhddm {
    fn name(&self) -> &str {
        "fhddm"
    }

    fn update(&mut self, x: f64) -> Signal {
        if self.drift {
            self.reset();
        }
        let size = self.sliding_window_size;
        if self.buf.len() != size {
            // A hand-edited state; keep the invariant rather than index out of bounds.
            self.buf.resize(size, 0.0);
            self.reset();
        }
        let tail = (self.head + self.len) % size;
        self.buf[tail] = x;
        self.len += 1;
        self.n_one += x;
        if self.len == size {
            let u = self.n_one / size as f64;
            if self.u_max < u {
                self.u_max = u;
            }
            let mut short_drift = false;
            if let Some(short) = self.short_window_size {
                let mut sum = 0.0;
                for i in size - short..size {
                    sum += self.buf[(self.head + i) % size];
                }
                let u_s = sum / short as f64;
                if self.u_short_max < u_s {
                    self.u_short_max = u_s;
                }
                short_drift = self.u_short_max - u_s > self.epsilon_s;
            }
            let long_drift = self.u_max - u > self.epsilon;
            self.drift = long_drift || short_drift;
            self.n_one -= self.buf[self.head];
            self.head = (self.head + 1) % size;
            self.len -= 1;
        }
        super::signal(self.drift, false)
    }

    fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
        self.n_one = 0.0;
        self.u_max = 0.0;
        self.u_short_max = 0.0;
        let ln = (1.0 / self.confidence_level).ln();
        self.epsilon = (ln / (2.0 * self.sliding_window_size as f64)).sqrt();
        if let Some(s) = self.short_window_size {
            self.epsilon_s = (ln / (2.0 * s as f64)).sqrt();
        }
        self.drift = false;
    }
}

inventory::submit! {
    DetectorFactory {
        name: "fhddm",
        description: "FHDDM: Hoeffding bound on a sliding-window mean (River: sliding_window_size, confidence_level, short_window_size)",
        build: |p| Ok(Box::new(Fhddm::from_params(p)?)),
    }
}
