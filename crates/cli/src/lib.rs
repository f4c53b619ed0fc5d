//! The `driftwatch` command line as a library: [`main`] (or [`run`] with explicit
//! arguments) is the whole CLI, so a team's binary that links its own plugin crates is
//! a few lines (`examples/custom-detector/src/bin/driftwatch.rs`):
//!
//! ```no_run
//! // use my_detectors as _;  // the plugin crate, so the linker keeps its registrations
//! fn main() -> std::process::ExitCode {
//!     driftwatch_cli::main()
//! }
//! ```
//!
//! The workflows behind the commands ([`workflow`], [`pipeline_config`]) are shared
//! with `cargo xtask simulate`.

// The command modules name this crate's workflows as `driftwatch_cli::workflow`, as
// they did when they lived in the binary.
extern crate self as driftwatch_cli;

// Plugin crates register monitors through `inventory`; referencing them keeps the
// linker from dropping their registrations, in this binary and in any other that
// calls [`main`].
use driftwatch_drift as _;
use driftwatch_estimate as _;
use driftwatch_metrics as _;
use driftwatch_multivariate as _;

mod args;
mod bundle;
mod commands;
mod data;
pub mod exit;
mod output;
pub mod pipeline_config;
pub mod workflow;

/// `--memory-limit`'s size parser, for tools that take sizes the same way (xtask).
pub use args::parse_bytes;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Runs `driftwatch` with the process's arguments and logging set up from
/// `DRIFTWATCH_LOG` (default `warn`, on stderr).
#[must_use]
pub fn main() -> ExitCode {
    init_tracing();
    run(std::env::args_os())
}

/// Runs `driftwatch` with `args` (the first is the program name): the exit code of
/// the command (README, "Exit codes"). Errors are printed on stderr with their causes;
/// usage errors as clap prints them; `--help` and `--version` exit 0.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap writes help and version to stdout and errors to stderr
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            });
        }
    };
    match commands::run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(exit::ERROR)),
        // A closed pipe (`driftwatch predict ... | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("error: {}", render_error(&e));
            ExitCode::from(exit::ERROR)
        }
    }
}

/// Whether any cause of `e` is a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, `: ` between them. A cause whose text the message
/// already holds is left out: library errors name their source in their own message
/// (so `to_string()` alone is complete) and also return it as `source()`.
fn render_error(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let core = driftwatch_core::Error::Io {
            path: "a.csv".into(),
            source: io,
        };
        let e = anyhow::Error::new(core).context("reading data file a.csv");
        assert_eq!(
            render_error(&e),
            "reading data file a.csv: cannot read a.csv: No such file"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(render_error(&plain), "outer: inner");
    }

    #[test]
    fn usage_errors_and_help_have_their_exit_codes() {
        assert_eq!(run(["driftwatch", "--version"]), ExitCode::from(exit::OK));
        assert_eq!(
            run(["driftwatch", "drift", "--no-such-flag"]),
            ExitCode::from(exit::ERROR)
        );
        assert_eq!(
            run([
                "driftwatch",
                "validate",
                "--schema",
                "/nonexistent/s.json",
                "--data",
                "d.csv"
            ]),
            ExitCode::from(exit::ERROR)
        );
    }
}
