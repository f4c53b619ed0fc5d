//! Quantiles of a sorted sample as numpy computes them: one copy for the crates that
//! need one (PSI decile edges in drift, latency percentiles in metrics).

/// `np.quantile(sorted, q)` with numpy's default `linear` method, bit for bit (its
/// `_lerp`: from the upper neighbour when the fraction is at least one half, which
/// keeps the result monotone in `q`). `None` for an empty sample or a `q` outside
/// `0..=1`.
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let p = QuantilePosition::new(sorted.len(), q)?;
    Some(p.interpolate(sorted[p.lower], sorted[p.upper]))
}

/// Where numpy's linear quantile `q` of `n` sorted values falls: the two order
/// statistics it interpolates between and the weight of the upper one. Apart from
/// the values, so that a caller that finds those two order statistics without the
/// sorted sample (drift's selection pass over a table too large to keep) gets the
/// quantile of [`quantile_sorted`], bit for bit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantilePosition {
    /// Rank (0-based) of the lower order statistic.
    pub lower: usize,
    /// Rank of the upper one (`lower + 1`, or `lower` at the last value).
    pub upper: usize,
    /// Weight of the upper one, in `[0, 1)`.
    pub gamma: f64,
}

impl QuantilePosition {
    /// The position of quantile `q` among `n` values; `None` when `n` is 0 or `q` is
    /// outside `0..=1`.
    #[must_use]
    pub fn new(n: usize, q: f64) -> Option<Self> {
        if n == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let virtual_index = (n - 1) as f64 * q;
        let prev = virtual_index.floor();
        let gamma = virtual_index - prev;
        let lower = (prev as usize).min(n - 1);
        let upper = (lower + 1).min(n - 1);
        Some(QuantilePosition {
            lower,
            upper,
            gamma,
        })
    }

    /// The quantile from the order statistics `a` (rank `lower`) and `b` (rank
    /// `upper`): numpy's `_lerp`.
    #[must_use]
    pub fn interpolate(&self, a: f64, b: f64) -> f64 {
        let diff = b - a;
        if self.gamma >= 0.5 {
            b - diff * (1.0 - self.gamma)
        } else {
            a + diff * self.gamma
        }
    }
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

    #[test]
    fn position_names_the_two_order_statistics() {
        // np.quantile of 11 values at 0.35: index 3.5, from ranks 3 and 4
        let p = QuantilePosition::new(11, 0.35).unwrap_or_else(|| unreachable!());
        assert_eq!((p.lower, p.upper), (3, 4));
        assert!((p.gamma - 0.5).abs() < 1e-12);
        assert_eq!(p.interpolate(10.0, 20.0), 15.0);
        // the last value interpolates with itself
        let p = QuantilePosition::new(5, 1.0).unwrap_or_else(|| unreachable!());
        assert_eq!((p.lower, p.upper, p.gamma), (4, 4, 0.0));
        assert_eq!(QuantilePosition::new(0, 0.5), None);
    }
}
