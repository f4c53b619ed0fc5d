//! What every handler shares: the loaded model, the logs, the token, the limits and
//! the metrics. Built once at start by [`AppState::load`]; cheap to clone (all `Arc`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use driftwatch_core::Pipeline;
use driftwatch_persist::BundleHeader;

use crate::appendlog::AppendLog;
use crate::auth::Token;
use crate::config::{Limits, ServeConfig};
use crate::error::{Error, Result};
use crate::labels::LabelsFile;
use crate::live::LiveMonitor;
use crate::metrics::Metrics;

/// The served model.
#[derive(Debug)]
pub struct Model {
    /// Name, version, schema, target and card.
    pub header: BundleHeader,
    /// The fitted pipeline.
    pub pipeline: Pipeline,
}

impl Model {
    /// `name@version`, as the prediction log names the model.
    pub fn id(&self) -> String {
        format!("{}@{}", self.header.name, self.header.version)
    }
}

/// The shared state of the server.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The model.
    pub model: Arc<Model>,
    /// The prediction log, when predictions are logged.
    pub log: Option<Arc<AppendLog>>,
    /// The labels file, when labels are recorded.
    pub labels: Option<Arc<LabelsFile>>,
    /// The bearer token `/v1/` requests need, when one is set.
    pub token: Option<Token>,
    /// Request limits.
    pub limits: Limits,
    /// Request counts and latencies.
    pub metrics: Arc<Metrics>,
    /// Live monitoring of the log (`--reference`), when on.
    pub live: Option<Arc<LiveMonitor>>,
    ids: Arc<RequestIds>,
}

impl AppState {
    /// Loads the bundle, reads the token and opens the logs named by `config`.
    pub fn load(config: &ServeConfig) -> Result<Self> {
        let b = driftwatch_persist::load(&config.model).map_err(|source| Error::Bundle {
            path: config.model.clone(),
            source: Box::new(source),
        })?;
        let mut state = Self::new(
            Model {
                header: b.header,
                pipeline: b.pipeline,
            },
            config.limits.clone(),
        );
        if let Some(p) = &config.token_file {
            state.token = Some(Token::read(p)?);
        }
        if let Some(p) = &config.log {
            let log = AppendLog::open(p, false).map_err(|source| Error::Io {
                what: "prediction log",
                path: p.clone(),
                source,
            })?;
            state.log = Some(Arc::new(log));
        }
        if let Some(p) = &config.labels {
            let target = state
                .model
                .header
                .target
                .as_ref()
                .map_or("label", |t| t.name.as_str());
            state.labels = Some(Arc::new(LabelsFile::open(p, target)?));
        }
        if let Some(m) = &config.monitor {
            let log = config.log.as_deref().ok_or_else(|| {
                Error::Config(
                    "live monitoring (--reference) watches the logged predictions: give --log FILE"
                        .into(),
                )
            })?;
            let live = LiveMonitor::open(
                m,
                Arc::clone(&state.model),
                log,
                config.labels.as_deref(),
                config.limits.timeout,
            )?;
            state.live = Some(Arc::new(live));
        }
        Ok(state)
    }

    /// State for an already loaded model, with no logs and no token.
    pub fn new(model: Model, limits: Limits) -> Self {
        AppState {
            model: Arc::new(model),
            log: None,
            labels: None,
            token: None,
            limits,
            metrics: Arc::new(Metrics::default()),
            live: None,
            ids: Arc::new(RequestIds::new()),
        }
    }

    /// A fresh request id.
    pub fn next_id(&self) -> String {
        self.ids.next()
    }
}

/// Request ids unique across restarts: the start time in hex and a counter.
#[derive(Debug)]
struct RequestIds {
    prefix: String,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or_default();
        RequestIds {
            prefix: format!("{start:x}"),
            next: AtomicU64::new(1),
        }
    }

    fn next(&self) -> String {
        format!(
            "{}-{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct() {
        let ids = RequestIds::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert!(a.ends_with("-1"));
    }
}
