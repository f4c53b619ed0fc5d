//! The server's endpoints through the router (`tower::ServiceExt::oneshot`, no socket),
//! on the `v1-forest.dwm` fixture: numeric columns x, y, z; classes high, low, mid.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use driftwatch_core::{ReadOptions, read_csv, read_jsonl_path};
use driftwatch_serve::predict::PredictResponse;
use driftwatch_serve::state::Model;
use driftwatch_serve::{AppState, Limits, ServeConfig, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundles/v1-forest.dwm")
}

fn model() -> Model {
    let b = driftwatch_persist::load(&fixture()).unwrap();
    Model {
        header: b.header,
        pipeline: b.pipeline,
    }
}

/// The fixture with rules to break: x >= -10, y not missing.
fn strict_state() -> AppState {
    let mut m = model();
    for c in &mut m.header.schema.columns {
        if c.name == "x" {
            c.min = Some(-10.0);
        }
        if c.name == "y" {
            c.nullable = false;
        }
    }
    AppState::new(m, Limits::default())
}

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let r = router(state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, body)
}

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

fn json_post(path: &str, v: &Value) -> Request<Body> {
    post(path, "application/json", v.to_string())
}

const CSV: &str = "x,y,z\n-3,0,0\n-1,1,3\n0.5,2.5,1\n2,4,2\n6,9,-5\n0,0.1,0.5\n";

fn probe_rows() -> Value {
    let rows: Vec<Value> = CSV
        .lines()
        .skip(1)
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|c| c.parse().unwrap()).collect();
            json!({"x": v[0], "y": v[1], "z": v[2]})
        })
        .collect();
    json!({ "rows": rows })
}

#[tokio::test]
async fn predict_rows_equal_the_library_prediction() {
    let state = AppState::new(model(), Limits::default());
    let (status, body) = call(&state, json_post("/v1/predict", &probe_rows())).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let r: PredictResponse = serde_json::from_slice(&body).unwrap();

    // What `driftwatch predict` does with the same rows.
    let m = model();
    let data = read_csv(CSV.as_bytes(), "probe", &ReadOptions::default()).unwrap();
    let valid = driftwatch_run::validate_rows(&m.header.schema, &data, "probe").unwrap();
    let want = m.pipeline.predict(&valid.frame).unwrap().to_strings();
    let proba = m.pipeline.predict_proba(&valid.frame).unwrap().unwrap();

    let got: Vec<String> = r
        .predictions
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    let probs = r.probabilities.unwrap();
    for (i, p) in probs.iter().enumerate() {
        let p = p.as_ref().unwrap();
        for (j, c) in proba.classes.iter().enumerate() {
            assert_eq!(p[c], proba.values[[i, j]]);
        }
    }
    assert_eq!(r.model.name, "fixture-forest");
    assert_eq!(r.invalid, 0);
    assert!(r.request_ids.iter().all(Option::is_some));
    assert!(r.rows.iter().all(|s| s.status == "ok"));
}

#[tokio::test]
async fn csv_and_columns_bodies_answer_like_rows() {
    let state = AppState::new(model(), Limits::default());
    let (_, rows) = call(&state, json_post("/v1/predict", &probe_rows())).await;
    let (s, csv) = call(&state, post("/v1/predict", "text/csv", CSV)).await;
    assert_eq!(s, StatusCode::OK);
    let cols = json!({"columns": {
        "x": [-3, -1, 0.5, 2, 6, 0], "y": [0, 1, 2.5, 4, 9, 0.1], "z": [0, 3, 1, 2, -5, 0.5]
    }});
    let (s, columns) = call(&state, json_post("/v1/predict", &cols)).await;
    assert_eq!(s, StatusCode::OK);
    let preds = |b: &[u8]| {
        serde_json::from_slice::<PredictResponse>(b)
            .unwrap()
            .predictions
    };
    assert_eq!(preds(&rows), preds(&csv));
    assert_eq!(preds(&rows), preds(&columns));
}

#[tokio::test]
async fn all_invalid_rows_are_422_with_every_problem() {
    let state = strict_state();
    let body = json!({"rows": [{"x": -50, "y": 1, "z": 0}, {"x": 1, "y": null, "z": 0}]});
    let (s, b) = call(&state, json_post("/v1/predict", &body)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_slice(&b).unwrap();
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{v}");
    assert_eq!(problems[0]["row"], 1);
    assert_eq!(problems[0]["column"], "x");
    assert_eq!(problems[1]["row"], 2);
    assert_eq!(problems[1]["column"], "y");

    // A missing column is a whole-column problem.
    let (s, b) = call(
        &state,
        json_post("/v1/predict", &json!({"rows": [{"x": 1}]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert!(!v["problems"].as_array().unwrap().is_empty(), "{v}");
}

#[tokio::test]
async fn a_mixed_batch_answers_the_valid_rows_and_marks_the_others() {
    let state = strict_state();
    let body = json!({"rows": [
        {"x": 1, "y": 1, "z": 0}, {"x": -50, "y": 1, "z": 0}, {"x": 2, "y": 3, "z": 1}
    ]});
    let (s, b) = call(&state, json_post("/v1/predict", &body)).await;
    assert_eq!(s, StatusCode::OK);
    let r: PredictResponse = serde_json::from_slice(&b).unwrap();
    assert_eq!(r.invalid, 1);
    let status: Vec<&str> = r.rows.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(status, ["ok", "invalid", "ok"]);
    assert_eq!(r.rows[1].problems[0].column, "x");
    assert!(r.predictions[1].is_null());
    assert!(r.request_ids[1].is_none());
    assert!(r.predictions[0].is_string() && r.predictions[2].is_string());
}

#[tokio::test]
async fn hostile_bodies_are_4xx_with_a_message() {
    let state = AppState::new(model(), Limits::default());
    for body in [
        "{",
        "null",
        r#"{"rows": "x"}"#,
        r#"{"rows": [{"x": 1e999, "y": 1, "z": 1}]}"#,
        r#"{"rows": [{"x": [1], "y": 1, "z": 1}]}"#,
        r#"{"rows": []}"#,
        r#"{"labels": 3}"#,
    ] {
        let (s, b) = call(&state, post("/v1/predict", "application/json", body)).await;
        assert!(s.is_client_error(), "{body}: {s}");
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert!(v["error"].is_string(), "{body}");
    }
    // "NaN" in a numeric column is a value the schema refuses, not a crash.
    let (s, _) = call(
        &state,
        json_post(
            "/v1/predict",
            &json!({"rows": [{"x": "NaN", "y": 1, "z": 1}]}),
        ),
    )
    .await;
    assert!(s.is_client_error() || s == StatusCode::OK, "{s}");
    let (s, _) = call(&state, post("/v1/predict", "text/xml", "<a/>")).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn bodies_and_batches_over_the_limits_are_413() {
    let limits = Limits {
        max_body_bytes: 200,
        max_batch_rows: 2,
        ..Limits::default()
    };
    let state = AppState::new(model(), limits);
    let big = format!("x,y,z\n{}", "1,1,1\n".repeat(100));
    let (s, _) = call(&state, post("/v1/predict", "text/csv", big)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _) = call(
        &state,
        post("/v1/predict", "text/csv", "x,y,z\n1,1,1\n2,2,2\n3,3,3\n"),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_token_is_required_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let mut config = ServeConfig::new(fixture());
    config.token_file = Some(token);
    let state = AppState::load(&config).unwrap();
    let (s, _) = call(&state, json_post("/v1/predict", &probe_rows())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let mut req = json_post("/v1/predict", &probe_rows());
    req.headers_mut()
        .insert("authorization", "Bearer wrong".parse().unwrap());
    assert_eq!(call(&state, req).await.0, StatusCode::UNAUTHORIZED);
    let mut req = json_post("/v1/predict", &probe_rows());
    req.headers_mut()
        .insert("authorization", "Bearer s3cret".parse().unwrap());
    assert_eq!(call(&state, req).await.0, StatusCode::OK);
    // Probes stay open.
    let (s, _) = call(
        &state,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text() {
    let state = AppState::new(model(), Limits::default());
    call(&state, json_post("/v1/predict", &probe_rows())).await;
    call(&state, post("/v1/predict", "application/json", "{")).await;
    let (s, b) = call(
        &state,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(b).unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let count = |status: &str| {
        scrape
            .samples
            .iter()
            .filter(|s| {
                s.metric == "driftwatch_http_requests_total"
                    && s.labels.get("route") == Some("/v1/predict")
                    && s.labels.get("status") == Some(status)
            })
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
            .sum::<f64>()
    };
    assert_eq!(count("200"), 1.0);
    assert_eq!(count("400"), 1.0);
    assert!(
        scrape
            .samples
            .iter()
            .any(|s| s.metric == "driftwatch_http_request_duration_seconds")
    );
}

#[tokio::test]
async fn the_log_reads_back_with_cores_reader_and_labels_join_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("predictions.jsonl");
    let labels = dir.path().join("labels.csv");
    let mut config = ServeConfig::new(fixture());
    config.log = Some(log.clone());
    config.labels = Some(labels.clone());
    let state = AppState::load(&config).unwrap();
    let (s, b) = call(&state, json_post("/v1/predict", &probe_rows())).await;
    assert_eq!(s, StatusCode::OK);
    let r: PredictResponse = serde_json::from_slice(&b).unwrap();

    let back = read_jsonl_path(&log, &ReadOptions::default()).unwrap();
    let ids: Vec<Option<String>> = r.request_ids.clone();
    assert_eq!(back.request_ids, ids);
    let preds: Vec<String> = r
        .predictions
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert_eq!(back.predictions.to_strings(), preds);
    assert_eq!(back.inputs.n_rows(), 6);

    let first = ids[0].clone().unwrap();
    let body = json!({"labels": [{"request_id": first, "label": "high"}]});
    let (s, b) = call(&state, json_post("/v1/labels", &body)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let frame = read_csv(
        std::fs::read(&labels).unwrap().as_slice(),
        "labels",
        &ReadOptions {
            categorical: vec!["request_id".into(), "grade".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(frame.column("request_id").unwrap().display_value(0), first);
    assert_eq!(frame.column("grade").unwrap().display_value(0), "high");

    let (s, _) = call(
        &state,
        json_post("/v1/labels", &json!({"labels": [{"request_id": "a"}]})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn model_health_and_unknown_paths() {
    let state = AppState::new(model(), Limits::default());
    let (s, b) = call(
        &state,
        Request::get("/v1/model").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["name"], "fixture-forest");
    assert!(v["schema"]["columns"].is_array());
    let (s, _) = call(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(&state, Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&state, json_post("/v1/labels", &json!({"labels": []}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn client_request_ids_reach_the_answer_the_log_and_the_labels() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("predictions.jsonl");
    let labels = dir.path().join("labels.csv");
    let mut config = ServeConfig::new(fixture());
    config.log = Some(log.clone());
    config.labels = Some(labels.clone());
    let state = AppState::load(&config).unwrap();
    // Row 2 has no id of its own: the server gives it one.
    let body = json!({"rows": [
        {"request_id": "order-1", "x": 1, "y": 2, "z": 3},
        {"x": -3, "y": 0, "z": 0},
        {"request_id": "order-3", "x": 0.5, "y": 2.5, "z": 1}
    ]});
    let (s, b) = call(&state, json_post("/v1/predict", &body)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let r: PredictResponse = serde_json::from_slice(&b).unwrap();
    assert_eq!(r.request_ids[0].as_deref(), Some("order-1"));
    assert_eq!(r.request_ids[2].as_deref(), Some("order-3"));
    let server_id = r.request_ids[1].clone().unwrap();
    assert!(server_id.contains('-') && server_id != "order-1");
    // `request_id` is not a feature: the answer equals the one without ids.
    let plain = json!({"rows": [{"x": 1, "y": 2, "z": 3}]});
    let (_, b) = call(&state, json_post("/v1/predict", &plain)).await;
    let p: PredictResponse = serde_json::from_slice(&b).unwrap();
    assert_eq!(p.predictions[0], r.predictions[0]);

    // The header names a one-row request's id.
    let req = Request::post("/v1/predict")
        .header("content-type", "text/csv")
        .header("x-request-id", "order-4")
        .body(Body::from("x,y,z\n2,4,2\n"))
        .unwrap();
    let (s, b) = call(&state, req).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let h: PredictResponse = serde_json::from_slice(&b).unwrap();
    assert_eq!(h.request_ids, [Some("order-4".to_string())]);

    let back = read_jsonl_path(&log, &ReadOptions::default()).unwrap();
    let mut want = r.request_ids.clone();
    want.extend(p.request_ids.clone());
    want.extend(h.request_ids.clone());
    assert_eq!(back.request_ids, want);
    assert!(!back.inputs.names().iter().any(|n| n == "request_id"));

    // Labels join by the client's id; a bad id is refused, an unknown one recorded.
    let body = json!({"labels": [
        {"request_id": "order-3", "label": "low"},
        {"request_id": "never-served", "label": "mid"}
    ]});
    let (s, _) = call(&state, json_post("/v1/labels", &body)).await;
    assert_eq!(s, StatusCode::OK);
    let bad = json!({"labels": [{"request_id": "a,b", "label": "low"}]});
    let (s, _) = call(&state, json_post("/v1/labels", &bad)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        std::fs::read_to_string(&labels).unwrap(),
        "request_id,grade\norder-3,low\nnever-served,mid\n"
    );

    // Duplicates within a request: 400, nothing logged.
    let dup = json!({"rows": [
        {"request_id": "d", "x": 1, "y": 2, "z": 3},
        {"request_id": "d", "x": 1, "y": 2, "z": 3}
    ]});
    let (s, b) = call(&state, json_post("/v1/predict", &dup)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&b).contains("rows 1 and 2"));
    let after = read_jsonl_path(&log, &ReadOptions::default()).unwrap();
    assert_eq!(after.request_ids.len(), want.len());
}
