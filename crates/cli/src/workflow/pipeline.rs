//! The default pipeline (impute, scale, one-hot, random forest) and splitting the target
//! off a table.

use anyhow::{Context, Result, bail};
use driftwatch_core::preprocessing::{
    HandleUnknown, ImputeStrategy, OneHotEncoder, SimpleImputer, StandardScaler,
};
use driftwatch_core::{ColumnTransformer, Estimator, Frame, Pipeline, Remainder, Target};
use driftwatch_models::{RandomForestClassifier, RandomForestRegressor};

/// The default preprocessing for a frame: numeric columns imputed (median) and scaled,
/// categorical columns imputed (most frequent) and one-hot encoded (unknown -> zeros).
pub fn default_preprocessing(features: &Frame) -> ColumnTransformer {
    let mut ct = ColumnTransformer::new(Remainder::Drop);
    let numeric = features.numeric_names();
    let categorical = features.categorical_names();
    if !numeric.is_empty() {
        ct = ct.add(
            "num",
            Box::new(
                Pipeline::new()
                    .step(
                        "imputer",
                        Box::new(SimpleImputer::new(ImputeStrategy::Median)),
                    )
                    .step("scaler", Box::new(StandardScaler::default())),
            ),
            numeric,
        );
    }
    if !categorical.is_empty() {
        ct = ct.add(
            "cat",
            Box::new(
                Pipeline::new()
                    .step(
                        "imputer",
                        Box::new(SimpleImputer::new(ImputeStrategy::MostFrequent)),
                    )
                    .step(
                        "onehot",
                        Box::new(OneHotEncoder {
                            handle_unknown: HandleUnknown::Ignore,
                            fitted: None,
                        }),
                    ),
            ),
            categorical,
        );
    }
    ct
}

/// The default model: a random forest of 100 trees with the given seed.
pub fn default_model(classification: bool, seed: u64) -> Box<dyn Estimator> {
    if classification {
        Box::new(RandomForestClassifier::with_seed(seed))
    } else {
        Box::new(RandomForestRegressor::with_seed(seed))
    }
}

/// The default pipeline: [`default_preprocessing`] then [`default_model`].
pub fn default_pipeline(features: &Frame, classification: bool, seed: u64) -> Pipeline {
    Pipeline::new()
        .step("preprocess", Box::new(default_preprocessing(features)))
        .with_model("model", default_model(classification, seed))
}

/// Splits `data` into features and target.
pub fn split_target(data: &Frame, target: &str, classification: bool) -> Result<(Frame, Target)> {
    let mut features = data.clone();
    let column = features
        .remove(target)
        .with_context(|| format!("target column '{target}'"))?;
    let y = Target::from_column(target, &column, classification)?;
    if features.n_cols() == 0 {
        bail!("no feature columns left besides the target '{target}'");
    }
    Ok((features, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ParamValue, Params};
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn default_pipeline_routes_numeric_and_categorical_columns() {
        let x = frame("a,b,c\n1,x,2\n2,y,3\n3,x,\n4,y,5\n");
        let ct = default_preprocessing(&x);
        let groups: Vec<(&str, Vec<String>)> = ct
            .transformers
            .iter()
            .map(|g| (g.name.as_str(), g.columns.clone()))
            .collect();
        assert_eq!(
            groups,
            [
                ("num", vec!["a".to_string(), "c".to_string()]),
                ("cat", vec!["b".to_string()])
            ]
        );
        let p = default_pipeline(&x, true, 7);
        assert!(
            p.get_params()
                .contains(&("model__seed".into(), ParamValue::Int(7)))
        );
    }
}
