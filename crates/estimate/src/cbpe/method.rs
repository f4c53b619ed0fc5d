//! The metric names of `cbpe`'s findings: `estimated_<name>` (an estimate) and
//! `realized_<name>` (the value from labels), shared with the other estimators of issue 14.

/// Area under the ROC curve (macro one-vs-rest for more than two classes).
pub const ROC_AUC: &str = "roc_auc";
/// Share of correct predictions.
pub const ACCURACY: &str = "accuracy";
/// Precision of the positive class (macro for more than two classes).
pub const PRECISION: &str = "precision";
/// Recall of the positive class (macro for more than two classes).
pub const RECALL: &str = "recall";
/// F1 of the positive class (macro for more than two classes).
pub const F1: &str = "f1";
/// Specificity: recall of the negative class (macro for more than two classes).
pub const SPECIFICITY: &str = "specificity";
/// Confusion-matrix count of true positives (binary).
pub const TRUE_POSITIVE: &str = "true_positive";
/// Confusion-matrix count of false positives (binary).
pub const FALSE_POSITIVE: &str = "false_positive";
/// Confusion-matrix count of true negatives (binary).
pub const TRUE_NEGATIVE: &str = "true_negative";
/// Confusion-matrix count of false negatives (binary).
pub const FALSE_NEGATIVE: &str = "false_negative";
/// The config name that stands for the four confusion-matrix counts.
pub const CONFUSION_MATRIX: &str = "confusion_matrix";

/// The method of an estimate finding, `estimated_<metric>`.
pub fn estimated(metric: &str) -> String {
    format!("estimated_{metric}")
}

/// The method of a realized-value finding, `realized_<metric>`.
pub fn realized(metric: &str) -> String {
    format!("realized_{metric}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn methods_are_prefixed_names() {
        assert_eq!(super::estimated(super::ROC_AUC), "estimated_roc_auc");
        assert_eq!(
            super::realized(super::FALSE_NEGATIVE),
            "realized_false_negative"
        );
    }
}
