//! `driftwatch serve`: a REST prediction server on the same engine as the CLI.
//!
//! The bundle is loaded and checked once at start; each `POST /v1/predict` validates
//! its rows with the schema ([`driftwatch_run::validate_rows`], as `driftwatch predict`
//! does), predicts the valid ones and appends them to the JSONL prediction log in the
//! [`driftwatch_core::PredictionRecord`] format that `driftwatch monitor` reads.
//! `POST /v1/labels` appends delayed labels to the CSV that `monitor --labels` joins.
//! The model can be swapped while requests run (`reload.rs`: `POST /admin/reload`,
//! SIGHUP, a store's stage pointer moving); a refused model leaves the old one serving.
//! With a reference, [`live`] watches the log as it grows: windows closed and checked by
//! the CLI's monitoring pass, history, alerts, `GET /v1/monitor`, `GET /dashboard`, the
//! Prometheus gauges and the alert webhook.
//! See docs/SERVE.md for the endpoints, limits and what is not built yet.
//!
//! [`serve`] runs the server until Ctrl-C or SIGTERM; [`router`] gives the same
//! service to tests without a socket.

pub mod admin;
pub mod appendlog;
pub mod auth;
pub mod config;
pub mod error;
pub mod input;
pub mod labels;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod model_source;
pub mod predict;
pub mod reload;
pub mod routes;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;

pub use config::{Limits, ServeConfig};
pub use error::{ApiError, Error, Result};
pub use model_source::{ModelLocation, ModelSource};
pub use routes::router;
pub use state::AppState;

/// Loads the model and serves until Ctrl-C or SIGTERM; `on_ready` is told the bound
/// address (the CLI prints it: only the CLI writes to the terminal). SIGHUP reloads the
/// model (Unix).
pub fn serve(config: &ServeConfig, on_ready: impl FnOnce(SocketAddr)) -> Result<()> {
    config.check_listen()?;
    let state = AppState::load(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        #[cfg(unix)]
        let hup = reload::spawn_sighup(state.clone()).map_err(Error::Runtime)?;
        on_ready(addr);
        let served =
            serve_on_watching(listener, state, config.watch_interval, shutdown_signal()).await;
        #[cfg(unix)]
        if let Some(h) = hup {
            h.abort();
        }
        served
    })
}

/// Serves `state` on an already bound listener until `shutdown` completes, then lets
/// in-flight requests finish and syncs the prediction log (tests bind `127.0.0.1:0` and pass their own signal).
/// A store source's stage is watched every [`config::DEFAULT_WATCH_INTERVAL`].
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_on_watching(listener, state, config::DEFAULT_WATCH_INTERVAL, shutdown).await
}

/// [`serve_on`], checking a store source's stage pointer every `watch_interval`.
pub async fn serve_on_watching(
    listener: tokio::net::TcpListener,
    state: AppState,
    watch_interval: std::time::Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let watch = reload::spawn_watch(state.clone(), watch_interval);
    // Live monitoring closes windows in the background while the server runs.
    let worker = state.live.clone().map(|live| tokio::spawn(live.run()));
    let served = axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(Error::Runtime);
    for w in [watch, worker].into_iter().flatten() {
        w.abort();
    }
    served?;
    // Every answered prediction is on disk before the process ends.
    if let Some(log) = &state.log {
        log.sync().map_err(|source| Error::Io {
            what: "prediction log",
            path: log.path().to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix (what service managers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: draining in-flight requests");
}
