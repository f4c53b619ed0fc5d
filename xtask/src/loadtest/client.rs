//! The load-test client: a few keep-alive HTTP/1.1 connections over blocking loopback
//! sockets, one thread each (no client library: a request is a few lines of text and
//! the servers answer with `Content-Length`).
//!
//! Two kinds of phase:
//! - **open loop** ([`Phase::Rate`]): request `i` is due at `start + i / rate`, whatever
//!   happened to the earlier ones; connection `k` of `C` sends requests `k, k + C, ...`.
//!   Latency is measured from the request's *due* time, so a server that falls behind
//!   is charged for the queue it causes (no coordinated omission);
//! - **closed loop** ([`Phase::Max`]): each connection sends its next request as soon
//!   as the previous answer is in; the completed requests per second are the server's
//!   maximum sustainable throughput with that many connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How requests are paced.
#[derive(Debug, Clone, Copy)]
pub enum Phase {
    /// Open loop at this many requests per second.
    Rate(f64),
    /// Closed loop: as fast as the server answers.
    Max,
}

/// What one phase measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Requests answered 200.
    pub ok: u64,
    /// Requests answered otherwise, or lost to a connection error.
    pub errors: u64,
    /// The first error seen, for the report.
    pub first_error: Option<String>,
    /// Wall time from the first due time to the last answer.
    pub elapsed: Duration,
    /// Latencies of the answered requests in nanoseconds, sorted.
    pub latencies_ns: Vec<u64>,
}

impl Measured {
    /// Answered requests per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `q` quantile of the latencies in milliseconds (nearest rank), NaN when
    /// nothing was answered.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        nearest_rank(&self.latencies_ns, q).map_or(f64::NAN, |ns| ns as f64 / 1e6)
    }
}

/// The nearest-rank quantile of sorted values: the smallest value with at least a
/// share `q` of the values at or below it.
pub fn nearest_rank(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// The requests of a phase: whole HTTP/1.1 requests (headers and body), sent in turn.
pub fn requests(addr: SocketAddr, bodies: &[String]) -> Vec<Vec<u8>> {
    bodies
        .iter()
        .map(|b| {
            format!(
                "POST /v1/predict HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{b}",
                b.len()
            )
            .into_bytes()
        })
        .collect()
}

/// Runs one phase against `addr` with `connections` connections: at most `max_requests`
/// requests and `max_time` of sending.
pub fn run(
    addr: SocketAddr,
    requests: &[Vec<u8>],
    phase: Phase,
    connections: usize,
    max_requests: u64,
    max_time: Duration,
) -> Result<Measured> {
    if requests.is_empty() || connections == 0 {
        bail!("a phase needs requests and at least one connection");
    }
    let start = Instant::now() + Duration::from_millis(20);
    let results = std::thread::scope(|s| {
        let handles: Vec<_> = (0..connections)
            .map(|k| {
                s.spawn(move || {
                    connection(
                        addr,
                        requests,
                        phase,
                        k as u64,
                        connections as u64,
                        max_requests,
                        start,
                        max_time,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a client thread panicked")))
            })
            .collect::<Vec<_>>()
    });
    let mut m = Measured {
        ok: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        latencies_ns: Vec::new(),
    };
    let mut end = start;
    for r in results {
        let c = r?;
        m.ok += c.ok;
        m.errors += c.errors;
        if m.first_error.is_none() {
            m.first_error = c.first_error;
        }
        m.latencies_ns.extend(c.latencies_ns);
        end = end.max(c.end);
    }
    m.elapsed = end.saturating_duration_since(start);
    m.latencies_ns.sort_unstable();
    Ok(m)
}

/// One connection's share of a phase.
struct PerConnection {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    latencies_ns: Vec<u64>,
    end: Instant,
}

#[allow(clippy::too_many_arguments)]
fn connection(
    addr: SocketAddr,
    requests: &[Vec<u8>],
    phase: Phase,
    k: u64,
    stride: u64,
    max_requests: u64,
    start: Instant,
    max_time: Duration,
) -> Result<PerConnection> {
    let mut out = PerConnection {
        ok: 0,
        errors: 0,
        first_error: None,
        latencies_ns: Vec::new(),
        end: start,
    };
    let mut conn = Conn::open(addr)?;
    let deadline = start + max_time;
    let mut i = k;
    while i < max_requests {
        let due = match phase {
            Phase::Rate(rate) => start + Duration::from_secs_f64(i as f64 / rate),
            Phase::Max => Instant::now().max(start),
        };
        if due >= deadline {
            break;
        }
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let req = &requests[(i / stride) as usize % requests.len()];
        match conn.call(req) {
            Ok(200) => {
                out.ok += 1;
                let done = Instant::now();
                out.latencies_ns
                    .push(done.saturating_duration_since(due).as_nanos() as u64);
                out.end = done;
            }
            Ok(status) => {
                out.errors += 1;
                out.first_error
                    .get_or_insert_with(|| format!("answered {status}"));
            }
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert_with(|| format!("{e:#}"));
                conn = Conn::open(addr)?;
            }
        }
        i += stride;
    }
    Ok(out)
}

/// One keep-alive connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends one request and reads its whole answer; returns the status code.
    fn call(&mut self, request: &[u8]) -> Result<u16> {
        self.stream.write_all(request)?;
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        let header_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p + 4;
            }
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = std::str::from_utf8(&self.buf[..header_end]).context("a non-UTF-8 header")?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("a bad status line: {head:?}"))?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .with_context(|| format!("an answer without Content-Length: {head:?}"))?;
        while self.buf.len() < header_end + length {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                bail!("the server closed the connection mid-answer");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok(status)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(nearest_rank(&v, 0.5), Some(500));
        assert_eq!(nearest_rank(&v, 0.99), Some(990));
        assert_eq!(nearest_rank(&v, 0.999), Some(999));
        assert_eq!(nearest_rank(&v, 0.0), Some(1));
        assert_eq!(nearest_rank(&[7], 0.999), Some(7));
        assert_eq!(nearest_rank(&[], 0.5), None);
    }

    #[test]
    fn reads_keep_alive_answers_from_a_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            for status in ["200 OK", "503 Service Unavailable", "200 OK"] {
                let mut got = Vec::new();
                while find(&got, b"{}").is_none() {
                    let n = s.read(&mut buf).unwrap();
                    got.extend_from_slice(&buf[..n]);
                }
                // The answer arrives in two writes, as a slow server would send it.
                let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 5\r\n\r\n");
                s.write_all(answer.as_bytes()).unwrap();
                s.write_all(b"hello").unwrap();
            }
        });
        let reqs = requests(addr, &["{}".to_string()]);
        let m = run(addr, &reqs, Phase::Max, 1, 3, Duration::from_secs(10)).unwrap();
        server.join().unwrap();
        assert_eq!((m.ok, m.errors), (2, 1));
        assert_eq!(m.first_error.as_deref(), Some("answered 503"));
        assert_eq!(m.latencies_ns.len(), 2);
    }
}
