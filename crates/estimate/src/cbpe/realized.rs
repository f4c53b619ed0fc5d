//! Realized metrics from labels, as NannyML's CBPE reports them (scikit-learn's
//! metrics, with NannyML's NaN for a chunk where a metric is undefined). They set the
//! reference thresholds and are reported as `realized_<metric>` findings.

use super::metric::Metric;

/// scikit-learn's binary `roc_auc_score`: the trapezoid area under the ROC curve with
/// tied scores as one step (the diagonal through the tie); NaN for a single class.
pub fn roc_auc(truth: &[bool], score: &[f64]) -> f64 {
    let n_pos = truth.iter().filter(|&&t| t).count() as f64;
    let n_neg = truth.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    let (mut prev_tpr, mut prev_fpr) = (0.0, 0.0);
    let mut area = 0.0;
    for (k, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        // A point of the curve at the last row of each distinct score.
        if k + 1 == order.len() || score[order[k + 1]] != score[i] {
            let (tpr, fpr) = (tp / n_pos, fp / n_neg);
            area += (fpr - prev_fpr) * (tpr + prev_tpr) / 2.0;
            (prev_tpr, prev_fpr) = (tpr, fpr);
        }
    }
    area
}

/// Binary confusion counts `[tp, fp, tn, fn]`.
fn binary_counts(truth: &[bool], pred: &[bool]) -> [f64; 4] {
    let mut c = [0.0; 4];
    for (&t, &p) in truth.iter().zip(pred) {
        c[match (p, t) {
            (true, true) => 0,
            (true, false) => 1,
            (false, false) => 2,
            (false, true) => 3,
        }] += 1.0;
    }
    c
}

fn both_classes(v: &[bool]) -> bool {
    v.iter().any(|&x| x) && v.iter().any(|&x| !x)
}

/// A realized binary metric of labels `truth`, predictions `pred` and uncalibrated
/// positive-class scores `score`; NaN where NannyML returns NaN (ROC AUC, precision,
/// recall and F1 of a chunk with one class in the labels, or for the last three in the
/// predictions; specificity without negatives).
pub fn binary(metric: Metric, truth: &[bool], pred: &[bool], score: &[f64]) -> f64 {
    if truth.is_empty() {
        return f64::NAN;
    }
    let [tp, fp, tn, fn_] = binary_counts(truth, pred);
    let both = both_classes(truth) && both_classes(pred);
    let ratio = |num: f64, den: f64| if den == 0.0 { 0.0 } else { num / den };
    match metric {
        Metric::RocAuc => roc_auc(truth, score),
        Metric::Accuracy => (tp + tn) / truth.len() as f64,
        Metric::Precision if both => ratio(tp, tp + fp),
        Metric::Recall if both => ratio(tp, tp + fn_),
        Metric::F1 if both => ratio(2.0 * tp, 2.0 * tp + fp + fn_),
        Metric::Precision | Metric::Recall | Metric::F1 => f64::NAN,
        Metric::Specificity => {
            if tn + fp == 0.0 {
                f64::NAN
            } else {
                tn / (tn + fp)
            }
        }
        Metric::TruePositive => tp,
        Metric::FalsePositive => fp,
        Metric::TrueNegative => tn,
        Metric::FalseNegative => fn_,
    }
}

/// A realized multiclass metric (macro average over `n_classes`) of class indices
/// `truth` and `pred` and uncalibrated scores `scores[class][row]`; NaN where NannyML
/// returns NaN (fewer than two classes in the labels or the predictions; ROC AUC
/// unless every class is in the labels).
pub fn multiclass(
    metric: Metric,
    n_classes: usize,
    truth: &[usize],
    pred: &[usize],
    scores: &[Vec<f64>],
) -> f64 {
    let distinct = |v: &[usize]| {
        let mut seen = vec![false; n_classes];
        v.iter().for_each(|&c| seen[c] = true);
        seen.iter().filter(|&&s| s).count()
    };
    let in_truth = distinct(truth);
    if truth.is_empty() || in_truth <= 1 {
        return f64::NAN;
    }
    if metric == Metric::RocAuc {
        if in_truth != n_classes {
            return f64::NAN;
        }
        let sum: f64 = (0..n_classes)
            .map(|c| {
                let t: Vec<bool> = truth.iter().map(|&y| y == c).collect();
                roc_auc(&t, &scores[c])
            })
            .sum();
        return sum / n_classes as f64;
    }
    if distinct(pred) <= 1 {
        return f64::NAN;
    }
    if metric == Metric::Accuracy {
        let correct = truth.iter().zip(pred).filter(|(t, p)| t == p).count();
        return correct as f64 / truth.len() as f64;
    }
    let ratio = |num: f64, den: f64| if den == 0.0 { 0.0 } else { num / den };
    let per_class = (0..n_classes).map(|c| {
        let t: Vec<bool> = truth.iter().map(|&y| y == c).collect();
        let p: Vec<bool> = pred.iter().map(|&y| y == c).collect();
        let [tp, fp, tn, fn_] = binary_counts(&t, &p);
        match metric {
            Metric::Precision => ratio(tp, tp + fp),
            Metric::Recall => ratio(tp, tp + fn_),
            Metric::F1 => ratio(2.0 * tp, 2.0 * tp + fp + fn_),
            _ => tn / (tn + fp),
        }
    });
    per_class.sum::<f64>() / n_classes as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_auc_matches_sklearn_with_ties() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
        let t = [false, false, true, true];
        assert_eq!(roc_auc(&t, &[0.1, 0.4, 0.35, 0.8]), 0.75);
        // roc_auc_score([0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.5]) = 5/6 (ties count half)
        let t2 = [false, true, false, true, true];
        assert!((roc_auc(&t2, &[0.5, 0.5, 0.2, 0.9, 0.5]) - 5.0 / 6.0).abs() < 1e-15);
        assert!(roc_auc(&[true, true], &[0.1, 0.2]).is_nan());
    }

    #[test]
    fn binary_metrics_match_sklearn_and_nannyml_nans() {
        let t = [true, true, false, false, true];
        let p = [true, false, false, true, true];
        let s = [0.9, 0.4, 0.2, 0.6, 0.7];
        assert_eq!(binary(Metric::Accuracy, &t, &p, &s), 0.6);
        assert!((binary(Metric::Precision, &t, &p, &s) - 2.0 / 3.0).abs() < 1e-15);
        assert!((binary(Metric::Recall, &t, &p, &s) - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(binary(Metric::Specificity, &t, &p, &s), 0.5);
        assert_eq!(binary(Metric::FalseNegative, &t, &p, &s), 1.0);
        assert!(binary(Metric::F1, &t, &[true; 5], &s).is_nan());
        assert!(binary(Metric::Specificity, &[true; 5], &p, &s).is_nan());
    }

    #[test]
    fn multiclass_macro_averages() {
        // sklearn f1_score([0,1,2,2,1], [0,2,2,2,1], average="macro") = (1 + 2/3 + 0.8) / 3
        let t = [0, 1, 2, 2, 1];
        let p = [0, 2, 2, 2, 1];
        let scores = vec![vec![0.0; 5]; 3];
        let f1 = multiclass(Metric::F1, 3, &t, &p, &scores);
        assert!((f1 - (1.0 + 2.0 / 3.0 + 0.8) / 3.0).abs() < 1e-15);
        assert_eq!(multiclass(Metric::Accuracy, 3, &t, &p, &scores), 0.8);
        assert!(multiclass(Metric::Accuracy, 3, &[1, 1], &[0, 1], &scores).is_nan());
    }
}
