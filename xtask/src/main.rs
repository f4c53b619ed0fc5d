//! Project tasks for driftwatch, run as `cargo xtask <task>`.
//!
//! This is a minimal dispatcher; see each task's module for details.

mod bench;

use clap::{Parser, Subcommand};

/// driftwatch project tasks.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    /// The task to run.
    #[command(subcommand)]
    task: Task,
}

/// The available tasks.
#[derive(Subcommand, Debug)]
enum Task {
    /// Run the criterion benchmarks; export JSON, save or compare baselines.
    Bench(bench::BenchArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.task {
        Task::Bench(args) => bench::run(args),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::exit(2);
        }
    }
}
