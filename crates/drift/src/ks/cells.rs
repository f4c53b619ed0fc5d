//! The KS extremes of two long unsorted samples without sorting them whole.
//!
//! The statistic is an extreme of the ECDF difference over the pooled values, and
//! most values cannot hold it. Both samples are counted into the same value cells
//! (up to 2^18 equal-width cells over the pooled range, one pass over each); the
//! counts give the exact numerator `i * n2 - j * n1` of the difference at the end of
//! every non-empty cell (attained at its largest value) and bounds on it inside the
//! cell, as the block pruning of [`super::extremes`] has them on sorted samples.
//! Only the values of the cells whose bound reaches the best cell end are gathered,
//! sorted and scanned: for two samples of 1e6 values a few thousand, not two million.
//!
//! A cell is `floor((v - lo) * scale)`: each step is correctly rounded, hence
//! monotone, so a smaller value never lands in a later cell and equal values (also
//! -0.0 and 0.0) share one. When the cells do not pay (an infinite or degenerate
//! range, outliers that squeeze the data into few cells, half the values needed) the
//! caller sorts both samples instead, with the same answer.

use super::{Extremes, MAX_EXACT_ORDER_PRODUCT, merge_distinct, scan};
use crate::stats::claim;
use crate::stats::merge::PARALLEL_MERGE_MIN;

/// Equal-width value cells over `[lo, hi]`.
#[derive(Clone, Copy)]
struct Grid {
    lo: f64,
    scale: f64,
    last: usize,
}

impl Grid {
    #[inline]
    fn cell(self, v: f64) -> usize {
        // `as` saturates; v >= lo, so the product is >= 0
        (((v - self.lo) * self.scale) as usize).min(self.last)
    }
}

/// A cell that can hold an extreme: its index and the reference and current values
/// below it.
struct Needed {
    cell: usize,
    before: (usize, usize),
}

/// The extremes of the ECDF difference of two unsorted samples, or `None` when the
/// cells do not pay or cannot be used (short samples, `n1 * n2` above
/// [`MAX_EXACT_ORDER_PRODUCT`], an empty sample, a NaN, an infinite range): the caller
/// then sorts. The same extremes as [`super::extremes`] on the sorted samples.
pub(super) fn extremes_unsorted(a: &[f64], b: &[f64]) -> Option<Extremes> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0
        || n2 == 0
        || n1 + n2 < PARALLEL_MERGE_MIN
        || (n1 as u128) * (n2 as u128) > MAX_EXACT_ORDER_PRODUCT
    {
        return None;
    }
    // every pass over the samples in pieces the threads claim (`stats/claim.rs`): a
    // thread descheduled on a busy machine holds up one piece, not half the work
    let [(lo_a, hi_a, nan_a), (lo_b, hi_b, nan_b)] = claim::ranges(&[a, b])[..] else {
        return None;
    };
    let (lo, hi) = (lo_a.min(lo_b), hi_a.max(hi_b));
    let bits = (usize::BITS - (n1 + n2).leading_zeros())
        .saturating_sub(4)
        .clamp(10, 18);
    let cells = 1usize << bits;
    let scale = cells as f64 / (hi - lo);
    if nan_a || nan_b || !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    let grid = Grid {
        lo,
        scale,
        last: cells - 1,
    };
    claim::with_histograms(
        &[a, b],
        cells,
        |v| grid.cell(v),
        |hist| {
            let (ha, hb) = hist.split_at(cells);
            from_counts(a, b, grid, ha, hb)
        },
    )
}

/// The extremes from the counts of both samples per cell (see
/// [`extremes_unsorted`]).
fn from_counts(a: &[f64], b: &[f64], grid: Grid, ha: &[u32], hb: &[u32]) -> Option<Extremes> {
    let (n1, n2) = (a.len(), b.len());
    let cells = ha.len();
    // n1 * n2 <= 1e15: numerators fit in i64.
    let (s2, s1) = (n2 as i64, n1 as i64);
    let num = |i: usize, j: usize| i as i64 * s2 - j as i64 * s1;
    let (mut best_max, mut best_min) = (i64::MIN, i64::MAX);
    let (mut i, mut j) = (0usize, 0usize);
    for (&ca, &cb) in ha.iter().zip(hb) {
        if ca + cb > 0 {
            i += ca as usize;
            j += cb as usize;
            best_max = best_max.max(num(i, j));
            best_min = best_min.min(num(i, j));
        }
    }
    let mut needed = vec![false; cells];
    let mut list = Vec::new();
    let mut count = 0usize;
    let (mut i, mut j) = (0usize, 0usize);
    for (cell, (&ca, &cb)) in ha.iter().zip(hb).enumerate() {
        let (ca, cb) = (ca as usize, cb as usize);
        if ca + cb == 0 {
            continue;
        }
        let start = num(i, j);
        let up = start + ca as i64 * s2;
        let down = start - cb as i64 * s1;
        if up >= best_max || down <= best_min {
            needed[cell] = true;
            list.push(Needed {
                cell,
                before: (i, j),
            });
            count += ca + cb;
        }
        i += ca;
        j += cb;
    }
    if 2 * count > n1 + n2 {
        return None;
    }
    let gathered = claim::gather_sorted(&[a, b], |v| needed[grid.cell(v)].then_some(v));
    let (ga, gb) = (&gathered[0], &gathered[1]);
    let nf = (n1 as f64, n2 as f64);
    let (mut r, mut c) = (Extremes::EMPTY, Extremes::EMPTY);
    let (mut pa, mut pb) = (0usize, 0usize);
    for Needed {
        cell,
        before: (i0, j0),
    } in list
    {
        let (ea, eb) = (pa + ha[cell] as usize, pb + hb[cell] as usize);
        let (ca, cb) = (ga.get(pa..ea)?, gb.get(pb..eb)?);
        let (pr, pc) = match merge_distinct(ca, cb, i0, j0, (n1, n2), (s2, s1)) {
            Some([pr, pc]) => (pr.extremes(), pc.extremes()),
            None => (
                scan(ca, cb, (i0, j0), nf, true),
                scan(cb, ca, (j0, i0), nf, false),
            ),
        };
        r = Extremes::concat(r, pr);
        c = Extremes::concat(c, pc);
        (pa, pb) = (ea, eb);
    }
    Some(Extremes::concat(r, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sort_f64;

    /// A small xorshift generator of uniform values in [0, 1).
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn sorted(x: &[f64]) -> Vec<f64> {
        let mut v = x.to_vec();
        sort_f64(&mut v);
        v
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// The cells give bit for bit the extremes of the sorted scan, with many ties,
        /// signed zeros, outliers and unequal sizes.
        #[test]
        fn cells_equal_the_sorted_scan(
            seed in 1u64..u64::MAX,
            n1 in 20_000usize..90_000,
            n2 in 20_000usize..90_000,
            grid in proptest::sample::select(vec![0.0, 8.0, 1000.0, 1e6]),
            shift in 0.0f64..0.2,
            outlier in proptest::bool::ANY,
        ) {
            let mut next = uniform(seed);
            let mut draw = |n: usize, shift: f64| -> Vec<f64> {
                (0..n)
                    .map(|_| {
                        let u = next() - 0.5 + shift;
                        let v = if grid > 0.0 { (u * grid).round() / grid } else { u };
                        if v == 0.0 && next() < 0.5 { -0.0 } else { v }
                    })
                    .collect()
            };
            let mut a = draw(n1, 0.0);
            let b = draw(n2, shift);
            if outlier {
                a[n1 / 2] = 1e12;
            }
            let want = super::super::extremes(&sorted(&a), &sorted(&b), false);
            // (`None`: the cells would not pay, and the caller sorts)
            if let Some(got) = extremes_unsorted(&a, &b) {
                proptest::prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
            }
        }
    }

    #[test]
    fn declines_what_it_cannot_do() {
        let mut next = uniform(7);
        let a: Vec<f64> = (0..50_000).map(|_| next()).collect();
        let b: Vec<f64> = (0..50_000).map(|_| next() + 0.01).collect();
        let want = super::super::extremes(&sorted(&a), &sorted(&b), false);
        let got = extremes_unsorted(&a, &b);
        assert_eq!(format!("{got:?}"), format!("{:?}", Some(want)));
        assert!(extremes_unsorted(&a[..100], &b[..100]).is_none());
        let mut with_nan = b.clone();
        with_nan[3] = f64::NAN;
        assert!(extremes_unsorted(&a, &with_nan).is_none());
        let mut with_inf = b.clone();
        with_inf[3] = f64::NEG_INFINITY;
        assert!(extremes_unsorted(&a, &with_inf).is_none());
        assert!(extremes_unsorted(&vec![1.0; 50_000], &vec![1.0; 50_000]).is_none());
    }
}
