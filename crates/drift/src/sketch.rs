//! A mergeable quantile sketch with a deterministic rank-error bound, for numeric
//! columns too large to keep whole (`--memory-limit`).
//!
//! The sketch is a stack of compactors (the structure of KLL / Manku-Rajagopalan-
//! Lindsay): level `h` holds items of weight `2^h`; when a level is full it is sorted
//! and every other item (offsets alternating between compactions) moves up one level.
//! A compaction of level `h` moves the rank of any point by at most `2^h` (only the one
//! pair that straddles the point can change its count), so the sketch keeps the exact
//! sum of those weights, [`QuantileSketch::rank_error`]: for every `x`, the estimated
//! count of values `<= x` is within `rank_error` of the true one. Merging adds the two
//! bounds and compacts as needed. Nothing is random, so the bound is a guarantee, not
//! a probability; with `k` items per level and `H` levels it is about `n H / k`
//! (`k = 8192`, `n = 1e9`: a CDF error of about 0.25%). The stated error of a report is
//! `rank_error / n` per side.
//!
//! Until the first compaction the sketch holds every value: its error is 0 and every
//! statistic computed from it is exact. Columns with few distinct values keep exact
//! value counts besides ([`QuantileSketch::exact_counts`], up to
//! [`EXACT_DISTINCT_MAX`] values), so chi-square on values and Evidently's few-integers
//! rule stay exact at any size. Min, max, count and the moments (for the standard
//! deviation) are exact (moments up to floating-point rounding, merged by Chan's
//! formula).
//!
//! No well-kept crate gave a hard bound: t-digest (the `tdigest` crate) bounds nothing
//! in the worst case, KLL's published crates bound the error with a probability only,
//! and DDSketch bounds relative value error, not rank error, which is what the KS
//! statistic and the PSI bin counts need. So this one is written here (about 200 lines).

use serde::{Deserialize, Serialize};

/// Items per level by default.
pub const DEFAULT_LEVEL_CAPACITY: usize = 8192;

/// Distinct values counted exactly (as value counts) before only the sketch is kept.
pub const EXACT_DISTINCT_MAX: usize = 1024;

/// A mergeable quantile sketch of non-missing, non-NaN values (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantileSketch {
    /// Items per level before it is compacted.
    pub capacity: usize,
    /// Level `h` holds items of weight `2^h`.
    pub levels: Vec<Vec<f64>>,
    /// Values seen.
    pub n: u64,
    /// Upper bound on the error of any estimated rank (sum of the compacted weights).
    pub rank_error: u64,
    /// Compactions done per level (their parity picks the kept offset).
    pub compactions: Vec<u64>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Mean of the finite values (Welford / Chan).
    pub mean: f64,
    /// Sum of squared deviations of the finite values from their mean.
    pub m2: f64,
    /// Finite values in `mean` and `m2`.
    pub finite: u64,
    /// Exact counts of the distinct values, ascending, while there are at most
    /// [`EXACT_DISTINCT_MAX`]; `None` after.
    pub exact_counts: Option<Vec<(f64, u64)>>,
}

impl Default for QuantileSketch {
    fn default() -> Self {
        QuantileSketch::new(DEFAULT_LEVEL_CAPACITY)
    }
}

impl QuantileSketch {
    /// An empty sketch with `capacity` items per level (at least 8).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        QuantileSketch {
            capacity: capacity.max(8),
            levels: vec![Vec::new()],
            n: 0,
            rank_error: 0,
            compactions: vec![0],
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            mean: 0.0,
            m2: 0.0,
            finite: 0,
            exact_counts: Some(Vec::new()),
        }
    }

    /// Adds the non-missing values of `values` (NaN = missing, skipped).
    pub fn extend(&mut self, values: &[f64]) {
        for &v in values {
            if v.is_nan() {
                continue;
            }
            self.n += 1;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
            if v.is_finite() {
                self.finite += 1;
                let d = v - self.mean;
                self.mean += d / self.finite as f64;
                self.m2 += d * (v - self.mean);
            }
            if let Some(c) = &mut self.exact_counts {
                match c.binary_search_by(|(x, _)| x.total_cmp(&v)) {
                    Ok(i) => c[i].1 += 1,
                    Err(i) if c.len() < EXACT_DISTINCT_MAX => c.insert(i, (v, 1)),
                    Err(_) => self.exact_counts = None,
                }
            }
            self.levels[0].push(v);
            if self.levels[0].len() >= self.capacity {
                self.compact(0);
            }
        }
    }

    /// Sorts level `h` and moves every other item to level `h + 1` (an odd item out
    /// stays), cascading up while levels are full.
    fn compact(&mut self, mut h: usize) {
        loop {
            if self.levels.len() <= h + 1 {
                self.levels.push(Vec::new());
                self.compactions.push(0);
            }
            let mut items = std::mem::take(&mut self.levels[h]);
            items.sort_unstable_by(f64::total_cmp);
            let keep_last = (items.len() % 2 == 1).then(|| items.pop()).flatten();
            let offset = (self.compactions[h] % 2) as usize;
            self.compactions[h] += 1;
            if !items.is_empty() {
                self.rank_error += 1u64 << h;
            }
            let up: Vec<f64> = items.iter().skip(offset).step_by(2).copied().collect();
            self.levels[h + 1].extend(up);
            self.levels[h].extend(keep_last);
            if self.levels[h + 1].len() >= self.capacity {
                h += 1;
            } else {
                return;
            }
        }
    }

    /// The sketch of both inputs: items join level by level, bounds and moments add.
    #[must_use]
    pub fn merge(&self, other: &QuantileSketch) -> QuantileSketch {
        let mut out = self.clone();
        out.capacity = self.capacity.min(other.capacity);
        while out.levels.len() < other.levels.len() {
            out.levels.push(Vec::new());
            out.compactions.push(0);
        }
        for (h, l) in other.levels.iter().enumerate() {
            out.levels[h].extend_from_slice(l);
            out.compactions[h] += other.compactions.get(h).copied().unwrap_or(0);
        }
        out.n += other.n;
        out.rank_error += other.rank_error;
        out.min = self.min.min(other.min);
        out.max = self.max.max(other.max);
        let (na, nb) = (self.finite as f64, other.finite as f64);
        out.finite = self.finite + other.finite;
        if out.finite > 0 {
            let d = other.mean - self.mean;
            let n = out.finite as f64;
            out.mean = self.mean + d * nb / n;
            out.m2 = self.m2 + other.m2 + d * d * na * nb / n;
        }
        out.exact_counts = match (&self.exact_counts, &other.exact_counts) {
            (Some(a), Some(b)) => {
                let mut all: Vec<(f64, u64)> = a.iter().chain(b).copied().collect();
                all.sort_by(|x, y| x.0.total_cmp(&y.0));
                let mut merged: Vec<(f64, u64)> = Vec::with_capacity(all.len());
                for (v, k) in all {
                    match merged.last_mut() {
                        Some(last) if last.0.total_cmp(&v).is_eq() => last.1 += k,
                        _ => merged.push((v, k)),
                    }
                }
                (merged.len() <= EXACT_DISTINCT_MAX).then_some(merged)
            }
            _ => None,
        };
        for h in 0..out.levels.len() {
            if out.levels[h].len() >= out.capacity {
                out.compact(h);
            }
        }
        out
    }

    /// The weighted items, ascending (equal values joined): exact value counts when
    /// kept, else the sketch's items with weight `2^level`.
    #[must_use]
    pub fn weighted(&self) -> Vec<(f64, u64)> {
        if let Some(c) = &self.exact_counts {
            return c.clone();
        }
        let mut items: Vec<(f64, u64)> = self
            .levels
            .iter()
            .enumerate()
            .flat_map(|(h, l)| l.iter().map(move |&v| (v, 1u64 << h)))
            .collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Vec<(f64, u64)> = Vec::with_capacity(items.len());
        for (v, w) in items {
            match out.last_mut() {
                Some(last) if last.0 == v => last.1 += w,
                _ => out.push((v, w)),
            }
        }
        out
    }

    /// The bound on the error of an estimated rank: 0 with exact counts.
    #[must_use]
    pub fn max_rank_error(&self) -> u64 {
        if self.exact_counts.is_some() {
            0
        } else {
            self.rank_error
        }
    }

    /// The bound on the error of the estimated CDF at any point.
    #[must_use]
    pub fn max_cdf_error(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.max_rank_error() as f64 / self.n as f64
        }
    }

    /// Population standard deviation (NaN with an infinite value, as numpy).
    #[must_use]
    pub fn std(&self) -> f64 {
        if self.finite < self.n || self.n == 0 {
            return f64::NAN;
        }
        (self.m2 / self.n as f64).sqrt()
    }

    /// Bytes the sketch holds, about.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        8 * self.levels.iter().map(Vec::capacity).sum::<usize>()
            + 16 * self.exact_counts.as_ref().map_or(0, Vec::capacity)
    }

    /// Checks what a loaded sketch must satisfy: ordered min/max, weights adding up to
    /// `n`, sorted unique exact counts adding up to `n`.
    ///
    /// # Errors
    /// A message saying what is inconsistent.
    pub fn validate(&self) -> Result<(), &'static str> {
        let total: u128 = self
            .levels
            .iter()
            .enumerate()
            .map(|(h, l)| {
                if h < 64 {
                    (l.len() as u128) << h
                } else {
                    u128::MAX
                }
            })
            .fold(0u128, u128::saturating_add);
        if self.levels.len() > 64 || total != u128::from(self.n) {
            return Err("sketch weights do not add up to its count");
        }
        if self.levels.iter().flatten().any(|v| v.is_nan()) {
            return Err("sketch holds NaN");
        }
        if let Some(c) = &self.exact_counts
            && (c.windows(2).any(|w| w[0].0.total_cmp(&w[1].0).is_ge())
                || c.iter().map(|x| x.1).sum::<u64>() != self.n)
        {
            return Err("exact value counts are unsorted or do not add up");
        }
        if self.n > 0 && self.min.partial_cmp(&self.max).is_none_or(|o| o.is_gt()) {
            return Err("sketch min is above its max");
        }
        if self.capacity < 8 || self.compactions.len() != self.levels.len() {
            return Err("sketch levels are malformed");
        }
        Ok(())
    }
}

/// The estimated CDF `#{v <= x} / n` of weighted items (ascending), evaluated at
/// ascending points `xs`.
#[must_use]
pub fn cdf_at(items: &[(f64, u64)], n: u64, xs: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len());
    let (mut i, mut acc) = (0usize, 0u64);
    for &x in xs {
        while i < items.len() && items[i].0 <= x {
            acc += items[i].1;
            i += 1;
        }
        out.push(if n == 0 { 0.0 } else { acc as f64 / n as f64 });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Uniform values in [0, 1) from a fixed-seed LCG (tests of the sketch and of the
    /// selection read).
    pub(crate) fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The largest gap between the estimated and the true CDF over every value.
    fn worst_cdf_gap(s: &QuantileSketch, values: &[f64]) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let items = s.weighted();
        let est = cdf_at(&items, s.n, &sorted);
        let n = sorted.len() as f64;
        sorted
            .iter()
            .zip(est)
            .map(|(x, e)| {
                let truth = sorted.partition_point(|v| v <= x) as f64 / n;
                (truth - e).abs()
            })
            .fold(0.0, f64::max)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// The CDF of the sketch is within its stated bound of the exact CDF, at every
        /// value, for values with many or few distinct values.
        #[test]
        fn cdf_error_is_within_the_bound(seed in 0u64..1000, n in 1usize..20_000, cap in 8usize..64, coarse in proptest::bool::ANY) {
            let mut s = seed;
            let values: Vec<f64> = (0..n)
                .map(|_| { let v = lcg(&mut s) * 1000.0; if coarse { v.floor() } else { v } })
                .collect();
            let mut sk = QuantileSketch::new(cap);
            sk.extend(&values);
            proptest::prop_assert_eq!(sk.n, n as u64);
            proptest::prop_assert!(sk.validate().is_ok());
            let gap = worst_cdf_gap(&sk, &values);
            proptest::prop_assert!(gap <= sk.max_cdf_error() + 1e-12, "gap {} bound {}", gap, sk.max_cdf_error());
        }

        /// Merged sketches of parts are within the summed bound of the exact CDF of
        /// the whole, and their count, min, max and moments are the whole's.
        #[test]
        fn merge_is_within_the_bound(seed in 0u64..1000, n in 2usize..20_000, cut in 0.0f64..1.0, cap in 8usize..64) {
            let mut s = seed;
            let values: Vec<f64> = (0..n).map(|_| lcg(&mut s) * 10.0 - 3.0).collect();
            let k = (n as f64 * cut) as usize;
            let (mut a, mut b, mut whole) = (QuantileSketch::new(cap), QuantileSketch::new(cap), QuantileSketch::new(cap));
            a.extend(&values[..k]);
            b.extend(&values[k..]);
            whole.extend(&values);
            let m = a.merge(&b);
            proptest::prop_assert!(m.validate().is_ok());
            proptest::prop_assert_eq!((m.n, m.min, m.max), (whole.n, whole.min, whole.max));
            proptest::prop_assert!(m.rank_error >= a.rank_error + b.rank_error);
            let gap = worst_cdf_gap(&m, &values);
            proptest::prop_assert!(gap <= m.max_cdf_error() + 1e-12, "gap {} bound {}", gap, m.max_cdf_error());
            proptest::prop_assert!((m.std() - whole.std()).abs() <= 1e-9 * whole.std().max(1.0));
        }
    }

    #[test]
    fn small_samples_and_few_values_are_exact() {
        let mut s = QuantileSketch::new(16);
        s.extend(&[3.0, f64::NAN, 1.0, 2.0, 2.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.max_cdf_error(), 0.0);
        assert_eq!(s.weighted(), [(1.0, 1), (2.0, 2), (3.0, 1)]);
        assert!((s.std() - 0.5f64.sqrt()).abs() < 1e-15);
        // many values of few kinds: compacted, yet exact by the value counts
        let many: Vec<f64> = (0..100_000).map(|i| f64::from(i % 7)).collect();
        let mut s = QuantileSketch::new(16);
        s.extend(&many);
        assert!(s.rank_error > 0);
        assert_eq!(s.max_cdf_error(), 0.0);
        assert_eq!(s.weighted()[3], (3.0, 14_286));
        // many distinct values: the bound is stated and the memory stays small
        let mut seed = 5;
        let spread: Vec<f64> = (0..200_000).map(|_| lcg(&mut seed)).collect();
        let mut s = QuantileSketch::new(512);
        s.extend(&spread);
        assert!(s.exact_counts.is_none());
        assert!(
            s.max_cdf_error() > 0.0 && s.max_cdf_error() < 0.05,
            "{}",
            s.max_cdf_error()
        );
        assert!(s.heap_bytes() < 200_000 * 8 / 10);
        let mut bad = s.clone();
        bad.n += 1;
        assert!(bad.validate().is_err());
    }
}
