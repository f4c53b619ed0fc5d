//! `driftwatch drift`: column-by-column two-sample tests.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use driftwatch_core::ReadOptions;
use driftwatch_drift::columns::{
    ColumnOverride, ColumnReference, Correction, DriftOptions, DriftReference, TestKind,
};
use driftwatch_drift::reference_file::load_reference;
use serde::Deserialize;

use crate::args::DriftArgs;
use crate::data::{read_frame, refuse_numeric_typos, split_list};
use crate::output::{Format, opt, print_json};

/// `drift.toml`: global settings and per-column overrides.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriftConfig {
    test: Option<String>,
    threshold: Option<f64>,
    min_effect: Option<f64>,
    correction: Option<String>,
    drift_share: Option<f64>,
    #[serde(default)]
    columns: BTreeMap<String, ColumnConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnConfig {
    test: Option<String>,
    threshold: Option<f64>,
}

fn read_config(path: &Path) -> Result<DriftConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read drift config {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "drift config {} is not valid: expected `test`, `threshold`, `min_effect`, `correction`, `drift_share` and [columns.NAME] tables with `test` / `threshold`",
            path.display()
        )
    })
}

fn parse_test(s: &str, what: &str) -> Result<TestKind> {
    s.parse::<TestKind>()
        .map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

fn check_threshold(t: Option<f64>, what: &str) -> Result<()> {
    if let Some(t) = t
        && !(t.is_finite() && t > 0.0)
    {
        bail!("{what} {t} must be a positive number (p-value tests: between 0 and 1)");
    }
    Ok(())
}

/// Options from the flags, with the config file filling what the flags leave at default.
fn options(a: &DriftArgs) -> Result<DriftOptions> {
    let cfg = match &a.config {
        Some(p) => read_config(p)?,
        None => DriftConfig::default(),
    };
    let test_name = if a.test == "auto" {
        cfg.test.clone().unwrap_or_else(|| a.test.clone())
    } else {
        a.test.clone()
    };
    let test = parse_test(&test_name, "--test")?;
    let threshold = a.threshold.or(cfg.threshold);
    check_threshold(threshold, "--threshold")?;
    if test.has_p_value()
        && let Some(t) = threshold
        && t >= 1.0
    {
        bail!("--threshold {t} must be between 0 and 1 for the p-value test {test}");
    }
    let correction_name = if a.correction == "none" {
        cfg.correction
            .clone()
            .unwrap_or_else(|| a.correction.clone())
    } else {
        a.correction.clone()
    };
    let correction: Correction = correction_name
        .parse()
        .map_err(|e| anyhow::anyhow!("--correction: {e}"))?;
    let min_effect = a.min_effect.or(cfg.min_effect);
    if let Some(m) = min_effect
        && !(m.is_finite() && m >= 0.0)
    {
        bail!("--min-effect {m} must be a non-negative number");
    }
    let drift_share = a.drift_share.or(cfg.drift_share).unwrap_or(0.5);
    if !(drift_share > 0.0 && drift_share <= 1.0) {
        bail!("--drift-share {drift_share} must be in (0, 1]");
    }
    let mut overrides = BTreeMap::new();
    for (name, c) in cfg.columns {
        let test = c
            .test
            .as_deref()
            .map(|t| parse_test(t, &format!("[columns.{name}] test")))
            .transpose()?;
        check_threshold(c.threshold, &format!("[columns.{name}] threshold"))?;
        overrides.insert(
            name,
            ColumnOverride {
                test,
                threshold: c.threshold,
            },
        );
    }
    Ok(DriftOptions {
        test,
        alternative: a.alternative.parse().context("--alternative")?,
        method: a.method.parse().context("--method")?,
        threshold,
        min_effect,
        correction,
        drift_share,
        overrides,
        ..Default::default()
    })
}

pub fn run(a: &DriftArgs) -> Result<i32> {
    let options = options(a)?;
    let read = ReadOptions {
        categorical: split_list(&a.categorical),
        ..Default::default()
    };
    let columns = split_list(&a.columns);
    let (fitted, read) = if super::reference::is_reference_file(&a.reference) {
        let loaded = load_reference(&a.reference)
            .with_context(|| format!("loading reference {}", a.reference.display()))?;
        // the current data is read with the reference's categorical columns
        let mut read = read;
        for c in &loaded.columns {
            if matches!(c.reference, ColumnReference::Categorical { .. })
                && !read.categorical.contains(&c.name)
            {
                read.categorical.push(c.name.clone());
            }
        }
        let fitted = if columns.is_empty() {
            loaded
        } else {
            let mut keep = Vec::new();
            for name in &columns {
                match loaded.columns.iter().find(|c| &c.name == name) {
                    Some(c) => keep.push(c.clone()),
                    None => bail!(
                        "--columns names '{name}', which the reference {} does not hold (it has {}); rebuild it with that column",
                        a.reference.display(),
                        loaded.names().join(",")
                    ),
                }
            }
            DriftReference { columns: keep }
        };
        (fitted, read)
    } else {
        let reference = read_frame(&a.reference, &read)?;
        refuse_numeric_typos(&reference, &a.reference, &read.categorical)?;
        let fitted = DriftReference::fit(&reference, &columns)
            .with_context(|| format!("in reference file {}", a.reference.display()))?;
        (fitted, read)
    };
    for name in options.overrides.keys() {
        if !fitted.columns.iter().any(|c| &c.name == name) {
            bail!(
                "the drift config names column '{name}', which {} does not have",
                a.reference.display()
            );
        }
    }
    let current = read_frame(&a.current, &read)?;
    refuse_numeric_typos(&current, &a.current, &read.categorical)?;
    let report = if columns.is_empty() {
        fitted.report(&current, &options)
    } else {
        fitted
            .check(&current, &options)
            .map(|rows| driftwatch_drift::columns::DriftReport::from_rows(rows, &options))
    }
    .with_context(|| format!("in current file {}", a.current.display()))?;
    match a.format {
        Format::Json => print_json(&report)?,
        Format::Text => {
            println!(
                "{:<24} {:<12} {:<18} {:>10} {:>12} {:>8} {:>8}  drift",
                "column", "kind", "test", "statistic", "p_value", "effect", "missing"
            );
            for r in &report.columns {
                println!(
                    "{:<24} {:<12} {:<18} {:>10} {:>12} {:>8} {:>8}  {}{}",
                    r.column,
                    r.kind.as_str(),
                    r.test,
                    opt(r.statistic, 4),
                    r.p_adjusted
                        .or(r.p_value)
                        .map_or("-".into(), |p| format!("{p:.3e}")),
                    opt(r.effect, 3),
                    r.missing_current,
                    if r.drift { "DRIFT" } else { "-" },
                    r.note
                        .as_deref()
                        .map_or(String::new(), |n| format!("  ({n})")),
                );
                for i in &r.issues {
                    println!("    {}: {}", i.status, i.message);
                }
            }
            println!(
                "{} of {} columns drifted ({:.0}%); dataset drift: {}",
                report.drifted,
                report.total,
                100.0 * report.drift_share,
                if report.dataset_drift { "yes" } else { "no" }
            );
            if report.issues > 0 {
                println!("{} data finding(s)", report.issues);
            }
        }
    }
    let fail =
        (a.fail_on_drift && report.drifted > 0) || (a.fail_on_data_issue && report.issues > 0);
    Ok(if fail { 1 } else { 0 })
}
