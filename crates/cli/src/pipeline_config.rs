//! The pipeline config file of `driftwatch train --config` (docs/PIPELINE.md).
//!
//! The file is the pipeline's serialised form, plus one shorthand for the common case:
//! `model = "random_forest"` names the model by a short, task-independent name. A file
//! with only that line gets the default preprocessing for the data; with `[[steps]]` the
//! steps are used as written.

use anyhow::{Context, Result, bail};
use driftwatch_core::{Estimator, Frame, Pipeline};

use crate::workflow::default_preprocessing;

/// Model shorthands and the estimator each names for classification and regression
/// (`None`: the model does not do that task).
pub const MODEL_SHORTHANDS: [(&str, Option<&str>, Option<&str>); 5] = [
    (
        "random_forest",
        Some("RandomForestClassifier"),
        Some("RandomForestRegressor"),
    ),
    (
        "extra_trees",
        Some("ExtraTreesClassifier"),
        Some("ExtraTreesRegressor"),
    ),
    (
        "decision_tree",
        Some("DecisionTreeClassifier"),
        Some("DecisionTreeRegressor"),
    ),
    ("logistic_regression", Some("LogisticRegression"), None),
    ("linear_regression", None, Some("LinearRegression")),
];

/// A parsed pipeline config: the pipeline as written, and the model shorthand if the
/// file used one (then the pipeline has no model yet: it depends on the task).
#[derive(Debug)]
pub struct PipelineConfig {
    pipeline: Pipeline,
    shorthand: Option<String>,
    has_steps: bool,
}

impl PipelineConfig {
    /// Parses the TOML text; `origin` (the file) is named in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let mut table: toml::Table = toml::from_str(text)
            .with_context(|| format!("pipeline config {origin} is not valid TOML"))?;
        let shorthand = match table.get("model") {
            Some(toml::Value::String(name)) => {
                if !MODEL_SHORTHANDS.iter().any(|(n, _, _)| n == name) {
                    bail!(
                        "pipeline config {origin}: unknown model '{name}'; use one of {} \
                         or a [model] table with an estimator type (docs/PIPELINE.md)",
                        shorthand_names()
                    );
                }
                let name = name.clone();
                table.remove("model");
                Some(name)
            }
            _ => None,
        };
        let has_steps = table.contains_key("steps");
        let pipeline: Pipeline = table.try_into().with_context(|| {
            format!(
                "pipeline config {origin} is not a valid pipeline (see docs/PIPELINE.md for the format)"
            )
        })?;
        Ok(PipelineConfig {
            pipeline,
            shorthand,
            has_steps,
        })
    }

    /// Whether the config's model is a classifier, when the file says (a `[model]`
    /// table); `None` for a shorthand or no model, where the task decides.
    pub fn is_classifier(&self) -> Option<bool> {
        self.pipeline.estimator().ok().map(|m| m.is_classifier())
    }

    /// The unfitted pipeline for this data and task: a shorthand becomes its estimator
    /// (seeded), a shorthand-only file gets the default preprocessing.
    pub fn build(self, features: &Frame, classification: bool, seed: u64) -> Result<Pipeline> {
        let Some(name) = self.shorthand else {
            return Ok(self.pipeline);
        };
        let model = shorthand_model(&name, classification, seed)?;
        let pipeline = if self.has_steps {
            self.pipeline
        } else {
            Pipeline::new().step("preprocess", Box::new(default_preprocessing(features)))
        };
        Ok(pipeline.with_model("model", model))
    }
}

/// The estimator a shorthand names for the task, seeded when it has a seed.
pub fn shorthand_model(name: &str, classification: bool, seed: u64) -> Result<Box<dyn Estimator>> {
    let task = if classification {
        "classification"
    } else {
        "regression"
    };
    let Some(&(_, c, r)) = MODEL_SHORTHANDS.iter().find(|(n, _, _)| *n == name) else {
        bail!("unknown model '{name}'; use one of {}", shorthand_names());
    };
    let Some(type_name) = (if classification { c } else { r }) else {
        bail!("model '{name}' does not do {task}; choose another model or --task");
    };
    let mut spec = serde_json::json!({ "type": type_name });
    if type_name.contains("Forest") || type_name.contains("Tree") {
        spec["seed"] = seed.into();
    }
    serde_json::from_value(spec).with_context(|| format!("building {type_name}"))
}

fn shorthand_names() -> String {
    MODEL_SHORTHANDS
        .iter()
        .map(|(n, _, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use driftwatch_core::Column;
    use driftwatch_models as _;

    fn frame() -> Frame {
        Frame::new(vec![(
            "x".into(),
            Column::Numeric(ndarray::array![1.0, 2.0, 3.0]),
        )])
        .unwrap()
    }

    fn model_type(p: &Pipeline) -> String {
        let v = serde_json::to_value(p).unwrap();
        v["model"]["estimator"]["type"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn random_forest_shorthand_is_the_native_forest_for_the_task() {
        let c = PipelineConfig::parse("model = \"random_forest\"", "p.toml").unwrap();
        assert_eq!(c.is_classifier(), None);
        let p = c.build(&frame(), true, 7).unwrap();
        assert_eq!(model_type(&p), "RandomForestClassifier");
        assert_eq!(p.steps.len(), 1, "default preprocessing");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["model"]["estimator"]["seed"], 7);
        let c = PipelineConfig::parse("model = \"random_forest\"", "p.toml").unwrap();
        let p = c.build(&frame(), false, 7).unwrap();
        assert_eq!(model_type(&p), "RandomForestRegressor");
    }

    #[test]
    fn shorthand_with_steps_keeps_the_steps() {
        let text = "model = \"extra_trees\"\n[[steps]]\nname = \"scaler\"\ntransformer = { type = \"StandardScaler\" }\n";
        let p = PipelineConfig::parse(text, "p.toml")
            .unwrap()
            .build(&frame(), true, 0)
            .unwrap();
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.steps[0].name, "scaler");
        assert_eq!(model_type(&p), "ExtraTreesClassifier");
    }

    #[test]
    fn full_model_tables_still_work() {
        let text = "[model]\nname = \"model\"\nestimator = { type = \"RandomForestRegressor\", n_estimators = 5 }\n";
        let c = PipelineConfig::parse(text, "p.toml").unwrap();
        assert_eq!(c.is_classifier(), Some(false));
        let p = c.build(&frame(), false, 0).unwrap();
        assert!(p.steps.is_empty());
        assert_eq!(model_type(&p), "RandomForestRegressor");
    }

    #[test]
    fn unknown_or_wrong_task_shorthands_are_explained() {
        let e = PipelineConfig::parse("model = \"xgboost\"", "p.toml").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("p.toml: unknown model 'xgboost'"), "{msg}");
        assert!(msg.contains("\"random_forest\""), "{msg}");
        let c = PipelineConfig::parse("model = \"linear_regression\"", "p.toml").unwrap();
        let e = c.build(&frame(), true, 0).unwrap_err();
        assert!(
            format!("{e:#}").contains("does not do classification"),
            "{e:#}"
        );
        let e = PipelineConfig::parse("model = [1]", "p.toml").unwrap_err();
        assert!(format!("{e:#}").contains("not a valid pipeline"), "{e:#}");
    }
}
