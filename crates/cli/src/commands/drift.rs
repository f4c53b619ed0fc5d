//! `driftwatch drift`: column-by-column two-sample tests.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use driftwatch_core::{Categorical, Column, Frame, ReadOptions};
use driftwatch_drift::chi2::PowerDivergence;
use driftwatch_drift::columns::{
    ColumnOverride, ColumnReference, Correction, DriftOptions, DriftReference, DriftReport,
    OptionError, OptionName, TestKind,
};
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::reference_file::load_reference;
use driftwatch_drift::stats::PValueMethod;
use driftwatch_drift::stats::anderson::AndersonVariant;
use driftwatch_monitor::histogram::{DEFAULT_BINS, FeatureHistogram, frame_histograms};
use driftwatch_monitor::{DriftPage, DriftPageRow};
use serde::Deserialize;

use super::reference::{summarize, table_chunks};
use crate::args::DriftArgs;
use crate::data::{NumericTypos, is_stdin, one_stdin, read_frame, split_list};
use crate::exit;
use crate::output::{ReportFormat, emit, opt};
use driftwatch_drift::binpass::BinSide;
use driftwatch_drift::streaming::{DEFAULT_MEMORY_LIMIT, FrameSummary};

/// `drift.toml`: global settings and per-column overrides.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriftConfig {
    test: Option<String>,
    alternative: Option<Alternative>,
    method: Option<PValueMethod>,
    variant: Option<AndersonVariant>,
    yates: Option<bool>,
    lambda: Option<PowerDivergence>,
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
            "drift config {} is not valid: expected `test`, `alternative`, `method`, `variant`, `yates`, `lambda`, `threshold`, `min_effect`, `correction`, `drift_share` and [columns.NAME] tables with `test` / `threshold`",
            path.display()
        )
    })
}

fn parse_test(s: &str, what: &str) -> Result<TestKind> {
    s.parse::<TestKind>()
        .map_err(|e| anyhow::anyhow!("{what}: {e}"))
}

/// An option as the user typed it: `--min-effect`.
fn flag(o: OptionName) -> String {
    format!("--{}", o.key().replace('_', "-"))
}

/// Options from the flags, with the config file filling what the flags leave unset,
/// checked by [`DriftOptions::check`] (an option the test would not take is an
/// error: exit 2 with the flag named).
fn options(a: &DriftArgs) -> Result<DriftOptions> {
    let cfg = match &a.config {
        Some(p) => read_config(p)?,
        None => DriftConfig::default(),
    };
    let t = &a.test;
    let test = match (t.test, &cfg.test) {
        (Some(flag), _) => flag.0,
        (None, Some(name)) => parse_test(name, "the drift config's test")?,
        (None, None) => TestKind::Auto,
    };
    let correction = match (t.correction, &cfg.correction) {
        (Some(flag), _) => flag.0,
        (None, Some(name)) => name
            .parse()
            .map_err(|e| anyhow::anyhow!("the drift config's correction: {e}"))?,
        (None, None) => Correction::None,
    };
    let mut overrides = BTreeMap::new();
    for (name, c) in cfg.columns {
        let test = c
            .test
            .as_deref()
            .map(|t| parse_test(t, &format!("[columns.{name}] test")))
            .transpose()?;
        overrides.insert(
            name,
            ColumnOverride {
                test,
                threshold: c.threshold,
            },
        );
    }
    let options = DriftOptions {
        test,
        alternative: t.alternative.or(cfg.alternative).unwrap_or_default(),
        method: t.method.or(cfg.method),
        variant: t.variant.or(cfg.variant).unwrap_or_default(),
        yates: t.yates || cfg.yates.unwrap_or(false),
        lambda: t.lambda.or(cfg.lambda).unwrap_or_default(),
        threshold: t.threshold.or(cfg.threshold),
        min_effect: t.min_effect.or(cfg.min_effect),
        correction,
        drift_share: t.drift_share.or(cfg.drift_share).unwrap_or(0.5),
        overrides,
        numerical: split_list(&a.numerical),
        ..Default::default()
    };
    options.check().map_err(|e| {
        let hint = match &e {
            OptionError::NeedsNamedTest { .. } => " (name the test with --test)",
            _ => "",
        };
        anyhow::anyhow!("{}{hint}", e.render(flag))
    })?;
    Ok(options)
}

pub fn run(a: &DriftArgs) -> Result<i32> {
    let options = options(a)?;
    one_stdin(&[&a.reference, &a.current])?;
    // A header-only file is read as empty columns: each is an `all_missing` finding.
    let read = a.table.read_options(ReadOptions {
        categorical: split_list(&a.categorical),
        allow_empty: true,
        ..Default::default()
    });
    let mut typos = NumericTypos::default();
    let columns = split_list(&a.columns);
    let format = a
        .format
        .or_else(|| a.output.as_deref().and_then(ReportFormat::from_extension))
        .unwrap_or_default();
    let wants_html = format == ReportFormat::Html;
    if wants_html && a.memory_limit.is_some() {
        bail!(
            "--memory-limit applies to the text, json and markdown reports, which read the tables in chunks; the HTML page reads both tables whole to draw their histograms (leave out --memory-limit, or choose another --format)"
        );
    }
    let limit = a.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT);
    let reference_file = super::reference::is_reference_file(&a.reference);
    let (fitted, read, reference_frame) = if reference_file {
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
        (fitted, read, None)
    } else if wants_html {
        let reference = read_frame(&a.reference, &read)?;
        typos.check(&reference, &a.reference, &read.categorical);
        let fitted = DriftReference::fit(&reference, &columns)
            .with_context(|| format!("in reference file {}", a.reference.display()))?;
        // Only the HTML page draws the reference's distributions.
        (fitted, read, Some(reference))
    } else {
        let summary = summarize(&a.reference, &read, &columns, limit, |first| {
            typos.check(first, &a.reference, &read.categorical);
            Ok(())
        })?;
        (summary.into_reference(), read, None)
    };
    for name in options.overrides.keys() {
        if !fitted.columns.iter().any(|c| &c.name == name) {
            bail!(
                "the drift config names column '{name}', which {} does not have",
                a.reference.display()
            );
        }
    }
    for name in &options.numerical {
        match fitted.columns.iter().find(|c| &c.name == name) {
            None => bail!(
                "--numerical names column '{name}', which {} does not have (it has {})",
                a.reference.display(),
                fitted.names().join(",")
            ),
            Some(c) if c.kind().storage() != driftwatch_core::ColumnKind::Numeric => bail!(
                "--numerical names column '{name}', which is {} in {}: only numbers and timestamps can be compared as numbers",
                c.kind().as_str(),
                a.reference.display()
            ),
            Some(_) => {}
        }
    }
    let (report, current_frame) = if wants_html {
        let current = read_frame(&a.current, &read)?;
        typos.check(&current, &a.current, &read.categorical);
        typos.refuse(&read.categorical)?;
        let report = if columns.is_empty() {
            fitted.report(&current, &options)
        } else {
            fitted
                .check(&current, &options)
                .map(|rows| DriftReport::from_rows(rows, &options))
        }
        .with_context(|| format!("in current file {}", a.current.display()))?;
        (report, Some(current))
    } else {
        // the reference's summaries share the limit with the current table's
        let left = limit.saturating_sub(reference_bytes(&fitted)).max(1);
        let current = summarize(&a.current, &read, &[], left, |first| {
            typos.check(first, &a.current, &read.categorical);
            Ok(())
        })?;
        typos.refuse(&read.categorical)?;
        let current = exact_bins(&fitted, current, &options, a, &read, reference_file)?;
        let report = if columns.is_empty() {
            fitted.report_summary(current, &options)
        } else {
            DriftReport::from_rows(fitted.check_summary(current, &options), &options)
        };
        (report, None)
    };
    let text = match format {
        ReportFormat::Json => serde_json::to_string_pretty(&report)?,
        ReportFormat::Text => render_text(&report),
        ReportFormat::Markdown => page(a, &report, None).render_markdown(),
        ReportFormat::Html => {
            let reference = match reference_frame {
                Some(frame) => frame,
                None => frame_of_reference(&fitted)?,
            };
            let Some(current) = current_frame else {
                bail!("the HTML page needs the current table read whole");
            };
            let hist = frame_histograms(&reference, &current, DEFAULT_BINS);
            page(a, &report, Some(hist)).render_html()?
        }
    };
    emit(&text, a.output.as_deref(), "the drift report")?;
    let fail =
        (a.fail_on_drift && report.drifted > 0) || (a.fail_on_data_issue && report.issues > 0);
    Ok(i32::from(if fail { exit::FOUND } else { exit::OK }))
}

/// Counts the bins of the binned tests on sketched columns in a second read of each
/// table (`driftwatch_drift::binpass`), so that those tests are exact; a table that
/// cannot be read again (standard input, a `.dwr` reference) keeps bins estimated
/// from its sketch, and the rows say why.
fn exact_bins(
    fitted: &DriftReference,
    current: FrameSummary,
    options: &DriftOptions,
    a: &DriftArgs,
    read: &ReadOptions,
    reference_file: bool,
) -> Result<FrameSummary> {
    let mut plan = fitted.bin_plan(&current, options);
    for (side, path) in [
        (BinSide::Reference, &a.reference),
        (BinSide::Current, &a.current),
    ] {
        let columns = plan.columns(side);
        if columns.is_empty() {
            continue;
        }
        if side == BinSide::Reference && reference_file {
            plan.cannot_count(
                side,
                "a .dwr reference keeps a sketch of this column, not its values (build it with a larger --memory-limit, or give the reference table, to count them exactly)",
            );
            continue;
        }
        if is_stdin(path) {
            plan.cannot_count(
                side,
                "standard input cannot be read a second time (give the table's path to count them exactly)",
            );
            continue;
        }
        let mut counter = plan.counter(side);
        for chunk in table_chunks(path, read, Some(&columns))? {
            counter
                .push(&chunk?)
                .with_context(|| format!("counting bins in data file {}", path.display()))?;
        }
        plan.add(counter)
            .with_context(|| format!("in data file {}", path.display()))?;
    }
    Ok(current.with_bins(plan))
}

/// The text table: one line per column, its data findings, and the verdict.
fn render_text(report: &DriftReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:<12} {:<18} {:>10} {:>12} {:>8} {:>8}  drift",
        "column", "kind", "test", "statistic", "p_value", "effect", "missing"
    );
    for r in &report.columns {
        let _ = writeln!(
            out,
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
            let _ = writeln!(out, "    {}: {}", i.status, i.message);
        }
    }
    // The share is over the tested columns: say so when some could not be tested.
    let tested = report
        .columns
        .iter()
        .filter(|r| r.statistic.is_some())
        .count();
    let untested = report.total - tested;
    let _ = writeln!(
        out,
        "{} of {} columns drifted ({:.0}% of {tested} tested{}); dataset drift: {}",
        report.drifted,
        report.total,
        100.0 * report.drift_share,
        match (untested, report.skipped) {
            (0, _) => String::new(),
            (n, 0) => format!("; {n} not tested"),
            (n, s) if n == s => format!("; {s} skipped"),
            (n, s) => format!("; {} not tested, {s} skipped", n - s),
        },
        if report.dataset_drift { "yes" } else { "no" }
    );
    if report.issues > 0 {
        let _ = writeln!(out, "{} data finding(s)", report.issues);
    }
    out
}

/// The Markdown/HTML page of a report.
fn page(
    a: &DriftArgs,
    report: &DriftReport,
    histograms: Option<Vec<FeatureHistogram>>,
) -> DriftPage {
    DriftPage {
        title: format!(
            "driftwatch drift: {} vs {}",
            a.reference.display(),
            a.current.display()
        ),
        rows: report
            .columns
            .iter()
            .map(|r| DriftPageRow {
                column: r.column.clone(),
                kind: r.kind.as_str().to_string(),
                test: r.test.clone(),
                statistic: r.statistic,
                p_value: r.p_adjusted.or(r.p_value),
                effect: r.effect,
                threshold: r.threshold,
                drift: r.drift,
                missing: (r.missing_reference, r.missing_current),
                notes: r
                    .issues
                    .iter()
                    .map(|i| format!("{}: {}", i.status, i.message))
                    .chain(r.note.clone())
                    .collect(),
            })
            .collect(),
        drifted: report.drifted,
        total: report.total,
        dataset_drift: report.dataset_drift,
        histograms: histograms.unwrap_or_default(),
    }
}

/// Bytes the reference's exact samples hold (8 per value).
fn reference_bytes(r: &DriftReference) -> usize {
    r.columns
        .iter()
        .map(|c| match &c.reference {
            ColumnReference::Numeric(Some(n)) => 8 * n.sorted.len(),
            ColumnReference::Sketch(s) => s.heap_bytes(),
            _ => 0,
        })
        .sum()
}

/// The reference's data back from a `.dwr` file, for its histograms: the sorted
/// numeric sample (plus its missing values; a sketch's items repeated by weight) and
/// the categorical counts.
fn frame_of_reference(r: &DriftReference) -> Result<Frame> {
    let columns = r
        .columns
        .iter()
        .map(|c| {
            let column = match &c.reference {
                ColumnReference::Numeric(n) => {
                    let values = n.as_ref().map_or(&[][..], |n| n.sorted.sorted_values());
                    Column::Numeric(
                        values
                            .iter()
                            .copied()
                            .chain(std::iter::repeat_n(f64::NAN, c.missing))
                            .collect(),
                    )
                }
                ColumnReference::Sketch(sketch) => Column::Numeric(
                    sketch
                        .weighted()
                        .into_iter()
                        .flat_map(|(v, w)| std::iter::repeat_n(v, w as usize))
                        .chain(std::iter::repeat_n(f64::NAN, c.missing))
                        .collect(),
                ),
                ColumnReference::Categorical { levels, counts } => {
                    let mut codes = Vec::with_capacity(c.rows);
                    for (code, &n) in counts.iter().enumerate() {
                        codes.extend(std::iter::repeat_n(Some(code as u32), n as usize));
                    }
                    codes.extend(std::iter::repeat_n(None, c.missing));
                    Column::Categorical(Categorical {
                        codes,
                        levels: levels.clone(),
                    })
                }
            };
            (c.name.clone(), column)
        })
        .collect();
    Ok(Frame::new(columns)?)
}
