//! Writing a loaded bundle again: the same model and metadata with other save options
//! (e.g. another compression level), for `driftwatch inspect --compare-levels`.

use crate::codec::{Bundle, SaveOptions};
use crate::error::Result;
use crate::header::{BundleHeader, BundleMeta};

impl From<&BundleHeader> for BundleMeta {
    /// The caller-supplied part of a header, so a loaded bundle can be saved again with
    /// the same name, version, creation time, schema, metrics and notes. The format
    /// fields (lengths, checksum, compression, parameters) are recomputed on saving.
    fn from(h: &BundleHeader) -> Self {
        BundleMeta {
            name: h.name.clone(),
            version: h.version.clone(),
            schema: h.schema.clone(),
            target: h.target.clone(),
            training_metrics: h.training_metrics.clone(),
            description: h.description.clone(),
            owner: h.owner.clone(),
            feature_importances: h.feature_importances.clone(),
            limitations: h.limitations.clone(),
            n_train_rows: h.n_train_rows,
            crate_versions: h.crate_versions.clone(),
            created_at: Some(h.created_at),
        }
    }
}

/// Encodes a loaded bundle again in memory with `opts` (what [`crate::to_bytes`] returns),
/// keeping its metadata; the source file is never touched. Used to compare the size and
/// speed of compression levels on a real model.
pub fn reencode(bundle: &Bundle, opts: &SaveOptions) -> Result<Vec<u8>> {
    crate::to_bytes(&BundleMeta::from(&bundle.header), &bundle.pipeline, opts)
}
