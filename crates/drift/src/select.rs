//! Exact order statistics of a sketched column by one more read of its table: the
//! selection pass that makes PSI on a sketched reference exact ([`crate::binpass`]).
//!
//! A quantile of numpy's linear method needs two order statistics (ranks `floor(h)`
//! and `floor(h) + 1`, `h = (n - 1) q`; `QuantilePosition`). A
//! [`QuantileSketch`] bounds every estimated rank within
//! [`QuantileSketch::max_rank_error`] `E`, so for a rank `r` its items give a value
//! bracket `[lo, hi]` that surely holds the order statistic: `lo` the largest item with
//! at most `r - E` items' weight below it (or the exact minimum), `hi` the smallest
//! with at least `r + 1 + E` at or below it (or the exact maximum). [`Brackets`] are
//! those brackets for a set of positions, joined where they overlap; a read of the
//! table through a [`Selector`] counts the values below each bracket and keeps the
//! values inside (about `2 E` per bracket, never more than [`Brackets::max_kept`]);
//! [`Selector::finish`] sorts the kept values and gives [`Selected`]: the order
//! statistics at the bracketed ranks and the exact count of values below any point
//! inside a bracket. Nothing is assumed: a rank found outside its bracket, more kept
//! values than the bound allows, or another count than the first read's is a
//! [`SelectError`], never a quiet wrong value.
//!
//! NaN is missing and skipped, as in the sketch. Values equal to a bracket's ends are
//! kept (closed brackets), so ties at the ends are counted exactly.

use driftwatch_core::quantile::QuantilePosition;
use serde::{Deserialize, Serialize};
use thiserror::Error as ThisError;

use crate::sketch::QuantileSketch;
use crate::stats::sort_f64;

/// Why a selection pass gave no exact answer.
#[derive(Debug, Clone, PartialEq, ThisError)]
pub enum SelectError {
    /// The second read counted another number of non-missing values: the table
    /// changed between the reads.
    #[error("the second read counted {second} values, the first {first}")]
    Count {
        /// Non-missing values of the first read (the sketch's count).
        first: u64,
        /// Non-missing values of the selection read.
        second: u64,
    },
    /// An order statistic was not inside its bracket (the sketch's bound did not hold).
    #[error(
        "the value of rank {rank} was not inside its bracket (the sketch's rank bound did not hold)"
    )]
    Missed {
        /// The rank (0-based).
        rank: u64,
    },
    /// More values fell inside the brackets than the sketch's bound allows.
    #[error(
        "more than {cap} values fell inside the brackets, more than the sketch's rank bound allows"
    )]
    TooMany {
        /// The most values the bound allows.
        cap: u64,
    },
    /// A point to count below was outside every bracket.
    #[error("{value} is outside every bracket, so the values below it were not counted")]
    Outside {
        /// The point.
        value: f64,
    },
}

/// Value brackets around the order statistics of some quantile positions, from a
/// sketch (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brackets {
    n: u64,
    /// The ranks asked for, ascending, without repeats.
    ranks: Vec<u64>,
    /// Disjoint closed value intervals, ascending, with the most values each can hold.
    intervals: Vec<(f64, f64, u64)>,
}

impl Brackets {
    /// The brackets of the two order statistics of each of `positions` (quantile
    /// positions among the sketch's `n` values).
    #[must_use]
    pub fn new(sketch: &QuantileSketch, positions: &[QuantilePosition]) -> Self {
        let items = sketch.weighted();
        let e = sketch.max_rank_error();
        // below[i]: estimated values strictly below item i; at_or_below[i]: up to it
        let mut below = Vec::with_capacity(items.len());
        let mut acc = 0u64;
        for &(_, w) in &items {
            below.push(acc);
            acc += w;
        }
        let at_or_below: Vec<u64> = below.iter().zip(&items).map(|(b, it)| b + it.1).collect();
        // surely at or below the value of rank r: #{v < lo} <= est + e <= r
        let lo = |r: u64| match below.partition_point(|&b| b.saturating_add(e) <= r) {
            0 => sketch.min,
            k => items[k - 1].0.max(sketch.min),
        };
        // surely at or above it: #{v <= hi} >= est - e >= r + 1
        let hi = |r: u64| {
            let need = r.saturating_add(1).saturating_add(e);
            match items.get(at_or_below.partition_point(|&c| c < need)) {
                Some(it) => it.0.min(sketch.max),
                None => sketch.max,
            }
        };
        let mut ranks: Vec<u64> = positions
            .iter()
            .flat_map(|p| [p.lower as u64, p.upper as u64])
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let mut spans: Vec<(f64, f64)> = Vec::new();
        for p in positions {
            let (l, h) = (lo(p.lower as u64), hi(p.upper as u64));
            match spans.last_mut() {
                Some(last) if l <= last.1 => last.1 = last.1.max(h),
                _ => spans.push((l, h)),
            }
        }
        // the most values inside [l, h]: the estimate of #{l <= v <= h} plus 2e
        let est_below = |x: f64| {
            let k = items.partition_point(|it| it.0 < x);
            below.get(k).copied().unwrap_or(acc)
        };
        let est_at_or_below = |x: f64| {
            let k = items.partition_point(|it| it.0 <= x);
            below.get(k).copied().unwrap_or(acc)
        };
        let intervals = spans
            .into_iter()
            .map(|(l, h)| {
                let est = est_at_or_below(h).saturating_sub(est_below(l));
                (l, h, est.saturating_add(2 * e).min(sketch.n))
            })
            .collect();
        Brackets {
            n: sketch.n,
            ranks,
            intervals,
        }
    }

    /// The most values a selection read keeps (8 bytes each).
    #[must_use]
    pub fn max_kept(&self) -> u64 {
        self.intervals.iter().map(|i| i.2).sum()
    }

    /// Non-missing values of the sketched column.
    #[must_use]
    pub fn n(&self) -> u64 {
        self.n
    }

    /// A selector to feed the column's values to, chunk by chunk.
    #[must_use]
    pub fn selector(&self) -> Selector {
        Selector {
            gaps: vec![0; self.intervals.len() + 1],
            kept: self
                .intervals
                .iter()
                .map(|i| Vec::with_capacity(usize::try_from(i.2).unwrap_or(0)))
                .collect(),
            overflow: 0,
            brackets: self.clone(),
        }
    }
}

/// Counts a column's values below each bracket and keeps those inside (see the
/// module docs). It serializes, so that an engine's partitions can each select in their
/// part of the table and be merged ([`Selector::merge`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Selector {
    brackets: Brackets,
    /// Values between the brackets: `gaps[j]` below bracket `j` and above `j - 1`.
    gaps: Vec<u64>,
    kept: Vec<Vec<f64>>,
    /// Values inside a bracket beyond its bound (not kept, but counted).
    overflow: u64,
}

impl Selector {
    /// Takes some of the column's values (NaN = missing, skipped).
    pub fn push(&mut self, values: &[f64]) {
        let intervals = &self.brackets.intervals;
        for &v in values {
            if v.is_nan() {
                continue;
            }
            let j = intervals.partition_point(|i| i.1 < v);
            match intervals.get(j) {
                Some(&(lo, _, cap)) if v >= lo => {
                    let kept = &mut self.kept[j];
                    if (kept.len() as u64) < cap {
                        kept.push(v);
                    } else {
                        self.overflow += 1;
                    }
                }
                _ => self.gaps[j] += 1,
            }
        }
    }

    /// Adds what `other` selected in another part of the same table (the same
    /// brackets): gaps add up, kept values join (beyond a bracket's bound they only
    /// count, as [`Selector::push`] does). `false`, and nothing added, when `other` was
    /// made from other brackets.
    #[must_use]
    pub fn merge(&mut self, other: Selector) -> bool {
        if self.brackets != other.brackets {
            return false;
        }
        self.gaps
            .iter_mut()
            .zip(other.gaps)
            .for_each(|(g, o)| *g += o);
        for ((kept, more), interval) in self
            .kept
            .iter_mut()
            .zip(other.kept)
            .zip(&self.brackets.intervals)
        {
            let room = usize::try_from(interval.2)
                .unwrap_or(usize::MAX)
                .saturating_sub(kept.len());
            let take = more.len().min(room);
            self.overflow += (more.len() - take) as u64;
            kept.extend_from_slice(&more[..take]);
        }
        self.overflow += other.overflow;
        true
    }

    /// Values kept so far.
    #[must_use]
    pub fn kept(&self) -> usize {
        self.kept.iter().map(Vec::len).sum()
    }

    /// The order statistics and counts, checked against the sketch's count and
    /// brackets.
    ///
    /// # Errors
    /// [`SelectError::Count`] when the read counted another number of values than
    /// the sketch; [`SelectError::TooMany`] or [`SelectError::Missed`] when the
    /// sketch's bound did not hold.
    pub fn finish(mut self) -> Result<Selected, SelectError> {
        let b = &self.brackets;
        let total = self.gaps.iter().sum::<u64>() + self.kept() as u64 + self.overflow;
        if total != b.n {
            return Err(SelectError::Count {
                first: b.n,
                second: total,
            });
        }
        if self.overflow > 0 {
            return Err(SelectError::TooMany { cap: b.max_kept() });
        }
        let mut below = Vec::with_capacity(self.kept.len());
        let mut acc = 0u64;
        for (gap, kept) in self.gaps.iter().zip(&mut self.kept) {
            acc += gap;
            below.push(acc);
            sort_f64(kept);
            acc += kept.len() as u64;
        }
        let selected = Selected {
            intervals: b.intervals.iter().map(|i| (i.0, i.1)).collect(),
            below,
            kept: self.kept,
        };
        if let Some(&rank) = b
            .ranks
            .iter()
            .find(|&&r| selected.order_statistic(r).is_none())
        {
            return Err(SelectError::Missed { rank });
        }
        Ok(selected)
    }
}

/// What a selection read found: the sorted values inside each bracket and how many
/// values are below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    intervals: Vec<(f64, f64)>,
    below: Vec<u64>,
    kept: Vec<Vec<f64>>,
}

impl Selected {
    /// The value of rank `rank` (0-based, ascending), if inside a bracket.
    #[must_use]
    pub fn order_statistic(&self, rank: u64) -> Option<f64> {
        let j = self.below.partition_point(|&b| b <= rank).checked_sub(1)?;
        let i = usize::try_from(rank - self.below[j]).ok()?;
        self.kept[j].get(i).copied()
    }

    /// How many values are strictly below `x`, exactly, when `x` is inside a bracket
    /// (0 for NaN, as a binary search on the sorted column gives).
    ///
    /// # Errors
    /// [`SelectError::Outside`] when `x` is outside every bracket.
    pub fn count_below(&self, x: f64) -> Result<u64, SelectError> {
        if x.is_nan() {
            return Ok(0);
        }
        let j = self.intervals.partition_point(|i| i.1 < x);
        match self.intervals.get(j) {
            Some(&(lo, _)) if x >= lo => {
                Ok(self.below[j] + self.kept[j].partition_point(|&v| v < x) as u64)
            }
            _ => Err(SelectError::Outside { value: x }),
        }
    }

    /// Bytes the kept values hold.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        8 * self.kept.iter().map(Vec::capacity).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::tests::lcg;
    use crate::stats::psi;

    fn select(values: &[f64], cap: usize, chunk: usize) -> (QuantileSketch, Brackets, Selected) {
        let mut s = QuantileSketch::new(cap);
        s.extend(values);
        let b = Brackets::new(&s, &psi::decile_positions(s.n as usize));
        let mut sel = b.selector();
        for c in values.chunks(chunk.max(1)) {
            sel.push(c);
        }
        let got = sel.finish().unwrap();
        (s, b, got)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// The selected order statistics are the sorted column's, and counts below
        /// every kept value are exact, for spread, rounded and nearly constant values.
        #[test]
        fn selected_order_statistics_are_exact(
            seed in 0u64..1000,
            n in 1usize..12_000,
            cap in 8usize..64,
            chunk in 1usize..3000,
            shape in 0usize..4,
        ) {
            let mut st = seed;
            let values: Vec<f64> = (0..n)
                .map(|i| match shape {
                    0 => lcg(&mut st) * 100.0,
                    1 => (lcg(&mut st) * 30.0).round(),
                    2 => if i == n / 2 { 9.0 } else { 1.5 },
                    _ => if i % 7 == 0 { f64::NAN } else { (lcg(&mut st) * 5000.0).floor() },
                })
                .collect();
            let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            sorted.sort_by(f64::total_cmp);
            if sorted.is_empty() {
                return Ok(());
            }
            let (s, b, got) = select(&values, cap, chunk);
            proptest::prop_assert!(b.max_kept() <= s.n);
            for p in psi::decile_positions(sorted.len()) {
                for r in [p.lower, p.upper] {
                    proptest::prop_assert_eq!(got.order_statistic(r as u64), Some(sorted[r]));
                }
            }
            let edges = psi::decile_edges_by(sorted.len(), |r| got.order_statistic(r as u64).unwrap());
            proptest::prop_assert_eq!(&edges, &psi::decile_edges(&sorted));
            for e in edges {
                proptest::prop_assert_eq!(
                    got.count_below(e).unwrap(),
                    sorted.partition_point(|&v| v < e) as u64
                );
            }
            // the kept values stay within the bound the plan budgets for
            proptest::prop_assert!(got.heap_bytes() as u64 <= 8 * b.max_kept());
        }
    }

    /// Selectors of parts of a column, each sent as bytes and merged, select what one
    /// selector of the whole column does; other brackets are not merged.
    #[test]
    fn merged_part_selectors_equal_the_whole() {
        let mut st = 11;
        let values: Vec<f64> = (0..50_000)
            .map(|i| {
                if i % 13 == 0 {
                    f64::NAN
                } else {
                    (lcg(&mut st) * 900.0).floor()
                }
            })
            .collect();
        let (_, b, whole) = select(&values, 64, 4096);
        let parts: Vec<Selector> = values
            .chunks(17_000)
            .map(|part| {
                let mut sel = b.selector();
                sel.push(part);
                rmp_serde::from_slice(&rmp_serde::to_vec(&sel).unwrap()).unwrap()
            })
            .collect();
        let mut merged = b.selector();
        for part in parts {
            assert!(merged.merge(part));
        }
        assert_eq!(merged.clone().finish().unwrap(), whole);
        let (_, other, _) = select(&values[..1000], 64, 4096);
        assert!(!merged.merge(other.selector()));
        // a part merged twice is a count the sketch never saw: an error, not a value
        let mut twice = b.selector();
        twice.push(&values);
        assert!(twice.merge(merged));
        assert!(matches!(twice.finish(), Err(SelectError::Count { .. })));
    }

    #[test]
    fn a_compacted_sketch_keeps_few_values() {
        let mut st = 3;
        let values: Vec<f64> = (0..200_000).map(|_| lcg(&mut st)).collect();
        let (s, b, got) = select(&values, 1024, 4096);
        let e = s.max_rank_error();
        assert!(e > 0);
        // per decile: the estimate inside a bracket (about 2 e and two items) plus 2 e
        let heaviest = 1u64 << (s.levels.len() - 1);
        assert!(
            b.max_kept() <= 9 * (4 * e + 2 * heaviest),
            "{} {e}",
            b.max_kept()
        );
        assert!(b.max_kept() < 200_000 / 3, "{}", b.max_kept());
        assert!(got.heap_bytes() as u64 <= 8 * b.max_kept());
        assert_eq!(got.count_below(f64::NAN), Ok(0));
        assert_eq!(
            got.count_below(-1.0),
            Err(SelectError::Outside { value: -1.0 })
        );
    }

    #[test]
    fn another_table_or_a_wrong_bound_is_an_error() {
        let mut st = 9;
        let values: Vec<f64> = (0..50_000).map(|_| lcg(&mut st)).collect();
        let mut s = QuantileSketch::new(64);
        s.extend(&values);
        let b = Brackets::new(&s, &psi::decile_positions(50_000));
        // one value more than the first read: the table changed
        let mut sel = b.selector();
        sel.push(&values);
        sel.push(&[0.5]);
        assert_eq!(
            sel.finish().unwrap_err(),
            SelectError::Count {
                first: 50_000,
                second: 50_001
            }
        );
        // as many values, all shifted: the ranks are not in their brackets
        let shifted: Vec<f64> = values.iter().map(|v| v + 0.3).collect();
        let mut sel = b.selector();
        sel.push(&shifted);
        let e = sel.finish().unwrap_err();
        assert!(
            matches!(e, SelectError::Missed { .. } | SelectError::TooMany { .. }),
            "{e:?}"
        );
        // a bound stated too small: the value is missed, never guessed
        let mut lying = s.clone();
        lying.rank_error = 0;
        let b = Brackets::new(&lying, &psi::decile_positions(50_000));
        let mut sel = b.selector();
        sel.push(&values);
        assert!(sel.finish().is_err());
    }
}
