//! [`LabelEncoder`]: class labels <-> class indices, shared by every classifier.

use std::collections::{BTreeSet, HashMap};

use driftwatch_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// Maps class labels to indices `0..n_classes` and back.
///
/// Classes are sorted as scikit-learn sorts them: numerically when every label reads as a
/// finite number (so `"2"` comes before `"10"`), otherwise as text. The order is the
/// column order of `predict_proba`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(from = "Classes", into = "Classes")]
pub struct LabelEncoder {
    classes: Vec<String>,
    index: HashMap<String, usize>,
}

/// The serialised form: just the classes, the lookup table is rebuilt on load.
#[derive(Serialize, Deserialize)]
struct Classes {
    classes: Vec<String>,
}

impl From<Classes> for LabelEncoder {
    fn from(c: Classes) -> Self {
        LabelEncoder::from_classes(c.classes)
    }
}

impl From<LabelEncoder> for Classes {
    fn from(e: LabelEncoder) -> Self {
        Classes { classes: e.classes }
    }
}

impl LabelEncoder {
    /// Learns the sorted distinct classes of `labels`; an empty input is an error.
    pub fn fit(labels: &[String]) -> Result<LabelEncoder> {
        if labels.is_empty() {
            return Err(Error::Empty("the target".into()));
        }
        let distinct: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
        let mut classes: Vec<String> = distinct.into_iter().map(str::to_string).collect();
        sort_classes(&mut classes);
        Ok(LabelEncoder::from_classes(classes))
    }

    /// An encoder for classes given in the order to use (e.g. from a saved model).
    pub fn from_classes(classes: Vec<String>) -> LabelEncoder {
        let index = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        LabelEncoder { classes, index }
    }

    /// The classes in index order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// The index of one label, or `None` when it was not seen at fit.
    pub fn index_of(&self, label: &str) -> Option<usize> {
        self.index.get(label).copied()
    }

    /// Encodes labels; a label not seen at fit is an error naming it and the row.
    pub fn transform(&self, labels: &[String]) -> Result<Vec<usize>> {
        labels
            .iter()
            .enumerate()
            .map(|(row, l)| {
                self.index_of(l).ok_or_else(|| {
                    Error::InvalidValue(format!(
                        "label '{l}' at row {} was not seen at fit; known classes: {}",
                        row + 1,
                        self.classes.join(", ")
                    ))
                })
            })
            .collect()
    }

    /// Decodes indices back to labels; an index out of range is an error.
    pub fn inverse_transform(&self, indices: &[usize]) -> Result<Vec<String>> {
        indices
            .iter()
            .map(|&i| {
                self.classes.get(i).cloned().ok_or_else(|| {
                    Error::InvalidValue(format!(
                        "class index {i} out of range for {} classes",
                        self.classes.len()
                    ))
                })
            })
            .collect()
    }

    /// Rebuilds the lookup table (call after deserialising for fast `index_of`).
    pub fn rebuilt(self) -> LabelEncoder {
        LabelEncoder::from_classes(self.classes)
    }
}

impl LabelEncoder {
    /// Checks a loaded encoder: at least one class, no duplicates.
    pub fn validate(&self) -> Result<()> {
        if self.classes.is_empty() {
            return Err(Error::InvalidValue("label encoder has no classes".into()));
        }
        if self.index.len() != self.classes.len() {
            return Err(Error::InvalidValue(
                "label encoder lists a class twice".into(),
            ));
        }
        Ok(())
    }
}

/// Sorts class labels: numerically when all are finite numbers, else as text.
pub fn sort_classes(classes: &mut [String]) {
    let numbers: Option<Vec<f64>> = classes
        .iter()
        .map(|c| c.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    match numbers {
        Some(_) => classes.sort_by(|a, b| {
            let (x, y) = (num(a), num(b));
            x.total_cmp(&y).then_with(|| a.cmp(b))
        }),
        None => classes.sort(),
    }
}

fn num(s: &str) -> f64 {
    s.trim().parse::<f64>().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn sorts_and_round_trips() {
        let enc = LabelEncoder::fit(&s(&["b", "a", "c", "a"])).unwrap();
        assert_eq!(enc.classes(), ["a", "b", "c"]);
        let idx = enc.transform(&s(&["c", "a"])).unwrap();
        assert_eq!(idx, [2, 0]);
        assert_eq!(enc.inverse_transform(&idx).unwrap(), ["c", "a"]);
        assert!(enc.inverse_transform(&[3]).is_err());
    }

    #[test]
    fn numeric_labels_sort_as_numbers() {
        let enc = LabelEncoder::fit(&s(&["10", "2", "-1"])).unwrap();
        assert_eq!(enc.classes(), ["-1", "2", "10"]);
    }

    #[test]
    fn unseen_label_names_it() {
        let enc = LabelEncoder::fit(&s(&["x", "y"])).unwrap();
        let err = enc.transform(&s(&["x", "z"])).unwrap_err().to_string();
        assert!(err.contains("'z'") && err.contains("row 2"), "{err}");
        assert!(LabelEncoder::fit(&[]).is_err());
    }

    #[test]
    fn validate_catches_duplicates() {
        assert!(
            LabelEncoder::from_classes(s(&["a", "b"]))
                .validate()
                .is_ok()
        );
        assert!(
            LabelEncoder::from_classes(s(&["a", "a"]))
                .validate()
                .is_err()
        );
        assert!(LabelEncoder::from_classes(vec![]).validate().is_err());
    }
}
