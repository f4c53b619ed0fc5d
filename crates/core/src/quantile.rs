//! Quantiles of a sorted sample as numpy computes them: one copy for the crates that
//! need one (PSI decile edges in drift, latency percentiles in metrics).

/// `np.quantile(sorted, q)` with numpy's default `linear` method, bit for bit (its
/// `_lerp`: from the upper neighbour when the fraction is at least one half, which
/// keeps the result monotone in `q`). `None` for an empty sample or a `q` outside
/// `0..=1`.
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let virtual_index = (n - 1) as f64 * q;
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let lo = (prev as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    Some(if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_linear() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        // numpy.percentile(range(1, 101), [0, 50, 95, 99, 100])
        assert_eq!(quantile_sorted(&v, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&v, 0.5), Some(50.5));
        assert!((quantile_sorted(&v, 0.95).unwrap_or(f64::NAN) - 95.05).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.99).unwrap_or(f64::NAN) - 99.01).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 1.0), Some(100.0));
        // np.quantile([1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9) = 8.2 (from 9 - 1 * 0.8)
        let s: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(quantile_sorted(&s, 0.9), Some(9.0 - 0.8 * 1.0));
        assert_eq!(quantile_sorted(&[7.0], 0.99), Some(7.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&v, 1.5), None);
        assert_eq!(quantile_sorted(&v, f64::NAN), None);
    }
}
