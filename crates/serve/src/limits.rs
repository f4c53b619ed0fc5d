//! Concurrency and time limits as one middleware: a request over the concurrency
//! limit is refused at once with 503 (a queue would only grow under overload), and a
//! request slower than the timeout is answered 503 (its work is dropped).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The shared permits and the timeout.
#[derive(Debug, Clone)]
pub struct Gate {
    permits: Arc<Semaphore>,
    timeout: Duration,
}

impl Gate {
    /// At most `max_concurrent` requests at once, each at most `timeout`.
    pub fn new(max_concurrent: usize, timeout: Duration) -> Self {
        Gate {
            permits: Arc::new(Semaphore::new(max_concurrent)),
            timeout,
        }
    }
}

/// Middleware: 503 when all permits are taken or the request times out.
pub async fn gate(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let Ok(_permit) = gate.permits.clone().try_acquire_owned() else {
        let mut r = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many requests in flight; retry shortly",
        )
        .into_response();
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("1"),
        );
        return r;
    };
    match tokio::time::timeout(gate.timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {:?}", gate.timeout),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A route that takes `ms` milliseconds, behind a gate of `max` permits.
    fn slow(max: usize, ms: u64, timeout: Duration) -> Router {
        Router::new()
            .route(
                "/",
                get(move || async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    "done"
                }),
            )
            .layer(from_fn_with_state(Gate::new(max, timeout), gate))
    }

    fn get_root() -> axum::http::Request<Body> {
        axum::http::Request::get("/")
            .body(Body::empty())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_request_over_the_concurrency_limit_is_503_at_once() {
        let app = slow(1, 300, Duration::from_secs(5));
        let first = tokio::spawn(app.clone().oneshot(get_root()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = app.clone().oneshot(get_root()).await;
        assert_eq!(
            second.map(|r| r.status()).ok(),
            Some(StatusCode::SERVICE_UNAVAILABLE)
        );
        let first = first.await.ok().and_then(|r| r.ok()).map(|r| r.status());
        assert_eq!(first, Some(StatusCode::OK));
        // The permit is back.
        let third = app.oneshot(get_root()).await.map(|r| r.status()).ok();
        assert_eq!(third, Some(StatusCode::OK));
    }

    #[tokio::test]
    async fn a_slow_request_is_503_after_the_timeout() {
        let app = slow(4, 1_000, Duration::from_millis(50));
        let r = app.oneshot(get_root()).await.map(|r| r.status()).ok();
        assert_eq!(r, Some(StatusCode::SERVICE_UNAVAILABLE));
    }
}
