//! What CBPE reads from a [`Window`]: per-class scores, predicted and true classes as
//! indices into the fitted classes, each checked with an error naming the window.

use driftwatch_core::{Target, Window};

use super::error::CbpeError;

/// Scores `[class][row]` in `classes` order, and predicted class indices.
pub struct Outputs {
    /// Uncalibrated probability of each class per row.
    pub scores: Vec<Vec<f64>>,
    /// Predicted class per row.
    pub pred: Vec<usize>,
}

/// The classes of a window's probabilities, sorted; the error when it has none.
pub fn probability_classes(window: &Window, name: &str) -> Result<Vec<String>, CbpeError> {
    let probs = window
        .probabilities
        .as_ref()
        .ok_or_else(|| missing_probabilities(name))?;
    let mut classes = probs.classes.clone();
    classes.sort();
    classes.dedup();
    Ok(classes)
}

fn missing_probabilities(name: &str) -> CbpeError {
    CbpeError::Missing {
        window: name.into(),
        what: "probabilities",
        fix: "CBPE needs the model's class probabilities (log `predict_proba` output, \
              or run a model that has it)",
    }
}

fn joined(classes: &[String]) -> String {
    classes.join(", ")
}

/// Class indices of `target`'s rows `rows` (all rows when `None`).
fn class_indices(
    target: &Target,
    rows: Option<&[usize]>,
    classes: &[String],
    name: &str,
    what: &'static str,
) -> Result<Vec<usize>, CbpeError> {
    let labels = target.to_strings();
    let pick = |i: usize| -> Result<usize, CbpeError> {
        let label = &labels[i];
        classes
            .binary_search(label)
            .map_err(|_| CbpeError::UnseenClass {
                window: name.into(),
                what,
                class: label.clone(),
                classes: joined(classes),
            })
    };
    match rows {
        Some(rows) => rows.iter().map(|&i| pick(i)).collect(),
        None => (0..labels.len()).map(pick).collect(),
    }
}

/// The scores and predictions of every row, in `classes` (sorted) order.
pub fn outputs(window: &Window, classes: &[String], name: &str) -> Result<Outputs, CbpeError> {
    let probs = window
        .probabilities
        .as_ref()
        .ok_or_else(|| missing_probabilities(name))?;
    let n = probs.values.nrows();
    if n == 0 {
        return Err(CbpeError::Empty {
            window: name.into(),
        });
    }
    if probs.values.ncols() != probs.classes.len() {
        return Err(CbpeError::Shape {
            window: name.into(),
            detail: format!(
                "{} probability columns for {} classes",
                probs.values.ncols(),
                probs.classes.len()
            ),
        });
    }
    if let Some(extra) = probs
        .classes
        .iter()
        .find(|c| classes.binary_search(c).is_err())
    {
        return Err(CbpeError::UnseenClass {
            window: name.into(),
            what: "probabilities",
            class: extra.clone(),
            classes: joined(classes),
        });
    }
    let mut scores = Vec::with_capacity(classes.len());
    for class in classes {
        let col = probs
            .classes
            .iter()
            .position(|c| c == class)
            .ok_or_else(|| CbpeError::Shape {
                window: name.into(),
                detail: format!("no probability column for class '{class}'"),
            })?;
        let values: Vec<f64> = probs.values.column(col).to_vec();
        if let Some((row, &value)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !(0.0..=1.0).contains(*v))
        {
            return Err(CbpeError::BadProbability {
                window: name.into(),
                class: class.clone(),
                row: row + 1,
                value,
            });
        }
        scores.push(values);
    }
    let predictions = window.predictions.as_ref().ok_or(CbpeError::Missing {
        window: name.into(),
        what: "predictions",
        fix: "CBPE needs the predicted class of every row next to its probabilities",
    })?;
    if predictions.len() != n {
        return Err(CbpeError::Shape {
            window: name.into(),
            detail: format!("{} predictions and {n} probability rows", predictions.len()),
        });
    }
    let pred = class_indices(predictions, None, classes, name, "predictions")?;
    Ok(Outputs { scores, pred })
}

/// Row indices with labels, and their class indices.
pub type Labelled = (Vec<usize>, Vec<usize>);

/// The rows with labels and their class indices (`None` when the window has no labels).
pub fn labelled(
    window: &Window,
    classes: &[String],
    name: &str,
    n_rows: usize,
) -> Result<Option<Labelled>, CbpeError> {
    let Some(labels) = &window.labels else {
        return Ok(None);
    };
    if labels.len() != n_rows {
        return Err(CbpeError::Shape {
            window: name.into(),
            detail: format!("{} labels and {n_rows} probability rows", labels.len()),
        });
    }
    let rows: Vec<usize> = match &window.labelled {
        Some(mask) if mask.len() == n_rows => (0..n_rows).filter(|&i| mask[i]).collect(),
        Some(mask) => {
            return Err(CbpeError::Shape {
                window: name.into(),
                detail: format!("{} labelled flags and {n_rows} rows", mask.len()),
            });
        }
        None => (0..n_rows).collect(),
    };
    let truth = class_indices(labels, Some(&rows), classes, name, "labels")?;
    Ok(Some((rows, truth)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Probabilities;
    use ndarray::array;

    fn window() -> Window {
        Window {
            label: "day 1".into(),
            probabilities: Some(Probabilities {
                classes: vec!["b".into(), "a".into()],
                values: array![[0.2, 0.8], [0.6, 0.4]],
            }),
            predictions: Some(Target::Labels(vec!["a".into(), "b".into()])),
            labels: Some(Target::Labels(vec!["a".into(), String::new()])),
            labelled: Some(vec![true, false]),
            ..Window::default()
        }
    }

    #[test]
    fn columns_follow_the_sorted_classes_and_labels_the_mask() {
        let w = window();
        let classes = probability_classes(&w, "day 1").unwrap();
        assert_eq!(classes, ["a", "b"]);
        let o = outputs(&w, &classes, "day 1").unwrap();
        assert_eq!(o.scores, vec![vec![0.8, 0.4], vec![0.2, 0.6]]);
        assert_eq!(o.pred, [0, 1]);
        assert_eq!(
            labelled(&w, &classes, "day 1", 2).unwrap(),
            Some((vec![0], vec![0]))
        );
    }

    #[test]
    fn bad_inputs_are_named_errors() {
        let mut w = window();
        w.predictions = Some(Target::Labels(vec!["a".into(), "z".into()]));
        let classes = vec!["a".to_string(), "b".to_string()];
        let e = outputs(&w, &classes, "day 1").err().unwrap().to_string();
        assert!(e.contains("class 'z'") && e.contains("day 1"), "{e}");
        let mut w = window();
        if let Some(p) = w.probabilities.as_mut() {
            p.values[[1, 0]] = f64::NAN;
        }
        let e = outputs(&w, &classes, "day 1").err().unwrap().to_string();
        assert!(e.contains("row 2") && e.contains("[0, 1]"), "{e}");
        let none = Window::default();
        assert!(matches!(
            outputs(&none, &classes, "x"),
            Err(CbpeError::Missing {
                what: "probabilities",
                ..
            })
        ));
    }
}
