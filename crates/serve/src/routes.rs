//! The router: which path goes to which handler, behind which middleware.
//!
//! Layers, outermost first: metrics (so refused requests are counted too), the
//! concurrency and time gate, the body size limit, and the bearer token on `/v1/`
//! routes and `/dashboard` only (health checks and `/metrics` stay open for probes and
//! scrapers); the `/admin/` routes have their own token (`admin.rs`).

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::limits::Gate;
use crate::state::AppState;
use crate::{admin, auth, labels, limits, live, metrics, predict};

/// The whole service for `state`.
pub fn router(state: AppState) -> Router {
    let mut v1 = Router::new()
        .route("/v1/predict", post(predict::handler))
        .route("/v1/labels", post(labels::handler))
        .route("/v1/model", get(model))
        .route("/v1/monitor", get(live::routes::monitor))
        .route("/dashboard", get(live::routes::dashboard));
    if let Some(token) = state.token.clone() {
        v1 = v1.route_layer(from_fn_with_state(token, auth::require_token));
    }
    let gate = Gate::new(state.limits.max_concurrent, state.limits.timeout);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .merge(v1)
        .merge(admin::routes(&state))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(from_fn_with_state(gate, limits::gate))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

/// Liveness: the process answers.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the model is loaded (it is before the server listens); names the model
/// serving now (after a reload, the new one).
async fn readyz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ready", "model": state.model().id()}))
}

/// The serving model's header: name, version, schema, target, card fields.
async fn model(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(&state.model().header)
        .map(Json)
        .map_err(|e| ApiError::internal(format!("describing the model: {e}")))
}

/// Prometheus text exposition: the request metrics, then (with live monitoring) the
/// gauges of the closed windows, as the CLI's `--prometheus` file has them.
async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    if let Some(live) = &state.live {
        text.push_str(&live.prometheus());
    }
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// 404 as JSON, like every other error.
async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such endpoint")
}
