//! A chain of named transformers ending (optionally) in a model, scikit-learn style.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::params::{ParamValue, Params, unknown_param};
use crate::traits::{Estimator, Probabilities, Target, Transformer};

/// A transformer with the name it has in its pipeline.
#[derive(Debug, Serialize, Deserialize)]
pub struct TransformerStep {
    /// Step name, the first part of a parameter path.
    pub name: String,
    /// The step.
    pub transformer: Box<dyn Transformer>,
}

/// The model at the end of a pipeline, with its name.
#[derive(Debug, Serialize, Deserialize)]
pub struct EstimatorStep {
    /// Step name, usually `model`.
    pub name: String,
    /// The model.
    pub estimator: Box<dyn Estimator>,
}

/// Preprocessing steps applied in order, then an optional model.
///
/// Without a model a pipeline is itself a [`Transformer`], so it can sit inside a
/// `ColumnTransformer` (e.g. impute then scale the numeric columns).
#[derive(Debug, Serialize, Deserialize, Default)]
pub struct Pipeline {
    /// Preprocessing steps.
    #[serde(default)]
    pub steps: Vec<TransformerStep>,
    /// The final model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<EstimatorStep>,
    /// The columns seen at fit, in order; later inputs are selected by these names.
    #[serde(default)]
    pub input_columns: Vec<String>,
}

/// Builds a pipeline naming each step by its lower-cased type (`standardscaler`,
/// `pca`, `randomforestclassifier`); repeated types get `-1`, `-2` as in scikit-learn.
pub fn make_pipeline(
    transformers: Vec<Box<dyn Transformer>>,
    model: Option<Box<dyn Estimator>>,
) -> Pipeline {
    let mut types: Vec<String> = transformers
        .iter()
        .map(|t| t.type_name().to_lowercase())
        .collect();
    if let Some(m) = &model {
        types.push(m.type_name().to_lowercase());
    }
    let names: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let count = types.iter().filter(|x| *x == t).count();
            if count > 1 {
                let k = types[..=i].iter().filter(|x| *x == t).count();
                format!("{t}-{k}")
            } else {
                t.clone()
            }
        })
        .collect();
    let steps = transformers
        .into_iter()
        .zip(&names)
        .map(|(transformer, name)| TransformerStep {
            name: name.clone(),
            transformer,
        })
        .collect();
    Pipeline {
        steps,
        model: model.map(|estimator| EstimatorStep {
            name: names.last().cloned().unwrap_or_default(),
            estimator,
        }),
        input_columns: Vec::new(),
    }
}

impl Pipeline {
    /// An empty pipeline.
    pub fn new() -> Self {
        Pipeline::default()
    }

    /// Adds a named transformer step.
    pub fn step(mut self, name: impl Into<String>, transformer: Box<dyn Transformer>) -> Self {
        self.steps.push(TransformerStep {
            name: name.into(),
            transformer,
        });
        self
    }

    /// Sets the final model.
    pub fn with_model(mut self, name: impl Into<String>, estimator: Box<dyn Estimator>) -> Self {
        self.model = Some(EstimatorStep {
            name: name.into(),
            estimator,
        });
        self
    }

    /// The model, or an error saying the pipeline has none.
    pub fn estimator(&self) -> Result<&dyn Estimator> {
        self.model
            .as_ref()
            .map(|m| m.estimator.as_ref())
            .ok_or_else(|| Error::InvalidParam {
                name: "model".into(),
                message: "the pipeline has no model step; add one to predict".into(),
            })
    }

    /// A deep copy, made through serialisation (used for grid search and CV folds).
    pub fn try_clone(&self) -> Result<Pipeline> {
        let v = serde_json::to_value(self).map_err(|e| Error::Serde(e.to_string()))?;
        serde_json::from_value(v).map_err(|e| Error::Serde(e.to_string()))
    }

    fn select_inputs(&self, x: &Frame) -> Result<Frame> {
        if self.input_columns.is_empty() {
            return Ok(x.clone());
        }
        let missing: Vec<&String> = self
            .input_columns
            .iter()
            .filter(|c| !x.has_column(c))
            .collect();
        if let Some(first) = missing.first() {
            return Err(Error::MissingColumn {
                column: first.to_string(),
                context: if missing.len() > 1 {
                    format!(
                        " (and {} more: {}) that the pipeline was fitted on",
                        missing.len() - 1,
                        missing[1..]
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    " that the pipeline was fitted on".into()
                },
                available: x.names().join(", "),
            });
        }
        x.select(&self.input_columns)
    }

    fn fit_steps(&mut self, x: &Frame) -> Result<Frame> {
        if x.n_rows() == 0 {
            return Err(Error::Empty("the training data".into()));
        }
        self.input_columns = x.names().to_vec();
        let mut cur = x.clone();
        for s in &mut self.steps {
            cur = s
                .transformer
                .fit_transform(&cur)
                .map_err(|e| in_step(&s.name, e))?;
        }
        Ok(cur)
    }

    /// Applies the fitted preprocessing steps (not the model).
    pub fn transform_features(&self, x: &Frame) -> Result<Frame> {
        let mut cur = self.select_inputs(x)?;
        for s in &self.steps {
            cur = s
                .transformer
                .transform(&cur)
                .map_err(|e| in_step(&s.name, e))?;
        }
        Ok(cur)
    }

    /// Fits every step, then the model on the transformed features.
    pub fn fit(&mut self, x: &Frame, y: &Target) -> Result<()> {
        if x.n_rows() != y.len() {
            return Err(Error::Shape(format!(
                "{} feature rows but {} target values",
                x.n_rows(),
                y.len()
            )));
        }
        let xt = self.fit_steps(x)?;
        let model = self.model.as_mut().ok_or_else(|| Error::InvalidParam {
            name: "model".into(),
            message: "the pipeline has no model step to fit".into(),
        })?;
        model
            .estimator
            .fit(&xt, y)
            .map_err(|e| in_step(&model.name, e))
    }

    /// Predicts with the fitted pipeline.
    pub fn predict(&self, x: &Frame) -> Result<Target> {
        let xt = self.transform_features(x)?;
        self.estimator()?.predict(&xt)
    }

    /// Class probabilities, when the model has them.
    pub fn predict_proba(&self, x: &Frame) -> Result<Option<Probabilities>> {
        let xt = self.transform_features(x)?;
        self.estimator()?.predict_proba(&xt)
    }

    /// Names of the features the model sees (after preprocessing), from a sample frame.
    pub fn feature_names_out(&self, sample: &Frame) -> Result<Vec<String>> {
        Ok(self
            .transform_features(&sample.slice_rows(0, 1))?
            .names()
            .to_vec())
    }

    /// Checks every fitted step (used after loading a bundle).
    pub fn validate(&self) -> Result<()> {
        for s in &self.steps {
            s.transformer.validate().map_err(|e| in_step(&s.name, e))?;
        }
        if let Some(m) = &self.model {
            m.estimator.validate().map_err(|e| in_step(&m.name, e))?;
        }
        Ok(())
    }
}

fn in_step(step: &str, e: Error) -> Error {
    match e {
        Error::Model { component, message } => Error::Model {
            component: format!("step '{step}' ({component})"),
            message,
        },
        other => other,
    }
}

impl Params for Pipeline {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        let mut out = Vec::new();
        for s in &self.steps {
            for (k, v) in s.transformer.get_params() {
                out.push((format!("{}__{k}", s.name), v));
            }
        }
        if let Some(m) = &self.model {
            for (k, v) in m.estimator.get_params() {
                out.push((format!("{}__{k}", m.name), v));
            }
        }
        out
    }

    fn set_param(&mut self, path: &str, value: &ParamValue) -> Result<()> {
        let all = self.get_params();
        let Some((step, rest)) = path.split_once("__") else {
            return Err(unknown_param(path, &all, ""));
        };
        let result = if let Some(s) = self.steps.iter_mut().find(|s| s.name == step) {
            s.transformer.set_param(rest, value)
        } else if let Some(m) = self.model.as_mut().filter(|m| m.name == step) {
            m.estimator.set_param(rest, value)
        } else {
            return Err(unknown_param(path, &all, ""));
        };
        match result {
            Err(Error::UnknownParam { .. }) => Err(unknown_param(path, &all, "")),
            Err(Error::InvalidParam { message, .. }) => Err(Error::InvalidParam {
                name: path.to_string(),
                message,
            }),
            other => other,
        }
    }
}

#[typetag::serde]
impl Transformer for Pipeline {
    fn type_name(&self) -> &'static str {
        "Pipeline"
    }
    fn fit(&mut self, x: &Frame) -> Result<()> {
        self.fit_steps(x).map(|_| ())
    }
    fn transform(&self, x: &Frame) -> Result<Frame> {
        self.transform_features(x)
    }
    fn fit_transform(&mut self, x: &Frame) -> Result<Frame> {
        self.fit_steps(x)
    }
    fn validate(&self) -> Result<()> {
        Pipeline::validate(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocessing::{Pca, StandardScaler};

    #[test]
    fn make_pipeline_names_steps_by_type() {
        let p = make_pipeline(
            vec![
                Box::new(StandardScaler::default()),
                Box::new(Pca::new(Some(2))),
                Box::new(StandardScaler::default()),
            ],
            None,
        );
        let names: Vec<&str> = p.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["standardscaler-1", "pca", "standardscaler-2"]);
    }

    #[test]
    fn set_param_by_path_and_lists_valid_paths() {
        let mut p = make_pipeline(vec![Box::new(Pca::new(Some(2)))], None);
        p.set_param("pca__n_components", &ParamValue::Int(1))
            .unwrap();
        assert!(
            p.get_params()
                .contains(&("pca__n_components".into(), ParamValue::Int(1)))
        );
        let err = p
            .set_param("pca__nope", &ParamValue::Int(1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("pca__n_components"), "{err}");
        assert!(p.set_param("nothing", &ParamValue::Int(1)).is_err());
    }

    #[test]
    fn predict_without_model_is_an_error() {
        let p = Pipeline::new();
        assert!(p.predict(&Frame::default()).is_err());
    }
}
