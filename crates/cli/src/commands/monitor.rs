//! `driftwatch monitor`: replay current data window by window against the model's
//! baseline and the reference data; print the daily table, alerts and summary.

use anyhow::{Context, Result};
use driftwatch_cli::workflow::{split_target, validate_rows};
use driftwatch_core::Window;
use driftwatch_monitor::{
    AlertPolicy, Engine, EngineConfig, MonitorConfig, RunReport, Summary, WindowSpec, history,
    split,
};

use crate::args::MonitorArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::output::{Format, print_json};

pub fn run(a: &MonitorArgs) -> Result<i32> {
    let b = bundle::load(&a.model)?;
    let read = b.read_options();
    let classification = b.pipeline.estimator()?.is_classifier();
    let reference = read_frame(&a.reference, &read)?;
    let current = read_frame(&a.current, &read)?;
    let (x_ref, y_ref) = split_target(&reference, &a.target, classification)
        .with_context(|| format!("in reference file {}", a.reference.display()))?;
    let (x_cur, y_cur) = split_target(&current, &a.target, classification)
        .with_context(|| format!("in current file {}", a.current.display()))?;

    let name = a.current.display().to_string();
    let valid = validate_rows(&b.header.schema, &x_cur, &name)?;
    for v in &valid.violations {
        eprintln!("{name}: skipped {v}");
    }
    let skipped: Vec<usize> = (0..x_cur.n_rows())
        .filter(|r| valid.kept.binary_search(r).is_err())
        .map(|r| r + 1)
        .collect();
    let (x_cur, y_cur) = (valid.frame, y_cur.take(&valid.kept));
    let x_ref = b.header.schema.conform(&x_ref)?;

    let reference_window = Window {
        label: "reference".into(),
        predictions: Some(
            b.pipeline
                .predict(&x_ref)
                .context("predicting the reference")?,
        ),
        labels: Some(y_ref),
        features: x_ref,
        ..Default::default()
    };
    let current_window = Window {
        label: "current".into(),
        predictions: Some(
            b.pipeline
                .predict(&x_cur)
                .context("predicting the current data")?,
        ),
        probabilities: b.pipeline.predict_proba(&x_cur)?,
        labels: Some(y_cur),
        features: x_cur,
        timestamps: None,
        labelled: None,
    };
    let spec = match a.window {
        Some(0) => anyhow::bail!("--window must be at least 1 row"),
        Some(n) => WindowSpec::Rows(n),
        None => WindowSpec::All,
    };
    let windows = split(&current_window, &spec)?;

    let baseline = &b.header.training_metrics;
    let mut monitors = vec![
        MonitorConfig {
            name: "feature_drift".into(),
            config: serde_json::Value::Null,
        },
        MonitorConfig {
            name: "prediction_drift".into(),
            config: serde_json::Value::Null,
        },
    ];
    monitors.insert(
        0,
        MonitorConfig {
            name: "performance".into(),
            config: serde_json::json!({ "ratio": a.ratio, "baseline": baseline }),
        },
    );
    let mut engine = Engine::from_config(&EngineConfig {
        monitors,
        ..Default::default()
    })?;
    engine.fit(&reference_window)?;
    let reports = engine.run(&windows)?;
    let policy = AlertPolicy {
        ratio: a.ratio,
        absolute_drop: a.absolute_drop,
        high_degradation: a.high_degradation,
        ..Default::default()
    };
    policy.check()?;
    let alerts = policy.evaluate(&reports);
    let summary = Summary::build(&reports, &alerts);
    if let Some(path) = &a.history {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening history file {}", path.display()))?;
        history::append(file, &history::entries(&reports, &alerts))
            .with_context(|| format!("writing history file {}", path.display()))?;
    }
    let active = summary.active_alerts.len();
    let report = RunReport::new(reports, alerts);
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "model": format!("{}@{}", b.header.name, b.header.version),
            "baseline": baseline,
            "skipped_rows": skipped,
            "report": serde_json::from_str::<serde_json::Value>(&report.to_json()?)?,
            "summary": summary,
        }))?,
        Format::Text => {
            print!("{}", report.render_text());
        }
    }
    Ok(if a.fail_on_alert && active > 0 { 1 } else { 0 })
}
