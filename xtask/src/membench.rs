//! `cargo xtask membench`: peak memory and speed of `driftwatch drift` on two large
//! tables (issue 16: two 10 GB Parquet files stay under 1 GB of resident memory).
//!
//! Writes a reference/current pair of `--size` each (Parquet through a streaming
//! writer, one batch of 65,536 rows in memory at a time; or CSV), eight numeric
//! columns (three shifted in the current table, one with missing values), a
//! few-valued integer column and two categorical ones (one shifted), builds the
//! release CLI, and runs `driftwatch drift` on them: the default memory limit,
//! `--memory-limit 256M`, a binned test (its second, counting read of each file) and
//! `--columns` on one column. Each run is measured by a child `cargo xtask
//! membench-run` that starts it, waits, and reads the peak resident memory of its
//! waited-for children (`getrusage(RUSAGE_CHILDREN)`, `ru_maxrss`), so neither the
//! build nor the generator counts. Prints a Markdown table (wall time, peak RSS,
//! rows per second, drifted columns, rows from sketches); exit 1 when a run failed or
//! peaked at 1 GiB or more. The tables are deleted afterwards unless `--keep`.
//!
//! `--engine datafusion,ballista` adds `drift --engine ...` runs on the same pair (the
//! CLI built with `--features distributed`; a build without the engines is refused).
//! For Ballista a `driftwatch-scheduler` and two `driftwatch-executor`s (one task
//! each) start on loopback ports, each under its own `membench-run
//! --until-stdin-closes` wrapper, so each process's peak RSS is a row of the table;
//! they are stopped after the client's run.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use arrow::array::{ArrayRef, DictionaryArray, Float64Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use arrow::record_batch::RecordBatch;
use clap::{Args, ValueEnum};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Rows per generated batch (the columnar reader's chunk).
const BATCH_ROWS: usize = 65_536;
/// Free space left on the table directory's disk, at least.
const KEEP_FREE: u64 = 15 << 30;
/// The goal of issue 16: peak resident memory below 1 GiB.
const RSS_GOAL: u64 = 1 << 30;
/// Levels of the shifted categorical column.
const SEGMENTS: [&str; 12] = [
    "north", "south", "east", "west", "centre", "coast", "hills", "plains", "islands", "valley",
    "metro", "rural",
];

/// The table format of the generated pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Apache Parquet (Snappy), row groups of about a million rows.
    Parquet,
    /// Comma-separated text.
    Csv,
}

/// `cargo xtask membench`.
#[derive(Debug, Args)]
pub struct MembenchArgs {
    /// Size of each table (bytes, or with K/M/G: powers of 1024).
    #[arg(long, value_parser = driftwatch_cli::parse_bytes, default_value = "1G")]
    size: usize,
    /// Format of the generated tables.
    #[arg(long, value_enum, default_value = "parquet")]
    format: TableFormat,
    /// Directory for the tables (needs twice --size free, plus 15 GiB left over).
    #[arg(long)]
    dir: PathBuf,
    /// Keep the tables afterwards, and reuse a kept pair of the same size and format.
    #[arg(long)]
    keep: bool,
    /// Measure this `driftwatch` binary instead of building the release one (with
    /// --engine: built with `--features distributed`, `driftwatch-scheduler` and
    /// `driftwatch-executor` beside it).
    #[arg(long)]
    exe: Option<PathBuf>,
    /// Also run `drift --engine ENGINE` on the pair (repeatable, or a list): datafusion
    /// measures the CLI's process; ballista starts a scheduler and two executors on
    /// loopback, each measured in its own process.
    #[arg(long, value_enum, value_delimiter = ',')]
    engine: Vec<BenchEngine>,
}

/// An engine of `drift --engine` to measure besides the local path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchEngine {
    /// DataFusion in the CLI's process.
    Datafusion,
    /// A loopback Ballista cluster: a scheduler and two executors.
    Ballista,
}

/// `cargo xtask membench-run -- COMMAND...` (internal): runs one command, then
/// prints its exit code, wall time and peak resident memory as one JSON line.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// A server: stop (kill) the command when standard input closes, instead of
    /// waiting for it to end by itself.
    #[arg(long)]
    until_stdin_closes: bool,
    /// The command and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    command: Vec<OsString>,
}

/// Runs the measured command (see [`RunArgs`]).
pub fn run_child(a: &RunArgs) -> Result<i32> {
    let Some((program, rest)) = a.command.split_first() else {
        bail!("membench-run needs a command");
    };
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", program.to_string_lossy()))?;
    let status = if a.until_stdin_closes {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = child.kill();
                break child.wait()?;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    } else {
        child.wait()?
    };
    let wall = started.elapsed().as_secs_f64();
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .context("getrusage(RUSAGE_CHILDREN)")?;
    let line = serde_json::json!({
        "code": status.code(),
        "wall_s": wall,
        "max_rss_kib": usage.max_rss(),
    });
    println!("{line}");
    Ok(0)
}

/// One measured `driftwatch drift` run.
struct Measured {
    what: String,
    /// A server process of the cluster (no report of its own).
    server: bool,
    wall_s: f64,
    rss_bytes: u64,
    drifted: Vec<String>,
    sketched: usize,
}

/// Deletes the generated files when dropped (unless kept).
struct Cleanup {
    files: Vec<PathBuf>,
    keep: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// Runs `cargo xtask membench`.
pub fn run(a: &MembenchArgs) -> Result<i32> {
    std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
    let ext = match a.format {
        TableFormat::Parquet => "parquet",
        TableFormat::Csv => "csv",
    };
    let name = |side: &str| a.dir.join(format!("membench-{}-{side}.{ext}", a.size));
    let (reference, current) = (name("reference"), name("current"));
    let report = a.dir.join("membench-report.json");
    let mut cleanup = Cleanup {
        files: vec![report.clone()],
        keep: false,
    };
    let reuse = a.keep && reference.is_file() && current.is_file();
    if !reuse {
        check_free_space(&a.dir, 2 * a.size as u64)?;
        cleanup.files.extend([reference.clone(), current.clone()]);
    }
    let exe = match &a.exe {
        Some(exe) => exe.clone(),
        None if a.engine.is_empty() => {
            crate::readme::build_driftwatch(&crate::simulate::workspace_root())?
        }
        None => build_distributed(&crate::simulate::workspace_root())?,
    };
    if !a.engine.is_empty() {
        check_engines(&exe, &a.dir)?;
    }
    let rows = if reuse {
        println!("reusing {} and {}", reference.display(), current.display());
        count_rows(&exe, &reference)?
    } else {
        let started = Instant::now();
        let rows = write_table(&reference, a.format, a.size, false)?;
        let rows_current = write_table(&current, a.format, a.size, true)?;
        println!(
            "wrote {} and {} ({rows} and {rows_current} rows) in {:.1} s",
            reference.display(),
            current.display(),
            started.elapsed().as_secs_f64()
        );
        rows + rows_current
    };
    let (r, c) = (reference.to_string_lossy(), current.to_string_lossy());
    let out = report.to_string_lossy();
    let base = [
        "drift",
        "--reference",
        &r,
        "--current",
        &c,
        "--format",
        "json",
        "--output",
        &out,
    ];
    let runs: [(&str, &[&str]); 4] = [
        ("default --memory-limit (512MiB), auto tests", &[]),
        (
            "--memory-limit 256M, auto tests",
            &["--memory-limit", "256M"],
        ),
        (
            "--memory-limit 256M --test jensenshannon (second read counts the bins)",
            &["--memory-limit", "256M", "--test", "jensenshannon"],
        ),
        ("--columns f0 (one column)", &["--columns", "f0"]),
    ];
    let mut measured = Vec::new();
    for (what, extra) in runs {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        measured.push(measure(&exe, &args, what, &report)?);
    }
    for engine in &a.engine {
        match engine {
            BenchEngine::Datafusion => {
                for (what, extra) in ENGINE_RUNS {
                    let args: Vec<&str> = base
                        .iter()
                        .copied()
                        .chain(["--engine", "datafusion"])
                        .chain(extra.iter().copied())
                        .collect();
                    let what = format!("--engine datafusion (CLI process), {what}");
                    measured.push(measure(&exe, &args, &what, &report)?);
                }
            }
            BenchEngine::Ballista => measured.extend(ballista(&exe, &base, &a.dir, &report)?),
        }
    }
    cleanup.keep = a.keep;
    let total: u64 = [&reference, &current]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    println!(
        "\n{} x 2 ({} MB in all, {rows} rows in all), {}:\n",
        ext,
        total / 1_000_000,
        exe.display()
    );
    println!("| run | peak RSS | wall | rows/s | drifted | rows from sketches |");
    println!("|---|---|---|---|---|---|");
    let mut over = false;
    for m in &measured {
        over |= m.rss_bytes >= RSS_GOAL;
        if m.server {
            println!(
                "| {} | {} MiB | {:.1} s (up) | - | - | - |",
                m.what,
                m.rss_bytes >> 20,
                m.wall_s
            );
            continue;
        }
        println!(
            "| {} | {} MiB | {:.1} s | {:.2e} | {} | {} |",
            m.what,
            m.rss_bytes >> 20,
            m.wall_s,
            rows as f64 / m.wall_s,
            if m.drifted.is_empty() {
                "none".to_string()
            } else {
                m.drifted.join(", ")
            },
            m.sketched
        );
    }
    if over {
        eprintln!("a run peaked at 1 GiB or more of resident memory");
        return Ok(1);
    }
    Ok(0)
}

/// The runs of each engine: its summaries alone, and with the counting query that
/// keeps a binned test exact on the columns the limit sketches.
const ENGINE_RUNS: [(&str, &[&str]); 2] = [
    ("auto tests", &[]),
    (
        "--memory-limit 256M --test jensenshannon (a second query counts the bins)",
        &["--memory-limit", "256M", "--test", "jensenshannon"],
    ),
];

/// The cargo command that builds the CLI with the engines and the Ballista binaries.
const DISTRIBUTED_BUILD: [&str; 9] = [
    "build",
    "--release",
    "-p",
    "driftwatch-cli",
    "--features",
    "distributed",
    "-p",
    "driftwatch-ballista",
    "--bins",
];

/// Builds the release CLI with the engines, and the scheduler and executor beside it.
fn build_distributed(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(DISTRIBUTED_BUILD)
        .current_dir(root)
        .status()
        .with_context(|| format!("running cargo {}", DISTRIBUTED_BUILD.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", DISTRIBUTED_BUILD.join(" "));
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |t| root.join(t));
    Ok(target
        .join("release")
        .join(format!("driftwatch{}", std::env::consts::EXE_SUFFIX)))
}

/// Refuses a `driftwatch` built without the engines (it says so when asked for one).
fn check_engines(exe: &Path, dir: &Path) -> Result<()> {
    let absent = dir.join("membench-absent.parquet");
    let o = Command::new(exe)
        .args(["drift", "--engine", "datafusion", "--reference"])
        .arg(&absent)
        .arg("--current")
        .arg(&absent)
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    let err = String::from_utf8_lossy(&o.stderr);
    if err.contains("built without the DataFusion and Ballista engines") {
        bail!(
            "{} was built without the engines that --engine measures; build it with cargo {} (or leave --exe out to have membench build it)",
            exe.display(),
            DISTRIBUTED_BUILD.join(" ")
        );
    }
    Ok(())
}

/// A loopback port free now (the system's pick).
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")
        .context("finding a free loopback port")?
        .local_addr()?
        .port())
}

/// A server process under `membench-run --until-stdin-closes`.
struct Server {
    what: String,
    child: std::process::Child,
}

impl Server {
    fn start(what: String, program: &Path, args: &[String]) -> Result<Self> {
        if !program.is_file() {
            bail!(
                "{} is missing: build it with cargo {}",
                program.display(),
                DISTRIBUTED_BUILD.join(" ")
            );
        }
        let me = std::env::current_exe().context("finding the xtask binary")?;
        let child = Command::new(me)
            .args(["membench-run", "--until-stdin-closes", "--"])
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        Ok(Server { what, child })
    }

    /// Stops the server and returns its peak resident memory.
    fn stop(mut self, wall_s: f64) -> Result<Measured> {
        drop(self.child.stdin.take());
        let o = self.child.wait_with_output()?;
        let line = last_line(&o.stdout)?;
        Ok(Measured {
            what: self.what,
            server: true,
            wall_s,
            rss_bytes: line["max_rss_kib"].as_u64().unwrap_or(0) * 1024,
            drifted: Vec::new(),
            sketched: 0,
        })
    }
}

/// `drift --engine ballista` on a loopback cluster: a `driftwatch-scheduler` and two
/// `driftwatch-executor`s (found beside `exe`), each measured in its own process,
/// then the client's run; one row per process.
fn ballista(exe: &Path, base: &[&str], dir: &Path, report: &Path) -> Result<Vec<Measured>> {
    let bin = exe.parent().unwrap_or(Path::new("."));
    let named = |n: &str| bin.join(format!("{n}{}", std::env::consts::EXE_SUFFIX));
    let port = free_port()?;
    let started = Instant::now();
    let mut servers = vec![Server::start(
        "ballista: driftwatch-scheduler".into(),
        &named("driftwatch-scheduler"),
        &["--bind".into(), format!("127.0.0.1:{port}")],
    )?];
    std::thread::sleep(std::time::Duration::from_secs(2));
    for i in 0..2 {
        let work = dir.join(format!("membench-executor-{i}"));
        std::fs::create_dir_all(&work)?;
        servers.push(Server::start(
            format!("ballista: driftwatch-executor {i} (1 task)"),
            &named("driftwatch-executor"),
            &[
                "--scheduler-port".into(),
                port.to_string(),
                "--port".into(),
                free_port()?.to_string(),
                "--grpc-port".into(),
                free_port()?.to_string(),
                "--concurrent-tasks".into(),
                "1".into(),
                "--work-dir".into(),
                work.display().to_string(),
            ],
        )?);
    }
    std::thread::sleep(std::time::Duration::from_secs(3));
    let scheduler = format!("df://localhost:{port}");
    let mut clients = Vec::new();
    for (what, extra) in ENGINE_RUNS {
        let args: Vec<&str> = base
            .iter()
            .copied()
            .chain(["--engine", "ballista", "--scheduler", &scheduler])
            .chain(extra.iter().copied())
            .collect();
        let what = format!("ballista: CLI client, {what}");
        clients.push(measure(exe, &args, &what, report));
    }
    let wall = started.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    for s in servers {
        rows.push(s.stop(wall)?);
    }
    for i in 0..2 {
        let _ = std::fs::remove_dir_all(dir.join(format!("membench-executor-{i}")));
    }
    let mut out = clients.into_iter().collect::<Result<Vec<_>>>()?;
    out.extend(rows);
    Ok(out)
}

/// The last line of a `membench-run` output, parsed.
fn last_line(stdout: &[u8]) -> Result<serde_json::Value> {
    let text = String::from_utf8_lossy(stdout);
    let line = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    serde_json::from_str(line)
        .with_context(|| format!("membench-run printed no measurement: {text}"))
}

/// Refuses to write `need` bytes into `dir` when that would leave less than
/// [`KEEP_FREE`] on its disk.
fn check_free_space(dir: &Path, need: u64) -> Result<()> {
    let s = nix::sys::statvfs::statvfs(dir)
        .with_context(|| format!("reading the free space of {}", dir.display()))?;
    let free = s.blocks_available() * s.fragment_size();
    if free < need.saturating_add(KEEP_FREE) {
        bail!(
            "{} has {} GiB free: the two tables need {} GiB and 15 GiB must stay free (choose a smaller --size or another --dir)",
            dir.display(),
            free >> 30,
            need.div_ceil(1 << 30)
        );
    }
    Ok(())
}

/// Runs `driftwatch args` under `membench-run` and reads its report.
fn measure(exe: &Path, args: &[&str], what: &str, report: &Path) -> Result<Measured> {
    let me = std::env::current_exe().context("finding the xtask binary")?;
    let o = Command::new(me)
        .arg("membench-run")
        .arg("--")
        .arg(exe)
        .args(args)
        .output()
        .context("running membench-run")?;
    let line: serde_json::Value = serde_json::from_slice(&o.stdout).with_context(|| {
        format!(
            "membench-run printed no measurement: {}",
            String::from_utf8_lossy(&o.stderr)
        )
    })?;
    if line["code"] != 0 {
        bail!(
            "driftwatch {} failed ({}): {}",
            args.join(" "),
            line["code"],
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let text = std::fs::read_to_string(report)
        .with_context(|| format!("reading the report {}", report.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).context("parsing the report")?;
    let rows = json["columns"].as_array().cloned().unwrap_or_default();
    let m = Measured {
        what: what.to_string(),
        server: false,
        wall_s: line["wall_s"].as_f64().unwrap_or(f64::NAN),
        rss_bytes: line["max_rss_kib"].as_u64().unwrap_or(0) * 1024,
        drifted: rows
            .iter()
            .filter(|r| r["drift"] == true)
            .filter_map(|r| r["column"].as_str().map(str::to_string))
            .collect(),
        sketched: rows.iter().filter(|r| r["exact"] == false).count(),
    };
    eprintln!(
        "{what}: {:.1} s, peak RSS {} MiB",
        m.wall_s,
        m.rss_bytes >> 20
    );
    Ok(m)
}

/// Rows of a kept pair, from a one-column drift run's report.
fn count_rows(exe: &Path, reference: &Path) -> Result<u64> {
    let r = reference.to_string_lossy();
    let o = Command::new(exe)
        .args([
            "drift",
            "--reference",
            &r,
            "--current",
            &r,
            "--columns",
            "k",
            "--format",
            "json",
        ])
        .output()
        .context("counting the rows of the kept tables")?;
    let json: serde_json::Value =
        serde_json::from_slice(&o.stdout).context("counting the rows of the kept tables")?;
    let n = json["columns"][0]["n_reference"].as_u64().unwrap_or(0);
    Ok(2 * n)
}

/// A deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The columns: `f0`..`f7` numeric (f0 shifted by 0.05, f1 scaled by 1.1 and f2
/// shifted by 0.02 in the current table; f3 with 1% missing), `k` a whole number in
/// 0..20, `segment` (12 levels, one twice as likely in the current table) and `city`
/// (50 levels).
fn schema() -> Arc<Schema> {
    let mut fields: Vec<Field> = (0..8)
        .map(|j| Field::new(format!("f{j}"), DataType::Float64, true))
        .collect();
    fields.push(Field::new("k", DataType::Int64, false));
    fields.push(Field::new(
        "segment",
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        false,
    ));
    fields.push(Field::new("city", DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

/// One batch of `rows` rows.
fn batch(rng: &mut Rng, rows: usize, shifted: bool) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(11);
    for j in 0..8 {
        let values: Float64Array = (0..rows)
            .map(|_| {
                let v = rng.uniform() + rng.uniform();
                if j == 3 && rng.next().is_multiple_of(100) {
                    return None;
                }
                Some(match (shifted, j) {
                    (true, 0) => v + 0.05,
                    (true, 1) => v * 1.1,
                    (true, 2) => v + 0.02,
                    _ => v,
                })
            })
            .collect();
        columns.push(Arc::new(values));
    }
    let k: Int64Array = (0..rows).map(|_| (rng.next() % 20) as i64).collect();
    columns.push(Arc::new(k));
    let keys: arrow::array::Int32Array = (0..rows)
        .map(|_| {
            // in the current table "north" is drawn twice as often
            let draw = rng.next() % if shifted { 13 } else { 12 };
            (draw % 12) as i32
        })
        .collect();
    let levels = Arc::new(StringArray::from(SEGMENTS.to_vec()));
    columns.push(Arc::new(DictionaryArray::<Int32Type>::try_new(
        keys, levels,
    )?));
    let cities: StringArray = (0..rows)
        .map(|_| Some(format!("city_{}", rng.next() % 50)))
        .collect();
    columns.push(Arc::new(cities));
    Ok(RecordBatch::try_new(schema(), columns)?)
}

/// Writes a table of about `size` bytes, a batch at a time; returns its rows.
fn write_table(path: &Path, format: TableFormat, size: usize, shifted: bool) -> Result<u64> {
    let partial = path.with_extension("partial");
    let file = File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut rng = Rng(if shifted { 2 } else { 1 });
    let mut rows = 0u64;
    match format {
        TableFormat::Parquet => {
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(1 << 20))
                .build();
            let mut w = ArrowWriter::try_new(BufWriter::new(file), schema(), Some(props))?;
            while w.bytes_written() + w.in_progress_size() < size {
                w.write(&batch(&mut rng, BATCH_ROWS, shifted)?)?;
                rows += BATCH_ROWS as u64;
            }
            w.close()?;
        }
        TableFormat::Csv => {
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let names: Vec<String> = schema().fields().iter().map(|f| f.name().clone()).collect();
            writeln!(w, "{}", names.join(","))?;
            let mut written = 0usize;
            let mut line = String::new();
            while written < size {
                let b = batch(&mut rng, BATCH_ROWS, shifted)?;
                for i in 0..b.num_rows() {
                    if written >= size {
                        break;
                    }
                    line.clear();
                    for (j, col) in b.columns().iter().enumerate() {
                        if j > 0 {
                            line.push(',');
                        }
                        if col.is_valid(i) {
                            line.push_str(&arrow::util::display::array_value_to_string(col, i)?);
                        }
                    }
                    line.push('\n');
                    w.write_all(line.as_bytes())?;
                    written += line.len();
                    rows += 1;
                }
            }
            w.flush()?;
        }
    }
    std::fs::rename(&partial, path)
        .with_context(|| format!("renaming {} to {}", partial.display(), path.display()))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small pair: the sizes are reached, the current table is shifted where said.
    #[test]
    fn the_generator_writes_tables_of_the_size_asked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for format in [TableFormat::Parquet, TableFormat::Csv] {
            let path = dir.path().join("t");
            let rows = write_table(&path, format, 3 << 20, true).unwrap_or_else(|e| panic!("{e}"));
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            // Parquet stops at the batch that reaches the size, CSV at the row
            assert!((3 << 20..8 << 20).contains(&size), "{format:?}: {size}");
            let frame = driftwatch_columnar::read_table(
                &path,
                &driftwatch_core::ReadOptions::default(),
                None,
            )
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(frame.n_rows() as u64, rows);
            let f0 = frame
                .column("f0")
                .ok()
                .and_then(|c| c.numeric_values())
                .unwrap_or_default();
            let mean = f0.iter().sum::<f64>() / f0.len() as f64;
            assert!((mean - 1.05).abs() < 0.01, "{format:?}: {mean}");
            assert!(frame.column("f3").map_or(0, |c| c.missing_count()) > 0);
        }
    }
}
