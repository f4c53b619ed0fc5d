//! `cargo xtask bench --vs-python`: the drift benches next to scipy and River, on
//! the same inputs, in the same run.
//!
//! 1. `bench-inputs` (a binary of the benches package) writes the benches' inputs
//!    to `<target dir>/bench-inputs/` as little-endian f64 files.
//! 2. For each bench of [`GOALS`] (those whose id starts with the FILTER, if
//!    given), one after the other so that both sides see the same load: the
//!    criterion bench, then `benches/python/drift_reference.py --only <bench>` on
//!    those files (the script makes and uses a venv outside the project with scipy,
//!    numpy, pandas and river 0.26.1; see its docstring).
//! 3. A table: bench, Rust median, Python median, ratio, goal, met (`-` for the
//!    benches timed without a goal).
//!
//! Only this subcommand needs Python; the project and its tests never do. Exit code
//! 1 when a goal is missed.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::{BENCH_PACKAGE, collect_results, criterion_args, display_command, format_ns, snapshot};

/// The compared benches, the bench target that holds each, and the speed-up each
/// must reach (issue 13, item 6). The energy distance and the CSV read have no goal:
/// they are timed next to scipy and `pandas.read_csv` so that the ratio is known.
const GOALS: [(&str, &str, Option<f64>); 6] = [
    ("drift/ks_2samp/1000000", "drift_stats", Some(20.0)),
    ("drift/table_auto/100000x20", "drift_stats", Some(15.0)),
    ("drift/wasserstein/1000000", "drift_stats", Some(16.0)),
    ("drift/energy/1000000", "drift_stats", None),
    ("stream/adwin/update", "stream", Some(5.0)),
    ("read/csv/1000000x20", "read", None),
];

/// The script's `--json` output.
#[derive(Deserialize)]
struct PythonTimes {
    versions: String,
    median_ns: BTreeMap<String, f64>,
}

/// One row of the table.
struct Row {
    name: &'static str,
    rust_ns: f64,
    python_ns: f64,
    goal: Option<f64>,
}

impl Row {
    fn ratio(&self) -> f64 {
        self.python_ns / self.rust_ns
    }

    /// Whether the goal is met (a bench without a goal never fails the run).
    fn met(&self) -> bool {
        self.goal.is_none_or(|goal| self.ratio() >= goal)
    }
}

/// Runs the comparison; returns 1 when a goal is missed.
pub(super) fn run(
    root: &Path,
    cargo: &OsStr,
    target_dir: &Path,
    criterion_dir: &Path,
    filter: &str,
    quick: bool,
) -> Result<i32> {
    let selected = select(filter)?;
    check_python()?;
    let inputs = target_dir.join("bench-inputs");
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["run", "--release", "-q", "-p", BENCH_PACKAGE, "--bin"])
        .arg("bench-inputs")
        .arg("--")
        .arg(&inputs);
    status_ok(&mut command)?;

    let script = root.join("benches/python/drift_reference.py");
    let mut rows = Vec::new();
    let mut versions = String::new();
    for (name, target, goal) in selected {
        let before = snapshot(criterion_dir)?;
        let mut command = Command::new(cargo);
        command
            .current_dir(root)
            .args(["bench", "-p", BENCH_PACKAGE, "--bench", target, "--"])
            .args(criterion_args(name, quick))
            .env("CRITERION_HOME", criterion_dir);
        status_ok(&mut command)?;
        let rust = collect_results(criterion_dir, &before, name)?
            .into_iter()
            .find(|r| r.name == name)
            .with_context(|| format!("the Rust bench {name} wrote no result"))?;

        let out = inputs.join("python.json");
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .arg("--inputs")
            .arg(&inputs)
            .arg("--json")
            .arg(&out)
            .args(["--only", name]);
        if quick {
            command.args(["--seconds", "1"]);
        }
        status_ok(&mut command)?;
        let text = std::fs::read_to_string(&out)
            .with_context(|| format!("cannot read {}", out.display()))?;
        let python: PythonTimes = serde_json::from_str(&text)
            .with_context(|| format!("cannot parse {}", out.display()))?;
        let python_ns = *python
            .median_ns
            .get(name)
            .with_context(|| format!("{} has no time for {name}", out.display()))?;
        versions = python.versions;
        rows.push(Row {
            name,
            rust_ns: rust.median_ns,
            python_ns,
            goal,
        });
    }
    println!();
    println!("Rust (criterion median) vs Python ({versions}), measured in turn:");
    print!("{}", table(&rows));
    Ok(i32::from(!rows.iter().all(Row::met)))
}

/// The compared benches whose id starts with `filter` (all for ""); an error naming
/// them when none does.
fn select(filter: &str) -> Result<Vec<(&'static str, &'static str, Option<f64>)>> {
    let selected: Vec<_> = GOALS
        .into_iter()
        .filter(|(name, _, _)| name.starts_with(filter))
        .collect();
    if selected.is_empty() {
        let names: Vec<&str> = GOALS.iter().map(|g| g.0).collect();
        bail!(
            "no compared bench starts with `{filter}`; the benches of --vs-python are {}",
            names.join(", ")
        );
    }
    Ok(selected)
}

/// A clear error when python3 is missing (the rest of the project never needs it).
fn check_python() -> Result<()> {
    match Command::new("python3").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => bail!(
            "`cargo xtask bench --vs-python` needs python3 (with its venv module and pip access to \
             install scipy, numpy, pandas and river==0.26.1 into a venv outside the project); \
             python3 was not found or does not run. The benches alone: `cargo xtask bench drift/`"
        ),
    }
}

/// Runs a command, streaming its output; an error unless it succeeds.
fn status_ok(command: &mut Command) -> Result<()> {
    eprintln!("running {}", display_command(command));
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", display_command(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display_command(command));
    }
    Ok(())
}

/// The table: bench, Rust, Python, ratio, goal, met?
fn table(rows: &[Row]) -> String {
    let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(5).max(5);
    let mut out = format!(
        "{:<w$}  {:>12}  {:>12}  {:>8}  {:>6}  met?\n",
        "bench", "Rust", "Python", "ratio", "goal"
    );
    for r in rows {
        out += &format!(
            "{:<w$}  {:>12}  {:>12}  {:>8}  {:>6}  {}\n",
            r.name,
            format_ns(r.rust_ns),
            format_ns(r.python_ns),
            format!("x{:.1}", r.ratio()),
            r.goal.map_or_else(|| "-".to_owned(), |g| format!("x{g}")),
            match (r.goal, r.met()) {
                (None, _) => "-",
                (Some(_), true) => "yes",
                (Some(_), false) => "NO",
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_selects_by_prefix() {
        assert_eq!(select("").map(|s| s.len()).ok(), Some(GOALS.len()));
        let names: Vec<&str> = select("drift/")
            .map(|s| s.iter().map(|g| g.0).collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 4);
        assert!(names.iter().all(|n| n.starts_with("drift/")));
        assert_eq!(select("stream/adwin").map(|s| s[0].1).ok(), Some("stream"));
        let err = select("nope")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("nope") && err.contains("read/csv/1000000x20"),
            "{err}"
        );
    }

    #[test]
    fn table_shows_ratios_against_goals() {
        let rows = [
            Row {
                name: "drift/ks_2samp/1000000",
                rust_ns: 10e6,
                python_ns: 400e6,
                goal: Some(20.0),
            },
            Row {
                name: "stream/adwin/update",
                rust_ns: 100.0,
                python_ns: 300.0,
                goal: Some(5.0),
            },
            Row {
                name: "read/csv/1000000x20",
                rust_ns: 1e9,
                python_ns: 2.5e9,
                goal: None,
            },
        ];
        let t = table(&rows);
        let line = |name: &str| t.lines().find(|l| l.starts_with(name)).unwrap_or_default();
        assert!(
            line("drift/ks").contains("x40.0") && line("drift/ks").ends_with("yes"),
            "{t}"
        );
        assert!(
            line("stream").contains("x3.0") && line("stream").ends_with("NO"),
            "{t}"
        );
        assert!(
            line("read").contains("x2.5") && line("read").ends_with(" -"),
            "{t}"
        );
        assert!(rows[2].met() && !rows[1].met());
    }
}
