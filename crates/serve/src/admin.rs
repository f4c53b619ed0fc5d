//! `/admin/` routes, behind their own bearer token (`--admin-token-file`): the predict
//! token does not open them and the admin token does not open `/v1/`.
//!
//! Without an admin token every `/admin/` route is refused (403), on loopback too: a
//! web page in a browser on the same machine can send a POST to `127.0.0.1` (no CORS
//! preflight for a plain POST), and so can any local user, so "loopback only" would
//! let them reload the model. SIGHUP stays available to whoever may signal the process.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, http::header::CONTENT_TYPE};
use serde::{Deserialize, Serialize};

use crate::auth;
use crate::error::ApiError;
use crate::reload::{ReloadReport, Trigger};
use crate::state::AppState;

/// The answer of a successful `POST /admin/reload`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReloadResponse {
    /// Always true (a refused reload is an error answer).
    pub reloaded: bool,
    /// What was swapped.
    #[serde(flatten)]
    pub report: ReloadReport,
}

/// The `/admin/` routes, each behind the admin token (or refused without one).
pub fn routes(state: &AppState) -> Router<AppState> {
    let r = Router::new().route("/admin/reload", post(reload));
    match state.admin_token.clone() {
        Some(token) => r.route_layer(from_fn_with_state(token, auth::require_token)),
        None => r.route_layer(from_fn(refuse)),
    }
}

/// Middleware without an admin token: 403 for every admin route.
async fn refuse(_req: Request, _next: Next) -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "admin routes are off: start the server with --admin-token-file FILE to use them \
         (or send the process SIGHUP to reload the model)",
    )
    .into_response()
}

/// `POST /admin/reload`: loads the configured model source again; 200 with what was
/// swapped, 422 with why the new model was refused (the old one keeps serving).
async fn reload(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Json<ReloadResponse>, ApiError> {
    if !body.is_empty() {
        let kind = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("a body");
        return Err(ApiError::bad_request(format!(
            "POST /admin/reload takes no body (got {kind}): it reloads the configured \
             --model file or store stage, and no request can name another file"
        )));
    }
    let Some(reloader) = state.reloader.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "this server was given a loaded model, not a file or store to reload from",
        ));
    };
    match reloader.reload(&state, Trigger::Admin).await {
        Ok(report) => Ok(Json(ReloadResponse {
            reloaded: true,
            report,
        })),
        Err(refused) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            refused.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use crate::auth::Token;
    use crate::config::Limits;
    use crate::routes::router;
    use crate::state::{AppState, Model};

    fn state() -> AppState {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/bundles/v1-forest.dwm"
        );
        let b =
            driftwatch_persist::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
        AppState::new(
            Model {
                header: b.header,
                pipeline: b.pipeline,
            },
            Limits::default(),
        )
    }

    async fn reload(state: AppState, auth: Option<&str>) -> (u16, String) {
        let mut req = Request::post("/admin/reload");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let req = req.body(Body::empty()).unwrap_or_else(|e| panic!("{e}"));
        let r = router(state)
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let status = r.status().as_u16();
        let body = r.into_body().collect().await.map(|b| b.to_bytes());
        let body = body.map(|b| String::from_utf8_lossy(&b).into_owned());
        (status, body.unwrap_or_default())
    }

    #[tokio::test]
    async fn without_an_admin_token_admin_routes_are_forbidden() {
        let (status, body) = reload(state(), None).await;
        assert_eq!(status, 403);
        assert!(body.contains("--admin-token-file"), "{body}");
    }

    #[tokio::test]
    async fn a_state_without_a_source_has_nothing_to_reload() -> crate::Result<()> {
        let mut s = state();
        s.admin_token = Some(Token::new("adm1n")?);
        assert_eq!(reload(s.clone(), None).await.0, 401);
        let (status, body) = reload(s, Some("Bearer adm1n")).await;
        assert_eq!(status, 409);
        assert!(body.contains("not a file or store"), "{body}");
        Ok(())
    }
}
