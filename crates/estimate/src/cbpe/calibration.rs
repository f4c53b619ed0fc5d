//! NannyML's calibration check (`nannyml.calibration.needs_calibration`) and the
//! per-class calibrators CBPE fits on the reference.
//!
//! The check fits isotonic regression on 10 stratified shuffle splits (90% train, 10%
//! test), pools the test rows, and calibrates when the expected calibration error over
//! 10 equal-count bins drops. NannyML draws the splits with scikit-learn's
//! `StratifiedShuffleSplit(random_state=42)` on NumPy's Mersenne Twister and sorts the
//! pooled scores with NumPy's unstable quicksort; this port keeps the split sizes and
//! the rule but draws with its own seeded generator and breaks ties in index order, so
//! on a borderline reference the decision can differ (docs/ESTIMATION.md).

use serde::{Deserialize, Serialize};

use super::isotonic::IsotonicRegression;

/// Splits and bins of NannyML's check.
const SPLITS: usize = 10;
const BINS: usize = 10;
const TEST_SHARE: f64 = 0.1;

/// How one class's probabilities are calibrated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Calibrator {
    /// Left as they are (NannyML's `NoopCalibrator`).
    Identity,
    /// Isotonic regression fitted on the whole reference.
    Isotonic(IsotonicRegression),
}

impl Calibrator {
    /// Fits a calibrator for scores `proba` of one class with binary truth `truth`:
    /// isotonic when `isotonic` is asked for and [`needs_calibration`] says so.
    pub fn fit(proba: &[f64], truth: &[bool], isotonic: bool) -> Calibrator {
        if !isotonic || !needs_calibration(proba, truth) {
            return Calibrator::Identity;
        }
        let y: Vec<f64> = truth.iter().map(|&t| f64::from(u8::from(t))).collect();
        IsotonicRegression::fit(proba, &y).map_or(Calibrator::Identity, Calibrator::Isotonic)
    }

    /// The calibrated score.
    pub fn apply(&self, p: f64) -> f64 {
        match self {
            Calibrator::Identity => p,
            Calibrator::Isotonic(m) => m.predict(p),
        }
    }

    /// Whether the scores are changed.
    pub fn is_isotonic(&self) -> bool {
        matches!(self, Calibrator::Isotonic(_))
    }
}

/// NannyML's rule: calibrate when isotonic regression lowers the expected calibration
/// error on held-out rows. False for a single class, a near-perfect ranking (ROC AUC >
/// 0.999), or a class with fewer than two rows (where scikit-learn's split refuses).
pub fn needs_calibration(proba: &[f64], truth: &[bool]) -> bool {
    let n_pos = truth.iter().filter(|&&t| t).count();
    let n_neg = truth.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return false;
    }
    if super::realized::roc_auc(truth, proba) > 0.999 {
        return false;
    }
    if n_pos < 2 || n_neg < 2 {
        return false;
    }
    let (mut test_truth, mut test_raw, mut test_cal) = (Vec::new(), Vec::new(), Vec::new());
    let mut rng = SplitMix64(42);
    for _ in 0..SPLITS {
        let (train, test) = stratified_split(truth, &mut rng);
        let x: Vec<f64> = train.iter().map(|&i| proba[i]).collect();
        let y: Vec<f64> = train
            .iter()
            .map(|&i| f64::from(u8::from(truth[i])))
            .collect();
        let Some(model) = IsotonicRegression::fit(&x, &y) else {
            return false;
        };
        for &i in &test {
            test_truth.push(f64::from(u8::from(truth[i])));
            test_raw.push(proba[i]);
            test_cal.push(model.predict(proba[i]));
        }
    }
    let Some(edges) = bin_edges(test_raw.len(), BINS) else {
        return false;
    };
    let before = expected_calibration_error(&test_truth, &test_raw, &edges);
    let after = expected_calibration_error(&test_truth, &test_cal, &edges);
    before > after
}

/// NannyML's `_get_bin_index_edges`: `bins` runs of `len / bins` sorted rows, the last
/// one taking the rest; fewer bins for short inputs; `None` below two bins.
fn bin_edges(len: usize, bins: usize) -> Option<Vec<(usize, usize)>> {
    let bins = if len <= 2 * bins { len / 2 } else { bins };
    if bins < 2 {
        return None;
    }
    let width = len / bins;
    let mut edges: Vec<usize> = (0..=len).step_by(width).collect();
    if let Some(last) = edges.last_mut() {
        *last = len;
    }
    Some(edges.windows(2).map(|w| (w[0], w[1])).collect())
}

/// Weighted mean over the bins of |mean score - share of positives|, rows sorted by score.
fn expected_calibration_error(truth: &[f64], proba: &[f64], edges: &[(usize, usize)]) -> f64 {
    let mut order: Vec<usize> = (0..proba.len()).collect();
    order.sort_by(|&a, &b| proba[a].total_cmp(&proba[b]));
    let n = proba.len() as f64;
    edges
        .iter()
        .map(|&(lo, hi)| {
            let rows = &order[lo..hi];
            let k = rows.len() as f64;
            let mean_p = rows.iter().map(|&i| proba[i]).sum::<f64>() / k;
            let mean_t = rows.iter().map(|&i| truth[i]).sum::<f64>() / k;
            k / n * (mean_p - mean_t).abs()
        })
        .sum()
}

/// One stratified split as scikit-learn sizes it: `ceil(0.1 n)` test rows, each class
/// contributing in proportion (largest remainders first), the rows of a class drawn at
/// random.
fn stratified_split(truth: &[bool], rng: &mut SplitMix64) -> (Vec<usize>, Vec<usize>) {
    let n = truth.len();
    let n_test = (TEST_SHARE * n as f64).ceil() as usize;
    let n_train = n - n_test;
    let mut classes: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (i, &t) in truth.iter().enumerate() {
        classes[usize::from(t)].push(i);
    }
    let counts = [classes[0].len(), classes[1].len()];
    let train_counts = approximate_mode(&counts, n_train);
    let rest = [counts[0] - train_counts[0], counts[1] - train_counts[1]];
    let test_counts = approximate_mode(&rest, n_test);
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (c, rows) in classes.iter_mut().enumerate() {
        rng.shuffle(rows);
        train.extend_from_slice(&rows[..train_counts[c]]);
        test.extend_from_slice(&rows[train_counts[c]..train_counts[c] + test_counts[c]]);
    }
    (train, test)
}

/// scikit-learn's `_approximate_mode`: floors of the proportional shares, the rows left
/// over going to the largest remainders (ties to the first class).
fn approximate_mode(counts: &[usize; 2], draws: usize) -> [usize; 2] {
    let total = (counts[0] + counts[1]) as f64;
    let cont = counts.map(|c| c as f64 / total * draws as f64);
    let mut out = cont.map(|c| c.floor() as usize);
    let mut left = draws.saturating_sub(out[0] + out[1]);
    let mut order = [0, 1];
    order.sort_by(|&a, &b| (cont[b] - cont[b].floor()).total_cmp(&(cont[a] - cont[a].floor())));
    for c in order {
        if left > 0 && out[c] < counts[c] {
            out[c] += 1;
            left -= 1;
        }
    }
    out
}

/// A small seeded generator (SplitMix64) for the splits: reproducible, no dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fisher-Yates.
    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_edges_follow_nannyml() {
        // nannyml.calibration._get_bin_index_edges(20, 4) -> [(0,5),(5,10),(10,15),(15,20)]
        assert_eq!(
            bin_edges(20, 4),
            Some(vec![(0, 5), (5, 10), (10, 15), (15, 20)])
        );
        // 23 rows, 10 bins: 11 bins of 2 (len <= 2 * bins halves the count), last takes 3.
        let e = bin_edges(23, 10).unwrap();
        assert_eq!((e.len(), e[e.len() - 1]), (11, (20, 23)));
        assert_eq!(bin_edges(3, 10), None);
    }

    #[test]
    fn split_sizes_are_stratified() {
        let truth: Vec<bool> = (0..95).map(|i| i % 5 == 0).collect();
        let (train, test) = stratified_split(&truth, &mut SplitMix64(1));
        assert_eq!((train.len(), test.len()), (85, 10));
        assert_eq!(test.iter().filter(|&&i| truth[i]).count(), 2);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 95);
        assert_eq!(approximate_mode(&[19, 76], 10), [2, 8]);
    }

    #[test]
    fn miscalibrated_scores_need_calibration_and_calibrated_ones_do_not() {
        // Scores squeezed towards 0.5: the share of positives in a bin runs far from
        // the score, which isotonic regression repairs.
        let n = 4000;
        let mut rng = SplitMix64(7);
        let mut proba = Vec::new();
        let mut truth = Vec::new();
        for _ in 0..n {
            let p = (rng.next_u64() % 1000) as f64 / 1000.0;
            let u = (rng.next_u64() % 1_000_000) as f64 / 1_000_000.0;
            truth.push(u < p);
            proba.push(0.4 + 0.2 * p);
        }
        assert!(needs_calibration(&proba, &truth));
        assert!(!needs_calibration(&proba, &vec![true; n]));
        // A perfect ranking is left alone.
        let sorted: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let perfect: Vec<bool> = (0..100).map(|i| i >= 50).collect();
        assert!(!needs_calibration(&sorted, &perfect));
        let cal = Calibrator::fit(&proba, &truth, true);
        assert!(cal.is_isotonic());
        assert!((cal.apply(0.6) - 1.0).abs() < 0.1);
        assert_eq!(Calibrator::fit(&proba, &truth, false), Calibrator::Identity);
    }
}
