//! `cargo xtask render`: open an HTML report in a real browser (headless Chromium),
//! check that every section rendered and that no script error or console message
//! appeared, and save a PNG screenshot of the whole page.
//!
//! The page is the one `monitor --format html` and `cargo xtask simulate` write (or the
//! drift page of `drift --format html`, told apart by its sections); by
//! default the seed scenario's `target/simulate/seed-iris-30day/report.html` (simulated
//! first when missing). Chromium comes from Debian's `chromium` package (`.ci/run`
//! installs it); `--browser` or `$CHROMIUM` names another binary.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use driftwatch_monitor::drift_page::SECTIONS as DRIFT_SECTIONS;
use driftwatch_monitor::html::SECTIONS as MONITOR_SECTIONS;

/// Arguments of `cargo xtask render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The HTML report (default: the seed scenario's report, simulated if missing).
    pub input: Option<PathBuf>,
    /// Where the screenshot goes (default: the report's path with `.png`).
    #[arg(long = "output", short = 'o', alias = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Page width in pixels.
    #[arg(long, default_value_t = 1400)]
    pub width: u32,
    /// The Chromium binary (default: `$CHROMIUM`, else `chromium`, `chromium-browser`,
    /// `google-chrome` on the PATH).
    #[arg(long)]
    pub browser: Option<PathBuf>,
}

/// Sections whose panels are charts: each must hold at least one SVG.
const CHART_SECTIONS: [&str; 4] = ["performance", "drift", "predictions", "distributions"];

/// The sections a page must have: the drift page's when it has its table, else the
/// monitoring report's.
fn expected_sections(dom: &str) -> &'static [&'static str] {
    if dom.contains("<section id=\"columns\"") {
        &DRIFT_SECTIONS
    } else {
        &MONITOR_SECTIONS
    }
}

/// Tallest page the screenshot captures; the blank rest is cropped away.
const MAX_HEIGHT: u32 = 12_000;

/// How long one browser run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// What the browser saw.
#[derive(Debug, Default, PartialEq)]
pub struct PageCheck {
    /// The sections this kind of page must have.
    pub expected: Vec<String>,
    /// Sections of [`SECTIONS`] missing from the rendered DOM.
    pub missing_sections: Vec<String>,
    /// Chart sections without an `<svg>`.
    pub empty_charts: Vec<String>,
    /// Console messages and uncaught script errors (the page has no script, so any
    /// message is a problem).
    pub console: Vec<String>,
}

impl PageCheck {
    /// No missing section, no empty chart, no console output.
    pub fn ok(&self) -> bool {
        self.missing_sections.is_empty() && self.empty_charts.is_empty() && self.console.is_empty()
    }
}

/// Runs the subcommand; returns the exit code (1 when the page has a problem).
pub fn run(args: &RenderArgs) -> Result<i32> {
    let browser = find_browser(args.browser.as_deref())?;
    let input = match &args.input {
        Some(p) => p.clone(),
        None => default_report()?,
    };
    if !input.is_file() {
        bail!("{}: no such report file", input.display());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| input.with_extension("png"));
    let check = inspect(&browser, &input)?;
    let (w, h) = screenshot(&browser, &input, &out, args.width)?;
    println!("rendered {} in {}", input.display(), browser.display());
    println!("screenshot: {} ({w} x {h} px)", out.display());
    for s in &check.expected {
        let state = if check.missing_sections.iter().any(|m| m == s) {
            "MISSING"
        } else if check.empty_charts.iter().any(|m| m == s) {
            "NO CHART"
        } else {
            "ok"
        };
        println!("  section {s:<13} {state}");
    }
    if check.console.is_empty() {
        println!("  console       no messages, no script errors");
    }
    for m in &check.console {
        println!("  console       {m}");
    }
    Ok(if check.ok() { 0 } else { 1 })
}

/// The seed scenario's report, replayed first when it is not there yet.
fn default_report() -> Result<PathBuf> {
    let dir = crate::simulate::workspace_root().join("target/simulate/seed-iris-30day");
    let page = dir.join("report.html");
    if !page.is_file() {
        eprintln!(
            "{} missing: running the seed scenario first",
            page.display()
        );
        crate::simulate::replay_to(crate::simulate::DEFAULT_SCENARIO, &dir)?;
    }
    Ok(page)
}

/// The Chromium binary: the flag, `$CHROMIUM`, or the first known name on the PATH.
pub fn find_browser(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    bail!(
        "no Chromium found: install it (Debian: apt-get install chromium), or name the \
         binary with --browser or $CHROMIUM"
    )
}

/// Loads the page headless and reads back its DOM and console.
pub fn inspect(browser: &Path, page: &Path) -> Result<PageCheck> {
    let (dom, log) = run_browser(
        browser,
        &["--enable-logging=stderr", "--v=0", "--dump-dom"],
        page,
    )?;
    Ok(check_page(&dom, &log))
}

/// Judges a rendered DOM and the browser's log.
pub fn check_page(dom: &str, log: &str) -> PageCheck {
    let section = |id: &str| -> Option<&str> {
        let start = dom.find(&format!("<section id=\"{id}\""))?;
        let rest = &dom[start..];
        Some(&rest[..rest.find("</section>").unwrap_or(rest.len())])
    };
    let expected = expected_sections(dom);
    PageCheck {
        expected: expected.iter().map(|s| s.to_string()).collect(),
        missing_sections: expected
            .iter()
            .filter(|s| section(s).is_none())
            .map(|s| s.to_string())
            .collect(),
        empty_charts: CHART_SECTIONS
            .iter()
            .filter(|s| expected.contains(s))
            .filter(|s| section(s).is_some_and(|body| !body.contains("<svg")))
            .map(|s| s.to_string())
            .collect(),
        console: log
            .lines()
            .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
            .map(|l| l.split_once("] ").map_or(l, |(_, m)| m).to_string())
            .collect(),
    }
}

/// Screenshots the page at `width` and crops the blank bottom; returns the size.
pub fn screenshot(browser: &Path, page: &Path, out: &Path, width: u32) -> Result<(u32, u32)> {
    let shot = format!("--screenshot={}", out.display());
    let size = format!("--window-size={width},{MAX_HEIGHT}");
    run_browser(browser, &["--hide-scrollbars", &size, &shot], page)?;
    crop_blank_bottom(out)
}

/// One headless browser run on a local page; returns stdout and stderr.
fn run_browser(browser: &Path, flags: &[&str], page: &Path) -> Result<(String, String)> {
    let url = format!(
        "file://{}",
        std::path::absolute(page)
            .with_context(|| format!("resolving {}", page.display()))?
            .display()
    );
    let profile = tempfile::tempdir().context("creating a browser profile directory")?;
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            // Nothing may come from the network: the page is self-contained.
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(flags)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", browser.display()))?;
    // Drain both pipes on threads so a chatty browser never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + BROWSER_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!(
                "{} did not finish within {BROWSER_TIMEOUT:?} on {url}",
                browser.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    if !status.success() {
        bail!(
            "{} failed on {url} ({status}): {}",
            browser.display(),
            stderr.lines().last().unwrap_or("")
        );
    }
    Ok((stdout, stderr))
}

/// Rewrites the PNG without the uniform rows at its bottom (plus a small margin).
fn crop_blank_bottom(path: &Path) -> Result<(u32, u32)> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("the browser wrote no screenshot at {}", path.display()))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf)?;
    let stride = info.line_size;
    let rows: Vec<&[u8]> = buf[..stride * info.height as usize]
        .chunks_exact(stride)
        .collect();
    let background = rows.last().map(|r| r.to_vec()).unwrap_or_default();
    let used = rows
        .iter()
        .rposition(|r| *r != background.as_slice())
        .map_or(1, |i| i + 1);
    let height = (used + 24).min(rows.len());
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?,
        ),
        info.width,
        height as u32,
    );
    encoder.set_color(info.color_type);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&buf[..stride * height])?;
    writer.finish()?;
    Ok((info.width, height as u32))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The browser, or `None` (test skipped) when it is not installed, unless
    /// `DRIFTWATCH_REQUIRE_BROWSER=1` (set by `.ci/run`) makes its absence a failure.
    fn browser() -> Option<PathBuf> {
        match find_browser(None) {
            Ok(b) => Some(b),
            Err(e) if std::env::var_os("DRIFTWATCH_REQUIRE_BROWSER").is_some() => {
                panic!("DRIFTWATCH_REQUIRE_BROWSER is set but {e}")
            }
            Err(e) => {
                eprintln!("skipped: {e}");
                None
            }
        }
    }

    #[test]
    fn the_checker_sees_script_errors_and_missing_sections() {
        let log = "[1:1:1123/1.1:INFO:CONSOLE:1] \"Uncaught ReferenceError: f is not defined\", source: x (1)\n[1:1:1:INFO:other] fine";
        let dom =
            "<section id=\"summary\">s</section><section id=\"performance\">no chart</section>";
        let c = check_page(dom, log);
        assert_eq!(
            c.console,
            ["\"Uncaught ReferenceError: f is not defined\", source: x (1)"]
        );
        assert_eq!(
            c.missing_sections,
            ["drift", "predictions", "alerts", "windows"]
        );
        assert_eq!(c.empty_charts, ["performance"]);
        assert!(!c.ok());
        // A drift page is held to its own sections.
        let dom = "<section id=\"columns\">t</section><section id=\"distributions\"></section>";
        let c = check_page(dom, "");
        assert_eq!(c.expected, DRIFT_SECTIONS);
        assert_eq!(c.missing_sections, ["verdict"]);
        assert_eq!(c.empty_charts, ["distributions"]);
    }

    #[test]
    fn a_real_browser_reports_a_broken_page() {
        let Some(browser) = browser() else { return };
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("bad.html");
        std::fs::write(
            &page,
            "<!DOCTYPE html><html><body><section id=\"summary\">x</section>\
             <script>undefinedFunction();</script></body></html>",
        )
        .unwrap();
        let c = inspect(&browser, &page).unwrap();
        assert!(
            c.console
                .iter()
                .any(|m| m.contains("undefinedFunction is not defined")),
            "{c:?}"
        );
        assert_eq!(c.missing_sections.len(), MONITOR_SECTIONS.len() - 1);
    }

    /// The seed scenario's 30-day report in Chromium: every section, a chart in each
    /// chart section, no console message, and a full-page screenshot.
    #[test]
    fn the_seed_report_renders_in_a_real_browser() {
        let Some(browser) = browser() else { return };
        let dir = tempfile::tempdir().unwrap();
        crate::simulate::replay_to(crate::simulate::DEFAULT_SCENARIO, dir.path()).unwrap();
        let page = dir.path().join("report.html");
        let check = inspect(&browser, &page).unwrap();
        assert!(check.ok(), "{check:?}");
        assert_eq!(check.expected, MONITOR_SECTIONS);
        let png = dir.path().join("report.png");
        let (w, h) = screenshot(&browser, &page, &png, 1200).unwrap();
        assert_eq!(w, 1200);
        // Summary, four metric panels, histograms, shares, alerts and 30 table rows.
        assert!((1500..MAX_HEIGHT).contains(&h), "height {h}");
    }
}
