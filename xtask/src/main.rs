//! Project tasks: `cargo xtask simulate` replays drift scenarios, `cargo xtask bench`
//! runs the criterion benchmarks for regression checks, `cargo xtask render` checks and
//! screenshots an HTML report in headless Chromium, `cargo xtask readme` runs the
//! README's commands, `cargo xtask loadtest` measures `driftwatch serve` under load,
//! `cargo xtask membench` measures `driftwatch drift`'s peak memory on large generated
//! tables, `cargo xtask tidy` checks the project's conventions (also run as
//! tests by `cargo test`). One module per subcommand.

// Plugin crates register monitors through `inventory`; referencing them keeps the
// linker from dropping their registrations.
use driftwatch_drift as _;
use driftwatch_metrics as _;

mod bench;
mod loadtest;
mod membench;
mod readme;
mod render;
mod simulate;
mod tidy;

use clap::{Parser, Subcommand};

/// driftwatch project tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Flags {
    #[command(subcommand)]
    command: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Replay a drift scenario: train, 30 days of batches, drift, alerts, summary.
    Simulate(simulate::SimulateArgs),
    /// Run the criterion benchmarks; save or compare a named baseline.
    Bench(bench::BenchArgs),
    /// Open an HTML report in headless Chromium: check its sections and console, save a
    /// PNG screenshot.
    Render(render::RenderArgs),
    /// Run every command of the README's ```sh blocks in order, in a fresh directory, with
    /// the release `driftwatch` on the PATH; stop at the first failure.
    Readme(readme::ReadmeArgs),
    /// Load-test the release `driftwatch serve` on loopback (throughput, p50/p99/p999
    /// latency, single-row and 100-row predicts, log on); `--baseline` also measures
    /// FastAPI + uvicorn + scikit-learn serving the same model.
    Loadtest(loadtest::LoadtestArgs),
    /// Peak memory and speed of `driftwatch drift` on two generated tables of --size
    /// each (Parquet or CSV): default and 256M memory limits, a binned test, one column;
    /// with --engine, the DataFusion and Ballista engines (one row per process).
    Membench(membench::MembenchArgs),
    /// Runs one command and prints its exit code, wall time and peak resident memory
    /// (internal: used by membench).
    #[command(hide = true)]
    MembenchRun(membench::RunArgs),
    /// Check the project's conventions: registered plugin names in the docs, golden
    /// fixtures with cases, printing only through the CLI's output.rs, rust-version,
    /// no file cycle in driftwatch-monitor.
    Tidy(tidy::TidyArgs),
}

fn main() {
    let flags = Flags::parse();
    let result = match flags.command {
        Task::Simulate(a) => simulate::run(&a),
        Task::Bench(a) => bench::run(&a),
        Task::Render(a) => render::run(&a),
        Task::Readme(a) => readme::run(&a),
        Task::Loadtest(a) => loadtest::run(&a),
        Task::Tidy(a) => tidy::run(&a),
        Task::Membench(a) => membench::run(&a),
        Task::MembenchRun(a) => membench::run_child(&a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}
