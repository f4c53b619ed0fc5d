//! Classification metrics: accuracy, confusion matrix, precision, recall,
//! F-beta and support, with scikit-learn's averaging and `zero_division`
//! conventions.
//!
//! Labels are generic: anything `Ord + Clone + Debug` works, typically
//! `String`, `&str` or an integer class id. When no label list is given, the
//! labels are the sorted union of the labels seen in `y_true` and `y_pred`,
//! exactly as `sklearn.utils.multiclass.unique_labels` orders them (Rust's
//! `str` ordering is Unicode code-point order, like Python's).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::sum::{mean_by, sum_by};

/// The value a precision, recall or F-score takes when its denominator is
/// zero (scikit-learn's `zero_division` parameter).
///
/// * precision is ill-defined for a label that is never predicted,
/// * recall for a label that never occurs in `y_true`,
/// * the F-score when the label occurs in neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroDivision {
    /// Use 0.0. This is scikit-learn's default (`"warn"`, which acts as 0
    /// after warning) and `zero_division=0`.
    #[default]
    Zero,
    /// Use 1.0 (`zero_division=1`).
    One,
    /// Use NaN (`zero_division=np.nan`); NaN scores are left out of the
    /// macro and weighted averages.
    Nan,
}

impl ZeroDivision {
    /// The number substituted for an undefined ratio.
    #[must_use]
    pub fn value(self) -> f64 {
        match self {
            Self::Zero => 0.0,
            Self::One => 1.0,
            Self::Nan => f64::NAN,
        }
    }
}

/// How per-class scores are combined into one number (scikit-learn's
/// `average` parameter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Average<L> {
    /// Report only the class `pos_label` of a binary problem. Fails with
    /// [`Error::NotBinary`] when the data holds more than two labels, and
    /// with [`Error::UnknownPosLabel`] when the data holds two labels and
    /// `pos_label` is neither.
    Binary {
        /// The class considered positive.
        pos_label: L,
    },
    /// Count true positives, false negatives and false positives over all
    /// classes, then compute the metric once.
    Micro,
    /// Unweighted mean of the per-class scores.
    Macro,
    /// Mean of the per-class scores weighted by support (number of true
    /// instances of each class).
    Weighted,
    /// No averaging: one score per class.
    None,
}

/// A confusion matrix with its labels: `matrix[i][j]` counts the samples
/// whose true label is `labels[i]` and whose predicted label is `labels[j]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix<L> {
    /// Row and column labels, in matrix order.
    pub labels: Vec<L>,
    /// Counts, rows = true label, columns = predicted label.
    pub matrix: Vec<Vec<u64>>,
}

impl<L: Ord> ConfusionMatrix<L> {
    /// Number of classes (rows and columns).
    #[must_use]
    pub fn n_labels(&self) -> usize {
        self.labels.len()
    }

    /// Position of `label` among the rows and columns.
    #[must_use]
    pub fn index_of(&self, label: &L) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// Number of samples with true label `true_label` predicted as
    /// `pred_label`; `None` when either label is not in the matrix.
    #[must_use]
    pub fn count(&self, true_label: &L, pred_label: &L) -> Option<u64> {
        let i = self.index_of(true_label)?;
        let j = self.index_of(pred_label)?;
        self.matrix.get(i)?.get(j).copied()
    }

    /// Total number of samples counted in the matrix.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.matrix.iter().flatten().sum()
    }

    /// Number of correctly classified samples counted (the diagonal).
    #[must_use]
    pub fn correct(&self) -> u64 {
        self.matrix
            .iter()
            .enumerate()
            .filter_map(|(i, row)| row.get(i))
            .sum()
    }
}

/// Precision, recall and F-beta averaged over classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrfScores {
    /// Averaged precision.
    pub precision: f64,
    /// Averaged recall.
    pub recall: f64,
    /// Averaged F-beta score (F1 when beta = 1).
    pub fbeta: f64,
}

/// Precision, recall, F-beta and support for each class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerClassPrf<L> {
    /// The classes, in the order of the other vectors.
    pub labels: Vec<L>,
    /// Precision of each class.
    pub precision: Vec<f64>,
    /// Recall of each class.
    pub recall: Vec<f64>,
    /// F-beta score of each class.
    pub fbeta: Vec<f64>,
    /// Number of occurrences of each class in `y_true`.
    pub support: Vec<u64>,
}

/// Result of [`precision_recall_fscore_support`]: averaged scores, or one
/// score per class for [`Average::None`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prf<L> {
    /// Scores averaged as requested (support is not returned, as in
    /// scikit-learn).
    Averaged(PrfScores),
    /// Per-class scores (`Average::None`).
    PerClass(PerClassPrf<L>),
}

impl<L> Prf<L> {
    /// The averaged scores, if an average was requested.
    #[must_use]
    pub fn averaged(&self) -> Option<&PrfScores> {
        match self {
            Self::Averaged(s) => Some(s),
            Self::PerClass(_) => None,
        }
    }

    /// The per-class scores, if `Average::None` was requested.
    #[must_use]
    pub fn per_class(&self) -> Option<&PerClassPrf<L>> {
        match self {
            Self::Averaged(_) => None,
            Self::PerClass(p) => Some(p),
        }
    }
}

/// Fails unless both inputs are non-empty and equally long.
pub(crate) fn check_pair<A, B>(y_true: &[A], y_pred: &[B]) -> Result<(), Error> {
    if y_true.len() != y_pred.len() {
        return Err(Error::LengthMismatch {
            y_true: y_true.len(),
            y_pred: y_pred.len(),
        });
    }
    if y_true.is_empty() {
        return Err(Error::Empty);
    }
    Ok(())
}

/// Sorted union of the labels in `y_true` and `y_pred`.
pub(crate) fn unique_labels<L: Ord + Clone>(y_true: &[L], y_pred: &[L]) -> Vec<L> {
    let set: BTreeSet<&L> = y_true.iter().chain(y_pred).collect();
    set.into_iter().cloned().collect()
}

/// Rejects an empty label list or one with repeated labels, and returns the
/// position of each label.
fn index_labels<L: Ord + Debug>(labels: &[L]) -> Result<BTreeMap<&L, usize>, Error> {
    if labels.is_empty() {
        return Err(Error::EmptyLabels);
    }
    let mut index = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        if index.insert(l, i).is_some() {
            return Err(Error::DuplicateLabel {
                label: format!("{l:?}"),
            });
        }
    }
    Ok(index)
}

/// Fraction of samples whose predicted label equals the true label
/// (`sklearn.metrics.accuracy_score`).
///
/// # Errors
/// [`Error::Empty`] or [`Error::LengthMismatch`].
pub fn accuracy<L: PartialEq>(y_true: &[L], y_pred: &[L]) -> Result<f64, Error> {
    check_pair(y_true, y_pred)?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}

/// Confusion matrix, rows = true labels, columns = predicted labels
/// (`sklearn.metrics.confusion_matrix`).
///
/// With `labels = None` the rows are the sorted union of the labels in
/// `y_true` and `y_pred`. With explicit labels, the matrix follows their
/// order and samples whose true or predicted label is not listed are
/// ignored.
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`]; for explicit labels also
/// [`Error::EmptyLabels`], [`Error::DuplicateLabel`] and
/// [`Error::NoLabelInTrue`] (as scikit-learn, which requires at least one of
/// the labels to occur in `y_true`).
pub fn confusion_matrix<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    labels: Option<&[L]>,
) -> Result<ConfusionMatrix<L>, Error> {
    check_pair(y_true, y_pred)?;
    let labels: Vec<L> = match labels {
        Some(given) => given.to_vec(),
        None => unique_labels(y_true, y_pred),
    };
    let index = index_labels(&labels)?;
    if !y_true.iter().any(|t| index.contains_key(t)) {
        return Err(Error::NoLabelInTrue);
    }
    let n = labels.len();
    let mut matrix = vec![vec![0_u64; n]; n];
    for (t, p) in y_true.iter().zip(y_pred) {
        if let (Some(&i), Some(&j)) = (index.get(t), index.get(p)) {
            matrix[i][j] += 1;
        }
    }
    Ok(ConfusionMatrix { labels, matrix })
}

/// One-vs-rest counts for each label: true positives, predicted and true
/// totals (the sufficient statistics of scikit-learn's
/// `multilabel_confusion_matrix`).
struct Counts {
    tp: Vec<u64>,
    pred: Vec<u64>,
    truth: Vec<u64>,
}

fn count<L: Ord>(y_true: &[L], y_pred: &[L], index: &BTreeMap<&L, usize>) -> Counts {
    let n = index.len();
    let mut c = Counts {
        tp: vec![0; n],
        pred: vec![0; n],
        truth: vec![0; n],
    };
    for (t, p) in y_true.iter().zip(y_pred) {
        let ti = index.get(t).copied();
        if let Some(i) = ti {
            c.truth[i] += 1;
        }
        if let Some(j) = index.get(p).copied() {
            c.pred[j] += 1;
            if ti == Some(j) {
                c.tp[j] += 1;
            }
        }
    }
    c
}

/// `numerator / denominator`, or the `zero_division` value when the
/// denominator is zero (scikit-learn's `_prf_divide`).
fn prf_divide(numerator: f64, denominator: f64, zero_division: ZeroDivision) -> f64 {
    if denominator == 0.0 {
        zero_division.value()
    } else {
        numerator / denominator
    }
}

/// NaN-ignoring (weighted) mean: scikit-learn's `_nanaverage`.
fn nan_average(values: &[f64], weights: Option<&[u64]>) -> f64 {
    if values.is_empty() || values.iter().all(|v| v.is_nan()) {
        return f64::NAN;
    }
    match weights {
        None => {
            // numpy.nanmean: NaNs replaced by 0 in the sum, not counted.
            let total = sum_by(values.len(), |i| {
                if values[i].is_nan() { 0.0 } else { values[i] }
            });
            let kept = values.iter().filter(|v| !v.is_nan()).count();
            total / kept as f64
        }
        Some(w) => {
            let (a, w): (Vec<f64>, Vec<f64>) = values
                .iter()
                .zip(w)
                .filter(|(v, _)| !v.is_nan())
                .map(|(&v, &w)| (v, w as f64))
                .unzip();
            let scale = sum_by(w.len(), |i| w[i]);
            if scale == 0.0 {
                // All weights zero: scikit-learn falls back to the plain mean.
                mean_by(a.len(), |i| a[i])
            } else {
                sum_by(a.len(), |i| a[i] * w[i]) / scale
            }
        }
    }
}

/// Precision, recall, F-beta score and support with a free choice of `beta`
/// and of the labels (`sklearn.metrics.precision_recall_fscore_support`).
///
/// * `beta` weighs recall `beta` times as much as precision: F-beta =
///   (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp). `beta = 0` gives precision and
///   `beta = +inf` gives recall.
/// * `labels`: the classes to score and, for [`Average::None`], their order.
///   Classes absent from the data score with zero counts; classes present
///   but not listed are left out (but their samples still count as false
///   negatives/positives of the listed classes). Ignored for
///   [`Average::Binary`]. `None` means all labels of the data, sorted.
/// * `zero_division`: see [`ZeroDivision`]. As in scikit-learn ≥ 1.4, the
///   F-score takes the `zero_division` value only when tp + fp + fn = 0.
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`], [`Error::InvalidBeta`],
/// [`Error::NotBinary`], [`Error::UnknownPosLabel`], [`Error::EmptyLabels`],
/// [`Error::DuplicateLabel`].
pub fn precision_recall_fbeta_support<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    beta: f64,
    labels: Option<&[L]>,
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<Prf<L>, Error> {
    if beta.is_nan() || beta < 0.0 {
        return Err(Error::InvalidBeta { beta });
    }
    check_pair(y_true, y_pred)?;

    let labels: Vec<L> = match &average {
        Average::Binary { pos_label } => {
            let present = unique_labels(y_true, y_pred);
            if present.len() > 2 {
                return Err(Error::NotBinary {
                    n_labels: present.len(),
                });
            }
            if present.len() == 2 && !present.contains(pos_label) {
                return Err(Error::UnknownPosLabel {
                    pos_label: format!("{pos_label:?}"),
                    present: present.iter().map(|l| format!("{l:?}")).collect(),
                });
            }
            vec![pos_label.clone()]
        }
        _ => match labels {
            Some(given) => given.to_vec(),
            None => unique_labels(y_true, y_pred),
        },
    };
    let index = index_labels(&labels)?;
    let mut c = count(y_true, y_pred, &index);

    if matches!(average, Average::Micro) {
        c = Counts {
            tp: vec![c.tp.iter().sum()],
            pred: vec![c.pred.iter().sum()],
            truth: vec![c.truth.iter().sum()],
        };
    }

    let k = c.tp.len();
    let precision: Vec<f64> = (0..k)
        .map(|i| prf_divide(c.tp[i] as f64, c.pred[i] as f64, zero_division))
        .collect();
    let recall: Vec<f64> = (0..k)
        .map(|i| prf_divide(c.tp[i] as f64, c.truth[i] as f64, zero_division))
        .collect();
    let fbeta: Vec<f64> = if beta == f64::INFINITY {
        recall.clone()
    } else if beta == 0.0 {
        precision.clone()
    } else {
        let beta2 = beta * beta;
        (0..k)
            .map(|i| {
                let denom = beta2 * c.truth[i] as f64 + c.pred[i] as f64;
                prf_divide((1.0 + beta2) * c.tp[i] as f64, denom, zero_division)
            })
            .collect()
    };

    let weights = match average {
        Average::None => {
            return Ok(Prf::PerClass(PerClassPrf {
                labels,
                precision,
                recall,
                fbeta,
                support: c.truth,
            }));
        }
        Average::Weighted => Some(c.truth.as_slice()),
        Average::Binary { .. } | Average::Micro | Average::Macro => None,
    };
    Ok(Prf::Averaged(PrfScores {
        precision: nan_average(&precision, weights),
        recall: nan_average(&recall, weights),
        fbeta: nan_average(&fbeta, weights),
    }))
}

/// Precision, recall, F1 score and support over the labels of the data
/// (`precision_recall_fscore_support` with `beta=1`, `labels=None`).
///
/// # Errors
/// As [`precision_recall_fbeta_support`].
pub fn precision_recall_fscore_support<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<Prf<L>, Error> {
    precision_recall_fbeta_support(y_true, y_pred, 1.0, None, average, zero_division)
}

/// Averaged scores, or [`Error::PerClassAverage`] for `Average::None`.
fn averaged<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    beta: f64,
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<PrfScores, Error> {
    if matches!(average, Average::None) {
        return Err(Error::PerClassAverage);
    }
    match precision_recall_fbeta_support(y_true, y_pred, beta, None, average, zero_division)? {
        Prf::Averaged(s) => Ok(s),
        Prf::PerClass(_) => Err(Error::PerClassAverage),
    }
}

/// Averaged precision, tp / (tp + fp) (`sklearn.metrics.precision_score`).
///
/// # Errors
/// As [`precision_recall_fbeta_support`], plus [`Error::PerClassAverage`]
/// for `Average::None`.
pub fn precision<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<f64, Error> {
    averaged(y_true, y_pred, 1.0, average, zero_division).map(|s| s.precision)
}

/// Averaged recall, tp / (tp + fn) (`sklearn.metrics.recall_score`).
///
/// # Errors
/// As [`precision`].
pub fn recall<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<f64, Error> {
    averaged(y_true, y_pred, 1.0, average, zero_division).map(|s| s.recall)
}

/// Averaged F1 score, 2·tp / (2·tp + fp + fn) (`sklearn.metrics.f1_score`).
///
/// # Errors
/// As [`precision`].
pub fn f1<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<f64, Error> {
    averaged(y_true, y_pred, 1.0, average, zero_division).map(|s| s.fbeta)
}

/// Averaged F-beta score (`sklearn.metrics.fbeta_score`).
///
/// # Errors
/// As [`precision`], plus [`Error::InvalidBeta`].
pub fn fbeta<L: Ord + Clone + Debug>(
    y_true: &[L],
    y_pred: &[L],
    beta: f64,
    average: Average<L>,
    zero_division: ZeroDivision,
) -> Result<f64, Error> {
    averaged(y_true, y_pred, beta, average, zero_division).map(|s| s.fbeta)
}

/// The classification scores a monitor tracks per window and compares with
/// its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    /// Fraction of correct predictions.
    pub accuracy: f64,
    /// Averaged precision.
    pub precision: f64,
    /// Averaged recall.
    pub recall: f64,
    /// Averaged F1 score.
    pub f1: f64,
}

impl ClassificationMetrics {
    /// Accuracy plus precision, recall and F1 averaged as requested.
    ///
    /// # Errors
    /// As [`precision`]; `Average::None` gives [`Error::PerClassAverage`].
    pub fn compute<L: Ord + Clone + Debug>(
        y_true: &[L],
        y_pred: &[L],
        average: Average<L>,
        zero_division: ZeroDivision,
    ) -> Result<Self, Error> {
        let s = averaged(y_true, y_pred, 1.0, average, zero_division)?;
        Ok(Self {
            accuracy: accuracy(y_true, y_pred)?,
            precision: s.precision,
            recall: s.recall,
            f1: s.fbeta,
        })
    }

    /// Support-weighted averages with `zero_division = 0`
    /// (scikit-learn's `average="weighted"` with the default `"warn"`).
    ///
    /// # Errors
    /// [`Error::Empty`] or [`Error::LengthMismatch`].
    pub fn weighted<L: Ord + Clone + Debug>(y_true: &[L], y_pred: &[L]) -> Result<Self, Error> {
        Self::compute(y_true, y_pred, Average::Weighted, ZeroDivision::Zero)
    }

    /// Unweighted (macro) averages with `zero_division = 0`.
    ///
    /// # Errors
    /// [`Error::Empty`] or [`Error::LengthMismatch`].
    pub fn macro_average<L: Ord + Clone + Debug>(
        y_true: &[L],
        y_pred: &[L],
    ) -> Result<Self, Error> {
        Self::compute(y_true, y_pred, Average::Macro, ZeroDivision::Zero)
    }

    /// Micro averages with `zero_division = 0` (all four equal accuracy for
    /// single-label data).
    ///
    /// # Errors
    /// [`Error::Empty`] or [`Error::LengthMismatch`].
    pub fn micro<L: Ord + Clone + Debug>(y_true: &[L], y_pred: &[L]) -> Result<Self, Error> {
        Self::compute(y_true, y_pred, Average::Micro, ZeroDivision::Zero)
    }

    /// Scores of the positive class `pos_label` of a binary problem, with
    /// `zero_division = 0`.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::LengthMismatch`], [`Error::NotBinary`] or
    /// [`Error::UnknownPosLabel`].
    pub fn binary<L: Ord + Clone + Debug>(
        y_true: &[L],
        y_pred: &[L],
        pos_label: L,
    ) -> Result<Self, Error> {
        Self::compute(
            y_true,
            y_pred,
            Average::Binary { pos_label },
            ZeroDivision::Zero,
        )
    }
}
