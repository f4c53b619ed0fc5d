//! `driftwatch drift`: column-by-column two-sample tests.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};
use driftwatch_core::{Projection, ReadOptions};
use driftwatch_drift::chi2::PowerDivergence;
use driftwatch_drift::columns::{
    ColumnOverride, ColumnReference, Correction, DriftOptions, DriftReference, DriftReport,
    OptionError, OptionName, TestKind,
};
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::reference_file::load_reference;
use driftwatch_drift::stats::PValueMethod;
use driftwatch_drift::stats::anderson::AndersonVariant;
use driftwatch_monitor::histogram::{
    DEFAULT_BINS, Distribution, FeatureHistogram, distribution_histograms,
};
use driftwatch_monitor::{DriftPage, DriftPageRow};
use serde::Deserialize;

use super::drift_engine;
use super::reference::{only, summarize, summarize_until, table_chunks};
use crate::args::DriftArgs;
use crate::data::{NumericTypos, is_stdin, one_stdin, split_list};
use crate::exit;
use crate::output::{ReportFormat, emit, opt};
use driftwatch_drift::binpass::BinSide;
use driftwatch_drift::sketch::QuantileSketch;
use driftwatch_drift::streaming::{DEFAULT_MEMORY_LIMIT, FrameSummary, SummaryColumn};

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
    let limit = a.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT);
    let reference_file = super::reference::is_reference_file(&a.reference);
    let engine = drift_engine::open(a)?;
    let mut current_read = None;
    let (fitted, read) = if reference_file {
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
    } else if let Some(engine) = &engine {
        (drift_engine::fit(engine, &a.reference, &columns)?, read)
    } else if !is_stdin(&a.reference) && !is_stdin(&a.current) {
        // Both files at once, on two threads (see `read_both`); the current's summary
        // waits below until the reference's columns are checked against the options.
        let (reference, current) = read_both(a, &read, &columns, limit);
        let (summary, found) = reference?;
        typos.merge(found);
        current_read = Some(current);
        (summary.into_reference(), read)
    } else {
        let summary = summarize(&a.reference, &read, only(&columns), limit, |first| {
            typos.check(first, &a.reference, &read.categorical);
            Ok(())
        })?;
        (summary.into_reference(), read)
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
    let current = match (current_read, &engine) {
        (Some(read), _) => {
            let (current, found) = read?;
            typos.merge(found);
            current
        }
        (None, Some(engine)) => drift_engine::current(engine, &a.current, &columns)?,
        (None, None) => {
            // the reference's summaries share the limit with the current table's
            let left = limit.saturating_sub(reference_bytes(&fitted)).max(1);
            summarize(
                &a.current,
                &read,
                current_columns(&columns),
                left,
                |first| {
                    typos.check(first, &a.current, &read.categorical);
                    Ok(())
                },
            )?
        }
    };
    typos.refuse(&read.categorical)?;
    let current = exact_bins(
        &fitted,
        current,
        &options,
        a,
        (&read, engine.as_ref()),
        reference_file,
        limit,
    )?;
    // the page's histograms, from the summaries before the check takes the current's
    let histograms = (format == ReportFormat::Html).then(|| {
        distribution_histograms(
            &reference_distributions(&fitted),
            &summary_distributions(&current),
            DEFAULT_BINS,
        )
    });
    let report = if columns.is_empty() {
        fitted.report_summary(current, &options)
    } else {
        DriftReport::from_rows(fitted.check_summary(current, &options), &options)
    };
    let text = match format {
        ReportFormat::Json => serde_json::to_string_pretty(&report)?,
        ReportFormat::Text => render_text(&report),
        ReportFormat::Markdown => page(a, &report, None).render_markdown(),
        ReportFormat::Html => page(a, &report, histograms).render_html()?,
    };
    emit(&text, a.output.as_deref(), "the drift report")?;
    let fail =
        (a.fail_on_drift && report.drifted > 0) || (a.fail_on_data_issue && report.issues > 0);
    Ok(i32::from(if fail { exit::FOUND } else { exit::OK }))
}

/// The columns of the current table a check reads: with `--columns`, those of them it
/// has (one it lacks is reported one-sided, as before); without, every column, since
/// columns of the current data only are rows of the report.
fn current_columns(columns: &[String]) -> Projection<'_> {
    if columns.is_empty() {
        Projection::All
    } else {
        Projection::Present(columns)
    }
}

/// A summary read from a file, with the numeric typos its first chunk showed.
type Summarised = Result<(FrameSummary, NumericTypos)>;

/// Summarises the reference and the current file at once, the current on a second
/// thread: reading (parsing CSV, decoding Parquet) is most of a check's time. Each gets
/// half the memory limit, so the results do not depend on which finishes first; a table
/// whose summaries fit its half is read exactly, as one read after the other would
/// (docs/FORMATS.md, "Reading both tables at once"). A failed reference stops the
/// current's read (its error is the one reported, as when read first).
fn read_both(
    a: &DriftArgs,
    read: &ReadOptions,
    columns: &[String],
    limit: usize,
) -> (Summarised, Summarised) {
    let half = (limit / 2).max(1);
    let failed = AtomicBool::new(false);
    let one = |path: &Path, projection: Projection<'_>| -> Summarised {
        let mut typos = NumericTypos::default();
        let first = |chunk: &driftwatch_core::Frame| {
            typos.check(chunk, path, &read.categorical);
            Ok(())
        };
        let summary = summarize_until(path, read, projection, half, first, &failed)?;
        Ok((summary, typos))
    };
    std::thread::scope(|scope| {
        let current = scope.spawn(|| one(&a.current, current_columns(columns)));
        let reference = one(&a.reference, only(columns));
        if reference.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        let current = current
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (reference, current)
    })
}

/// Counts the bins of the binned tests on sketched columns in a second read of each
/// table (`driftwatch_drift::binpass`), so that those tests are exact; the reference's
/// read also selects the exact deciles of PSI on its sketched columns (their values
/// near each decile count against `limit` with the summaries). With `--engine`, the
/// engine counts them in a second query (`drift_bins`). A table that cannot be read
/// again (standard input, a `.dwr` reference) keeps bins estimated from its sketch,
/// and the rows say why.
fn exact_bins(
    fitted: &DriftReference,
    current: FrameSummary,
    options: &DriftOptions,
    a: &DriftArgs,
    (read, engine): (&ReadOptions, Option<&drift_engine::Engine>),
    reference_file: bool,
    limit: usize,
) -> Result<FrameSummary> {
    let mut plan = fitted.bin_plan(&current, options);
    let again = |side: BinSide, path: &Path| -> Option<&'static str> {
        if side == BinSide::Reference && reference_file {
            Some(
                "a .dwr reference keeps a sketch of this column, not its values (build it with a larger --memory-limit, or give the reference table, to count them exactly)",
            )
        } else if is_stdin(path) {
            Some(
                "standard input cannot be read a second time (give the table's path to count them exactly)",
            )
        } else {
            None
        }
    };
    // a reference that cannot be read again says so before any memory is budgeted
    if let Some(why) = again(BinSide::Reference, &a.reference) {
        plan.cannot_count(BinSide::Reference, why);
    }
    let held = reference_bytes(fitted).saturating_add(current.bytes());
    plan.limit_selection(limit.saturating_sub(held) as u64);
    // the reference first: the current's PSI counts need the deciles it selects
    for (side, path) in [
        (BinSide::Reference, &a.reference),
        (BinSide::Current, &a.current),
    ] {
        let columns = plan.columns(side);
        if columns.is_empty() {
            continue;
        }
        if let Some(why) = again(side, path) {
            plan.cannot_count(side, why);
            continue;
        }
        let counter = match engine {
            Some(engine) => drift_engine::count_bins(engine, path, plan.counter(side))?,
            None => {
                let mut counter = plan.counter(side);
                for chunk in table_chunks(path, read, Projection::Only(&columns))? {
                    counter.push(&chunk?).with_context(|| {
                        format!("counting bins in data file {}", path.display())
                    })?;
                }
                counter
            }
        };
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

/// The reference's columns as the HTML page's histograms take them: exact samples as
/// they are, sketches by their weighted items (bars marked estimated unless the sketch
/// kept exact value counts), categories by their counts in label order.
fn reference_distributions(r: &DriftReference) -> Vec<(String, Distribution<'_>)> {
    r.columns
        .iter()
        .map(|c| {
            let d = match &c.reference {
                ColumnReference::Numeric(n) => Distribution::Values {
                    values: n.as_ref().map_or(&[][..], |n| n.sorted.sorted_values()),
                    missing: c.missing,
                },
                ColumnReference::Sketch(sketch) => sketched(sketch, c.missing),
                ColumnReference::Categorical { levels, counts } => Distribution::Counts {
                    counts: levels
                        .iter()
                        .zip(counts)
                        .filter(|(_, k)| **k > 0.0)
                        .map(|(l, &k)| (l.as_str(), k as usize))
                        .collect(),
                    missing: c.missing,
                },
            };
            (c.name.clone(), d)
        })
        .collect()
}

/// The current table's summary as the HTML page's histograms take it.
fn summary_distributions(s: &FrameSummary) -> Vec<(String, Distribution<'_>)> {
    s.columns()
        .map(|(name, _, column)| {
            let d = match column {
                SummaryColumn::Values(values) => Distribution::Values { values, missing: 0 },
                SummaryColumn::Sketch(sketch, missing) => sketched(sketch, missing),
                SummaryColumn::Counts(counts, missing) => Distribution::Counts {
                    counts: counts.iter().map(|(l, &k)| (l.as_str(), k)).collect(),
                    missing,
                },
            };
            (name.to_string(), d)
        })
        .collect()
}

fn sketched(sketch: &QuantileSketch, missing: usize) -> Distribution<'static> {
    Distribution::Weighted {
        items: sketch.weighted(),
        missing,
        approximate: sketch.exact_counts.is_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::args::{Cli, Command};
    use clap::Parser;

    /// A numeric column of many distinct values.
    fn table(rows: u64, step: u64) -> String {
        let mut t = String::from("x\n");
        for i in 0..rows {
            t.push_str(&format!("{}\n", ((i * step) % 100_003) as f64 / 10.0));
        }
        t
    }

    /// The reference file rewritten between the first read and the selection read of
    /// PSI's deciles: an error naming the file, never deciles of another table.
    #[test]
    fn a_reference_changed_between_the_reads_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let (r, c) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
        std::fs::write(&r, table(100_000, 7919)).unwrap();
        std::fs::write(&c, table(50_000, 104_729)).unwrap();
        let line = format!(
            "driftwatch drift --reference {} --current {} --test psi --memory-limit 1M",
            r.display(),
            c.display()
        );
        let Command::Drift(a) = Cli::try_parse_from(line.split_whitespace())
            .unwrap()
            .command
        else {
            panic!("a drift command")
        };
        let o = options(&a).unwrap();
        let read = ReadOptions {
            allow_empty: true,
            ..Default::default()
        };
        let limit = 1 << 20;
        let sum = |p: &Path| summarize(p, &read, Projection::All, limit / 2, |_| Ok(())).unwrap();
        let fitted = sum(&r).into_reference();
        assert!(fitted.has_sketch(), "x must be sketched in the reference");
        let current = sum(&c);
        // the unchanged file: exact, no note
        let exact = exact_bins(
            &fitted,
            current.clone(),
            &o,
            &a,
            (&read, None),
            false,
            limit,
        )
        .unwrap();
        let row = fitted.report_summary(exact, &o).columns[0].clone();
        assert_eq!((row.exact, row.note), (None, None));
        // a row more in the reference file
        std::fs::write(&r, table(100_001, 7919)).unwrap();
        let e = exact_bins(&fitted, current, &o, &a, (&read, None), false, limit).unwrap_err();
        let e = format!("{e:#}");
        assert!(
            e.starts_with(&format!("in data file {}: column 'x': the second read of the reference counted 100001 values, the first 100000; the table changed", r.display())),
            "{e}"
        );
    }
}
