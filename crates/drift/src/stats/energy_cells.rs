//! The energy integral `∫(F - G)^2` of two long unsorted samples without sorting
//! either whole (the value cells of `wasserstein_cells.rs`, for the square).
//!
//! Unlike `|F - G|`, the square cannot be integrated over a cell from its counts and
//! offset sums: inside a cell `(D0 + δ)^2` has the term `∫δ^2`, which depends on how
//! the cell's values of both samples interleave. So every cell that holds values is
//! put in order, but only within itself:
//!
//! 1. one pass counts both samples into coarse cells (at most 4096, in cache);
//! 2. runs of coarse cells are grouped into buckets of about [`claim::PIECE`] pooled
//!    values, and one pass moves each value's offset `v - lo` into its bucket (few
//!    destinations, so the writes stream);
//! 3. each bucket, on its own and in cache, is counted into local cells of about
//!    two values each over its own span, its values placed cell by cell, each
//!    cell's few values sorted, and the bucket walked (`walk_span` with the
//!    square). The buckets run in parallel and their sums are added in order.
//!
//! Passes 1 and 2 run in pieces the threads claim (`claim.rs`), pass 3 bucket by
//! bucket, so a descheduled thread on a busy machine delays one piece. Which thread
//! moved a value changes only the order inside a cell, which its sort removes: the
//! result does not vary from run to run. It equals the merge walk of the sorted
//! samples up to rounding (the differences are taken between offsets from the pooled
//! minimum; relative differences of order 1e-13, far inside the 1e-9 to which scipy is
//! matched). `None` when the cells cannot be used (short samples, an empty one, a NaN,
//! an infinite or degenerate range): the caller sorts.

use rayon::prelude::*;

use super::claim;
use super::merge::PARALLEL_MERGE_MIN;
use super::sort_f64;
use super::wasserstein_cells::{Grid, walk_span};

/// Most coarse cells (their counts stay in the first-level cache).
const COARSE_BITS: u32 = 12;

/// `∫(F_a - F_b)^2` of two samples in any order, or `None` when the cells cannot be
/// used (see the module documentation).
pub(crate) fn energy_integral_unsorted(a: &[f64], b: &[f64]) -> Option<f64> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 || n + m < PARALLEL_MERGE_MIN {
        return None;
    }
    let samples = [a, b];
    let [(lo_a, hi_a, nan_a), (lo_b, hi_b, nan_b)] = claim::ranges(&samples)[..] else {
        return None;
    };
    let (lo, hi) = (lo_a.min(lo_b), hi_a.max(hi_b));
    let coarse_bits = (usize::BITS - (n + m).leading_zeros())
        .saturating_sub(8)
        .clamp(8, COARSE_BITS);
    let coarse = Grid::new(lo, hi - lo, 1 << coarse_bits)?;
    if nan_a || nan_b {
        return None;
    }

    // 1. coarse counts, grouped into buckets
    let cells = 1usize << coarse_bits;
    let (bucket_of, buckets) = claim::with_histograms(
        &samples,
        cells,
        |v| coarse.cell(v - lo),
        |hist| {
            let (ha, hb) = hist.split_at(cells);
            Bucket::group(ha, hb)
        },
    );
    // 2. the values' offsets moved to their buckets, by each thread into its own
    // parts (kept from call to call, as fresh pages cost a fault each); a part may
    // hold a whole bucket, so each is reserved that long
    let count = buckets.len();
    let moved = claim::claim_pieces(
        &samples,
        || {
            let mut parts = MOVED.take().unwrap_or_default();
            parts.resize_with(2 * count, Vec::new);
            parts.truncate(2 * count);
            for (k, part) in parts.iter_mut().enumerate() {
                let b = &buckets[k % count];
                part.clear();
                part.reserve(if k < count { b.len.0 } else { b.len.1 });
            }
            parts
        },
        |out: &mut Vec<Vec<f64>>, s, x| {
            for &v in x {
                let t = v - lo;
                out[s * count + bucket_of[coarse.cell(t)] as usize].push(t);
            }
        },
    );

    // 3. each bucket in order within its cells, walked
    let scale = (1.0 / n as f64, 1.0 / m as f64);
    let sums: Vec<f64> = buckets
        .par_iter()
        .enumerate()
        .with_max_len(1)
        .map(|(k, bucket)| {
            let parts = |s: usize| moved.iter().map(move |state| &state[s * count + k][..]);
            bucket.integral(parts(0), parts(1), coarse, scale)
        })
        .collect();
    moved.into_iter().for_each(|parts| MOVED.put(parts));
    Some(sums.iter().sum())
}

/// The threads' bucket parts of earlier calls.
static MOVED: claim::Kept<Vec<Vec<f64>>> = claim::Kept::new();

/// A run of coarse cells walked together.
struct Bucket {
    cells: std::ops::Range<usize>,
    /// Values of each sample below the bucket.
    before: (usize, usize),
    /// Values of each sample in it.
    len: (usize, usize),
}

impl Bucket {
    /// Runs of whole coarse cells of about one piece of values each (a crowded cell
    /// is a bucket of its own), from the cells' counts, and the bucket of each cell.
    fn group(ha: &[u32], hb: &[u32]) -> (Vec<u32>, Vec<Bucket>) {
        let mut bucket_of = vec![0u32; ha.len()];
        let mut buckets: Vec<Bucket> = Vec::new();
        let (mut i, mut j) = (0usize, 0usize);
        let mut open = Bucket {
            cells: 0..0,
            before: (0, 0),
            len: (0, 0),
        };
        for (c, (&ca, &cb)) in ha.iter().zip(hb).enumerate() {
            let (ca, cb) = (ca as usize, cb as usize);
            let held = open.len.0 + open.len.1;
            if held > 0 && held + ca + cb > claim::PIECE {
                let next = Bucket {
                    cells: c..c,
                    before: (i, j),
                    len: (0, 0),
                };
                buckets.push(std::mem::replace(&mut open, next));
            }
            bucket_of[c] = buckets.len() as u32;
            open.cells.end = c + 1;
            open.len.0 += ca;
            open.len.1 += cb;
            i += ca;
            j += cb;
        }
        buckets.push(open);
        (bucket_of, buckets)
    }

    /// `∫(F - G)^2` over the bucket's span; `a` and `b` yield its offsets of each
    /// sample, in parts, in any order.
    fn integral<'s>(
        &self,
        a: impl Iterator<Item = &'s [f64]> + Clone,
        b: impl Iterator<Item = &'s [f64]> + Clone,
        coarse: Grid,
        scale: (f64, f64),
    ) -> f64 {
        let (from, to) = (coarse.edge(self.cells.start), coarse.edge(self.cells.end));
        // local cells of about two pooled values each over the bucket's own span
        // (so a bucket that is one crowded coarse cell is split finely too)
        let cells = ((self.len.0 + self.len.1) / 2).next_power_of_two();
        let local = Local {
            from,
            scale: cells as f64 / (to - from),
            last: cells - 1,
        };
        let u = local.sorted(a, self.len.0);
        let v = local.sorted(b, self.len.1);
        walk_span(&u, &v, self.before, scale, from, to, |d| d * d)
    }
}

/// Equal-width cells over one bucket's span.
struct Local {
    from: f64,
    scale: f64,
    last: usize,
}

impl Local {
    /// The cell of offset `t`: monotone in `t` (each step correctly rounded; `as`
    /// saturates a value just below `from` to 0 and a NaN scale to 0, in which case
    /// every value shares one cell and its sort alone orders them).
    #[inline]
    fn cell(&self, t: f64) -> usize {
        (((t - self.from) * self.scale) as usize).min(self.last)
    }

    /// The `len` offsets of `parts` in ascending order: placed cell by cell (a
    /// counting sort), then each cell's few values sorted.
    fn sorted<'s>(&self, parts: impl Iterator<Item = &'s [f64]> + Clone, len: usize) -> Vec<f64> {
        let mut end = vec![0u32; self.last + 1];
        for part in parts.clone() {
            for &t in part {
                end[self.cell(t)] += 1;
            }
        }
        let mut at = 0u32;
        for e in &mut end {
            at += *e;
            *e = at;
        }
        let mut cursor = end.clone();
        let mut out = vec![0.0; len];
        // each cell filled from its end backwards
        for part in parts {
            for &t in part {
                let c = &mut cursor[self.cell(t)];
                *c -= 1;
                out[*c as usize] = t;
            }
        }
        let mut start = 0;
        for &e in &end {
            let e = e as usize;
            match e - start {
                0 | 1 => {}
                2 => {
                    if out[start] > out[start + 1] {
                        out.swap(start, start + 1);
                    }
                }
                _ => sort_f64(&mut out[start..e]),
            }
            start = e;
        }
        out
    }
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

    /// The old way: both samples sorted whole, then the merge walk.
    fn by_sorting(a: &[f64], b: &[f64]) -> f64 {
        cdf_integral(&sorted(a), &sorted(b), 2)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]
        /// The cells equal the sorted merge walk, with ties, signed zeros, outliers
        /// (a squeezed range: a few full cells), offsets (timestamps) and unequal
        /// sizes.
        #[test]
        fn cells_equal_the_sorted_walk(
            seed in 1u64..u64::MAX,
            n1 in 30_000usize..70_000,
            n2 in 1usize..70_000,
            grid in proptest::sample::select(vec![0.0, 8.0, 1000.0, 1e6]),
            shift in 0.0f64..0.3,
            offset in proptest::sample::select(vec![0.0, 1.7e9]),
            outlier in proptest::bool::ANY,
        ) {
            let mut next = lcg(seed);
            let mut draw = |n: usize, shift: f64| -> Vec<f64> {
                (0..n)
                    .map(|_| {
                        let u = (0..3).map(|_| next()).sum::<f64>() - 1.5 + shift;
                        let v = if grid > 0.0 { (u * grid).round() / grid } else { u };
                        if v == 0.0 && next() < 0.5 { -0.0 } else { v + offset }
                    })
                    .collect()
            };
            let mut a = draw(n1, 0.0);
            let b = draw(n2, shift);
            if outlier {
                a[n1 / 2] = offset + 1e7;
            }
            let want = by_sorting(&a, &b);
            match energy_integral_unsorted(&a, &b) {
                Some(got) => proptest::prop_assert!(
                    (got - want).abs() <= 1e-12 * want.abs() + 1e-300,
                    "got {:e}, want {:e}", got, want
                ),
                None => proptest::prop_assert!(n1 + n2 < PARALLEL_MERGE_MIN),
            }
        }
    }

    #[test]
    fn same_answer_every_run_and_declines_what_it_cannot_do() {
        let mut r = lcg(11);
        let a: Vec<f64> = (0..60_000).map(|_| r()).collect();
        let b: Vec<f64> = (0..40_000).map(|_| r() * 1.1).collect();
        let first = energy_integral_unsorted(&a, &b);
        assert!(first.is_some_and(|e| e > 0.0));
        for _ in 0..2 {
            assert_eq!(
                energy_integral_unsorted(&a, &b).map(f64::to_bits),
                first.map(f64::to_bits)
            );
        }
        // identical samples: exactly zero, as scipy
        assert_eq!(energy_integral_unsorted(&a, &a), Some(0.0));
        let mut with_nan = a.clone();
        with_nan[5] = f64::NAN;
        assert!(energy_integral_unsorted(&with_nan, &b).is_none());
        let mut with_inf = a.clone();
        with_inf[7] = f64::INFINITY;
        assert!(energy_integral_unsorted(&with_inf, &b).is_none());
        let constant = vec![3.0; 40_000];
        assert!(energy_integral_unsorted(&constant, &constant).is_none());
        assert!(energy_integral_unsorted(&[], &a).is_none());
        assert!(energy_integral_unsorted(&a[..10], &b[..10]).is_none());
    }
}
