//! scikit-learn's `classification_report`: per-class precision, recall,
//! F1 and support plus the accuracy / micro, macro and weighted averages.
//!
//! [`ClassificationReport`] prints as scikit-learn's text report
//! (`Display`) and serializes as its `output_dict=True` dictionary.

use std::fmt::{self, Debug, Display};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::Error;
use crate::classification::{
    Average, Prf, ZeroDivision, check_pair, precision_recall_fbeta_support, unique_labels,
};

/// Precision, recall, F1 and support of one line of the report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportRow {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1 score.
    pub f1_score: f64,
    /// Number of true instances counted in this line.
    pub support: u64,
}

impl Serialize for ReportRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("precision", &self.precision)?;
        map.serialize_entry("recall", &self.recall)?;
        map.serialize_entry("f1-score", &self.f1_score)?;
        // scikit-learn >= 1.7 reports support as a float in output_dict.
        map.serialize_entry("support", &(self.support as f64))?;
        map.end()
    }
}

/// One class of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRow {
    /// The class label as displayed (`Display` of the label).
    pub name: String,
    /// Its scores.
    pub scores: ReportRow,
}

/// A classification report as computed by scikit-learn's
/// `classification_report`.
///
/// `Display` gives scikit-learn's text; `Serialize` gives its
/// `output_dict=True` structure (`{"<class>": {"precision", "recall",
/// "f1-score", "support"}, "accuracy" | "micro avg", "macro avg",
/// "weighted avg"}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationReport {
    /// One line per class, in label order.
    pub classes: Vec<ClassRow>,
    /// Micro-averaged scores.
    pub micro_avg: ReportRow,
    /// Whether the micro average equals accuracy (every label of the data is
    /// in the report): then it is shown as a single "accuracy" value, as
    /// scikit-learn does, instead of a "micro avg" line.
    pub micro_is_accuracy: bool,
    /// Unweighted mean over classes.
    pub macro_avg: ReportRow,
    /// Support-weighted mean over classes.
    pub weighted_avg: ReportRow,
    /// Number of decimals in the text report.
    pub digits: usize,
}

impl ClassificationReport {
    /// The accuracy line, when the report has one (see
    /// [`ClassificationReport::micro_is_accuracy`]).
    #[must_use]
    pub fn accuracy(&self) -> Option<f64> {
        self.micro_is_accuracy.then_some(self.micro_avg.f1_score)
    }
}

/// Options of [`classification_report_with`].
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions<'a, L> {
    /// Classes to report, in order; `None` = the sorted labels of the data.
    pub labels: Option<&'a [L]>,
    /// Decimals in the text report (scikit-learn's default: 2).
    pub digits: usize,
    /// Value of undefined ratios.
    pub zero_division: ZeroDivision,
}

impl<L> Default for ReportOptions<'_, L> {
    fn default() -> Self {
        Self {
            labels: None,
            digits: 2,
            zero_division: ZeroDivision::Zero,
        }
    }
}

/// scikit-learn's `classification_report(y_true, y_pred)` with default
/// options (all labels, 2 digits, `zero_division` 0).
///
/// # Errors
/// [`Error::Empty`] or [`Error::LengthMismatch`].
pub fn classification_report<L: Ord + Clone + Debug + Display>(
    y_true: &[L],
    y_pred: &[L],
) -> Result<ClassificationReport, Error> {
    classification_report_with(y_true, y_pred, &ReportOptions::default())
}

/// scikit-learn's `classification_report` with explicit labels, digits and
/// `zero_division`.
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`], and for explicit labels
/// [`Error::EmptyLabels`] or [`Error::DuplicateLabel`].
pub fn classification_report_with<L: Ord + Clone + Debug + Display>(
    y_true: &[L],
    y_pred: &[L],
    options: &ReportOptions<'_, L>,
) -> Result<ClassificationReport, Error> {
    check_pair(y_true, y_pred)?;
    let present = unique_labels(y_true, y_pred);
    let micro_is_accuracy = match options.labels {
        None => true,
        Some(given) => present.iter().all(|l| given.contains(l)),
    };
    let zd = options.zero_division;
    let prf = |average: Average<L>| {
        precision_recall_fbeta_support(y_true, y_pred, 1.0, options.labels, average, zd)
    };

    let Prf::PerClass(per_class) = prf(Average::None)? else {
        return Err(Error::PerClassAverage);
    };
    let total_support: u64 = per_class.support.iter().sum();
    let classes = per_class
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| ClassRow {
            name: label.to_string(),
            scores: ReportRow {
                precision: per_class.precision[i],
                recall: per_class.recall[i],
                f1_score: per_class.fbeta[i],
                support: per_class.support[i],
            },
        })
        .collect();

    let avg = |average: Average<L>| -> Result<ReportRow, Error> {
        let Prf::Averaged(s) = prf(average)? else {
            return Err(Error::PerClassAverage);
        };
        Ok(ReportRow {
            precision: s.precision,
            recall: s.recall,
            f1_score: s.fbeta,
            support: total_support,
        })
    };
    let micro_avg = avg(Average::Micro)?;
    let macro_avg = avg(Average::Macro)?;
    let weighted_avg = avg(Average::Weighted)?;

    Ok(ClassificationReport {
        classes,
        micro_avg,
        micro_is_accuracy,
        macro_avg,
        weighted_avg,
        digits: options.digits,
    })
}

/// Python's `format(x, ".{digits}f")`: like Rust's `{:.digits$}` except for
/// the spelling of NaN.
fn fixed(x: f64, digits: usize) -> String {
    if x.is_nan() {
        "nan".to_owned()
    } else {
        format!("{x:.digits$}")
    }
}

impl Display for ClassificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LONGEST_HEADING: &str = "weighted avg";
        let d = self.digits;
        let name_width = self
            .classes
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(0);
        let w = name_width.max(LONGEST_HEADING.len()).max(d);

        writeln!(
            f,
            "{:>w$}  {:>9} {:>9} {:>9} {:>9}",
            "", "precision", "recall", "f1-score", "support"
        )?;
        writeln!(f)?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, r: &ReportRow| {
            writeln!(
                f,
                "{:>w$}  {:>9} {:>9} {:>9} {:>9}",
                name,
                fixed(r.precision, d),
                fixed(r.recall, d),
                fixed(r.f1_score, d),
                r.support
            )
        };
        for c in &self.classes {
            row(f, &c.name, &c.scores)?;
        }
        writeln!(f)?;
        if self.micro_is_accuracy {
            writeln!(
                f,
                "{:>w$}  {:>9} {:>9} {:>9} {:>9}",
                "accuracy",
                "",
                "",
                fixed(self.micro_avg.f1_score, d),
                self.micro_avg.support
            )?;
        } else {
            row(f, "micro avg", &self.micro_avg)?;
        }
        row(f, "macro avg", &self.macro_avg)?;
        row(f, "weighted avg", &self.weighted_avg)
    }
}

impl Serialize for ClassificationReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.classes.len() + 3))?;
        for c in &self.classes {
            map.serialize_entry(&c.name, &c.scores)?;
        }
        if self.micro_is_accuracy {
            map.serialize_entry("accuracy", &self.micro_avg.precision)?;
        } else {
            map.serialize_entry("micro avg", &self.micro_avg)?;
        }
        map.serialize_entry("macro avg", &self.macro_avg)?;
        map.serialize_entry("weighted avg", &self.weighted_avg)?;
        map.end()
    }
}
