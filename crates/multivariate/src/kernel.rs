//! alibi-detect's MMD pieces: squared distances, the median-heuristic bandwidth, the
//! Gaussian RBF kernel matrix, the unbiased MMD² from it and the permutation test.

use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// alibi-detect clips squared distances below at this.
pub const MIN_DISTANCE: f64 = 1e-30;

/// `|x_i - y_j|²` for every pair, clipped below at [`MIN_DISTANCE`].
pub fn squared_distances(x: ArrayView2<'_, f64>, y: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut d = Array2::<f64>::zeros((x.nrows(), y.nrows()));
    for (i, xi) in x.rows().into_iter().enumerate() {
        for (j, yj) in y.rows().into_iter().enumerate() {
            let s: f64 = xi
                .iter()
                .zip(yj.iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            d[(i, j)] = s.max(MIN_DISTANCE);
        }
    }
    d
}

/// alibi-detect's `sigma_median` on the reference against itself: the square root of
/// half the median of the off-diagonal squared distances (index `n + (n² - n) / 2 - 1`
/// of them all sorted, the n self-distances being the smallest). `None` for fewer than
/// 2 rows.
pub fn sigma_median(x: ArrayView2<'_, f64>) -> Option<f64> {
    let n = x.nrows();
    if n < 2 {
        return None;
    }
    let mut all = squared_distances(x, x).into_raw_vec_and_offset().0;
    let k = n + (n * n - n) / 2 - 1;
    let (_, kth, _) = all.select_nth_unstable_by(k, f64::total_cmp);
    Some((0.5 * *kth).sqrt())
}

/// The Gaussian RBF kernel matrix of the rows of `z` with itself, diagonal zeroed
/// (as alibi-detect's score does before the MMD²).
pub fn kernel_matrix(z: ArrayView2<'_, f64>, sigma: f64) -> Array2<f64> {
    let gamma = 1.0 / (2.0 * sigma * sigma);
    let n = z.nrows();
    let rows: Vec<Vec<f64>> = z.rows().into_iter().map(|r| r.to_vec()).collect();
    let mut k = Array2::<f64>::zeros((n, n));
    // Symmetric: each pair once, the diagonal left at zero.
    for i in 0..n {
        for j in i + 1..n {
            let d: f64 = rows[i]
                .iter()
                .zip(&rows[j])
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            let v = (-gamma * d.max(MIN_DISTANCE)).exp();
            k[(i, j)] = v;
            k[(j, i)] = v;
        }
    }
    k
}

/// Unbiased MMD² from a zero-diagonal kernel matrix whose first `n` rows are the
/// reference and the last `m` the window: `sum(K_xx)/(n(n-1)) + sum(K_yy)/(m(m-1)) -
/// 2 mean(K_xy)`. Needs `n, m >= 2`.
pub fn mmd2_from_kernel(k: ArrayView2<'_, f64>, m: usize) -> f64 {
    let n = k.nrows() - m;
    let (mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0);
    for (i, row) in k.axis_iter(Axis(0)).enumerate() {
        let (left, right) = row.as_slice().map_or_else(
            || {
                let v = row.to_vec();
                (v[..n].iter().sum::<f64>(), v[n..].iter().sum::<f64>())
            },
            |s| (s[..n].iter().sum::<f64>(), s[n..].iter().sum::<f64>()),
        );
        if i < n {
            xx += left;
        } else {
            yy += right;
            xy += left;
        }
    }
    let (nf, mf) = (n as f64, m as f64);
    xx / (nf * (nf - 1.0)) + yy / (mf * (mf - 1.0)) - 2.0 * xy / (nf * mf)
}

/// The outcome of the permutation test.
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationTest {
    /// MMD² of the samples as given.
    pub mmd2: f64,
    /// Share of permutations whose MMD² is at least `mmd2` (alibi-detect's p-value).
    pub p_value: f64,
    /// The MMD² above which a test at level `p_val` flags drift: the permuted values
    /// sorted descending, at index `floor(p_val x permutations)`.
    pub distance_threshold: f64,
}

/// MMD² and its permutation p-value: the rows of the kernel matrix are reassigned to
/// reference and window `n_permutations` times (seeded shuffles). A permuted MMD²
/// needs only `K w` for the permutation's window indicator `w` (`w'Kw` is the window's
/// sum, `(1 - w)'Kw` the cross sum, the reference's sum the rest of the total), so all
/// permutations together are one matrix product `K W`.
pub fn permutation_test(
    k: ArrayView2<'_, f64>,
    m: usize,
    n_permutations: usize,
    p_val: f64,
    seed: u64,
) -> PermutationTest {
    let total = k.nrows();
    let n = total - m;
    let mmd2 = mmd2_from_kernel(k, m);
    let all: f64 = k.sum();
    let (nf, mf) = (n as f64, m as f64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut idx: Vec<usize> = (0..total).collect();
    let mut w = Array2::<f64>::zeros((total, n_permutations));
    for p in 0..n_permutations {
        idx.shuffle(&mut rng);
        for &i in &idx[n..] {
            w[(i, p)] = 1.0;
        }
    }
    let kw = k.dot(&w);
    let mut permuted: Vec<f64> = (0..n_permutations)
        .map(|p| {
            let (mut yy, mut xy) = (0.0, 0.0);
            for (r, in_window) in kw.column(p).iter().zip(w.column(p).iter()) {
                if *in_window > 0.0 {
                    yy += r;
                } else {
                    xy += r;
                }
            }
            let xx = all - yy - 2.0 * xy;
            xx / (nf * (nf - 1.0)) + yy / (mf * (mf - 1.0)) - 2.0 * xy / (nf * mf)
        })
        .collect();
    let p_value = if permuted.is_empty() {
        f64::NAN
    } else {
        permuted.iter().filter(|p| mmd2 <= **p).count() as f64 / permuted.len() as f64
    };
    permuted.sort_by(|a, b| b.total_cmp(a));
    let at = ((p_val * permuted.len() as f64) as usize).min(permuted.len().saturating_sub(1));
    PermutationTest {
        mmd2,
        p_value,
        distance_threshold: permuted.get(at).copied().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn small_known_answers() {
        let x = array![[0.0], [1.0], [3.0]];
        // Off-diagonal squared distances 1, 9, 4 (each twice); the sorted list is
        // [tiny x3, 1, 1, 4, 4, 9, 9], index 3 + 3 - 1 = 5 holds 4: sigma = sqrt(2).
        assert_eq!(sigma_median(x.view()), Some(2f64.sqrt()));
        assert_eq!(sigma_median(array![[1.0]].view()), None);
        let k = kernel_matrix(array![[0.0], [1.0], [0.0], [1.0]].view(), 1.0);
        assert_eq!(k[(0, 0)], 0.0);
        assert_eq!(k[(0, 2)], 1.0);
        // x = {0, 1}, y = {0, 1}: K_xx = K_yy sum to 2e^-1/2, K_xy mean (2 + 2e^-1/2)/4.
        let e = (-0.5f64).exp();
        let want = e + e - 2.0 * (2.0 + 2.0 * e) / 4.0;
        assert!((mmd2_from_kernel(k.view(), 2) - want).abs() < 1e-15);
    }

    #[test]
    fn permuted_sums_equal_the_direct_formula() {
        // The sums identity the permutations use (reference sum = total - window sum -
        // 2 x cross sum) gives the direct MMD².
        let z = array![[0.0, 1.0], [0.5, 0.2], [2.0, 1.0], [1.5, 1.5], [0.1, 0.9]];
        let k = kernel_matrix(z.view(), 1.0);
        let t = permutation_test(k.view(), 2, 200, 0.05, 3);
        assert!((0.0..=1.0).contains(&t.p_value));
        assert!(t.distance_threshold.is_finite());
        let all: f64 = k.sum();
        let direct = mmd2_from_kernel(k.view(), 2);
        let block = |rows: std::ops::Range<usize>, cols: std::ops::Range<usize>| -> f64 {
            rows.flat_map(|i| cols.clone().map(move |j| (i, j)))
                .map(|ij| k[ij])
                .sum()
        };
        let (yy, xy) = (block(3..5, 3..5), block(3..5, 0..3));
        let xx = all - yy - 2.0 * xy;
        let via = xx / 6.0 + yy / 2.0 - 2.0 * xy / 6.0;
        assert!((direct - via).abs() < 1e-14);
    }
}
