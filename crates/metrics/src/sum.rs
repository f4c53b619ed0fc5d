//! Summation that reproduces NumPy's rounding.
//!
//! scikit-learn reduces with `numpy.sum`/`numpy.mean`, which use pairwise
//! summation with an eight-way unrolled leaf of at most 128 elements. Doing
//! the same additions in the same order makes our results bit-identical to
//! scikit-learn's in the common case instead of merely close.

/// Largest block summed without further splitting (NumPy's `PW_BLOCKSIZE`).
const BLOCK: usize = 128;

/// Sum of `f(start) + … + f(start + n - 1)` in NumPy's pairwise order.
fn pairwise<F: Fn(usize) -> f64>(f: &F, start: usize, n: usize) -> f64 {
    if n < 8 {
        let mut res = 0.0;
        for i in start..start + n {
            res += f(i);
        }
        res
    } else if n <= BLOCK {
        let mut r = [0.0_f64; 8];
        for (j, slot) in r.iter_mut().enumerate() {
            *slot = f(start + j);
        }
        let unrolled_end = n - n % 8;
        let mut i = 8;
        while i < unrolled_end {
            for (j, slot) in r.iter_mut().enumerate() {
                *slot += f(start + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += f(start + i);
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(f, start, n2) + pairwise(f, start + n2, n - n2)
    }
}

/// `numpy.sum` of the `n` values `f(0), …, f(n - 1)`.
pub(crate) fn sum_by<F: Fn(usize) -> f64>(n: usize, f: F) -> f64 {
    pairwise(&f, 0, n)
}

/// `numpy.sum` of a slice.
#[cfg(test)]
pub(crate) fn sum(values: &[f64]) -> f64 {
    sum_by(values.len(), |i| values[i])
}

/// `numpy.mean` of the `n` values `f(0), …, f(n - 1)`; NaN when `n == 0`.
pub(crate) fn mean_by<F: Fn(usize) -> f64>(n: usize, f: F) -> f64 {
    sum_by(n, f) / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sums_are_sequential() {
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[1.0, 2.0, 3.0]), 6.0);
    }

    #[test]
    fn large_sums_are_exact_for_integers() {
        let v: Vec<f64> = (1..=1000).map(f64::from).collect();
        assert_eq!(sum(&v), 500_500.0);
        assert_eq!(mean_by(v.len(), |i| v[i]), 500.5);
    }

    #[test]
    fn pairwise_is_more_accurate_than_naive() {
        // 0.1 summed 10_000 times: pairwise error is far below naive error.
        let v = vec![0.1_f64; 10_000];
        let naive: f64 = v.iter().copied().fold(0.0, |a, b| a + b);
        let pw = sum(&v);
        assert!((pw - 1000.0).abs() <= (naive - 1000.0).abs());
        assert!((pw - 1000.0).abs() < 1e-10);
    }
}
