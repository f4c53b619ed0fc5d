//! `driftwatch-scheduler`: a Ballista scheduler that knows driftwatch's aggregate
//! functions (it decodes the clients' plans, which name them). docs/DISTRIBUTED.md
//! shows a cluster of several machines.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::Parser;

/// A Ballista scheduler with driftwatch's functions.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The address to listen on (0.0.0.0:50050 for other machines).
    #[arg(long, default_value = "127.0.0.1:50050")]
    bind: SocketAddr,
    /// The name executors and clients reach the scheduler by.
    #[arg(long, default_value = "localhost")]
    external_host: String,
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = Args::parse();
    driftwatch_ballista::run_scheduler(a.bind, &a.external_host)
        .await
        .with_context(|| format!("scheduler on {}", a.bind))
}
