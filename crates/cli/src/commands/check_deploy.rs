//! `driftwatch check-deploy`: the deployment checklist of a bundle, run on sample rows.
//!
//! Each check is a small function giving pass or fail with the reason; `docs/DEPLOY.md`
//! describes them and the limits. A bundle that cannot be loaded, or a sample that cannot
//! be read, is an error (exit 2), not a failed check: nothing else could be checked.

use std::time::Instant;

use anyhow::Result;
use driftwatch_core::{Frame, Pipeline, Target};
use driftwatch_persist::{BundleHeader, FORMAT_VERSION, TaskKind};
use serde::Serialize;

use crate::args::CheckDeployArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::exit;
use crate::output::{Format, print_json};
use crate::workflow::validate_rows;

/// Default `--max-load-ms`: a start-up budget that a bundle of a few tens of MB meets on a
/// small server (an 80,000-row random forest loads in under a second).
pub const DEFAULT_MAX_LOAD_MS: f64 = 5000.0;
/// Default `--max-latency-ms`: a single-row request budget for online serving.
pub const DEFAULT_MAX_LATENCY_MS: f64 = 100.0;
/// Timed single-row predictions (after one warm-up call); the median is reported.
const LATENCY_RUNS: usize = 21;
/// Stop timing earlier once the runs have taken this long (slow models), after at least
/// [`MIN_LATENCY_RUNS`].
const LATENCY_BUDGET_MS: f64 = 2000.0;
const MIN_LATENCY_RUNS: usize = 3;
/// Violations quoted in a failed example-input check.
const SHOWN_VIOLATIONS: usize = 3;

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct Check {
    /// Stable identifier (JSON consumers key on it).
    id: &'static str,
    /// What is checked, as printed.
    title: &'static str,
    passed: bool,
    /// Why it passed or failed, and what to do about a failure.
    detail: String,
}

fn pass(id: &'static str, title: &'static str, detail: String) -> Check {
    Check {
        id,
        title,
        passed: true,
        detail,
    }
}

fn fail(id: &'static str, title: &'static str, detail: String) -> Check {
    Check {
        id,
        title,
        passed: false,
        detail,
    }
}

/// What was measured, for the JSON output.
#[derive(Debug, Serialize)]
struct Measured {
    load_ms: f64,
    /// Median single-row predict time; `None` when no sample row was valid.
    predict_latency_ms: Option<f64>,
    predict_latency_runs: usize,
    max_load_ms: f64,
    max_latency_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    file: String,
    model: String,
    sample: String,
    passed: bool,
    failed: usize,
    checks: Vec<Check>,
    measured: Measured,
}

pub fn run(a: &CheckDeployArgs) -> Result<i32> {
    for (flag, v) in [
        ("--max-load-ms", a.max_load_ms),
        ("--max-latency-ms", a.max_latency_ms),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            anyhow::bail!("{flag} must be a number of milliseconds >= 0, got {v}");
        }
    }
    let start = Instant::now();
    let b = bundle::load_verified(a.model.path()?, a.verify_key.as_deref())?;
    let load_ms = ms_since(start);
    let sample = read_frame(&a.sample, &a.table.read_options(b.read_options()))?;
    let sample_name = a.sample.display().to_string();
    let h = &b.header;

    let (example, valid_rows) = example_input(h, &b.pipeline, &sample, &sample_name);
    let latency = valid_rows
        .as_ref()
        .and_then(|rows| single_row_latency(&b.pipeline, rows));
    let checks = vec![
        metrics(h),
        version(h),
        schema(h, &b.pipeline),
        example,
        provenance(h),
        load_time(load_ms, a.max_load_ms),
        predict_latency(latency, a.max_latency_ms),
        model_card(h),
    ];
    let failed = checks.iter().filter(|c| !c.passed).count();
    let report = Report {
        file: a.model.path()?.display().to_string(),
        model: format!("{}@{}", h.name, h.version),
        sample: sample_name,
        passed: failed == 0,
        failed,
        checks,
        measured: Measured {
            load_ms,
            predict_latency_ms: latency.map(|(ms, _)| ms),
            predict_latency_runs: latency.map_or(0, |(_, n)| n),
            max_load_ms: a.max_load_ms,
            max_latency_ms: a.max_latency_ms,
        },
    };
    match a.format {
        Format::Json => print_json(&report)?,
        Format::Text => print_text(&report)?,
    }
    Ok(i32::from(if failed == 0 { exit::OK } else { exit::FOUND }))
}

fn print_text(r: &Report) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "deployment check of {} ({})", r.file, r.model)?;
    let width = r.checks.iter().map(|c| c.title.len()).max().unwrap_or(0);
    for c in &r.checks {
        let mark = if c.passed { "PASS" } else { "FAIL" };
        writeln!(out, "{mark}  {:<width$}  {}", c.title, c.detail)?;
    }
    let total = r.checks.len();
    if r.passed {
        writeln!(out, "all {total} checks passed")?;
    } else {
        writeln!(out, "{} of {total} checks failed", r.failed)?;
    }
    Ok(())
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Test metrics were recorded at training time, so monitors have a baseline.
fn metrics(h: &BundleHeader) -> Check {
    const T: (&str, &str) = ("metrics", "metrics recorded");
    if h.training_metrics.is_empty() {
        return fail(
            T.0,
            T.1,
            "the bundle records no training metrics, so monitors have no baseline: train with a held-out split (driftwatch train --test-size 0.2)".into(),
        );
    }
    let list: Vec<String> = h
        .training_metrics
        .iter()
        .map(|(k, v)| format!("{k}={v:.4}"))
        .collect();
    pass(T.0, T.1, list.join(", "))
}

/// The model version is a semantic version, so deployments can tell models apart.
fn version(h: &BundleHeader) -> Check {
    const T: (&str, &str) = ("version", "version set (semantic version)");
    match driftwatch_persist::store::check_version(&h.version) {
        Ok(()) => pass(T.0, T.1, format!("{} {}", h.name, h.version)),
        Err(e) => fail(
            T.0,
            T.1,
            format!("{e}; retrain with --model-version 1.0.0 or push with --version"),
        ),
    }
}

/// Every model input is a required schema column with a known range (numeric) or level
/// set (categorical), enforced or observed in training, so inputs can be validated and
/// drift judged.
fn schema(h: &BundleHeader, pipeline: &Pipeline) -> Check {
    const T: (&str, &str) = ("schema", "schema: required features and ranges");
    let s = &h.schema;
    if s.columns.is_empty() {
        return fail(
            T.0,
            T.1,
            "the schema has no columns: build it from the training features".into(),
        );
    }
    let mut problems = Vec::new();
    let not_required: Vec<&str> = pipeline
        .input_columns
        .iter()
        .filter(|c| s.column(c).is_none_or(|col| !col.required))
        .map(String::as_str)
        .collect();
    if !not_required.is_empty() {
        problems.push(format!(
            "model input(s) not required by the schema: {}",
            not_required.join(", ")
        ));
    }
    let mut enforced = 0;
    let no_range: Vec<&str> = s
        .columns
        .iter()
        .filter(|c| {
            let has_enforced = c.min.is_some() || c.max.is_some() || c.levels.is_some();
            enforced += usize::from(has_enforced);
            !has_enforced && c.observed.is_none()
        })
        .map(|c| c.name.as_str())
        .collect();
    if !no_range.is_empty() {
        problems.push(format!(
            "no range or levels recorded for: {} (retrain from data so observed ranges are recorded, or set --range)",
            no_range.join(", ")
        ));
    }
    if !problems.is_empty() {
        return fail(T.0, T.1, problems.join("; "));
    }
    let required = s.columns.iter().filter(|c| c.required).count();
    pass(
        T.0,
        T.1,
        format!(
            "{} columns, {required} required; ranges/levels for all ({enforced} enforced, the rest observed in training)",
            s.columns.len()
        ),
    )
}

/// Every sample row validates against the schema and the model predicts one value per
/// row of the target's type. Returns the check and the valid rows (for the latency check).
fn example_input(
    h: &BundleHeader,
    pipeline: &Pipeline,
    sample: &Frame,
    name: &str,
) -> (Check, Option<Frame>) {
    const T: (&str, &str) = ("example_input", "example input predicts");
    let n = sample.n_rows();
    if n == 0 {
        return (
            fail(
                T.0,
                T.1,
                format!("{name} has no rows: give a few real input rows"),
            ),
            None,
        );
    }
    let valid = match validate_rows(&h.schema, sample, name) {
        Ok(v) => v,
        Err(e) => return (fail(T.0, T.1, format!("{e:#}")), None),
    };
    let rows = (valid.frame.n_rows() > 0).then(|| valid.frame.clone());
    if !valid.violations.is_empty() {
        let bad = n - valid.kept.len();
        let shown: Vec<String> = valid
            .violations
            .iter()
            .take(SHOWN_VIOLATIONS)
            .map(ToString::to_string)
            .collect();
        let more = valid.violations.len().saturating_sub(SHOWN_VIOLATIONS);
        let more = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        return (
            fail(
                T.0,
                T.1,
                format!(
                    "{bad} of {n} rows of {name} fail the schema: {}{more}",
                    shown.join("; ")
                ),
            ),
            rows,
        );
    }
    let check = match pipeline.predict(&valid.frame) {
        Err(e) => fail(T.0, T.1, format!("predict failed on {name}: {e}")),
        Ok(pred) => match output_problem(h, &pred, n) {
            Some(p) => fail(T.0, T.1, p),
            None => pass(
                T.0,
                T.1,
                format!(
                    "{n} rows validated, {} predictions of type {}",
                    pred.len(),
                    type_name(&pred)
                ),
            ),
        },
    };
    (check, rows)
}

fn type_name(t: &Target) -> &'static str {
    match t {
        Target::Labels(_) => "class label",
        Target::Values(_) => "number",
    }
}

/// What is wrong with the model's output for `n` rows, if anything.
fn output_problem(h: &BundleHeader, pred: &Target, n: usize) -> Option<String> {
    if pred.len() != n {
        return Some(format!(
            "the model returned {} predictions for {n} rows",
            pred.len()
        ));
    }
    let Some(target) = &h.target else {
        return Some(
            "the bundle has no target: a preprocessing-only pipeline cannot serve predictions"
                .into(),
        );
    };
    match (target.kind, pred) {
        (TaskKind::Classification, Target::Labels(labels)) => {
            let unknown = labels
                .iter()
                .find(|l| !target.classes.is_empty() && !target.classes.contains(l));
            unknown.map(|l| {
                format!(
                    "the model predicted '{l}', which is not one of the recorded classes ({})",
                    target.classes.join(", ")
                )
            })
        }
        (TaskKind::Regression, Target::Values(v)) => v
            .iter()
            .position(|x| !x.is_finite())
            .map(|row| format!("the prediction for row {} is not a finite number", row + 1)),
        (kind, p) => Some(format!(
            "the model returned {}s but the bundle's target '{}' is {}",
            type_name(p),
            target.name,
            match kind {
                TaskKind::Classification => "a classification target",
                TaskKind::Regression => "a regression target",
            }
        )),
    }
}

/// The median time of predicting the first valid row alone, and the number of runs;
/// `None` when that predict fails (the example-input check reports why).
fn single_row_latency(pipeline: &Pipeline, rows: &Frame) -> Option<(f64, usize)> {
    let row = rows.take_rows(&[0]).ok()?;
    pipeline.predict(&row).ok()?; // warm-up
    let mut times = Vec::with_capacity(LATENCY_RUNS);
    let mut total = 0.0;
    while times.len() < LATENCY_RUNS
        && (times.len() < MIN_LATENCY_RUNS || total < LATENCY_BUDGET_MS)
    {
        let start = Instant::now();
        pipeline.predict(&row).ok()?;
        let t = ms_since(start);
        total += t;
        times.push(t);
    }
    times.sort_by(f64::total_cmp);
    Some((times[times.len() / 2], times.len()))
}

/// Crate versions and the format version are recorded, to explain decoding failures
/// across releases.
fn provenance(h: &BundleHeader) -> Check {
    const T: (&str, &str) = ("provenance", "crate and format versions recorded");
    if !(1..=FORMAT_VERSION).contains(&h.format_version) {
        return fail(
            T.0,
            T.1,
            format!(
                "format version {} is outside 1..={FORMAT_VERSION}",
                h.format_version
            ),
        );
    }
    if !h.crate_versions.contains_key("driftwatch-persist") {
        return fail(
            T.0,
            T.1,
            "the bundle does not record which driftwatch-persist wrote it: save it again with a current driftwatch".into(),
        );
    }
    let crates: Vec<String> = h
        .crate_versions
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    pass(
        T.0,
        T.1,
        format!("format v{}; {}", h.format_version, crates.join(", ")),
    )
}

fn load_time(ms: f64, max: f64) -> Check {
    const T: (&str, &str) = ("load_time", "load time");
    if ms <= max {
        pass(T.0, T.1, format!("{ms:.1} ms (limit {max} ms)"))
    } else {
        fail(
            T.0,
            T.1,
            format!(
                "{ms:.1} ms, above the limit of {max} ms: save with --compression-level 0 or a smaller model, or raise --max-load-ms"
            ),
        )
    }
}

fn predict_latency(measured: Option<(f64, usize)>, max: f64) -> Check {
    const T: (&str, &str) = ("predict_latency", "single-row predict latency");
    match measured {
        None => fail(
            T.0,
            T.1,
            "not measured: no sample row passed the schema and predicted".into(),
        ),
        Some((ms, runs)) if ms <= max => pass(
            T.0,
            T.1,
            format!("median {ms:.3} ms over {runs} runs (limit {max} ms)"),
        ),
        Some((ms, runs)) => fail(
            T.0,
            T.1,
            format!(
                "median {ms:.3} ms over {runs} runs, above the limit of {max} ms: use a smaller model (fewer or shallower trees) or raise --max-latency-ms"
            ),
        ),
    }
}

/// Both card renderings are complete documents naming the model.
fn model_card(h: &BundleHeader) -> Check {
    const T: (&str, &str) = ("model_card", "model card renders (markdown, html)");
    let md = driftwatch_persist::card_markdown(h);
    let html = driftwatch_persist::card_html(h);
    let md_ok = md.starts_with("# Model card: ") && md.contains(&h.version);
    let html_ok = html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>");
    if md_ok && html_ok {
        pass(
            T.0,
            T.1,
            format!("markdown {} bytes, html {} bytes", md.len(), html.len()),
        )
    } else {
        fail(
            T.0,
            T.1,
            format!(
                "the {} card is incomplete; report this as a driftwatch bug",
                if md_ok { "html" } else { "markdown" }
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header as a v1 bundle writes it, for the checks that read only the header.
    fn header() -> BundleHeader {
        serde_json::from_value(serde_json::json!({
            "format_version": 1,
            "name": "iris",
            "version": "1.2.0",
            "created_at": "2024-03-01T12:00:00Z",
            "crate_versions": {"driftwatch-persist": "0.1.0"},
            "schema": {"columns": [
                {"name": "a", "kind": "numeric", "observed": {"range": {"min": 0.0, "max": 1.0}}},
                {"name": "b", "kind": "categorical", "levels": ["x", "y"]}
            ]},
            "target": {"name": "y", "kind": "classification", "classes": ["no", "yes"]},
            "training_metrics": {"accuracy": 0.9},
            "n_train_rows": 10,
            "compression": {"algorithm": "none"},
            "payload_length": 0,
            "decoded_length": 0,
            "payload_sha256": "0".repeat(64),
        }))
        .unwrap()
    }

    #[test]
    fn header_checks_pass_on_a_complete_header_and_say_what_is_missing() {
        let h = header();
        assert_eq!(metrics(&h).detail, "accuracy=0.9000");
        assert!(metrics(&h).passed);
        assert!(version(&h).passed);
        assert!(provenance(&h).passed);
        assert!(model_card(&h).passed);

        let mut bad = h.clone();
        bad.training_metrics.clear();
        bad.version = "v1".into();
        bad.crate_versions.clear();
        let m = metrics(&bad);
        assert!(
            !m.passed && m.detail.contains("no training metrics"),
            "{m:?}"
        );
        let v = version(&bad);
        assert!(
            !v.passed && v.detail.contains("not a semantic version"),
            "{v:?}"
        );
        let p = provenance(&bad);
        assert!(
            !p.passed && p.detail.contains("driftwatch-persist"),
            "{p:?}"
        );
    }

    #[test]
    fn schema_check_wants_required_inputs_with_ranges() {
        let mut p = Pipeline::new();
        p.input_columns = vec!["a".into(), "b".into()];
        let h = header();
        let c = schema(&h, &p);
        assert!(c.passed, "{c:?}");
        assert!(c.detail.contains("2 columns, 2 required"), "{c:?}");
        assert!(c.detail.contains("1 enforced"), "{c:?}");

        let mut bad = h.clone();
        bad.schema.columns[0].observed = None;
        bad.schema.columns[1].required = false;
        let c = schema(&bad, &p);
        assert!(!c.passed);
        assert_eq!(
            c.detail,
            "model input(s) not required by the schema: b; no range or levels recorded for: a \
             (retrain from data so observed ranges are recorded, or set --range)"
        );
        bad.schema.columns.clear();
        assert!(schema(&bad, &p).detail.contains("no columns"));
    }

    #[test]
    fn output_must_have_one_value_per_row_of_the_target_type() {
        let h = header();
        let labels = |v: &[&str]| Target::Labels(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(output_problem(&h, &labels(&["no", "yes"]), 2), None);
        assert_eq!(
            output_problem(&h, &labels(&["no"]), 2).unwrap(),
            "the model returned 1 predictions for 2 rows"
        );
        assert!(
            output_problem(&h, &labels(&["maybe"]), 1)
                .unwrap()
                .contains("'maybe', which is not one of the recorded classes (no, yes)")
        );
        assert!(
            output_problem(&h, &Target::Values(vec![1.0]), 1)
                .unwrap()
                .contains("returned numbers but the bundle's target 'y' is a classification")
        );
        let mut reg = h.clone();
        reg.target.as_mut().unwrap().kind = TaskKind::Regression;
        assert_eq!(output_problem(&reg, &Target::Values(vec![1.5]), 1), None);
        assert_eq!(
            output_problem(&reg, &Target::Values(vec![1.5, f64::NAN]), 2).unwrap(),
            "the prediction for row 2 is not a finite number"
        );
        reg.target = None;
        assert!(
            output_problem(&reg, &Target::Values(vec![1.5]), 1)
                .unwrap()
                .contains("no target")
        );
    }

    #[test]
    fn timing_checks_fail_only_above_their_limits() {
        assert!(load_time(10.0, 10.0).passed);
        let c = load_time(10.5, 10.0);
        assert!(!c.passed && c.detail.starts_with("10.5 ms, above the limit of 10 ms"));
        assert!(predict_latency(Some((0.5, 21)), 1.0).passed);
        assert_eq!(
            predict_latency(Some((0.5, 21)), 1.0).detail,
            "median 0.500 ms over 21 runs (limit 1 ms)"
        );
        assert!(!predict_latency(Some((2.0, 21)), 1.0).passed);
        let c = predict_latency(None, 1.0);
        assert!(!c.passed && c.detail.starts_with("not measured"));
    }
}
