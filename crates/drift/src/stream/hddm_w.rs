//! HDDM_W (McDiarmid's bounds, weighted moving average test), a port of River 0.26.1's
//! `drift.binary.HDDM_W`. Input: 1 = error, 0 = correct.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Flags, Result, Signal, StreamDetector};

use super::stats::{EwMean, ext_f64};
use super::{Params, ensure, unknown};

const PARAMS: &[&str] = &[
    "drift_confidence",
    "warning_confidence",
    "lambda_val",
    "two_sided_test",
];

/// An EWMA with its independent bound condition (River's `SampleInfo`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct SampleInfo {
    ewma: EwMean,
    is_init: bool,
    ibc: f64,
    lambd_sq: f64,
    c_lambd_sq: f64,
}

impl SampleInfo {
    fn new(lambd: f64) -> Self {
        Self {
            ewma: EwMean::new(lambd),
            is_init: false,
            ibc: 1.0,
            lambd_sq: lambd * lambd,
            c_lambd_sq: (1.0 - lambd) * (1.0 - lambd),
        }
    }

    #[inline]
    fn update(&mut self, x: f64) {
        if self.is_init {
            self.ewma.update(x);
        } else {
            self.ewma.start(x);
        }
        self.is_init = true;
        self.ibc = self.lambd_sq + self.c_lambd_sq * self.ibc;
    }
}

/// HDDM_W: EWMA before and after the best cut point, compared with McDiarmid's bound.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HddmW {
    /// Confidence for a drift (default 0.001).
    pub drift_confidence: f64,
    /// Confidence for a warning (default 0.005).
    pub warning_confidence: f64,
    /// Weight of recent data in the EWMA (default 0.05).
    pub lambda_val: f64,
    /// Also watch decreases (default false).
    pub two_sided_test: bool,
    total: SampleInfo,
    s1_decr: SampleInfo,
    s1_incr: SampleInfo,
    s2_decr: SampleInfo,
    s2_incr: SampleInfo,
    #[serde(with = "ext_f64")]
    incr_cutpoint: f64,
    #[serde(with = "ext_f64")]
    decr_cutpoint: f64,
    drift: bool,
    warning: bool,
}

impl Default for HddmW {
    fn default() -> Self {
        Self::new(0.001, 0.005, 0.05, false)
    }
}

fn mcdiarmid_bound(ibc: f64, confidence: f64) -> f64 {
    (ibc * (1.0 / confidence).ln() / 2.0).sqrt()
}

fn has_mean_changed(s1: &SampleInfo, s2: &SampleInfo, confidence: f64) -> bool {
    if !(s1.is_init && s2.is_init) {
        return false;
    }
    s2.ewma.mean - s1.ewma.mean > mcdiarmid_bound(s1.ibc + s2.ibc, confidence)
}

impl HddmW {
    /// A detector with River's parameters (not checked; see [`HddmW::from_params`]).
    pub fn new(
        drift_confidence: f64,
        warning_confidence: f64,
        lambda_val: f64,
        two_sided_test: bool,
    ) -> Self {
        let s = SampleInfo::new(lambda_val);
        Self {
            drift_confidence,
            warning_confidence,
            lambda_val,
            two_sided_test,
            total: s,
            s1_decr: s,
            s1_incr: s,
            s2_decr: s,
            s2_incr: s,
            incr_cutpoint: f64::INFINITY,
            decr_cutpoint: f64::NEG_INFINITY,
            drift: false,
            warning: false,
        }
    }

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
                "lambda_val" => d.lambda_val = v.as_f64(k)?,
                "two_sided_test" => d.two_sided_test = v.as_bool(k)?,
                _ => return Err(unknown("hddm-w", k, PARAMS)),
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
        ensure(
            (0.0..=1.0).contains(&d.lambda_val),
            "lambda_val",
            "must be in [0, 1]",
        )?;
        d.reset();
        Ok(d)
    }
}

#[typetag::serde(name = "hddm-w")]
impl StreamDetector for HddmW {
    fn name(&self) -> &str {
        "hddm-w"
    }

    fn update(&mut self, x: f64) -> Signal {
        self.update_flags(x).signal()
    }

    fn update_flags(&mut self, x: f64) -> Flags {
        if self.drift {
            self.reset();
        }
        self.total.update(x);

        let eps = mcdiarmid_bound(self.total.ibc, self.drift_confidence);
        if self.total.ewma.mean + eps < self.incr_cutpoint {
            self.incr_cutpoint = self.total.ewma.mean + eps;
            self.s1_incr = self.total;
            self.s2_incr = SampleInfo::new(self.lambda_val);
        } else {
            self.s2_incr.update(x);
        }
        if has_mean_changed(&self.s1_incr, &self.s2_incr, self.drift_confidence) {
            self.warning = false;
            self.drift = true;
        } else if has_mean_changed(&self.s1_incr, &self.s2_incr, self.warning_confidence) {
            self.warning = true;
            self.drift = false;
        } else {
            self.warning = false;
            self.drift = false;
        }

        let eps = mcdiarmid_bound(self.total.ibc, self.drift_confidence);
        if self.total.ewma.mean - eps > self.decr_cutpoint {
            self.decr_cutpoint = self.total.ewma.mean - eps;
            self.s1_decr = self.total;
            self.s2_decr = SampleInfo::new(self.lambda_val);
        } else {
            self.s2_decr.update(x);
        }
        if self.two_sided_test {
            if has_mean_changed(&self.s2_decr, &self.s1_decr, self.drift_confidence) {
                self.drift = true;
            } else if has_mean_changed(&self.s2_decr, &self.s1_decr, self.warning_confidence) {
                self.warning = true;
            }
        }
        Flags {
            drift: self.drift,
            warning: self.warning,
        }
    }

    fn reset(&mut self) {
        *self = Self::new(
            self.drift_confidence,
            self.warning_confidence,
            self.lambda_val,
            self.two_sided_test,
        );
    }
}

inventory::submit! {
    DetectorFactory {
        name: "hddm-w",
        description: "HDDM_W on a 0/1 error stream: McDiarmid bound on EWMAs (River: drift_confidence, warning_confidence, lambda_val, two_sided_test)",
        build: |p| Ok(Box::new(HddmW::from_params(p)?)),
    }
}
