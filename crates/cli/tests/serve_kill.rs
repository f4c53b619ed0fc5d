//! `driftwatch serve` as a process: `kill -9` under load, restart on the same files, and
//! a graceful SIGTERM with a request in flight (issue 15, item 6). Plain HTTP/1.1 over
//! std sockets; the fixture `v1-forest.dwm` (columns x, y, z; target `grade`).
//!
//! What `kill -9` must leave: every line of the prediction log before its last newline
//! is a whole record (core's reader reads them), every answered prediction is in the
//! log (its lines are written before the answer), and every label answered 200 is in
//! the labels file (synced before the answer). A torn last line is allowed in principle
//! (see appendlog.rs) and is cut when the server opens the log again, so after a restart
//! core's reader reads the whole file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use driftwatch_core::{ReadOptions, read_jsonl, read_jsonl_path};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundles/v1-forest.dwm")
}

/// Starts the server on a free loopback port with `--log log --labels labels`; returns
/// it and the address it printed.
fn start(log: &Path, labels: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .arg("serve")
        .arg(fixture())
        .args(["--listen", "127.0.0.1:0", "--log"])
        .arg(log)
        .arg("--labels")
        .arg(labels)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    // Keep draining standard error, so that the server never blocks on it.
    std::thread::spawn(move || lines.for_each(drop));
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (child, addr)
}

/// One request on its own connection; the status and the body, or `None` when the
/// connection failed (the server is gone).
fn post(addr: SocketAddr, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    answer(&out)
}

/// The status and body of a whole answer (`Connection: close`, so the body is the rest).
fn answer(text: &str) -> Option<(u16, String)> {
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// The request ids of a 200 predict answer.
fn ids_of(body: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(body).unwrap();
    v["request_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_string())
        .collect()
}

fn rows(n: usize, seed: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let x = ((seed * 7 + i * 3) % 13) as f64 - 6.0;
            format!(
                "{{\"x\": {x}, \"y\": {}, \"z\": {}}}",
                i % 5,
                (seed + i) % 4
            )
        })
        .collect();
    format!("{{\"rows\": [{}]}}", rows.join(","))
}

fn log_ids(log: &Path) -> Vec<String> {
    read_jsonl_path(log, &ReadOptions::default())
        .unwrap()
        .request_ids
        .into_iter()
        .map(Option::unwrap)
        .collect()
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_line_and_restart_keeps_ids_unique() {
    let dir = tempfile::tempdir().unwrap();
    let (log, labels) = (dir.path().join("p.jsonl"), dir.path().join("l.csv"));
    let (mut server, addr) = start(&log, &labels);

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(Mutex::new(Vec::<String>::new()));
    let acked = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut clients = Vec::new();
    for t in 0..3 {
        let (stop, served) = (stop.clone(), served.clone());
        clients.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                match post(addr, "/v1/predict", &rows(1 + n % 20, t * 1000 + n)) {
                    Some((200, body)) => served.lock().unwrap().extend(ids_of(&body)),
                    Some((status, body)) => panic!("predict answered {status}: {body}"),
                    None => break,
                }
                n += 1;
            }
        }));
    }
    for t in 0..2 {
        let (stop, served, acked) = (stop.clone(), served.clone(), acked.clone());
        clients.push(std::thread::spawn(move || {
            let mut next = t;
            while !stop.load(Ordering::Relaxed) {
                let batch: Vec<(String, String)> = {
                    let s = served.lock().unwrap();
                    s.iter()
                        .skip(next)
                        .step_by(2)
                        .take(5)
                        .map(|id| (id.clone(), ["high", "low", "mid"][id.len() % 3].to_string()))
                        .collect()
                };
                if batch.is_empty() {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                let body = serde_json::json!({"labels": batch
                    .iter()
                    .map(|(id, y)| serde_json::json!({"request_id": id, "label": y}))
                    .collect::<Vec<_>>()});
                match post(addr, "/v1/labels", &body.to_string()) {
                    Some((200, _)) => acked.lock().unwrap().extend(batch.iter().cloned()),
                    Some((status, body)) => panic!("labels answered {status}: {body}"),
                    None => break,
                }
                next += 2 * batch.len();
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1000));
    // SIGKILL while the clients are still sending.
    server.kill().unwrap();
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let served = served.lock().unwrap().clone();
    let acked = acked.lock().unwrap().clone();
    assert!(
        served.len() > 50,
        "only {} predictions in 1 s",
        served.len()
    );
    assert!(!acked.is_empty(), "no label was acknowledged");

    // The log up to its last newline is whole records, and holds every answered row.
    let text = std::fs::read(&log).unwrap();
    let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let back = read_jsonl(&text[..whole], "the log", &ReadOptions::default()).unwrap();
    let logged: HashSet<String> = back.request_ids.into_iter().map(Option::unwrap).collect();
    let missing: Vec<&String> = served.iter().filter(|id| !logged.contains(*id)).collect();
    assert!(missing.is_empty(), "answered but not logged: {missing:?}");
    // Every acknowledged label is on disk.
    let on_disk = std::fs::read_to_string(&labels).unwrap();
    let on_disk: HashSet<&str> = on_disk.lines().collect();
    for (id, y) in &acked {
        assert!(
            on_disk.contains(format!("{id},{y}").as_str()),
            "label {id} lost"
        );
    }

    // Restart on the same files: the log is whole again and ids stay unique.
    let (mut again, addr) = start(&log, &labels);
    let (status, body) = post(addr, "/v1/predict", &rows(3, 99)).unwrap();
    assert_eq!(status, 200, "{body}");
    let new_ids = ids_of(&body);
    let (status, _) = post(
        addr,
        "/v1/labels",
        &format!(
            r#"{{"labels": [{{"request_id": "{}", "label": "low"}}]}}"#,
            new_ids[0]
        ),
    )
    .unwrap();
    assert_eq!(status, 200);
    Command::new("kill")
        .args(["-TERM", &again.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(again.wait().unwrap().code(), Some(0));
    let ids = log_ids(&log);
    assert_eq!(ids.len(), logged.len() + 3);
    assert!(ids.ends_with(&new_ids));
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a request id was used twice");
    assert!(
        std::fs::read_to_string(&labels)
            .unwrap()
            .ends_with(&format!("{},low\n", new_ids[0]))
    );
}

#[test]
fn sigterm_answers_the_request_in_flight_syncs_the_log_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (log, labels) = (dir.path().join("p.jsonl"), dir.path().join("l.csv"));
    let (mut server, addr) = start(&log, &labels);
    let (status, body) = post(addr, "/v1/predict", &rows(4, 1)).unwrap();
    assert_eq!(status, 200, "{body}");
    let mut answered = ids_of(&body);

    // A request whose body is half sent when SIGTERM arrives.
    let body = rows(50, 2);
    let (first, rest) = body.split_at(body.len() / 2);
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST /v1/predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // Shutting down: no new connection is served...
    assert!(post(addr, "/v1/predict", &rows(1, 3)).is_none());
    assert!(
        server.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );
    // ...but the one in flight is answered.
    s.write_all(rest.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (status, body) = answer(&out).unwrap();
    assert_eq!(status, 200, "{body}");
    answered.extend(ids_of(&body));
    assert_eq!(server.wait().unwrap().code(), Some(0));
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(log_ids(&log), answered);
}
