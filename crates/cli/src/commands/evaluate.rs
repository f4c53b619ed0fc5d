//! `driftwatch evaluate`: metrics of a saved model on labelled data.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use driftwatch_core::Target;
use driftwatch_metrics::classification_report;

use crate::args::EvaluateArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::output::{Format, emit, print_json};
use crate::workflow::{score, split_target};

pub fn run(a: &EvaluateArgs) -> Result<i32> {
    let model = a.model.path()?;
    let b = bundle::load(model)?;
    let data = read_frame(&a.data, &a.table.read_options(b.read_options()))?;
    let classification = b.pipeline.estimator()?.is_classifier();
    let (x, y) = split_target(&data, &a.target, classification)
        .with_context(|| format!("in {}", a.data.display()))?;
    let pred = b.pipeline.predict(&x).context("predicting")?;
    let metrics = score(&y, &pred)?;
    let report = match (&y, &pred) {
        (Target::Labels(t), Target::Labels(p)) => {
            Some(classification_report(t.as_slice(), p.as_slice())?)
        }
        _ => None,
    };
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "model": model,
            "rows": x.n_rows(),
            "metrics": metrics,
            "classification_report": report,
        }))?,
        Format::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "{} rows", x.n_rows());
            for (k, v) in &metrics {
                let _ = writeln!(out, "  {k:<10} {v:.4}");
            }
            if let Some(r) = report {
                let _ = writeln!(out, "\n{r}");
            }
            emit(&out, None, "the metrics")?;
        }
    }
    Ok(0)
}
