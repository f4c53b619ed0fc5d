//! Train, evaluate and monitor: the steps a user runs, as library calls.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use driftwatch_core::preprocessing::{
    HandleUnknown, ImputeStrategy, OneHotEncoder, SimpleImputer, StandardScaler,
};
use driftwatch_core::{
    ColumnTransformer, Estimator, Frame, ParamValue, Params, Pipeline, Remainder, Target,
};
use driftwatch_metrics::{ClassificationMetrics, RegressionMetrics};
use driftwatch_models::selection::{
    Cv, GridSearch, GridSearchResult, ParamGrid, TestSize, train_test_split,
};
use driftwatch_models::{RandomForestClassifier, RandomForestRegressor};
use driftwatch_monitor::BandConfig;

/// The default preprocessing for a frame: numeric columns imputed (median) and scaled,
/// categorical columns imputed (most frequent) and one-hot encoded (unknown -> zeros).
pub fn default_preprocessing(features: &Frame) -> ColumnTransformer {
    let mut ct = ColumnTransformer::new(Remainder::Drop);
    let numeric = features.numeric_names();
    let categorical = features.categorical_names();
    if !numeric.is_empty() {
        ct = ct.add(
            "num",
            Box::new(
                Pipeline::new()
                    .step(
                        "imputer",
                        Box::new(SimpleImputer::new(ImputeStrategy::Median)),
                    )
                    .step("scaler", Box::new(StandardScaler::default())),
            ),
            numeric,
        );
    }
    if !categorical.is_empty() {
        ct = ct.add(
            "cat",
            Box::new(
                Pipeline::new()
                    .step(
                        "imputer",
                        Box::new(SimpleImputer::new(ImputeStrategy::MostFrequent)),
                    )
                    .step(
                        "onehot",
                        Box::new(OneHotEncoder {
                            handle_unknown: HandleUnknown::Ignore,
                            fitted: None,
                        }),
                    ),
            ),
            categorical,
        );
    }
    ct
}

/// The default model: a random forest of 100 trees with the given seed.
pub fn default_model(classification: bool, seed: u64) -> Box<dyn Estimator> {
    if classification {
        Box::new(RandomForestClassifier::with_seed(seed))
    } else {
        Box::new(RandomForestRegressor::with_seed(seed))
    }
}

/// The default pipeline: [`default_preprocessing`] then [`default_model`].
pub fn default_pipeline(features: &Frame, classification: bool, seed: u64) -> Pipeline {
    Pipeline::new()
        .step("preprocess", Box::new(default_preprocessing(features)))
        .with_model("model", default_model(classification, seed))
}

/// Splits `data` into features and target.
pub fn split_target(data: &Frame, target: &str, classification: bool) -> Result<(Frame, Target)> {
    let mut features = data.clone();
    let column = features
        .remove(target)
        .with_context(|| format!("target column '{target}'"))?;
    let y = Target::from_column(target, &column, classification)?;
    if features.n_cols() == 0 {
        bail!("no feature columns left besides the target '{target}'");
    }
    Ok((features, y))
}

/// Metrics of predictions against truth: accuracy/precision/recall/f1 (weighted) for
/// labels, mse/rmse/mae/r2 for values.
pub fn score(y_true: &Target, y_pred: &Target) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    match (y_true, y_pred) {
        (Target::Labels(t), Target::Labels(p)) => {
            let m = ClassificationMetrics::weighted(t, p)?;
            out.insert("accuracy".into(), m.accuracy);
            out.insert("precision".into(), m.precision);
            out.insert("recall".into(), m.recall);
            out.insert("f1".into(), m.f1);
        }
        (Target::Values(t), Target::Values(p)) => {
            let m = RegressionMetrics::compute(t, p)?;
            out.insert("mse".into(), m.mse);
            out.insert("rmse".into(), m.rmse);
            out.insert("mae".into(), m.mae);
            out.insert("r2".into(), m.r2);
        }
        _ => bail!("predictions and truth are of different kinds (labels vs numbers)"),
    }
    Ok(out)
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainSettings {
    /// Held-out share.
    pub test_size: f64,
    /// Seed of the split (the model's seed is in its parameters).
    pub seed: u64,
    /// `path=v1,v2` grid specs.
    pub grid: Vec<String>,
    /// Folds of the grid search.
    pub cv: usize,
    /// `path=value` overrides applied before fitting.
    pub set: Vec<(String, ParamValue)>,
}

/// The result of [`train`].
#[derive(Debug)]
pub struct Trained {
    /// The fitted pipeline (refit on the train split).
    pub pipeline: Pipeline,
    /// Metrics on the held-out rows.
    pub test_metrics: BTreeMap<String, f64>,
    /// Rows used to fit.
    pub train_rows: Vec<usize>,
    /// Held-out rows.
    pub test_rows: Vec<usize>,
    /// The grid search table, when one ran.
    pub grid: Option<GridSearchResult>,
}

/// Splits, optionally grid-searches on the train rows, fits and scores on the test rows.
pub fn train(mut pipeline: Pipeline, x: &Frame, y: &Target, s: &TrainSettings) -> Result<Trained> {
    for (path, value) in &s.set {
        pipeline.set_param(path, value)?;
    }
    let stratify = match y {
        Target::Labels(l) => Some(l.as_slice()),
        Target::Values(_) => None,
    };
    let (train_rows, test_rows) = train_test_split(
        x.n_rows(),
        TestSize::Fraction(s.test_size),
        s.seed,
        stratify,
    )
    .or_else(|_| train_test_split(x.n_rows(), TestSize::Fraction(s.test_size), s.seed, None))
    .context("splitting the data into train and test rows")?;
    let (xt, yt) = (x.take_rows(&train_rows)?, y.take(&train_rows));
    let started = std::time::Instant::now();
    tracing::info!(
        train = train_rows.len(),
        test = test_rows.len(),
        features = x.n_cols(),
        candidates = s.grid.len(),
        "fitting pipeline"
    );
    let (grid, pipeline) = if s.grid.is_empty() {
        pipeline.fit(&xt, &yt)?;
        (None, pipeline)
    } else {
        let grid = ParamGrid::parse(&s.grid)?;
        let search = GridSearch::new(grid).with_cv(Cv::Auto(s.cv));
        let mut result = search.fit(&pipeline, &xt, &yt)?;
        // The table keeps an empty pipeline; the refitted best one is what we save.
        let best = std::mem::take(&mut result.best_pipeline);
        (Some(result), best)
    };
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "fitted");
    let test_metrics = if test_rows.is_empty() {
        BTreeMap::new()
    } else {
        let xs = x.take_rows(&test_rows)?;
        score(&y.take(&test_rows), &pipeline.predict(&xs)?)?
    };
    Ok(Trained {
        pipeline,
        test_metrics,
        train_rows,
        test_rows,
        grid,
    })
}

/// Parses `path=value` settings.
pub fn parse_settings(items: &[String]) -> Result<Vec<(String, ParamValue)>> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .with_context(|| format!("'{s}' is not of the form path=value"))?;
            Ok((k.trim().to_string(), ParamValue::parse(v)))
        })
        .collect()
}

/// The seed workflow's monitors: performance against `baseline` (flagged below `ratio`
/// of it), per-feature drift (judged by `band` when given, see [`default_band`]) and
/// prediction drift, with their default settings.
pub fn default_monitors(
    ratio: f64,
    baseline: &BTreeMap<String, f64>,
    band: Option<BandConfig>,
) -> driftwatch_monitor::EngineConfig {
    let monitor = |name: &str, config: serde_json::Value| driftwatch_monitor::MonitorConfig {
        name: name.into(),
        config,
        band: if BANDED.contains(&name) { band } else { None },
        ..Default::default()
    };
    driftwatch_monitor::EngineConfig {
        monitors: vec![
            monitor(
                "performance",
                serde_json::json!({ "ratio": ratio, "baseline": baseline }),
            ),
            monitor("feature_drift", serde_json::Value::Null),
            monitor("prediction_drift", serde_json::Value::Null),
        ],
        ..Default::default()
    }
}

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

/// The names `driftwatch monitor` runs when no config names monitors (and which
/// `--init` writes enabled; the other registered monitors are written commented out).
pub const DEFAULT_MONITOR_NAMES: [&str; 6] = [
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
        let file: MonitorFile = toml::from_str(text).with_context(|| {
            format!("{name}: not a valid monitor config (see `driftwatch monitor --init` for the format)")
        })?;
        if file.window.rows.is_some() && file.window.every.is_some() {
            bail!("{name}: [window] sets both rows and every; keep one");
        }
        if file.window.rows == Some(0) {
            bail!("{name}: [window] rows must be at least 1");
        }
        for m in &file.monitors {
            driftwatch_core::registry::monitor(&m.name)
                .with_context(|| format!("{name}: monitor '{}'", m.name))?;
        }
        Ok(file)
    }

    /// The engine config: the file's monitors (or the default set), with the bundle's
    /// `baseline` and the policy's `ratio` filled into a `performance` monitor that does
    /// not set them.
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
    ) -> Result<driftwatch_monitor::EngineConfig> {
        let mut monitors: Vec<driftwatch_monitor::MonitorConfig> = if self.monitors.is_empty() {
            DEFAULT_MONITOR_NAMES
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
        for m in monitors.iter_mut().filter(|m| m.name == "performance") {
            if m.config.is_null() {
                m.config = serde_json::json!({});
            }
            let Some(obj) = m.config.as_object_mut() else {
                bail!("monitor 'performance': config must be a table");
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

/// The commented default `monitor.toml`: windows, the default alert policy, and every
/// registered monitor with its factory's default config (the default set enabled, the
/// others commented out).
pub fn default_monitor_file() -> Result<String> {
    let policy = driftwatch_monitor::AlertPolicy::default();
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
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
# A metric is bad below ratio x baseline (mirrored for lower_is_better metrics).
ratio = {}
# absolute_drop = 0.05   # instead of ratio: bad below baseline - absolute_drop
# HIGH severity when the degradation exceeds this, else MEDIUM.
high_degradation = {}
# Fire after this many bad windows in a row.
consecutive = {}
# After an alert resolves, the same key does not fire again within this many windows.
cooldown = {}
# metrics = [\"accuracy\", \"f1\"]   # default: every metric finding
lower_is_better = [{}]
# Whether drift findings in alert become alerts.
drift = {}

# Monitors by registered name (`driftwatch plugins`), each with its config table.
",
        policy.ratio,
        policy.high_degradation,
        policy.consecutive,
        policy.cooldown,
        list(&policy.lower_is_better),
        policy.drift,
    );
    for f in driftwatch_core::registry::monitors() {
        let enabled = DEFAULT_MONITOR_NAMES.contains(&f.name);
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

/// Rows that passed validation, and what was wrong with the others.
#[derive(Debug)]
pub struct Validated {
    /// The valid rows, with the schema's column kinds.
    pub frame: Frame,
    /// Their 0-based indices in the input.
    pub kept: Vec<usize>,
    /// Every row-level violation (the rows that were skipped).
    pub violations: Vec<driftwatch_core::Violation>,
}

/// Checks `data` against `schema`: a problem with a whole column (missing, wrong kind)
/// is an error; rows that break a rule are left out and listed in `violations`.
pub fn validate_rows(
    schema: &driftwatch_core::Schema,
    data: &Frame,
    input: &str,
) -> Result<Validated> {
    let violations = schema.validate(data);
    let whole: Vec<String> = violations
        .iter()
        .filter(|v| v.row.is_none())
        .map(ToString::to_string)
        .collect();
    if !whole.is_empty() {
        bail!(
            "{input} does not match the model's input schema: {}",
            whole.join("; ")
        );
    }
    let bad = driftwatch_core::Schema::invalid_rows(&violations);
    let kept: Vec<usize> = (0..data.n_rows()).filter(|r| !bad.contains(r)).collect();
    let frame = schema.conform(&data.take_rows(&kept)?)?;
    Ok(Validated {
        frame,
        kept,
        violations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, Schema, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    #[test]
    fn default_pipeline_routes_numeric_and_categorical_columns() {
        let x = frame("a,b,c\n1,x,2\n2,y,3\n3,x,\n4,y,5\n");
        let ct = default_preprocessing(&x);
        let groups: Vec<(&str, Vec<String>)> = ct
            .transformers
            .iter()
            .map(|g| (g.name.as_str(), g.columns.clone()))
            .collect();
        assert_eq!(
            groups,
            [
                ("num", vec!["a".to_string(), "c".to_string()]),
                ("cat", vec!["b".to_string()])
            ]
        );
        let p = default_pipeline(&x, true, 7);
        assert!(
            p.get_params()
                .contains(&("model__seed".into(), ParamValue::Int(7)))
        );
    }

    #[test]
    fn score_gives_the_weighted_metrics_or_regression_metrics() {
        let l = |v: &[&str]| Target::Labels(v.iter().map(|s| s.to_string()).collect());
        let m = score(&l(&["a", "b", "a", "b"]), &l(&["a", "b", "a", "a"])).unwrap();
        assert_eq!(m["accuracy"], 0.75);
        let r = score(
            &Target::Values(vec![1.0, 2.0]),
            &Target::Values(vec![1.0, 4.0]),
        )
        .unwrap();
        assert_eq!(r["mse"], 2.0);
        assert!(score(&l(&["a"]), &Target::Values(vec![1.0])).is_err());
    }

    #[test]
    fn settings_parse_and_reject_malformed_items() {
        let s = parse_settings(&["model__max_depth=none".into(), "x__y = 3".into()]).unwrap();
        assert_eq!(s[0], ("model__max_depth".into(), ParamValue::None));
        assert_eq!(s[1], ("x__y".into(), ParamValue::Int(3)));
        assert!(parse_settings(&["nothing".into()]).is_err());
    }

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
            .engine_config(0.95, &baseline, Some(400), 3000)
            .unwrap();
        let banded: Vec<&str> = cfg
            .monitors
            .iter()
            .filter(|m| m.band.is_some())
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(banded, BANDED);
        let one_window = MonitorFile::default()
            .engine_config(0.95, &baseline, None, 3000)
            .unwrap();
        assert!(one_window.monitors.iter().all(|m| m.band.is_none()));
        let file = MonitorFile::parse(
            "[[monitors]]\nname = \"feature_drift\"\n[monitors.band]\nstd = 2.5\n",
            "m.toml",
        )
        .unwrap();
        let cfg = file
            .engine_config(0.95, &baseline, Some(100), 1000)
            .unwrap();
        let band = cfg.monitors[0].band.unwrap();
        assert_eq!(
            (band.chunk_rows, band.std, band.samples),
            (Some(100), 2.5, None)
        );
        // Too short a reference for that size: left out, the monitor's own thresholds apply.
        let cfg = file
            .engine_config(0.95, &baseline, Some(400), 1000)
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

    #[test]
    fn validate_rows_skips_bad_rows_and_refuses_missing_columns() {
        let mut schema = Schema::infer(&frame("t,s\n150,a\n"));
        schema.set_range("t", Some(100.0), Some(300.0)).unwrap();
        let v = validate_rows(&schema, &frame("t,s\n150,a\n999,b\nhot,c\n"), "in.csv").unwrap();
        assert_eq!(v.kept, [0]);
        assert_eq!(v.violations.len(), 2);
        assert_eq!(
            v.frame.column("t").unwrap().kind(),
            driftwatch_core::ColumnKind::Numeric
        );
        let err = validate_rows(&schema, &frame("s\na\n"), "in.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("in.csv") && err.contains("'t'"), "{err}");
    }

    #[test]
    fn train_splits_fits_and_scores() {
        let mut text = String::from("a,y\n");
        for i in 0..60 {
            text.push_str(&format!("{i},{}\n", if i < 30 { "lo" } else { "hi" }));
        }
        let (x, y) = split_target(&frame(&text), "y", true).unwrap();
        let settings = TrainSettings {
            test_size: 0.25,
            seed: 1,
            grid: vec!["model__max_depth=1,none".into()],
            cv: 3,
            set: vec![("model__n_estimators".into(), ParamValue::Int(10))],
        };
        let t = train(default_pipeline(&x, true, 1), &x, &y, &settings).unwrap();
        assert_eq!((t.train_rows.len(), t.test_rows.len()), (45, 15));
        assert_eq!(t.grid.as_ref().unwrap().rows.len(), 2);
        assert_eq!(t.test_metrics["accuracy"], 1.0);
    }
}
