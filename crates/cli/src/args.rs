//! Command-line arguments (clap derive). Every subcommand's help ends with examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

/// Train, package and watch tabular ML models: drift, performance and alerts.
#[derive(Debug, Parser)]
#[command(name = "driftwatch", version, about, long_about = None, after_help = "Examples:\n  driftwatch train --data iris.csv --target species --out iris.dwm\n  driftwatch drift --reference train.csv --current today.csv --format json\n  driftwatch monitor --model iris.dwm --reference train.csv --current prod.csv --target species --window 30")]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fit a pipeline on a CSV file, print its test metrics and save it as a bundle.
    Train(TrainArgs),
    /// Predict with a saved bundle; invalid rows are reported and skipped.
    Predict(PredictArgs),
    /// Score a saved bundle on labelled data.
    Evaluate(EvaluateArgs),
    /// Compare each column of a current data set with a reference (two-sample tests).
    Drift(DriftArgs),
    /// Replay current data window by window: metrics, drift, alerts and a summary.
    Monitor(MonitorArgs),
    /// Check a data file against a schema (JSON, from `driftwatch schema`).
    Validate(ValidateArgs),
    /// Print a bundle's input schema as JSON Schema (or driftwatch's own format).
    Schema(SchemaArgs),
    /// Print a bundle's metadata without loading the model.
    Inspect(InspectArgs),
    /// List the registered monitor plugins.
    Plugins(PluginsArgs),
    /// Run a streaming drift detector (ADWIN, DDM, ...) over one column, row by row.
    Stream(StreamArgs),
}

/// Task of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// Predict class labels.
    Classification,
    /// Predict numbers.
    Regression,
}

/// `driftwatch train`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch train --data iris.csv --target species --out iris.dwm\n  driftwatch train --data quality.csv --target defect --config pipeline.toml \\\n      --grid 'model__n_estimators=50,100' --grid 'model__max_depth=5,10,none' --cv 5 --out quality.dwm"
)]
pub struct TrainArgs {
    /// Training data (CSV with a header).
    #[arg(long)]
    pub data: PathBuf,
    /// The target column.
    #[arg(long)]
    pub target: String,
    /// Pipeline config (TOML); default: impute + scale numeric, one-hot categorical, random forest.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Share of rows held out for the test metrics.
    #[arg(long, default_value_t = 0.2)]
    pub test_size: f64,
    /// Seed for the split and the model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Classification or regression (default: from the model in the config, else classification).
    #[arg(long, value_enum)]
    pub task: Option<Task>,
    /// Grid search over a parameter path, e.g. `model__max_depth=5,10,none` (repeatable).
    #[arg(long)]
    pub grid: Vec<String>,
    /// Folds for the grid search.
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    /// Set a parameter, e.g. `model__n_estimators=200` (repeatable).
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// Read these columns as categorical even if they look numeric (comma separated).
    #[arg(long)]
    pub categorical: Option<String>,
    /// Enforce a valid range on a numeric input, e.g. `temperature=100:300` or `speed=0:`
    /// (repeatable); rows outside are rejected by `predict` and `validate`.
    #[arg(long)]
    pub range: Vec<String>,
    /// Model name stored in the bundle (default: the data file's stem).
    #[arg(long)]
    pub name: Option<String>,
    /// Model version stored in the bundle.
    #[arg(long, default_value = "1.0.0")]
    pub model_version: String,
    /// What the model is for (stored in the bundle).
    #[arg(long)]
    pub description: Option<String>,
    /// Who owns the model (stored in the bundle).
    #[arg(long)]
    pub owner: Option<String>,
    /// zstd level for the bundle payload (0 = no compression).
    #[arg(long, default_value_t = 3)]
    pub compression_level: i32,
    /// Output format of the metrics.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Where to save the bundle.
    #[arg(long)]
    pub out: PathBuf,
}

/// `driftwatch predict`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch predict --model iris.dwm --data new.csv --output preds.csv --log predictions.jsonl"
)]
pub struct PredictArgs {
    /// The model bundle.
    #[arg(long)]
    pub model: PathBuf,
    /// Rows to predict (CSV).
    #[arg(long)]
    pub data: PathBuf,
    /// Write predictions as CSV here (default: stdout).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Append one JSON line per prediction (request_id, timestamp, input, prediction, probabilities, latency).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Column holding request ids (default: generated `req-<row>`).
    #[arg(long)]
    pub id_column: Option<String>,
}

/// `driftwatch evaluate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch evaluate --model iris.dwm --data test.csv --target species --format json"
)]
pub struct EvaluateArgs {
    /// The model bundle.
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled data (CSV).
    #[arg(long)]
    pub data: PathBuf,
    /// The target column.
    #[arg(long)]
    pub target: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `driftwatch drift`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch drift --reference train.csv --current today.csv\n  driftwatch drift --reference r.csv --current c.csv --columns age,income --alternative less --method exact --format json --fail-on-drift"
)]
pub struct DriftArgs {
    /// Reference data (CSV).
    #[arg(long)]
    pub reference: PathBuf,
    /// Current data (CSV).
    #[arg(long)]
    pub current: PathBuf,
    /// Columns to test (comma separated; default all columns of the reference).
    #[arg(long)]
    pub columns: Option<String>,
    /// The test for numeric columns (categorical columns use chi2).
    #[arg(long, default_value = "ks")]
    pub test: String,
    /// KS alternative hypothesis.
    #[arg(long, default_value = "two-sided")]
    pub alternative: String,
    /// KS p-value method.
    #[arg(long, default_value = "auto")]
    pub method: String,
    /// Drift when p < threshold.
    #[arg(long, default_value_t = 0.05)]
    pub threshold: f64,
    /// Read these columns as categorical (comma separated).
    #[arg(long)]
    pub categorical: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when any column drifted.
    #[arg(long)]
    pub fail_on_drift: bool,
}

/// `driftwatch monitor`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch monitor --model iris.dwm --reference train.csv --current prod.csv --target species --window 30\n  driftwatch monitor --model m.dwm --reference r.csv --current c.csv --target y --window 1000 --format json --fail-on-alert"
)]
pub struct MonitorArgs {
    /// The model bundle.
    #[arg(long)]
    pub model: PathBuf,
    /// Reference data, with the target (CSV): what drift is measured against.
    #[arg(long)]
    pub reference: PathBuf,
    /// Current (production) data (CSV); rows without a target count for drift only.
    #[arg(long)]
    pub current: PathBuf,
    /// The target column.
    #[arg(long)]
    pub target: String,
    /// Rows per window (default: the whole current file is one window).
    #[arg(long)]
    pub window: Option<usize>,
    /// Alert when a metric falls below this share of its baseline.
    #[arg(long, default_value_t = 0.95)]
    pub ratio: f64,
    /// Also alert when a metric falls more than this below its baseline (absolute).
    #[arg(long)]
    pub absolute_drop: Option<f64>,
    /// Degradation above which an alert is HIGH (else MEDIUM).
    #[arg(long, default_value_t = 0.10)]
    pub high_degradation: f64,
    /// Append the window history (JSON lines) to this file.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Exit 1 when an alert is active at the end.
    #[arg(long)]
    pub fail_on_alert: bool,
}

/// `driftwatch validate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch schema --model quality.dwm --native > schema.json\n  driftwatch validate --schema schema.json --data incoming.csv"
)]
pub struct ValidateArgs {
    /// Schema file: driftwatch's schema JSON (`driftwatch schema --native`) or a model bundle.
    #[arg(long)]
    pub schema: PathBuf,
    /// Data to check (CSV).
    #[arg(long)]
    pub data: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `driftwatch schema`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch schema --model iris.dwm            # JSON Schema\n  driftwatch schema --model iris.dwm --native   # driftwatch's schema, for validate"
)]
pub struct SchemaArgs {
    /// The model bundle.
    #[arg(long)]
    pub model: PathBuf,
    /// Print driftwatch's own schema format instead of JSON Schema.
    #[arg(long)]
    pub native: bool,
}

/// `driftwatch inspect`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch inspect iris.dwm\n  driftwatch inspect iris.dwm --format json"
)]
pub struct InspectArgs {
    /// The model bundle.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `driftwatch plugins`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  driftwatch plugins")]
pub struct PluginsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `driftwatch stream`.
#[derive(Debug, Args)]
#[command(
    after_help = "Detectors (River's parameter names and defaults): adwin, page-hinkley, ddm, eddm,\n\
hddm-a, hddm-w, fhddm, kswin, cusum; `driftwatch plugins` lists them.\n\n\
Examples:\n  driftwatch stream --detector adwin --input scores.csv --column latency\n  \
driftwatch stream --detector adwin:delta=0.0001,clock=1 --input s.csv --column x --format json\n  \
driftwatch stream --detector ddm --input errors.csv --column error"
)]
pub struct StreamArgs {
    /// Detector spec: `name` or `name:key=value,key=value`.
    #[arg(long)]
    pub detector: String,
    /// Data file (CSV with a header row).
    #[arg(long)]
    pub input: PathBuf,
    /// The numeric column to feed, in row order (binary detectors expect 0/1 errors).
    #[arg(long)]
    pub column: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}
