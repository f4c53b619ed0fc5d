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
