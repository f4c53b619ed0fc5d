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
    /// Where each row's oldest bucket sits: rows are rings, so dropping the oldest
    /// buckets moves nothing. Absent in states saved before (rows starting at 0).
    #[serde(default)]
    starts: Vec<usize>,
    total: f64,
    variance: f64,
    width: f64,
    tick: u64,
}

/// What [`Adwin::evaluate_cut`] needs that is the same for every cut of one scan.
struct Cut {
    mwl: f64,
    delta_prime: f64,
    variance_in_window: f64,
    /// `delta_prime` is positive and finite, so [`Cut::surely_below`] may decide.
    bound_usable: bool,
    /// `mwl - 1`.
    mwl_less_one: f64,
    /// `2/3 delta_prime (1 - SLACK)`: the linear term of the bound, slack included.
    linear: f64,
    /// `2 var delta_prime (1 - 8 SLACK)`: the square-root term's, squared.
    square: f64,
    /// [`Cut::surely_far_below`] may decide: its lower bound of `epsilon` needs
    /// `min_window_length >= 1`, and its products must stay finite.
    coarse_usable: bool,
    /// `linear * width`: [`Cut::surely_far_below`]'s linear term, constant per scan.
    coarse_linear: f64,
    /// `square * width`: its square-root term's, squared, without the `n0 n1` factor.
    coarse_square: f64,
}

impl Cut {
    fn new(mwl: f64, delta_prime: f64, variance_in_window: f64, width: f64) -> Self {
        let bound_usable = delta_prime > 0.0 && delta_prime.is_finite();
        let linear = 2.0 / 3.0 * delta_prime * (1.0 - SLACK);
        let square = 2.0 * variance_in_window * delta_prime * (1.0 - 8.0 * SLACK);
        let (coarse_linear, coarse_square) = (linear * width, square * width);
        // `n0 n1 <= width^2`: when `coarse_square width^2` is finite, so is every
        // `coarse_square n0 n1` (an overflow to infinity would wrongly say "below")
        let coarse_usable = bound_usable
            && mwl >= 1.0
            && coarse_linear.is_finite()
            && (coarse_square * width * width).is_finite();
        Self {
            mwl,
            delta_prime,
            variance_in_window,
            bound_usable,
            mwl_less_one: mwl - 1.0,
            linear,
            square,
            coarse_usable,
            coarse_linear,
            coarse_square,
        }
    }
}

/// Relative slack of [`Cut::surely_below`], far above the few ulps by which its
/// products and River's quotients can differ from the exact values.
const SLACK: f64 = 1e-9;

impl Cut {
    /// Whether River's test `|u0/n0 - u1/n1| > epsilon` is surely false here, from
    /// products only (its four divisions and a square root per cut bound a scan over
    /// every bucket). With `a = n0 - mwl + 1`, `b = n1 - mwl + 1` (both at least 1),
    /// `N = n0 n1`, `A = a b`, `M = a + b`, River's `epsilon` is `S + T`, where
    /// `S^2 = 2 (M / A) var delta_prime` and `T = 2/3 delta_prime M / A`, and
    /// `|delta_mean| = |u0 n1 - u1 n0| / N`. So with `Z = |u0 n1 - u1 n0| A - 2/3
    /// delta_prime M N`, there is no cut when `Z <= 0` or `Z^2 <= 2 M var
    /// delta_prime N^2 A`. Each side is taken with a relative slack far above the
    /// few ulps by which River's rounded values can differ from the exact ones, so
    /// River's rounded test is false too. `false` means "not sure" (also for NaN or
    /// infinite sums), and River's test decides.
    #[inline]
    fn surely_below(&self, n0: f64, n1: f64, u0: f64, u1: f64) -> bool {
        if !self.bound_usable {
            return false;
        }
        // n - mwl + 1 exactly (whole numbers)
        let (a, b) = (n0 - self.mwl_less_one, n1 - self.mwl_less_one);
        let (area, sum, n) = (a * b, a + b, n0 * n1);
        let (p, q) = (u0 * n1, u1 * n0);
        // |p - q| <= |p| + |q|: the slack covers the rounding of p, q, their
        // difference and of the product with `area` at once
        let spread = (p - q).abs() + 3.0 * SLACK * (p.abs() + q.abs());
        let z = spread * area - self.linear * sum * n;
        // both sides evaluated (no branch on a coin flip per cut)
        (z <= 0.0) | (z * z <= self.square * sum * (n * n) * area)
    }

    /// A cheaper, coarser [`Cut::surely_below`], tried first: about half its
    /// operations, and it decides most cuts of a scan. River's `epsilon` grows with
    /// `1/a + 1/b`, which is at least `1/n0 + 1/n1 = W / N` (`W = n0 + n1` is the
    /// width, `N = n0 n1`) when `min_window_length >= 1` (then `a <= n0`, `b <= n1`).
    /// With that smaller `epsilon`, the test `|u0 n1 - u1 n0| / N > epsilon` becomes
    /// `|u0 n1 - u1 n0| > sqrt(2 var delta_prime W N) + 2/3 delta_prime W`, whose
    /// right side has one factor (`N`) that changes from cut to cut. So with `z =
    /// |u0 n1 - u1 n0| - 2/3 delta_prime W`, there is surely no cut when `z <= 0` or
    /// `z^2 <= 2 var delta_prime W N`. The slacks are those of [`Cut::surely_below`]:
    /// the spread's covers the rounding of the products and of River's quotients; the
    /// linear term's `(1 - SLACK)` makes the computed `z` exceed the exact one by far
    /// more than the rounding of the subtraction (even when it cancels), and the
    /// square term's `(1 - 8 SLACK)` covers the rounding of both squares. `false`
    /// means "not sure".
    #[inline]
    fn surely_far_below(&self, n0: f64, n1: f64, u0: f64, u1: f64) -> bool {
        let (p, q) = (u0 * n1, u1 * n0);
        let spread = (p - q).abs() + 3.0 * SLACK * (p.abs() + q.abs());
        let z = spread - self.coarse_linear;
        // both sides evaluated (no branch on a coin flip per cut)
        self.coarse_usable & ((z <= 0.0) | (z * z <= self.coarse_square * (n0 * n1)))
    }
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

    /// `2^row` (River's `2 ** i`): exact, without a `powi` call.
    #[inline]
    fn bucket_size(row: usize) -> f64 {
        f64::from_bits((1023 + row.min(1023) as u64) << 52)
    }

    /// `2^-row`, exact (rows stay far below 1022: a window of `2^1022` values).
    #[inline]
    fn inverse_size(row: usize) -> f64 {
        f64::from_bits((1023 - row.min(1022) as u64) << 52)
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
        s.starts.push(0);
    }

    /// Index of bucket `k` (0 = oldest) of `row` in the flat vectors.
    #[inline]
    fn slot(&self, row: usize, k: usize) -> usize {
        let stride = self.stride();
        let i = self.state.starts[row] + k;
        row * stride + if i >= stride { i - stride } else { i }
    }

    #[inline]
    fn row_insert(&mut self, row: usize, total: f64, variance: f64) {
        let at = self.slot(row, self.state.counts[row]);
        let s = &mut self.state;
        s.totals[at] = total;
        s.variances[at] = variance;
        s.counts[row] += 1;
    }

    /// Drops the `n` oldest buckets of a row (River's `Bucket.compress`): the ring
    /// start moves on.
    #[inline]
    fn row_compress(&mut self, row: usize, n: usize) {
        let stride = self.stride();
        let s = &mut self.state;
        let start = s.starts[row] + n;
        s.starts[row] = if start >= stride {
            start - stride
        } else {
            start
        };
        s.counts[row] -= n;
    }

    fn insert_element(&mut self, value: f64) {
        self.row_insert(0, value, 0.0);
        let s = &mut self.state;
        s.width += 1.0;
        // The new total is stored before the variance's two divisions start (River
        // updates it after them, from the same old total: the same values). Stored
        // together, as one packed add, the next update's `total / (width - 1)` waited
        // for this update's divisions: a chain of four divisions per two updates.
        let total = s.total;
        s.total = total + value;
        let mut incremental = 0.0;
        if s.width > 1.0 {
            let d = value - total / (s.width - 1.0);
            incremental = (s.width - 1.0) * d * d / s.width;
        }
        s.variance += incremental;
        self.compress_buckets();
    }

    /// River's `compress_buckets`: while a row holds `max_buckets + 1` buckets, its
    /// two oldest merge into one bucket of the next row. Each ring index is computed
    /// once per merge (the start of the row, the two oldest, the free slot of the next
    /// row), as this runs about once per update.
    fn compress_buckets(&mut self) {
        let (full, stride) = (self.max_buckets + 1, self.stride());
        // ring positions stay below `stride`: one subtraction wraps a sum of two
        let wrap = |i: usize| if i >= stride { i - stride } else { i };
        let mut row = 0;
        while self.state.counts.get(row) == Some(&full) {
            if row + 1 == self.state.counts.len() {
                self.push_row();
            }
            let next = row + 1;
            let s = &mut self.state;
            let start = s.starts[row];
            let (first, second) = (row * stride + start, row * stride + wrap(start + 1));
            let (t0, t1) = (s.totals[first], s.totals[second]);
            let (v0, v1) = (s.variances[first], s.variances[second]);
            let n = Self::bucket_size(row);
            // River divides by `n` and `n + n`, powers of two: multiplying by their
            // exact inverses gives the same correctly rounded results, without the
            // slow divisions.
            let (inv_n, inv_2n) = (Self::inverse_size(row), Self::inverse_size(next));
            let mu1 = t0 * inv_n;
            let mu2 = t1 * inv_n;
            let total12 = t0 + t1;
            let temp = n * n * (mu1 - mu2) * (mu1 - mu2) * inv_2n;
            let v12 = v0 + v1 + temp;
            let at = next * stride + wrap(s.starts[next] + s.counts[next]);
            s.totals[at] = total12;
            s.variances[at] = v12;
            s.counts[next] += 1;
            s.starts[row] = wrap(start + 2);
            s.counts[row] -= 2;
            if s.counts[next] < full {
                break;
            }
            row = next;
        }
    }

    /// Removes the oldest bucket; returns its size.
    fn delete_element(&mut self) -> f64 {
        let last = self.state.counts.len() - 1;
        let n = Self::bucket_size(last);
        let oldest = self.slot(last, 0);
        let u = self.state.totals[oldest];
        let v = self.state.variances[oldest];
        let mu = u * Self::inverse_size(last); // u / n exactly: n is a power of two
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
            s.starts.pop();
            s.totals.truncate(last * stride);
            s.variances.truncate(last * stride);
        }
        n
    }

    /// River's `_evaluate_cut`, with what is constant over one scan (`delta_prime`,
    /// the window variance) passed in; the same operations in the same order.
    #[inline]
    fn evaluate_cut(cut: &Cut, n0: f64, n1: f64, delta_mean: f64) -> bool {
        let m_recip = (1.0 / (n0 - cut.mwl + 1.0)) + (1.0 / (n1 - cut.mwl + 1.0));
        let epsilon = (2.0 * m_recip * cut.variance_in_window * cut.delta_prime).sqrt()
            + 2.0 / 3.0 * cut.delta_prime * m_recip;
        delta_mean.abs() > epsilon
    }

    fn detect_change(&mut self) -> bool {
        self.detect_change_with::<true>()
    }

    /// The scan; `FILTER = false` is River's plain scan (every cut by
    /// [`Adwin::evaluate_cut`]), kept for the tests that check the filters decide
    /// alike.
    fn detect_change_with<const FILTER: bool>(&mut self) -> bool {
        let mut change = false;
        self.state.tick += 1;
        // River's `tick % clock == 0`; a mask for the usual power-of-two clock (a
        // 64-bit division per update costs more than the rest of most updates)
        let due = if self.clock.is_power_of_two() {
            self.state.tick & (self.clock - 1) == 0
        } else {
            self.state.tick.is_multiple_of(self.clock)
        };
        if !(due && self.state.width > self.grace_period as f64) {
            return false;
        }
        let mwl = self.min_window_length as f64;
        let mut reduce = true;
        while reduce {
            reduce = false;
            // constant until a bucket is dropped (which ends this pass)
            let cut = Cut::new(
                mwl,
                (2.0 * self.state.width.ln() / self.delta).ln(),
                self.state.variance / self.state.width,
                self.state.width,
            );
            let mut n0 = 0.0;
            let mut n1 = self.state.width;
            let mut u0 = 0.0;
            let mut u1 = self.state.total;
            let stride = self.stride();
            let mut cut_found = false;
            'rows: for row in (0..self.state.counts.len()).rev() {
                let size = Self::bucket_size(row);
                let count = self.state.counts[row];
                // the newest bucket of row 0 is no cut (nothing would be left on the
                // right): River stops before testing it
                let tried = if row == 0 {
                    count.saturating_sub(1)
                } else {
                    count
                };
                // the row's ring as its two runs, oldest first: plain slices, so the
                // loop below has no wrap-around and no bounds check per bucket
                let ring = &self.state.totals[row * stride..(row + 1) * stride];
                let (wrapped, first) = ring.split_at(self.state.starts[row].min(stride));
                let in_first = tried.min(first.len());
                let in_wrapped = (tried - in_first).min(wrapped.len());
                for run in [&first[..in_first], &wrapped[..in_wrapped]] {
                    for &t in run {
                        n0 += size;
                        n1 -= size;
                        u0 += t;
                        u1 -= t;
                        if (n1 >= mwl)
                            & (n0 >= mwl)
                            & !(FILTER && cut.surely_far_below(n0, n1, u0, u1))
                            && !(FILTER && cut.surely_below(n0, n1, u0, u1))
                            && Self::evaluate_cut(&cut, n0, n1, (u0 / n0) - (u1 / n1))
                        {
                            reduce = true;
                            change = true;
                            if self.state.width > 0.0 {
                                cut_found = true;
                                break 'rows;
                            }
                        }
                    }
                }
            }
            if cut_found {
                self.delete_element();
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
        if self.state.starts.len() != self.state.counts.len() {
            // a state saved before rows were rings: every row starts at 0
            self.state.starts.resize(self.state.counts.len(), 0);
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
        s.starts.clear();
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

#[cfg(test)]
mod tests {
    use super::*;

    impl Adwin {
        /// Rotates every row so that its oldest bucket is in slot 0 (the layout of
        /// states saved before rows were rings).
        fn normalise_rows(&mut self) {
            let stride = self.stride();
            for row in 0..self.state.counts.len() {
                let base = row * stride;
                let start = self.state.starts[row];
                self.state.totals[base..base + stride].rotate_left(start);
                self.state.variances[base..base + stride].rotate_left(start);
                self.state.starts[row] = 0;
            }
        }
    }

    use proptest::prelude::*;

    /// One update with River's plain scan (no filter).
    fn reference_update(a: &mut Adwin, x: f64) -> Signal {
        if a.drift {
            a.reset();
        }
        a.insert_element(x);
        a.drift = a.detect_change_with::<false>();
        if a.drift { Signal::Drift } else { Signal::None }
    }

    /// Streams with shifts in mean and scale, where cuts land near the bound.
    fn stream() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec((-3.0f64..3.0, 0usize..4), 200..3000).prop_map(|v| {
            v.iter()
                .enumerate()
                .map(|(i, &(x, k))| {
                    let level = [0.0, 0.6, 2.0, -1.0][(i / 250) % 4];
                    level + x * [0.01, 0.3, 1.0, 5.0][k]
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn filtered_scan_decides_as_river(xs in stream(), mwl in 1u64..8, clock in 1u64..40) {
            let mut fast = Adwin::new(0.002, clock, 5, mwl, 10);
            let mut plain = fast.clone();
            for (i, &x) in xs.iter().enumerate() {
                let expected = reference_update(&mut plain, x);
                prop_assert_eq!(fast.update(x), expected, "update {}", i);
                prop_assert_eq!(fast.width().to_bits(), plain.width().to_bits());
            }
        }

        /// Near the bound (`|delta_mean|` within a relative 1e-6 of River's
        /// `epsilon`), neither filter says "below" when River cuts.
        #[test]
        fn filters_never_hide_a_cut(
            n0 in 1u32..5000,
            n1 in 1u32..5000,
            mwl in 1u32..8,
            var in 0.0f64..10.0,
            delta_prime in 0.01f64..20.0,
            mean in -100.0f64..100.0,
            rel in -1e-6f64..1e-6,
            sign in any::<bool>(),
        ) {
            let (n0, n1, mwl) = (f64::from(n0), f64::from(n1), f64::from(mwl));
            prop_assume!(n0 >= mwl && n1 >= mwl);
            let cut = Cut::new(mwl, delta_prime, var, n0 + n1);
            let m_recip = 1.0 / (n0 - mwl + 1.0) + 1.0 / (n1 - mwl + 1.0);
            let epsilon = (2.0 * m_recip * var * delta_prime).sqrt()
                + 2.0 / 3.0 * delta_prime * m_recip;
            let gap = epsilon * (1.0 + rel) * if sign { 1.0 } else { -1.0 };
            let (u0, u1) = ((mean + gap) * n0, mean * n1);
            if Adwin::evaluate_cut(&cut, n0, n1, (u0 / n0) - (u1 / n1)) {
                prop_assert!(!cut.surely_far_below(n0, n1, u0, u1));
                prop_assert!(!cut.surely_below(n0, n1, u0, u1));
            }
        }
    }

    #[test]
    fn inverse_sizes_are_exact_powers_of_two() {
        for row in 0..70 {
            assert_eq!(Adwin::inverse_size(row), 1.0 / Adwin::bucket_size(row));
            // dividing by a power of two and multiplying by its inverse agree
            for t in [1.0, -3.7, 1e-300, 5e-324, 123_456.789, f64::MAX] {
                assert_eq!(
                    (t / Adwin::bucket_size(row)).to_bits(),
                    (t * Adwin::inverse_size(row)).to_bits()
                );
            }
        }
    }

    #[test]
    fn a_state_saved_before_ring_rows_continues() {
        let mut a = Adwin::default();
        for i in 0..500 {
            a.update(f64::from(i % 7));
        }
        // rows of the old format start at 0: rotate this state's rows to that
        let mut b = a.clone();
        b.normalise_rows();
        let mut old_b = serde_json::to_value(&b).unwrap();
        old_b["state"].as_object_mut().unwrap().remove("starts");
        let mut restored: Adwin = serde_json::from_value(old_b).unwrap();
        for i in 0..3000 {
            let x = f64::from((i * 13) % 11) + if i > 1500 { 4.0 } else { 0.0 };
            assert_eq!(restored.update(x), a.update(x), "update {i}");
        }
    }
}
