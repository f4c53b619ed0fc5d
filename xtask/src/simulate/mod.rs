//! `cargo xtask simulate`: replay a drift scenario end to end.
//!
//! Train the scenario's pipeline, record the baseline on held-out rows, then feed daily
//! batches (with the scenario's drift) through the monitoring engine: performance
//! against the baseline, per-feature drift, prediction drift, the alert policy, the
//! history and the summary. Writes `history.json` and `summary.json` to `--output`.
//!
//! A scenario with `kind = "stream-eval"` instead evaluates the streaming drift detectors
//! on seeded streams (see [`stream_eval`]) and writes `stream_eval.json`.

mod data;
mod run;
mod scenario;
mod stream_eval;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

pub use scenario::AnyScenario;

/// Arguments of `cargo xtask simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// A built-in scenario name or a scenario TOML file.
    #[arg(long, default_value = DEFAULT_SCENARIO)]
    pub scenario: String,
    /// List the built-in scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// Output directory (default: target/simulate/<scenario>/).
    #[arg(long = "output", short = 'o', alias = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the result as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Instead of replaying, write the scenario's data as CSV (train.csv, current.csv)
    /// into this directory, for the CLI walk-through.
    #[arg(long)]
    pub export: Option<PathBuf>,
}

/// The scenario `cargo xtask simulate` replays when none is named.
pub const DEFAULT_SCENARIO: &str = "seed-iris-30day";

/// Replays a monitoring scenario (built-in name or file) into `out`, quietly: the
/// report files without the printed tables (for `cargo xtask render`).
pub fn replay_to(name_or_file: &str, out: &Path) -> Result<()> {
    let AnyScenario::Monitoring(s) = load(name_or_file)? else {
        bail!("scenario {name_or_file} is a detector evaluation: it writes no report");
    };
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    run::replay(&s, &workspace_root(), out)?;
    Ok(())
}

/// The workspace root (xtask lives one level below it).
/// Runs `work` under a spinner on stderr. indicatif draws nothing when stderr is not a
/// terminal, so piped output and CI logs stay clean.
fn with_spinner<T>(message: &str, work: impl FnOnce() -> T) -> T {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let out = work();
    spinner.finish_and_clear();
    out
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn load(name_or_file: &str) -> Result<AnyScenario> {
    if let Some((_, text)) = scenario::BUILT_IN.iter().find(|(n, _)| *n == name_or_file) {
        return scenario::parse_any(text, name_or_file);
    }
    let path = Path::new(name_or_file);
    if path.extension().is_some_and(|e| e == "toml") || path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading scenario file {}", path.display()))?;
        return scenario::parse_any(&text, &path.display().to_string());
    }
    let names: Vec<&str> = scenario::BUILT_IN.iter().map(|(n, _)| *n).collect();
    bail!(
        "unknown scenario '{name_or_file}': built-in scenarios are {} (or pass a .toml file)",
        names.join(", ")
    )
}

/// Runs the subcommand; returns the exit code.
pub fn run(args: &SimulateArgs) -> Result<i32> {
    if args.list {
        for (name, text) in scenario::BUILT_IN {
            let s = scenario::parse_any(text, name)?;
            println!("{:<24} {}", s.name(), s.description());
        }
        return Ok(0);
    }
    let s = match load(&args.scenario)? {
        AnyScenario::Monitoring(s) => s,
        AnyScenario::StreamEval(s) => {
            if args.export.is_some() {
                bail!(
                    "scenario {} is a detector evaluation: --export only applies to monitoring scenarios",
                    s.name
                );
            }
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| workspace_root().join("target/simulate").join(&s.name));
            return stream_eval::run(&s, &out, args.json);
        }
    };
    if let Some(dir) = &args.export {
        run::export(&s, &workspace_root(), dir)?;
        return Ok(0);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace_root().join("target/simulate").join(&s.name));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let result = with_spinner(&format!("replaying scenario {}", s.name), || {
        run::replay(&s, &workspace_root(), &out)
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result.json)?);
    } else {
        println!("{}", result.text);
        println!(
            "wrote {} and {}",
            out.join("history.json").display(),
            out.join("summary.json").display()
        );
    }
    if s.expect_no_alerts && result.alerts_fired > 0 {
        eprintln!(
            "scenario {} is a control: no alert may fire, but {} did",
            s.name, result.alerts_fired
        );
        return Ok(1);
    }
    Ok(0)
}
