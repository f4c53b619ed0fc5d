//! Saving and loading bundles from the CLI, with file-naming errors.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use driftwatch_core::{Frame, Pipeline, ReadOptions, Schema, Target};
use driftwatch_persist::{
    BundleHeader, BundleMeta, Compression, Limits, SaveOptions, TargetInfo, TaskKind,
};

/// What `train` knows about the model it saves.
pub struct Meta<'a> {
    pub name: String,
    pub version: String,
    pub schema: Schema,
    pub target: String,
    pub classification: bool,
    pub y: &'a Target,
    pub metrics: &'a BTreeMap<String, f64>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub limitations: Option<String>,
    pub n_train_rows: usize,
    pub feature_sample: &'a Frame,
    pub compression_level: i32,
}

/// Saves a fitted pipeline with its metadata.
pub fn save(path: &Path, m: Meta<'_>, pipeline: &Pipeline) -> Result<BundleHeader> {
    let importances = match (
        pipeline
            .estimator()
            .ok()
            .and_then(|e| e.feature_importances()),
        pipeline.feature_names_out(m.feature_sample),
    ) {
        (Some(v), Ok(names)) if v.len() == names.len() => Some(names.into_iter().zip(v).collect()),
        _ => None,
    };
    let classes = match m.y {
        Target::Labels(l) => {
            let mut c = l.clone();
            c.sort();
            c.dedup();
            c
        }
        Target::Values(_) => Vec::new(),
    };
    let meta = BundleMeta {
        name: m.name,
        version: m.version,
        schema: m.schema,
        target: Some(TargetInfo {
            name: m.target,
            kind: if m.classification {
                TaskKind::Classification
            } else {
                TaskKind::Regression
            },
            classes,
        }),
        training_metrics: m.metrics.clone(),
        description: m.description,
        owner: m.owner,
        feature_importances: importances,
        limitations: m.limitations,
        n_train_rows: m.n_train_rows as u64,
        crate_versions: crate_versions(),
        created_at: None,
    };
    let compression = if m.compression_level == 0 {
        Compression::None
    } else {
        Compression::Zstd {
            level: m.compression_level,
        }
    };
    driftwatch_persist::save(
        path,
        &meta,
        pipeline,
        &SaveOptions {
            compression,
            limits: Limits::default(),
        },
    )
    .with_context(|| format!("saving bundle {}", path.display()))
}

fn crate_versions() -> BTreeMap<String, String> {
    [("driftwatch-cli", env!("CARGO_PKG_VERSION"))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain(driftwatch_persist::default_crate_versions())
        .collect()
}

/// A loaded bundle.
pub struct Loaded {
    pub header: BundleHeader,
    pub pipeline: Pipeline,
}

impl Loaded {
    /// Read options that give each schema column its trained kind.
    pub fn read_options(&self) -> ReadOptions {
        self.header.schema.read_options()
    }
}

/// Loads and validates a bundle.
pub fn load(path: &Path) -> Result<Loaded> {
    let b = driftwatch_persist::load(path)
        .with_context(|| format!("loading model bundle {}", path.display()))?;
    Ok(Loaded {
        header: b.header,
        pipeline: b.pipeline,
    })
}

/// Loads a bundle; with a public key, only when its detached signature verifies.
pub fn load_verified(path: &Path, verify_key: Option<&Path>) -> Result<Loaded> {
    let Some(key) = verify_key else {
        return load(path);
    };
    let key = driftwatch_persist::read_verifying_key(key).context("reading --verify-key")?;
    let b = driftwatch_persist::load_signed(path, &key)
        .with_context(|| format!("loading signed model bundle {}", path.display()))?;
    Ok(Loaded {
        header: b.header,
        pipeline: b.pipeline,
    })
}

/// Reads only the header.
pub fn header(path: &Path) -> Result<BundleHeader> {
    driftwatch_persist::read_header(path)
        .with_context(|| format!("reading model bundle {}", path.display()))
}

/// Whether the file starts with the bundle magic bytes.
pub fn is_bundle(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == driftwatch_persist::MAGIC
}
