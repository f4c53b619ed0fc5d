//! The metrics CBPE estimates, their names, directions and value ranges.

use serde::{Deserialize, Serialize};

use super::method;

/// One estimated metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Area under the ROC curve.
    RocAuc,
    /// Share of correct predictions.
    Accuracy,
    /// Precision.
    Precision,
    /// Recall.
    Recall,
    /// F1.
    F1,
    /// Specificity.
    Specificity,
    /// True positives (count, binary only).
    TruePositive,
    /// False positives (count, binary only).
    FalsePositive,
    /// True negatives (count, binary only).
    TrueNegative,
    /// False negatives (count, binary only).
    FalseNegative,
}

impl Metric {
    /// Every metric, in the order findings are reported.
    pub const ALL: [Metric; 10] = [
        Metric::RocAuc,
        Metric::Accuracy,
        Metric::Precision,
        Metric::Recall,
        Metric::F1,
        Metric::Specificity,
        Metric::TruePositive,
        Metric::FalsePositive,
        Metric::TrueNegative,
        Metric::FalseNegative,
    ];

    /// The metric's name (see [`method`]).
    pub fn name(self) -> &'static str {
        match self {
            Metric::RocAuc => method::ROC_AUC,
            Metric::Accuracy => method::ACCURACY,
            Metric::Precision => method::PRECISION,
            Metric::Recall => method::RECALL,
            Metric::F1 => method::F1,
            Metric::Specificity => method::SPECIFICITY,
            Metric::TruePositive => method::TRUE_POSITIVE,
            Metric::FalsePositive => method::FALSE_POSITIVE,
            Metric::TrueNegative => method::TRUE_NEGATIVE,
            Metric::FalseNegative => method::FALSE_NEGATIVE,
        }
    }

    /// The metrics a config name stands for (`confusion_matrix` is the four counts).
    pub fn parse(name: &str) -> Option<Vec<Metric>> {
        if name == method::CONFUSION_MATRIX {
            return Some(Metric::ALL[6..].to_vec());
        }
        Metric::ALL
            .iter()
            .find(|m| m.name() == name)
            .map(|&m| vec![m])
    }

    /// Whether only a binary classifier has it (the confusion-matrix counts).
    pub fn binary_only(self) -> bool {
        matches!(
            self,
            Metric::TruePositive
                | Metric::FalsePositive
                | Metric::TrueNegative
                | Metric::FalseNegative
        )
    }

    /// Whether a larger value is better (false for the two error counts).
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Metric::FalsePositive | Metric::FalseNegative)
    }

    /// NannyML's limit above which a threshold is clipped: 1 for rates, none for counts.
    pub fn upper_limit(self) -> Option<f64> {
        (!self.binary_only()).then_some(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_the_confusion_matrix_expands() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()), Some(vec![m]));
        }
        assert_eq!(Metric::parse("confusion_matrix").map(|v| v.len()), Some(4));
        assert_eq!(Metric::parse("mae"), None);
        assert!(
            !Metric::FalseNegative.higher_is_better() && Metric::TrueNegative.higher_is_better()
        );
        assert_eq!(Metric::TruePositive.upper_limit(), None);
        assert_eq!(Metric::F1.upper_limit(), Some(1.0));
    }
}
