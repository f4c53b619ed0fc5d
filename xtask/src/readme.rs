//! `cargo xtask readme`: run every command of README.md's ```` ```sh ```` blocks, in
//! order, as a reader of a fresh clone would, and stop at the first one that fails.
//!
//! - A command is one line of a `sh` block, or several joined by trailing `\`; blank
//!   lines and `#` comment lines are not commands. Each runs in its own `sh -c` with
//!   stdin closed, so `cd` or variables do not carry over to the next line.
//! - `cargo ...` lines run in the workspace root (cargo needs the workspace; they write
//!   only under `target/`). Every other line runs in one fresh temporary directory that
//!   holds a copy of `fixtures/` (so `fixtures/...` paths resolve and nothing in the
//!   checkout is written), with a `driftwatch` built by `cargo build --release -p
//!   driftwatch-cli` first on the PATH.
//! - Markers in a command's trailing comment: `[exit N]` the command must exit with N
//!   (default 0); `[skip: REASON]` it is listed, not run (long runs CI does separately,
//!   things CI machines lack, installs into the user's home); `[background]` the
//!   command (which must end with `&`, as a reader types it) keeps running: it is
//!   started without the `&`, the run waits for its first line of output (a server
//!   prints its address once it listens, e.g. `driftwatch serve`'s `serving ... on
//!   http://ADDR`) and goes on; when every command has run, it gets SIGTERM and must
//!   exit 0 within 10 s (a graceful stop). A command ending with `&` without the marker
//!   is an error (it would be left running).
//! - A usage error (clap's, e.g. a flag renamed on another branch) fails the command even
//!   when its exit code 2 is the expected one.
//! - Every command has a timeout (`--timeout`); a failure prints the README line, the
//!   command, the exit code, and the end of its stderr and stdout, and keeps the
//!   temporary directory for a look.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Arguments of `cargo xtask readme`.
#[derive(Debug, clap::Args)]
pub struct ReadmeArgs {
    /// The Markdown file (default: the workspace's README.md).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Print the commands with their markers and README lines; run nothing.
    #[arg(long)]
    pub list: bool,
    /// Seconds one command may take before it is killed and counted as failed.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Keep the temporary directory (and print its path) even when every command passed.
    #[arg(long)]
    pub keep: bool,
}

/// One command of the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Line of the README (1-based) where the command starts.
    pub line: usize,
    /// The command, continuation lines joined, trailing comment included (sh drops it).
    pub command: String,
    /// The exit code it must give (`[exit N]`, default 0).
    pub expect: i32,
    /// Why it is not run (`[skip: REASON]`).
    pub skip: Option<String>,
    /// Started and left running (`[background]`, a command ending with `&`).
    pub background: bool,
}

impl Step {
    /// Whether the command runs in the workspace root rather than the temporary directory.
    pub fn in_workspace(&self) -> bool {
        self.command.split_whitespace().next() == Some("cargo")
    }
}

/// The commands of every `sh` (or `bash`, `shell`) fenced block of `markdown`.
pub fn extract(markdown: &str) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    let mut in_block = false;
    let mut in_other_block = false;
    // A command being joined: its first line and text so far.
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in markdown.lines().enumerate() {
        let n = i + 1;
        let trimmed = raw.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_block {
                if let Some((start, _)) = pending {
                    bail!(
                        "line {start}: the command's last line ends with `\\` but the block ends at line {n}"
                    );
                }
                in_block = false;
            } else if in_other_block {
                in_other_block = false;
            } else if matches!(
                info.split_whitespace().next(),
                Some("sh" | "bash" | "shell")
            ) {
                in_block = true;
            } else {
                in_other_block = true;
            }
            continue;
        }
        if !in_block {
            continue;
        }
        let (start, mut text) = match pending.take() {
            Some((start, text)) => (start, text + " " + trimmed),
            None if trimmed.is_empty() || trimmed.starts_with('#') => continue,
            None => (n, trimmed.to_string()),
        };
        if let Some(head) = text.strip_suffix('\\') {
            text = head.trim_end().to_string();
            pending = Some((start, text));
            continue;
        }
        steps.push(step(start, text)?);
    }
    if in_block {
        bail!("a ```sh block is not closed");
    }
    Ok(steps)
}

/// A command with its markers read from its trailing comment.
fn step(line: usize, command: String) -> Result<Step> {
    let mut expect = 0;
    let mut skip = None;
    let comment = trailing_comment(&command);
    let background = comment.is_some_and(|c| c.contains("[background]"));
    let body = comment.map_or(command.as_str(), |c| {
        &command[..command.len() - c.len() - 1]
    });
    match (background, body.trim_end().ends_with('&')) {
        (true, false) => bail!("line {line}: a `[background]` command ends with `&`"),
        (false, true) => bail!(
            "line {line}: a command ending with `&` needs the `[background]` marker, so that \
             the run waits for it and stops it at the end"
        ),
        _ => {}
    }
    if let Some(comment) = comment {
        if let Some(rest) = marker(comment, "[exit") {
            expect = rest.trim().parse().with_context(|| {
                format!(
                    "line {line}: `[exit{rest}]`: the marker is `[exit N]` with a whole number N"
                )
            })?;
        }
        if let Some(rest) = marker(comment, "[skip") {
            let reason = rest.trim_start().strip_prefix(':').map(str::trim);
            match reason {
                Some(r) if !r.is_empty() => skip = Some(r.to_string()),
                _ => bail!("line {line}: `[skip{rest}]`: give the reason, `[skip: REASON]`"),
            }
        }
    }
    Ok(Step {
        line,
        command,
        expect,
        skip,
        background,
    })
}

/// The text between `open` and the next `]` in `comment`, if `open` occurs.
fn marker<'a>(comment: &'a str, open: &str) -> Option<&'a str> {
    let start = comment.find(open)? + open.len();
    let rest = &comment[start..];
    Some(rest.find(']').map_or(rest, |end| &rest[..end]))
}

/// The shell comment at the end of `command`: from the first `#` outside quotes that
/// starts a word.
fn trailing_comment(command: &str) -> Option<&str> {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in command.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return Some(&command[i + 1..]),
            None => {}
        }
        prev = c;
    }
    None
}

/// The last line of clap's usage errors (a flag the binary does not know, a missing one).
const USAGE_ERROR: &str = "For more information, try '--help'.";

/// Runs the subcommand; returns the exit code (1 when a command failed).
pub fn run(args: &ReadmeArgs) -> Result<i32> {
    let root = crate::simulate::workspace_root();
    let file = args.file.clone().unwrap_or_else(|| root.join("README.md"));
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let steps = extract(&text).with_context(|| format!("in {}", file.display()))?;
    if steps.is_empty() {
        bail!("{}: no command in a ```sh block", file.display());
    }
    if args.list {
        for s in &steps {
            let mark = match (&s.skip, s.expect) {
                (Some(r), _) => format!("skip ({r})"),
                (None, _) if s.background => "background".into(),
                (None, 0) => "run".into(),
                (None, code) => format!("exit {code}"),
            };
            println!("{name}:{:<4} {mark:<12} {}", s.line, s.command);
        }
        return Ok(0);
    }

    let driftwatch = build_driftwatch(&root)?;
    let bin = tempfile::Builder::new().prefix("readme-bin-").tempdir()?;
    std::fs::copy(&driftwatch, bin.path().join("driftwatch"))
        .with_context(|| format!("copying {}", driftwatch.display()))?;
    let work = tempfile::Builder::new().prefix("readme-run-").tempdir()?;
    copy_dir(&root.join("fixtures"), &work.path().join("fixtures"))?;
    let path = std::env::join_paths(std::iter::once(bin.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    println!(
        "{name}: {} commands; driftwatch = {}; running in {} (cargo lines in {})",
        steps.len(),
        driftwatch.display(),
        work.path().display(),
        root.display()
    );

    let started = Instant::now();
    let (mut ran, mut skipped) = (0, 0);
    let mut background = Background::default();
    for s in &steps {
        if let Some(reason) = &s.skip {
            println!("skip  {name}:{:<4}  ({reason})  {}", s.line, s.command);
            skipped += 1;
            continue;
        }
        let dir = if s.in_workspace() { &root } else { work.path() };
        let t = Instant::now();
        if s.background {
            ran += 1;
            match background.start(s, dir, &path, Duration::from_secs(args.timeout))? {
                Ok(first) => {
                    println!(
                        "bg    {name}:{:<4} {:>6.1}s  {}\n        -> {first}",
                        s.line,
                        t.elapsed().as_secs_f64(),
                        s.command
                    );
                    continue;
                }
                Err(out) => {
                    eprintln!(
                        "FAILED {name}:{} (a [background] command gave no line of output \
                         before it exited or the timeout)",
                        s.line
                    );
                    eprintln!("  $ {}", s.command);
                    eprintln!("--- its output\n{}", tail(&out, 40));
                    eprintln!("kept the temporary directory {}", work.keep().display());
                    return Ok(1);
                }
            }
        }
        let out = run_one(&s.command, dir, &path, Duration::from_secs(args.timeout))?;
        ran += 1;
        let secs = t.elapsed().as_secs_f64();
        // A misspelt flag exits 2 too: never what an `[exit 2]` line documents.
        let usage_error = out.stderr.contains(USAGE_ERROR);
        if out.code == Some(s.expect) && !usage_error {
            println!("ok    {name}:{:<4} {secs:>6.1}s  {}", s.line, s.command);
            continue;
        }
        let got = match (out.code, out.timed_out) {
            (_, true) => format!("killed after the {} s timeout", args.timeout),
            (Some(c), false) if usage_error => format!("exit {c}, a usage error"),
            (Some(c), false) => format!("exit {c}"),
            (None, false) => "killed by a signal".into(),
        };
        eprintln!(
            "FAILED {name}:{} ({got}, expected exit {}; {secs:.1}s; command {ran} of {})",
            s.line,
            s.expect,
            steps.len()
        );
        eprintln!("  $ {}", s.command);
        eprintln!("  in {}", dir.display());
        eprintln!("--- stderr (last 40 lines)\n{}", tail(&out.stderr, 40));
        eprintln!("--- stdout (last 20 lines)\n{}", tail(&out.stdout, 20));
        eprintln!(
            "kept the temporary directory {} (the files the earlier commands wrote)",
            work.keep().display()
        );
        return Ok(1);
    }
    for (line, result) in background.stop_all() {
        match result {
            Ok(()) => println!("ok    {name}:{line:<4} stopped with SIGTERM, exit 0"),
            Err(e) => {
                eprintln!("FAILED {name}:{line} (the [background] command: {e})");
                eprintln!("kept the temporary directory {}", work.keep().display());
                return Ok(1);
            }
        }
    }
    println!(
        "{name}: {ran} commands ran as documented, {skipped} skipped, in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    if args.keep {
        println!("kept {}", work.keep().display());
    }
    Ok(0)
}

/// Builds the release binary (a no-op when it is fresh) and returns its path, so the
/// run never tests a stale binary.
pub(crate) fn build_driftwatch(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--release", "-p", "driftwatch-cli"])
        .current_dir(root)
        .status()
        .context("running cargo build --release -p driftwatch-cli")?;
    if !status.success() {
        bail!("cargo build --release -p driftwatch-cli failed ({status})");
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |t| root.join(t));
    let exe = target
        .join("release")
        .join(format!("driftwatch{}", std::env::consts::EXE_SUFFIX));
    if !exe.is_file() {
        bail!("{} missing after the build", exe.display());
    }
    Ok(exe)
}

/// Copies a directory tree (files and directories; symlinks are followed).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// What one command did.
struct Outcome {
    code: Option<i32>,
    timed_out: bool,
    stdout: String,
    stderr: String,
}

/// Environment variables `cargo run` sets for xtask itself; a reader's shell has none.
fn is_cargo_run_var(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || matches!(
            name,
            "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
        )
}

/// `sh -c command` in `dir` with the README's PATH, no stdin, piped output, none of
/// cargo's run-time variables, and in its own process group (so that a timeout or a
/// stop kills the pipeline, not just sh).
fn shell(command: &str, dir: &Path, path: &std::ffi::OsStr) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars_os() {
        if k.to_str().is_some_and(is_cargo_run_var) {
            c.env_remove(k);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        c.process_group(0);
    }
    c
}

/// Runs `command` with `sh -c` in `dir`, killing it (and what it started) after `timeout`.
fn run_one(
    command: &str,
    dir: &Path,
    path: &std::ffi::OsStr,
    timeout: Duration,
) -> Result<Outcome> {
    let mut child = shell(command, dir, path)
        .spawn()
        .with_context(|| format!("starting sh -c {command}"))?;
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + timeout;
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (Some(status), false);
        }
        if Instant::now() > deadline {
            kill_group(&mut child);
            break (child.wait().ok(), true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Outcome {
        code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        timed_out,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// The `[background]` commands still running; killed (the whole process group) when
/// dropped, so a failed run leaves nothing behind.
#[derive(Default)]
struct Background {
    running: Vec<(usize, std::process::Child)>,
}

impl Background {
    /// Starts `step` without its trailing `&` and waits for its first line of output:
    /// `Ok(line)`, or `Err(output)` when it exits or `timeout` passes first.
    fn start(
        &mut self,
        step: &Step,
        dir: &Path,
        path: &std::ffi::OsStr,
        timeout: Duration,
    ) -> Result<std::result::Result<String, String>> {
        let body = trailing_comment(&step.command)
            .map_or(step.command.as_str(), |c| {
                &step.command[..step.command.len() - c.len() - 1]
            })
            .trim_end();
        let body = body.strip_suffix('&').unwrap_or(body).trim_end();
        let mut child = shell(&format!("exec {body}"), dir, path)
            .spawn()
            .with_context(|| format!("starting sh -c {body}"))?;
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child.stderr.take().map(|p| Box::new(p) as _),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                use std::io::BufRead as _;
                // Read to the end, so that the command never blocks on a full pipe.
                for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        drop(tx);
        let deadline = Instant::now() + timeout;
        let first = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        match first {
            Ok(line) => {
                self.running.push((step.line, child));
                Ok(Ok(line))
            }
            Err(_) => {
                kill_group(&mut child);
                let _ = child.wait();
                let rest: Vec<String> = rx.try_iter().collect();
                Ok(Err(rest.join("\n")))
            }
        }
    }

    /// SIGTERM to every command, in order; each must exit 0 within 10 s.
    fn stop_all(&mut self) -> Vec<(usize, std::result::Result<(), String>)> {
        let mut out = Vec::new();
        for (line, mut child) in self.running.drain(..) {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            let result = loop {
                match child.try_wait() {
                    Ok(Some(s)) if s.code() == Some(0) => break Ok(()),
                    Ok(Some(s)) => break Err(format!("exited with {s} after SIGTERM")),
                    Ok(None) if Instant::now() > deadline => {
                        kill_group(&mut child);
                        let _ = child.wait();
                        break Err("still running 10 s after SIGTERM; killed".into());
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => break Err(e.to_string()),
                }
            };
            out.push((line, result));
        }
        out
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for (_, child) in &mut self.running {
            kill_group(child);
            let _ = child.wait();
        }
    }
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
    }
    let _ = child.kill();
}

/// The last `n` lines of `text`, indented, or `(empty)`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return "  (empty)".into();
    }
    let from = lines.len().saturating_sub(n);
    let mut out = String::new();
    if from > 0 {
        out.push_str(&format!("  ... {from} lines before\n"));
    }
    for l in &lines[from..] {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn commands(md: &str) -> Vec<(usize, String, i32, Option<String>)> {
        extract(md)
            .unwrap()
            .into_iter()
            .map(|s| (s.line, s.command, s.expect, s.skip))
            .collect()
    }

    #[test]
    fn joins_continuations_and_skips_comment_lines_and_other_blocks() {
        let md = "intro\n\
```sh\n\
# a comment line\n\
\n\
driftwatch train --data d.csv \\\n\
    --target y \\\n\
    --output m.dwm   # trains\n\
driftwatch inspect --model m.dwm\n\
```\n\
```toml\n\
not = \"a command\"\n\
```\n\
    driftwatch indented --is-not-run\n\
```bash\n\
cargo xtask simulate --list\n\
```\n";
        assert_eq!(
            commands(md),
            [
                (
                    5,
                    "driftwatch train --data d.csv --target y --output m.dwm   # trains".into(),
                    0,
                    None
                ),
                (8, "driftwatch inspect --model m.dwm".into(), 0, None),
                (15, "cargo xtask simulate --list".into(), 0, None),
            ]
        );
        let steps = extract(md).unwrap();
        assert!(!steps[0].in_workspace() && steps[2].in_workspace());
    }

    #[test]
    fn reads_exit_and_skip_markers_from_the_trailing_comment_only() {
        let md = "```sh\n\
driftwatch monitor --fail-on-alert   # [exit 1] an alert is active\n\
driftwatch validate --data 'x # [exit 9]'   # [exit 2]\n\
cargo test --workspace   # every test [skip: CI runs it]\n\
driftwatch plugins --format json   # lists [options] of nothing\n\
```\n";
        assert_eq!(
            commands(md),
            [
                (
                    2,
                    "driftwatch monitor --fail-on-alert   # [exit 1] an alert is active".into(),
                    1,
                    None
                ),
                (
                    3,
                    "driftwatch validate --data 'x # [exit 9]'   # [exit 2]".into(),
                    2,
                    None
                ),
                (
                    4,
                    "cargo test --workspace   # every test [skip: CI runs it]".into(),
                    0,
                    Some("CI runs it".into())
                ),
                (
                    5,
                    "driftwatch plugins --format json   # lists [options] of nothing".into(),
                    0,
                    None
                ),
            ]
        );
    }

    #[test]
    fn malformed_markers_and_open_continuations_are_errors_naming_the_line() {
        let err = |md: &str| {
            extract(md)
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default()
        };
        assert!(err("```sh\na   # [exit one]\n```\n").contains("line 2"));
        assert!(err("```sh\na   # [skip]\n```\n").contains("give the reason"));
        assert!(err("```sh\n\nb \\\n```\n").contains("line 3"));
        assert!(err("```sh\nc\n").contains("not closed"));
    }

    #[test]
    fn background_commands_end_with_an_ampersand_and_are_started_and_stopped() {
        let md = "```sh\nsleep 1 &   # [background] a server\necho hi\n```\n";
        let steps = extract(md).unwrap();
        assert!(steps[0].background && !steps[1].background);
        let err = |md: &str| format!("{:#}", extract(md).err().unwrap());
        assert!(err("```sh\nserve   # [background]\n```\n").contains("ends with `&`"));
        assert!(err("```sh\nserve &\n```\n").contains("needs the `[background]`"));

        let dir = tempfile::tempdir().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut bg = Background::default();
        let step = |cmd: &str| extract(&format!("```sh\n{cmd}\n```\n")).unwrap().remove(0);
        let server = step(
            "sh -c 'trap \"exit 0\" TERM; echo serving on x; while :; do sleep 0.05; done' &  # [background]",
        );
        let first = bg
            .start(&server, dir.path(), &path, Duration::from_secs(10))
            .unwrap();
        assert_eq!(first, Ok("serving on x".to_string()));
        let silent = step("true &  # [background]");
        let gone = bg
            .start(&silent, dir.path(), &path, Duration::from_secs(10))
            .unwrap();
        assert!(gone.is_err());
        let stopped = bg.stop_all();
        assert_eq!(stopped, [(2, Ok(()))]);
    }

    #[test]
    fn a_trailing_comment_starts_a_word_outside_quotes() {
        assert_eq!(trailing_comment("a 'b # c' d # e"), Some(" e"));
        assert_eq!(trailing_comment("a b#c"), None);
        assert_eq!(trailing_comment("# all"), Some(" all"));
    }

    #[test]
    fn runs_a_command_and_reports_its_code_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let ok = run_one(
            "echo hi; echo err >&2; exit 3",
            dir.path(),
            &path,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(
            (
                ok.code,
                ok.timed_out,
                ok.stdout.as_str(),
                ok.stderr.as_str()
            ),
            (Some(3), false, "hi\n", "err\n")
        );
        let slow = run_one("sleep 5", dir.path(), &path, Duration::from_millis(200)).unwrap();
        assert!(slow.timed_out && slow.code.is_none());
    }
}
