//! The native forests as pipeline [`Estimator`]s, with scikit-learn's names, parameters
//! and defaults: RandomForest, ExtraTrees and DecisionTree, classifier and regressor.
//!
//! A decision tree is a forest of one tree without bootstrap that considers every
//! feature, exactly what scikit-learn's `DecisionTree*` does; one engine serves all six.

use serde::{Deserialize, Serialize};

use driftwatch_core::params::unknown_param;
use driftwatch_core::{
    Error as CoreError, Estimator, Frame, ParamValue, Params, Probabilities, Result, Target,
};

use crate::forest::{self, Criterion, ForestParams, MaxFeatures, MaxSamples};
use crate::labels::LabelEncoder;

/// The user-facing parameters shared by every forest and tree (scikit-learn names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestSettings {
    /// Number of trees.
    #[serde(default = "default_trees")]
    pub n_estimators: usize,
    /// `gini` or `entropy` (classifiers), `squared_error` (regressors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// Maximum depth (none = grow until pure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<usize>,
    /// Minimum samples to split a node.
    #[serde(default = "two")]
    pub min_samples_split: usize,
    /// Minimum samples in a leaf.
    #[serde(default = "one")]
    pub min_samples_leaf: usize,
    /// `sqrt`, `log2`, an integer count, a fraction, or none (= all features).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_features: Option<ParamValue>,
    /// Bootstrap samples per tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<bool>,
    /// Bootstrap sample size: a count or a fraction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_samples: Option<ParamValue>,
    /// Compute the out-of-bag score at fit.
    #[serde(default)]
    pub oob_score: bool,
    /// Seed (scikit-learn's random_state).
    #[serde(default)]
    pub seed: u64,
    /// Threads (none = all cores); the model does not depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_jobs: Option<usize>,
}

fn default_trees() -> usize {
    100
}
fn two() -> usize {
    2
}
fn one() -> usize {
    1
}

impl Default for ForestSettings {
    fn default() -> Self {
        ForestSettings {
            n_estimators: default_trees(),
            criterion: None,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            bootstrap: None,
            max_samples: None,
            oob_score: false,
            seed: 0,
            n_jobs: None,
        }
    }
}

/// Which of the six estimators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    RandomForest,
    ExtraTrees,
    DecisionTree,
}

impl ForestSettings {
    fn to_params(&self, kind: Kind, classification: bool, who: &str) -> Result<ForestParams> {
        let mut p = match (kind, classification) {
            (Kind::ExtraTrees, true) => ForestParams::extra_trees_classifier(),
            (Kind::ExtraTrees, false) => ForestParams::extra_trees_regressor(),
            (_, true) => ForestParams::classifier(),
            (_, false) => ForestParams::regressor(),
        };
        p.n_estimators = self.n_estimators;
        if let Some(c) = &self.criterion {
            p.criterion = match (c.as_str(), classification) {
                ("gini", true) => Criterion::Gini,
                ("entropy", true) => Criterion::Entropy,
                ("squared_error", false) => Criterion::SquaredError,
                _ => {
                    return Err(CoreError::param(
                        "criterion",
                        format!(
                            "'{c}' is not valid for {who}: use {}",
                            if classification {
                                "gini or entropy"
                            } else {
                                "squared_error"
                            }
                        ),
                    ));
                }
            };
        }
        p.max_depth = self.max_depth;
        p.min_samples_split = self.min_samples_split;
        p.min_samples_leaf = self.min_samples_leaf;
        if let Some(mf) = &self.max_features {
            p.max_features = match mf {
                ParamValue::Str(s) if s == "sqrt" => MaxFeatures::Sqrt,
                ParamValue::Str(s) if s == "log2" => MaxFeatures::Log2,
                ParamValue::None => MaxFeatures::All,
                ParamValue::Int(i) if *i > 0 => MaxFeatures::Count(*i as usize),
                ParamValue::Float(f) => MaxFeatures::Fraction(*f),
                other => {
                    return Err(CoreError::param(
                        "max_features",
                        format!("{other}: use sqrt, log2, a count, a fraction or none"),
                    ));
                }
            };
        }
        if let Some(b) = self.bootstrap {
            p.bootstrap = b;
        }
        p.max_samples = match &self.max_samples {
            None | Some(ParamValue::None) => None,
            Some(ParamValue::Int(i)) if *i > 0 => Some(MaxSamples::Count(*i as usize)),
            Some(ParamValue::Float(f)) => Some(MaxSamples::Fraction(*f)),
            Some(other) => {
                return Err(CoreError::param(
                    "max_samples",
                    format!("{other}: use a count or a fraction"),
                ));
            }
        };
        p.oob_score = self.oob_score;
        p.seed = self.seed;
        p.n_jobs = self.n_jobs;
        if kind == Kind::DecisionTree {
            p.n_estimators = 1;
            p.bootstrap = false;
            p.oob_score = false;
            if self.max_features.is_none() {
                p.max_features = MaxFeatures::All;
            }
        }
        p.check()
            .map_err(|e| CoreError::param(who, e.to_string()))?;
        Ok(p)
    }

    fn get(&self, kind: Kind) -> Vec<(String, ParamValue)> {
        let mut v = Vec::new();
        if kind != Kind::DecisionTree {
            v.push(("n_estimators".into(), self.n_estimators.into()));
        }
        v.extend([
            (
                "criterion".into(),
                self.criterion
                    .as_deref()
                    .map_or(ParamValue::None, Into::into),
            ),
            ("max_depth".into(), self.max_depth.into()),
            ("min_samples_split".into(), self.min_samples_split.into()),
            ("min_samples_leaf".into(), self.min_samples_leaf.into()),
            (
                "max_features".into(),
                self.max_features.clone().unwrap_or(ParamValue::None),
            ),
        ]);
        if kind != Kind::DecisionTree {
            v.extend([
                (
                    "bootstrap".into(),
                    self.bootstrap.map_or(ParamValue::None, Into::into),
                ),
                (
                    "max_samples".into(),
                    self.max_samples.clone().unwrap_or(ParamValue::None),
                ),
                ("oob_score".into(), self.oob_score.into()),
                ("n_jobs".into(), self.n_jobs.into()),
            ]);
        }
        v.push(("seed".into(), (self.seed as i64).into()));
        v
    }

    fn set(&mut self, kind: Kind, name: &str, value: &ParamValue) -> Result<()> {
        let known = self.get(kind);
        if !known.iter().any(|(k, _)| k == name) {
            return Err(unknown_param(name, &known, ""));
        }
        match name {
            "n_estimators" => {
                let n = value.as_usize(name)?;
                if n == 0 {
                    return Err(CoreError::param(name, "must be at least 1"));
                }
                self.n_estimators = n;
            }
            "criterion" => self.criterion = (*value != ParamValue::None).then(|| value.as_string()),
            "max_depth" => self.max_depth = value.as_opt_usize(name)?,
            "min_samples_split" => self.min_samples_split = value.as_usize(name)?,
            "min_samples_leaf" => self.min_samples_leaf = value.as_usize(name)?,
            "max_features" => self.max_features = Some(value.clone()),
            "bootstrap" => self.bootstrap = Some(value.as_bool(name)?),
            "max_samples" => self.max_samples = Some(value.clone()),
            "oob_score" => self.oob_score = value.as_bool(name)?,
            "n_jobs" => self.n_jobs = value.as_opt_usize(name)?,
            "seed" => self.seed = value.as_usize(name)? as u64,
            _ => return Err(unknown_param(name, &known, "")),
        }
        Ok(())
    }
}

fn model_err(who: &str) -> impl Fn(crate::Error) -> CoreError + '_ {
    move |e| CoreError::model(who, e.to_string())
}

/// Fitted state of a classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedClassifier {
    /// Sorted class labels; index = class code.
    pub classes: LabelEncoder,
    /// Input feature names at fit.
    pub features: Vec<String>,
    /// The engine's model.
    pub model: forest::RandomForestClassifier,
}

/// Fitted state of a regressor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedRegressor {
    /// Input feature names at fit.
    pub features: Vec<String>,
    /// The engine's model.
    pub model: forest::RandomForestRegressor,
}

fn check_features(x: &Frame, features: &[String], who: &str) -> Result<()> {
    if x.names() != features {
        return Err(CoreError::Shape(format!(
            "{who} was fitted on [{}] but got [{}]",
            features.join(", "),
            x.names().join(", ")
        )));
    }
    Ok(())
}

macro_rules! classifier {
    ($name:ident, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Serialize, Deserialize, Default)]
        pub struct $name {
            /// Hyper-parameters.
            #[serde(flatten)]
            pub settings: ForestSettings,
            /// Learnt at fit.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub fitted: Option<FittedClassifier>,
        }

        impl $name {
            /// Default parameters with a seed.
            pub fn with_seed(seed: u64) -> Self {
                let mut m = Self::default();
                m.settings.seed = seed;
                m
            }

            /// Out-of-bag accuracy, when requested at fit.
            pub fn oob_score(&self) -> Option<f64> {
                self.fitted.as_ref().and_then(|f| f.model.oob_score())
            }
        }

        impl Params for $name {
            fn get_params(&self) -> Vec<(String, ParamValue)> {
                self.settings.get($kind)
            }
            fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
                self.settings.set($kind, name, value)
            }
        }

        #[typetag::serde]
        impl Estimator for $name {
            fn type_name(&self) -> &'static str {
                stringify!($name)
            }
            fn is_classifier(&self) -> bool {
                true
            }
            fn fit(&mut self, x: &Frame, y: &Target) -> Result<()> {
                let who = stringify!($name);
                let params = self.settings.to_params($kind, true, who)?;
                let classes = LabelEncoder::fit(y.labels()?)?;
                let codes = classes.transform(y.labels()?)?;
                let m = x.to_matrix(who)?;
                let model = forest::RandomForestClassifier::fit(
                    &params,
                    m.view(),
                    &codes,
                    classes.n_classes(),
                )
                .map_err(model_err(who))?;
                self.fitted = Some(FittedClassifier {
                    classes,
                    features: x.names().to_vec(),
                    model,
                });
                Ok(())
            }
            fn predict(&self, x: &Frame) -> Result<Target> {
                let who = stringify!($name);
                let f = self
                    .fitted
                    .as_ref()
                    .ok_or_else(|| CoreError::NotFitted(who.into()))?;
                check_features(x, &f.features, who)?;
                let codes = f
                    .model
                    .predict(x.to_matrix(who)?.view())
                    .map_err(model_err(who))?;
                Ok(Target::Labels(f.classes.inverse_transform(&codes)?))
            }
            fn predict_proba(&self, x: &Frame) -> Result<Option<Probabilities>> {
                let who = stringify!($name);
                let f = self
                    .fitted
                    .as_ref()
                    .ok_or_else(|| CoreError::NotFitted(who.into()))?;
                check_features(x, &f.features, who)?;
                let values = f
                    .model
                    .predict_proba(x.to_matrix(who)?.view())
                    .map_err(model_err(who))?;
                Ok(Some(Probabilities {
                    classes: f.classes.classes().to_vec(),
                    values,
                }))
            }
            fn feature_importances(&self) -> Option<Vec<f64>> {
                self.fitted.as_ref().map(|f| f.model.feature_importances())
            }
            fn validate(&self) -> Result<()> {
                let who = stringify!($name);
                if let Some(f) = &self.fitted {
                    f.model.validate(f.features.len()).map_err(model_err(who))?;
                    f.classes.validate()?;
                    if f.model.n_classes() != f.classes.n_classes() {
                        return Err(CoreError::model(
                            who,
                            "class count does not match the labels",
                        ));
                    }
                }
                Ok(())
            }
        }
    };
}

macro_rules! regressor {
    ($name:ident, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Serialize, Deserialize, Default)]
        pub struct $name {
            /// Hyper-parameters.
            #[serde(flatten)]
            pub settings: ForestSettings,
            /// Learnt at fit.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub fitted: Option<FittedRegressor>,
        }

        impl $name {
            /// Default parameters with a seed.
            pub fn with_seed(seed: u64) -> Self {
                let mut m = Self::default();
                m.settings.seed = seed;
                m
            }
        }

        impl Params for $name {
            fn get_params(&self) -> Vec<(String, ParamValue)> {
                self.settings.get($kind)
            }
            fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()> {
                self.settings.set($kind, name, value)
            }
        }

        #[typetag::serde]
        impl Estimator for $name {
            fn type_name(&self) -> &'static str {
                stringify!($name)
            }
            fn is_classifier(&self) -> bool {
                false
            }
            fn fit(&mut self, x: &Frame, y: &Target) -> Result<()> {
                let who = stringify!($name);
                let params = self.settings.to_params($kind, false, who)?;
                let m = x.to_matrix(who)?;
                let model = forest::RandomForestRegressor::fit(&params, m.view(), y.values()?)
                    .map_err(model_err(who))?;
                self.fitted = Some(FittedRegressor {
                    features: x.names().to_vec(),
                    model,
                });
                Ok(())
            }
            fn predict(&self, x: &Frame) -> Result<Target> {
                let who = stringify!($name);
                let f = self
                    .fitted
                    .as_ref()
                    .ok_or_else(|| CoreError::NotFitted(who.into()))?;
                check_features(x, &f.features, who)?;
                let v = f
                    .model
                    .predict(x.to_matrix(who)?.view())
                    .map_err(model_err(who))?;
                Ok(Target::Values(v))
            }
            fn feature_importances(&self) -> Option<Vec<f64>> {
                self.fitted.as_ref().map(|f| f.model.feature_importances())
            }
            fn validate(&self) -> Result<()> {
                if let Some(f) = &self.fitted {
                    f.model
                        .validate(f.features.len())
                        .map_err(model_err(stringify!($name)))?;
                }
                Ok(())
            }
        }
    };
}

classifier!(
    RandomForestClassifier,
    Kind::RandomForest,
    "A random forest classifier (scikit-learn's `RandomForestClassifier`)."
);
classifier!(
    ExtraTreesClassifier,
    Kind::ExtraTrees,
    "Extremely randomised trees (scikit-learn's `ExtraTreesClassifier`)."
);
classifier!(
    DecisionTreeClassifier,
    Kind::DecisionTree,
    "One CART tree (scikit-learn's `DecisionTreeClassifier`)."
);
regressor!(
    RandomForestRegressor,
    Kind::RandomForest,
    "A random forest regressor (scikit-learn's `RandomForestRegressor`)."
);
regressor!(
    ExtraTreesRegressor,
    Kind::ExtraTrees,
    "Extremely randomised trees (scikit-learn's `ExtraTreesRegressor`)."
);
regressor!(
    DecisionTreeRegressor,
    Kind::DecisionTree,
    "One CART regression tree (scikit-learn's `DecisionTreeRegressor`)."
);

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn data() -> (Frame, Target) {
        let mut text = String::from("a,b,y\n");
        for i in 0..40 {
            let a = i as f64 / 40.0;
            text.push_str(&format!(
                "{a},{},{}\n",
                1.0 - a,
                if a > 0.5 { "hi" } else { "lo" }
            ));
        }
        let mut f = read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
        let y = Target::from_column("y", &f.remove("y").unwrap(), true).unwrap();
        (f, y)
    }

    #[test]
    fn classifiers_fit_predict_and_keep_string_labels() {
        let (x, y) = data();
        let mut models: Vec<Box<dyn Estimator>> = vec![
            Box::new(RandomForestClassifier::with_seed(1)),
            Box::new(ExtraTreesClassifier::with_seed(1)),
            Box::new(DecisionTreeClassifier::with_seed(1)),
        ];
        for m in &mut models {
            m.set_param("max_depth", &ParamValue::Int(4)).unwrap();
            m.fit(&x, &y).unwrap();
            assert_eq!(m.predict(&x).unwrap(), y, "{}", m.type_name());
            let p = m.predict_proba(&x).unwrap().unwrap();
            assert_eq!(p.classes, ["hi", "lo"]);
            let imp: f64 = m.feature_importances().unwrap().iter().sum();
            assert!((imp - 1.0).abs() < 1e-9);
            m.validate().unwrap();
        }
    }

    #[test]
    fn unknown_and_bad_params_are_errors() {
        let mut m = RandomForestClassifier::default();
        let err = m
            .set_param("n_trees", &ParamValue::Int(3))
            .unwrap_err()
            .to_string();
        assert!(err.contains("n_estimators"), "{err}");
        assert!(m.set_param("n_estimators", &ParamValue::Int(0)).is_err());
        m.set_param("criterion", &"squared_error".into()).unwrap();
        let (x, y) = data();
        assert!(m.fit(&x, &y).is_err());
        assert!(
            DecisionTreeClassifier::default()
                .set_param("n_estimators", &1.into())
                .is_err()
        );
    }

    #[test]
    fn regressor_and_serde_round_trip() {
        let (x, _) = data();
        let y = Target::Values((0..40).map(|i| i as f64).collect());
        let mut m: Box<dyn Estimator> = Box::new(RandomForestRegressor::with_seed(3));
        m.fit(&x, &y).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        let back: Box<dyn Estimator> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.predict(&x).unwrap(), m.predict(&x).unwrap());
        let cfg: Box<dyn Estimator> = serde_json::from_str(
            r#"{"type":"RandomForestClassifier","n_estimators":7,"max_depth":3}"#,
        )
        .unwrap();
        assert!(
            cfg.get_params()
                .contains(&("n_estimators".into(), ParamValue::Int(7)))
        );
    }
}
