//! Passes over long samples in small pieces that the pool's threads claim one at a
//! time. A fixed split (two halves on two threads) waits for the slower half, and on
//! a busy machine one thread may sit descheduled for milliseconds; with claimed
//! pieces the running threads take the rest, and the join waits for at most one
//! piece. Each thread accumulates into its own state, so the results are only
//! order-free ones (integer counts, minima and maxima, values sorted afterwards):
//! which pieces a thread gets varies from run to run, the answer must not.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

/// Values per piece: small next to a sample of 1e6 (about thirty pieces each), large
/// next to the cost of claiming one (one atomic add).
const PIECE: usize = 1 << 15;

/// Runs `work(state, sample index, piece)` over every piece of [`PIECE`] values of
/// each sample, on the pool's threads in turn; returns the state of each thread
/// that claimed a piece (made by `init` on its first piece). Short inputs (one
/// piece) and one-thread pools run on the calling thread.
pub(crate) fn claim_pieces<A: Send>(
    samples: &[&[f64]],
    init: impl Fn() -> A + Sync,
    work: impl Fn(&mut A, usize, &[f64]) + Sync,
) -> Vec<A> {
    // the first piece of each sample, in one numbering
    let mut firsts = Vec::with_capacity(samples.len() + 1);
    let mut total = 0;
    for s in samples {
        firsts.push(total);
        total += s.len().div_ceil(PIECE);
    }
    firsts.push(total);
    let piece = |k: usize| -> (usize, &[f64]) {
        let s = firsts.partition_point(|&f| f <= k) - 1;
        let from = (k - firsts[s]) * PIECE;
        let x = samples[s];
        (s, &x[from..(from + PIECE).min(x.len())])
    };
    let workers = rayon::current_num_threads().min(total);
    if workers <= 1 {
        let mut state = init();
        for k in 0..total {
            let (s, x) = piece(k);
            work(&mut state, s, x);
        }
        return vec![state];
    }
    let next = AtomicUsize::new(0);
    (0..workers)
        .into_par_iter()
        .with_max_len(1)
        .filter_map(|_| {
            let mut state = None;
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= total {
                    return state;
                }
                let (s, x) = piece(k);
                work(state.get_or_insert_with(&init), s, x);
            }
        })
        .collect()
}

/// Smallest and largest value and whether a NaN was seen, of each sample (as
/// [`super::range`]), in claimed pieces.
pub(crate) fn ranges(samples: &[&[f64]]) -> Vec<(f64, f64, bool)> {
    let empty = (f64::INFINITY, f64::NEG_INFINITY, false);
    let merge = |a: (f64, f64, bool), b: (f64, f64, bool)| (a.0.min(b.0), a.1.max(b.1), a.2 | b.2);
    let states = claim_pieces(
        samples,
        || vec![empty; samples.len()],
        |state, s, x| state[s] = merge(state[s], super::range(x)),
    );
    let mut out = vec![empty; samples.len()];
    for state in states {
        for (o, r) in out.iter_mut().zip(state) {
            *o = merge(*o, r);
        }
    }
    out
}

/// Buffers of earlier calls, kept for the next: a fresh buffer of megabytes is
/// mapped and zeroed by the kernel page by page on every call (for the KS cells'
/// counts a seventh of their time). At most [`KEPT`] are kept.
struct Kept<T>(Mutex<Vec<T>>);

/// Buffers kept by each [`Kept`] (one per thread of a small pool, and the result).
const KEPT: usize = 8;

impl<T> Kept<T> {
    /// No buffers yet.
    const fn new() -> Self {
        Self(Mutex::new(Vec::new()))
    }

    /// A kept buffer, if there is one.
    fn take(&self) -> Option<T> {
        self.0.lock().ok().and_then(|mut kept| kept.pop())
    }

    /// Keeps a buffer for the next call (unless [`KEPT`] are kept already).
    fn put(&self, buffer: T) {
        if let Ok(mut kept) = self.0.lock()
            && kept.len() < KEPT
        {
            kept.push(buffer);
        }
    }
}

/// The count buffers of [`histograms`].
static COUNTS: Kept<Vec<u32>> = Kept::new();

/// `len` zero counts, in a kept buffer when there is one.
fn zeroed_counts(len: usize) -> Vec<u32> {
    match COUNTS.take() {
        Some(mut v) => {
            v.clear();
            v.resize(len, 0);
            v
        }
        None => vec![0; len],
    }
}

/// Counts per cell of each sample (`cell(v) < cells` for every value), in claimed
/// pieces: `cells` counts of the first sample, then of the second, and so on.
fn histograms(samples: &[&[f64]], cells: usize, cell: impl Fn(f64) -> usize + Sync) -> Vec<u32> {
    let states = claim_pieces(
        samples,
        || zeroed_counts(cells * samples.len()),
        |hist, s, x| {
            let h = &mut hist[s * cells..(s + 1) * cells];
            for &v in x {
                h[cell(v)] += 1;
            }
        },
    );
    let mut states = states.into_iter();
    let mut out = states
        .next()
        .unwrap_or_else(|| zeroed_counts(cells * samples.len()));
    for h in states {
        out.iter_mut().zip(&h).for_each(|(o, c)| *o += c);
        COUNTS.put(h);
    }
    out
}

/// Runs `f` on the counts of [`histograms`], then keeps their buffer for the next
/// call.
pub(crate) fn with_histograms<R>(
    samples: &[&[f64]],
    cells: usize,
    cell: impl Fn(f64) -> usize + Sync,
    f: impl FnOnce(&[u32]) -> R,
) -> R {
    let counts = histograms(samples, cells, cell);
    let out = f(&counts);
    COUNTS.put(counts);
    out
}

/// The values `keep_map` keeps (and maps) of each sample, sorted, so the order in
/// which the pieces were claimed does not show.
pub(crate) fn gather_sorted(
    samples: &[&[f64]],
    keep_map: impl Fn(f64) -> Option<f64> + Sync,
) -> Vec<Vec<f64>> {
    let states = claim_pieces(
        samples,
        || vec![Vec::new(); samples.len()],
        |out: &mut Vec<Vec<f64>>, s, x| out[s].extend(x.iter().filter_map(|&v| keep_map(v))),
    );
    let mut out = vec![Vec::new(); samples.len()];
    for state in states {
        for (o, part) in out.iter_mut().zip(state) {
            if o.is_empty() {
                *o = part;
            } else {
                o.extend_from_slice(&part);
            }
        }
    }
    if out.iter().map(Vec::len).sum::<usize>() >= super::merge::PARALLEL_MERGE_MIN {
        out.par_iter_mut().for_each(|v| super::sort_f64(v));
    } else {
        out.iter_mut().for_each(|v| super::sort_f64(v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64 - 0.25
            })
            .collect()
    }

    #[test]
    fn pieces_cover_every_value_once() {
        // lengths around the piece size, and an empty sample
        let a = sample(3 * PIECE + 17, 1);
        let b = sample(PIECE - 1, 2);
        let c: Vec<f64> = Vec::new();
        let samples = [&a[..], &b[..], &c[..]];
        let states = claim_pieces(
            &samples,
            || [0usize; 3],
            |n, s, x| {
                assert!(!x.is_empty() && x.len() <= PIECE);
                n[s] += x.len();
            },
        );
        let mut n = [0usize; 3];
        for st in states {
            n.iter_mut().zip(st).for_each(|(o, k)| *o += k);
        }
        assert_eq!(n, [a.len(), b.len(), 0]);
    }

    #[test]
    fn ranges_histograms_and_gathers_equal_one_pass() {
        let mut a = sample(5 * PIECE + 3, 3);
        let b = sample(2 * PIECE, 4);
        a[PIECE + 5] = f64::NAN;
        let r = ranges(&[&a, &b]);
        let (lo, hi, _) = super::super::range(&b);
        assert_eq!(r[1], (lo, hi, false));
        assert!(r[0].2 && r[0].0 >= -0.25 && r[0].1 < 0.75);

        let cell = |v: f64| {
            if v.is_nan() {
                0
            } else {
                ((v + 0.25) * 8.0) as usize
            }
        };
        // twice: the second call reuses the first one's buffers
        for _ in 0..2 {
            with_histograms(&[&a, &b], 8, cell, |h| {
                for (k, x) in [&a, &b].into_iter().enumerate() {
                    let mut want = [0u32; 8];
                    x.iter().for_each(|&v| want[cell(v)] += 1);
                    assert_eq!(&h[k * 8..(k + 1) * 8], &want[..]);
                }
            });
        }

        let keep = |v: f64| (v > 0.5).then_some(v - 0.5);
        let g = gather_sorted(&[&a, &b], keep);
        for (k, x) in [&a, &b].into_iter().enumerate() {
            let mut want: Vec<f64> = x.iter().filter_map(|&v| keep(v)).collect();
            super::super::sort_f64(&mut want);
            assert_eq!(g[k], want);
        }
    }
}
