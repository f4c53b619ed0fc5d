//! driftwatch on a Ballista cluster: the client engine behind `driftwatch drift
//! --engine ballista`, and the scheduler and executor processes with driftwatch's
//! aggregate functions registered (the scheduler decodes the client's logical plan and
//! the executors the physical plan's stages; both look the functions up by name).

use std::net::SocketAddr;
use std::sync::Arc;

use ballista::prelude::SessionContextExt;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::BallistaCodec;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::utils::{default_config_producer, default_session_builder};
use ballista_core::{ConfigProducer, RuntimeProducer};
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use driftwatch_datafusion::Engine;
use driftwatch_datafusion::datafusion::execution::SessionState;
use driftwatch_datafusion::datafusion::execution::registry::FunctionRegistry;
use driftwatch_datafusion::datafusion::prelude::{SessionConfig, SessionContext};
use driftwatch_datafusion::engine::runtime;
use driftwatch_datafusion::functions;

/// What can go wrong connecting to or running a cluster.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The scheduler address is not `df://HOST:PORT`.
    #[error("scheduler address '{0}' is not df://HOST:PORT (for example df://localhost:50050)")]
    Url(String),
    /// Ballista refused (bad configuration, a port in use, a lost scheduler).
    #[error("{0}")]
    Ballista(#[from] ballista_core::error::BallistaError),
    /// DataFusion refused the session.
    #[error("{0}")]
    DataFusion(#[from] driftwatch_datafusion::datafusion::error::DataFusionError),
    /// The engine could not start.
    #[error("{0}")]
    Engine(#[from] driftwatch_datafusion::Error),
    /// A socket could not be opened.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The engine of `driftwatch drift --engine ballista --scheduler df://HOST:PORT`: the
/// same summaries as [`Engine::local`], computed by the cluster. Nothing is sent until
/// the first query (an unreachable scheduler is reported then).
///
/// # Errors
/// [`Error::Url`] for an address that is not `df://HOST:PORT`.
pub fn connect(url: &str) -> Result<Engine, Error> {
    let rest = url
        .strip_prefix("df://")
        .filter(|r| !r.is_empty() && !r.contains('/'))
        .ok_or_else(|| Error::Url(url.to_string()))?;
    if rest
        .rsplit_once(':')
        .is_none_or(|(_, port)| port.parse::<u16>().is_err())
    {
        return Err(Error::Url(url.to_string()));
    }
    let runtime = runtime()?;
    let ctx = runtime.block_on(SessionContext::remote(url))?;
    Ok(Engine::with(runtime, ctx))
}

/// Ballista's default session (`config`) plus driftwatch's functions: the scheduler
/// builds each job's session with it.
///
/// # Errors
/// As Ballista's default session builder.
pub fn session_state(
    config: SessionConfig,
) -> driftwatch_datafusion::datafusion::common::Result<SessionState> {
    let mut state = default_session_builder(config)?;
    for f in functions() {
        state.register_udaf(Arc::new(f))?;
    }
    Ok(state)
}

/// Ballista's default functions plus driftwatch's: the executors decode plans with it.
#[must_use]
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in functions() {
        registry
            .aggregate_functions
            .insert(f.name().to_string(), Arc::new(f));
    }
    registry
}

/// A scheduler's configuration with driftwatch's session builder, listening on
/// `bind`; `external_host` is the name the executors and clients reach it by.
#[must_use]
pub fn scheduler_config(bind: SocketAddr, external_host: &str) -> SchedulerConfig {
    let mut config =
        SchedulerConfig::default().with_override_session_builder(Arc::new(session_state));
    config.bind_host = bind.ip().to_string();
    config.bind_port = bind.port();
    config.external_host = external_host.to_string();
    config
}

/// Runs a scheduler until the process ends.
///
/// # Errors
/// When the port is taken or the configuration is refused.
pub async fn run_scheduler(bind: SocketAddr, external_host: &str) -> Result<(), Error> {
    let config = scheduler_config(bind, external_host);
    let cluster = BallistaCluster::new_from_config(&config).await?;
    start_server(cluster, bind, Arc::new(config)).await?;
    Ok(())
}

/// An executor's configuration with driftwatch's functions: it registers with the
/// scheduler at `scheduler` (host, port), serves shuffle data on `port` and its task
/// service on `grpc_port` at `bind_host`, advertised as `external_host`.
#[must_use]
pub fn executor_config(
    scheduler: (&str, u16),
    bind_host: &str,
    external_host: Option<&str>,
    ports: (u16, u16),
    concurrent_tasks: usize,
    work_dir: Option<&str>,
) -> ExecutorProcessConfig {
    ExecutorProcessConfig {
        scheduler_host: scheduler.0.to_string(),
        scheduler_port: scheduler.1,
        bind_host: bind_host.to_string(),
        external_host: external_host.map(str::to_string),
        port: ports.0,
        grpc_port: ports.1,
        vcores: concurrent_tasks.max(1),
        work_dir: work_dir.map(str::to_string),
        print_thread_info: false,
        override_function_registry: Some(Arc::new(function_registry())),
        ..Default::default()
    }
}

/// Runs an executor until the process ends.
///
/// # Errors
/// When the scheduler cannot be reached or a port is taken.
pub async fn run_executor(config: ExecutorProcessConfig) -> Result<(), Error> {
    start_executor_process(Arc::new(config)).await?;
    Ok(())
}

/// Starts a scheduler and `executors` executors (each running `concurrent_tasks`
/// tasks) in this process on loopback ports the system picks, with driftwatch's
/// functions, and returns the scheduler's `df://` address. For tests and
/// benchmarks: the cluster lives as long as the current tokio runtime.
///
/// # Errors
/// When a server cannot start.
pub async fn start_loopback_cluster(
    executors: usize,
    concurrent_tasks: usize,
) -> Result<String, Error> {
    let config_producer: ConfigProducer = Arc::new(default_config_producer);
    let addr = ballista_scheduler::standalone::new_standalone_scheduler_with_builder(
        Arc::new(session_state),
        config_producer.clone(),
        BallistaCodec::default(),
    )
    .await?;
    let scheduler_url = format!("http://localhost:{}", addr.port());
    for _ in 0..executors {
        let scheduler = connect_scheduler(&scheduler_url).await?;
        let state = session_state(default_config_producer())?;
        let runtime_env = state.runtime_env().clone();
        let runtime_producer: RuntimeProducer = Arc::new(move |_| Ok(runtime_env.clone()));
        ballista_executor::new_standalone_executor_from_builder(
            scheduler,
            concurrent_tasks.max(1),
            config_producer.clone(),
            runtime_producer,
            BallistaCodec::default(),
            function_registry(),
        )
        .await?;
    }
    Ok(format!("df://localhost:{}", addr.port()))
}

/// A client of the scheduler at `url`, retried for up to five seconds while it starts.
async fn connect_scheduler(
    url: &str,
) -> Result<SchedulerGrpcClient<tonic::transport::Channel>, Error> {
    let mut last = None;
    for _ in 0..50 {
        match SchedulerGrpcClient::connect(url.to_string()).await {
            Ok(client) => return Ok(client),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(Error::Ballista(
        ballista_core::error::BallistaError::General(format!(
            "cannot reach the scheduler at {url}: {}",
            last.map_or_else(String::new, |e| e.to_string())
        )),
    ))
}
