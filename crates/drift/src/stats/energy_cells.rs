//! Sorted copies of two long samples for the energy integral `∫(F - G)^2`, ordered
//! by value cells in pieces any thread may take (the cells of `wasserstein_cells.rs`,
//! but every cell sorted).
//!
//! Unlike `|F - G|`, the square cannot be integrated over a cell from its counts and
//! offset sums: inside a cell `(D0 + δ)^2` has the term `∫δ^2`, which depends on how
//! the cell's values of both samples interleave. So every cell that holds values must
//! be put in order, and the cells only spare the sort its global passes:
//!
//! 1. one pass counts both samples into coarse cells (at most 4096, in cache);
//! 2. runs of coarse cells are grouped into buckets of about [`claim::PIECE`] pooled
//!    values, and one pass moves each value into its bucket (few destinations, so
//!    the writes stream);
//! 3. each bucket, on its own and in cache, is counted into local cells of about
//!    two values each over its own span, its values placed cell by cell and each
//!    cell's few values sorted, straight into its place in the sorted copies.
//!
//! Passes 1 and 2 run in pieces the threads claim (`claim.rs`), pass 3 bucket by
//! bucket, so a thread descheduled on a busy machine delays one piece, where the two
//! whole-sample sorts waited for the slower one. The copies are the samples in
//! `f64::total_cmp` order, as [`sort_f64`] gives them, so the merge walk over them
//! (`cdf_integral.rs`, pieces in lockstep) returns the sorted path's value bit for
//! bit. `None` when the cells cannot be used (short samples, an empty one, a NaN, an
//! infinite or degenerate range): the caller sorts.

use rayon::prelude::*;

use super::claim;
use super::merge::PARALLEL_MERGE_MIN;
use super::sort_f64;
use super::wasserstein_cells::Grid;

/// Most coarse cells (their counts stay in the first-level cache).
const COARSE_BITS: u32 = 12;

/// Both samples in ascending order, or `None` when the cells cannot be used (see the
/// module documentation).
pub(crate) fn sorted_pair(a: &[f64], b: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
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
    // 2. the values moved to their buckets, by each thread into its own parts (kept
    // from call to call, as fresh pages cost a fault each); a part may hold a whole
    // bucket, so each is reserved that long
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
                out[s * count + bucket_of[coarse.cell(v - lo)] as usize].push(v);
            }
        },
    );

    // 3. each bucket sorted into its place
    let (mut u, mut v) = (vec![0.0; n], vec![0.0; m]);
    let mut places = Vec::with_capacity(count);
    let (mut rest_u, mut rest_v) = (&mut u[..], &mut v[..]);
    for bucket in &buckets {
        let (pu, tail_u) = rest_u.split_at_mut(bucket.len.0);
        let (pv, tail_v) = rest_v.split_at_mut(bucket.len.1);
        places.push((pu, pv));
        (rest_u, rest_v) = (tail_u, tail_v);
    }
    places
        .into_par_iter()
        .zip(&buckets)
        .enumerate()
        .with_max_len(1)
        .for_each(|(k, ((pu, pv), bucket))| {
            let parts = |s: usize| moved.iter().map(move |state| &state[s * count + k][..]);
            let local = bucket.local(coarse, lo);
            local.sort_into(parts(0), pu);
            local.sort_into(parts(1), pv);
        });
    moved.into_iter().for_each(|parts| MOVED.put(parts));
    Some((u, v))
}

/// The threads' bucket parts of earlier calls.
static MOVED: claim::Kept<Vec<Vec<f64>>> = claim::Kept::new();

/// A run of coarse cells sorted together.
struct Bucket {
    cells: std::ops::Range<usize>,
    /// Values of each sample in it.
    len: (usize, usize),
}

impl Bucket {
    /// Runs of whole coarse cells of about one piece of values each (a crowded cell
    /// is a bucket of its own), from the cells' counts, and the bucket of each cell.
    fn group(ha: &[u32], hb: &[u32]) -> (Vec<u32>, Vec<Bucket>) {
        let mut bucket_of = vec![0u32; ha.len()];
        let mut buckets: Vec<Bucket> = Vec::new();
        let mut open = Bucket {
            cells: 0..0,
            len: (0, 0),
        };
        for (c, (&ca, &cb)) in ha.iter().zip(hb).enumerate() {
            let (ca, cb) = (ca as usize, cb as usize);
            let held = open.len.0 + open.len.1;
            if held > 0 && held + ca + cb > claim::PIECE {
                let next = Bucket {
                    cells: c..c,
                    len: (0, 0),
                };
                buckets.push(std::mem::replace(&mut open, next));
            }
            bucket_of[c] = buckets.len() as u32;
            open.cells.end = c + 1;
            open.len.0 += ca;
            open.len.1 += cb;
        }
        buckets.push(open);
        (bucket_of, buckets)
    }

    /// Local cells of about two pooled values each over the bucket's own span (so a
    /// bucket that is one crowded coarse cell is split finely too).
    fn local(&self, coarse: Grid, lo: f64) -> Local {
        let (from, to) = (coarse.edge(self.cells.start), coarse.edge(self.cells.end));
        let cells = ((self.len.0 + self.len.1) / 2).next_power_of_two();
        Local {
            from: lo + from,
            scale: cells as f64 / (to - from),
            last: cells - 1,
        }
    }
}

/// Equal-width cells over one bucket's span.
struct Local {
    from: f64,
    scale: f64,
    last: usize,
}

impl Local {
    /// The cell of value `v`: monotone in `v` (each step correctly rounded; `as`
    /// saturates a value just below `from` to 0, and an infinite scale puts every
    /// value in the last cell, whose sort alone then orders them).
    #[inline]
    fn cell(&self, v: f64) -> usize {
        (((v - self.from) * self.scale) as usize).min(self.last)
    }

    /// The values of `parts` (as many as `out` is long) into `out` in ascending
    /// order: placed cell by cell (a counting sort), then each cell's few values
    /// sorted.
    fn sort_into<'s>(&self, parts: impl Iterator<Item = &'s [f64]> + Clone, out: &mut [f64]) {
        let mut end = vec![0u32; self.last + 1];
        for part in parts.clone() {
            for &v in part {
                end[self.cell(v)] += 1;
            }
        }
        let mut at = 0u32;
        for e in &mut end {
            at += *e;
            *e = at;
        }
        let mut cursor = end.clone();
        // each cell filled from its end backwards
        for part in parts {
            for &v in part {
                let c = &mut cursor[self.cell(v)];
                *c -= 1;
                out[*c as usize] = v;
            }
        }
        let mut start = 0;
        for &e in &end {
            let e = e as usize;
            match e - start {
                0 | 1 => {}
                2 => {
                    if out[start].total_cmp(&out[start + 1]).is_gt() {
                        out.swap(start, start + 1);
                    }
                }
                _ => sort_f64(&mut out[start..e]),
            }
            start = e;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]
        /// The cells give the whole sorts' order bit for bit, with ties, signed
        /// zeros, outliers (a squeezed range: a few full cells), offsets
        /// (timestamps) and unequal sizes.
        #[test]
        fn cells_sort_as_the_whole_sort(
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
            match sorted_pair(&a, &b) {
                Some((u, v)) => {
                    let bits = |x: &[f64]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                    proptest::prop_assert_eq!(bits(&u), bits(&sorted(&a)));
                    proptest::prop_assert_eq!(bits(&v), bits(&sorted(&b)));
                }
                None => proptest::prop_assert!(n1 + n2 < PARALLEL_MERGE_MIN),
            }
        }
    }

    #[test]
    fn declines_what_it_cannot_do() {
        let mut r = lcg(11);
        let a: Vec<f64> = (0..60_000).map(|_| r()).collect();
        let b: Vec<f64> = (0..40_000).map(|_| r() * 1.1).collect();
        let (u, v) = sorted_pair(&a, &b).expect("long finite samples take the cells");
        assert_eq!((u, v), (sorted(&a), sorted(&b)));
        let mut with_nan = a.clone();
        with_nan[5] = f64::NAN;
        assert!(sorted_pair(&with_nan, &b).is_none());
        let mut with_inf = a.clone();
        with_inf[7] = f64::INFINITY;
        assert!(sorted_pair(&with_inf, &b).is_none());
        let constant = vec![3.0; 40_000];
        assert!(sorted_pair(&constant, &constant).is_none());
        assert!(sorted_pair(&[], &a).is_none());
        assert!(sorted_pair(&a[..10], &b[..10]).is_none());
    }
}
