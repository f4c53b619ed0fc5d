//! The Wasserstein-1 integral `∫|F - G|` of two long samples without sorting them
//! whole (the idea of the KS path's `ks/cells.rs`, applied to the integral).
//!
//! Both samples are counted into the same equal-width value cells over the pooled
//! range (one pass over each, in any order): per cell the count and the sum of the
//! values' offsets from the cell's lower edge. On a cell's span `[E_c, E_c+1)` the
//! ECDF difference starts at the exact count difference `D0` of the values below
//! the cell, ends at `D1`, and in between stays within `[D0 - cb/m, D0 + ca/n]`. When
//! that range does not straddle zero (most cells: only where `F - G` changes sign it
//! does), `∫|D| = |∫D|` over the span, and `∫D` follows from the counts and offset
//! sums alone: `∫F = i0/n * w + (ca * w - Σ offsets)/n` with `i0` values below the
//! cell. Only the values of the other cells are gathered, sorted and walked. The
//! integer numerators `i * m - j * n` decide the sign exactly.
//!
//! The answer equals the merge walk's up to rounding (the pieces are summed in
//! another order; relative differences of order 1e-13 and below, far inside the
//! 1e-9 to which scipy is matched). When the cells do not pay or cannot be used
//! (short samples, a NaN, an infinite or degenerate range, half the values in
//! cells that must be walked), `None`: the caller sorts.

use rayon::prelude::*;

use super::merge::PARALLEL_MERGE_MIN;
use super::{range, sort_f64};

/// Most cells (2^16: the per-cell sums and counts stay in cache).
const MAX_BITS: u32 = 16;

/// Samples at least this long (both together) are counted in parallel halves.
const PARALLEL_COUNT_MIN: usize = 1 << 18;

/// Equal-width cells over `[lo, hi]`, in offsets `t = v - lo`.
#[derive(Clone, Copy)]
struct Grid {
    lo: f64,
    scale: f64,
    width: f64,
    last: usize,
}

impl Grid {
    /// The cell of offset `t >= 0` (`as` saturates; a correctly rounded product is
    /// monotone in `t`, so a larger value never lands in an earlier cell).
    #[inline]
    fn cell(self, t: f64) -> usize {
        ((t * self.scale) as usize).min(self.last)
    }

    /// The lower edge of cell `c`, as an offset.
    #[inline]
    fn edge(self, c: usize) -> f64 {
        c as f64 * self.width
    }
}

/// Per cell: values and the sum of their offsets from the cell's lower edge.
struct Counts {
    count: Vec<u32>,
    offsets: Vec<f64>,
}

impl Counts {
    fn of(x: &[f64], grid: Grid) -> Counts {
        let mut count = vec![0u32; grid.last + 1];
        let mut offsets = vec![0.0; grid.last + 1];
        for &v in x {
            let t = v - grid.lo;
            let c = grid.cell(t);
            count[c] += 1;
            offsets[c] += t - grid.edge(c);
        }
        Counts { count, offsets }
    }

    /// The counts of `x`, in two halves on two threads when long.
    fn of_parallel(x: &[f64], grid: Grid) -> Counts {
        if x.len() < PARALLEL_COUNT_MIN / 2 {
            return Counts::of(x, grid);
        }
        let (a, b) = x.split_at(x.len() / 2);
        let (mut p, q) = rayon::join(|| Counts::of(a, grid), || Counts::of(b, grid));
        p.count.iter_mut().zip(&q.count).for_each(|(s, t)| *s += t);
        p.offsets
            .iter_mut()
            .zip(&q.offsets)
            .for_each(|(s, t)| *s += t);
        p
    }
}

/// The range of a sample, its ends when it is sorted.
fn range_of(x: &[f64], sorted: bool) -> (f64, f64, bool) {
    match (sorted, x.first(), x.last()) {
        (true, Some(&lo), Some(&hi)) => (lo, hi, lo.is_nan() || hi.is_nan()),
        _ => range(x),
    }
}

/// The offsets of `x` in the needed cells, sorted.
fn gather(x: &[f64], grid: Grid, needed: &[bool], count: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(count);
    for &v in x {
        let t = v - grid.lo;
        if needed[grid.cell(t)] {
            out.push(t);
        }
    }
    sort_f64(&mut out);
    out
}

/// A cell whose span must be walked: its index and the values below it.
struct Needed {
    cell: usize,
    before: (usize, usize),
}

/// `∫|F_a - F_b|` of two samples in any order (`a_sorted`: `a` is ascending, so its
/// range is its ends), or `None` when the cells cannot be used or do not pay (the
/// caller then sorts): short samples, an empty one, a NaN, an infinite or degenerate
/// range, sizes whose product overflows the exact numerators, or half of the values
/// in cells that must be walked.
pub(crate) fn wasserstein_unsorted(a: &[f64], b: &[f64], a_sorted: bool) -> Option<f64> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 || n + m < PARALLEL_MERGE_MIN || (n as u128) * (m as u128) > 1 << 62 {
        return None;
    }
    let ((lo_a, hi_a, nan_a), (lo_b, hi_b, nan_b)) = if n + m >= PARALLEL_COUNT_MIN {
        rayon::join(|| range_of(a, a_sorted), || range(b))
    } else {
        (range_of(a, a_sorted), range(b))
    };
    let (lo, hi) = (lo_a.min(lo_b), hi_a.max(hi_b));
    let bits = (usize::BITS - (n + m).leading_zeros())
        .saturating_sub(4)
        .clamp(10, MAX_BITS);
    let cells = 1usize << bits;
    let span = hi - lo;
    let scale = cells as f64 / span;
    if nan_a || nan_b || !(span.is_finite() && span > 0.0 && scale.is_finite() && scale > 0.0) {
        return None;
    }
    let grid = Grid {
        lo,
        scale,
        width: span / cells as f64,
        last: cells - 1,
    };
    let (ca, cb) = if n + m >= PARALLEL_COUNT_MIN {
        rayon::join(
            || Counts::of_parallel(a, grid),
            || Counts::of_parallel(b, grid),
        )
    } else {
        (Counts::of(a, grid), Counts::of(b, grid))
    };

    // Numerators of D = i/n - j/m over n*m: exact (n*m <= 2^62).
    let (sm, sn) = (m as i64, n as i64);
    let (rn, rm) = (1.0 / n as f64, 1.0 / m as f64);
    let mut needed = vec![false; cells];
    let mut list = Vec::new();
    let (mut count_a, mut count_b) = (0usize, 0usize);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    for (c, need) in needed.iter_mut().enumerate() {
        let (na, nb) = (ca.count[c] as usize, cb.count[c] as usize);
        let start = i as i64 * sm - j as i64 * sn;
        let w = grid.edge(c + 1) - grid.edge(c);
        if na + nb == 0 {
            // D is constant over the span
            total += (start as f64 * rn * rm).abs() * w;
            continue;
        }
        let up = start + na as i64 * sm;
        let down = start - nb as i64 * sn;
        if down >= 0 || up <= 0 {
            // no sign change: |∫D| from the counts and offset sums
            let d0 = i as f64 * rn - j as f64 * rm;
            let fa = (na as f64 * w - ca.offsets[c]) * rn;
            let fb = (nb as f64 * w - cb.offsets[c]) * rm;
            total += (d0 * w + fa - fb).abs();
        } else {
            *need = true;
            list.push(Needed {
                cell: c,
                before: (i, j),
            });
            count_a += na;
            count_b += nb;
        }
        i += na;
        j += nb;
    }
    if 2 * (count_a + count_b) > n + m {
        return None;
    }
    let (ga, gb) = if count_a + count_b >= PARALLEL_MERGE_MIN {
        rayon::join(
            || gather(a, grid, &needed, count_a),
            || gather(b, grid, &needed, count_b),
        )
    } else {
        (
            gather(a, grid, &needed, count_a),
            gather(b, grid, &needed, count_b),
        )
    };
    let (mut pa, mut pb) = (0usize, 0usize);
    let spans: Vec<(&[f64], &[f64], Needed)> = list
        .into_iter()
        .map(|nd| {
            let (ea, eb) = (
                pa + ca.count[nd.cell] as usize,
                pb + cb.count[nd.cell] as usize,
            );
            let piece = (&ga[pa..ea], &gb[pb..eb], nd);
            (pa, pb) = (ea, eb);
            piece
        })
        .collect();
    let walk = |(u, v, nd): &(&[f64], &[f64], Needed)| {
        walk_span(
            u,
            v,
            nd.before,
            (rn, rm),
            grid.edge(nd.cell),
            grid.edge(nd.cell + 1),
        )
    };
    let walked: f64 = if count_a + count_b >= PARALLEL_MERGE_MIN {
        spans.par_iter().map(walk).sum()
    } else {
        spans.iter().map(walk).sum()
    };
    Some(total + walked)
}

/// `∫|D|` over `[from, to)`: `u` and `v` are the sorted offsets of the span's values,
/// which follow `i0` and `j0` values of the whole samples.
fn walk_span(
    u: &[f64],
    v: &[f64],
    (i0, j0): (usize, usize),
    (rn, rm): (f64, f64),
    from: f64,
    to: f64,
) -> f64 {
    let (mut i, mut j) = (0, 0);
    let mut prev = from;
    let mut diff = i0 as f64 * rn - j0 as f64 * rm;
    let mut total = 0.0;
    while i < u.len() || j < v.len() {
        let x = match (u.get(i), v.get(j)) {
            (Some(&p), Some(&q)) => p.min(q),
            (Some(&p), None) => p,
            (None, Some(&q)) => q,
            (None, None) => break,
        };
        total += diff.abs() * (x - prev);
        prev = x;
        while i < u.len() && u[i] == x {
            i += 1;
        }
        while j < v.len() && v[j] == x {
            j += 1;
        }
        diff = (i0 + i) as f64 * rn - (j0 + j) as f64 * rm;
    }
    total + diff.abs() * (to - prev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::cdf_integral::cdf_integral;

    fn lcg(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn sorted(x: &[f64]) -> Vec<f64> {
        let mut s = x.to_vec();
        sort_f64(&mut s);
        s
    }

    #[track_caller]
    fn check(a: &[f64], b: &[f64]) {
        let want = cdf_integral(&sorted(a), &sorted(b), 1);
        for (x, is_sorted) in [(a.to_vec(), false), (sorted(a), true)] {
            let got = wasserstein_unsorted(&x, b, is_sorted).expect("cells apply");
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "got {got:e}, want {want:e}"
            );
        }
    }

    #[test]
    fn cells_equal_the_merge_walk() {
        let mut r = lcg(7);
        // shifted and scaled uniforms, normal-like sums, heavy ties, a far offset
        let normal = |r: &mut dyn FnMut() -> f64, n: usize, shift: f64| -> Vec<f64> {
            (0..n)
                .map(|_| (0..4).map(|_| r()).sum::<f64>() - 2.0 + shift)
                .collect()
        };
        let a = normal(&mut r, 50_000, 0.0);
        let b = normal(&mut r, 40_000, 0.05);
        check(&a, &b);
        check(&b, &a);
        // identical distributions: the difference changes sign everywhere
        let c = normal(&mut r, 50_000, 0.0);
        check(&a, &c);
        // ties: values rounded to two decimals
        let round =
            |x: &[f64]| -> Vec<f64> { x.iter().map(|v| (v * 100.0).round() / 100.0).collect() };
        check(&round(&a), &round(&b));
        // a large offset (timestamps): offsets from the low end keep the precision
        let s1: Vec<f64> = a.iter().map(|v| 1.7e9 + v).collect();
        let s2: Vec<f64> = b.iter().map(|v| 1.7e9 + v).collect();
        check(&s1, &s2);
    }

    #[test]
    fn declines_what_it_cannot_do() {
        // a few distinct values: every cell is one value whose span must be walked
        let mut r = lcg(3);
        let t1: Vec<f64> = (0..60_000).map(|_| (r() * 20.0).floor()).collect();
        let t2: Vec<f64> = (0..60_000).map(|_| (r() * 21.0).floor()).collect();
        assert!(wasserstein_unsorted(&t1, &t2, false).is_none());
        let a: Vec<f64> = (0..40_000).map(f64::from).collect();
        let short = [1.0, 2.0];
        assert!(wasserstein_unsorted(&short, &short, true).is_none());
        let mut with_nan = a.clone();
        with_nan[5] = f64::NAN;
        assert!(wasserstein_unsorted(&with_nan, &a, false).is_none());
        let mut with_inf = a.clone();
        with_inf[7] = f64::INFINITY;
        assert!(wasserstein_unsorted(&a, &with_inf, false).is_none());
        let constant = vec![3.0; 40_000];
        assert!(wasserstein_unsorted(&constant, &constant, true).is_none());
        assert!(wasserstein_unsorted(&[], &a, true).is_none());
    }
}
