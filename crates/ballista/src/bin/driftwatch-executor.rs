//! `driftwatch-executor`: a Ballista executor with driftwatch's aggregate functions
//! (`drift_reference`, `drift_check`, ...), so a cluster can run `driftwatch drift
//! --engine ballista`. docs/DISTRIBUTED.md shows a cluster of several machines.

use anyhow::{Context, Result};
use clap::Parser;

/// A Ballista executor with driftwatch's functions.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The scheduler's host.
    #[arg(long, default_value = "localhost")]
    scheduler_host: String,
    /// The scheduler's port.
    #[arg(long, default_value_t = 50050)]
    scheduler_port: u16,
    /// The address to listen on (0.0.0.0 for other machines).
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The name other machines reach this executor by (default: the bind host).
    #[arg(long)]
    external_host: Option<String>,
    /// The port serving shuffle data (Arrow Flight) to other executors and clients.
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// The port of the task service.
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// Tasks run at once (default: the number of cores).
    #[arg(long)]
    concurrent_tasks: Option<usize>,
    /// Directory for shuffle files (default: a temporary directory).
    #[arg(long)]
    work_dir: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = Args::parse();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let config = driftwatch_ballista::executor_config(
        (&a.scheduler_host, a.scheduler_port),
        &a.bind_host,
        a.external_host.as_deref(),
        (a.port, a.grpc_port),
        a.concurrent_tasks.unwrap_or(cores),
        a.work_dir.as_deref(),
    );
    driftwatch_ballista::run_executor(config)
        .await
        .with_context(|| {
            format!(
                "executor on {}:{} with scheduler {}:{}",
                a.bind_host, a.port, a.scheduler_host, a.scheduler_port
            )
        })
}
