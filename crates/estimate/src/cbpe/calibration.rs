//! NannyML's calibration check (`nannyml.calibration.needs_calibration`) and the
//! per-class calibrators CBPE fits on the reference.
//!
//! The check fits isotonic regression on 10 stratified shuffle splits (90% train, 10%
//! test), pools the test rows, and calibrates when the expected calibration error over
//! 10 equal-count bins drops. The decision swings with the split on real data, so the
//! splits are scikit-learn's `StratifiedShuffleSplit(n_splits=10, test_size=0.1,
//! random_state=42)` exactly: NumPy's legacy Mersenne Twister (`mt19937.rs`), its
//! `permutation`, and scikit-learn's `_approximate_mode`. One difference is left:
//! NannyML sorts the pooled scores with NumPy's unstable sort, which orders tied scores
//! in a way no port can follow; here ties keep their pooled order. That moves rows
//! between equal-count bins, so on a borderline reference the decision can differ
//! (docs/ESTIMATION.md).

use serde::{Deserialize, Serialize};

use super::isotonic::IsotonicRegression;
use super::mt19937::Mt19937;

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
    let mut rng = Mt19937::new(42);
    // np.argsort(y, kind="mergesort") split by class: each class's rows ascending.
    let mut classes: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (i, &t) in truth.iter().enumerate() {
        classes[usize::from(t)].push(i);
    }
    for _ in 0..SPLITS {
        let (train, test) = stratified_split(&classes, &mut rng);
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

/// One split of scikit-learn's `StratifiedShuffleSplit._iter_indices`: `ceil(0.1 n)`
/// test rows, each class contributing by `_approximate_mode`, a class's rows taken in a
/// random permutation, then train and test each permuted.
fn stratified_split(classes: &[Vec<usize>; 2], rng: &mut Mt19937) -> (Vec<usize>, Vec<usize>) {
    let counts = [classes[0].len(), classes[1].len()];
    let n = counts[0] + counts[1];
    let n_test = (TEST_SHARE * n as f64).ceil() as usize;
    let n_train = n - n_test;
    let train_counts = approximate_mode(&counts, n_train, rng);
    let rest = [counts[0] - train_counts[0], counts[1] - train_counts[1]];
    let test_counts = approximate_mode(&rest, n_test, rng);
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (c, rows) in classes.iter().enumerate() {
        let perm = rng.permutation(rows.len());
        let picked: Vec<usize> = perm.iter().map(|&k| rows[k]).collect();
        train.extend_from_slice(&picked[..train_counts[c]]);
        test.extend_from_slice(&picked[train_counts[c]..train_counts[c] + test_counts[c]]);
    }
    let train = rng
        .permutation(train.len())
        .into_iter()
        .map(|k| train[k])
        .collect();
    let test = rng
        .permutation(test.len())
        .into_iter()
        .map(|k| test[k])
        .collect();
    (train, test)
}

/// scikit-learn's `_approximate_mode`: floors of the proportional shares; the draws
/// left go to the largest remainders, equal remainders drawn with `rng.choice`
/// (a permutation, as NumPy's legacy `choice(replace=False)` does).
fn approximate_mode(counts: &[usize; 2], draws: usize, rng: &mut Mt19937) -> [usize; 2] {
    let total = (counts[0] + counts[1]) as f64;
    let cont = counts.map(|c| c as f64 / total * draws as f64);
    let mut out = cont.map(|c| c.floor() as usize);
    let mut need = draws as i64 - (out[0] + out[1]) as i64;
    if need > 0 {
        let rem = [cont[0] - cont[0].floor(), cont[1] - cont[1].floor()];
        let mut values = rem.to_vec();
        values.sort_by(|a, b| b.total_cmp(a));
        values.dedup();
        for v in values {
            let inds: Vec<usize> = (0..2).filter(|&i| rem[i] == v).collect();
            let add = inds.len().min(need as usize);
            let perm = rng.permutation(inds.len());
            for &k in &perm[..add] {
                out[inds[k]] += 1;
            }
            need -= add as i64;
            if need == 0 {
                break;
            }
        }
    }
    out
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

    fn classes(truth: &[bool]) -> [Vec<usize>; 2] {
        let mut c: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
        truth
            .iter()
            .enumerate()
            .for_each(|(i, &t)| c[usize::from(t)].push(i));
        c
    }

    #[test]
    fn splits_are_scikit_learns() {
        // StratifiedShuffleSplit(n_splits=2, test_size=0.1, random_state=42).split(
        //     X, [int(i % 5 == 0) for i in range(95)]): test sets, first train rows.
        let truth: Vec<bool> = (0..95).map(|i| i % 5 == 0).collect();
        let c = classes(&truth);
        let mut rng = Mt19937::new(42);
        let (train, test) = stratified_split(&c, &mut rng);
        assert_eq!(test, [29, 60, 76, 3, 18, 26, 27, 75, 89, 64]);
        assert_eq!(train[..8], [21, 85, 31, 20, 86, 42, 30, 4]);
        let (train, test) = stratified_split(&c, &mut rng);
        assert_eq!(test, [10, 48, 2, 3, 91, 64, 69, 73, 75, 14]);
        assert_eq!(train[..8], [11, 25, 37, 59, 94, 93, 42, 62]);
        // 21 rows, 11 positives: equal remainders, drawn by the generator.
        let truth: Vec<bool> = (0..21).map(|i| i % 2 == 0).collect();
        let c = classes(&truth);
        let mut rng = Mt19937::new(42);
        let (train, test) = stratified_split(&c, &mut rng);
        assert_eq!(
            (test, &train[..8]),
            (vec![12, 13, 4], &[14, 16, 15, 10, 20, 9, 19, 1][..])
        );
        let (train, test) = stratified_split(&c, &mut rng);
        assert_eq!(
            (test, &train[..8]),
            (vec![17, 16, 18], &[8, 0, 7, 2, 19, 14, 20, 13][..])
        );
    }

    #[test]
    fn miscalibrated_scores_need_calibration_and_calibrated_ones_do_not() {
        // Scores squeezed towards 0.5: the share of positives in a bin runs far from
        // the score, which isotonic regression repairs.
        let n = 4000;
        let mut rng = Mt19937::new(7);
        let mut proba = Vec::new();
        let mut truth = Vec::new();
        for _ in 0..n {
            let p = f64::from(rng.next_u32() % 1000) / 1000.0;
            let u = f64::from(rng.next_u32() % 1_000_000) / 1_000_000.0;
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
