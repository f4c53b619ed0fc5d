//! The alert webhook (`--alert-webhook URL`): one JSON POST per alert that fires or
//! resolves, with a bounded number of attempts and exponential backoff, sent from a task
//! of its own so that no request waits for it.
//!
//! `http://` only (a TLS proxy in front gives https), on hyper's HTTP/1 client, the same
//! hyper that serves the API. Any 2xx answer is delivery; anything else, a refused
//! connection or no answer within [`ATTEMPT_TIMEOUT`] is retried, [`ATTEMPTS`] times
//! in all, waiting [`BACKOFF`], then twice that, and so on; then the event is dropped
//! with a warning in the log (the history and `GET /v1/monitor` still hold the alert).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{Request, Uri};
use driftwatch_monitor::{Alert, WindowReport};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};

/// Attempts per event.
pub const ATTEMPTS: u32 = 4;
/// Wait before the second attempt; doubled before each next one.
pub const BACKOFF: Duration = Duration::from_millis(250);
/// Longest one attempt (connect, send, answer) may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The body of one POST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// `fire` or `resolve`.
    pub event: String,
    /// The served model, `name@version`.
    pub model: String,
    /// The window whose closing raised the event: its index and label.
    pub window: usize,
    /// Its label (`rows 200..300`, or the start time).
    pub window_label: String,
    /// The alert in words, as the CLI prints it.
    pub summary: String,
    /// The alert as the JSON report has it.
    pub alert: Alert,
}

impl AlertEvent {
    /// An event about `alert` raised by closing `window`.
    pub fn new(event: &str, alert: &Alert, model: &str, window: &WindowReport) -> Self {
        AlertEvent {
            event: event.to_string(),
            model: model.to_string(),
            window: window.index,
            window_label: window.label.clone(),
            summary: alert.to_string(),
            alert: alert.clone(),
        }
    }
}

/// Where events go and how hard to try.
#[derive(Debug, Clone)]
pub struct Webhook {
    target: Arc<Target>,
}

#[derive(Debug)]
struct Target {
    host: String,
    port: u16,
    authority: String,
    path: String,
    attempts: u32,
    backoff: Duration,
    timeout: Duration,
}

impl Webhook {
    /// Checks an `http://host[:port]/path` URL; the message of an error says what to give.
    pub fn parse(url: &str) -> Result<Self, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("'{url}' is not a URL ({e}): give http://host:port/path"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(format!(
                    "'{url}': only http:// is supported, not {other}:// (put a TLS proxy in \
                     front for https)"
                ));
            }
            None => {
                return Err(format!(
                    "'{url}': give the whole URL, http://host:port/path"
                ));
            }
        }
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("'{url}' names no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port_u16().unwrap_or(80);
        let authority = uri
            .authority()
            .map_or_else(|| host.clone(), |a| a.as_str().to_string());
        let path = uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        Ok(Webhook {
            target: Arc::new(Target {
                host,
                port,
                authority,
                path,
                attempts: ATTEMPTS,
                backoff: BACKOFF,
                timeout: ATTEMPT_TIMEOUT,
            }),
        })
    }

    /// The same webhook with other retry settings (tests use short waits).
    #[must_use]
    pub fn with_retries(self, attempts: u32, backoff: Duration, timeout: Duration) -> Self {
        let t = &self.target;
        Webhook {
            target: Arc::new(Target {
                host: t.host.clone(),
                port: t.port,
                authority: t.authority.clone(),
                path: t.path.clone(),
                attempts: attempts.max(1),
                backoff,
                timeout,
            }),
        }
    }

    /// Posts `event`, retrying as the module doc says; the error is the last attempt's.
    pub async fn send(&self, event: &AlertEvent) -> Result<(), String> {
        let body = Bytes::from(serde_json::to_vec(event).map_err(|e| e.to_string())?);
        let t = &self.target;
        let mut wait = t.backoff;
        let mut last = String::new();
        for attempt in 1..=t.attempts {
            match tokio::time::timeout(t.timeout, self.post(body.clone())).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => last = e,
                Err(_) => last = format!("no answer within {:?}", t.timeout),
            }
            if attempt < t.attempts {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
        Err(format!(
            "alert webhook http://{}{}: {} attempts failed, the last: {last}",
            t.authority, t.path, t.attempts
        ))
    }

    /// Posts the events in order; one that cannot be delivered is logged and dropped.
    pub async fn send_all(self, events: Vec<AlertEvent>) {
        for e in &events {
            if let Err(err) = self.send(e).await {
                tracing::warn!("{err} (event {} of alert {})", e.event, e.alert.id);
            }
        }
    }

    /// One attempt.
    async fn post(&self, body: Bytes) -> Result<(), String> {
        let t = &self.target;
        let stream = tokio::net::TcpStream::connect((t.host.as_str(), t.port))
            .await
            .map_err(|e| format!("connecting: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = Request::post(t.path.as_str())
            .header(HOST, t.authority.as_str())
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let res = sender
            .send_request(req)
            .await
            .map_err(|e| format!("sending: {e}"))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("answered {}", res.status()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        let w =
            Webhook::parse("http://127.0.0.1:9000/hooks/a?x=1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                w.target.host.as_str(),
                w.target.port,
                w.target.path.as_str()
            ),
            ("127.0.0.1", 9000, "/hooks/a?x=1")
        );
        let w = Webhook::parse("http://example.org").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((w.target.port, w.target.path.as_str()), (80, "/"));
        let e = Webhook::parse("https://example.org/x")
            .err()
            .unwrap_or_default();
        assert!(e.contains("only http://"), "{e}");
        let e = Webhook::parse("example.org/x").err().unwrap_or_default();
        assert!(e.contains("http://"), "{e}");
    }

    #[tokio::test]
    async fn gives_up_after_the_attempts() {
        // A port nobody listens on: bind, take the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let w = Webhook::parse(&format!("http://127.0.0.1:{port}/x"))
            .unwrap_or_else(|e| panic!("{e}"))
            .with_retries(3, Duration::from_millis(1), Duration::from_secs(1));
        let alert: Alert = serde_json::from_value(serde_json::json!({
            "id": "a-w0", "kind": "drift", "monitor": "m", "metric": "ks", "column": null,
            "value": null, "baseline": null, "degradation": null, "p_value": null,
            "severity": "MEDIUM", "first_window": 0, "first_label": "w", "fired_window": 0,
            "last_window": 0, "last_label": "w", "resolved_window": null,
            "state": "active", "message": ""
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let report = WindowReport::from_findings(0, String::from("w"), 1, Vec::new());
        let e = w
            .send(&AlertEvent::new("fire", &alert, "m@1", &report))
            .await
            .err()
            .unwrap_or_default();
        assert!(e.contains("3 attempts failed"), "{e}");
    }
}
