//! KSWIN (Kolmogorov-Smirnov windowing), after River 0.26.1's `drift.KSWIN`, using the
//! project's scipy-exact KS test (`crate::ks`, `method="auto"`).
//!
//! The last `stat_size` values of a sliding window of `window_size` are tested against
//! `stat_size` values drawn without replacement from the rest of the window; a drift is
//! `p_value <= alpha` and statistic `> 0.1`. Differences from River, by design: the draw
//! uses a SplitMix64 generator, not Python's Mersenne Twister, so detection indices differ
//! from River's for the same seed; `seed = none` draws a seed from the OS-seeded hasher and
//! keeps it, so a saved detector resumes identically. As in River, the detector resets
//! (window and generator) on the update after a drift.

use serde::{Deserialize, Serialize};

use driftwatch_core::registry::DetectorFactory;
use driftwatch_core::{Result, Signal, StreamDetector};

use super::{Params, ensure, unknown};
use crate::ks::{Alternative, KsMethod, has_adjacent_equal, test_sorted};

const PARAMS: &[&str] = &["alpha", "window_size", "stat_size", "seed"];

/// KSWIN: a two-sample KS test inside a sliding window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Kswin {
    /// Significance level (default 0.005).
    pub alpha: f64,
    /// Sliding window size (default 100).
    pub window_size: usize,
    /// Size of the recent sample and of the drawn one (default 30).
    pub stat_size: usize,
    /// Seed of the draw (default none: random, then kept).
    pub seed: Option<u64>,
    /// The seed actually used.
    used_seed: u64,
    rng: u64,
    /// Ring buffer holding the window.
    buf: Vec<f64>,
    head: usize,
    len: usize,
    /// Index pool for the partial Fisher-Yates draw (a permutation of the old part).
    pool: Vec<usize>,
    /// Scratch for the drawn and the recent sample.
    drawn: Vec<f64>,
    recent: Vec<f64>,
    /// The last p-value (0 before the first test), as River's `p_value`.
    pub p_value: f64,
    drift: bool,
    /// p-value by KS statistic numerator k (D = k / stat_size): both samples always have
    /// `stat_size` values, so the exact two-sided p-value depends on k alone. Derived
    /// data, rebuilt lazily after loading (NaN = not computed yet).
    #[serde(skip)]
    p_by_k: Vec<f64>,
}

/// The KS statistic of two sorted samples of equal size, as the integer numerator
/// `max |#a <= v - #b <= v|` over all values v (D = k / n; ties handled by stepping over
/// every copy of a value at once).
fn ks_numerator(a: &[f64], b: &[f64]) -> usize {
    let (mut i, mut j, mut k) = (0usize, 0usize, 0usize);
    while i < a.len() && j < b.len() {
        let v = if a[i] <= b[j] { a[i] } else { b[j] };
        while i < a.len() && a[i] == v {
            i += 1;
        }
        while j < b.len() && b[j] == v {
            j += 1;
        }
        k = k.max(i.abs_diff(j));
    }
    k.max(i.abs_diff(j))
}

impl Default for Kswin {
    fn default() -> Self {
        Self::new(0.005, 100, 30, None)
    }
}

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// SplitMix64: small, fast, and its state is one serialisable integer.
#[inline]
fn next_u64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform integer in `0..n` (Lemire's multiply-shift with rejection).
#[inline]
fn below(state: &mut u64, n: usize) -> usize {
    let n = n as u64;
    loop {
        let m = u128::from(next_u64(state)) * u128::from(n);
        let low = m as u64;
        if low >= n.wrapping_neg() % n {
            return (m >> 64) as usize;
        }
    }
}

impl Kswin {
    /// A detector with River's parameters (not checked; see [`Kswin::from_params`]).
    pub fn new(alpha: f64, window_size: usize, stat_size: usize, seed: Option<u64>) -> Self {
        let used_seed = seed.unwrap_or_else(random_seed);
        let mut d = Self {
            alpha,
            window_size,
            stat_size,
            seed,
            used_seed,
            rng: used_seed,
            buf: vec![0.0; window_size],
            head: 0,
            len: 0,
            pool: (0..window_size.saturating_sub(stat_size)).collect(),
            drawn: Vec::with_capacity(stat_size),
            recent: Vec::with_capacity(stat_size),
            p_value: 0.0,
            drift: false,
            p_by_k: Vec::new(),
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
        let mut seed = None;
        for (k, v) in params {
            match k.as_str() {
                "alpha" => d.alpha = v.as_f64(k)?,
                "window_size" => d.window_size = v.as_usize(k)?,
                "stat_size" => d.stat_size = v.as_usize(k)?,
                "seed" => seed = v.as_opt_usize(k)?.map(|s| s as u64),
                _ => return Err(unknown("kswin", k, PARAMS)),
            }
        }
        ensure(
            (0.0..=1.0).contains(&d.alpha),
            "alpha",
            "Alpha must be between 0 and 1",
        )?;
        ensure(d.stat_size >= 1, "stat_size", "must be at least 1")?;
        ensure(
            d.window_size <= 10_000_000,
            "window_size",
            "must be at most 1e7",
        )?;
        ensure(
            2 * d.stat_size <= d.window_size,
            "stat_size",
            "2 * stat_size must be at most window_size (stat_size values are drawn from the older part)",
        )?;
        Ok(Self::new(d.alpha, d.window_size, d.stat_size, seed))
    }
}

#[typetag::serde(name = "kswin")]
impl StreamDetector for Kswin {
    fn name(&self) -> &str {
        "kswin"
    }

    fn update(&mut self, x: f64) -> Signal {
        if self.drift {
            self.reset();
        }
        let size = self.window_size;
        let stat = self.stat_size;
        let old = size.saturating_sub(stat);
        if size == 0 || self.buf.len() != size || self.pool.len() != old || stat > old {
            // Only reachable from a hand-edited state: nothing sound to test.
            self.drift = false;
            return Signal::None;
        }
        if self.len == size {
            // The value at relative position `old` moves from the recent part into the
            // old part: take it out of the sorted recent sample.
            let leaving = self.buf[(self.head + old) % size];
            match self.recent.binary_search_by(|v| v.total_cmp(&leaving)) {
                Ok(i) if self.recent.len() == stat => {
                    self.recent.remove(i);
                }
                _ => self.recent.clear(),
            }
            self.head = (self.head + 1) % size;
            self.len -= 1;
        }
        let tail = (self.head + self.len) % size;
        self.buf[tail] = x;
        self.len += 1;
        if self.len < size {
            self.drift = false;
            return Signal::None;
        }
        // Keep the recent sample sorted by insertion (O(stat) moves) instead of sorting
        // it on every update; rebuild it when the window has just filled.
        if self.recent.len() + 1 == stat {
            let i = self.recent.partition_point(|v| v.total_cmp(&x).is_lt());
            self.recent.insert(i, x);
        } else {
            self.recent.clear();
            for i in old..size {
                self.recent.push(self.buf[(self.head + i) % size]);
            }
            self.recent.sort_unstable_by(f64::total_cmp);
        }
        self.drawn.clear();
        for i in 0..stat {
            let j = i + below(&mut self.rng, old - i);
            self.pool.swap(i, j);
            self.drawn.push(self.buf[(self.head + self.pool[i]) % size]);
        }
        if self
            .drawn
            .iter()
            .chain(&self.recent)
            .any(|v| !v.is_finite())
        {
            self.drift = false;
            return Signal::None;
        }
        self.drawn.sort_unstable_by(f64::total_cmp);
        let k = ks_numerator(&self.drawn, &self.recent);
        if self.p_by_k.len() != stat + 1 {
            self.p_by_k = vec![f64::NAN; stat + 1];
        }
        if self.p_by_k[k].is_nan() {
            let ties = has_adjacent_equal(&self.drawn) || has_adjacent_equal(&self.recent);
            let r = test_sorted(
                &self.drawn,
                &self.recent,
                ties,
                Alternative::TwoSided,
                KsMethod::Auto,
            );
            self.p_by_k[k] = r.p_value;
        }
        let statistic = k as f64 / stat as f64;
        self.p_value = self.p_by_k[k];
        self.drift = self.p_value <= self.alpha && statistic > 0.1;
        super::signal(self.drift, false)
    }

    fn reset(&mut self) {
        self.rng = self.used_seed;
        self.head = 0;
        self.len = 0;
        self.recent.clear();
        for (i, p) in self.pool.iter_mut().enumerate() {
            *p = i;
        }
        self.p_value = 0.0;
        self.drift = false;
    }
}

inventory::submit! {
    DetectorFactory {
        name: "kswin",
        description: "KSWIN: KS test of recent values against a draw from the window (River: alpha, window_size, stat_size, seed; draw differs)",
        build: |p| Ok(Box::new(Kswin::from_params(p)?)),
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;
    use crate::ks::{Alternative, KsMethod, ks_2samp};

    #[test]
    fn the_numerator_is_the_ks_statistic_times_n() {
        let a = [1.0, 2.0, 2.0, 3.0, 7.0];
        let b = [2.0, 4.0, 5.0, 6.0, 8.0];
        let d = ks_2samp(&a, &b, Alternative::TwoSided, KsMethod::Exact)
            .unwrap()
            .statistic;
        assert_eq!(ks_numerator(&a, &b) as f64 / 5.0, d);
        assert_eq!(ks_numerator(&a, &a), 0);
    }

    #[test]
    fn the_incrementally_sorted_recent_sample_is_the_sorted_tail_of_the_window() {
        let mut d = Kswin::new(0.005, 20, 5, Some(3));
        let mut window = std::collections::VecDeque::new();
        for i in 0..500u64 {
            // values with ties and a level change, so drifts reset the window too
            let x = ((i * 7919) % 13) as f64 + if i > 250 { 10.0 } else { 0.0 };
            let was_drift = d.drift;
            if was_drift {
                window.clear();
            }
            d.update(x);
            window.push_back(x);
            if window.len() > 20 {
                window.pop_front();
            }
            if window.len() == 20 {
                let mut tail: Vec<f64> = window.iter().skip(15).copied().collect();
                tail.sort_unstable_by(f64::total_cmp);
                assert_eq!(d.recent, tail, "step {i}");
            }
        }
    }
}
