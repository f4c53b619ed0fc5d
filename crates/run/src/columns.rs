//! Model-agnostic monitoring: a model known only by the prediction (and probability)
//! columns it left in the data, as NannyML takes it, instead of a driftwatch bundle.
//!
//! [`PredictionColumns`] names those columns; [`PredictionColumns::outputs`] takes them
//! out of a table (checking that probabilities are numbers in [0, 1]), and what is left
//! are the features the drift monitors see.

use driftwatch_core::{Column, Frame, Probabilities, Target};
use ndarray::Array2;

use crate::error::{Error, Result};

/// At most this many distinct values in a numeric prediction column of whole numbers
/// make it class labels; more (or any fraction) make it a regression.
pub const MAX_CLASSES: usize = 20;

/// What the model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Two classes (or one seen so far).
    Binary,
    /// Three or more classes.
    Multiclass,
    /// Numbers.
    Regression,
}

impl Task {
    /// Whether the predictions are class labels.
    pub fn is_classification(self) -> bool {
        !matches!(self, Task::Regression)
    }
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Task::Binary => "binary",
            Task::Multiclass => "multiclass",
            Task::Regression => "regression",
        })
    }
}

/// Where the predicted probabilities are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProbaSpec {
    /// None given.
    #[default]
    None,
    /// Columns whose names match a pattern with one `*`; the class is what `*`
    /// matched (`p_*` finds `p_setosa` for class `setosa`). A name without `*` is one
    /// column: the positive class's probability of a binary model.
    Glob(String),
    /// `(class, column)` pairs. One pair of a binary model is the positive class; the
    /// other class's probability is 1 - p.
    Columns(Vec<(String, String)>),
}

/// A model known by its outputs in the data: which columns hold the predictions, the
/// probabilities, and which are no features (an id, the timestamp).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PredictionColumns {
    /// The predicted label or value.
    pub prediction: String,
    /// The predicted probabilities, if any.
    pub probabilities: ProbaSpec,
    /// The task; `None` infers it from the reference ([`PredictionColumns::infer_task`]).
    pub task: Option<Task>,
    /// Columns that are neither features nor outputs (an id, a timestamp): left out of
    /// feature drift.
    pub ignore: Vec<String>,
}

/// The model's outputs taken out of a table.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The other columns: the features.
    pub features: Frame,
    /// The predictions.
    pub predictions: Target,
    /// The probabilities, classes sorted.
    pub probabilities: Option<Probabilities>,
}

impl PredictionColumns {
    /// The task: the one given, else by the rule of [`MAX_CLASSES`]: a numeric
    /// prediction column with a fraction or more than [`MAX_CLASSES`] distinct values is
    /// a regression; otherwise the classes (of the predictions, the target `labels` and
    /// the probability columns) make it binary (at most two) or multiclass.
    pub fn infer_task(&self, frame: &Frame, labels: Option<&Target>, input: &str) -> Result<Task> {
        if let Some(t) = self.task {
            return Ok(t);
        }
        let col = self.prediction_column(frame, input)?;
        if let Column::Numeric(v) = col {
            let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            let fraction = finite.iter().any(|x| x.fract() != 0.0);
            let mut distinct: Vec<u64> = finite.iter().map(|x| x.to_bits()).collect();
            distinct.sort_unstable();
            distinct.dedup();
            if fraction || distinct.len() > MAX_CLASSES {
                return Ok(Task::Regression);
            }
        }
        let mut classes: Vec<String> = col.to_labels().into_iter().flatten().collect();
        if let Some(Target::Labels(l)) = labels {
            classes.extend(l.iter().filter(|s| !s.is_empty()).cloned());
        }
        classes.extend(self.proba_columns(frame)?.into_iter().map(|(c, _)| c));
        classes.retain(|c| !c.is_empty());
        classes.sort_unstable();
        classes.dedup();
        Ok(if classes.len() > 2 {
            Task::Multiclass
        } else {
            Task::Binary
        })
    }

    fn prediction_column<'f>(&self, frame: &'f Frame, input: &str) -> Result<&'f Column> {
        frame.column(&self.prediction).map_err(|_| Error::Input {
            input: input.to_string(),
            message: format!(
                "no prediction column '{}' (--prediction names the column with the model's \
                 predictions; columns: {})",
                self.prediction,
                frame.names().join(", ")
            ),
        })
    }

    /// `(class, column)` of the probability columns present in `frame`, as given
    /// (a glob's matches in column order).
    fn proba_columns(&self, frame: &Frame) -> Result<Vec<(String, String)>> {
        Ok(match &self.probabilities {
            ProbaSpec::None => Vec::new(),
            ProbaSpec::Columns(pairs) => pairs.clone(),
            ProbaSpec::Glob(pattern) => match pattern.split_once('*') {
                None => vec![(String::new(), pattern.clone())],
                Some((pre, post)) => frame
                    .names()
                    .iter()
                    .filter(|n| {
                        n.len() > pre.len() + post.len()
                            && n.starts_with(pre)
                            && n.ends_with(post)
                            && n.as_str() != self.prediction
                    })
                    .map(|n| (n[pre.len()..n.len() - post.len()].to_string(), n.clone()))
                    .collect(),
            },
        })
    }

    /// Every column that is not a feature: the prediction, the probabilities and the
    /// ignored ones (those present in `frame`).
    pub fn non_features(&self, frame: &Frame) -> Result<Vec<String>> {
        let mut out = vec![self.prediction.clone()];
        out.extend(self.proba_columns(frame)?.into_iter().map(|(_, c)| c));
        out.extend(self.ignore.iter().cloned());
        out.retain(|c| frame.has_column(c));
        out.dedup();
        Ok(out)
    }

    /// Takes the outputs out of `frame` (`input` names it in errors): the predictions of
    /// the task (labels, or numbers for a regression) and the probabilities, each row's
    /// checked to be a number in [0, 1]. `known` are the classes seen in the reference
    /// (predictions and target), which name the other class of a single probability
    /// column.
    pub fn outputs(
        &self,
        frame: &Frame,
        task: Task,
        known: &[String],
        input: &str,
    ) -> Result<Outputs> {
        let col = self.prediction_column(frame, input)?;
        if let Some(row) = (0..col.len()).find(|&r| col.is_missing(r)) {
            return Err(Error::Input {
                input: input.to_string(),
                message: format!(
                    "prediction column '{}' is empty at row {}: every row needs the model's \
                     prediction",
                    self.prediction,
                    row + 1
                ),
            });
        }
        let predictions = Target::from_column(&self.prediction, col, task.is_classification())
            .map_err(Error::core(format!(
                "{input}: the prediction column (--task regression needs numbers)"
            )))?;
        let pairs = self.proba_columns(frame)?;
        if matches!(self.probabilities, ProbaSpec::Glob(_)) && pairs.is_empty() {
            return Err(self.proba_error(input, frame));
        }
        let probabilities = if pairs.is_empty() || !task.is_classification() {
            None
        } else {
            Some(self.probabilities(frame, pairs, task, known, input)?)
        };
        if let (Some(p), Target::Labels(labels)) = (&probabilities, &predictions)
            && let Some(missing) = labels.iter().find(|l| !p.classes.contains(l))
        {
            return Err(Error::Input {
                input: input.to_string(),
                message: format!(
                    "predicted class '{missing}' has no probability column (the probability \
                     columns are for {}): name each class's column with --proba-column \
                     CLASS=COLUMN",
                    p.classes.join(", ")
                ),
            });
        }
        let mut features = frame.clone();
        for c in self.non_features(frame)? {
            features
                .remove(&c)
                .map_err(Error::core(input.to_string()))?;
        }
        Ok(Outputs {
            features,
            predictions,
            probabilities,
        })
    }

    fn proba_error(&self, input: &str, frame: &Frame) -> Error {
        Error::Input {
            input: input.to_string(),
            message: format!(
                "no column matches --proba '{}' (columns: {}); name the columns by a pattern \
                 with one '*' for the class, or with --proba-column CLASS=COLUMN",
                match &self.probabilities {
                    ProbaSpec::Glob(p) => p.as_str(),
                    _ => "",
                },
                frame.names().join(", ")
            ),
        }
    }

    fn probabilities(
        &self,
        frame: &Frame,
        mut pairs: Vec<(String, String)>,
        task: Task,
        known: &[String],
        input: &str,
    ) -> Result<Probabilities> {
        let bad = |message: String| Error::Input {
            input: input.to_string(),
            message,
        };
        let mut columns = Vec::with_capacity(pairs.len());
        for (_, name) in &pairs {
            let col = frame.column(name).map_err(|_| {
                bad(format!(
                    "no probability column '{name}' (from --proba/--proba-column); columns: {}",
                    frame.names().join(", ")
                ))
            })?;
            let Column::Numeric(v) = col else {
                return Err(bad(format!(
                    "probability column '{name}' holds text (row 1: '{}'); probabilities are \
                     numbers in [0, 1]",
                    col.display_value(0)
                )));
            };
            if let Some((row, x)) = v
                .iter()
                .enumerate()
                .find(|(_, x)| !(0.0..=1.0).contains(*x))
            {
                return Err(bad(format!(
                    "probability column '{name}' row {}: {} is not a probability in [0, 1]{}",
                    row + 1,
                    if x.is_nan() {
                        "an empty cell".to_string()
                    } else {
                        x.to_string()
                    },
                    if x.is_nan() {
                        " (every row needs its probabilities)"
                    } else {
                        ""
                    }
                )));
            }
            columns.push(v.to_vec());
        }
        let n = frame.n_rows();
        if pairs.len() == 1 {
            if task == Task::Multiclass {
                return Err(bad(format!(
                    "one probability column ('{}') for a multiclass model: give one per class \
                     (--proba 'p_*' or --proba-column CLASS=COLUMN for each), or --task binary",
                    pairs[0].1
                )));
            }
            let (positive, negative) = binary_classes(&pairs[0].0, known).map_err(bad)?;
            pairs = vec![(negative, String::new()), (positive, String::new())];
            let p = columns.pop().unwrap_or_default();
            columns = vec![p.iter().map(|x| 1.0 - x).collect(), p];
        }
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by(|&a, &b| pairs[a].0.cmp(&pairs[b].0));
        if let Some(w) = order.windows(2).find(|w| pairs[w[0]].0 == pairs[w[1]].0) {
            return Err(bad(format!(
                "class '{}' has two probability columns",
                pairs[w[0]].0
            )));
        }
        let mut values = Array2::<f64>::zeros((n, pairs.len()));
        for (j, &k) in order.iter().enumerate() {
            for (i, &x) in columns[k].iter().enumerate() {
                values[[i, j]] = x;
            }
        }
        Ok(Probabilities {
            classes: order.iter().map(|&k| pairs[k].0.clone()).collect(),
            values,
        })
    }
}

/// The (positive, negative) class of a binary model's single probability column:
/// `given` (from `--proba-column CLASS=COL`), or by default the larger of the two
/// classes seen (`1` of 0/1, `true` of false/true: scikit-learn's `predict_proba[:, 1]`);
/// the negative one is the other class seen (`0` when the positive is `1` and none
/// other was seen).
pub fn binary_classes(
    given: &str,
    known: &[String],
) -> std::result::Result<(String, String), String> {
    let mut seen: Vec<&String> = known.iter().filter(|c| !c.is_empty()).collect();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() > 2 {
        return Err(format!(
            "one probability column, but the reference has {} classes ({}); give one column \
             per class, or --task binary with two",
            seen.len(),
            seen.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let positive = if given.is_empty() {
        match seen.last() {
            Some(c) => (*c).clone(),
            None => "1".to_string(),
        }
    } else {
        given.to_string()
    };
    let negative = seen
        .iter()
        .find(|c| ***c != positive)
        .map(|c| (*c).clone())
        .or_else(|| match positive.as_str() {
            "1" => Some("0".to_string()),
            "true" => Some("false".to_string()),
            _ => None,
        })
        .ok_or_else(|| {
            format!(
                "the probability column is for class '{positive}' but no other class was seen; \
                 name the classes in the data or the positive one with --proba-column CLASS=COLUMN"
            )
        })?;
    if seen.len() == 2 && !seen.iter().any(|c| **c == positive) {
        return Err(format!(
            "--proba-column names class '{positive}', but the classes are {} and {}",
            seen[0], seen[1]
        ));
    }
    Ok((positive, negative))
}

/// The class labels of a target with empty cells allowed: `(labels, labelled)`, an
/// empty placeholder where the cell is empty (a label not yet arrived).
pub fn partial_labels(
    name: &str,
    column: &Column,
    classification: bool,
) -> Result<(Target, Vec<bool>)> {
    let labelled: Vec<bool> = (0..column.len()).map(|r| !column.is_missing(r)).collect();
    let target = if classification {
        let labels = match column {
            Column::Numeric(v) => v
                .iter()
                .map(|x| {
                    if x.is_nan() {
                        String::new()
                    } else {
                        driftwatch_core::frame::format_number_label(*x)
                    }
                })
                .collect(),
            Column::Categorical(_) => column
                .to_labels()
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
        };
        Target::Labels(labels)
    } else {
        match column {
            Column::Numeric(v) => Target::Values(
                v.iter()
                    .map(|x| if x.is_nan() { 0.0 } else { *x })
                    .collect(),
            ),
            Column::Categorical(_) => {
                return Err(Error::Input {
                    input: format!("target column '{name}'"),
                    message: "a regression needs a numeric target".into(),
                });
            }
        }
    };
    Ok((target, labelled))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    fn cols(prediction: &str, probabilities: ProbaSpec) -> PredictionColumns {
        PredictionColumns {
            prediction: prediction.into(),
            probabilities,
            ..PredictionColumns::default()
        }
    }

    #[test]
    fn the_task_follows_the_predictions_and_classes() {
        let f = frame("x,y_pred,p_a,p_b,p_c\n1,a,0.2,0.3,0.5\n2,b,0.1,0.1,0.8\n");
        let glob = cols("y_pred", ProbaSpec::Glob("p_*".into()));
        assert_eq!(glob.infer_task(&f, None, "t").unwrap(), Task::Multiclass);
        let two = cols("y_pred", ProbaSpec::None);
        assert_eq!(two.infer_task(&f, None, "t").unwrap(), Task::Binary);
        let f = frame("y_pred\n0.5\n1\n");
        assert_eq!(two.infer_task(&f, None, "t").unwrap(), Task::Regression);
        let many: String = (0..30).map(|i| format!("{i}\n")).collect();
        let f = frame(&format!("y_pred\n{many}"));
        assert_eq!(two.infer_task(&f, None, "t").unwrap(), Task::Regression);
        let given = PredictionColumns {
            task: Some(Task::Multiclass),
            ..two.clone()
        };
        assert_eq!(given.infer_task(&f, None, "t").unwrap(), Task::Multiclass);
        let e = cols("nope", ProbaSpec::None)
            .infer_task(&f, None, "r.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("r.csv") && e.contains("'nope'") && e.contains("--prediction"),
            "{e}"
        );
    }

    #[test]
    fn a_glob_names_the_classes_sorted_and_leaves_the_features() {
        let f = frame("x,y_pred,p_b,p_a\n1,a,0.3,0.7\n2,b,0.9,0.1\n");
        let c = cols("y_pred", ProbaSpec::Glob("p_*".into()));
        let o = c.outputs(&f, Task::Binary, &[], "t").unwrap();
        assert_eq!(o.features.names(), ["x"]);
        assert_eq!(o.predictions, Target::Labels(vec!["a".into(), "b".into()]));
        let p = o.probabilities.unwrap();
        assert_eq!(p.classes, ["a", "b"]);
        assert_eq!(p.values.row(0).to_vec(), [0.7, 0.3]);
    }

    #[test]
    fn one_probability_column_is_the_positive_class() {
        let f = frame("y_pred,y_pred_proba,id\n1,0.9,7\n0,0.25,8\n");
        let c = PredictionColumns {
            ignore: vec!["id".into()],
            ..cols("y_pred", ProbaSpec::Glob("y_pred_proba".into()))
        };
        let known = ["0".to_string(), "1".to_string()];
        let o = c.outputs(&f, Task::Binary, &known, "t").unwrap();
        let p = o.probabilities.unwrap();
        assert_eq!(p.classes, ["0", "1"]);
        assert_eq!(p.values.row(1).to_vec(), [0.75, 0.25]);
        assert_eq!(o.features.n_cols(), 0);
        let explicit = cols(
            "y_pred",
            ProbaSpec::Columns(vec![("0".into(), "y_pred_proba".into())]),
        );
        let p = explicit.outputs(&f, Task::Binary, &known, "t").unwrap();
        assert_eq!(p.probabilities.unwrap().values.row(0).to_vec()[0], 0.9);
        assert_eq!(
            binary_classes("", &["false".into(), "true".into()]).unwrap(),
            ("true".into(), "false".into())
        );
        assert!(binary_classes("yes", &["0".into(), "1".into()]).is_err());
    }

    #[test]
    fn probabilities_out_of_range_name_the_column_and_row() {
        let c = cols("y_pred", ProbaSpec::Glob("p_*".into()));
        let f = frame("y_pred,p_a,p_b\na,0.5,0.5\nb,1.2,0.1\n");
        let e = c
            .outputs(&f, Task::Binary, &[], "cur.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cur.csv") && e.contains("'p_a' row 2: 1.2"),
            "{e}"
        );
        let f = frame("y_pred,p_a,p_b\na,,0.5\n");
        let e = c
            .outputs(&f, Task::Binary, &[], "cur.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'p_a' row 1: an empty cell"), "{e}");
        let f = frame("y_pred,q_a\na,0.5\n");
        let e = c
            .outputs(&f, Task::Binary, &[], "cur.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column matches --proba 'p_*'"), "{e}");
        let f = frame("y_pred,p_a,p_b\nc,0.5,0.5\n");
        let e = c
            .outputs(&f, Task::Binary, &[], "cur.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("predicted class 'c' has no probability column"),
            "{e}"
        );
        let f = frame("y_pred,p_a\n,0.5\n");
        let e = c
            .outputs(&f, Task::Binary, &[], "cur.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty at row 1"), "{e}");
    }

    #[test]
    fn empty_target_cells_are_unlabelled_rows() {
        let f = frame("x,y\n1,1\n2,\n3,0\n");
        let (t, mask) = partial_labels("y", f.column("y").unwrap(), true).unwrap();
        assert_eq!(mask, [true, false, true]);
        assert_eq!(
            t,
            Target::Labels(vec!["1".into(), String::new(), "0".into()])
        );
        let (t, _) = partial_labels("y", f.column("y").unwrap(), false).unwrap();
        assert_eq!(t, Target::Values(vec![1.0, 0.0, 0.0]));
    }
}
