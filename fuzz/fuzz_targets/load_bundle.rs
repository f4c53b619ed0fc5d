//! Fuzzes the bundle loader: any bytes must give `Ok` or `Err`, never a panic, an abort
//! or an allocation above the limits; whatever loads must predict without panicking.
#![no_main]

use driftwatch_core::{Column, Frame};
// Link the model crate so its estimators are in the typetag registry the loader uses.
use driftwatch_models as _;
use libfuzzer_sys::fuzz_target;
use ndarray::Array1;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = driftwatch_persist::from_bytes(data) else {
        return;
    };
    // Probe the loaded pipeline with a few rows over its own input columns.
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
});
