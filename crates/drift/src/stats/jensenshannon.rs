//! Jensen-Shannon distance (natural log), `scipy.spatial.distance.jensenshannon`.
//!
//! Numeric samples are binned on `np.histogram_bin_edges(pooled, bins='sturges')`
//! (equal-width bins over the pooled range); categorical samples use the proportion of
//! each category of the union of both samples' categories.

use super::{sorted_copy, validate};
use crate::Error;

/// `scipy.special.rel_entr(x, y)`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Normalises non-negative weights to sum 1 (unchanged when they sum to 0).
#[must_use]
pub fn normalize(w: &[f64]) -> Vec<f64> {
    let s: f64 = w.iter().sum();
    if s > 0.0 {
        w.iter().map(|v| v / s).collect()
    } else {
        w.to_vec()
    }
}

/// `scipy.spatial.distance.jensenshannon(p, q)` for two weight vectors of equal length
/// (normalised first, as scipy does). In [0, sqrt(ln 2)].
#[must_use]
pub fn jensenshannon(p: &[f64], q: &[f64]) -> f64 {
    let (p, q) = (normalize(p), normalize(q));
    let (mut left, mut right) = (0.0, 0.0);
    for (&a, &b) in p.iter().zip(&q) {
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    ((left + right) / 2.0).max(0.0).sqrt()
}

/// `np.histogram_bin_edges(pooled, bins='sturges')` from the pooled size and range.
#[must_use]
pub fn sturges_edges(min: f64, max: f64, n: usize) -> Vec<f64> {
    let (mut first, mut last) = (min, max);
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let ptp = max - min;
    let width = ptp / ((n as f64).log2() + 1.0);
    let bins = if width > 0.0 {
        ((last - first) / width).ceil().max(1.0) as usize
    } else {
        1
    };
    let step = (last - first) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step + first).collect();
    if let Some(e) = edges.last_mut() {
        *e = last;
    }
    edges
}

/// np.histogram counts of sorted values on `edges` (bins closed on the left, the last
/// also on the right; values outside are not counted).
#[must_use]
pub fn histogram_sorted(sorted: &[f64], edges: &[f64]) -> Vec<f64> {
    let k = edges.len().saturating_sub(1);
    let mut out = Vec::with_capacity(k);
    if k == 0 {
        return out;
    }
    let mut prev = sorted.partition_point(|&v| v < edges[0]);
    for (i, &e) in edges.iter().enumerate().skip(1) {
        let p = if i == k {
            sorted.partition_point(|&v| v <= e)
        } else {
            sorted.partition_point(|&v| v < e)
        };
        out.push((p - prev) as f64);
        prev = p;
    }
    out
}

/// Pooled Sturges bin edges of two sorted, non-empty samples.
#[must_use]
pub fn pooled_sturges_edges(x: &[f64], y: &[f64]) -> Vec<f64> {
    let min = x[0].min(y[0]);
    let max = x[x.len() - 1].max(y[y.len() - 1]);
    sturges_edges(min, max, x.len() + y.len())
}

/// Jensen-Shannon distance of two sorted, finite, non-empty samples on pooled Sturges
/// bins.
#[must_use]
pub fn jensenshannon_sorted(x: &[f64], y: &[f64]) -> f64 {
    let edges = pooled_sturges_edges(x, y);
    let p: Vec<f64> = histogram_sorted(x, &edges)
        .iter()
        .map(|c| c / x.len() as f64)
        .collect();
    let q: Vec<f64> = histogram_sorted(y, &edges)
        .iter()
        .map(|c| c / y.len() as f64)
        .collect();
    jensenshannon(&p, &q)
}

/// Jensen-Shannon distance of two numeric samples on pooled Sturges bins.
///
/// # Errors
/// An empty sample or a non-finite value.
pub fn jensenshannon_numeric(reference: &[f64], current: &[f64]) -> Result<f64, Error> {
    validate(current, "current")?;
    let r = sorted_copy(reference, "reference")?;
    let c = sorted_copy(current, "current")?;
    Ok(jensenshannon_sorted(&r, &c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // jensenshannon([1, 0], [0, 1]) == sqrt(ln 2)
        assert!((jensenshannon(&[1.0, 0.0], &[0.0, 1.0]) - 2f64.ln().sqrt()).abs() < 1e-15);
        // jensenshannon([0.5, 0.5], [0.25, 0.75]) == 0.18390779094047432
        let d = jensenshannon(&[0.5, 0.5], &[0.25, 0.75]);
        assert!((d - 0.18390779094047432).abs() < 1e-15, "{d}");
        // np.histogram_bin_edges([0, 1, 2, 3, 10], bins='sturges') has 5 edges
        let e = sturges_edges(0.0, 10.0, 5);
        assert_eq!(e.len(), 5);
        assert_eq!(
            histogram_sorted(&[0.0, 1.0, 2.0, 3.0, 10.0], &e),
            vec![3.0, 1.0, 0.0, 1.0]
        );
    }
}
