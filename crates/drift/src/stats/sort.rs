//! The one sort every order-based statistic relies on: f64 values ascending in
//! `f64::total_cmp` order.
//!
//! Short slices use a comparison sort. Long ones are sorted on the total-order bit
//! pattern of the f64 (`key`):
//!
//! 1. one pass finds the key range and a histogram of the 10-16 highest bits that
//!    vary in the sample (the cells); runs of adjacent cells are grouped into buckets
//!    of at most 32768 values (a single fuller cell is a bucket of its own);
//! 2. one pass scatters the keys into their buckets (few destinations, so the
//!    writes stream);
//! 3. the buckets, each a contiguous run of the output, are sorted independently (in
//!    parallel for large inputs) and in cache by an LSD radix sort of up to three
//!    11-bit passes: the 22 bits below the cell, then the cell within the bucket
//!    (a pass whose digit is the same for every key is skipped);
//! 4. writing the values back, keys that agree on every sorted bit but differ below
//!    them (rare: a few in a thousand for a million normal values) are put in order
//!    by insertion.
//!
//! The f64 slice itself is the scratch buffer of the LSD passes (keys are stored in it
//! as bit patterns), so the only extra memory is one `u64` per value.

use std::cell::Cell;

use rayon::prelude::*;

thread_local! {
    /// The key buffer of the last long sort on this thread, kept so that sorting a
    /// column after column (or window after window) does not map and fault in fresh
    /// pages every time. Taken out while in use, so a nested sort on the same thread
    /// (rayon work stealing) simply allocates its own.
    static KEYS: Cell<Vec<u64>> = const { Cell::new(Vec::new()) };
    /// The same for [`with_sorted_copy`]'s copies.
    static VALUES: Cell<Vec<f64>> = const { Cell::new(Vec::new()) };
}

/// Fills the reusable buffer of this thread with `fill`, sorts it and runs `f` on it.
fn with_sorted<R>(fill: impl FnOnce(&mut Vec<f64>), f: impl FnOnce(&[f64]) -> R) -> R {
    let mut buf = VALUES.with(Cell::take);
    buf.clear();
    fill(&mut buf);
    sort_f64(&mut buf);
    let out = f(&buf);
    VALUES.with(|b| b.set(buf));
    out
}

/// Runs `f` on the non-missing (non-NaN) values of `sample` in ascending order, sorted
/// in a buffer the next call on this thread reuses.
pub(crate) fn with_sorted_non_missing<R>(sample: &[f64], f: impl FnOnce(&[f64]) -> R) -> R {
    with_sorted(
        |buf| buf.extend(sample.iter().copied().filter(|v| !v.is_nan())),
        f,
    )
}

/// Runs `f` on `sample` in ascending order (sorted in a reused buffer, as
/// [`with_sorted_non_missing`]) after checking it is non-empty and NaN-free: after the
/// sort a NaN sits at one end, so the check is free (the sample is scanned again only
/// to name the first bad index in the error). Infinities are values.
pub(crate) fn with_sorted_copy<R>(
    sample: &[f64],
    which: &'static str,
    f: impl FnOnce(&[f64]) -> R,
) -> Result<R, crate::Error> {
    with_sorted(
        |buf| buf.extend_from_slice(sample),
        |sorted| match (sorted.first(), sorted.last()) {
            (Some(lo), Some(hi)) if !lo.is_nan() && !hi.is_nan() => Ok(f(sorted)),
            _ => Err(super::validate(sample, which)
                .err()
                .unwrap_or(crate::Error::EmptySample { which })),
        },
    )
}

/// Below this length a comparison sort beats the radix sort's fixed cost.
const RADIX_MIN: usize = 512;

/// Buckets shorter than this are sorted by a comparison sort on their keys.
const BUCKET_RADIX_MIN: usize = 1024;

/// Inputs at least this long sort their buckets in parallel.
const PARALLEL_MIN: usize = 1 << 17;

/// Bits per radix digit.
const DIGIT_BITS: u32 = 11;

/// Buckets per digit.
const BUCKETS: usize = 1 << DIGIT_BITS;

/// The bit pattern of `v` as an unsigned key whose order is `f64::total_cmp`'s.
#[inline]
pub(crate) fn total_order_key(v: f64) -> u64 {
    // negative: flip every bit; positive: flip the sign bit (branch-free)
    let b = v.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// Inverse of [`total_order_key`].
#[inline]
pub(crate) fn from_total_order_key(k: u64) -> f64 {
    // inverse of the above: a set top bit marks a positive value
    f64::from_bits(k ^ (((!k as i64 >> 63) as u64) | (1 << 63)))
}

/// Exclusive prefix sums of a histogram.
fn offsets(hist: &[u32; BUCKETS]) -> [usize; BUCKETS] {
    let mut out = [0usize; BUCKETS];
    let mut sum = 0;
    for (o, &c) in out.iter_mut().zip(hist) {
        *o = sum;
        sum += c as usize;
    }
    out
}

/// Most bits of the key that pick a cell of the first (most significant) pass;
/// shorter inputs use fewer (`log2(n) - 3`, at least 10), so that the histogram
/// stays small next to the data.
const MAX_CELL_BITS: u32 = 16;

/// The cells of the first pass: `bits` key bits from `shift` up.
#[derive(Clone, Copy)]
struct Cells {
    bits: u32,
    shift: u32,
}

impl Cells {
    #[inline]
    fn of(self, k: u64) -> usize {
        ((k >> self.shift) as usize) & ((1usize << self.bits) - 1)
    }
}

/// Adjacent cells are grouped into buckets of at most this many values (unless one
/// cell alone holds more), so that a bucket is sorted in cache.
const BUCKET_TARGET: usize = 1 << 15;

/// Sorts values ascending in `f64::total_cmp` order (NaNs by their bit pattern, -0.0
/// before 0.0), the same order as `sort_unstable_by(f64::total_cmp)`.
pub fn sort_f64(values: &mut [f64]) {
    let n = values.len();
    if n < RADIX_MIN || u32::try_from(n).is_err() {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    // Pass 1: the key range and a histogram of the highest bits.
    let bits = (usize::BITS - n.leading_zeros())
        .saturating_sub(3)
        .clamp(10, MAX_CELL_BITS);
    let mut cells = Cells {
        bits,
        shift: 64 - bits,
    };
    let mut hist = vec![0u32; 1 << bits];
    let (mut kmin, mut kmax) = (u64::MAX, 0u64);
    for &v in values.iter() {
        let k = total_order_key(v);
        kmin = kmin.min(k);
        kmax = kmax.max(k);
        hist[cells.of(k)] += 1;
    }
    let varying = kmin ^ kmax;
    if varying == 0 {
        return; // every value has the same bits
    }
    let top_bit = 63 - varying.leading_zeros();
    // The cells start at the highest varying bit (one more pass when the values
    // share more than the top bits).
    let shift = (top_bit + 1).saturating_sub(bits);
    if shift != cells.shift {
        cells.shift = shift;
        hist.iter_mut().for_each(|c| *c = 0);
        for &v in values.iter() {
            hist[cells.of(total_order_key(v))] += 1;
        }
    }
    // Buckets: runs of adjacent cells holding up to BUCKET_TARGET values (and at most
    // 2048 cells, so the cell is one digit of the bucket's sort).
    let mut bucket_of = vec![0u16; hist.len()];
    let mut sizes: Vec<usize> = Vec::new();
    let mut first_cell: Vec<usize> = Vec::new();
    for (cell, &c) in hist.iter().enumerate() {
        let c = c as usize;
        let fits = match (sizes.last(), first_cell.last()) {
            (Some(&size), Some(&first)) => {
                (size + c <= BUCKET_TARGET || c == 0) && cell - first < BUCKETS
            }
            _ => false,
        };
        if !fits {
            sizes.push(0);
            first_cell.push(cell);
        }
        if let Some(size) = sizes.last_mut() {
            *size += c;
        }
        // at most 2^16 cells, so bucket numbers fit
        bucket_of[cell] = u16::try_from(sizes.len() - 1).unwrap_or(u16::MAX);
    }
    // Pass 2: scatter the keys into their buckets.
    let mut keys = KEYS.with(Cell::take);
    keys.clear();
    keys.resize(n, 0);
    let mut next: Vec<usize> = Vec::with_capacity(sizes.len());
    let mut sum = 0;
    for &s in &sizes {
        next.push(sum);
        sum += s;
    }
    for &v in values.iter() {
        let k = total_order_key(v);
        let b = usize::from(bucket_of[cells.of(k)]);
        keys[next[b]] = k;
        next[b] += 1;
    }
    // The buckets: matching runs of `keys` and of `values` (the scratch and output).
    let mut buckets: Vec<(&mut [u64], &mut [f64], usize)> = Vec::new();
    let (mut rest_k, mut rest_v) = (keys.as_mut_slice(), &mut *values);
    for (&c, &first) in sizes.iter().zip(&first_cell) {
        if c == 0 {
            continue;
        }
        let (k, kt) = rest_k.split_at_mut(c);
        let (v, vt) = rest_v.split_at_mut(c);
        buckets.push((k, v, first));
        rest_k = kt;
        rest_v = vt;
    }
    let sort = |(k, v, first): (&mut [u64], &mut [f64], usize)| {
        sort_bucket(k, v, cells, first);
    };
    if n >= PARALLEL_MIN {
        buckets.into_par_iter().for_each(sort);
    } else {
        buckets.into_iter().for_each(sort);
    }
    KEYS.with(|k| k.set(keys));
}

/// One radix digit: `((key >> shift) & mask) - base`, below [`BUCKETS`].
#[derive(Clone, Copy)]
struct Digit {
    shift: u32,
    mask: u64,
    base: u64,
}

impl Digit {
    #[inline]
    fn of(self, k: u64) -> usize {
        (((k >> self.shift) & self.mask).wrapping_sub(self.base) as usize) & (BUCKETS - 1)
    }
}

/// Sorts one bucket: its keys lie in the cells `first_cell..` (at `cell_shift`). LSD
/// passes on the 22 bits below the cell and on the cell offset (`out` is the scratch),
/// then the values are written to `out`, and runs that agree on all those bits (rare)
/// are ordered by their full keys.
fn sort_bucket(keys: &mut [u64], out: &mut [f64], cells: Cells, first_cell: usize) {
    let cell_shift = cells.shift;
    let m = keys.len();
    if m < BUCKET_RADIX_MIN {
        keys.sort_unstable();
        for (o, &k) in out.iter_mut().zip(keys.iter()) {
            *o = from_total_order_key(k);
        }
        return;
    }
    // The bits below the cell (up to two digits), then the cell offset.
    let low = cell_shift.saturating_sub(2 * DIGIT_BITS);
    let below = cell_shift - low;
    let digits = [
        Digit {
            shift: low,
            mask: (1u64 << below.min(DIGIT_BITS)) - 1,
            base: 0,
        },
        Digit {
            shift: low + DIGIT_BITS,
            mask: (1u64 << below.saturating_sub(DIGIT_BITS)) - 1,
            base: 0,
        },
        Digit {
            shift: cell_shift,
            mask: (1u64 << cells.bits) - 1,
            base: first_cell as u64,
        },
    ];
    let mut hist = [[0u32; BUCKETS]; 3];
    for &k in keys.iter() {
        hist[0][digits[0].of(k)] += 1;
        hist[1][digits[1].of(k)] += 1;
        hist[2][digits[2].of(k)] += 1;
    }
    // `in_out`: whether the keys currently sit in `out` (as bit patterns).
    let mut in_out = false;
    for (h, &digit) in hist.iter().zip(&digits) {
        if h.iter().any(|&c| c as usize == m) {
            continue; // every key has the same digit here
        }
        let mut next = offsets(h);
        if in_out {
            for &b in out.iter() {
                let k = b.to_bits();
                let d = digit.of(k);
                keys[next[d]] = k;
                next[d] += 1;
            }
        } else {
            for &k in keys.iter() {
                let d = digit.of(k);
                out[next[d]] = f64::from_bits(k);
                next[d] += 1;
            }
        }
        in_out = !in_out;
    }
    if in_out {
        finish(out, None, low);
    } else {
        finish(out, Some(keys), low);
    }
}

/// Writes the values of the sorted keys (`keys`, or `out` itself holding them as bit
/// patterns) to `out`. Keys agreeing on every bit from `low` up (the bits sorted on)
/// may still be out of order below it; such runs (rare) are fixed by insertion as
/// they are met.
fn finish(out: &mut [f64], keys: Option<&[u64]>, low: u32) {
    let mut prev = u64::MAX;
    let mut run = 0;
    for i in 0..out.len() {
        let k = match keys {
            Some(keys) => keys[i],
            None => out[i].to_bits(),
        };
        out[i] = from_total_order_key(k);
        if (k ^ prev) >> low == 0 {
            let mut j = i;
            while j > run && out[j - 1].total_cmp(&out[j]).is_gt() {
                out.swap(j - 1, j);
                j -= 1;
            }
        } else {
            run = i;
        }
        prev = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn radix_sort_matches_total_cmp(
            mut v in proptest::collection::vec(proptest::num::f64::ANY, 0..6000),
            dup in 0usize..3,
        ) {
            if dup > 0 && v.len() > 50 {
                let head: Vec<f64> = v[..50].to_vec();
                for (i, x) in v.iter_mut().enumerate() {
                    *x = head[i % 50];
                }
            }
            let mut want = v.clone();
            want.sort_unstable_by(f64::total_cmp);
            sort_f64(&mut v);
            proptest::prop_assert_eq!(bits(&v), bits(&want));
        }
    }

    /// A small xorshift generator.
    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn radix_sort_sorts_long_samples_of_every_shape() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let n = 300_000; // above PARALLEL_MIN
        let shapes: Vec<Vec<f64>> = vec![
            // spread over many exponents and both signs
            (0..n)
                .map(|_| {
                    f64::from_bits(next() >> 2) * if next().is_multiple_of(2) { 1.0 } else { -1.0 }
                })
                .collect(),
            // a narrow range: the varying bits are all low (no fix-up runs)
            (0..n)
                .map(|_| 1000.0 + (next() % 1_000_000) as f64 * 1e-9)
                .collect(),
            // uniform in [0, 1): runs agreeing on the 33 sorted bits need the fix-up
            (0..n)
                .map(|_| (next() >> 11) as f64 / (1u64 << 53) as f64)
                .collect(),
            // heavy ties, signed zeros
            (0..n)
                .map(|i| match i % 5 {
                    0 => -0.0,
                    1 => 0.0,
                    _ => (next() % 7) as f64 - 3.0,
                })
                .collect(),
            // one outlier, otherwise constant
            (0..n).map(|i| if i == 17 { -1e300 } else { 2.5 }).collect(),
        ];
        for mut v in shapes {
            let mut want = v.clone();
            want.sort_unstable_by(f64::total_cmp);
            sort_f64(&mut v);
            assert_eq!(bits(&v), bits(&want));
        }
    }

    #[test]
    fn reused_buffers_sort_check_and_nest() {
        let v = [3.0, f64::NAN, 1.0, 2.0];
        assert_eq!(
            with_sorted_non_missing(&v, <[f64]>::to_vec),
            vec![1.0, 2.0, 3.0]
        );
        assert_eq!(
            with_sorted_copy(&v, "current", <[f64]>::to_vec),
            Err(crate::Error::NotANumber {
                which: "current",
                index: 1
            })
        );
        assert_eq!(
            with_sorted_copy(&[], "current", <[f64]>::len),
            Err(crate::Error::EmptySample { which: "current" })
        );
        // a nested call on the same thread gets its own buffer
        let outer = with_sorted_copy(&[2.0, 1.0], "x", |a| {
            let inner = with_sorted_copy(&[9.0, 8.0, 7.0], "y", <[f64]>::to_vec);
            (a.to_vec(), inner)
        });
        assert_eq!(outer, Ok((vec![1.0, 2.0], Ok(vec![7.0, 8.0, 9.0]))));
    }

    #[test]
    fn keys_round_trip_and_order() {
        for v in [-f64::INFINITY, -1.5, -0.0, 0.0, 1e-310, 2.0, f64::INFINITY] {
            assert_eq!(
                from_total_order_key(total_order_key(v)).to_bits(),
                v.to_bits()
            );
        }
        assert!(total_order_key(-0.0) < total_order_key(0.0));
        assert!(total_order_key(-2.0) < total_order_key(-1.0));
    }
}
