//! The JSON header of a bundle, and what the caller supplies to build one.
//!
//! The header is everything `driftwatch inspect` shows without decoding the model: who
//! made the model, on what data, how well it did, and how to check the payload.

use std::collections::BTreeMap;

use driftwatch_core::{ParamValue, Schema};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Whether the model predicts class labels or numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// Class labels.
    Classification,
    /// Numeric values.
    Regression,
}

/// The column the model predicts, so monitors can compare predictions with outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Name of the target column in the training data.
    pub name: String,
    /// Classification or regression.
    pub kind: TaskKind,
    /// Class labels in the model's order (sorted); empty for regression.
    #[serde(default)]
    pub classes: Vec<String>,
}

/// How the payload is compressed.
///
/// Stored in the header as `{"algorithm": "none"}` or `{"algorithm": "zstd", "level": 3}`.
/// A new algorithm is a new format version, since older readers cannot decode it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "lowercase")]
pub enum Compression {
    /// The payload is the MessagePack bytes as they are (fastest to load, largest file).
    None,
    /// The payload is one zstd stream of the MessagePack bytes.
    Zstd {
        /// The zstd level used (usually 1 to 22: higher is smaller and slower to save,
        /// loading speed barely changes; zstd's negative levels are faster still).
        level: i32,
    },
}

impl Default for Compression {
    /// zstd level 3: most of the size gain for little save time.
    fn default() -> Self {
        Compression::Zstd {
            level: DEFAULT_ZSTD_LEVEL,
        }
    }
}

/// The zstd level used unless the caller picks another.
pub const DEFAULT_ZSTD_LEVEL: i32 = 3;

/// The header of a bundle: JSON, readable without decoding the payload.
///
/// Unknown fields are ignored when reading, so a newer writer may add optional fields
/// without a format version bump; fields added after version 1 must have serde defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// The bundle format version (also in the fixed prelude; the two must agree).
    pub format_version: u16,
    /// Model name, e.g. `churn-classifier`.
    pub name: String,
    /// Semantic version of the model (`MAJOR.MINOR.PATCH`, e.g. `1.0.0`), set by the
    /// caller so deployments can tell models apart.
    pub version: String,
    /// When the bundle was written, RFC 3339 in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Versions of the crates that wrote the bundle (crate name -> version), to explain
    /// decoding failures across releases; always includes `driftwatch-persist`.
    pub crate_versions: BTreeMap<String, String>,
    /// What valid input looks like; monitors check production batches against it.
    pub schema: Schema,
    /// The predicted column; `None` for a preprocessing-only pipeline.
    pub target: Option<TargetInfo>,
    /// Metrics measured on held-out data (e.g. `accuracy`, `f1` on the test split).
    #[serde(default)]
    pub training_metrics: BTreeMap<String, f64>,
    /// The pipeline's hyper-parameters (`step__param` -> value), as `get_params()` gives
    /// them, so they can be read without decoding the payload.
    #[serde(default)]
    pub parameters: BTreeMap<String, ParamValue>,
    /// Free text about the model.
    #[serde(default)]
    pub description: Option<String>,
    /// Who to ask about the model.
    #[serde(default)]
    pub owner: Option<String>,
    /// Importance per model input feature, `(feature name, importance)`, when the model
    /// has them.
    #[serde(default)]
    pub feature_importances: Option<Vec<(String, f64)>>,
    /// Known limitations of the model (free text for the model card). Added after
    /// format version 1 as an optional field: absent in older bundles, omitted when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limitations: Option<String>,
    /// Number of rows the pipeline was fitted on.
    pub n_train_rows: u64,
    /// How the payload is compressed.
    pub compression: Compression,
    /// Length in bytes of the payload as stored (after compression); the file must end
    /// exactly there.
    pub payload_length: u64,
    /// Length in bytes of the MessagePack pipeline after decompression (equal to
    /// `payload_length` without compression); decompression stops past it.
    pub decoded_length: u64,
    /// SHA-256 of the payload as stored, lower-case hex; checked before decompressing.
    pub payload_sha256: String,
}

/// What the caller knows about a model, to be written in the header.
///
/// The format fields (lengths, checksum, compression, parameters, format version) are
/// filled in by [`crate::save`] and [`crate::to_bytes`].
#[derive(Debug, Clone, PartialEq)]
pub struct BundleMeta {
    /// Model name (not empty).
    pub name: String,
    /// Semantic version of the model, e.g. `1.0.0`.
    pub version: String,
    /// Schema of the training data's feature columns (e.g. `Schema::infer`); must cover
    /// every column the pipeline was fitted on.
    pub schema: Schema,
    /// The predicted column; required when the pipeline has a model.
    pub target: Option<TargetInfo>,
    /// Metrics on held-out data; every value must be finite (JSON has no NaN).
    pub training_metrics: BTreeMap<String, f64>,
    /// Free text about the model.
    pub description: Option<String>,
    /// Who to ask about the model.
    pub owner: Option<String>,
    /// `(feature, importance)` pairs, when the model has them.
    pub feature_importances: Option<Vec<(String, f64)>>,
    /// Known limitations, free text (shown in the model card).
    pub limitations: Option<String>,
    /// Rows the pipeline was fitted on.
    pub n_train_rows: u64,
    /// Crate name -> version of the writing program; `driftwatch-persist` is added when
    /// missing. Callers add their own (e.g. `driftwatch-models`) with `env!`.
    pub crate_versions: BTreeMap<String, String>,
    /// Creation time; `None` means now. Set it for reproducible bundles (fixtures).
    pub created_at: Option<OffsetDateTime>,
}

impl BundleMeta {
    /// Metadata with a name, version and schema, no target and nothing optional, and the
    /// persist crate's version recorded.
    pub fn new(name: impl Into<String>, version: impl Into<String>, schema: Schema) -> Self {
        BundleMeta {
            name: name.into(),
            version: version.into(),
            schema,
            target: None,
            training_metrics: BTreeMap::new(),
            description: None,
            owner: None,
            feature_importances: None,
            limitations: None,
            n_train_rows: 0,
            crate_versions: default_crate_versions(),
            created_at: None,
        }
    }
}

/// The versions this crate can vouch for: its own.
pub fn default_crate_versions() -> BTreeMap<String, String> {
    BTreeMap::from([(
        "driftwatch-persist".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    )])
}

/// Whether `v` is a semantic version: `MAJOR.MINOR.PATCH`, numbers without leading zeros,
/// optionally followed by `-pre.release` and/or `+build` of ASCII alphanumerics, `-`, `.`.
pub(crate) fn is_semver(v: &str) -> bool {
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident_list = |s: &str| {
        s.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(ident_list)
        && build.is_none_or(ident_list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_accepts_versions_and_rejects_others() {
        for ok in [
            "1.0.0",
            "0.10.2",
            "1.2.3-rc.1",
            "1.2.3+build.5",
            "1.0.0-alpha+001",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in [
            "", "1", "1.0", "1.0.0.0", "01.0.0", "v1.0.0", "1.0.0-", "1.a.0", "1.0.0+",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn compression_is_tagged_by_algorithm() {
        let z = serde_json::to_string(&Compression::Zstd { level: 3 }).unwrap();
        assert_eq!(z, r#"{"algorithm":"zstd","level":3}"#);
        let n = serde_json::to_string(&Compression::None).unwrap();
        assert_eq!(n, r#"{"algorithm":"none"}"#);
        let back: Compression = serde_json::from_str(&z).unwrap();
        assert_eq!(back, Compression::Zstd { level: 3 });
    }
}
