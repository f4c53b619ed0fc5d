//! `GET /v1/monitor` and `GET /dashboard`: the live report as JSON and HTML, computed on
//! the blocking pool (a pass over the open window can take a while) and cached by
//! [`super::LiveMonitor::view`]. Without `--reference` both answer 404.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::LiveMonitor;
use crate::error::ApiError;
use crate::state::AppState;

fn live(state: &AppState) -> Result<Arc<LiveMonitor>, ApiError> {
    state.live.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "live monitoring is off: start the server with --reference FILE and --log FILE",
        )
    })
}

/// Handler of `GET /v1/monitor`.
pub async fn monitor(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let live = live(&state)?;
    tokio::task::spawn_blocking(move || live.report_json())
        .await
        .map_err(|_| ApiError::internal("the monitoring report failed"))?
        .map(Json)
        .map_err(|e| ApiError::internal(format!("the monitoring report: {e}")))
}

/// Handler of `GET /dashboard`.
pub async fn dashboard(State(state): State<AppState>) -> Result<Response, ApiError> {
    let live = live(&state)?;
    let html = tokio::task::spawn_blocking(move || live.dashboard())
        .await
        .map_err(|_| ApiError::internal("the dashboard failed"))?
        .map_err(|e| ApiError::internal(format!("the dashboard: {e}")))?;
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
