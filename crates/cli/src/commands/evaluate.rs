//! `driftwatch evaluate`: metrics of a saved model on labelled data, or of the
//! predictions already in the data (`--prediction`, model-agnostic).

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
    let (rows, y, pred, model) = match a.columns.columns(&[]) {
        Some(columns) => from_columns(a, &columns)?,
        None => {
            let model = a.model.as_deref().or(a.model_path.as_deref()).context(
                "give the model: --model MODEL (a bundle), or --prediction COLUMN for predictions already in the data",
            )?;
            let b = bundle::load(model)?;
            let data = read_frame(&a.data, &a.table.read_options(b.read_options()))?;
            let classification = b.pipeline.estimator()?.is_classifier();
            let (x, y) = split_target(&data, &a.target, classification)
                .with_context(|| format!("in {}", a.data.display()))?;
            let pred = b.pipeline.predict(&x).context("predicting")?;
            (x.n_rows(), y, pred, model.display().to_string())
        }
    };
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
            "rows": rows,
            "metrics": metrics,
            "classification_report": report,
        }))?,
        Format::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "{rows} rows");
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

/// The labelled rows' target and predictions from the data's own columns: `(rows,
/// target, predictions, model name)`. Rows whose target is empty are left out.
fn from_columns(
    a: &EvaluateArgs,
    columns: &driftwatch_run::PredictionColumns,
) -> Result<(usize, Target, Target, String)> {
    let name = a.data.display().to_string();
    let mut data = read_frame(&a.data, &a.table.read_options(Default::default()))?;
    let target = data.remove(&a.target).with_context(|| {
        format!(
            "{name}: no target column '{}' (--target names the column with the true labels)",
            a.target
        )
    })?;
    let task = columns.infer_task(&data, None, &name)?;
    let (y, labelled) =
        driftwatch_run::columns::partial_labels(&a.target, &target, task.is_classification())?;
    let known: Vec<String> = match &y {
        Target::Labels(l) => l.iter().filter(|s| !s.is_empty()).cloned().collect(),
        Target::Values(_) => Vec::new(),
    };
    let out = columns.outputs(&data, task, &known, &name)?;
    let rows: Vec<usize> = (0..labelled.len()).filter(|&i| labelled[i]).collect();
    if rows.is_empty() {
        anyhow::bail!("{name}: the target column '{}' has no labels", a.target);
    }
    Ok((
        rows.len(),
        y.take(&rows),
        out.predictions.take(&rows),
        format!("columns: {} ({task})", columns.prediction),
    ))
}
