//! What the server is started with: [`ServeConfig`] and its request [`Limits`].

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::model_source::ModelLocation;

/// How often a store's stage pointer is checked by default (`--watch-interval`).
pub const DEFAULT_WATCH_INTERVAL: Duration = Duration::from_secs(5);

/// Bounds on what one request may cost, so that a client cannot exhaust the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body in bytes; a larger one is answered 413.
    pub max_body_bytes: usize,
    /// Most rows in one predict (or labels) request; more is answered 413.
    pub max_batch_rows: usize,
    /// Requests handled at once; one more is answered 503 at once (no queue to grow).
    pub max_concurrent: usize,
    /// Longest a request may take; a slower one is answered 503.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 2 * 1024 * 1024,
            max_batch_rows: 10_000,
            max_concurrent: 256,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Live monitoring of the logged predictions (`driftwatch serve --reference ...`): the
/// same pass as `driftwatch monitor`, window by window as the log grows
/// ([`crate::live`]).
#[derive(Debug, Clone, Default)]
pub struct MonitorSettings {
    /// The reference CSV (the model's input columns and its target), as `monitor
    /// --reference` reads it.
    pub reference: PathBuf,
    /// The `monitor.toml` (monitors, alert policy, windows); none: the default set.
    pub config: Option<PathBuf>,
    /// How the log is cut into windows; `None` takes the config's `[window]`.
    pub window: Option<driftwatch_monitor::WindowSpec>,
    /// The history file each closed window's entry is appended to.
    pub history: Option<PathBuf>,
    /// An `http://` URL that alerts are POSTed to when they fire and resolve.
    pub alert_webhook: Option<String>,
}

/// Live monitoring reads back the server's own prediction log.
pub(crate) const MONITOR_NEEDS_LOG: &str =
    "live monitoring (--reference) watches the logged predictions: give --log FILE";

/// How `driftwatch serve` is started.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The model to serve: a bundle file (`.dwm`) or a stage of a model store.
    pub model: ModelLocation,
    /// A public key: every bundle served (at start and on reload) must carry a valid
    /// detached signature by it.
    pub verify_key: Option<PathBuf>,
    /// Where to listen; loopback by default so nothing is exposed by accident.
    pub listen: SocketAddr,
    /// The JSONL prediction log to append to (none: predictions are not logged).
    pub log: Option<PathBuf>,
    /// The labels CSV (`request_id,<target>`) that `POST /v1/labels` appends to.
    pub labels: Option<PathBuf>,
    /// A file whose first line is the bearer token every `/v1/` request must carry.
    pub token_file: Option<PathBuf>,
    /// A file whose first line is the bearer token `/admin/` requests must carry;
    /// without it `POST /admin/reload` is refused (reload with SIGHUP instead).
    pub admin_token_file: Option<PathBuf>,
    /// How often a store's stage pointer is checked for a new version.
    pub watch_interval: Duration,
    /// Allow a non-loopback address without a token.
    pub insecure: bool,
    /// Request limits.
    pub limits: Limits,
    /// Live monitoring of the prediction log; needs `log`.
    pub monitor: Option<MonitorSettings>,
}

impl ServeConfig {
    /// A configuration for `model` (a bundle path, or a [`ModelLocation`]) with the
    /// defaults: 127.0.0.1:8080, no log, no tokens, no signature required.
    pub fn new(model: impl Into<ModelLocation>) -> Self {
        ServeConfig {
            model: model.into(),
            verify_key: None,
            admin_token_file: None,
            watch_interval: DEFAULT_WATCH_INTERVAL,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            log: None,
            labels: None,
            token_file: None,
            insecure: false,
            limits: Limits::default(),
            monitor: None,
        }
    }

    /// Refuses a non-loopback address without a token unless `insecure` is set, and
    /// limits of zero (which would refuse every request).
    pub fn check_listen(&self) -> Result<()> {
        if !self.listen.ip().is_loopback() && self.token_file.is_none() && !self.insecure {
            return Err(Error::Insecure(self.listen));
        }
        let l = &self.limits;
        if l.max_body_bytes == 0 || l.max_batch_rows == 0 || l.max_concurrent == 0 {
            return Err(Error::Config(
                "request limits (body bytes, batch rows, concurrent requests) must be above 0"
                    .into(),
            ));
        }
        if l.timeout.is_zero() {
            return Err(Error::Config("the request timeout must be above 0".into()));
        }
        if self.watch_interval.is_zero() {
            return Err(Error::Config(
                "the store watch interval must be above 0 seconds".into(),
            ));
        }
        if self.monitor.is_some() && self.log.is_none() {
            return Err(Error::Config(MONITOR_NEEDS_LOG.into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_needs_no_token_but_other_addresses_do() {
        let mut c = ServeConfig::new("m.dwm");
        assert!(c.check_listen().is_ok());
        c.listen = "0.0.0.0:8080".parse().unwrap_or(c.listen);
        assert!(matches!(c.check_listen(), Err(Error::Insecure(_))));
        c.insecure = true;
        assert!(c.check_listen().is_ok());
        c.insecure = false;
        c.token_file = Some("t".into());
        assert!(c.check_listen().is_ok());
    }

    #[test]
    fn live_monitoring_needs_the_log() {
        let mut c = ServeConfig::new("m.dwm");
        c.monitor = Some(MonitorSettings::default());
        assert!(
            matches!(c.check_listen(), Err(Error::Config(m)) if m.contains("--log")),
            "monitoring without a log must be refused"
        );
        c.log = Some("p.jsonl".into());
        assert!(c.check_listen().is_ok());
    }

    #[test]
    fn zero_limits_are_refused() {
        let mut c = ServeConfig::new("m.dwm");
        c.limits.max_concurrent = 0;
        assert!(matches!(c.check_listen(), Err(Error::Config(_))));
    }
}
