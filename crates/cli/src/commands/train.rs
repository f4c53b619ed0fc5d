//! `driftwatch train`: fit, score on held-out rows, save a bundle.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use driftwatch_core::{ColumnKind, ReadOptions, Schema};

use crate::args::{Task, TrainArgs};
use crate::bundle;
use crate::data::{read_frame, refuse_infinite, refuse_numeric_typos, split_list};
use crate::output::{Format, emit, print_json};
use crate::pipeline_config::PipelineConfig;
use crate::workflow::{TrainSettings, default_pipeline, parse_settings, split_target, train};

fn read_config(path: &std::path::Path) -> Result<PipelineConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading pipeline config {}", path.display()))?;
    PipelineConfig::parse(&text, &path.display().to_string())
}

/// Parses `col=min:max` (either bound may be empty).
fn parse_range(spec: &str) -> Result<(String, Option<f64>, Option<f64>)> {
    let bad = || {
        anyhow::anyhow!(
            "--range '{spec}' is not of the form column=min:max (e.g. temperature=100:300)"
        )
    };
    let (col, bounds) = spec.split_once('=').ok_or_else(bad)?;
    let (lo, hi) = bounds.split_once(':').ok_or_else(bad)?;
    let num = |s: &str| -> Result<Option<f64>> {
        let s = s.trim();
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<f64>().map(Some).map_err(|_| bad())
        }
    };
    Ok((col.trim().to_string(), num(lo)?, num(hi)?))
}

pub fn run(a: &TrainArgs) -> Result<i32> {
    if !(0.0..1.0).contains(&a.test_size) {
        anyhow::bail!("--test-size {} must be in [0, 1)", a.test_size);
    }
    let read = a.table.read_options(ReadOptions {
        categorical: split_list(&a.categorical),
        ..Default::default()
    });
    let data = read_frame(&a.data, &read)?;
    refuse_numeric_typos(&data, &a.data, &read.categorical)?;
    let config = a.config.as_deref().map(read_config).transpose()?;
    let classification = match (a.task, &config) {
        (Some(t), _) => t == Task::Classification,
        (None, Some(c)) => c.is_classifier().unwrap_or(true),
        (None, None) => true,
    };
    let (mut x, y) = split_target(&data, &a.target, classification)
        .with_context(|| format!("in {}", a.data.display()))?;
    refuse_infinite(&x, &a.data)?;
    // A date-time is no feature: the model would extrapolate in time.
    for name in x.names().to_vec() {
        if x.kind(&name)? == ColumnKind::Timestamp {
            x.remove(&name)?;
            eprintln!(
                "{}: timestamp column '{name}' is not used as a feature",
                a.data.display()
            );
        }
    }
    let pipeline = match config {
        Some(c) => c.build(&x, classification, a.seed)?,
        None => default_pipeline(&x, classification, a.seed),
    };
    let settings = TrainSettings {
        test_size: a.test_size,
        seed: a.seed,
        grid: a.grid.clone(),
        cv: a.cv,
        set: parse_settings(&a.set)?,
    };
    let trained = train(pipeline, &x, &y, &settings)?;
    let mut schema = Schema::infer(&x);
    for spec in &a.range {
        let (col, min, max) = parse_range(spec)?;
        schema
            .set_range(&col, min, max)
            .with_context(|| format!("--range {spec}"))?;
    }
    let name = a.name.clone().unwrap_or_else(|| {
        a.data
            .file_stem()
            .map_or("model".into(), |s| s.to_string_lossy().into_owned())
    });
    let header = bundle::save(
        &a.output,
        bundle::Meta {
            name,
            version: a.model_version.clone(),
            schema,
            target: a.target.clone(),
            classification,
            y: &y,
            metrics: &trained.test_metrics,
            description: a.description.clone(),
            owner: a.owner.clone(),
            limitations: a.limitations.clone(),
            n_train_rows: trained.train_rows.len(),
            feature_sample: &x,
            compression_level: a.compression_level,
        },
        &trained.pipeline,
    )?;
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "model": a.output,
            "train_rows": trained.train_rows.len(),
            "test_rows": trained.test_rows.len(),
            "test_metrics": trained.test_metrics,
            "grid_search": trained.grid,
            "bundle": header,
        }))?,
        Format::Text => {
            let mut out = String::new();
            if let Some(g) = &trained.grid {
                let _ = writeln!(out, "grid search ({}-fold CV):\n{g}", a.cv);
            }
            let _ = writeln!(
                out,
                "trained on {} rows, tested on {} rows",
                trained.train_rows.len(),
                trained.test_rows.len()
            );
            for (k, v) in &trained.test_metrics {
                let _ = writeln!(out, "  {k:<10} {v:.4}");
            }
            let _ = writeln!(out, "saved {}", a.output.display());
            emit(&out, None, "the training summary")?;
        }
    }
    Ok(0)
}
