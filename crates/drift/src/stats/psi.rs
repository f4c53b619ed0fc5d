//! Population Stability Index on reference deciles.
//!
//! Ten bins: the inner edges are `np.quantile(reference, [0.1, ..., 0.9])` (linear
//! interpolation), the outer edges -inf/+inf; a value equal to an inner edge falls in
//! the bin to its right (np.histogram). Proportions are floored at 1e-4 so an empty
//! bin stays finite; `PSI = sum((cur - ref) * ln(cur / ref))`. The edges and the
//! reference counts depend on the reference only, so a fitted reference keeps them and
//! a check costs one pass over the current values.

use rayon::prelude::*;

use driftwatch_core::quantile::QuantilePosition;
#[cfg(test)]
use driftwatch_core::quantile::quantile_sorted;

use super::{sorted_copy, validate};
use crate::Error;

/// Floor on bin proportions.
pub const PSI_FLOOR: f64 = 1e-4;

/// The nine inner decile edges of a sorted reference (quantiles `0.1 * i`).
#[must_use]
pub fn decile_edges(sorted_reference: &[f64]) -> Vec<f64> {
    decile_edges_by(sorted_reference.len(), |rank| sorted_reference[rank])
}

/// Where each decile edge of `n` reference values falls (the order statistics it
/// interpolates between); empty when `n` is 0.
#[must_use]
pub fn decile_positions(n: usize) -> Vec<QuantilePosition> {
    (1..10)
        .filter_map(|i| QuantilePosition::new(n, 0.1 * f64::from(i)))
        .collect()
}

/// [`decile_edges`] of `n` values from their order statistics, `at(rank)` (only the
/// ranks of [`decile_positions`] are asked): the same edges, bit for bit, for a
/// reference known by a few order statistics rather than its sorted sample. NaN
/// edges when `n` is 0.
#[must_use]
pub fn decile_edges_by(n: usize, mut at: impl FnMut(usize) -> f64) -> Vec<f64> {
    if n == 0 {
        return vec![f64::NAN; 9];
    }
    decile_positions(n)
        .into_iter()
        .map(|p| p.interpolate(at(p.lower), at(p.upper)))
        .collect()
}

/// Counts of sorted values in the bins cut by `inner_edges` (outer edges infinite;
/// `edges.len() + 1` bins; a value on an edge goes right).
#[must_use]
pub fn bin_counts_sorted(sorted: &[f64], inner_edges: &[f64]) -> Vec<f64> {
    bins_from_below(
        inner_edges
            .iter()
            .map(|&e| sorted.partition_point(|&v| v < e)),
        sorted.len(),
    )
}

/// Bin counts of `n` values from how many are below each inner edge (ascending
/// edges; a value on an edge goes right), as [`bin_counts_sorted`] makes them.
#[must_use]
pub fn bins_from_below(below: impl IntoIterator<Item = usize>, n: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let mut prev = 0usize;
    for p in below {
        // never below the previous cut, so a NaN edge (a decile next to an infinity,
        // where PSI is undefined) gives an empty bin instead of an underflow
        let p = p.max(prev);
        out.push((p - prev) as f64);
        prev = p;
    }
    out.push((n - prev) as f64);
    out
}

/// As [`bin_counts_sorted`] for values in any order: one pass, no sort.
///
/// A value's bin is the number of edges at or below it: counted by comparing it
/// with every edge (branch-free; the fastest for the few edges of PSI and Sturges
/// bins) up to 32 edges, by binary search above. Long inputs are counted in pieces
/// in parallel.
#[must_use]
pub fn bin_counts(values: &[f64], inner_edges: &[f64]) -> Vec<f64> {
    const PIECE: usize = 1 << 16;
    let bins = inner_edges.len() + 1;
    let count = |piece: &[f64]| -> Vec<u64> {
        let mut out = vec![0u64; bins];
        if bins <= 33 {
            for &v in piece {
                out[inner_edges.iter().filter(|&&e| e <= v).count()] += 1;
            }
        } else {
            for &v in piece {
                out[inner_edges.partition_point(|&e| e <= v)] += 1;
            }
        }
        out
    };
    let counts = if values.len() <= PIECE {
        count(values)
    } else {
        values.par_chunks(PIECE).map(count).reduce(
            || vec![0u64; bins],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )
    };
    counts.into_iter().map(|c| c as f64).collect()
}

/// PSI from bin counts of the reference and the current sample.
#[must_use]
pub fn psi_from_counts(reference: &[f64], current: &[f64]) -> f64 {
    let (nr, nc) = (reference.iter().sum::<f64>(), current.iter().sum::<f64>());
    reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| {
            let r = (r / nr).max(PSI_FLOOR);
            let c = (c / nc).max(PSI_FLOOR);
            (c - r) * (c / r).ln()
        })
        .sum()
}

/// PSI of `current` against `reference` on reference deciles.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn psi(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    let r = sorted_copy(reference, "reference")?;
    validate(current, "current")?;
    let edges = decile_edges(&r);
    Ok(psi_from_counts(
        &bin_counts_sorted(&r, &edges),
        &bin_counts(current, &edges),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_bins_follow_numpy() {
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        // np.quantile([1,2,3,4,10], 0.9) == 7.6
        assert!((quantile_sorted(&s, 0.9).unwrap_or(f64::NAN) - 7.6).abs() < 1e-12);
        assert_eq!(bin_counts_sorted(&s, &[2.0, 4.0]), vec![1.0, 2.0, 2.0]);
        assert_eq!(
            bin_counts(&[4.0, 1.0, 2.0, 10.0, 3.0], &[2.0, 4.0]),
            vec![1.0, 2.0, 2.0]
        );
        assert_eq!(psi(&s, &s).unwrap(), 0.0);
        // NaN edges (np.quantile next to an infinity) do not underflow
        assert_eq!(
            bin_counts_sorted(&[1.0, 2.0, f64::INFINITY], &[1.5, f64::NAN, 2.5]),
            vec![1.0, 0.0, 1.0, 1.0]
        );
    }

    #[test]
    fn edges_from_order_statistics_are_numpy_quantiles_bit_for_bit() {
        for n in 1..60usize {
            let sorted: Vec<f64> = (0..n).map(|i| (i as f64).sqrt() * 1.37 - 2.0).collect();
            let want: Vec<u64> = (1..10)
                .map(|i| {
                    quantile_sorted(&sorted, 0.1 * f64::from(i))
                        .unwrap()
                        .to_bits()
                })
                .collect();
            let got: Vec<u64> = decile_edges(&sorted).iter().map(|e| e.to_bits()).collect();
            assert_eq!(got, want, "n = {n}");
            let below = decile_edges(&sorted)
                .iter()
                .map(|&e| sorted.iter().filter(|&&v| v < e).count())
                .collect::<Vec<_>>();
            assert_eq!(
                bins_from_below(below, n),
                bin_counts_sorted(&sorted, &decile_edges(&sorted))
            );
        }
        assert!(decile_edges(&[]).iter().all(|e| e.is_nan()));
        assert_eq!(decile_positions(0), []);
        // 21 values: the 0.1 decile is the order statistic of rank 2 exactly
        assert_eq!(
            (decile_positions(21)[0].lower, decile_positions(21)[0].gamma),
            (2, 0.0)
        );
    }

    #[test]
    fn one_pass_counts_equal_sorted_counts() {
        // long enough for blocks, pieces and a remainder; values on the edges
        let values: Vec<f64> = (0..200_003)
            .map(|i| f64::from((i * 7919) % 1000) / 10.0)
            .collect();
        let edges = [5.0, 10.0, 10.5, 33.3, 50.0, 77.7, 90.0, 99.9];
        let mut sorted = values.clone();
        crate::stats::sort_f64(&mut sorted);
        assert_eq!(
            bin_counts(&values, &edges),
            bin_counts_sorted(&sorted, &edges)
        );
        // many edges: the binary search
        let many: Vec<f64> = (0..40).map(|i| f64::from(i) / 3.0).collect();
        assert_eq!(
            bin_counts(&values, &many),
            bin_counts_sorted(&sorted, &many)
        );
    }
}
