//! The real server on an ephemeral loopback port, called over TCP with plain HTTP/1.1
//! (no client library: the request is a few lines of text).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use driftwatch_serve::predict::PredictResponse;
use driftwatch_serve::{AppState, Error, ServeConfig, serve_on};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundles/v1-forest.dwm")
}

/// Sends one request and returns the status line and the body.
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    extra: &str,
    body: &str,
) -> (String, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out.lines().next().unwrap_or_default().to_string();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_predictions_over_a_socket_and_drains_on_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "t0ken").unwrap();
    let log = dir.path().join("p.jsonl");
    let mut config = ServeConfig::new(fixture());
    config.token_file = Some(token);
    config.log = Some(log.clone());
    let state = AppState::load(&config).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(listener, state, async {
        let _ = stopped.await;
    }));

    let (status, _) = http(addr, "GET", "/healthz", "", "").await;
    assert!(status.contains("200"), "{status}");
    let csv = "x,y,z\n1,2,3\n";
    let (status, _) = http(
        addr,
        "POST",
        "/v1/predict",
        "Content-Type: text/csv\r\n",
        csv,
    )
    .await;
    assert!(status.contains("401"), "{status}");
    let auth = "Content-Type: text/csv\r\nAuthorization: Bearer t0ken\r\n";
    let (status, body) = http(addr, "POST", "/v1/predict", auth, csv).await;
    assert!(status.contains("200"), "{status}: {body}");
    let r: PredictResponse = serde_json::from_str(&body).unwrap();
    assert_eq!(r.predictions.len(), 1);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let back = driftwatch_core::read_jsonl_path(&log, &Default::default()).unwrap();
    assert_eq!(back.request_ids, r.request_ids);
}

#[test]
fn refuses_a_public_address_without_a_token() {
    let mut config = ServeConfig::new(fixture());
    config.listen = "0.0.0.0:0".parse().unwrap();
    let e = driftwatch_serve::serve(&config, |_| {}).unwrap_err();
    assert!(matches!(e, Error::Insecure(_)), "{e}");
    assert!(e.to_string().contains("--insecure"));
}
