//! NannyML's sampling errors of the CBPE estimates (`nannyml.sampling_error`): a
//! spread measured once on the reference, scaled by the window's size.

use serde::{Deserialize, Serialize};

use super::metric::Metric;

/// What the reference leaves for one metric's sampling error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Components {
    /// Binary: `std / sqrt(n * fraction)`, times `n` for a count.
    Binary {
        /// Standard deviation of the per-row contributions on the reference.
        std: f64,
        /// Share of reference rows the metric is about.
        fraction: f64,
        /// Whether the metric is a count (confusion matrix), scaled by the rows.
        count: bool,
    },
    /// Multiclass: `sqrt(sum_c var_c / (n * fraction_c)) / classes * factor`.
    PerClass {
        /// `(variance, fraction)` of each class.
        parts: Vec<(f64, f64)>,
        /// 1.2 for ROC AUC (NannyML's correction), else 1.
        factor: f64,
    },
}

impl Components {
    /// The sampling error at a window of `n` rows.
    pub fn at(&self, n: usize) -> f64 {
        let n = n as f64;
        match self {
            Components::Binary {
                std,
                fraction,
                count,
            } => {
                let se = std / (n * fraction).sqrt();
                if *count { se * n } else { se }
            }
            Components::PerClass { parts, factor } => {
                let sum: f64 = parts.iter().map(|(var, f)| var / (n * f)).sum();
                sum.sqrt() / parts.len() as f64 * factor
            }
        }
    }
}

/// Population mean and variance (numpy's `np.var`, ddof 0); NaN for no values.
fn mean_var(v: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (mut n, mut sum) = (0.0, 0.0);
    for x in v.clone() {
        n += 1.0;
        sum += x;
    }
    let mean = sum / n;
    let var = v.map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var)
}

/// Spread and fraction of one class's reference rows (`truth`, `pred` one-vs-rest,
/// `score` its uncalibrated scores), as variances; the binary case takes the root.
/// F1's per-row values are scaled by NannyML's correcting factor in the binary case only.
fn class_parts(
    metric: Metric,
    truth: &[bool],
    pred: &[bool],
    score: &[f64],
    binary: bool,
) -> (f64, f64) {
    let n = truth.len() as f64;
    let rows = truth.iter().zip(pred);
    match metric {
        Metric::RocAuc => auroc_parts(truth, score),
        Metric::Precision => {
            // Rows predicted positive: 1 when right.
            let obs = rows
                .filter(|(_, p)| **p)
                .map(|(t, _)| f64::from(u8::from(*t)));
            let positives = pred.iter().filter(|&&p| p).count() as f64;
            (mean_var(obs).1, positives / n)
        }
        Metric::Recall => {
            // Rows labelled positive: 1 when found.
            let obs = rows
                .filter(|(t, _)| **t)
                .map(|(_, p)| f64::from(u8::from(*p)));
            let positives = truth.iter().filter(|&&t| t).count() as f64;
            (mean_var(obs).1, positives / n)
        }
        Metric::Specificity => {
            // Rows labelled negative: a true negative (1) or a false positive (0).
            let obs: Vec<f64> = rows
                .filter(|(t, _)| !**t)
                .map(|(_, p)| f64::from(u8::from(!*p)))
                .collect();
            let len = obs.len() as f64;
            (mean_var(obs.into_iter()).1, len / n)
        }
        _ => {
            // F1: true positives (1), false negatives and false positives (0).
            let obs: Vec<f64> = rows
                .filter(|(t, p)| **p || **t)
                .map(|(t, p)| f64::from(u8::from(*t && *p)))
                .collect();
            if obs.is_empty() {
                return (f64::NAN, 0.0);
            }
            let len = obs.len() as f64;
            let tp = obs.iter().sum::<f64>();
            let factor = if binary {
                len / ((len - tp) * 0.5 + tp)
            } else {
                1.0
            };
            (mean_var(obs.iter().map(|x| x * factor)).1, len / n)
        }
    }
}

/// NannyML's ROC AUC components: rows sorted by score (labels flipped when positives
/// are the majority), for each positive the share of negatives ranked below it; the
/// variance of those shares and the share of positives. As NannyML, the positive at
/// rank 0, if any, is dropped with the zeros of `np.unique`.
fn auroc_parts(truth: &[bool], score: &[f64]) -> (f64, f64) {
    let n = truth.len();
    let n_pos_raw = truth.iter().filter(|&&t| t).count();
    let flip = n_pos_raw as f64 / n as f64 > 0.5;
    let t: Vec<bool> = truth.iter().map(|&x| x != flip).collect();
    let s: Vec<f64> = score
        .iter()
        .map(|&x| if flip { 1.0 - x } else { x })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
    let n_pos = t.iter().filter(|&&x| x).count() as f64;
    let n_neg = n as f64 - n_pos;
    let ranks = order
        .iter()
        .enumerate()
        .filter(|&(r, &i)| r > 0 && t[i])
        .map(|(r, _)| r);
    let ser = ranks.enumerate().map(|(i, r)| (r - i) as f64 / n_neg);
    (mean_var(ser).1, n_pos / n as f64)
}

/// The binary components of `metric` from reference labels, predictions (true =
/// positive) and uncalibrated positive-class scores.
pub fn binary(metric: Metric, truth: &[bool], pred: &[bool], score: &[f64]) -> Components {
    let cell = |want_pred: bool, want_truth: bool| {
        let obs = truth
            .iter()
            .zip(pred)
            .map(move |(&t, &p)| f64::from(u8::from(p == want_pred && t == want_truth)));
        Components::Binary {
            std: mean_var(obs).1.sqrt(),
            fraction: 1.0,
            count: true,
        }
    };
    match metric {
        Metric::Accuracy => {
            let correct = truth
                .iter()
                .zip(pred)
                .map(|(t, p)| f64::from(u8::from(t == p)));
            Components::Binary {
                std: mean_var(correct).1.sqrt(),
                fraction: 1.0,
                count: false,
            }
        }
        Metric::TruePositive => cell(true, true),
        Metric::FalsePositive => cell(true, false),
        Metric::TrueNegative => cell(false, false),
        Metric::FalseNegative => cell(false, true),
        _ => {
            let (var, fraction) = class_parts(metric, truth, pred, score, true);
            Components::Binary {
                std: var.sqrt(),
                fraction,
                count: false,
            }
        }
    }
}

/// The multiclass components of `metric` from reference class indices and uncalibrated
/// scores `scores[class][row]`.
pub fn multiclass(
    metric: Metric,
    truth: &[usize],
    pred: &[usize],
    scores: &[Vec<f64>],
) -> Components {
    if metric == Metric::Accuracy {
        let correct = truth
            .iter()
            .zip(pred)
            .map(|(t, p)| f64::from(u8::from(t == p)));
        return Components::Binary {
            std: mean_var(correct).1.sqrt(),
            fraction: 1.0,
            count: false,
        };
    }
    let parts = (0..scores.len())
        .map(|c| {
            let t: Vec<bool> = truth.iter().map(|&y| y == c).collect();
            let p: Vec<bool> = pred.iter().map(|&y| y == c).collect();
            class_parts(metric, &t, &p, &scores[c], false)
        })
        .collect();
    let factor = if metric == Metric::RocAuc { 1.2 } else { 1.0 };
    Components::PerClass { parts, factor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_components_match_nannyml() {
        // nannyml.sampling_error.binary_classification on
        // y_true [1,0,1,1,0,0,1,0], y_pred [1,0,0,1,1,0,1,0],
        // proba [.9,.2,.4,.8,.6,.1,.7,.3]; errors at 4 rows (values from NannyML 0.13.1).
        let t = [true, false, true, true, false, false, true, false];
        let p = [true, false, false, true, true, false, true, false];
        let s = [0.9, 0.2, 0.4, 0.8, 0.6, 0.1, 0.7, 0.3];
        let want = [
            (Metric::Accuracy, 0.216_506_350_946_109_65),
            (Metric::Precision, 0.306_186_217_847_897_24),
            (Metric::Recall, 0.306_186_217_847_897_24),
            (Metric::Specificity, 0.306_186_217_847_897_24),
            (Metric::F1, 0.387_298_334_620_741_65),
            (Metric::RocAuc, 0.076_546_554_461_974_31),
            (Metric::TruePositive, 0.968_245_836_551_854_3),
            (Metric::FalseNegative, 0.661_437_827_766_147_7),
        ];
        for (m, w) in want {
            let got = binary(m, &t, &p, &s).at(4);
            assert!((got - w).abs() < 1e-12, "{m:?}: {got} vs {w}");
        }
    }

    #[test]
    fn multiclass_components_match_nannyml() {
        // nannyml.sampling_error.multiclass_classification, 10 reference rows, errors at
        // 5 rows; scores from numpy default_rng(0).dirichlet([1, 1, 1], 10), rounded.
        let t = [0, 1, 2, 2, 1, 0, 1, 2, 0, 1];
        let p = [0, 1, 2, 1, 1, 0, 2, 2, 0, 0];
        let rows = [
            [0.395, 0.593, 0.012],
            [0.001, 0.252, 0.747],
            [0.159, 0.178, 0.663],
            [0.648, 0.352, 0.0],
            [0.665, 0.021, 0.314],
            [0.195, 0.724, 0.081],
            [0.167, 0.813, 0.02],
            [0.07, 0.531, 0.399],
            [0.668, 0.159, 0.172],
            [0.475, 0.442, 0.083],
        ];
        let scores: Vec<Vec<f64>> = (0..3)
            .map(|c| rows.iter().map(|r| r[c]).collect())
            .collect();
        let want = [
            (Metric::F1, 0.187_008_615_368_977_64),
            (Metric::Precision, 0.208_178_955_147_380_72),
            (Metric::Recall, 0.174_211_923_353_951_66),
            (Metric::Specificity, 0.113_659_893_139_990_16),
            (Metric::RocAuc, 0.103_795_445_868_392_48),
        ];
        for (m, w) in want {
            let got = multiclass(m, &t, &p, &scores).at(5);
            assert!((got - w).abs() < 1e-12, "{m:?}: {got} vs {w}");
        }
    }
}
