//! Reading the NannyML fixtures' inputs into frames (shared by the golden tests).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use driftwatch_core::{Categorical, Column, Frame};

/// A fixture of `fixtures/golden/`.
pub fn golden(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/golden")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The frame of one input (`reference` or `analysis`) of a reconstruction fixture.
pub fn frame(doc: &serde_json::Value, which: &str) -> Frame {
    let columns: Vec<String> = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let cols = columns
        .iter()
        .map(|name| {
            let c = &doc[which][name];
            let values = c["values"].as_array().unwrap();
            let column = if c["kind"] == "numeric" {
                Column::Numeric(
                    values
                        .iter()
                        .map(|v| v.as_f64().unwrap_or(f64::NAN))
                        .collect(),
                )
            } else {
                Column::Categorical(Categorical::from_labels(values.iter().map(|v| v.as_str())))
            };
            (name.clone(), column)
        })
        .collect();
    Frame::new(cols).unwrap()
}

/// One chunk of a fixture's results.
pub struct Chunk {
    /// First row.
    pub start: usize,
    /// One past the last row.
    pub end: usize,
    /// The statistic.
    pub value: f64,
    /// NannyML's verdict.
    pub alert: bool,
    /// The sampling error, where NannyML gives one.
    pub sampling_error: Option<f64>,
}

/// The chunks of `reference_chunks` or `analysis_chunks`.
pub fn chunks(doc: &serde_json::Value, key: &str) -> Vec<Chunk> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Chunk {
            start: c["start"].as_u64().unwrap() as usize,
            end: c["end"].as_u64().unwrap() as usize,
            value: c["value"].as_f64().unwrap(),
            alert: c["alert"].as_bool().unwrap(),
            sampling_error: c["sampling_error"].as_f64(),
        })
        .collect()
}
