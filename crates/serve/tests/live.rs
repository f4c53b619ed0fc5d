//! Live monitoring end to end, on the `v1-forest.dwm` fixture (numeric x, y, z; target
//! `grade` with classes high, low, mid): windows close as rows are logged, alerts fire
//! on shifted rows, `/v1/monitor`, `/metrics` and `/dashboard` show them, the webhook
//! hears of them, and a restarted server continues exactly where one that never
//! stopped would be.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use driftwatch_monitor::{HistoryEntry, WindowSpec, history};
use driftwatch_serve::config::MonitorSettings;
use driftwatch_serve::predict::PredictResponse;
use driftwatch_serve::{AppState, ServeConfig, router, serve_on};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower::ServiceExt;

const WINDOW: usize = 20;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture() -> PathBuf {
    root().join("fixtures/bundles/v1-forest.dwm")
}

/// Deterministic rows inside the fixture's training ranges (x -3..6, y 0..5, z 0..3),
/// `shift` added to x.
fn rows(seed: u64, n: usize, shift: f64) -> Vec<[f64; 3]> {
    let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((s >> 11) as f64 / (1u64 << 53) as f64 * 100.0).round() / 100.0
    };
    (0..n)
        .map(|_| [-3.0 + 9.0 * next() + shift, 5.0 * next(), 3.0 * next()])
        .collect()
}

/// A reference CSV of 400 rows labelled by the model itself.
fn write_reference(path: &Path) {
    let model = driftwatch_persist::load(&fixture()).unwrap();
    let data = rows(1, 400, 0.0);
    let mut csv = String::from("x,y,z\n");
    for r in &data {
        csv.push_str(&format!("{},{},{}\n", r[0], r[1], r[2]));
    }
    let frame =
        driftwatch_core::read_csv(csv.as_bytes(), "ref", &model.header.schema.read_options())
            .unwrap();
    let driftwatch_core::Target::Labels(y) = model.pipeline.predict(&frame).unwrap() else {
        panic!("a classifier");
    };
    let mut out = String::from("x,y,z,grade\n");
    for (r, g) in data.iter().zip(y) {
        out.push_str(&format!("{},{},{},{g}\n", r[0], r[1], r[2]));
    }
    std::fs::write(path, out).unwrap();
}

struct Files {
    _dir: tempfile::TempDir,
    dir: PathBuf,
}

impl Files {
    fn new() -> Self {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().to_path_buf();
        write_reference(&dir.join("ref.csv"));
        Files { _dir: d, dir }
    }

    fn config(&self, webhook: Option<String>) -> ServeConfig {
        let mut c = ServeConfig::new(fixture());
        c.log = Some(self.dir.join("p.jsonl"));
        c.labels = Some(self.dir.join("labels.csv"));
        c.monitor = Some(MonitorSettings {
            reference: self.dir.join("ref.csv"),
            config: None,
            window: Some(WindowSpec::Rows(WINDOW)),
            history: Some(self.dir.join("history.jsonl")),
            alert_webhook: webhook,
        });
        c
    }

    fn history(&self) -> Vec<HistoryEntry> {
        let f = std::fs::File::open(self.dir.join("history.jsonl")).unwrap();
        history::read(f, "history.jsonl", None).unwrap()
    }
}

fn predict_body(rows: &[[f64; 3]]) -> String {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| json!({"x": r[0], "y": r[1], "z": r[2]}))
        .collect();
    json!({ "rows": rows }).to_string()
}

/// Labels for answered rows: the prediction itself for unshifted batches, a wrong
/// class for shifted ones.
fn labels_body(r: &PredictResponse, wrong: bool) -> String {
    let labels: Vec<Value> = r
        .request_ids
        .iter()
        .zip(&r.predictions)
        .filter_map(|(id, p)| {
            let p = p.as_str()?;
            let label = if wrong {
                if p == "low" { "high" } else { "low" }
            } else {
                p
            };
            Some(json!({"request_id": id.as_ref()?, "label": label}))
        })
        .collect();
    json!({ "labels": labels }).to_string()
}

async fn oneshot(state: &AppState, path: &str, body: String) -> (StatusCode, Vec<u8>) {
    let req = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    (
        status,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

/// One batch of 10 rows (the 4th and later shifted), predicted, labelled.
async fn batch(state: &AppState, i: u64) {
    let shifted = i >= 4;
    let data = rows(100 + i, 10, if shifted { 30.0 } else { 0.0 });
    let (status, body) = oneshot(state, "/v1/predict", predict_body(&data)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let r: PredictResponse = serde_json::from_slice(&body).unwrap();
    let (status, body) = oneshot(state, "/v1/labels", labels_body(&r, shifted)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
}

/// What must match between runs: everything but the latency the rows were logged with.
fn comparable(entries: &[HistoryEntry]) -> Vec<HistoryEntry> {
    entries
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.findings.retain(|f| f.monitor != "latency");
            e.metrics.retain(|k, _| !k.contains("latency"));
            e
        })
        .collect()
}

fn close(state: &AppState) -> usize {
    let live = state.live.as_ref().unwrap();
    live.close_due(0);
    live.closed_windows()
}

/// Ten batches of ten rows, windows of twenty: one server that never stops, one
/// restarted mid-window, and one that died before closing the windows its rows filled.
/// Their histories are the same windows with the same findings and alerts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_loses_no_window_and_counts_none_twice() {
    let whole = Files::new();
    let state = AppState::load(&whole.config(None)).unwrap();
    for i in 0..10 {
        batch(&state, i).await;
        close(&state);
    }
    let expected = whole.history();
    assert_eq!(
        expected.iter().map(|e| e.window).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert!(expected.iter().all(|e| e.n_rows == WINDOW));
    assert_eq!(expected[1].label, "rows 20..40");
    // Windows 0 and 1 are the reference's distribution; 2 starts the shift.
    assert!(expected[0].alerts.is_empty(), "{:?}", expected[0].alerts);
    assert!(!expected[2].alerts.is_empty());

    // The same windows as `driftwatch monitor --current p.jsonl --labels labels.csv
    // --window 20` finds them: one pass over the whole log.
    assert_eq!(comparable(&expected), comparable(&cli_pass(&whole)));

    // Restarted in the middle of window 2 (rows 40..50 logged, 50..60 not yet).
    let restarted = Files::new();
    let state = AppState::load(&restarted.config(None)).unwrap();
    for i in 0..5 {
        batch(&state, i).await;
        close(&state);
    }
    drop(state);
    let state = AppState::load(&restarted.config(None)).unwrap();
    assert_eq!(state.live.as_ref().unwrap().closed_windows(), 2);
    for i in 5..10 {
        batch(&state, i).await;
        close(&state);
    }
    assert_eq!(comparable(&restarted.history()), comparable(&expected));

    // Died with windows 0..2 full but never closed: the restart closes them.
    let crashed = Files::new();
    let state = AppState::load(&crashed.config(None)).unwrap();
    for i in 0..7 {
        batch(&state, i).await;
    }
    drop(state);
    let state = AppState::load(&crashed.config(None)).unwrap();
    assert_eq!(close(&state), 3);
    for i in 7..10 {
        batch(&state, i).await;
        close(&state);
    }
    assert_eq!(comparable(&crashed.history()), comparable(&expected));
    // Nothing more to close, and a second restart holds the same five windows.
    drop(state);
    let state = AppState::load(&crashed.config(None)).unwrap();
    assert_eq!(close(&state), 5);
    assert_eq!(crashed.history().len(), 5);
}

/// The history `driftwatch monitor` would append for the whole log at once.
fn cli_pass(f: &Files) -> Vec<HistoryEntry> {
    let b = driftwatch_persist::load(&fixture()).unwrap();
    let read = b.header.schema.read_options();
    let mut features = driftwatch_core::read_csv_path(&f.dir.join("ref.csv"), &read).unwrap();
    let grade = features.remove("grade").unwrap();
    let reference = driftwatch_run::Labelled {
        label: "reference".into(),
        features,
        labels: driftwatch_core::Target::from_column("grade", &grade, true).unwrap(),
        timestamps: None,
    };
    let log = driftwatch_core::read_jsonl_path(&f.dir.join("p.jsonl"), &read).unwrap();
    let labels = std::fs::read_to_string(f.dir.join("labels.csv")).unwrap();
    let labels = labels
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(id, y)| (id.to_string(), y.to_string()))
        .collect();
    let model = driftwatch_run::Model {
        pipeline: &b.pipeline,
        schema: &b.header.schema,
        baseline: &b.header.training_metrics,
    };
    let config = driftwatch_run::PassConfig {
        file: driftwatch_run::MonitorFile::default(),
        policy: driftwatch_monitor::AlertPolicy::default(),
        spec: WindowSpec::Rows(WINDOW),
        extra_monitors: Vec::new(),
    };
    let current = driftwatch_run::Current::Log {
        log,
        labels: Some(labels),
    };
    driftwatch_run::run(model, reference, current, "p.jsonl", &config)
        .unwrap()
        .history
}

/// A history the log cannot have produced is refused at start.
#[test]
fn a_history_ahead_of_the_log_is_refused() {
    let f = Files::new();
    std::fs::write(
        f.dir.join("history.jsonl"),
        "{\"window\":3,\"label\":\"rows 60..80\",\"n_rows\":20}\n",
    )
    .unwrap();
    let e = AppState::load(&f.config(None)).unwrap_err().to_string();
    assert!(e.contains("not the pair this server wrote"), "{e}");
}

/// Sends one request (with the test's token when `auth`) and returns the status code
/// and the body.
async fn http(addr: SocketAddr, method: &str, path: &str, auth: bool, body: &str) -> (u16, String) {
    let token = if auth {
        "Authorization: Bearer s3cret\r\n"
    } else {
        ""
    };
    let headers = format!("{token}Content-Type: application/json\r\n");
    common::http(addr, method, path, &headers, body).await
}

/// A webhook receiver on a loopback port that answers its first call 503 (so the
/// sender must retry) and records the rest.
async fn receiver() -> (SocketAddr, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let got = Arc::clone(&got);
            move |body: axum::body::Bytes| {
                let got = Arc::clone(&got);
                let calls = Arc::clone(&calls);
                async move {
                    if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                        got.lock().unwrap().push(v);
                    }
                    StatusCode::OK
                }
            }
        }),
    );
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    (addr, got)
}

/// Polls `f` every 50 ms for up to 10 s.
async fn eventually<T>(mut f: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_close_alerts_fire_and_every_view_shows_them() {
    let f = Files::new();
    let (hook, got) = receiver().await;
    let mut config = f.config(Some(format!("http://{hook}/hook")));
    std::fs::write(f.dir.join("token"), "s3cret\n").unwrap();
    config.token_file = Some(f.dir.join("token"));
    let state = AppState::load(&config).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(listener, state, async {
        let _ = stopped.await;
    }));

    // Behind the token, and nothing closed yet.
    assert_eq!(http(addr, "GET", "/v1/monitor", false, "").await.0, 401);
    assert_eq!(http(addr, "GET", "/dashboard", false, "").await.0, 401);
    let (code, body) = http(addr, "GET", "/v1/monitor", true, "").await;
    assert_eq!(code, 200, "{body}");
    let j: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(j["live"]["closed_windows"], 0);
    assert_eq!(j["live"]["open_window"], Value::Null);

    // Window 0: the reference's distribution; window 1: x shifted by 30.
    for (i, shift) in [(0u64, 0.0), (1, 0.0), (2, 30.0), (3, 30.0)] {
        let data = rows(200 + i, 10, shift);
        let (code, body) = http(addr, "POST", "/v1/predict", true, &predict_body(&data)).await;
        assert_eq!(code, 200, "{body}");
        let r: PredictResponse = serde_json::from_str(&body).unwrap();
        let (code, body) = http(
            addr,
            "POST",
            "/v1/labels",
            true,
            &labels_body(&r, shift > 0.0),
        )
        .await;
        assert_eq!(code, 200, "{body}");
    }
    let report = eventually(async || {
        let (_, body) = http(addr, "GET", "/v1/monitor", true, "").await;
        let j: Value = serde_json::from_str(&body).ok()?;
        (j["live"]["closed_windows"] == 2).then_some(j)
    })
    .await;
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report-schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(report["model"], "fixture-forest@1.0.0");
    let windows = report["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2);
    assert_eq!(windows[1]["label"], "rows 20..40");
    assert_eq!(windows[1]["n_rows"], 20);
    assert!(
        windows[1]["drifted_columns"]
            .as_array()
            .unwrap()
            .contains(&json!("x"))
    );
    let alerts = report["alerts"].as_array().unwrap();
    let x_alert = alerts
        .iter()
        .find(|a| a["kind"] == "drift" && a["column"] == "x")
        .unwrap_or_else(|| panic!("no drift alert on x: {alerts:?}"));
    assert_eq!(x_alert["first_window"], 1);
    assert_eq!(x_alert["state"], "active");

    // The open window appears once it has rows.
    let data = rows(300, 5, 0.0);
    let (code, _) = http(addr, "POST", "/v1/predict", true, &predict_body(&data)).await;
    assert_eq!(code, 200);
    let j = eventually(async || {
        let (_, body) = http(addr, "GET", "/v1/monitor", true, "").await;
        let j: Value = serde_json::from_str(&body).ok()?;
        (j["live"]["open_window"] == 2).then_some(j)
    })
    .await;
    assert_eq!(j["windows"].as_array().unwrap().len(), 3);
    assert_eq!(j["windows"][2]["n_rows"], 5);
    assert_eq!(j["live"]["closed_windows"], 2);

    // /metrics: the request metrics and the CLI's gauges of the closed windows.
    let (code, text) = http(addr, "GET", "/metrics", false, "").await;
    assert_eq!(code, 200);
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).unwrap();
    let gauge = |name: &str, label: Option<(&str, &str)>| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Counter(v) => v,
                _ => f64::NAN,
            })
    };
    assert_eq!(gauge("driftwatch_predictions", None), Some(40.0));
    assert_eq!(gauge("driftwatch_predictions_total", None), Some(45.0));
    assert!(gauge("driftwatch_drifted_features", None).unwrap() >= 1.0);
    assert_eq!(
        gauge("driftwatch_drift_detected", Some(("feature", "x"))),
        Some(1.0)
    );
    let active: f64 = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "driftwatch_active_alerts")
        .filter_map(|s| match s.value {
            prometheus_parse::Value::Gauge(v) => Some(v),
            _ => None,
        })
        .sum();
    assert!(active >= 1.0, "{text}");

    // The dashboard is the CLI's HTML report.
    let (code, html) = http(addr, "GET", "/dashboard", true, "").await;
    assert_eq!(code, 200);
    assert!(html.contains("fixture-forest@1.0.0") && html.contains("<svg"));
    for section in driftwatch_monitor::html::SECTIONS {
        assert!(
            html.contains(&format!("id=\"{section}\"")),
            "no section {section}"
        );
    }
    if let Ok(dir) = std::env::var("DRIFTWATCH_SAVE_DASHBOARD") {
        std::fs::write(Path::new(&dir).join("dashboard.html"), &html).unwrap();
    }

    // The webhook heard the drift alert fire, after one refused attempt.
    let fired = eventually(async || {
        let got = got.lock().unwrap();
        got.iter()
            .find(|e| {
                e["event"] == "fire" && e["alert"]["column"] == "x" && e["alert"]["kind"] == "drift"
            })
            .cloned()
    })
    .await;
    assert_eq!(fired["model"], "fixture-forest@1.0.0");
    assert_eq!(fired["window"], 1);
    assert_eq!(fired["window_label"], "rows 20..40");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    // The history holds the two closed windows, as `monitor --history` writes them.
    assert_eq!(
        f.history().iter().map(|e| e.window).collect::<Vec<_>>(),
        [0, 1]
    );
}

/// Windows by time: a window closes once its span and the grace (the request timeout
/// and a second) have passed, labelled with its start as `monitor --every` labels it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_windows_close_after_their_span_and_the_grace() {
    let f = Files::new();
    let mut config = f.config(None);
    if let Some(m) = config.monitor.as_mut() {
        m.window = Some(WindowSpec::Every(3600));
    }
    let state = AppState::load(&config).unwrap();
    batch(&state, 0).await;
    batch(&state, 1).await;
    let live = state.live.as_ref().unwrap();
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Not yet: the hour has not passed.
    assert!(live.close_due(start + 10).is_empty());
    assert_eq!(live.closed_windows(), 0);
    let open = live.report_json().unwrap();
    assert_eq!(open["live"]["open_window"], 0);
    assert_eq!(open["windows"][0]["n_rows"], 20);
    // Two hours and the 11 s grace (10 s timeout + 1) later it is closed.
    live.close_due(start + 7200 + 11);
    assert_eq!(live.closed_windows(), 1);
    let h = f.history();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].n_rows, 20);
    let log =
        driftwatch_core::read_jsonl_path(&f.dir.join("p.jsonl"), &Default::default()).unwrap();
    let t0 = log.timestamps.unwrap()[0];
    let expected = driftwatch_monitor::window::time_label(i128::from(t0)).unwrap();
    assert_eq!(h[0].label, expected);
}
