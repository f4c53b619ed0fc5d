//! Isotonic regression as scikit-learn's `IsotonicRegression(increasing=True,
//! out_of_bounds="clip")`, the calibrator NannyML's CBPE fits.
//!
//! Written here rather than taken from a crate: the crates that exist (e.g. `pav_regression`)
//! do pool adjacent violators but not scikit-learn's surrounding semantics, which decide
//! the calibrated values CBPE sums: inputs sorted by `(x, y)`, x values closer than
//! `f64` resolution (1e-15) merged into one point with the mean target, the fitted step
//! points interpolated *linearly* between them (scipy's `interp1d`, not a step
//! function), and inputs outside the fitted range clipped to it.

use serde::{Deserialize, Serialize};

/// numpy's `finfo(float64).resolution`: x values closer than this are one point.
const RESOLUTION: f64 = 1e-15;

/// A fitted increasing isotonic regression: the points of its piecewise linear curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsotonicRegression {
    /// Ascending x of the curve's points (scikit-learn's `X_thresholds_`).
    x: Vec<f64>,
    /// Fitted y at each x, non-decreasing (`y_thresholds_`).
    y: Vec<f64>,
}

impl IsotonicRegression {
    /// Fits y on x with unit weights; `None` when there are no points or any is NaN.
    pub fn fit(x: &[f64], y: &[f64]) -> Option<Self> {
        if x.is_empty() || x.len() != y.len() || x.iter().chain(y).any(|v| v.is_nan()) {
            return None;
        }
        // np.lexsort((y, x)): by x, then by y.
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
        // sklearn's `_make_unique`: a new point once x moved at least RESOLUTION past the
        // first x of the current point.
        let (mut ux, mut uy, mut uw) = (Vec::new(), Vec::new(), Vec::new());
        let mut current_x = x[order[0]];
        let (mut sum_y, mut weight) = (0.0, 0.0);
        for &i in &order {
            if x[i] - current_x >= RESOLUTION {
                ux.push(current_x);
                uy.push(sum_y / weight);
                uw.push(weight);
                current_x = x[i];
                sum_y = y[i];
                weight = 1.0;
            } else {
                sum_y += y[i];
                weight += 1.0;
            }
        }
        ux.push(current_x);
        uy.push(sum_y / weight);
        uw.push(weight);
        let fitted = pool_adjacent_violators(&uy, &uw);
        // Drop interior points equal to both neighbours (they do not change the curve).
        let n = fitted.len();
        let keep = |i: usize| {
            i == 0 || i + 1 == n || fitted[i] != fitted[i - 1] || fitted[i] != fitted[i + 1]
        };
        let (x, y) = (0..n)
            .filter(|&i| keep(i))
            .map(|i| (ux[i], fitted[i]))
            .unzip();
        Some(IsotonicRegression { x, y })
    }

    /// The calibrated value of `v`: clipped to the fitted x range, then interpolated
    /// linearly between the two neighbouring points as scipy's `interp1d` computes it.
    pub fn predict(&self, v: f64) -> f64 {
        let n = self.x.len();
        if n == 1 {
            return self.y[0];
        }
        let t = v.clamp(self.x[0], self.x[n - 1]);
        // searchsorted(x, t, side="left"), clipped to 1..n-1.
        let hi = self.x.partition_point(|&xi| xi < t).clamp(1, n - 1);
        let lo = hi - 1;
        let slope = (self.y[hi] - self.y[lo]) / (self.x[hi] - self.x[lo]);
        slope * (t - self.x[lo]) + self.y[lo]
    }

    /// The x of the fitted curve's points, ascending.
    pub fn thresholds_x(&self) -> &[f64] {
        &self.x
    }

    /// The y of the fitted curve's points, non-decreasing.
    pub fn thresholds_y(&self) -> &[f64] {
        &self.y
    }
}

/// Weighted pool adjacent violators: the non-decreasing sequence closest to `y` in
/// weighted least squares. Blocks are merged left to right, a merged block re-checked
/// against its left neighbour, as scipy's `isotonic_regression` does.
pub fn pool_adjacent_violators(y: &[f64], w: &[f64]) -> Vec<f64> {
    // Blocks as (weighted sum, weight, length).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for (&yi, &wi) in y.iter().zip(w) {
        blocks.push((yi * wi, wi, 1));
        while blocks.len() > 1 {
            let (s1, w1, n1) = blocks[blocks.len() - 1];
            let (s0, w0, n0) = blocks[blocks.len() - 2];
            if s0 / w0 < s1 / w1 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (s0 + s1, w0 + w1, n0 + n1);
        }
    }
    blocks
        .into_iter()
        .flat_map(|(s, w, n)| std::iter::repeat_n(s / w, n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pava_matches_sklearn_docstring() {
        // sklearn.isotonic.isotonic_regression([5, 3, 1, 2, 8, 10, 7, 9, 6, 4])
        let y = [5.0, 3.0, 1.0, 2.0, 8.0, 10.0, 7.0, 9.0, 6.0, 4.0];
        let got = pool_adjacent_violators(&y, &[1.0; 10]);
        let big = 44.0 / 6.0;
        let want = [2.75, 2.75, 2.75, 2.75, big, big, big, big, big, big];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn ties_in_x_are_averaged_and_predictions_interpolate_and_clip() {
        // IsotonicRegression(out_of_bounds="clip").fit([0.1, 0.1, 0.5, 0.9], [0, 1, 0, 1]):
        // X_thresholds_ [0.1, 0.5, 0.9], y_thresholds_ [1/3, 1/3, 1] (the tied x average
        // to 0.5, which pools with the next 0), predict([0.7, -5, 2]) = [2/3, 1/3, 1].
        let m = IsotonicRegression::fit(&[0.1, 0.1, 0.5, 0.9], &[0.0, 1.0, 0.0, 1.0]).unwrap();
        assert_eq!(m.thresholds_x(), &[0.1, 0.5, 0.9]);
        let third = 1.0 / 3.0;
        assert!((m.thresholds_y()[0] - third).abs() < 1e-15);
        assert_eq!(m.thresholds_y()[2], 1.0);
        assert!((m.predict(0.7) - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.predict(-5.0) - third).abs() < 1e-15);
        assert_eq!(m.predict(2.0), 1.0);
        assert!(IsotonicRegression::fit(&[], &[]).is_none());
        assert!(IsotonicRegression::fit(&[f64::NAN], &[1.0]).is_none());
        let one = IsotonicRegression::fit(&[0.3, 0.3], &[0.0, 1.0]).unwrap();
        assert_eq!(one.predict(0.9), 0.5);
    }

    proptest::proptest! {
        #[test]
        fn fitted_curve_is_monotone_and_within_target_range(
            pts in proptest::collection::vec((0.0f64..1.0, 0u8..2), 1..60)
        ) {
            let (x, y): (Vec<f64>, Vec<f64>) = pts.iter().map(|&(a, b)| (a, f64::from(b))).unzip();
            let m = IsotonicRegression::fit(&x, &y).unwrap();
            let ys = m.thresholds_y();
            proptest::prop_assert!(ys.windows(2).all(|w| w[0] <= w[1]));
            let mut prev = f64::NEG_INFINITY;
            for k in 0..=20 {
                let p = m.predict(f64::from(k) / 20.0);
                // scipy's interpolation formula may overshoot the last point by an ulp.
                proptest::prop_assert!((-1e-12..=1.0 + 1e-12).contains(&p) && p >= prev - 1e-12);
                prev = p;
            }
        }
    }
}
