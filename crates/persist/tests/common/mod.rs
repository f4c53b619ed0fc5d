//! Shared helpers of the persist tests: small frames, fitted pipelines, a test model and
//! a way to re-assemble bundles with a crafted header or payload.
#![allow(dead_code)]

pub mod payload;

use std::collections::BTreeMap;

use driftwatch_core::params::unknown_param;
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{
    Column, Error as CoreError, Estimator, Frame, ParamValue, Params, Pipeline, Schema, Target,
    make_pipeline,
};
use driftwatch_persist::{BundleHeader, BundleMeta, MAGIC, TargetInfo, TaskKind};
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Predicts the most frequent training label: the smallest classifier there is, so the
/// tests cover a pipeline with a model (core has no estimator of its own).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct MajorityClassifier {
    /// Learnt at fit.
    pub label: Option<String>,
    /// Tie-break knob, only here so the model has a parameter.
    pub smoothing: f64,
}

impl Params for MajorityClassifier {
    fn get_params(&self) -> Vec<(String, ParamValue)> {
        vec![("smoothing".into(), self.smoothing.into())]
    }
    fn set_param(&mut self, name: &str, value: &ParamValue) -> driftwatch_core::Result<()> {
        match name {
            "smoothing" => self.smoothing = value.as_f64(name)?,
            _ => return Err(unknown_param(name, &self.get_params(), "")),
        }
        Ok(())
    }
}

#[typetag::serde]
impl Estimator for MajorityClassifier {
    fn type_name(&self) -> &'static str {
        "MajorityClassifier"
    }
    fn is_classifier(&self) -> bool {
        true
    }
    fn fit(&mut self, _x: &Frame, y: &Target) -> driftwatch_core::Result<()> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for l in y.labels()? {
            *counts.entry(l.as_str()).or_default() += 1;
        }
        self.label = counts
            .iter()
            .max_by_key(|(_, c)| **c)
            .map(|(l, _)| l.to_string());
        Ok(())
    }
    fn predict(&self, x: &Frame) -> driftwatch_core::Result<Target> {
        let l = self
            .label
            .clone()
            .ok_or_else(|| CoreError::NotFitted("MajorityClassifier".into()))?;
        Ok(Target::Labels(vec![l; x.n_rows()]))
    }
    fn validate(&self) -> driftwatch_core::Result<()> {
        if self.label.as_deref() == Some("") {
            return Err(CoreError::model("MajorityClassifier", "empty label"));
        }
        Ok(())
    }
}

/// A numeric frame of `n_cols` columns `f0..` and `n_rows` rows, deterministic.
pub fn numeric_frame(n_rows: usize, n_cols: usize) -> Frame {
    Frame::new(
        (0..n_cols)
            .map(|j| {
                let v: Array1<f64> = (0..n_rows)
                    .map(|i| ((i * 7 + j * 13) % 23) as f64 * 0.5 + j as f64)
                    .collect();
                (format!("f{j}"), Column::Numeric(v))
            })
            .collect(),
    )
    .unwrap()
}

/// A StandardScaler pipeline fitted on `x`.
pub fn fitted_scaler(x: &Frame) -> Pipeline {
    let mut p = make_pipeline(vec![Box::new(StandardScaler::default())], None);
    driftwatch_core::Transformer::fit(&mut p, x).unwrap();
    p
}

/// A StandardScaler + MajorityClassifier pipeline fitted on `x` with labels `a`/`b`.
pub fn fitted_classifier(x: &Frame) -> Pipeline {
    let mut p = make_pipeline(
        vec![Box::new(StandardScaler::default())],
        Some(Box::new(MajorityClassifier::default())),
    );
    let y = Target::Labels(
        (0..x.n_rows())
            .map(|i| if i % 3 == 0 { "a" } else { "b" }.to_string())
            .collect(),
    );
    p.fit(x, &y).unwrap();
    p
}

/// Metadata for a classifier trained on `x`, with every optional field set.
pub fn classifier_meta(x: &Frame) -> BundleMeta {
    let mut meta = BundleMeta::new("churn-classifier", "1.2.0", Schema::infer(x));
    meta.target = Some(TargetInfo {
        name: "churned".into(),
        kind: TaskKind::Classification,
        classes: vec!["a".into(), "b".into()],
    });
    meta.training_metrics = BTreeMap::from([
        ("accuracy".to_string(), 0.75),
        ("f1".to_string(), 0.1 + 0.2),
    ]);
    meta.description = Some("majority baseline".into());
    meta.owner = Some("ml-platform@example.com".into());
    meta.limitations = Some("only trained on synthetic rows".into());
    meta.feature_importances = Some(
        x.names()
            .iter()
            .map(|n| (n.clone(), 1.0 / x.n_cols() as f64))
            .collect(),
    );
    meta.n_train_rows = x.n_rows() as u64;
    meta.crate_versions
        .insert("driftwatch-models".into(), "9.9.9".into());
    meta
}

/// Writes a bundle from a (possibly doctored) header and payload, with correct
/// checksums, so tests can reach the checks behind them.
pub fn assemble(header: &BundleHeader, payload: &[u8]) -> Vec<u8> {
    let mut header = header.clone();
    header.payload_length = payload.len() as u64;
    header.payload_sha256 = Sha256::digest(payload)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let json = serde_json::to_vec(&header).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&header.format_version.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&json));
    out.extend_from_slice(&json);
    out.extend_from_slice(payload);
    out
}

/// A small deterministic pseudo-random generator (xorshift64*), so mutation tests are
/// repeatable without a dependency.
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A value below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A small classifier bundle saved as `dir/file` with this version (for store tests).
pub fn bundle(dir: &std::path::Path, file: &str, version: &str) -> std::path::PathBuf {
    let x = numeric_frame(20, 3);
    let mut meta = classifier_meta(&x);
    meta.version = version.into();
    let path = dir.join(file);
    driftwatch_persist::save(
        &path,
        &meta,
        &fitted_classifier(&x),
        &driftwatch_persist::SaveOptions::default(),
    )
    .unwrap();
    path
}

/// A store reference (`name@version` or `name@stage`) the test knows is valid.
pub fn model_ref(s: &str) -> driftwatch_persist::store::ModelRef {
    driftwatch_persist::store::ModelRef::parse(s).unwrap()
}
