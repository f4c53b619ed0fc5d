//! Errors: [`Error`] stops the server from starting; [`ApiError`] is one request's
//! answer (a status and a JSON body with a message), never a panic.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bundle could not be loaded or failed its checks.
    #[error("loading model bundle {path}: {source}")]
    Bundle {
        /// The bundle file.
        path: PathBuf,
        /// What went wrong (boxed: the persist error is large).
        source: Box<driftwatch_persist::Error>,
    },
    /// A model could not be found, read or verified (store lookup, signature, key).
    #[error("{context}: {source}")]
    Model {
        /// What was being done, naming the file or the store reference.
        context: String,
        /// What went wrong (boxed: the persist error is large).
        source: Box<driftwatch_persist::Error>,
    },
    /// A file named in the configuration cannot be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What the file is for, e.g. `prediction log`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A configuration value is unusable.
    #[error("{0}")]
    Config(String),
    /// A non-loopback address without a token and without `--insecure`.
    #[error(
        "refusing to listen on {0} without a token: give --token-file, listen on a \
         loopback address, or pass --insecure to serve anyone who can reach it"
    )]
    Insecure(SocketAddr),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Live monitoring cannot start: its reference, config, history or log is unusable.
    #[error("live monitoring: {what}: {source}")]
    Monitor {
        /// What was being read or checked (names the file).
        what: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The async runtime or the server loop failed.
    #[error("server: {0}")]
    Runtime(std::io::Error),
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem with one input value (the schema's rule it breaks).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Problem {
    /// 1-based row of the request; `None` for a whole-column problem.
    pub row: Option<usize>,
    /// The column.
    pub column: String,
    /// The offending value as text (empty for a whole-column problem).
    pub value: String,
    /// The rule, e.g. `required`, `min 0`, `kind numeric`.
    pub rule: String,
}

impl From<&driftwatch_core::Violation> for Problem {
    fn from(v: &driftwatch_core::Violation) -> Self {
        Problem {
            row: v.row,
            column: v.column.clone(),
            value: v.value.clone(),
            rule: v.rule.clone(),
        }
    }
}

/// A failed request: the status, a message, and the input problems when there are.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status (always 4xx or 5xx).
    pub status: StatusCode,
    /// What went wrong, for a person.
    pub message: String,
    /// Every input problem found (422 answers).
    pub problems: Vec<Problem>,
}

impl ApiError {
    /// An answer with a status and a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// 400: the body cannot be read as the endpoint's input.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 500: the server failed (the message says how, without internals of the input).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// The JSON body of an error answer.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "<[Problem]>::is_empty")]
    problems: &'a [Problem],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: &self.message,
            problems: &self.problems,
        };
        (self.status, Json(body)).into_response()
    }
}
