//! What both fuzz targets do with a bundle that loaded: predict with it.

use driftwatch_core::{Column, Frame};
use driftwatch_persist::Bundle;
use ndarray::Array1;

/// Probes the loaded pipeline with a few rows over its own input columns: validation
/// promised that nothing here can panic.
pub fn probe(bundle: &Bundle) {
    let columns = bundle
        .pipeline
        .input_columns
        .iter()
        .map(|name| {
            let v: Array1<f64> = (0..4).map(|i| i as f64 - 1.5).collect();
            (name.clone(), Column::Numeric(v))
        })
        .collect();
    if let Ok(probe) = Frame::new(columns) {
        let _ = bundle.pipeline.transform_features(&probe);
        let _ = bundle.pipeline.predict(&probe);
        let _ = bundle.pipeline.predict_proba(&probe);
    }
}
