//! Live monitoring: the prediction log cut into windows as it grows, each closed window
//! checked by the CLI's one monitoring pass ([`driftwatch_run::run`]), its history
//! entry appended as `driftwatch monitor --history` appends it, the alerts evaluated
//! over every window so far ([`driftwatch_monitor::AlertPolicy::evaluate`]), and the
//! report served as JSON (`GET /v1/monitor`), HTML (`GET /dashboard`) and Prometheus
//! gauges (`/metrics`), all with the CLI's renderers.
//!
//! [`LiveMonitor::open`] restores the state from the log and the history: the history's
//! windows are closed, the log's lines after them are the open window (and any window
//! that completed while the server was down is closed at once). Which window a line
//! belongs to is a pure function of the log ([`tracker`]), so a restart neither loses a
//! window nor counts one twice.
//!
//! The work is off the request path: appending to the log only records the new bytes'
//! place ([`LiveMonitor::feed`]); a background task ([`LiveMonitor::run`]) evaluates
//! due windows on the blocking pool and posts alert events to the webhook.

pub mod routes;
pub mod tracker;
pub mod webhook;

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use driftwatch_core::{Target, read_csv_path, read_jsonl};
use driftwatch_monitor::{
    Alert, AlertState, Band, Distributions, HistoryEntry, MonitorConfig, RunReport, WindowReport,
    WindowSpec, history,
};
use driftwatch_run::{Current, Labelled, MonitorFile, PassConfig};
use serde_json::{Value, json};

use crate::config::MonitorSettings;
use crate::error::{Error, Result};
use crate::state::Model;
use tracker::{Cut, Span, Tracker};

// Linked for their registrations: the default set names `feature_drift` and
// `prediction_drift`, and a config may name the multivariate monitors, as with the CLI.
use driftwatch_drift as _;
use driftwatch_multivariate as _;
use webhook::{AlertEvent, Webhook};

/// How long a computed view of the open window is served before it is computed again
/// (the closed windows' part is cached until the next window closes).
const VIEW_TTL: Duration = Duration::from_secs(1);

/// How often the background task looks for due time windows.
const TICK: Duration = Duration::from_secs(1);

/// The live monitor of one server (see the module doc).
pub struct LiveMonitor {
    model: Arc<Model>,
    reference: Labelled,
    pass: PassConfig,
    log: PathBuf,
    history: Option<PathBuf>,
    /// Whether labels are recorded (`--labels`): performance needs them.
    labelled: bool,
    tracker: Mutex<Tracker>,
    labels: Mutex<HashMap<String, String>>,
    labels_version: AtomicU64,
    closed: RwLock<Closed>,
    /// One evaluation of due windows at a time, so history lines stay in order.
    closing: Mutex<()>,
    view: Mutex<Option<Arc<View>>>,
    wake: tokio::sync::Notify,
    webhook: Option<Webhook>,
}

impl std::fmt::Debug for LiveMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveMonitor")
            .field("log", &self.log)
            .field("spec", &self.pass.spec)
            .finish_non_exhaustive()
    }
}

/// What the closed windows gave: cached until the next one closes.
#[derive(Debug, Default, Clone)]
struct Closed {
    reports: Vec<WindowReport>,
    alerts: Vec<Alert>,
    bands: Vec<Band>,
    distributions: Option<Distributions>,
    /// Log line numbers (1-based) the pass left out by validation.
    skipped: Vec<usize>,
    /// Windows that could not be evaluated, with why.
    errors: Vec<String>,
    /// The CLI's Prometheus gauges of the closed windows.
    prometheus: String,
}

/// One window checked by the pass.
struct Checked {
    report: WindowReport,
    bands: Vec<Band>,
    distributions: Option<Distributions>,
    skipped: Vec<usize>,
    ids: Vec<String>,
}

/// The report over the closed windows and the open one, as served.
#[derive(Debug)]
pub struct View {
    key: ViewKey,
    made: Instant,
    report: RunReport,
    distributions: Option<Distributions>,
    skipped: Vec<usize>,
    open: Option<usize>,
    left_out: (usize, usize),
    errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ViewKey {
    open: Option<(usize, Span)>,
    closed: usize,
    errors: usize,
    labels: u64,
}

/// Seconds since 1970 now.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn fail(what: impl Into<String>) -> impl FnOnce(String) -> Error {
    let what = what.into();
    move |m| Error::Monitor {
        what,
        source: m.into(),
    }
}

fn io_err(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { what, path, source }
}

impl LiveMonitor {
    /// Reads the reference, the config and the history, and the log and the labels so
    /// far; `timeout` (the request timeout) is the grace before a time window closes.
    ///
    /// Errors name the file: a reference without the model's columns or target, a bad
    /// config, no windows, a history the log cannot have produced.
    pub fn open(
        settings: &MonitorSettings,
        model: Arc<Model>,
        log: &Path,
        labels: Option<&Path>,
        timeout: Duration,
    ) -> Result<Self> {
        let file = match &settings.config {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(io_err("monitor config", p))?;
                MonitorFile::parse(&text, &p.display().to_string()).map_err(|e| Error::Monitor {
                    what: format!("monitor config {}", p.display()),
                    source: Box::new(e),
                })?
            }
            None => MonitorFile::default(),
        };
        let policy = file.alert.clone();
        policy.check().map_err(|e| Error::Monitor {
            what: "the alert policy".into(),
            source: Box::new(e),
        })?;
        let spec = window_spec(settings.window, &file)?;
        let cut = match spec {
            WindowSpec::Rows(n) => Cut::Rows(n),
            WindowSpec::Every(span) => Cut::Every {
                span,
                grace: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX / 2) + 1,
            },
            WindowSpec::All => return Err(no_windows()),
        };
        let reference = read_reference(&settings.reference, &model)?;
        let webhook = settings
            .alert_webhook
            .as_deref()
            .map(Webhook::parse)
            .transpose()
            .map_err(fail("--alert-webhook"))?;

        let mut closed = Closed::default();
        let mut next = 0;
        if let Some(h) = settings.history.as_deref().filter(|h| h.exists()) {
            let f = std::fs::File::open(h).map_err(io_err("history file", h))?;
            let entries =
                history::read(f, &h.display().to_string(), None).map_err(|e| Error::Monitor {
                    what: format!("history file {}", h.display()),
                    source: Box::new(e),
                })?;
            next = history::next_index(&entries);
            closed.reports = entries.iter().map(HistoryEntry::to_report).collect();
            closed.alerts = policy.evaluate(&closed.reports);
        }
        let mut t = Tracker::new(cut, next);
        let f = std::fs::File::open(log).map_err(io_err("prediction log", log))?;
        let mut r = BufReader::with_capacity(1 << 16, f);
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = r.read(&mut buf).map_err(io_err("prediction log", log))?;
            if n == 0 {
                break;
            }
            t.feed(&buf[..n]);
        }
        if t.windows_seen() < next {
            return Err(Error::Monitor {
                what: format!(
                    "history file {}",
                    settings
                        .history
                        .as_deref()
                        .map_or_else(String::new, |p| p.display().to_string())
                ),
                source: format!(
                    "it holds windows 0..{next} ({spec}), but the log {} has {} lines, \
                     fewer windows: they are not the pair this server wrote; give the log \
                     the history was written from, or a new --history file",
                    log.display(),
                    t.lines()
                )
                .into(),
            });
        }
        t.settle();
        let mut by_id = HashMap::new();
        if let Some(p) = labels.filter(|p| p.exists()) {
            by_id = read_labels(p, &model)?;
        }
        let pass = PassConfig {
            file,
            policy,
            spec,
            extra_monitors: Vec::<MonitorConfig>::new(),
        };
        let live = LiveMonitor {
            model,
            reference,
            pass,
            log: log.to_path_buf(),
            history: settings.history.clone(),
            labelled: labels.is_some(),
            tracker: Mutex::new(t),
            labels: Mutex::new(by_id),
            labels_version: AtomicU64::new(0),
            closed: RwLock::new(closed),
            closing: Mutex::new(()),
            view: Mutex::new(None),
            wake: tokio::sync::Notify::new(),
            webhook,
        };
        live.refresh_prometheus();
        Ok(live)
    }

    /// The bytes just appended to the log, in file order (called under the log's lock).
    /// Cheap: it records where the lines are and wakes the background task when a
    /// window is complete.
    pub fn feed(&self, bytes: &[u8]) {
        let due = {
            let mut t = self.tracker.lock().unwrap_or_else(|e| e.into_inner());
            t.feed(bytes);
            t.any_due(now())
        };
        if due {
            self.wake.notify_one();
        }
    }

    /// Labels just recorded (request id, label as written to the labels file).
    pub fn add_labels(&self, pairs: impl IntoIterator<Item = (String, String)>) {
        let mut m = self.labels.lock().unwrap_or_else(|e| e.into_inner());
        m.extend(pairs);
        self.labels_version.fetch_add(1, Ordering::Relaxed);
    }

    /// The CLI's Prometheus gauges over the closed windows (`RunReport::render_prometheus`).
    pub fn prometheus(&self) -> String {
        self.closed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .prometheus
            .clone()
    }

    /// The windows closed so far.
    pub fn closed_windows(&self) -> usize {
        self.closed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .reports
            .len()
    }

    /// The background task: closes due windows (on the blocking pool) and posts alert
    /// events, until the server stops.
    pub async fn run(self: Arc<Self>) {
        loop {
            let me = Arc::clone(&self);
            let events = tokio::task::spawn_blocking(move || me.close_due(now()))
                .await
                .unwrap_or_default();
            if let (Some(w), false) = (&self.webhook, events.is_empty()) {
                tokio::spawn(w.clone().send_all(events));
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }

    /// Closes every window due at `now` (seconds since 1970): checks it with the pass,
    /// appends its history entry, evaluates the alerts again over all windows; returns
    /// the alerts that fired or resolved. Blocking (file reads, the pass).
    pub fn close_due(&self, now: i64) -> Vec<AlertEvent> {
        let _one = self.closing.lock().unwrap_or_else(|e| e.into_inner());
        let (due, origin) = {
            let mut t = self.tracker.lock().unwrap_or_else(|e| e.into_inner());
            (t.take_due(now), t.origin())
        };
        let mut events = Vec::new();
        for (k, span) in due {
            match self.check(k, span, origin) {
                Ok(c) => events.extend(self.close(c)),
                Err(e) => {
                    tracing::error!(window = k, "live monitoring: {e}");
                    let mut closed = self.closed.write().unwrap_or_else(|e| e.into_inner());
                    closed.errors.push(format!("window {k}: {e}"));
                }
            }
        }
        events
    }

    /// Records one checked window as closed.
    fn close(&self, c: Checked) -> Vec<AlertEvent> {
        let (entry, events) = {
            let mut closed = self.closed.write().unwrap_or_else(|e| e.into_inner());
            closed.reports.push(c.report);
            let alerts = self.pass.policy.evaluate(&closed.reports);
            let Some(report) = closed.reports.last() else {
                return Vec::new();
            };
            let entry = HistoryEntry::from_report(report, &alerts);
            let events = changes(&closed.alerts, &alerts, report, &self.model.id());
            closed.alerts = alerts;
            closed.bands = c.bands;
            if c.distributions.is_some() {
                closed.distributions = c.distributions;
            }
            closed.skipped.extend(c.skipped);
            closed.prometheus = RunReport::new(closed.reports.clone(), closed.alerts.clone())
                .with_bands(closed.bands.clone())
                .render_prometheus();
            (entry, events)
        };
        if let Some(path) = &self.history {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    history::append(f, std::slice::from_ref(&entry)).map_err(|e| e.to_string())
                });
            if let Err(e) = written {
                tracing::error!("live monitoring: history file {}: {e}", path.display());
                let mut closed = self.closed.write().unwrap_or_else(|e| e.into_inner());
                closed.errors.push(format!(
                    "window {}: history file {}: {e}",
                    entry.window,
                    path.display()
                ));
            }
        }
        // Labels of closed windows are not read again.
        let mut m = self.labels.lock().unwrap_or_else(|e| e.into_inner());
        for id in &c.ids {
            m.remove(id);
        }
        events
    }

    fn refresh_prometheus(&self) {
        let mut closed = self.closed.write().unwrap_or_else(|e| e.into_inner());
        closed.prometheus = RunReport::new(closed.reports.clone(), closed.alerts.clone())
            .with_bands(closed.bands.clone())
            .render_prometheus();
    }

    /// Window `k` (whose lines are at `span` of the log) checked by the pass.
    fn check(
        &self,
        k: usize,
        span: Span,
        origin: Option<i64>,
    ) -> std::result::Result<Checked, String> {
        let (text, numbers) = self.read_window(k, span, origin)?;
        let name = format!("{} (window {})", self.log.display(), k + 1);
        let log = read_jsonl(
            text.as_slice(),
            &name,
            &self.model.header.schema.read_options(),
        )
        .map_err(|e| e.to_string())?;
        let ids: Vec<String> = log.request_ids.iter().flatten().cloned().collect();
        let labels = self.labelled.then(|| {
            let m = self.labels.lock().unwrap_or_else(|e| e.into_inner());
            ids.iter()
                .filter_map(|id| m.get(id).map(|y| (id.clone(), y.clone())))
                .collect::<HashMap<_, _>>()
        });
        let model = driftwatch_run::Model {
            pipeline: &self.model.pipeline,
            schema: &self.model.header.schema,
            baseline: &self.model.header.training_metrics,
        };
        let outcome = driftwatch_run::run(
            model,
            self.reference.clone(),
            Current::Log { log, labels },
            &name,
            &self.pass,
        )
        .map_err(|e| e.to_string())?;
        let label = match (self.pass.spec, origin) {
            (WindowSpec::Rows(n), _) => {
                format!("rows {}..{}", k * n, k * n + span.lines.min(n))
            }
            (WindowSpec::Every(s), Some(t0)) => {
                driftwatch_monitor::window::time_label(i128::from(t0) + k as i128 * i128::from(s))
                    .map_err(|e| e.to_string())?
            }
            _ => format!("window {}", k + 1),
        };
        let distributions = outcome.distributions().map(|mut d| {
            d.window = k;
            d
        });
        let skipped = outcome
            .skipped
            .iter()
            .filter_map(|&r| numbers.get(r.wrapping_sub(1)).copied())
            .collect();
        let bands = outcome.report.bands.clone();
        let mut windows = outcome.report.windows;
        if windows.len() != 1 {
            return Err(format!(
                "the pass cut window {} into {} windows, expected one",
                k + 1,
                windows.len()
            ));
        }
        let mut report = windows.remove(0);
        report.index = k;
        report.label = label;
        Ok(Checked {
            report,
            bands,
            distributions,
            skipped,
            ids,
        })
    }

    /// The lines of window `k` from the log, with their 1-based line numbers.
    fn read_window(
        &self,
        k: usize,
        span: Span,
        origin: Option<i64>,
    ) -> std::result::Result<(Vec<u8>, Vec<usize>), String> {
        let len = usize::try_from(span.end.saturating_sub(span.first))
            .map_err(|_| "window too large to read".to_string())?;
        let mut bytes = vec![0u8; len];
        let mut f = std::fs::File::open(&self.log).map_err(|e| e.to_string())?;
        f.seek(SeekFrom::Start(span.first))
            .and_then(|_| f.read_exact(&mut bytes))
            .map_err(|e| format!("reading {}: {e}", self.log.display()))?;
        let mut text = Vec::with_capacity(len);
        let mut numbers = Vec::with_capacity(span.lines);
        let mut number = span.first_line;
        for line in bytes.split(|&b| b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mine = match (self.pass.spec, origin) {
                (WindowSpec::Every(s), Some(t0)) => tracker::line_time(line).is_some_and(|t| {
                    let w = (i128::from(t) - i128::from(t0)).max(0) / i128::from(s.max(1));
                    w == k as i128
                }),
                _ => true,
            };
            if mine {
                text.extend_from_slice(line);
                text.push(b'\n');
                numbers.push(number);
            }
            number += 1;
        }
        Ok((text, numbers))
    }

    /// The report over the closed windows and the open one (cached: the open window is
    /// checked again only when it changed and the last check is older than a second).
    pub fn view(&self) -> Arc<View> {
        // A snapshot between closes: a window being closed is in neither part yet.
        let (open, left_out, origin, closed) = {
            let _between = self.closing.lock().unwrap_or_else(|e| e.into_inner());
            let t = self.tracker.lock().unwrap_or_else(|e| e.into_inner());
            let closed = self
                .closed
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            (t.open(), t.left_out(), t.origin(), closed)
        };
        let key = ViewKey {
            open,
            closed: closed.reports.len(),
            errors: closed.errors.len(),
            labels: self.labels_version.load(Ordering::Relaxed),
        };
        let mut cache = self.view.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.as_ref() {
            let same_closed = v.key.closed == key.closed && v.key.errors == key.errors;
            if v.key == key || (same_closed && v.made.elapsed() < VIEW_TTL) {
                return Arc::clone(v);
            }
        }
        let mut reports = closed.reports;
        let mut bands = closed.bands;
        let mut distributions = closed.distributions;
        let mut skipped = closed.skipped;
        let mut errors = closed.errors;
        let mut open_index = None;
        if let Some((k, span)) = open {
            match self.check(k, span, origin) {
                Ok(c) => {
                    reports.push(c.report);
                    bands = c.bands;
                    distributions = c.distributions.or(distributions);
                    skipped.extend(c.skipped);
                    open_index = Some(k);
                }
                Err(e) => errors.push(format!("open window {k}: {e}")),
            }
        }
        let alerts = self.pass.policy.evaluate(&reports);
        let view = Arc::new(View {
            key,
            made: Instant::now(),
            report: RunReport::new(reports, alerts).with_bands(bands),
            distributions,
            skipped,
            open: open_index,
            left_out,
            errors,
        });
        *cache = Some(Arc::clone(&view));
        view
    }

    /// `GET /v1/monitor`: the JSON report of `driftwatch monitor --format json`
    /// (docs/report-schema.json) with a `live` object: the windows, the open one, rows
    /// left out and windows that could not be checked.
    pub fn report_json(&self) -> std::result::Result<Value, String> {
        let v = self.view();
        let mut json = driftwatch_run::report_json(
            &v.report,
            &self.model.id(),
            &self.model.header.training_metrics,
            &v.skipped,
        )
        .map_err(|e| e.to_string())?;
        if let Some(obj) = json.as_object_mut() {
            obj.insert(
                "live".into(),
                json!({
                    "windows": self.pass.spec.to_string(),
                    "open_window": v.open,
                    "closed_windows": v.key.closed,
                    "late_rows": v.left_out.0,
                    "untimed_rows": v.left_out.1,
                    "errors": v.errors,
                }),
            );
        }
        Ok(json)
    }

    /// `GET /dashboard`: the HTML report of `driftwatch monitor --format html` over the
    /// same windows, reloading itself every minute.
    pub fn dashboard(&self) -> std::result::Result<String, String> {
        let v = self.view();
        let title = format!("driftwatch serve: {} (live)", self.model.id());
        let html = v
            .report
            .render_html(v.distributions.as_ref(), &title)
            .map_err(|e| e.to_string())?;
        Ok(html.replacen(
            "<head>",
            "<head><meta http-equiv=\"refresh\" content=\"60\">",
            1,
        ))
    }
}

/// The windows of the flags, else of the config file; live monitoring needs some.
fn window_spec(flag: Option<WindowSpec>, file: &MonitorFile) -> Result<WindowSpec> {
    let spec = match flag {
        Some(s) => s,
        None => match (file.window.rows, &file.window.every) {
            (Some(n), _) => WindowSpec::Rows(n),
            (None, Some(every)) => format!("every:{every}")
                .parse::<WindowSpec>()
                .map_err(|e| Error::Monitor {
                    what: "the config's [window] every".into(),
                    source: Box::new(e),
                })?,
            (None, None) => return Err(no_windows()),
        },
    };
    match spec {
        WindowSpec::All | WindowSpec::Rows(0) => Err(no_windows()),
        WindowSpec::Every(s) if s <= 0 => Err(no_windows()),
        s => Ok(s),
    }
}

fn no_windows() -> Error {
    Error::Monitor {
        what: "windows".into(),
        source: "live monitoring closes windows as the log grows: give --window N (rows, at \
                 least 1) or --every DURATION (e.g. 1h), or rows/every in the config's [window]"
            .into(),
    }
}

/// The reference CSV as `driftwatch monitor --reference` reads it: the schema's column
/// kinds, the bundle's target split off.
fn read_reference(path: &Path, model: &Model) -> Result<Labelled> {
    let what = || format!("reference {}", path.display());
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("dwr"))
    {
        return Err(Error::Monitor {
            what: what(),
            source: "a .dwr holds only the drift tests' fitted state; the pass fits every \
                     monitor (performance needs the reference's labels): give the reference \
                     CSV (model columns and target)"
                .into(),
        });
    }
    let target = model
        .header
        .target
        .as_ref()
        .map(|t| t.name.clone())
        .ok_or_else(|| Error::Monitor {
            what: what(),
            source: "the bundle names no target, so the reference's labels cannot be found".into(),
        })?;
    let core = |e: driftwatch_core::Error| Error::Monitor {
        what: what(),
        source: Box::new(e),
    };
    let mut features = read_csv_path(path, &model.header.schema.read_options()).map_err(core)?;
    let column = features.remove(&target).map_err(|_| Error::Monitor {
        what: what(),
        source: format!("no target column '{target}' (the bundle's target)").into(),
    })?;
    let classification = model.pipeline.estimator().map_err(core)?.is_classifier();
    let labels = Target::from_column(&target, &column, classification).map_err(core)?;
    Ok(Labelled {
        label: "reference".into(),
        features,
        labels,
        timestamps: None,
    })
}

/// The labels file (`request_id,<target>`) by request id, as `monitor --labels` joins it.
fn read_labels(path: &Path, model: &Model) -> Result<HashMap<String, String>> {
    let target = model
        .header
        .target
        .as_ref()
        .map_or("label", |t| t.name.as_str());
    let options = driftwatch_core::ReadOptions {
        categorical: vec!["request_id".into(), target.into()],
        ..Default::default()
    };
    let bad = |e: driftwatch_core::Error| Error::Monitor {
        what: format!("labels file {}", path.display()),
        source: Box::new(e),
    };
    let frame = match read_csv_path(path, &options) {
        Ok(f) => f,
        // A header alone (no label yet) is no table.
        Err(driftwatch_core::Error::Empty(_)) => return Ok(HashMap::new()),
        Err(e) => return Err(bad(e)),
    };
    let ids = frame.column("request_id").map_err(bad)?;
    let ys = frame.column(target).map_err(bad)?;
    Ok(ids
        .to_labels()
        .into_iter()
        .zip(ys.to_labels())
        .filter_map(|(id, y)| Some((id?, y?)))
        .collect())
}

/// Who an alert is, across evaluations (ids may gain a monitor prefix later).
fn alert_key(a: &Alert) -> (String, String, Option<String>, usize, String) {
    (
        a.monitor.clone(),
        a.metric.clone(),
        a.column.clone(),
        a.first_window,
        format!("{:?}", a.kind),
    )
}

/// The alerts that fired or resolved between two evaluations, as webhook events.
fn changes(
    before: &[Alert],
    after: &[Alert],
    window: &WindowReport,
    model: &str,
) -> Vec<AlertEvent> {
    let was: HashMap<_, AlertState> = before.iter().map(|a| (alert_key(a), a.state)).collect();
    let mut events = Vec::new();
    for a in after {
        let (fire, resolve) = match (was.get(&alert_key(a)), a.state) {
            (None, AlertState::Active) => (true, false),
            // Fired and resolved since the last evaluation: both are told.
            (None, AlertState::Resolved) => (true, true),
            (Some(AlertState::Active), AlertState::Resolved) => (false, true),
            _ => (false, false),
        };
        if fire {
            events.push(AlertEvent::new("fire", a, model, window));
        }
        if resolve {
            events.push(AlertEvent::new("resolve", a, model, window));
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{Finding, FindingKind, Severity, Status};
    use driftwatch_monitor::AlertPolicy;

    fn ks(window: usize, p: f64) -> WindowReport {
        let bad = p < 0.05;
        let f = Finding {
            monitor: "feature_drift".into(),
            kind: FindingKind::Drift,
            column: Some("x".into()),
            method: "ks".into(),
            statistic: 0.3,
            p_value: Some(p),
            threshold: 0.05,
            baseline: None,
            status: if bad { Status::Alert } else { Status::Ok },
            severity: bad.then_some(Severity::Medium),
            message: String::new(),
            bounds: None,
            sampling_error: None,
        };
        WindowReport::from_findings(window, format!("w{window}"), 10, vec![f])
    }

    /// Windows closed one at a time: the alert is told once when it fires and once when
    /// it resolves, not again while it stays active.
    #[test]
    fn events_are_fire_once_then_resolve_once() {
        let policy = AlertPolicy::default();
        let mut reports = Vec::new();
        let mut before = Vec::new();
        let mut told = Vec::new();
        for (w, p) in [(0, 0.5), (1, 0.01), (2, 0.001), (3, 0.5), (4, 0.5)] {
            reports.push(ks(w, p));
            let after = policy.evaluate(&reports);
            for e in changes(&before, &after, &reports[w], "m@1") {
                told.push((e.event, e.window, e.alert.first_window));
            }
            before = after;
        }
        assert_eq!(
            told,
            [("fire".to_string(), 1, 1), ("resolve".to_string(), 3, 1)]
        );
    }

    #[test]
    fn windows_come_from_the_flags_else_the_config() {
        let mut file = MonitorFile::default();
        assert!(window_spec(None, &file).is_err());
        assert!(window_spec(Some(WindowSpec::All), &file).is_err());
        assert!(window_spec(Some(WindowSpec::Rows(0)), &file).is_err());
        file.window.rows = Some(50);
        assert_eq!(window_spec(None, &file).ok(), Some(WindowSpec::Rows(50)));
        assert_eq!(
            window_spec(Some(WindowSpec::Every(60)), &file).ok(),
            Some(WindowSpec::Every(60))
        );
        file.window.rows = None;
        file.window.every = Some("1h".into());
        assert_eq!(window_spec(None, &file).ok(), Some(WindowSpec::Every(3600)));
        let e = window_spec(None, &MonitorFile::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("--window N"), "{e}");
    }
}
