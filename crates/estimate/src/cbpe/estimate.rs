//! NannyML's CBPE estimates from calibrated probabilities: each row contributes its
//! probability of being right to the expected confusion matrix.

use super::metric::Metric;

/// numpy's `np.round(x, 5)`: scale, round half to even, scale back.
fn round5(x: f64) -> f64 {
    (x * 1e5).round_ties_even() / 1e5
}

/// NannyML's `estimate_roc_auc`: rows ranked by the *uncalibrated* score (highest
/// first), the calibrated probabilities summed as expected true positives and their
/// complements as expected false positives (both rounded to 5 decimals as NannyML
/// does), and the trapezoid area under that expected ROC curve. NaN when every row is
/// certainly positive or certainly negative.
pub fn roc_auc(calibrated: &[f64], uncalibrated: &[f64]) -> f64 {
    let n = calibrated.len();
    // NumPy's argsort()[::-1]: ties end in descending row order when argsort keeps
    // them in row order (they have equal calibrated values in the binary case).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| uncalibrated[b].total_cmp(&uncalibrated[a]).then(b.cmp(&a)));
    let mut tps = Vec::with_capacity(n + 1);
    let mut fps = Vec::with_capacity(n + 1);
    tps.push(0.0);
    fps.push(0.0);
    let mut cum = 0.0;
    for (k, &i) in order.iter().enumerate() {
        cum += calibrated[i];
        tps.push(round5(cum));
        fps.push(round5(1.0 + k as f64 - cum));
    }
    let (tp_all, fp_all) = (tps[n], fps[n]);
    let mut area = 0.0;
    for k in 1..=n {
        let dx = fps[k] / fp_all - fps[k - 1] / fp_all;
        area += dx * (tps[k] / tp_all + tps[k - 1] / tp_all) / 2.0;
    }
    area
}

/// The four expected confusion-matrix sums `[tp, fp, tn, fn]` of one class's
/// calibrated probabilities `proba` and predictions `pred`.
fn expected_counts(proba: &[f64], pred: impl Iterator<Item = bool>) -> [f64; 4] {
    let mut c = [0.0; 4];
    for (&p, positive) in proba.iter().zip(pred) {
        if positive {
            c[0] += p;
            c[1] += 1.0 - p;
        } else {
            c[2] += 1.0 - p;
            c[3] += p;
        }
    }
    c
}

/// `num / den`, or 0 when `den` is 0 (NannyML's estimators).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

/// A rate of one class from its expected counts.
fn rate(metric: Metric, [tp, fp, tn, fn_]: [f64; 4], n: f64) -> f64 {
    match metric {
        Metric::Precision => ratio(tp, tp + fp),
        Metric::Recall => ratio(tp, tp + fn_),
        Metric::F1 => ratio(tp, tp + 0.5 * (fp + fn_)),
        Metric::Specificity => ratio(tn, tn + fp),
        Metric::Accuracy => (tp + tn) / n,
        // NannyML's counts: the mean expected share times the rows.
        Metric::TruePositive => tp / n * n,
        Metric::FalsePositive => fp / n * n,
        Metric::TrueNegative => tn / n * n,
        Metric::FalseNegative => fn_ / n * n,
        Metric::RocAuc => f64::NAN,
    }
}

/// A binary estimate from calibrated positive-class probabilities, the uncalibrated
/// ones (ROC AUC ranks by them) and the predictions (true = positive).
pub fn binary(metric: Metric, calibrated: &[f64], uncalibrated: &[f64], pred: &[bool]) -> f64 {
    if metric == Metric::RocAuc {
        return roc_auc(calibrated, uncalibrated);
    }
    let counts = expected_counts(calibrated, pred.iter().copied());
    rate(metric, counts, pred.len() as f64)
}

/// A multiclass estimate, NannyML's: accuracy is the mean calibrated probability of
/// the predicted class; the other metrics are the binary one-vs-rest estimates of each
/// class, averaged (macro). `calibrated[class][row]`, `pred` class indices.
pub fn multiclass(
    metric: Metric,
    calibrated: &[Vec<f64>],
    uncalibrated: &[Vec<f64>],
    pred: &[usize],
) -> f64 {
    let k = calibrated.len() as f64;
    let n = pred.len() as f64;
    match metric {
        Metric::Accuracy => {
            pred.iter()
                .enumerate()
                .map(|(row, &c)| calibrated[c][row])
                .sum::<f64>()
                / n
        }
        Metric::RocAuc => {
            let sum: f64 = calibrated
                .iter()
                .zip(uncalibrated)
                .map(|(cal, raw)| roc_auc(cal, raw))
                .sum();
            sum / k
        }
        _ => {
            let sum: f64 = calibrated
                .iter()
                .enumerate()
                .map(|(c, cal)| {
                    rate(
                        metric,
                        expected_counts(cal, pred.iter().map(|&p| p == c)),
                        n,
                    )
                })
                .sum();
            sum / k
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_estimates_follow_nannyml_formulas() {
        // nannyml estimate_precision/recall/f1/specificity/accuracy on these rows.
        let p = [0.9, 0.8, 0.3, 0.1];
        let pred = [true, true, false, false];
        assert!((binary(Metric::Precision, &p, &p, &pred) - 0.85).abs() < 1e-15);
        assert!((binary(Metric::Recall, &p, &p, &pred) - 1.7 / 2.1).abs() < 1e-15);
        assert!((binary(Metric::F1, &p, &p, &pred) - 1.7 / (1.7 + 0.5 * 0.7)).abs() < 1e-15);
        assert!((binary(Metric::Specificity, &p, &p, &pred) - 1.6 / 1.9).abs() < 1e-15);
        assert!((binary(Metric::Accuracy, &p, &p, &pred) - 3.3 / 4.0).abs() < 1e-15);
        assert!((binary(Metric::FalsePositive, &p, &p, &pred) - 0.3).abs() < 1e-12);
        assert_eq!(binary(Metric::Precision, &p, &p, &[false; 4]), 0.0);
    }

    #[test]
    fn estimated_roc_auc_matches_nannyml() {
        // nannyml ...confidence_based.metrics.estimate_roc_auc(
        //     [0.9, 0.8, 0.3, 0.1], [0.9, 0.8, 0.3, 0.1]) = 0.8634085213032581
        let p = [0.9, 0.8, 0.3, 0.1];
        assert!((roc_auc(&p, &p) - 0.863_408_521_303_258_1).abs() < 1e-12);
        assert!(roc_auc(&[1.0, 1.0], &[0.7, 0.2]).is_nan());
    }

    #[test]
    fn multiclass_accuracy_is_the_mean_probability_of_the_prediction() {
        let cal = vec![vec![0.7, 0.2], vec![0.3, 0.8]];
        assert!((multiclass(Metric::Accuracy, &cal, &cal, &[0, 1]) - 0.75).abs() < 1e-15);
        let prec = multiclass(Metric::Precision, &cal, &cal, &[0, 1]);
        assert!((prec - 0.75).abs() < 1e-15);
    }
}
