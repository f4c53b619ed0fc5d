//! `POST /v1/labels`: delayed targets by request id, appended to a CSV with the header
//! `request_id,<target>` — the file `driftwatch monitor --current predictions.jsonl
//! --labels FILE` joins by request id. Every append is synced before the answer, so an
//! acknowledged label is on disk.

use std::io::Read;
use std::path::Path;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::appendlog::AppendLog;
use crate::error::{ApiError, Error, Result};
use crate::input::{check_request_id, too_many};
use crate::state::AppState;

/// The labels CSV.
#[derive(Debug)]
pub struct LabelsFile {
    log: AppendLog,
}

impl LabelsFile {
    /// Opens (creating, with its header) the labels file for the target column
    /// `target`; an existing file must have the same header.
    pub fn open(path: &Path, target: &str) -> Result<Self> {
        let io = |source| Error::Io {
            what: "labels file",
            path: path.to_path_buf(),
            source,
        };
        let header = csv_line(&["request_id", target]);
        let log = AppendLog::open(path, true).map_err(io)?;
        let mut first = String::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(4096)
            .read_to_string(&mut first)
            .map_err(io)?;
        match first.lines().next() {
            None => log.append(header.as_bytes()).map_err(io)?,
            Some(line)
                if format!("{line}\n") == header || line == format!("request_id,{target}") => {}
            Some(line) => {
                return Err(Error::Config(format!(
                    "labels file {} starts with '{line}', not the header 'request_id,{target}'",
                    path.display()
                )));
            }
        }
        Ok(LabelsFile { log })
    }
}

/// The body of `POST /v1/labels`.
#[derive(Debug, Deserialize)]
pub struct LabelsRequest {
    /// The labels.
    pub labels: Vec<Label>,
}

/// One delayed label.
#[derive(Debug, Deserialize)]
pub struct Label {
    /// The request id `POST /v1/predict` answered with.
    pub request_id: String,
    /// The true target: a class name or a number.
    pub label: Value,
}

/// The answer: how many labels were recorded.
#[derive(Debug, Serialize, Deserialize)]
pub struct LabelsResponse {
    /// Labels written (and synced).
    pub recorded: usize,
}

/// Handler of `POST /v1/labels`.
pub async fn handler(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<LabelsResponse>, ApiError> {
    let Some(file) = state.labels.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "labels are not recorded by this server: start it with --labels FILE",
        ));
    };
    let req: LabelsRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"labels\": [{{\"request_id\": ..., \"label\": ...}}]}}: {e}"
        ))
    })?;
    if req.labels.len() > state.limits.max_batch_rows {
        return Err(too_many(req.labels.len(), state.limits.max_batch_rows));
    }
    let mut text = String::new();
    let mut pairs = Vec::with_capacity(req.labels.len());
    for (i, l) in req.labels.iter().enumerate() {
        let bad = |m: &str| ApiError::bad_request(format!("label {}: {m}", i + 1));
        check_request_id(&l.request_id).map_err(|m| bad(&m))?;
        let label = match &l.label {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                return Err(bad(
                    "label must be a non-empty string, a number or a boolean",
                ));
            }
        };
        text.push_str(&csv_line(&[&l.request_id, &label]));
        pairs.push((l.request_id.clone(), label));
    }
    let n = req.labels.len();
    tokio::task::spawn_blocking(move || file.log.append(text.as_bytes()))
        .await
        .map_err(|_| ApiError::internal("writing the labels failed"))?
        .map_err(|e| ApiError::internal(format!("writing the labels file: {e}")))?;
    state.metrics.labels(n);
    if let Some(live) = &state.live {
        live.add_labels(pairs);
    }
    Ok(Json(LabelsResponse { recorded: n }))
}

/// One CSV line, fields quoted only where needed.
fn csv_line(fields: &[&str]) -> String {
    let mut s = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                (*f).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_written_once_and_checked() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::Runtime)?;
        let p = dir.path().join("labels.csv");
        LabelsFile::open(&p, "grade")?;
        LabelsFile::open(&p, "grade")?;
        assert_eq!(
            std::fs::read_to_string(&p).unwrap_or_default(),
            "request_id,grade\n"
        );
        assert!(LabelsFile::open(&p, "other").is_err());
        Ok(())
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_line(&["a", "b,\"c"]), "a,\"b,\"\"c\"\n");
    }
}
