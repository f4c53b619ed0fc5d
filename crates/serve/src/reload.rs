//! Swapping the served model while requests run: `POST /admin/reload`, SIGHUP, and (for
//! a store source) the stage pointer moving, checked every `--watch-interval` seconds.
//!
//! Every trigger runs [`Reloader::reload`]: the configured source is loaded again off the
//! async threads with the same checks as at start ([`ModelSource::load`]: checksums,
//! decoding, pipeline validation, the signature when a key is configured) plus the
//! checks against what the server already holds ([`Reloader::check`]); only a model that
//! passes all of them replaces the old one, in one pointer swap ([`ModelSlot::replace`]).
//! A refused model changes nothing: the old one keeps serving, the refusal is counted in
//! `driftwatch_reload_total{result="refused"}` and logged, and an admin caller gets the
//! reason. Reloads run one at a time. No request names what is loaded: the source is
//! the configuration's.
//!
//! [`ModelSlot::replace`]: crate::state::ModelSlot::replace

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::model_source::{Loaded, ModelLocation, ModelSource};
use crate::predict::ModelId;
use crate::state::{AppState, Model};

/// What started a reload (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `POST /admin/reload`.
    Admin,
    /// SIGHUP.
    Signal,
    /// The store's stage pointer moved.
    StageMoved,
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Trigger::Admin => "POST /admin/reload",
            Trigger::Signal => "SIGHUP",
            Trigger::StageMoved => "the stage pointer moved",
        })
    }
}

/// A reload that swapped the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReloadReport {
    /// The model served before.
    pub previous: ModelId,
    /// The model served now.
    pub model: ModelId,
    /// Whether name or version differ (re-reading an unchanged bundle is a reload too).
    pub changed: bool,
    /// The store version the stage pointed at (store sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_version: Option<String>,
}

/// A reload that was refused: the old model keeps serving.
#[derive(Debug, thiserror::Error)]
#[error("reload refused, still serving {serving}: {reason}")]
pub struct Refused {
    /// `name@version` of the model still serving.
    pub serving: String,
    /// Why the new model was refused.
    pub reason: Error,
}

/// Reloads the model from its configured source; one per server.
#[derive(Debug)]
pub struct Reloader {
    source: ModelSource,
    /// The target column of the labels file, when labels are recorded: a model with
    /// another target would make the file mix two targets under one header.
    labels_target: Option<String>,
    /// Held for the whole of a reload, so reloads run one at a time; holds the store
    /// version last tried, so the watcher tries each new pointer once.
    last_tried: Mutex<Option<String>>,
}

impl Reloader {
    /// A reloader for `source`; `store_version` is the version loaded at start.
    pub fn new(
        source: ModelSource,
        labels_target: Option<String>,
        store_version: Option<String>,
    ) -> Self {
        Reloader {
            source,
            labels_target,
            last_tried: Mutex::new(store_version),
        }
    }

    /// Loads the source again and, if the model passes every check, serves it.
    pub async fn reload(
        &self,
        state: &AppState,
        trigger: Trigger,
    ) -> Result<ReloadReport, Refused> {
        let mut last = self.last_tried.lock().await;
        self.reload_locked(&mut last, state, trigger).await
    }

    async fn reload_locked(
        &self,
        last: &mut Option<String>,
        state: &AppState,
        trigger: Trigger,
    ) -> Result<ReloadReport, Refused> {
        let source = self.source.clone();
        let loaded = tokio::task::spawn_blocking(move || source.load())
            .await
            .unwrap_or_else(|_| {
                Err(Error::Config(
                    "loading the model failed unexpectedly".into(),
                ))
            })
            .and_then(|l| self.check(&l).map(|()| l));
        match loaded {
            Ok(l) => {
                if l.store_version.is_some() {
                    last.clone_from(&l.store_version);
                }
                let new = Arc::new(l.model);
                let old = state.slot.replace(Arc::clone(&new));
                state.metrics.reload(true);
                let report = ReloadReport {
                    previous: id(&old),
                    changed: old.id() != new.id(),
                    model: id(&new),
                    store_version: l.store_version,
                };
                tracing::info!(
                    "{trigger}: reloaded {}: now serving {} (was {})",
                    self.source.location(),
                    new.id(),
                    old.id()
                );
                Ok(report)
            }
            Err(reason) => {
                state.metrics.reload(false);
                let refused = Refused {
                    serving: state.model().id(),
                    reason,
                };
                tracing::warn!("{trigger}: {refused}");
                Err(refused)
            }
        }
    }

    /// What a model must satisfy beyond loading to replace the served one.
    pub fn check(&self, loaded: &Loaded) -> Result<(), Error> {
        if let Some(want) = &self.labels_target {
            let got = loaded
                .model
                .header
                .target
                .as_ref()
                .map_or("label", |t| t.name.as_str());
            if got != want {
                return Err(Error::Config(format!(
                    "{} predicts target '{got}' but the labels file records '{want}': \
                     restart the server with another --labels file to serve it",
                    loaded.path.display()
                )));
            }
        }
        Ok(())
    }

    /// For a store source: reloads when the stage points at a version not tried yet.
    /// `Ok(None)` when it has not moved (or the source is a file); `Err` when the
    /// pointer cannot be read (the model keeps serving; the watcher says so once).
    pub async fn poll(
        &self,
        state: &AppState,
    ) -> Result<Option<Result<ReloadReport, Refused>>, Error> {
        let source = self.source.clone();
        let pointer = tokio::task::spawn_blocking(move || source.pointer())
            .await
            .unwrap_or_else(|_| Err(Error::Config("reading the stage pointer failed".into())))?;
        let Some(pointer) = pointer else {
            return Ok(None);
        };
        let mut last = self.last_tried.lock().await;
        if last.as_deref() == Some(pointer.as_str()) {
            return Ok(None);
        }
        // Tried once per pointer: a refused version is not retried every interval
        // (SIGHUP or POST /admin/reload retries it).
        *last = Some(pointer);
        Ok(Some(
            self.reload_locked(&mut last, state, Trigger::StageMoved)
                .await,
        ))
    }
}

fn id(m: &Model) -> ModelId {
    ModelId {
        name: m.header.name.clone(),
        version: m.header.version.clone(),
    }
}

/// Checks the store's stage pointer every `every` and reloads when it moves; `None`
/// when the state has no store source.
pub fn spawn_watch(state: AppState, every: Duration) -> Option<JoinHandle<()>> {
    let reloader = state.reloader.clone()?;
    if !matches!(reloader.source.location(), ModelLocation::Store { .. }) {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; the start already loaded
        let mut last_error = None;
        loop {
            tick.tick().await;
            match reloader.poll(&state).await {
                Err(e) => {
                    let text = e.to_string();
                    if last_error.as_ref() != Some(&text) {
                        tracing::warn!("watching {}: {text}", reloader.source.location());
                        last_error = Some(text);
                    }
                }
                Ok(_) => last_error = None,
            }
        }
    }))
}

/// Reloads on every SIGHUP. The handler is installed before this returns, so a SIGHUP
/// sent after the server said it is ready never takes the default action (exit).
#[cfg(unix)]
pub fn spawn_sighup(state: AppState) -> std::io::Result<Option<JoinHandle<()>>> {
    use tokio::signal::unix::{SignalKind, signal};
    let Some(reloader) = state.reloader.clone() else {
        return Ok(None);
    };
    let mut hup = signal(SignalKind::hangup())?;
    Ok(Some(tokio::spawn(async move {
        while hup.recv().await.is_some() {
            // The outcome is logged and counted by `reload`.
            let _ = reloader.reload(&state, Trigger::Signal).await;
        }
    })))
}
