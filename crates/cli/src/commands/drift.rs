//! `driftwatch drift`: column-by-column two-sample tests.

use anyhow::{Context, Result, bail};
use driftwatch_core::ReadOptions;
use driftwatch_drift::columns::{DriftOptions, DriftReference};

use crate::args::DriftArgs;
use crate::data::{read_frame, refuse_numeric_typos, split_list};
use crate::output::{Format, opt, print_json};

pub fn run(a: &DriftArgs) -> Result<i32> {
    if a.test != "ks" {
        bail!(
            "unknown test '{}': this version supports ks (categorical columns use chi2)",
            a.test
        );
    }
    if !(a.threshold > 0.0 && a.threshold < 1.0) {
        bail!("--threshold {} must be between 0 and 1", a.threshold);
    }
    let options = DriftOptions {
        alternative: a.alternative.parse().context("--alternative")?,
        method: a.method.parse().context("--method")?,
        threshold: a.threshold,
    };
    let read = ReadOptions {
        categorical: split_list(&a.categorical),
        ..Default::default()
    };
    let reference = read_frame(&a.reference, &read)?;
    let current = read_frame(&a.current, &read)?;
    refuse_numeric_typos(&reference, &a.reference, &read.categorical)?;
    refuse_numeric_typos(&current, &a.current, &read.categorical)?;
    let columns = split_list(&a.columns);
    let fitted = DriftReference::fit(&reference, &columns)
        .with_context(|| format!("in reference file {}", a.reference.display()))?;
    let rows = fitted
        .check(&current, &options)
        .with_context(|| format!("in current file {}", a.current.display()))?;
    let drifted = rows.iter().filter(|r| r.drift).count();
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "columns": rows,
            "drifted": drifted,
            "total": rows.len(),
        }))?,
        Format::Text => {
            println!(
                "{:<24} {:<12} {:<5} {:>10} {:>12} {:>8}  drift",
                "column", "kind", "test", "statistic", "p_value", "missing"
            );
            for r in &rows {
                println!(
                    "{:<24} {:<12} {:<5} {:>10} {:>12} {:>8}  {}{}",
                    r.column,
                    r.kind.as_str(),
                    r.test,
                    opt(r.statistic, 4),
                    r.p_value.map_or("-".into(), |p| format!("{p:.3e}")),
                    r.missing_current,
                    if r.drift { "DRIFT" } else { "-" },
                    r.note
                        .as_deref()
                        .map_or(String::new(), |n| format!("  ({n})")),
                );
                for (cat, n) in &r.unseen_categories {
                    println!("    unseen category '{cat}': {n} rows");
                }
            }
            println!(
                "{drifted} of {} columns drifted (p < {})",
                rows.len(),
                a.threshold
            );
        }
    }
    Ok(if a.fail_on_drift && drifted > 0 { 1 } else { 0 })
}
