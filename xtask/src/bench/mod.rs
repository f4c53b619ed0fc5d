//! `cargo xtask bench`: run the criterion benchmarks, export their results as
//! JSON, and compare them against a saved baseline.
//!
//! ```text
//! cargo xtask bench [FILTER] [--json FILE] [--save NAME] [--compare NAME] [--quick]
//! cargo xtask bench --vs-python [FILTER] [--quick]
//! ```
//!
//! `--vs-python` times the drift benches next to scipy and River in one run
//! (`vs_python.rs`).
//!
//! # What it does
//!
//! 1. Runs `cargo bench -p driftwatch-benches --bench '*' -- ^FILTER` from the
//!    workspace root, streaming criterion's output to the terminal. `FILTER`
//!    is a plain *prefix* of the benchmark id (`group/function/parameter`,
//!    e.g. `drift/ks_2samp`); it is regex-escaped and anchored with `^`
//!    because criterion interprets its filter as a regular expression.
//!    `--bench '*'` restricts the run to the bench targets (the package's
//!    library is not run through libtest, which would reject criterion's
//!    flags). `--quick` adds `--warm-up-time 1 --measurement-time 2 --noplot`.
//! 2. Collects the results of the benchmarks that ran: every
//!    `<criterion dir>/**/new/estimates.json` that was created or rewritten
//!    by this run (detected by comparing modification times with a snapshot
//!    taken before the run), together with the sibling `benchmark.json`,
//!    whose `full_id` gives the benchmark's name. The criterion directory is
//!    `$CRITERION_HOME` if set, otherwise `<target dir>/criterion`; it is
//!    passed to the benchmarks explicitly through `CRITERION_HOME`, so the
//!    place written and the place read are always the same.
//! 3. Prints a table (name, median, ± half-width of the median's confidence
//!    interval, MAD) and, with `--json FILE`, writes a JSON array sorted by
//!    name:
//!    `[{"name": "drift/ks_2samp/1000", "median_ns": .., "mad_ns": ..,
//!    "ci_low_ns": .., "ci_high_ns": ..}]`, where `median_ns` is criterion's
//!    median of the per-iteration time, `ci_*_ns` the bounds of its
//!    confidence interval (95% by default) and `mad_ns` the median absolute
//!    deviation of the samples, all in nanoseconds.
//! 4. `--compare NAME` loads `<target dir>/bench-baselines/NAME.json` (an
//!    array in the same format; an error if missing) and compares every
//!    benchmark present on both sides; baseline entries outside `FILTER` are
//!    ignored, entries present on only one side are listed but never fail.
//! 5. `--save NAME` then writes this run's array to
//!    `<target dir>/bench-baselines/NAME.json` (after the comparison, so
//!    `--compare X --save X` compares with the previous `X` and replaces it).
//!
//! # Regression rule
//!
//! For one benchmark with old median `m_old` and new median `m_new`:
//!
//! * the *relative noise* of one measurement is the larger of its relative
//!   confidence-interval half-width `(ci_high - ci_low) / 2 / median` and its
//!   relative MAD `mad / median`;
//! * the *noise* of the comparison is the larger of the old and the new
//!   relative noise;
//! * the *change* is `m_new / m_old - 1`;
//! * it is a **regression** when `change > noise + 0.10`, i.e. the new median
//!   exceeds the old one by more than the noise plus 10%. Symmetrically it is
//!   reported as *faster* when `change < -(noise + 0.10)`; anything in between
//!   is *ok*. A benchmark whose medians are not positive finite numbers is
//!   reported as *n/a* and does not fail.
//!
//! # Exit code
//!
//! `run` returns 1 when `--compare` found at least one regression and 0
//! otherwise; failures (the bench run failing, no results, a missing
//! baseline, unreadable files) are errors.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

mod vs_python;

/// The Cargo package holding the criterion benches.
const BENCH_PACKAGE: &str = "driftwatch-benches";

/// Relative slowdown allowed on top of the measured noise before a benchmark
/// counts as regressed (see the module documentation).
pub const REGRESSION_MARGIN: f64 = 0.10;

/// Criterion arguments added by `--quick`.
const QUICK_ARGS: [&str; 5] = ["--warm-up-time", "1", "--measurement-time", "2", "--noplot"];

/// Run the criterion benchmarks, export the results, compare with a baseline.
///
/// FILTER selects benchmarks whose id (`group/function/parameter`) starts
/// with it. Exits with 1 when `--compare` finds a regression: a new median
/// above the old one by more than the noise (the largest relative
/// confidence-interval half-width or relative MAD of either side) plus 10%.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Only run benchmarks whose id starts with this prefix (e.g.
    /// `drift/ks_2samp`); matched literally, not as a regex.
    pub filter: Option<String>,

    /// Write the results as a JSON array (sorted by name) to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Store the results as baseline NAME (target/bench-baselines/NAME.json).
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,

    /// Compare with baseline NAME; exit code 1 if any benchmark regressed.
    #[arg(long, value_name = "NAME")]
    pub compare: Option<String>,

    /// Shorter runs: --warm-up-time 1 --measurement-time 2, no plots.
    #[arg(long)]
    pub quick: bool,

    /// Time the drift benches next to scipy and River on the same inputs, in the
    /// same run, and print their ratios against the goals (needs python3 with venv
    /// and pip access; the packages go to a venv outside the project). With FILTER,
    /// only the compared benches whose id starts with it.
    #[arg(long, conflicts_with_all = ["save", "compare", "json"])]
    pub vs_python: bool,
}

/// The summary of one benchmark, as written to `--json` and baselines.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BenchResult {
    /// Full criterion id, `group/function/parameter`.
    pub name: String,
    /// Median time per iteration, in nanoseconds.
    pub median_ns: f64,
    /// Median absolute deviation of the samples, in nanoseconds.
    pub mad_ns: f64,
    /// Lower bound of the median's confidence interval, in nanoseconds.
    pub ci_low_ns: f64,
    /// Upper bound of the median's confidence interval, in nanoseconds.
    pub ci_high_ns: f64,
}

/// Runs `cargo xtask bench`; returns the process exit code.
pub fn run(args: &BenchArgs) -> Result<i32> {
    for name in [&args.save, &args.compare].into_iter().flatten() {
        validate_baseline_name(name)?;
    }
    let root = workspace_root()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = target_directory(&cargo, &root);
    let criterion_dir = criterion_directory(&target_dir)?;
    if args.vs_python {
        let filter = args.filter.as_deref().unwrap_or("");
        return vs_python::run(
            &root,
            &cargo,
            &target_dir,
            &criterion_dir,
            filter,
            args.quick,
        );
    }
    let baselines_dir = target_dir.join("bench-baselines");

    // Load the baseline first: a typo should not cost a full bench run.
    let baseline = match &args.compare {
        Some(name) => Some(load_baseline(&baselines_dir, name)?),
        None => None,
    };

    let filter = args.filter.as_deref().unwrap_or("");
    let before = snapshot(&criterion_dir)?;
    let mut command = Command::new(&cargo);
    command
        .current_dir(&root)
        .args(["bench", "-p", BENCH_PACKAGE, "--bench", "*", "--"])
        .args(criterion_args(filter, args.quick))
        .env("CRITERION_HOME", &criterion_dir);
    eprintln!("running {}", display_command(&command));
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", display_command(&command)))?;
    if !status.success() {
        bail!("`cargo bench` failed ({status})");
    }

    let results = collect_results(&criterion_dir, &before, filter)?;
    if results.is_empty() {
        bail!(
            "no benchmark results were written under {}{}",
            criterion_dir.display(),
            if filter.is_empty() {
                String::new()
            } else {
                format!(" (no benchmark id starts with `{filter}`?)")
            }
        );
    }
    println!();
    print!("{}", results_table(&results));

    if let Some(path) = &args.json {
        write_json(path, &results)?;
        println!("wrote {} results to {}", results.len(), path.display());
    }

    let mut code = 0;
    if let (Some(name), Some(baseline)) = (&args.compare, baseline) {
        let (in_filter, outside): (Vec<_>, Vec<_>) = baseline
            .into_iter()
            .partition(|r| r.name.starts_with(filter));
        let report = compare(&in_filter, &results);
        println!();
        println!("comparison with baseline `{name}`:");
        print!("{report}");
        if !outside.is_empty() {
            println!(
                "({} baseline entries outside filter `{filter}` ignored)",
                outside.len()
            );
        }
        let regressed = report.regressions();
        if regressed > 0 {
            println!("{regressed} benchmark(s) regressed against `{name}`");
            code = 1;
        } else {
            println!("no regressions against `{name}`");
        }
    }

    if let Some(name) = &args.save {
        let path = baseline_path(&baselines_dir, name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_json(&path, &results)?;
        println!(
            "saved baseline `{name}` ({} benches) to {}",
            results.len(),
            path.display()
        );
    }
    Ok(code)
}

/// `$CRITERION_HOME` if set, otherwise `<target dir>/criterion`.
fn criterion_directory(target_dir: &Path) -> Result<PathBuf> {
    Ok(match std::env::var_os("CRITERION_HOME") {
        Some(dir) => {
            std::path::absolute(PathBuf::from(dir)).context("cannot resolve CRITERION_HOME")?
        }
        None => target_dir.join("criterion"),
    })
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .context("xtask's manifest directory has no parent")
}

/// Cargo's target directory as reported by `cargo metadata` (which honours
/// `CARGO_TARGET_DIR` and `build.target-dir`), falling back to `<root>/target`.
fn target_directory(cargo: &std::ffi::OsStr, root: &Path) -> PathBuf {
    let from_metadata = || -> Option<PathBuf> {
        let output = Command::new(cargo)
            .current_dir(root)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        let meta: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
        meta.get("target_directory")?.as_str().map(PathBuf::from)
    };
    from_metadata().unwrap_or_else(|| root.join("target"))
}

/// Renders a command for messages, e.g. `cargo bench -p x -- ^smoke`.
fn display_command(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|s| shell_quote(&s.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Quotes `arg` for a POSIX shell unless it only has harmless characters.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The arguments passed to the criterion benches after `--`.
fn criterion_args(filter: &str, quick: bool) -> Vec<String> {
    let mut args = Vec::new();
    if !filter.is_empty() {
        args.push(prefix_regex(filter));
    }
    if quick {
        args.extend(QUICK_ARGS.iter().map(|s| (*s).to_owned()));
    }
    args
}

/// A regex (criterion's filter syntax) matching ids that start with `prefix`.
fn prefix_regex(prefix: &str) -> String {
    let mut regex = String::with_capacity(prefix.len() + 1);
    regex.push('^');
    for c in prefix.chars() {
        // The characters escaped by `regex::escape`.
        if matches!(
            c,
            '\\' | '.'
                | '+'
                | '*'
                | '?'
                | '('
                | ')'
                | '|'
                | '['
                | ']'
                | '{'
                | '}'
                | '^'
                | '$'
                | '#'
                | '&'
                | '-'
                | '~'
        ) {
            regex.push('\\');
        }
        regex.push(c);
    }
    regex
}

/// Baseline names become file names: keep them simple.
fn validate_baseline_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        bail!(
            "invalid baseline name `{name}`: use letters, digits, `-`, `_` and `.` \
             (not starting with `.`)"
        );
    }
    Ok(())
}

/// Where baseline `name` is stored.
fn baseline_path(baselines_dir: &Path, name: &str) -> PathBuf {
    baselines_dir.join(format!("{name}.json"))
}

/// Loads baseline `name`, with a helpful error when it does not exist.
fn load_baseline(baselines_dir: &Path, name: &str) -> Result<Vec<BenchResult>> {
    let path = baseline_path(baselines_dir, name);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "baseline `{name}` not found ({} does not exist); create it with \
             `cargo xtask bench [FILTER] --save {name}`",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    serde_json::from_str(&text)
        .with_context(|| format!("baseline `{name}` ({}) is not valid", path.display()))
}

/// Writes `results` as a pretty JSON array.
fn write_json(path: &Path, results: &[BenchResult]) -> Result<()> {
    let mut text = serde_json::to_string_pretty(results)?;
    text.push('\n');
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

// ---------------------------------------------------------------------------
// Reading criterion's output
// ---------------------------------------------------------------------------

/// The parts of criterion's `estimates.json` that are used.
#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
    median_abs_dev: Estimate,
}

/// One statistic of `estimates.json`.
#[derive(Deserialize)]
struct Estimate {
    confidence_interval: ConfidenceInterval,
    point_estimate: f64,
}

/// A confidence interval of `estimates.json`.
#[derive(Deserialize)]
struct ConfidenceInterval {
    lower_bound: f64,
    upper_bound: f64,
}

/// The parts of criterion's `benchmark.json` that are used.
#[derive(Deserialize)]
struct BenchmarkId {
    group_id: String,
    #[serde(default)]
    function_id: Option<String>,
    #[serde(default)]
    value_str: Option<String>,
    #[serde(default)]
    full_id: Option<String>,
}

/// Parses `benchmark.json` into the benchmark's full id
/// (`group/function/parameter`).
fn parse_benchmark_id(json: &str) -> Result<String> {
    let id: BenchmarkId = serde_json::from_str(json)?;
    if let Some(full) = id.full_id {
        return Ok(full);
    }
    let parts = std::iter::once(id.group_id)
        .chain(id.function_id)
        .chain(id.value_str);
    Ok(parts.collect::<Vec<_>>().join("/"))
}

/// Parses `estimates.json` into a [`BenchResult`] named `name`.
fn parse_estimates(name: String, json: &str) -> Result<BenchResult> {
    let est: Estimates = serde_json::from_str(json)?;
    Ok(BenchResult {
        name,
        median_ns: est.median.point_estimate,
        mad_ns: est.median_abs_dev.point_estimate,
        ci_low_ns: est.median.confidence_interval.lower_bound,
        ci_high_ns: est.median.confidence_interval.upper_bound,
    })
}

/// Modification times of every `**/new/estimates.json` under `dir`.
type Snapshot = HashMap<PathBuf, Option<SystemTime>>;

/// Records the `new/estimates.json` files present before a run.
fn snapshot(dir: &Path) -> Result<Snapshot> {
    let mut files = Vec::new();
    find_new_estimates(dir, &mut files)?;
    Ok(files
        .into_iter()
        .map(|f| {
            let mtime = modified(&f);
            (f, mtime)
        })
        .collect())
}

/// A file's modification time, if the platform reports one.
fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Appends every `estimates.json` inside a directory named `new` below `dir`.
fn find_new_estimates(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        // Not following symlinks: criterion never creates them.
        if entry.file_type()?.is_dir() {
            let path = entry.path();
            if entry.file_name() == "new" {
                let estimates = path.join("estimates.json");
                if estimates.is_file() {
                    out.push(estimates);
                }
            }
            find_new_estimates(&path, out)?;
        }
    }
    Ok(())
}

/// Reads the results written since `before` was taken, keeping the ids that
/// start with `filter`, sorted by name.
fn collect_results(dir: &Path, before: &Snapshot, filter: &str) -> Result<Vec<BenchResult>> {
    let mut files = Vec::new();
    find_new_estimates(dir, &mut files)?;
    let mut results = BTreeMap::new();
    for estimates in files {
        let mtime = modified(&estimates);
        let fresh = match before.get(&estimates) {
            None => true,
            // Without modification times, assume it was rewritten.
            Some(old) => mtime.is_none() || *old != mtime,
        };
        if !fresh {
            continue;
        }
        let new_dir = estimates.parent().unwrap_or(dir);
        let id_file = new_dir.join("benchmark.json");
        let name = match fs::read_to_string(&id_file) {
            Ok(json) => parse_benchmark_id(&json)
                .with_context(|| format!("cannot parse {}", id_file.display()))?,
            // Fall back on the (filename-safe) directory name.
            Err(_) => new_dir
                .parent()
                .and_then(|bench_dir| bench_dir.strip_prefix(dir).ok())
                .map(|rel| {
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default(),
        };
        if !name.starts_with(filter) {
            continue;
        }
        let json = fs::read_to_string(&estimates)
            .with_context(|| format!("cannot read {}", estimates.display()))?;
        let result = parse_estimates(name.clone(), &json)
            .with_context(|| format!("cannot parse {}", estimates.display()))?;
        results.insert(name, result);
    }
    Ok(results.into_values().collect())
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

/// The relative noise of one measurement: the larger of the relative
/// confidence-interval half-width and the relative MAD.
fn relative_noise(r: &BenchResult) -> f64 {
    let ci = (r.ci_high_ns - r.ci_low_ns).abs() / 2.0 / r.median_ns;
    let mad = r.mad_ns.abs() / r.median_ns;
    // `f64::max` ignores a NaN operand; fall back on 0 if both are NaN.
    let noise = ci.max(mad);
    if noise.is_finite() { noise } else { 0.0 }
}

/// The outcome for one benchmark present in both runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within noise + margin.
    Ok,
    /// Faster by more than noise + margin.
    Faster,
    /// Slower by more than noise + margin.
    Regressed,
    /// The medians cannot be compared (not positive finite numbers).
    NotComparable,
}

/// Old versus new for one benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Benchmark id.
    pub name: String,
    /// Baseline median, ns.
    pub old_ns: f64,
    /// New median, ns.
    pub new_ns: f64,
    /// `new / old - 1`.
    pub change: f64,
    /// The allowed relative change: noise + [`REGRESSION_MARGIN`].
    pub threshold: f64,
    /// The outcome.
    pub verdict: Verdict,
}

/// Applies the regression rule of the module documentation.
pub fn compare_one(old: &BenchResult, new: &BenchResult) -> Comparison {
    let positive = |x: f64| x.is_finite() && x > 0.0;
    let (change, threshold, verdict) = if positive(old.median_ns) && positive(new.median_ns) {
        let change = new.median_ns / old.median_ns - 1.0;
        let threshold = relative_noise(old).max(relative_noise(new)) + REGRESSION_MARGIN;
        let verdict = if change > threshold {
            Verdict::Regressed
        } else if change < -threshold {
            Verdict::Faster
        } else {
            Verdict::Ok
        };
        (change, threshold, verdict)
    } else {
        (f64::NAN, f64::NAN, Verdict::NotComparable)
    };
    Comparison {
        name: new.name.clone(),
        old_ns: old.median_ns,
        new_ns: new.median_ns,
        change,
        threshold,
        verdict,
    }
}

/// A baseline comparison: per-benchmark outcomes and the unmatched names.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareReport {
    /// Benchmarks on both sides, sorted by name.
    pub compared: Vec<Comparison>,
    /// Names only in the baseline.
    pub only_old: Vec<String>,
    /// Names only in the new run.
    pub only_new: Vec<String>,
}

impl CompareReport {
    /// The number of regressed benchmarks.
    pub fn regressions(&self) -> usize {
        self.compared
            .iter()
            .filter(|c| c.verdict == Verdict::Regressed)
            .count()
    }
}

/// Compares every benchmark present in both `old` and `new`.
pub fn compare(old: &[BenchResult], new: &[BenchResult]) -> CompareReport {
    let old_by_name: BTreeMap<&str, &BenchResult> =
        old.iter().map(|r| (r.name.as_str(), r)).collect();
    let new_by_name: BTreeMap<&str, &BenchResult> =
        new.iter().map(|r| (r.name.as_str(), r)).collect();
    let compared = new_by_name
        .iter()
        .filter_map(|(name, n)| old_by_name.get(name).map(|o| compare_one(o, n)))
        .collect();
    let only = |a: &BTreeMap<&str, &BenchResult>, b: &BTreeMap<&str, &BenchResult>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .map(|k| (*k).to_owned())
            .collect()
    };
    CompareReport {
        compared,
        only_old: only(&old_by_name, &new_by_name),
        only_new: only(&new_by_name, &old_by_name),
    }
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/// Formats nanoseconds with a readable unit.
fn format_ns(ns: f64) -> String {
    let abs = ns.abs();
    if !ns.is_finite() {
        "n/a".to_owned()
    } else if abs < 1e3 {
        format!("{ns:.2} ns")
    } else if abs < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if abs < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.3} s", ns / 1e9)
    }
}

/// Formats a relative value as a signed percentage.
fn format_pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:+.1}%", x * 100.0)
    } else {
        "n/a".to_owned()
    }
}

/// Width of the name column.
fn name_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|n| n.chars().count()).max().unwrap_or(0).max(4)
}

/// The results table: name, median, ± CI half-width, MAD.
fn results_table(results: &[BenchResult]) -> String {
    let w = name_width(results.iter().map(|r| r.name.as_str()));
    let mut out = format!(
        "{:<w$}  {:>12}  {:>12}  {:>12}\n",
        "name", "median", "± (CI/2)", "MAD"
    );
    for r in results {
        out += &format!(
            "{:<w$}  {:>12}  {:>12}  {:>12}\n",
            r.name,
            format_ns(r.median_ns),
            format!("±{}", format_ns((r.ci_high_ns - r.ci_low_ns).abs() / 2.0)),
            format_ns(r.mad_ns),
        );
    }
    out
}

impl fmt::Display for CompareReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = name_width(self.compared.iter().map(|c| c.name.as_str()));
        writeln!(
            f,
            "{:<w$}  {:>12}  {:>12}  {:>8}  {:>8}  status",
            "name", "old", "new", "change", "limit"
        )?;
        for c in &self.compared {
            let status = match c.verdict {
                Verdict::Ok => "ok",
                Verdict::Faster => "faster",
                Verdict::Regressed => "REGRESSED",
                Verdict::NotComparable => "n/a",
            };
            writeln!(
                f,
                "{:<w$}  {:>12}  {:>12}  {:>8}  {:>8}  {status}",
                c.name,
                format_ns(c.old_ns),
                format_ns(c.new_ns),
                format_pct(c.change),
                format_pct(c.threshold),
            )?;
        }
        if !self.only_old.is_empty() {
            writeln!(
                f,
                "only in the baseline (not run): {}",
                self.only_old.join(", ")
            )?;
        }
        if !self.only_new.is_empty() {
            writeln!(f, "not in the baseline (new): {}", self.only_new.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `new/estimates.json` of `smoke/sum/1000` from a real criterion 0.8.2
    /// run (`--warm-up-time 1 --measurement-time 2`, on a busy machine).
    const ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":177.20013353763702,"upper_bound":219.87839307514898},"point_estimate":197.45678862496126,"standard_error":10.914657219921896},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":157.50887690925427,"upper_bound":205.19129026110159},"point_estimate":183.76658857326137,"standard_error":13.445669508319176},"median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":68.78889637097384,"upper_bound":114.61826391272321},"point_estimate":86.98046725332007,"standard_error":11.718649178376662},"slope":{"confidence_interval":{"confidence_level":0.95,"lower_bound":179.97685242914324,"upper_bound":215.81804983304565},"point_estimate":196.9991719378077,"standard_error":9.13910354792089},"std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":78.58921200574297,"upper_bound":141.20413728700115},"point_estimate":109.59293235347,"standard_error":16.415940198243597}}"#;

    /// The matching `new/benchmark.json`.
    const BENCHMARK: &str = r#"{"group_id":"smoke","function_id":"sum","value_str":"1000","throughput":null,"full_id":"smoke/sum/1000","directory_name":"smoke/sum/1000","title":"smoke/sum/1000"}"#;

    fn assert_close(got: f64, want: f64) {
        assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} != {want}");
    }

    fn result(name: &str, median: f64, mad: f64, ci_half: f64) -> BenchResult {
        BenchResult {
            name: name.to_owned(),
            median_ns: median,
            mad_ns: mad,
            ci_low_ns: median - ci_half,
            ci_high_ns: median + ci_half,
        }
    }

    #[test]
    fn parses_estimates_json() {
        let r = parse_estimates("smoke/sum/1000".into(), ESTIMATES).unwrap();
        assert_eq!(r.name, "smoke/sum/1000");
        // serde_json's default float parsing may be off by one ulp.
        assert_close(r.median_ns, 183.76658857326137);
        assert_close(r.mad_ns, 86.98046725332007);
        assert_close(r.ci_low_ns, 157.50887690925427);
        assert_close(r.ci_high_ns, 205.19129026110159);
    }

    #[test]
    fn rejects_malformed_estimates() {
        assert!(parse_estimates("x".into(), r#"{"mean": {}}"#).is_err());
        assert!(parse_estimates("x".into(), "not json").is_err());
    }

    #[test]
    fn parses_benchmark_json() {
        assert_eq!(parse_benchmark_id(BENCHMARK).unwrap(), "smoke/sum/1000");
        // Without `full_id`, the id is rebuilt from its parts.
        let parts = r#"{"group_id":"drift","function_id":"ks_2samp","value_str":"1000"}"#;
        assert_eq!(parse_benchmark_id(parts).unwrap(), "drift/ks_2samp/1000");
        let group_only = r#"{"group_id":"lonely","function_id":null,"value_str":null}"#;
        assert_eq!(parse_benchmark_id(group_only).unwrap(), "lonely");
    }

    #[test]
    fn json_round_trip_has_documented_fields() {
        let r = parse_estimates("smoke/sum/1000".into(), ESTIMATES).unwrap();
        let value = serde_json::to_value([&r]).unwrap();
        let obj = value[0].as_object().unwrap();
        let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["ci_high_ns", "ci_low_ns", "mad_ns", "median_ns", "name"]
        );
        let back: Vec<BenchResult> = serde_json::from_value(value).unwrap();
        assert_eq!(back, [r]);
    }

    #[test]
    fn small_slowdown_within_noise_is_ok() {
        // 2% noise, +5% change: limit is 12%.
        let old = result("a", 100.0, 2.0, 1.0);
        let new = result("a", 105.0, 2.0, 1.0);
        let c = compare_one(&old, &new);
        assert_eq!(c.verdict, Verdict::Ok);
        assert!((c.change - 0.05).abs() < 1e-12);
        assert!((c.threshold - 0.12).abs() < 1e-12);
    }

    #[test]
    fn large_slowdown_is_a_regression() {
        let old = result("a", 100.0, 2.0, 1.0);
        let new = result("a", 130.0, 2.0, 1.0);
        assert_eq!(compare_one(&old, &new).verdict, Verdict::Regressed);
    }

    #[test]
    fn faster_is_never_a_regression() {
        let old = result("a", 100.0, 2.0, 1.0);
        assert_eq!(
            compare_one(&old, &result("a", 95.0, 2.0, 1.0)).verdict,
            Verdict::Ok
        );
        assert_eq!(
            compare_one(&old, &result("a", 50.0, 2.0, 1.0)).verdict,
            Verdict::Faster
        );
    }

    #[test]
    fn noise_is_the_largest_relative_ci_or_mad_of_either_side() {
        let quiet = result("a", 100.0, 1.0, 1.0);
        // New side: CI half-width 25% -> limit 35%; +30% is then ok.
        let wide_ci = result("a", 130.0, 1.3, 32.5);
        let c = compare_one(&quiet, &wide_ci);
        assert!((c.threshold - 0.35).abs() < 1e-12);
        assert_eq!(c.verdict, Verdict::Ok);
        // Old side: MAD 25% of the median -> limit 35%.
        let noisy_mad = result("a", 100.0, 25.0, 1.0);
        let c = compare_one(&noisy_mad, &result("a", 130.0, 1.3, 1.3));
        assert!((c.threshold - 0.35).abs() < 1e-12);
        assert_eq!(c.verdict, Verdict::Ok);
        // +40% exceeds it.
        let c = compare_one(&noisy_mad, &result("a", 140.0, 1.4, 1.4));
        assert_eq!(c.verdict, Verdict::Regressed);
    }

    #[test]
    fn zero_median_is_not_comparable() {
        let c = compare_one(&result("a", 0.0, 0.0, 0.0), &result("a", 10.0, 0.1, 0.1));
        assert_eq!(c.verdict, Verdict::NotComparable);
    }

    #[test]
    fn compare_lists_one_sided_benches_without_failing() {
        let old = [
            result("a", 100.0, 1.0, 1.0),
            result("gone", 100.0, 1.0, 1.0),
        ];
        let new = [
            result("fresh", 100.0, 1.0, 1.0),
            result("a", 101.0, 1.0, 1.0),
        ];
        let report = compare(&old, &new);
        assert_eq!(report.compared.len(), 1);
        assert_eq!(report.compared[0].name, "a");
        assert_eq!(report.only_old, ["gone"]);
        assert_eq!(report.only_new, ["fresh"]);
        assert_eq!(report.regressions(), 0);
        let text = report.to_string();
        assert!(text.contains("gone") && text.contains("fresh"), "{text}");

        let report = compare(&old, &[result("a", 200.0, 1.0, 1.0)]);
        assert_eq!(report.regressions(), 1);
        assert!(report.to_string().contains("REGRESSED"));
    }

    #[test]
    fn filter_is_escaped_and_anchored() {
        assert_eq!(prefix_regex("smoke"), "^smoke");
        assert_eq!(prefix_regex("drift/ks_2samp/1000"), "^drift/ks_2samp/1000");
        assert_eq!(prefix_regex("a.b*c+(d)"), r"^a\.b\*c\+\(d\)");
        assert_eq!(prefix_regex("x[1]{2}|y?^$"), r"^x\[1\]\{2\}\|y\?\^\$");
        assert_eq!(prefix_regex(r"a\b-c#d&e~"), r"^a\\b\-c\#d\&e\~");
    }

    #[test]
    fn commands_are_displayed_shell_quoted() {
        let mut command = Command::new("cargo");
        command.args(["bench", "--bench", "*", "--", "^a b", "it's"]);
        assert_eq!(
            display_command(&command),
            r"cargo bench --bench '*' -- '^a b' 'it'\''s'"
        );
    }

    #[test]
    fn criterion_args_for_filter_and_quick() {
        assert!(criterion_args("", false).is_empty());
        assert_eq!(criterion_args("smoke", false), ["^smoke"]);
        assert_eq!(
            criterion_args("a.b", true),
            [
                r"^a\.b",
                "--warm-up-time",
                "1",
                "--measurement-time",
                "2",
                "--noplot"
            ]
        );
    }

    #[test]
    fn baseline_names_are_plain_file_names() {
        for ok in ["base", "main-2024.06", "v1_2"] {
            assert!(validate_baseline_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a/b", ".hidden", "a b"] {
            assert!(validate_baseline_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn missing_baseline_names_it_and_says_how_to_create_it() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-none-{}", std::process::id()));
        let err = load_baseline(&dir, "nightly").unwrap_err().to_string();
        assert!(err.contains("`nightly`"), "{err}");
        assert!(err.contains("nightly.json"), "{err}");
        assert!(err.contains("--save nightly"), "{err}");
    }

    #[test]
    fn collects_only_fresh_results_matching_the_filter() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-collect-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let write_bench = |rel: &str, id: &str| {
            let new = dir.join(rel).join("new");
            fs::create_dir_all(&new).unwrap();
            fs::write(new.join("estimates.json"), ESTIMATES).unwrap();
            fs::write(
                new.join("benchmark.json"),
                format!(
                    r#"{{"group_id":"g","function_id":null,"value_str":null,"full_id":"{id}"}}"#
                ),
            )
            .unwrap();
            // A criterion baseline copy, which must be ignored.
            let base = dir.join(rel).join("base");
            fs::create_dir_all(&base).unwrap();
            fs::write(base.join("estimates.json"), ESTIMATES).unwrap();
        };
        write_bench("smoke/old", "smoke/old");
        let before = snapshot(&dir).unwrap();
        assert_eq!(before.len(), 1);
        write_bench("smoke/sum/1000", "smoke/sum/1000");
        write_bench("smoke/a_b", "smoke/a?b");
        write_bench("other/x", "other/x");

        let got = collect_results(&dir, &before, "smoke").unwrap();
        let names: Vec<_> = got.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["smoke/a?b", "smoke/sum/1000"]);
        assert_close(got[1].median_ns, 183.76658857326137);

        let all = collect_results(&dir, &before, "").unwrap();
        assert_eq!(all.len(), 3);
        // A missing directory is simply empty.
        assert!(snapshot(&dir.join("nope")).unwrap().is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
