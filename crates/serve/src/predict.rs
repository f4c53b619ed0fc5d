//! `POST /v1/predict`: validate the rows with the schema, predict the valid ones, log
//! them, and answer per input row.
//!
//! Answer shape: `predictions`, `probabilities` and `request_ids` have one entry per
//! input row, `null` for an invalid row; `rows[i]` is `{"row": i+1, "status": "ok"}`
//! or `{"row": i+1, "status": "invalid", "problems": [...]}`. A batch with at least one
//! valid row is 200 (its invalid rows marked); a batch with none, or with a problem in
//! a whole column (missing, wrong kind), is 422 with every problem.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use driftwatch_core::{Frame, LoggedCall, Prediction, Target, write_prediction_log};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, Problem};
use crate::input::{Format, REQUEST_ID_HEADER, parse, take_request_ids};
use crate::state::{AppState, Model};

/// The model that answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelId {
    /// Bundle name.
    pub name: String,
    /// Bundle version.
    pub version: String,
}

/// One input row's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowStatus {
    /// 1-based row of the request.
    pub row: usize,
    /// `ok` or `invalid`.
    pub status: String,
    /// What is wrong with an invalid row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// The answer of `POST /v1/predict` (see the module doc for the shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictResponse {
    /// The model.
    pub model: ModelId,
    /// Per input row: the class label (string) or value (number); `null` if invalid.
    pub predictions: Vec<Value>,
    /// Per input row: class -> probability, when the model gives probabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<Vec<Option<BTreeMap<String, f64>>>>,
    /// Per input row: the id to send its label with; `null` if invalid.
    pub request_ids: Vec<Option<String>>,
    /// Per input row: `ok` or `invalid` with its problems.
    pub rows: Vec<RowStatus>,
    /// How many rows were invalid.
    pub invalid: usize,
}

/// Handler of `POST /v1/predict`.
pub async fn handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PredictResponse>, ApiError> {
    let format = Format::of(
        headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )?;
    let header_id = match headers.get(REQUEST_ID_HEADER) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::bad_request("the X-Request-Id header is not text"))?
                .to_string(),
        ),
    };
    let st = state.clone();
    // One snapshot for the whole request: a reload meanwhile does not change which
    // model parses, predicts, answers and is logged.
    let model = state.model();
    let small = body.len() <= INLINE_BODY_BYTES;
    // Parsing, predicting and the log's one write happen in one job on the CPU pool.
    let response = on_cpu_pool(small, move || {
        let mut frame = parse(
            &body,
            format,
            &model.header.schema,
            st.limits.max_batch_rows,
        )?;
        let ids = take_request_ids(&mut frame, header_id.as_deref())?;
        let (response, log_lines) = predict_with(&st, &model, &frame, &ids)?;
        if let (Some(log), Some(lines)) = (&st.log, log_lines) {
            log.append_then(&lines, |b| {
                if let Some(l) = &st.live {
                    l.feed(b);
                }
            })
            .map_err(|e| ApiError::internal(format!("writing the prediction log: {e}")))?;
        }
        Ok(response)
    })
    .await?;
    state
        .metrics
        .rows(response.rows.len() - response.invalid, response.invalid);
    Ok(Json(response))
}

/// Bodies up to this size (a few rows) are predicted on the async thread that read
/// them: tens of microseconds, less than handing them to another thread costs.
pub const INLINE_BODY_BYTES: usize = 8 * 1024;

thread_local! {
    /// A one-thread rayon pool whose only thread is this one, so that the forest's
    /// rayon calls run inline here instead of waking rayon's global pool.
    static INLINE_POOL: Option<rayon::ThreadPool> = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .ok();
}

/// The pool larger requests are predicted on (as many threads as cores), built once.
fn cpu_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("predict-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `work` where it costs least and returns its result: `small` work right here,
/// other work on the predict pool.
///
/// Why: the forest predicts with rayon, and rayon called from a thread outside its
/// pool hands the work to a pool thread and sleeps until it is done. With
/// `spawn_blocking` a single-row request paid three or four thread hand-offs (tokio's
/// blocking pool, rayon's, the log write's), which `perf` showed to be most of the
/// server's time under `cargo xtask loadtest`. Small work now runs on the async thread
/// inside that thread's own one-thread rayon pool (the forest runs inline: no
/// hand-off); larger work runs on the predict pool's threads, where the forest also
/// runs inline and may use the pool's other threads (one hand-off each way). A panic
/// in `work` is answered 500 (rayon would abort the process).
pub async fn on_cpu_pool<T: Send + 'static>(
    small: bool,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    if small && INLINE_POOL.with(Option::is_some) {
        return INLINE_POOL.with(|pool| match pool {
            Some(pool) => {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.install(work)))
                    .unwrap_or_else(|_| Err(ApiError::internal("the prediction failed")))
            }
            None => Err(ApiError::internal("the prediction failed")),
        });
    }
    let Some(pool) = cpu_pool() else {
        return Err(ApiError::internal("no thread pool to predict on"));
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    // `pool.spawn`, not `rayon::spawn`: this thread is the worker of its INLINE_POOL,
    // and `rayon::spawn` would queue the job there, where nothing ever runs it.
    pool.spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        // The request may have timed out and gone: nobody to tell.
        let _ = tx.send(out);
    });
    match rx.await {
        Ok(Ok(result)) => result,
        _ => Err(ApiError::internal("the prediction failed")),
    }
}

/// Validates, predicts and builds the answer and the prediction log's lines (when the
/// state logs) for the rows of `data`, with the model serving now and the server's
/// request ids.
pub fn predict(
    state: &AppState,
    data: &Frame,
) -> Result<(PredictResponse, Option<Vec<u8>>), ApiError> {
    predict_with(state, &state.model(), data, &[])
}

/// [`predict`] with a given model snapshot (the one the request took at its start),
/// where `client_ids[i]`, when given, is row `i`'s request id (checked by
/// [`take_request_ids`]); the server chooses the others.
pub fn predict_with(
    state: &AppState,
    model: &Model,
    data: &Frame,
    client_ids: &[Option<String>],
) -> Result<(PredictResponse, Option<Vec<u8>>), ApiError> {
    let schema = &model.header.schema;
    let valid = driftwatch_run::validate_rows(schema, data, "the request").map_err(|e| {
        let problems: Vec<Problem> = schema
            .validate(data)
            .iter()
            .filter(|v| v.row.is_none())
            .map(Problem::from)
            .collect();
        unprocessable(e.to_string(), problems)
    })?;
    let n = data.n_rows();
    let mut rows: Vec<RowStatus> = (1..=n)
        .map(|row| RowStatus {
            row,
            status: "ok".into(),
            problems: Vec::new(),
        })
        .collect();
    for v in &valid.violations {
        if let Some(r) = v.row.and_then(|r| rows.get_mut(r.wrapping_sub(1))) {
            r.status = "invalid".into();
            r.problems.push(Problem::from(v));
        }
    }
    let invalid = n - valid.kept.len();
    if valid.kept.is_empty() {
        let problems = valid.violations.iter().map(Problem::from).collect();
        return Err(unprocessable(
            format!("all {n} rows failed validation"),
            problems,
        ));
    }
    let start = Instant::now();
    let internal = |e: driftwatch_core::Error| ApiError::internal(format!("predicting: {e}"));
    let pred = model.pipeline.predict(&valid.frame).map_err(internal)?;
    let proba = model
        .pipeline
        .predict_proba(&valid.frame)
        .map_err(internal)?;
    let per_row_ms = start.elapsed().as_secs_f64() * 1e3 / valid.kept.len() as f64;

    let kept_preds: Vec<(Value, Prediction)> = match &pred {
        Target::Labels(l) => l
            .iter()
            .map(|s| (Value::String(s.clone()), Prediction::Label(s.clone())))
            .collect(),
        Target::Values(v) => v
            .iter()
            .map(|x| match serde_json::Number::from_f64(*x) {
                Some(num) => (Value::Number(num.clone()), Prediction::Number(num)),
                None => (Value::Null, Prediction::Label(x.to_string())),
            })
            .collect(),
    };
    let kept_proba: Option<Vec<BTreeMap<String, f64>>> = proba.as_ref().map(|p| {
        (0..valid.kept.len())
            .map(|i| {
                p.classes
                    .iter()
                    .cloned()
                    .zip(p.values.row(i).iter().copied())
                    .collect()
            })
            .collect()
    });
    let ids: Vec<String> = valid
        .kept
        .iter()
        .map(|&row| match client_ids.get(row) {
            Some(Some(id)) => id.clone(),
            _ => state.next_id(),
        })
        .collect();

    let mut predictions = vec![Value::Null; n];
    let mut request_ids = vec![None; n];
    let mut probabilities = kept_proba.as_ref().map(|_| vec![None; n]);
    for (i, &row) in valid.kept.iter().enumerate() {
        predictions[row] = kept_preds[i].0.clone();
        request_ids[row] = Some(ids[i].clone());
        if let (Some(all), Some(kp)) = (probabilities.as_mut(), kept_proba.as_ref()) {
            all[row] = Some(kp[i].clone());
        }
    }

    let log_lines = match &state.log {
        None => None,
        Some(_) => {
            let records = LoggedCall {
                data,
                schema,
                kept: &valid.kept,
                ids: &ids,
                predictions: kept_preds.iter().map(|(_, p)| p.clone()).collect(),
                probabilities: proba.as_ref(),
                latency_ms: per_row_ms,
                model: model.id(),
            }
            .records()
            .map_err(|e| ApiError::internal(format!("logging: {e}")))?;
            let mut buf = Vec::new();
            write_prediction_log(&mut buf, &records, "the prediction log")
                .map_err(|e| ApiError::internal(format!("logging: {e}")))?;
            Some(buf)
        }
    };
    Ok((
        PredictResponse {
            model: ModelId {
                name: model.header.name.clone(),
                version: model.header.version.clone(),
            },
            predictions,
            probabilities,
            request_ids,
            rows,
            invalid,
        },
        log_lines,
    ))
}

/// 422 with every problem found.
fn unprocessable(message: String, problems: Vec<Problem>) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn small_and_large_work_both_run_and_a_panic_is_a_500() {
        // Small work first: this thread becomes its inline pool's worker, and larger
        // work must still run (`rayon::spawn` would have queued it on that pool).
        assert_eq!(on_cpu_pool(true, || Ok(1)).await.ok(), Some(1));
        assert_eq!(on_cpu_pool(false, || Ok(2)).await.ok(), Some(2));
        for small in [true, false] {
            let e = on_cpu_pool(small, || -> Result<(), ApiError> { panic!("boom") })
                .await
                .err();
            assert_eq!(e.map(|e| e.status.as_u16()), Some(500));
        }
        assert_eq!(on_cpu_pool(true, || Ok(3)).await.ok(), Some(3));
    }
}
