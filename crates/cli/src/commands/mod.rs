//! One module per subcommand; each returns the process exit code.

mod card;
pub(crate) mod check_deploy;
mod compare_levels;
mod drift;
mod drift_engine;
mod evaluate;
mod history;
mod inspect;
mod models;
mod monitor;
mod plugins;
mod predict;
mod reference;
mod serve;
mod sign;
mod stream;
mod train;
mod validate;

use anyhow::Result;

use crate::args::{Cli, Command};

/// Runs the chosen subcommand.
pub(crate) fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Train(a) => train::run(&a),
        Command::Predict(a) => predict::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Evaluate(a) => evaluate::run(&a),
        Command::Drift(a) => drift::run(&a),
        Command::Monitor(a) => monitor::run(&a),
        Command::Validate(a) => validate::run(&a),
        Command::Schema(a) => inspect::schema(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Plugins(a) => plugins::run(&a),
        Command::Keygen(a) => sign::keygen(&a),
        Command::Sign(a) => sign::run(&a),
        Command::Models(a) => models::run(&a),
        Command::Card(a) => card::run(&a),
        Command::Stream(a) => stream::run(&a),
        Command::History(a) => history::run(&a),
        Command::Reference(a) => reference::run(&a),
        Command::CheckDeploy(a) => check_deploy::run(&a),
    }
}
