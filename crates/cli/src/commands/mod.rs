//! One module per subcommand; each returns the process exit code.

mod drift;
mod evaluate;
mod inspect;
mod monitor;
mod plugins;
mod predict;
mod stream;
mod train;
mod validate;

use anyhow::Result;

use crate::args::{Cli, Command};

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Train(a) => train::run(&a),
        Command::Predict(a) => predict::run(&a),
        Command::Evaluate(a) => evaluate::run(&a),
        Command::Drift(a) => drift::run(&a),
        Command::Monitor(a) => monitor::run(&a),
        Command::Validate(a) => validate::run(&a),
        Command::Schema(a) => inspect::schema(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Plugins(a) => plugins::run(&a),
        Command::Stream(a) => stream::run(&a),
    }
}
