//! Peak memory of `driftwatch drift` on large files (ignored: it writes two large CSV
//! files and takes minutes). Run it by hand, in release:
//!
//! ```sh
//! DW_MEM_ROWS=8000000 cargo test --release -p driftwatch-cli --test memory_bound -- --ignored --nocapture
//! ```
//!
//! `DW_MEM_ROWS` (default 4,000,000) rows of 20 numeric columns (six-decimal values,
//! about 200 bytes a row) per file, in `DW_MEM_DIR` (default the system temp dir),
//! reused if present. It runs `drift --format json` (read in chunks) with the default
//! limit and with `--memory-limit 128M`, and `--format html --memory-limit 128M` (the
//! page's histograms drawn from the same summaries), and prints rows, file size, wall
//! time and peak resident memory (VmHWM, polled from /proc) of each. The check: every
//! run stays under its limit plus a fixed allowance.
//!
//! `DW_EXE` runs another binary (e.g. `target/release/driftwatch` from a debug test
//! run, which writes the files slowly), `DW_MEM_FILES=ref.csv,cur.csv` measures on
//! existing files (any numeric CSV pair).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const COLS: usize = 20;

/// Writes `rows` rows of deterministic pseudo-random values (`shift` added to the
/// first five columns), unless the file is there.
fn table(dir: &Path, rows: usize, shift: f64, seed: u64) -> PathBuf {
    let path = dir.join(format!("dw-mem-{rows}-{seed}.csv"));
    if path.exists() {
        return path;
    }
    let partial = path.with_extension("partial");
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&partial).unwrap());
    let header: Vec<String> = (0..COLS).map(|j| format!("f{j}")).collect();
    writeln!(out, "{}", header.join(",")).unwrap();
    let mut s = seed;
    let mut line = String::new();
    for _ in 0..rows {
        line.clear();
        for j in 0..COLS {
            // sum of two uniforms: a triangle on [0, 2)
            let mut u = || {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            };
            let v = u() + u() + if j < 5 { shift } else { 0.0 };
            if j > 0 {
                line.push(',');
            }
            line.push_str(&format!("{v:.6}"));
        }
        line.push('\n');
        out.write_all(line.as_bytes()).unwrap();
    }
    out.flush().unwrap();
    drop(out);
    std::fs::rename(&partial, &path).unwrap();
    path
}

fn r_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Runs the binary, polling its VmHWM every 5 ms; (wall time, peak RSS in bytes, exit
/// code).
fn measure(args: &[&str]) -> (Duration, u64, Option<i32>) {
    let start = Instant::now();
    let exe = std::env::var("DW_EXE").unwrap_or_else(|_| env!("CARGO_BIN_EXE_driftwatch").into());
    let mut child = Command::new(exe)
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            peak = peak.max(kb * 1024);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (start.elapsed(), peak, code)
}

#[test]
#[ignore = "writes two large files and takes minutes; run by hand (see the module docs)"]
fn chunked_drift_memory_stays_bounded() {
    let rows: usize = std::env::var("DW_MEM_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000_000);
    let dir = std::env::var_os("DW_MEM_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let (r, c) = match std::env::var("DW_MEM_FILES") {
        Ok(v) => {
            let (a, b) = v.split_once(',').expect("DW_MEM_FILES=ref.csv,cur.csv");
            (PathBuf::from(a), PathBuf::from(b))
        }
        Err(_) => (table(&dir, rows, 0.0, 1), table(&dir, rows, 0.05, 2)),
    };
    let size = std::fs::metadata(&r).unwrap().len();
    let (r, c) = (
        r.to_string_lossy().into_owned(),
        c.to_string_lossy().into_owned(),
    );
    let html = dir.join("dw-mem.html").to_string_lossy().into_owned();
    let runs: [(&str, Vec<&str>, Option<u64>); 3] = [
        (
            "chunked, default limit 512MiB",
            vec!["--format", "json"],
            Some(512 << 20),
        ),
        (
            "chunked, --memory-limit 128M",
            vec!["--format", "json", "--memory-limit", "128M"],
            Some(128 << 20),
        ),
        (
            "html, --memory-limit 128M",
            vec![
                "--format",
                "html",
                "--output",
                &html,
                "--memory-limit",
                "128M",
            ],
            Some(128 << 20),
        ),
    ];
    println!(
        "{} and {}: {size} bytes in the first",
        r_name(&r),
        r_name(&c)
    );
    for (what, extra, limit) in runs {
        let mut args = vec!["drift", "--reference", &r, "--current", &c, "--test", "ks"];
        args.extend(extra);
        let (t, peak, code) = measure(&args);
        println!(
            "{what}: exit {code:?}, wall {:.1} s, peak RSS {:.0} MiB",
            t.as_secs_f64(),
            peak as f64 / f64::from(1 << 20)
        );
        assert_eq!(code, Some(0));
        if let Some(limit) = limit {
            // the limit, plus chunks, sketches, sort buffers and the binary
            assert!(peak < limit + (256 << 20), "{what}: {peak} bytes");
        }
    }
}
