//! What every handler shares: the served model, the logs, the tokens, the limits and
//! the metrics. Built once at start by [`AppState::load`]; cheap to clone (all `Arc`).
//!
//! The model sits in a [`ModelSlot`] so that a reload can swap it while requests run:
//! a request takes one `Arc` snapshot with [`AppState::model`] at its start and uses
//! only that model to the end (schema, pipeline, name in the answer and the log), so
//! every request is answered whole by the old model or the new one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
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
use crate::model_source::ModelSource;
use crate::reload::Reloader;

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

/// The swappable holder of the served model. Readers hold the lock only to clone the
/// `Arc`, never while predicting, so a swap waits for no request and no request for
/// a swap's loading (the new model is loaded before the lock is taken).
#[derive(Debug)]
pub struct ModelSlot(RwLock<Arc<Model>>);

impl ModelSlot {
    /// A slot holding `model`.
    pub fn new(model: Model) -> Self {
        ModelSlot(RwLock::new(Arc::new(model)))
    }

    /// The model serving now.
    pub fn current(&self) -> Arc<Model> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Serves `model` from now on; returns the one it replaces (requests that took it
    /// keep it until they finish).
    pub fn replace(&self, model: Arc<Model>) -> Arc<Model> {
        let mut slot = self.0.write().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *slot, model)
    }
}

/// The shared state of the server.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The served model; take it with [`AppState::model`], once per request.
    pub slot: Arc<ModelSlot>,
    /// Reloads the model from its configured source (none for a state built from an
    /// already loaded model, e.g. in tests: `POST /admin/reload` then answers 409).
    pub reloader: Option<Arc<Reloader>>,
    /// The bearer token `/admin/` requests need; without one they are refused (403).
    pub admin_token: Option<Token>,
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
    /// Loads the bundle (from its file or store stage, signature checked when a key is
    /// configured), reads the tokens and opens the logs named by `config`.
    pub fn load(config: &ServeConfig) -> Result<Self> {
        let source = ModelSource::new(config.model.clone(), config.verify_key.as_deref())?;
        let loaded = source.load()?;
        let store_version = loaded.store_version.clone();
        let mut state = Self::new(loaded.model, config.limits.clone());
        if let Some(p) = &config.token_file {
            state.token = Some(Token::read(p)?);
        }
        if let Some(p) = &config.admin_token_file {
            let admin = Token::read(p)?;
            if state.token.as_ref().is_some_and(|t| t.same_as(&admin)) {
                return Err(Error::Config(
                    "the admin token is the same as the predict token: give --admin-token-file \
                     a different token, so a predict client cannot reload the model"
                        .into(),
                ));
            }
            state.admin_token = Some(admin);
        }
        if let Some(p) = &config.log {
            let log = AppendLog::open(p, false).map_err(|source| Error::Io {
                what: "prediction log",
                path: p.clone(),
                source,
            })?;
            state.log = Some(Arc::new(log));
        }
        let mut labels_target = None;
        if let Some(p) = &config.labels {
            let target = state
                .model()
                .header
                .target
                .as_ref()
                .map_or_else(|| "label".to_string(), |t| t.name.clone());
            state.labels = Some(Arc::new(LabelsFile::open(p, &target)?));
            labels_target = Some(target);
        }
        state.reloader = Some(Arc::new(Reloader::new(
            source,
            labels_target,
            store_version,
        )));
        if let Some(m) = &config.monitor {
            let log = config
                .log
                .as_deref()
                .ok_or_else(|| Error::Config(crate::config::MONITOR_NEEDS_LOG.into()))?;
            let live = LiveMonitor::open(
                m,
                state.model(),
                log,
                config.labels.as_deref(),
                config.limits.timeout,
            )?;
            state.live = Some(Arc::new(live));
        }
        Ok(state)
    }

    /// The model serving now: call once per request and use the snapshot throughout.
    pub fn model(&self) -> Arc<Model> {
        self.slot.current()
    }

    /// State for an already loaded model, with no logs and no token.
    pub fn new(model: Model, limits: Limits) -> Self {
        AppState {
            slot: Arc::new(ModelSlot::new(model)),
            reloader: None,
            admin_token: None,
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

    fn model(version: &str) -> Model {
        let mut header: BundleHeader = serde_json::from_value(serde_json::json!({
            "format_version": 1, "name": "m", "version": "1.0.0",
            "created_at": "2024-03-01T12:00:00Z", "crate_versions": {},
            "schema": {"columns": []}, "training_metrics": {}, "n_train_rows": 0,
            "compression": {"algorithm": "none"}, "payload_length": 0,
            "decoded_length": 0, "payload_sha256": "0".repeat(64),
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        header.version = version.into();
        Model {
            header,
            pipeline: Pipeline::new(),
        }
    }

    #[test]
    fn a_snapshot_outlives_the_swap_that_replaces_it() {
        let slot = ModelSlot::new(model("1.0.0"));
        let taken = slot.current();
        let old = slot.replace(Arc::new(model("1.1.0")));
        assert_eq!(old.id(), "m@1.0.0");
        assert_eq!(taken.id(), "m@1.0.0", "a request keeps the model it took");
        assert_eq!(slot.current().id(), "m@1.1.0");
    }

    #[test]
    fn request_ids_are_distinct() {
        let ids = RequestIds::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert!(a.ends_with("-1"));
    }
}
