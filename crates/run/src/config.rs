//! The monitor config (`monitor.toml`): which monitors run, the alert policy and the
//! windows; the default monitor set and its reference bands.

use std::collections::BTreeMap;

use driftwatch_monitor::BandConfig;

use crate::error::{Error, Result};

/// The default monitors judged by a [`default_band`] rather than their tests' fixed
/// thresholds.
pub const BANDED: [&str; 2] = ["feature_drift", "prediction_drift"];

/// Random reference chunks the default `feature_drift` band is learnt from.
pub const DEFAULT_BAND_SAMPLES: usize = 50;

/// Reference chunks of the window size the default `feature_drift` band needs; with
/// fewer the monitor keeps its tests' own thresholds.
pub const DEFAULT_BAND_MIN_CHUNKS: usize = 4;

/// The band the default `feature_drift` is judged by (docs/DRIFT.md, "False alarms"):
/// reference chunks of `window_rows` rows, alert above their mean + 3 sd. `None` without
/// row-sized windows or when the reference holds fewer than [`DEFAULT_BAND_MIN_CHUNKS`]
/// chunks of that size.
pub fn default_band(window_rows: Option<usize>, reference_rows: usize) -> Option<BandConfig> {
    let rows = window_rows.filter(|&w| w > 0)?;
    (reference_rows / rows >= DEFAULT_BAND_MIN_CHUNKS).then_some(BandConfig {
        chunk_rows: Some(rows),
        samples: Some(DEFAULT_BAND_SAMPLES),
        ..BandConfig::default()
    })
}

/// The monitors a pass runs when the config names none: `driftwatch monitor`, `cargo
/// xtask simulate` (which adds a scenario's own) and `--init`, which writes these
/// enabled and the other registered monitors commented out.
pub const DEFAULT_MONITORS: [&str; 6] = [
    "performance",
    "feature_drift",
    "prediction_drift",
    "missing_values",
    "schema_violations",
    "latency",
];

/// A `monitor.toml`: which monitors run (by registered name, each with its config
/// table), the alert policy and the windows. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorFile {
    /// How the current data is cut into windows.
    #[serde(default)]
    pub window: WindowSettings,
    /// When findings become alerts (`ratio`, `consecutive`, `cooldown`, ...).
    #[serde(default)]
    pub alert: driftwatch_monitor::AlertPolicy,
    /// What a monitor's failure on one window does (`finding` or `abort`).
    #[serde(default)]
    pub on_error: driftwatch_monitor::OnError,
    /// The monitors; empty = the default set.
    #[serde(default)]
    pub monitors: Vec<driftwatch_monitor::MonitorConfig>,
}

/// The `[window]` table of a `monitor.toml`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSettings {
    /// Rows per window.
    pub rows: Option<usize>,
    /// Windows by time, e.g. `1d`, `6h`.
    pub every: Option<String>,
    /// Timestamp column of a current CSV.
    pub timestamp_column: Option<String>,
}

impl MonitorFile {
    /// Parses a `monitor.toml`; `name` (the file) is named in errors.
    pub fn parse(text: &str, name: &str) -> Result<Self> {
        let file: MonitorFile = toml::from_str(text).map_err(|source| Error::Parse {
            name: name.to_string(),
            source,
        })?;
        let bad = |message: &str| {
            Err(Error::Config {
                name: name.to_string(),
                message: message.to_string(),
            })
        };
        if file.window.rows.is_some() && file.window.every.is_some() {
            return bad("[window] sets both rows and every; keep one");
        }
        if file.window.rows == Some(0) {
            return bad("[window] rows must be at least 1");
        }
        for m in &file.monitors {
            driftwatch_core::registry::monitor(&m.name)
                .map_err(Error::core(format!("{name}: monitor '{}'", m.name)))?;
        }
        Ok(file)
    }

    /// The engine config: the file's monitors (or the default set, [`DEFAULT_MONITORS`])
    /// followed by `extra` ones, with the bundle's `baseline` and the policy's `ratio`
    /// filled into a `performance` monitor that does not set them.
    ///
    /// `window_rows` is the typical number of rows of a window (`None` when the run is
    /// one window): the default set's `feature_drift` is judged by [`default_band`], and
    /// a configured `band` without `chunk_rows` takes it.
    pub fn engine_config(
        &self,
        ratio: f64,
        baseline: &BTreeMap<String, f64>,
        window_rows: Option<usize>,
        reference_rows: usize,
        extra: &[driftwatch_monitor::MonitorConfig],
    ) -> Result<driftwatch_monitor::EngineConfig> {
        let mut monitors: Vec<driftwatch_monitor::MonitorConfig> = if self.monitors.is_empty() {
            DEFAULT_MONITORS
                .iter()
                .map(|n| driftwatch_monitor::MonitorConfig {
                    name: (*n).into(),
                    config: serde_json::Value::Null,
                    band: if BANDED.contains(n) {
                        default_band(window_rows, reference_rows)
                    } else {
                        None
                    },
                    ..Default::default()
                })
                .collect()
        } else {
            self.monitors.clone()
        };
        monitors.extend(extra.iter().cloned());
        // A band without chunk_rows takes the window size; when the run has no windows
        // or the reference is too short for that size, the monitor keeps its own
        // thresholds (said on stderr) rather than stopping the run.
        for m in &mut monitors {
            let Some(b) = m.band.as_mut().filter(|b| b.chunk_rows.is_none()) else {
                continue;
            };
            // A rolling span of k windows is compared with chunks of k windows' rows.
            let rows = match m.span {
                driftwatch_monitor::Span::Window => window_rows,
                driftwatch_monitor::Span::Rolling(k) => window_rows.map(|r| r * k),
                driftwatch_monitor::Span::Cumulative => None,
            };
            match rows {
                Some(rows)
                    if rows > 0
                        && reference_rows / rows >= driftwatch_monitor::band::MIN_CHUNKS =>
                {
                    b.chunk_rows = Some(rows);
                }
                _ => {
                    tracing::warn!(
                        monitor = %m.name,
                        "reference band left out: it needs windows of N rows (--window N) and a \
                         reference of at least {} such chunks ({reference_rows} rows); the \
                         monitor's own thresholds apply",
                        driftwatch_monitor::band::MIN_CHUNKS
                    );
                    m.band = None;
                }
            }
        }
        fill_chunk_rows(&mut monitors, window_rows)?;
        for m in monitors.iter_mut().filter(|m| m.name == "performance") {
            if m.config.is_null() {
                m.config = serde_json::json!({});
            }
            let Some(obj) = m.config.as_object_mut() else {
                return Err(Error::Config {
                    name: "monitor 'performance'".into(),
                    message: "its config must be a table".into(),
                });
            };
            obj.entry("ratio").or_insert(serde_json::json!(ratio));
            obj.entry("baseline").or_insert(serde_json::json!(baseline));
        }
        Ok(driftwatch_monitor::EngineConfig {
            monitors,
            on_error: self.on_error,
        })
    }
}

/// Gives every monitor whose factory's default config has a `chunk_rows` key (the
/// monitors that learn thresholds from reference chunks: `cbpe`, `dle`,
/// `pca_reconstruction`, `domain_classifier`) the window size as `chunk_rows` when its
/// config table leaves it unset, so that a user need not repeat `--window`. A rolling
/// span of k windows takes k windows' rows; a cumulative one, or a run of one window,
/// leaves the key unset (the monitor's own default applies).
pub fn fill_chunk_rows(
    monitors: &mut [driftwatch_monitor::MonitorConfig],
    window_rows: Option<usize>,
) -> Result<()> {
    for m in monitors.iter_mut() {
        let Ok(factory) = driftwatch_core::registry::monitor(&m.name) else {
            continue;
        };
        if !mentions_chunk_rows(factory.default_config) {
            continue;
        }
        let rows = match m.span {
            driftwatch_monitor::Span::Window => window_rows,
            driftwatch_monitor::Span::Rolling(k) => window_rows.map(|r| r * k),
            driftwatch_monitor::Span::Cumulative => None,
        };
        let Some(rows) = rows.filter(|&r| r > 0) else {
            continue;
        };
        if m.config.is_null() {
            m.config = serde_json::json!({});
        }
        let Some(obj) = m.config.as_object_mut() else {
            return Err(Error::Config {
                name: format!("monitor '{}'", m.name),
                message: "its config must be a table".into(),
            });
        };
        obj.entry("chunk_rows").or_insert(serde_json::json!(rows));
    }
    Ok(())
}

/// Whether a factory's default config (TOML text, maybe commented) has a `chunk_rows` key.
fn mentions_chunk_rows(default_config: &str) -> bool {
    default_config.lines().any(|l| {
        let l = l.trim_start().trim_start_matches('#').trim_start();
        l.strip_prefix("chunk_rows")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

/// The commented default `monitor.toml`: windows, the default alert policy, and every
/// registered monitor with its factory's default config (the default set enabled, the
/// others commented out).
pub fn default_monitor_file() -> Result<String> {
    let policy = driftwatch_monitor::AlertPolicy::default();
    let mut out = format!(
        "# driftwatch monitor config (`driftwatch monitor --config monitor.toml`).
# Flags given on the command line override the values here.

# What a monitor's failure on a window does: \"finding\" (an error alert) or \"abort\".
on_error = \"finding\"

[window]
# Cut the current data into windows by rows or by time (not both); neither = one window.
# rows = 1000
# every = \"1d\"            # 1d, 6h, 30m or seconds, on the timestamps
# timestamp_column = \"timestamp\"  # of a current CSV

[alert]
# A metric is bad below ratio x baseline (mirrored where lower is better, e.g. the
# missing_values and schema_violations shares: each finding says which way is better).
ratio = {}
# absolute_drop = 0.05   # instead of ratio: bad below baseline - absolute_drop
# HIGH severity when the degradation exceeds this, else MEDIUM.
high_degradation = {}
# Fire after this many bad windows in a row.
consecutive = {}
# After an alert resolves, the same key does not fire again within this many windows.
cooldown = {}
# metrics = [\"accuracy\", \"f1\"]   # default: every metric finding
# Whether drift findings in alert become alerts.
drift = {}

# Monitors by registered name (`driftwatch plugins`), each with its config table.
",
        policy.ratio, policy.high_degradation, policy.consecutive, policy.cooldown, policy.drift,
    );
    for f in driftwatch_core::registry::monitors() {
        let enabled = DEFAULT_MONITORS.contains(&f.name);
        let mut block = format!("\n# {}\n[[monitors]]\nname = {:?}\n", f.description, f.name);
        if BANDED.contains(&f.name) {
            block.push_str(
                "# Thresholds from the reference (docs/DRIFT.md, \"False alarms\"): alert when the\n\
                 # statistic leaves mean + std x sd of `samples` reference chunks of the window\n\
                 # size; remove this table to use the tests' own thresholds.\n",
            );
            block.push_str(&format!(
                "[monitors.band]\nsamples = {DEFAULT_BAND_SAMPLES}\nstd = 3.0\n# chunk_rows = 400   # default: the window size\n"
            ));
        }
        if !f.default_config.trim().is_empty() {
            block.push_str("[monitors.config]\n");
            for line in f.default_config.lines() {
                let t = line.trim_start();
                // Sub-tables of a monitor's config nest under its `config` table.
                if t.starts_with('[') && !t.starts_with("[[") {
                    block.push_str(&format!("[monitors.config.{}\n", &t[1..]));
                } else {
                    block.push_str(line);
                    block.push('\n');
                }
            }
        }
        if enabled {
            out.push_str(&block);
        } else {
            out.push_str("\n# Not enabled by default; uncomment to run it.\n");
            for line in block.lines().filter(|l| !l.is_empty()) {
                out.push_str(&format!("# {line}\n"));
            }
        }
    }
    // What is written must read back.
    MonitorFile::parse(&out, "the default monitor config")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Registers feature_drift and prediction_drift for the monitor-file tests.
    use driftwatch_drift as _;

    /// The default drift monitors get a reference band of the window size when the
    /// reference holds at least 4 such chunks; a configured band takes the window size.
    #[test]
    fn default_bands_follow_the_windows_and_the_reference() {
        let b = default_band(Some(400), 3000).unwrap();
        assert_eq!((b.chunk_rows, b.samples, b.std), (Some(400), Some(50), 3.0));
        assert!(default_band(Some(400), 1599).is_none());
        assert!(default_band(None, 3000).is_none());
        let baseline = BTreeMap::new();
        let cfg = MonitorFile::default()
            .engine_config(0.95, &baseline, Some(400), 3000, &[])
            .unwrap();
        let banded: Vec<&str> = cfg
            .monitors
            .iter()
            .filter(|m| m.band.is_some())
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(banded, BANDED);
        let one_window = MonitorFile::default()
            .engine_config(0.95, &baseline, None, 3000, &[])
            .unwrap();
        assert!(one_window.monitors.iter().all(|m| m.band.is_none()));
        let file = MonitorFile::parse(
            "[[monitors]]\nname = \"feature_drift\"\n[monitors.band]\nstd = 2.5\n",
            "m.toml",
        )
        .unwrap();
        let cfg = file
            .engine_config(0.95, &baseline, Some(100), 1000, &[])
            .unwrap();
        let band = cfg.monitors[0].band.unwrap();
        assert_eq!(
            (band.chunk_rows, band.std, band.samples),
            (Some(100), 2.5, None)
        );
        // Too short a reference for that size: left out, the monitor's own thresholds apply.
        let cfg = file
            .engine_config(0.95, &baseline, Some(400), 1000, &[])
            .unwrap();
        assert!(cfg.monitors[0].band.is_none());
        // What --init writes reads back with the bands.
        let init = MonitorFile::parse(&default_monitor_file().unwrap(), "init").unwrap();
        let fd = init
            .monitors
            .iter()
            .find(|m| m.name == "feature_drift")
            .unwrap();
        assert_eq!(fd.band.unwrap().samples, Some(DEFAULT_BAND_SAMPLES));
    }

    // A monitor that learns from reference chunks, for the chunk_rows filling test.
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Chunked;

    #[typetag::serde]
    impl driftwatch_core::Monitor for Chunked {
        fn name(&self) -> &str {
            "test_chunked"
        }
        fn fit(&mut self, _: &driftwatch_core::Window) -> driftwatch_core::Result<()> {
            Ok(())
        }
        fn check(
            &self,
            _: &driftwatch_core::Window,
        ) -> driftwatch_core::Result<Vec<driftwatch_core::Finding>> {
            Ok(Vec::new())
        }
    }

    inventory::submit! {
        driftwatch_core::registry::MonitorFactory {
            name: "test_chunked",
            description: "test only",
            default_config: "# chunk_rows = 500   # default: the window size\nstd = 3.0\n",
            build: |_| Ok(Box::new(Chunked)),
        }
    }

    /// A monitor whose default config has `chunk_rows` gets the window size where its
    /// config leaves it unset; a set one is kept, and one without the key gets none.
    #[test]
    fn chunk_rows_follow_the_windows() {
        assert!(mentions_chunk_rows("# chunk_rows = 500\n"));
        assert!(mentions_chunk_rows("chunk_rows=3"));
        assert!(!mentions_chunk_rows("chunk_rows_max = 3\nrows = 1"));
        let file = MonitorFile::parse(
            "[[monitors]]\nname = \"test_chunked\"\n\
             [[monitors]]\nname = \"test_chunked\"\n[monitors.config]\nchunk_rows = 7\n\
             [[monitors]]\nname = \"missing_values\"\n",
            "m.toml",
        )
        .unwrap();
        let cfg = file
            .engine_config(0.95, &BTreeMap::new(), Some(250), 3000, &[])
            .unwrap();
        assert_eq!(cfg.monitors[0].config["chunk_rows"], 250);
        assert_eq!(cfg.monitors[1].config["chunk_rows"], 7);
        assert!(cfg.monitors[2].config.get("chunk_rows").is_none());
        let one = file
            .engine_config(0.95, &BTreeMap::new(), None, 3000, &[])
            .unwrap();
        assert!(one.monitors[0].config.get("chunk_rows").is_none());
    }

    /// The default set is the one list, extra monitors come after it, and a
    /// `performance` monitor gets the baseline and ratio.
    #[test]
    fn the_default_set_with_extra_monitors() {
        let baseline = BTreeMap::from([("accuracy".to_string(), 0.9)]);
        let extra = driftwatch_monitor::MonitorConfig {
            name: "stream_detector".into(),
            ..Default::default()
        };
        let cfg = MonitorFile::default()
            .engine_config(0.9, &baseline, None, 100, std::slice::from_ref(&extra))
            .unwrap();
        let names: Vec<&str> = cfg.monitors.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names[..6], DEFAULT_MONITORS);
        assert_eq!(names[6], "stream_detector");
        assert_eq!(cfg.monitors[0].config["ratio"], 0.9);
        assert_eq!(cfg.monitors[0].config["baseline"]["accuracy"], 0.9);
        let e = MonitorFile::parse("[window]\nrows = 0\n", "m.toml").unwrap_err();
        assert_eq!(e.to_string(), "m.toml: [window] rows must be at least 1");
        let e = MonitorFile::parse("[[monitors]]\nname = \"nope\"\n", "m.toml").unwrap_err();
        assert!(e.to_string().contains("m.toml: monitor 'nope'"), "{e}");
    }
}
