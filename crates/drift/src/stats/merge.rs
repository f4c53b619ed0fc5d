//! Cutting two sorted samples into pieces by value, so that merge passes over them
//! (KS, Wasserstein, energy) run piece by piece in parallel: every value of a piece
//! is below every value of the next, and equal values share a piece.

/// Below this pooled size merges run in one piece.
pub(crate) const PARALLEL_MERGE_MIN: usize = 1 << 16;

/// The `k`-th smallest value (0-based) of two sorted samples taken together.
pub(crate) fn pooled_kth(a: &[f64], b: &[f64], k: usize) -> f64 {
    // i values come from `a`, k - i from `b`.
    let (mut lo, mut hi) = (k.saturating_sub(b.len()), k.min(a.len()));
    while lo < hi {
        let i = lo + (hi - lo) / 2;
        let j = k - i;
        if j > 0 && i < a.len() && a[i] < b[j - 1] {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    let (i, j) = (lo, k - lo);
    match (a.get(i), b.get(j)) {
        (Some(&x), Some(&y)) => x.min(y),
        (Some(&x), None) => x,
        (None, Some(&y)) => y,
        (None, None) => f64::NAN,
    }
}

/// Cuts two sorted samples into chunks of about equal pooled size such that every
/// value of a chunk is below every value of the next (equal values share a chunk):
/// chunk `c` is `a[cuts[c].0..cuts[c + 1].0]` with `b[cuts[c].1..cuts[c + 1].1]`.
pub(crate) fn value_cuts(a: &[f64], b: &[f64], parts: usize) -> Vec<(usize, usize)> {
    let total = a.len() + b.len();
    let mut cuts = vec![(0, 0)];
    for c in 1..parts {
        let pivot = pooled_kth(a, b, total * c / parts);
        let cut = (
            a.partition_point(|&x| x < pivot),
            b.partition_point(|&y| y < pivot),
        );
        if cuts
            .last()
            .is_some_and(|&last| cut.0 + cut.1 > last.0 + last.1)
        {
            cuts.push(cut);
        }
    }
    cuts.push((a.len(), b.len()));
    cuts.dedup();
    cuts
}

/// Maps the pieces with `f`, in parallel when there are several (a single piece runs
/// on the calling thread: no hand-off to the pool for small inputs, such as the
/// streaming detectors' windows).
pub(crate) fn par_map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() > 1 {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

/// How many pieces a merge over `total` pooled values is cut into: one below
/// [`PARALLEL_MERGE_MIN`], else two per thread (pieces differ in work).
pub(crate) fn parallel_parts(total: usize) -> usize {
    if total < PARALLEL_MERGE_MIN {
        1
    } else {
        2 * rayon::current_num_threads()
    }
}

/// The first index at or after `from` whose value is not below `pivot`, by
/// galloping forward (cheap when the answer is near `from`, as it is for increasing
/// pivots).
fn gallop(x: &[f64], from: usize, pivot: f64) -> usize {
    let mut lo = from;
    let mut step = 1;
    let mut hi = from;
    while hi < x.len() && x[hi] < pivot {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(x.len());
    lo + x[lo..hi].partition_point(|&v| v < pivot)
}

/// Cuts two sorted samples into many small blocks by value (as [`value_cuts`]):
/// pivots are every `step`-th value of either sample, so a block holds at most `step`
/// values of each (more only when values repeat). One forward walk, no searches
/// over the whole samples.
pub(crate) fn block_cuts(a: &[f64], b: &[f64], step: usize) -> Vec<(usize, usize)> {
    let step = step.max(1);
    let mut cuts = vec![(0usize, 0usize)];
    let (mut ia, mut ib) = (step, step);
    let (mut pa, mut pb) = (0usize, 0usize);
    loop {
        let pivot = match (a.get(ia), b.get(ib)) {
            (Some(&x), Some(&y)) if x <= y => {
                ia += step;
                x
            }
            (Some(_), Some(&y)) => {
                ib += step;
                y
            }
            (Some(&x), None) => {
                ia += step;
                x
            }
            (None, Some(&y)) => {
                ib += step;
                y
            }
            (None, None) => break,
        };
        pa = gallop(a, pa, pivot);
        pb = gallop(b, pb, pivot);
        if cuts.last().is_some_and(|&last| pa + pb > last.0 + last.1) {
            cuts.push((pa, pb));
        }
    }
    cuts.push((a.len(), b.len()));
    cuts.dedup();
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_separate_values() {
        let a: Vec<f64> = (0..1000).map(|i| f64::from(i / 3)).collect();
        let b: Vec<f64> = (0..700).map(|i| f64::from(i) * 0.7).collect();
        for cuts in [block_cuts(&a, &b, 16), value_cuts(&a, &b, 9)] {
            assert_eq!(cuts[0], (0, 0));
            assert_eq!(*cuts.last().unwrap(), (a.len(), b.len()));
            for w in cuts.windows(2) {
                assert!(w[0].0 <= w[1].0 && w[0].1 <= w[1].1);
                // every value before a cut is below every value after it
                let below = a[..w[1].0]
                    .iter()
                    .chain(&b[..w[1].1])
                    .fold(f64::MIN, |m, &v| m.max(v));
                let above = a[w[1].0..]
                    .iter()
                    .chain(&b[w[1].1..])
                    .fold(f64::MAX, |m, &v| m.min(v));
                assert!(below < above || w[1] == (a.len(), b.len()));
            }
        }
        assert!(block_cuts(&a, &b, 16).len() > 50);
    }
}
