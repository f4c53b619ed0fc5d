//! Request metrics in the Prometheus text format: counts by route and status, and a
//! latency histogram. Routes are the matched patterns (unknown paths are `unmatched`)
//! so a client cannot grow the label set.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    predictions: AtomicU64,
    invalid_rows: AtomicU64,
    labels: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_refused: AtomicU64,
}

impl Metrics {
    /// Records one finished request.
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        {
            let mut m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            *m.entry((route.to_string(), status)).or_default() += 1;
        }
        for (b, le) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= le {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// Counts predicted and invalid rows of one predict request.
    pub fn rows(&self, predicted: usize, invalid: usize) {
        self.predictions
            .fetch_add(predicted as u64, Ordering::Relaxed);
        self.invalid_rows
            .fetch_add(invalid as u64, Ordering::Relaxed);
    }

    /// Counts recorded labels.
    pub fn labels(&self, n: usize) {
        self.labels.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Counts one model reload: swapped in (`ok`) or refused (the old model kept).
    pub fn reload(&self, ok: bool) {
        let c = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_refused
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP driftwatch_http_requests_total HTTP requests by route and status.\n");
        s.push_str("# TYPE driftwatch_http_requests_total counter\n");
        {
            let m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            for ((route, status), n) in m.iter() {
                let _ = writeln!(
                    s,
                    "driftwatch_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        s.push_str("# HELP driftwatch_http_request_duration_seconds Request latency.\n");
        s.push_str("# TYPE driftwatch_http_request_duration_seconds histogram\n");
        for (b, le) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                s,
                "driftwatch_http_request_duration_seconds_bucket{{le=\"{le}\"}} {}",
                b.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "driftwatch_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            s,
            "driftwatch_http_request_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(s, "driftwatch_http_request_duration_seconds_count {count}");
        for (name, help, v) in [
            (
                "driftwatch_predictions_total",
                "Rows predicted.",
                &self.predictions,
            ),
            (
                "driftwatch_invalid_rows_total",
                "Rows refused by the schema.",
                &self.invalid_rows,
            ),
            (
                "driftwatch_labels_total",
                "Delayed labels recorded.",
                &self.labels,
            ),
        ] {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(s, "{name} {}", v.load(Ordering::Relaxed));
        }
        s.push_str("# HELP driftwatch_reload_total Model reloads by result (refused: the old model kept serving).\n");
        s.push_str("# TYPE driftwatch_reload_total counter\n");
        for (result, v) in [("ok", &self.reloads_ok), ("refused", &self.reloads_refused)] {
            let _ = writeln!(
                s,
                "driftwatch_reload_total{{result=\"{result}\"}} {}",
                v.load(Ordering::Relaxed)
            );
        }
        s
    }
}

/// Middleware: times every request and counts it by route and status.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let start = Instant::now();
    let response = next.run(req).await;
    state.metrics.observe(
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.observe("/healthz", 200, 0.0002);
        m.observe("/v1/predict", 422, 0.003);
        m.rows(3, 1);
        m.labels(2);
        m.reload(true);
        m.reload(false);
        m.reload(false);
        let text = m.render();
        assert!(
            text.contains("driftwatch_http_requests_total{route=\"/healthz\",status=\"200\"} 1")
        );
        assert!(text.contains("driftwatch_http_request_duration_seconds_bucket{le=\"0.0005\"} 1"));
        assert!(text.contains("driftwatch_http_request_duration_seconds_bucket{le=\"0.005\"} 2"));
        assert!(text.contains("driftwatch_http_request_duration_seconds_count 2"));
        assert!(text.contains("driftwatch_predictions_total 3"));
        assert!(text.contains("driftwatch_labels_total 2"));
        assert!(text.contains("driftwatch_reload_total{result=\"ok\"} 1"));
        assert!(text.contains("driftwatch_reload_total{result=\"refused\"} 2"));
    }
}
