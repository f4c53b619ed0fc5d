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

/// How many pieces a merge over `total` pooled values is cut into: one below
/// [`PARALLEL_MERGE_MIN`], else two per thread (pieces differ in work).
pub(crate) fn parallel_parts(total: usize) -> usize {
    if total < PARALLEL_MERGE_MIN {
        1
    } else {
        2 * rayon::current_num_threads()
    }
}
