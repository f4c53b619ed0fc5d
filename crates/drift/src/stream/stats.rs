//! River's running statistics, with its exact floating-point operation order.

use serde::{Deserialize, Serialize};

/// `river.stats.Mean`: `n += 1; mean += (1 / n) * (x - mean)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Mean {
    pub n: f64,
    pub mean: f64,
}

impl Mean {
    #[inline]
    pub fn update(&mut self, x: f64) {
        self.n += 1.0;
        self.mean += (1.0 / self.n) * (x - self.mean);
    }
}

/// `river.stats.Var` (ddof = 1): Welford's sum of squares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Var {
    pub mean: Mean,
    pub s: f64,
}

impl Var {
    #[inline]
    pub fn update(&mut self, x: f64) {
        let old = self.mean.mean;
        self.mean.update(x);
        self.s += (x - old) * (x - self.mean.mean);
    }

    #[inline]
    pub fn get(&self) -> f64 {
        if self.mean.n > 1.0 {
            self.s / (self.mean.n - 1.0)
        } else {
            0.0
        }
    }
}

/// `river.stats.EWMean` (River 0.26.1's Rust one): `mean = alpha * x + (1 - alpha) * mean`.
/// River starts it on the first update (`mean = x`), whatever `x` is; the owner knows
/// whether it has been updated (HDDM_W's `SampleInfo::is_init`) and calls [`EwMean::start`]
/// then, because a `mean == 0.0` test would restart it after leading zeros.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct EwMean {
    pub mean: f64,
    pub alpha: f64,
}

impl EwMean {
    pub fn new(alpha: f64) -> Self {
        Self { mean: 0.0, alpha }
    }

    /// The first value.
    #[inline]
    pub fn start(&mut self, x: f64) {
        self.mean = x;
    }

    /// Every later value.
    #[inline]
    pub fn update(&mut self, x: f64) {
        self.mean = self.alpha * x + (1.0 - self.alpha) * self.mean;
    }
}

/// Serde for an `f64` that may be infinite or NaN: JSON has no such numbers, so they are
/// written as the strings `"inf"`, `"-inf"` and `"nan"` and read back exactly.
pub(crate) mod ext_f64 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes finite values as numbers, the others as strings.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else if v.is_nan() {
            s.serialize_str("nan")
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Num(f64),
        Text(String),
    }

    /// Reads a number or one of the strings written by [`serialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Num(v) => Ok(v),
            Repr::Text(t) => match t.as_str() {
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                "nan" => Ok(f64::NAN),
                other => Err(serde::de::Error::custom(format!(
                    "expected a number, \"inf\", \"-inf\" or \"nan\", got \"{other}\""
                ))),
            },
        }
    }
}
