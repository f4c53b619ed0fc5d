//! `driftwatch serve` as a process: SIGHUP reloads the model file, `--store` follows a
//! promoted stage, `--verify-key` refuses an unsigned bundle at start like
//! `check-deploy`, and the new flags are refused where they mean nothing. Two model
//! versions are trained with `driftwatch train`; signals are sent with `kill(1)`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bundle_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bundle_common::{run, s, text, train};

/// A `driftwatch serve` child on an ephemeral loopback port; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_driftwatch"))
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let addr = first
            .split_once("http://")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in the first line: {first}"));
        // Keep reading standard error so the server never blocks on a full pipe.
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Server {
            child,
            addr,
            stderr,
        }
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} failed");
    }

    /// The exit code after SIGTERM (graceful shutdown), within 10 s.
    fn terminate(mut self) -> Option<i32> {
        self.signal("TERM");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn http(&self, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
        (status, body.unwrap_or_default())
    }

    /// `name@version` from /readyz.
    fn ready_model(&self) -> String {
        let (_, body) = self.http("GET", "/readyz", "", "");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["model"].as_str().unwrap_or_default().to_string()
    }

    fn wait_for_model(&self, want: &str) {
        let start = Instant::now();
        while self.ready_model() != want {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "never served {want}; stderr:\n{}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The version that answered one iris prediction.
    fn predict_version(&self) -> String {
        let csv = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n";
        let (status, body) = self.http("POST", "/v1/predict", "Content-Type: text/csv\r\n", csv);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["predictions"][0], "setosa");
        v["model"]["version"].as_str().unwrap().to_string()
    }

    fn metric(&self, name: &str) -> String {
        let (_, body) = self.http("GET", "/metrics", "", "");
        body.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two iris models, `iris` 1.0.0 and 1.1.0.
fn two_versions(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let name = ["--name", "iris"];
    let v1 = train(
        dir,
        "v1.dwm",
        &[&name[..], &["--model-version", "1.0.0"]].concat(),
    );
    let v2 = train(
        dir,
        "v2.dwm",
        &[&name[..], &["--model-version", "1.1.0", "--seed", "3"]].concat(),
    );
    (v1, v2)
}

#[cfg(unix)]
#[test]
fn sighup_reloads_the_model_file_and_refuses_a_damaged_one() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = two_versions(dir.path());
    let model = dir.path().join("serving.dwm");
    std::fs::copy(&v1, &model).unwrap();
    let log = dir.path().join("p.jsonl");
    let server = Server::start(&["--model", s(&model), "--log", s(&log)]);
    assert_eq!(server.predict_version(), "1.0.0");

    std::fs::rename(&v2, &model).unwrap();
    server.signal("HUP");
    server.wait_for_model("iris@1.1.0");
    assert_eq!(server.predict_version(), "1.1.0");
    assert_eq!(server.metric("driftwatch_reload_total{result=\"ok\"}"), "1");

    std::fs::write(&model, b"DWMB not really a bundle").unwrap();
    server.signal("HUP");
    let start = Instant::now();
    while server.metric("driftwatch_reload_total{result=\"refused\"}") != "1" {
        assert!(start.elapsed() < Duration::from_secs(10), "never refused");
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(server.predict_version(), "1.1.0");
    let stderr = server.stderr.clone();
    assert_eq!(server.terminate(), Some(0));
    let said = stderr.lock().unwrap().clone();
    assert!(
        said.contains("SIGHUP: reload refused, still serving iris@1.1.0: loading model bundle"),
        "{said}"
    );
    // Both models' answers are in the log, each with its own name.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("\"model\":\"iris@1.0.0\""), "{logged}");
    assert!(logged.contains("\"model\":\"iris@1.1.0\""), "{logged}");
}

#[test]
fn a_store_stage_is_served_verified_and_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = two_versions(dir.path());
    let key = dir.path().join("release");
    assert!(run(&["keygen", "--output", s(&key)]).status.success());
    let public = dir.path().join("release.pub");
    let secret = dir.path().join("release.key");
    let store = dir.path().join("store");
    for v in [&v1, &v2] {
        let o = run(&["sign", s(v), "--key", s(&secret)]);
        assert!(o.status.success(), "{}", text(&o));
        let o = run(&["models", "--store", s(&store), "push", s(v)]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let promote = |version: &str| {
        let o = run(&[
            "models",
            "--store",
            s(&store),
            "promote",
            &format!("iris@{version}"),
            "--stage",
            "production",
        ]);
        assert!(o.status.success(), "{}", text(&o));
    };
    promote("1.0.0");
    let admin = dir.path().join("admin.txt");
    std::fs::write(&admin, "adm1n\n").unwrap();
    let server = Server::start(&[
        "--store",
        s(&store),
        "--name",
        "iris",
        "--verify-key",
        s(&public),
        "--watch-interval",
        "0.1",
        "--admin-token-file",
        s(&admin),
    ]);
    assert_eq!(server.predict_version(), "1.0.0");
    promote("1.1.0");
    server.wait_for_model("iris@1.1.0");
    assert_eq!(server.predict_version(), "1.1.0");
    let (status, body) = server.http(
        "POST",
        "/admin/reload",
        "Authorization: Bearer adm1n\r\n",
        "",
    );
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["store_version"], "1.1.0");
    assert_eq!(v["changed"], false);
    assert_eq!(server.terminate(), Some(0));
}

#[test]
fn verify_key_refuses_an_unsigned_bundle_at_start_as_check_deploy_does() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, _) = two_versions(dir.path());
    assert!(
        run(&["keygen", "--output", s(&dir.path().join("k"))])
            .status
            .success()
    );
    let public = dir.path().join("k.pub");
    let mut child = Command::new(env!("CARGO_BIN_EXE_driftwatch"))
        .args([
            "serve",
            s(&v1),
            "--verify-key",
            s(&public),
            "--listen",
            "127.0.0.1:0",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("serve started with an unsigned bundle");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    let sample = dir.path().join("sample.csv");
    std::fs::write(
        &sample,
        "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n",
    )
    .unwrap();
    let deploy = run(&[
        "check-deploy",
        s(&v1),
        "--sample",
        s(&sample),
        "--verify-key",
        s(&public),
    ]);
    assert_eq!(deploy.status.code(), Some(2));
    assert_eq!(err, String::from_utf8_lossy(&deploy.stderr));
    assert!(err.contains("is not signed"), "{err}");
}

#[test]
fn store_flags_are_refused_without_a_store_and_with_a_model() {
    for (args, says) in [
        (
            &["--model", "m.dwm", "--store", "st", "--name", "iris"][..],
            "cannot be used with",
        ),
        (
            &["--model", "m.dwm", "--stage", "production"][..],
            "--store",
        ),
        (
            &["--model", "m.dwm", "--watch-interval", "1"][..],
            "--store",
        ),
        (&["--store", "st"][..], "--name"),
        (
            &["--store", "st", "--name", "iris", "--watch-interval", "0"][..],
            "--watch-interval must be",
        ),
    ] {
        let o = run(&[&["serve"][..], args].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
    }
}
