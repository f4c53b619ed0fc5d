//! Wasserstein-1 distance, `scipy.stats.wasserstein_distance(u, v)`, and the version
//! normed by the reference's standard deviation (Evidently's drift score).

use super::merge::{par_map, parallel_parts, value_cuts};
use super::std_population;
use crate::Error;

/// Floor on the reference std in [`wasserstein_normed`] (Evidently's value), so a
/// constant reference does not divide by zero.
pub const STD_FLOOR: f64 = 0.001;

/// Integral of `|F_u - G_v|^p` over the pooled support of two sorted samples
/// (scipy's `_cdf_distance` before its final root), `p` 1 or 2.
///
/// One merge pass: after each pooled value `x` (in order) the ECDFs are constant up
/// to the next pooled value, so `|F_u(x) - G_v(x)|^p * (next - x)` is added (zero
/// between equal values). Long samples are cut by value into pieces summed in
/// parallel.
pub(crate) fn cdf_integral(u: &[f64], v: &[f64], p: i32) -> f64 {
    let cuts = value_cuts(u, v, parallel_parts(u.len() + v.len()));
    let scale = (u.len() as f64, v.len() as f64);
    let pieces: Vec<(usize, usize, usize, usize)> = cuts
        .windows(2)
        .map(|w| (w[0].0, w[1].0, w[0].1, w[1].1))
        .collect();
    let sums: Vec<f64> = par_map(pieces, |(i0, i1, j0, j1)| {
        // the first pooled value after the piece closes its last interval
        let next = match (u.get(i1), v.get(j1)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => f64::NAN,
        };
        let piece = (&u[i0..i1], &v[j0..j1]);
        if p == 1 {
            integral_piece(piece, (i0, j0), scale, next, f64::abs)
        } else {
            integral_piece(piece, (i0, j0), scale, next, |d| d.powi(p))
        }
    });
    sums.iter().sum()
}

/// [`cdf_integral`] over one piece (`u` and `v` follow `i0` and `j0` values), up to
/// `next` (NaN after the last piece), with `pow(d) = |d|^p`.
fn integral_piece(
    (u, v): (&[f64], &[f64]),
    (i0, j0): (usize, usize),
    (nu, nv): (f64, f64),
    next: f64,
    pow: impl Fn(f64) -> f64,
) -> f64 {
    let (mut i, mut j) = (0, 0);
    let mut total = 0.0;
    // the pooled value just taken and the ECDF difference after it
    let mut prev = f64::NAN;
    let mut diff = 0.0;
    // ECDF values by multiplication (a division per value would bound the loop);
    // they differ from numpy's `count / n` by at most an ulp.
    let (ru, rv) = (1.0 / nu, 1.0 / nv);
    let mut step = |x: f64, i: usize, j: usize| {
        if !prev.is_nan() {
            total += pow(diff) * (x - prev);
        }
        prev = x;
        diff = (i0 + i) as f64 * ru - (j0 + j) as f64 * rv;
    };
    let (short, long) = (u.len().min(v.len()), u.len().max(v.len()));
    if long >= 4 * short {
        // Unequal sizes (a window against a large reference): walk runs of the
        // longer sample between two values of the shorter one; the run loop's exit
        // is well predicted.
        while i < u.len() && j < v.len() {
            if u[i] <= v[j] {
                let stop = v[j];
                while i < u.len() && u[i] <= stop {
                    i += 1;
                    step(u[i - 1], i, j);
                }
            } else {
                let stop = u[i];
                while j < v.len() && v[j] < stop {
                    j += 1;
                    step(v[j - 1], i, j);
                }
            }
        }
    } else {
        // Branch-free merge step: `t` is 1 when the value of `u` comes first.
        while i < u.len() && j < v.len() {
            let (a, b) = (u[i], v[j]);
            let t = usize::from(a <= b);
            i += t;
            j += 1 - t;
            step(a.min(b), i, j);
        }
    }
    while i < u.len() {
        i += 1;
        step(u[i - 1], i, j);
    }
    while j < v.len() {
        j += 1;
        step(v[j - 1], i, j);
    }
    if !next.is_nan() {
        step(next, i, j);
    }
    total
}

/// Wasserstein-1 distance of two sorted, finite, non-empty samples.
#[must_use]
pub fn wasserstein_sorted(reference: &[f64], current: &[f64]) -> f64 {
    cdf_integral(reference, current, 1)
}

/// `scipy.stats.wasserstein_distance(reference, current)`.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn wasserstein_distance(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let (r, c) = super::sorted_copies(reference, current);
    Ok(wasserstein_sorted(&r?, &c?))
}

/// Wasserstein distance divided by `max(std(reference, ddof=0), 0.001)`, given the
/// reference std: the shift in units of the reference spread (NaN when the std is, as
/// with an infinite reference value).
#[must_use]
pub fn wasserstein_normed_sorted(reference: &[f64], current: &[f64], reference_std: f64) -> f64 {
    wasserstein_sorted(reference, current) / floored(reference_std)
}

/// `max(std, 0.001)` as Python's `max` evaluates it: a NaN std (an infinite reference
/// value) stays NaN, where `f64::max` would drop it.
fn floored(std: f64) -> f64 {
    if std.is_nan() {
        std
    } else {
        std.max(STD_FLOOR)
    }
}

/// `wasserstein_distance / max(np.std(reference), 0.001)`.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn wasserstein_normed(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let d = wasserstein_distance(reference, current)?;
    Ok(d / floored(std_population(reference)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0
        assert_eq!(
            wasserstein_distance(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]).unwrap(),
            5.0
        );
        // scipy.stats.wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]) == 2.7
        let d = wasserstein_distance(&[3.4, 3.9, 7.5, 7.8], &[4.5, 1.4]).unwrap();
        assert!((d - 2.7).abs() < 1e-12, "{d}");
        assert!(wasserstein_distance(&[], &[1.0]).is_err());
    }

    /// The integral walked group by group, in one piece (the definition).
    fn by_groups(u: &[f64], v: &[f64], p: i32) -> f64 {
        let (nu, nv) = (u.len() as f64, v.len() as f64);
        let (mut cu, mut cv) = (0usize, 0usize);
        let mut prev: Option<f64> = None;
        let mut total = 0.0;
        crate::stats::for_each_group(u, v, |value, a, b| {
            if let Some(p0) = prev {
                total += (cu as f64 / nu - cv as f64 / nv).abs().powi(p) * (value - p0);
            }
            cu += a;
            cv += b;
            prev = Some(value);
        });
        total
    }

    #[test]
    fn pieces_in_parallel_add_up_to_the_whole() {
        let mut state = 0x853C_49E6_748F_EA9B_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for grid in [1e12, 500.0] {
            // long enough to be cut into pieces; the coarse grid makes ties
            let mut u: Vec<f64> = (0..70_000)
                .map(|_| (next() * grid).floor() / grid)
                .collect();
            let mut v: Vec<f64> = (0..50_000)
                .map(|_| (next() * grid).floor() / grid + 0.05)
                .collect();
            crate::stats::sort_f64(&mut u);
            crate::stats::sort_f64(&mut v);
            for p in [1, 2] {
                let (got, want) = (cdf_integral(&u, &v, p), by_groups(&u, &v, p));
                assert!((got - want).abs() <= 1e-12 * want, "p={p}: {got} vs {want}");
            }
        }
    }
}
