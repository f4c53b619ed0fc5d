//! Model reload on the real server (127.0.0.1:0, plain HTTP/1.1 over TCP): swaps under
//! load lose no request, refused bundles leave the old model serving, a store's stage
//! pointer is followed, and the admin token is separate from the predict token.
//!
//! The two versions are the `v1-forest.dwm` fixture (fixture-forest 1.0.0) and the
//! same model saved again as 1.1.0 / 1.2.0: the answers' `model.version` tells which
//! model answered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use driftwatch_persist::{BundleMeta, SaveOptions, Store, TargetInfo, TaskKind};
use driftwatch_serve::model_source::ModelLocation;
use driftwatch_serve::predict::PredictResponse;
use driftwatch_serve::{AppState, Error, ServeConfig, serve_on_watching};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use common::http;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundles/v1-forest.dwm")
}

/// The fixture model saved as `version` (optionally with another target name) at `out`.
fn save_version(out: &Path, version: &str, target: Option<&str>) {
    let b = driftwatch_persist::load(&fixture()).unwrap();
    let mut meta = BundleMeta::from(&b.header);
    meta.version = version.into();
    if let Some(t) = target {
        // The fixture's target is `grade`.
        meta.target = Some(TargetInfo {
            name: t.into(),
            kind: TaskKind::Classification,
            classes: vec!["high".into(), "low".into(), "mid".into()],
        });
    }
    let tmp = out.with_extension("tmp");
    driftwatch_persist::save(&tmp, &meta, &b.pipeline, &SaveOptions::default()).unwrap();
    // Replaced in one rename, as a deployment would, so a reload never reads half a file.
    std::fs::rename(&tmp, out).unwrap();
}

const CSV: &str = "x,y,z\n1,2,3\n-3,0,0\n";
const CSV_TYPE: &str = "Content-Type: text/csv\r\n";

async fn predict(addr: SocketAddr, auth: &str) -> (u16, Option<PredictResponse>) {
    let (status, body) = http(
        addr,
        "POST",
        "/v1/predict",
        &format!("{CSV_TYPE}{auth}"),
        CSV,
    )
    .await;
    (status, serde_json::from_str(&body).ok())
}

async fn reload(addr: SocketAddr, auth: &str) -> (u16, Value) {
    let (status, body) = http(addr, "POST", "/admin/reload", auth, "").await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn ready_model(addr: SocketAddr) -> String {
    let (_, body) = http(addr, "GET", "/readyz", "", "").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    v["model"].as_str().unwrap().to_string()
}

async fn metric(addr: SocketAddr, line_start: &str) -> f64 {
    let (_, body) = http(addr, "GET", "/metrics", "", "").await;
    body.lines()
        .find_map(|l| l.strip_prefix(line_start))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {line_start} in\n{body}"))
}

/// A running server and the switch that stops it.
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), Error>>,
}

impl Running {
    async fn start(config: &ServeConfig) -> Running {
        let state = AppState::load(config).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_on_watching(
            listener,
            state,
            config.watch_interval,
            async {
                let _ = stopped.await;
            },
        ));
        Running { addr, stop, task }
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

fn token(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{text}\n")).unwrap();
    p
}

const ADMIN: &str = "Authorization: Bearer adm1n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaps_under_load_answer_every_request_with_the_old_or_the_new_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.dwm");
    std::fs::copy(fixture(), &model).unwrap();
    let log = dir.path().join("predictions.jsonl");
    let mut config = ServeConfig::new(model.clone());
    config.admin_token_file = Some(token(dir.path(), "admin", "adm1n"));
    config.log = Some(log.clone());
    let server = Running::start(&config).await;
    let addr = server.addr;

    let running = Arc::new(AtomicBool::new(true));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let running = Arc::clone(&running);
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while running.load(Ordering::Relaxed) {
                    let (status, r) = predict(addr, "").await;
                    assert_eq!(status, 200, "a request failed during a reload");
                    let r = r.unwrap();
                    seen.push((r.model.version, r.request_ids));
                }
                seen
            })
        })
        .collect();

    let pause = Duration::from_millis(150);
    tokio::time::sleep(pause).await;
    for version in ["1.1.0", "1.2.0"] {
        save_version(&model, version, None);
        let (status, answer) = reload(addr, ADMIN).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["reloaded"], true);
        assert_eq!(answer["model"]["version"], version);
        assert_eq!(answer["changed"], true);
        // Once the reload has answered, every new request sees the new model.
        assert_eq!(ready_model(addr).await, format!("fixture-forest@{version}"));
        let (_, r) = predict(addr, "").await;
        assert_eq!(r.unwrap().model.version, version);
        tokio::time::sleep(pause).await;
    }
    running.store(false, Ordering::Relaxed);

    let mut answered = std::collections::HashMap::new();
    let mut total = 0;
    let mut versions_seen = std::collections::BTreeSet::new();
    for c in clients {
        let seen = c.await.unwrap();
        total += seen.len();
        let order = |v: &str| ["1.0.0", "1.1.0", "1.2.0"].iter().position(|x| *x == v);
        // Each client asks one request after another and the swaps only go forward,
        // so the versions one client sees never go back.
        let ranks: Vec<usize> = seen.iter().map(|(v, _)| order(v).unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
        for (v, ids) in seen {
            versions_seen.insert(v.clone());
            for id in ids.into_iter().flatten() {
                answered.insert(id, v.clone());
            }
        }
    }
    println!("{total} requests answered across two swaps");
    assert!(total >= 20, "only {total} requests ran during the swaps");
    // The clients ran before, between and after the swaps.
    assert!(
        versions_seen.contains("1.0.0") && versions_seen.contains("1.2.0"),
        "{versions_seen:?}"
    );
    assert_eq!(
        metric(addr, "driftwatch_reload_total{result=\"ok\"}").await,
        2.0
    );
    server.stop().await;

    // The log records each row with the model that answered it.
    let text = std::fs::read_to_string(&log).unwrap();
    let mut logged = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["request_id"].as_str().unwrap();
        if let Some(version) = answered.get(id) {
            assert_eq!(v["model"], format!("fixture-forest@{version}"), "{line}");
            logged += 1;
        }
    }
    assert_eq!(logged, answered.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_tampered_or_corrupt_bundles_are_refused_and_the_old_model_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.dwm");
    std::fs::copy(fixture(), &model).unwrap();
    let key = driftwatch_persist::generate_key().unwrap();
    let (_, public) =
        driftwatch_persist::write_key_pair(&dir.path().join("release"), &key).unwrap();
    driftwatch_persist::sign_file(&model, &key).unwrap();

    let mut config = ServeConfig::new(model.clone());
    config.verify_key = Some(public.clone());
    config.admin_token_file = Some(token(dir.path(), "admin", "adm1n"));
    let server = Running::start(&config).await;
    let addr = server.addr;
    assert_eq!(ready_model(addr).await, "fixture-forest@1.0.0");

    // A new bundle next to the old signature: signed by nobody for these bytes.
    save_version(&model, "1.1.0", None);
    let (status, answer) = reload(addr, ADMIN).await;
    assert_eq!(status, 422, "{answer}");
    let why = answer["error"].as_str().unwrap();
    assert!(
        why.starts_with(
            "reload refused, still serving fixture-forest@1.0.0: loading signed model bundle"
        ),
        "{why}"
    );
    assert!(why.contains("failed signature verification"), "{why}");
    // No signature at all.
    std::fs::remove_file(driftwatch_persist::signature_path(&model)).unwrap();
    let (status, answer) = reload(addr, ADMIN).await;
    assert_eq!(status, 422);
    assert!(
        answer["error"].as_str().unwrap().contains("is not signed"),
        "{answer}"
    );
    // Truncated bytes, signed so that the signature holds and the bundle check refuses.
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(&model, &bytes[..bytes.len() / 2]).unwrap();
    let _ = driftwatch_persist::sign_file(&model, &key); // refuses a damaged bundle
    let (status, answer) = reload(addr, ADMIN).await;
    assert_eq!(status, 422);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("still serving fixture-forest@1.0.0")
    );

    let (status, r) = predict(addr, "").await;
    assert_eq!(status, 200);
    assert_eq!(r.unwrap().model.version, "1.0.0");
    assert_eq!(
        metric(addr, "driftwatch_reload_total{result=\"refused\"}").await,
        3.0
    );

    // Signed properly, the new version goes in.
    save_version(&model, "1.1.0", None);
    driftwatch_persist::sign_file(&model, &key).unwrap();
    let (status, answer) = reload(addr, ADMIN).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["previous"]["version"], "1.0.0");
    assert_eq!(answer["model"]["version"], "1.1.0");
    let (_, body) = http(addr, "GET", "/v1/model", "", "").await;
    let header: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(header["version"], "1.1.0");
    assert_eq!(
        metric(addr, "driftwatch_reload_total{result=\"ok\"}").await,
        1.0
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_with_another_target_is_refused_while_labels_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.dwm");
    std::fs::copy(fixture(), &model).unwrap();
    let mut config = ServeConfig::new(model.clone());
    config.labels = Some(dir.path().join("labels.csv"));
    config.admin_token_file = Some(token(dir.path(), "admin", "adm1n"));
    let server = Running::start(&config).await;
    save_version(&model, "1.1.0", Some("quality"));
    let (status, answer) = reload(server.addr, ADMIN).await;
    assert_eq!(status, 422);
    let why = answer["error"].as_str().unwrap();
    assert!(
        why.contains("predicts target 'quality' but the labels file records 'grade'"),
        "{why}"
    );
    assert_eq!(ready_model(server.addr).await, "fixture-forest@1.0.0");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stage_pointer_is_followed_and_an_unsigned_version_is_refused_once() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let store = Store::new(&store_dir);
    let key = driftwatch_persist::generate_key().unwrap();
    let (_, public) =
        driftwatch_persist::write_key_pair(&dir.path().join("release"), &key).unwrap();
    let build = dir.path().join("build");
    std::fs::create_dir(&build).unwrap();
    for (v, signed) in [("1.0.0", true), ("1.1.0", true), ("1.2.0", false)] {
        let f = build.join(format!("{v}.dwm"));
        save_version(&f, v, None);
        if signed {
            driftwatch_persist::sign_file(&f, &key).unwrap();
        }
        store.push(&f, Some("iris"), None).unwrap();
    }
    store.promote("iris", "1.0.0", "production").unwrap();

    let mut config = ServeConfig::new(ModelLocation::Store {
        dir: store_dir.clone(),
        name: "iris".into(),
        stage: "production".into(),
    });
    config.verify_key = Some(public);
    config.watch_interval = Duration::from_millis(40);
    let server = Running::start(&config).await;
    let addr = server.addr;
    assert_eq!(ready_model(addr).await, "fixture-forest@1.0.0");

    async fn wait_for(addr: SocketAddr, want: &str) {
        let start = Instant::now();
        while ready_model(addr).await != want {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "never served {want}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    store.promote("iris", "1.1.0", "production").unwrap();
    wait_for(addr, "fixture-forest@1.1.0").await;
    let (_, r) = predict(addr, "").await;
    assert_eq!(r.unwrap().model.version, "1.1.0");

    // The unsigned version is refused by the watcher, once, and 1.1.0 keeps serving.
    store.promote("iris", "1.2.0", "production").unwrap();
    let start = Instant::now();
    while metric(addr, "driftwatch_reload_total{result=\"refused\"}").await < 1.0 {
        assert!(start.elapsed() < Duration::from_secs(5), "never refused");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // several more intervals
    assert_eq!(
        metric(addr, "driftwatch_reload_total{result=\"refused\"}").await,
        1.0
    );
    assert_eq!(ready_model(addr).await, "fixture-forest@1.1.0");
    // A rollback is a pointer move too.
    store.promote("iris", "1.0.0", "production").unwrap();
    wait_for(addr, "fixture-forest@1.0.0").await;
    assert_eq!(
        metric(addr, "driftwatch_reload_total{result=\"ok\"}").await,
        2.0
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_predict_tokens_open_only_their_own_routes() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServeConfig::new(fixture());
    config.token_file = Some(token(dir.path(), "predict", "pr3dict"));
    config.admin_token_file = Some(token(dir.path(), "admin", "adm1n"));
    let server = Running::start(&config).await;
    let addr = server.addr;
    let predict_auth = "Authorization: Bearer pr3dict\r\n";

    assert_eq!(reload(addr, "").await.0, 401);
    assert_eq!(reload(addr, predict_auth).await.0, 401);
    assert_eq!(predict(addr, ADMIN).await.0, 401);
    assert_eq!(predict(addr, "").await.0, 401);
    assert_eq!(predict(addr, predict_auth).await.0, 200);
    let (status, answer) = reload(addr, ADMIN).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["changed"], false);
    // No request names a file: a body is refused, whatever it says.
    let (status, body) = http(
        addr,
        "POST",
        "/admin/reload",
        &format!("{ADMIN}Content-Type: application/json\r\n"),
        r#"{"model": "/etc/passwd"}"#,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("takes no body"), "{body}");
    server.stop().await;

    // Without an admin token, /admin/ is off even on loopback.
    let server = Running::start(&ServeConfig::new(fixture())).await;
    let (status, answer) = reload(server.addr, "").await;
    assert_eq!(status, 403);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("--admin-token-file")
    );
    server.stop().await;

    // One token for both roles is refused at start.
    let mut same = ServeConfig::new(fixture());
    same.token_file = Some(token(dir.path(), "p2", "same"));
    same.admin_token_file = Some(token(dir.path(), "a2", "same"));
    let e = AppState::load(&same).unwrap_err();
    assert!(e.to_string().contains("admin token is the same"), "{e}");
}

#[test]
fn an_unsigned_bundle_with_a_verify_key_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let key = driftwatch_persist::generate_key().unwrap();
    let (_, public) = driftwatch_persist::write_key_pair(&dir.path().join("k"), &key).unwrap();
    let mut config = ServeConfig::new(fixture());
    config.verify_key = Some(public);
    let e = AppState::load(&config).unwrap_err().to_string();
    assert!(
        e.contains("loading signed model bundle") && e.contains("is not signed"),
        "{e}"
    );
}
