//! ADWIN (adaptive windowing), a port of River 0.26.1's `drift.ADWIN` and its Cython helper.
//!
//! The window is kept as rows of buckets: row `i` holds up to `max_buckets` buckets of
//! `2^i` values each (total and variance), oldest first. Rows live in two flat vectors
//! with a fixed stride, so the steady state allocates nothing. The order of floating-point
//! operations follows River's so the detections are identical. As in River, the
//! detector resets itself on the update after a drift.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Result, Signal, StreamDetector};

use super::{Params, ensure, unknown};

const PARAMS: &[&str] = &[
    "delta",
    "clock",
    "max_buckets",
    "min_window_length",
    "grace_period",
];

/// ADWIN: detects a change in the mean of a real-valued stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Adwin {
    /// Confidence value (River default 0.002).
    pub delta: f64,
    /// Check for change every `clock` updates (default 32).
    pub clock: u64,
    /// Buckets of each size kept before merging (default 5).
    pub max_buckets: usize,
    /// Minimum length of each sub-window (default 5).
    pub min_window_length: u64,
    /// No detection before this many values (default 10).
    pub grace_period: u64,
    state: State,
    drift: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    /// Bucket totals, row-major with stride `max_buckets + 1`.
    totals: Vec<f64>,
    /// Bucket variances, same layout.
    variances: Vec<f64>,
    /// Buckets in use per row.
    counts: Vec<usize>,
    total: f64,
    variance: f64,
    width: f64,
    tick: u64,
}

impl Default for Adwin {
    fn default() -> Self {
        Self::new(0.002, 32, 5, 5, 10)
    }
}

impl Adwin {
    /// A detector with River's parameters (not checked; see [`Adwin::from_params`]).
    pub fn new(
        delta: f64,
        clock: u64,
        max_buckets: usize,
        min_window_length: u64,
        grace_period: u64,
    ) -> Self {
        let mut a = Self {
            delta,
            clock,
            max_buckets,
            min_window_length,
            grace_period,
            state: State::default(),
            drift: false,
        };
        a.reset();
        a
    }

    /// Builds from `key=value` parameters (River's names), checking ranges.
    ///
    /// # Errors
    /// An unknown name or a value of the wrong type or out of range.
    pub fn from_params(params: &Params) -> Result<Self> {
        let mut a = Self::default();
        for (k, v) in params {
            match k.as_str() {
                "delta" => a.delta = v.as_f64(k)?,
                "clock" => a.clock = v.as_usize(k)? as u64,
                "max_buckets" => a.max_buckets = v.as_usize(k)?,
                "min_window_length" => a.min_window_length = v.as_usize(k)? as u64,
                "grace_period" => a.grace_period = v.as_usize(k)? as u64,
                _ => return Err(unknown("adwin", k, PARAMS)),
            }
        }
        ensure(a.delta > 0.0 && a.delta < 1.0, "delta", "must be in (0, 1)")?;
        ensure(a.clock >= 1, "clock", "must be at least 1")?;
        ensure(a.max_buckets >= 1, "max_buckets", "must be at least 1")?;
        ensure(
            a.min_window_length >= 1,
            "min_window_length",
            "must be at least 1",
        )?;
        a.reset();
        Ok(a)
    }

    /// Values currently in the window.
    pub fn width(&self) -> f64 {
        self.state.width
    }

    /// Mean of the window (0 when empty).
    pub fn estimation(&self) -> f64 {
        if self.state.width == 0.0 {
            0.0
        } else {
            self.state.total / self.state.width
        }
    }

    #[inline]
    fn stride(&self) -> usize {
        self.max_buckets + 1
    }

    fn push_row(&mut self) {
        let stride = self.stride();
        let s = &mut self.state;
        s.totals.extend(std::iter::repeat_n(0.0, stride));
        s.variances.extend(std::iter::repeat_n(0.0, stride));
        s.counts.push(0);
    }

    #[inline]
    fn row_insert(&mut self, row: usize, total: f64, variance: f64) {
        let stride = self.stride();
        let s = &mut self.state;
        let at = row * stride + s.counts[row];
        s.totals[at] = total;
        s.variances[at] = variance;
        s.counts[row] += 1;
    }

    /// Drops the `n` oldest buckets of a row (River's `Bucket.compress`).
    #[inline]
    fn row_compress(&mut self, row: usize, n: usize) {
        let stride = self.stride();
        let s = &mut self.state;
        let base = row * stride;
        s.totals.copy_within(base + n..base + stride, base);
        s.variances.copy_within(base + n..base + stride, base);
        for i in stride - n..stride {
            s.totals[base + i] = 0.0;
            s.variances[base + i] = 0.0;
        }
        s.counts[row] -= n;
    }

    fn insert_element(&mut self, value: f64) {
        self.row_insert(0, value, 0.0);
        let s = &mut self.state;
        s.width += 1.0;
        let mut incremental = 0.0;
        if s.width > 1.0 {
            let d = value - s.total / (s.width - 1.0);
            incremental = (s.width - 1.0) * d * d / s.width;
        }
        s.variance += incremental;
        s.total += value;
        self.compress_buckets();
    }

    fn compress_buckets(&mut self) {
        let stride = self.stride();
        let mut row = 0;
        while row < self.state.counts.len() {
            if self.state.counts[row] != self.max_buckets + 1 {
                break;
            }
            if row + 1 == self.state.counts.len() {
                self.push_row();
            }
            let n = 2f64.powi(row as i32);
            let base = row * stride;
            let (t0, t1) = (self.state.totals[base], self.state.totals[base + 1]);
            let (v0, v1) = (self.state.variances[base], self.state.variances[base + 1]);
            let mu1 = t0 / n;
            let mu2 = t1 / n;
            let total12 = t0 + t1;
            let temp = n * n * (mu1 - mu2) * (mu1 - mu2) / (n + n);
            let v12 = v0 + v1 + temp;
            self.row_insert(row + 1, total12, v12);
            self.row_compress(row, 2);
            if self.state.counts[row + 1] <= self.max_buckets {
                break;
            }
            row += 1;
        }
    }

    /// Removes the oldest bucket; returns its size.
    fn delete_element(&mut self) -> f64 {
        let last = self.state.counts.len() - 1;
        let n = 2f64.powi(last as i32);
        let base = last * self.stride();
        let u = self.state.totals[base];
        let v = self.state.variances[base];
        let mu = u / n;
        let s = &mut self.state;
        s.width -= n;
        s.total -= u;
        let mu_window = s.total / s.width;
        let incremental = v + n * s.width * (mu - mu_window) * (mu - mu_window) / (n + s.width);
        s.variance -= incremental;
        self.row_compress(last, 1);
        if self.state.counts[last] == 0 {
            let stride = self.stride();
            let s = &mut self.state;
            s.counts.pop();
            s.totals.truncate(last * stride);
            s.variances.truncate(last * stride);
        }
        n
    }

    fn evaluate_cut(&self, n0: f64, n1: f64, delta_mean: f64) -> bool {
        let s = &self.state;
        let mwl = self.min_window_length as f64;
        let delta_prime = (2.0 * s.width.ln() / self.delta).ln();
        let m_recip = (1.0 / (n0 - mwl + 1.0)) + (1.0 / (n1 - mwl + 1.0));
        let variance_in_window = s.variance / s.width;
        let epsilon = (2.0 * m_recip * variance_in_window * delta_prime).sqrt()
            + 2.0 / 3.0 * delta_prime * m_recip;
        delta_mean.abs() > epsilon
    }

    fn detect_change(&mut self) -> bool {
        let mut change = false;
        self.state.tick += 1;
        if !(self.state.tick.is_multiple_of(self.clock)
            && self.state.width > self.grace_period as f64)
        {
            return false;
        }
        let stride = self.stride();
        let mwl = self.min_window_length as f64;
        let mut reduce = true;
        while reduce {
            reduce = false;
            let mut n0 = 0.0;
            let mut n1 = self.state.width;
            let mut u0 = 0.0;
            let mut u1 = self.state.total;
            let mut row = self.state.counts.len();
            'rows: while row > 0 {
                row -= 1;
                let size = 2f64.powi(row as i32);
                let count = self.state.counts[row];
                for k in 0..count {
                    let t = self.state.totals[row * stride + k];
                    n0 += size;
                    n1 -= size;
                    u0 += t;
                    u1 -= t;
                    if row == 0 && k + 1 == count {
                        // Every cut has been tried.
                        break 'rows;
                    }
                    let delta_mean = (u0 / n0) - (u1 / n1);
                    if n1 >= mwl && n0 >= mwl && self.evaluate_cut(n0, n1, delta_mean) {
                        reduce = true;
                        change = true;
                        if self.state.width > 0.0 {
                            self.delete_element();
                            break 'rows;
                        }
                    }
                }
            }
        }
        change
    }
}

#[typetag::serde(name = "adwin")]
impl StreamDetector for Adwin {
    fn name(&self) -> &str {
        "adwin"
    }

    fn update(&mut self, x: f64) -> Signal {
        if self.drift {
            self.reset();
        }
        self.insert_element(x);
        self.drift = self.detect_change();
        if self.drift {
            Signal::Drift
        } else {
            Signal::None
        }
    }

    fn reset(&mut self) {
        let s = &mut self.state;
        s.totals.clear();
        s.variances.clear();
        s.counts.clear();
        s.total = 0.0;
        s.variance = 0.0;
        s.width = 0.0;
        s.tick = 0;
        self.drift = false;
        self.push_row();
    }
}

inventory::submit! {
    DetectorFactory {
        name: "adwin",
        description: "ADWIN adaptive windowing on the mean (River: delta, clock, max_buckets, min_window_length, grace_period)",
        build: |p| Ok(Box::new(Adwin::from_params(p)?)),
    }
}
