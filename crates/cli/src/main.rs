//! `driftwatch`: train, package and watch tabular ML models.
//!
//! A thin layer over the library crates: it parses arguments, reads files through the
//! core reader, calls the libraries and prints. Exit codes: 0 success; 1 when
//! `--fail-on-drift`/`--fail-on-alert` was given and something fired, or a
//! `check-deploy` check failed; 2 for bad usage or bad input.

// Plugin crates register monitors through `inventory`; referencing them keeps the
// linker from dropping their registrations.
use driftwatch_drift as _;
use driftwatch_metrics as _;

mod args;
mod bundle;
mod commands;
mod data;
mod output;

use clap::Parser;

fn main() {
    init_tracing();
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => std::process::exit(code),
        // A closed pipe (`driftwatch predict ... | head`) is the reader's choice, not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("DRIFTWATCH_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
