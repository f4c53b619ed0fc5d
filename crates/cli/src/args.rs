//! Command-line arguments (clap derive). Every subcommand's help ends with examples.

use std::path::{Path, PathBuf};

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use driftwatch_drift::chi2::PowerDivergence;
use driftwatch_drift::columns::{Correction, TestKind};
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::stats::PValueMethod;
use driftwatch_drift::stats::anderson::AndersonVariant;

use crate::output::{Format, ReportFormat};

/// The model bundle of a command: `--model FILE` or the positional `FILE`, exactly one
/// (both spellings are in use in scripts; clap rejects both or neither).
#[derive(Debug, Clone, Args)]
#[group(id = "bundle", required = true, multiple = false)]
pub struct ModelArg {
    /// The model bundle (.dwm); the same as --model.
    #[arg(id = "model_path", value_name = "MODEL")]
    positional: Option<PathBuf>,
    /// The model bundle (.dwm); the same as the positional MODEL.
    #[arg(id = "model", long = "model", value_name = "MODEL")]
    flag: Option<PathBuf>,
}

impl ModelArg {
    /// The bundle's path, however it was given.
    pub fn path(&self) -> anyhow::Result<&Path> {
        self.flag
            .as_deref()
            .or(self.positional.as_deref())
            .ok_or_else(|| anyhow::anyhow!("give the model bundle as MODEL or --model MODEL"))
    }
}

/// Train, package and watch tabular ML models: drift, performance and alerts.
#[derive(Debug, Parser)]
#[command(name = "driftwatch", version, about, long_about = None, after_help = "Examples:\n  driftwatch train --data iris.csv --target species --output iris.dwm\n  driftwatch drift --reference train.csv --current today.csv --format json\n  driftwatch monitor --model iris.dwm --reference train.csv --current prod.csv --target species --window 30")]
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
    /// Serve a bundle over HTTP: predictions (logged for `monitor`), labels, metrics.
    Serve(ServeArgs),
    /// Score a saved bundle on labelled data.
    Evaluate(EvaluateArgs),
    /// Compare each column of a current data set with a reference (two-sample tests).
    Drift(DriftArgs),
    /// Replay current data window by window: metrics, drift, alerts and a summary.
    Monitor(Box<MonitorArgs>),
    /// Check a data file against a schema (JSON, from `driftwatch schema`); exit 1 when a row breaks it.
    Validate(ValidateArgs),
    /// Print a bundle's input schema as JSON Schema (or driftwatch's own format).
    Schema(SchemaArgs),
    /// Print a bundle's metadata without loading the model.
    Inspect(InspectArgs),
    /// List the registered monitors and stream detectors (built in and plugins).
    Plugins(PluginsArgs),
    /// Make an Ed25519 key pair for signing bundles (STEM.key secret, STEM.pub public).
    Keygen(KeygenArgs),
    /// Sign a bundle (writes MODEL.sig) or, with --verify-key, check its signature.
    Sign(SignArgs),
    /// A versioned model store in a directory: push, list, show, promote, pull.
    Models(ModelsArgs),
    /// Render a model card (Markdown or HTML) from a bundle's header.
    Card(CardArgs),
    /// Run a streaming drift detector (ADWIN, DDM, ...) over one column, row by row.
    Stream(StreamArgs),
    /// Print the window history that `driftwatch monitor --history` appended.
    History(HistoryArgs),
    /// Fit a drift reference once (sorted samples, bin edges, counts) and save it.
    Reference(ReferenceArgs),
    /// Run the deployment checklist on a bundle and sample rows; exit 1 if a check fails.
    CheckDeploy(CheckDeployArgs),
}

/// How input tables are read; shared by every command that reads one.
#[derive(Debug, Clone, Default, Args)]
pub struct TableArgs {
    /// Field delimiter of the input files: one character (`,` `;` `|`) or `tab`.
    /// Default: sniffed per file from its first lines among `,` `;` tab `|`.
    #[arg(long, value_name = "CHAR", value_parser = crate::data::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Format of every input table this command reads. `auto`: from the file's magic
    /// bytes (`PAR1` Parquet, `ARROW1` Arrow IPC), else its name (`.parquet` `.pq`,
    /// `.arrow` `.ipc` `.feather`), else CSV; standard input (`-`) is CSV unless this
    /// says otherwise. A file whose bytes contradict the format given is refused.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
}

/// `--input-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// From the magic bytes, then the file name; CSV otherwise.
    #[default]
    Auto,
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file (Feather v2) or stream.
    Arrow,
}

impl InputFormat {
    /// The format to read, `None` for automatic.
    pub fn table_format(self) -> Option<driftwatch_core::TableFormat> {
        use driftwatch_core::TableFormat;
        match self {
            InputFormat::Auto => None,
            InputFormat::Csv => Some(TableFormat::Csv),
            InputFormat::Parquet => Some(TableFormat::Parquet),
            InputFormat::Arrow => Some(TableFormat::Arrow),
        }
    }
}

impl TableArgs {
    /// `options` with these settings.
    pub fn read_options(
        &self,
        options: driftwatch_core::ReadOptions,
    ) -> driftwatch_core::ReadOptions {
        driftwatch_core::ReadOptions {
            delimiter: self.delimiter,
            format: self.input_format.table_format(),
            ..options
        }
    }
}

/// `driftwatch check-deploy`.
#[derive(Debug, Args)]
#[command(
    after_help = "Checks: metrics recorded; version set; schema (required features, ranges); example \
input predicts; crate and format versions recorded; load time; single-row predict latency; \
model card renders. docs/DEPLOY.md explains each and the limits.\n\n\
Examples:\n  driftwatch check-deploy --model iris.dwm --sample rows.csv\n  \
driftwatch check-deploy --model iris.dwm --sample rows.csv --verify-key release.pub --format json\n  \
driftwatch check-deploy --model big.dwm --sample rows.csv --max-load-ms 2000 --max-latency-ms 5"
)]
pub struct CheckDeployArgs {
    /// The model bundle.
    #[command(flatten)]
    pub model: ModelArg,
    /// Example input rows (CSV with the model's input columns; other columns are ignored).
    #[arg(long)]
    pub sample: PathBuf,
    /// Refuse the bundle unless MODEL.sig verifies with this public key (from `driftwatch keygen`).
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
    /// The load-time check fails above this many milliseconds (reading, checking and
    /// decoding the whole bundle).
    #[arg(long, default_value_t = crate::commands::check_deploy::DEFAULT_MAX_LOAD_MS)]
    pub max_load_ms: f64,
    /// The latency check fails when the median single-row predict takes longer than this
    /// many milliseconds.
    #[arg(long, default_value_t = crate::commands::check_deploy::DEFAULT_MAX_LATENCY_MS)]
    pub max_latency_ms: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
}

/// `driftwatch reference`.
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ReferenceAction,
}

/// `driftwatch reference` actions.
#[derive(Debug, Subcommand)]
pub enum ReferenceAction {
    /// Fit the reference on a CSV file and write it as a .dwr file for `drift --reference`.
    #[command(
        after_help = "Examples:\n  driftwatch reference build --data train.csv --output train.dwr\n  driftwatch reference build --data train.csv --output train.dwr --categorical region --columns age,region\n  driftwatch drift --reference train.dwr --current today.csv"
    )]
    Build {
        /// Reference data (CSV).
        #[arg(long)]
        data: PathBuf,
        /// The reference file to write.
        #[arg(long = "output", short = 'o', alias = "out", value_name = "FILE")]
        output: PathBuf,
        /// Columns to keep (comma separated; default all).
        #[arg(long)]
        columns: Option<String>,
        /// Read these columns as categorical (comma separated).
        #[arg(long)]
        categorical: Option<String>,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Memory for the summaries of the data (the file is read in chunks): numeric
        /// columns are kept exact within it and turned into quantile sketches with a
        /// stated error beyond (a v2 .dwr). Bytes, or with K/M/G (KiB/MiB/GiB).
        #[arg(long, value_name = "BYTES", value_parser = parse_bytes, default_value = "512MiB")]
        memory_limit: usize,
        /// How the input table is read.
        #[command(flatten)]
        table: TableArgs,
    },
    /// Merge the .dwr references of parts of the same data (e.g. one per day or per
    /// partition) into the reference of the whole.
    #[command(
        after_help = "Examples:\n  driftwatch reference merge monday.dwr tuesday.dwr --output week.dwr\n  driftwatch drift --reference week.dwr --current today.csv"
    )]
    Merge {
        /// The reference files to merge (two or more; same columns and kinds).
        #[arg(required = true, num_args = 2.., value_name = "FILE.dwr")]
        parts: Vec<PathBuf>,
        /// The merged reference file to write.
        #[arg(long = "output", short = 'o', alias = "out", value_name = "FILE")]
        output: PathBuf,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Task of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// Predict class labels.
    Classification,
    /// Predict numbers.
    Regression,
}

/// What a model known by its prediction columns predicts (`--task`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PredictionTask {
    /// Two classes.
    Binary,
    /// Three or more classes.
    Multiclass,
    /// Numbers.
    Regression,
}

impl From<PredictionTask> for driftwatch_run::Task {
    fn from(t: PredictionTask) -> Self {
        match t {
            PredictionTask::Binary => driftwatch_run::Task::Binary,
            PredictionTask::Multiclass => driftwatch_run::Task::Multiclass,
            PredictionTask::Regression => driftwatch_run::Task::Regression,
        }
    }
}

/// A model known only by its outputs in the data (`--prediction` and friends), for
/// `monitor` and `evaluate` without a bundle (docs/MONITOR.md).
#[derive(Debug, Clone, Default, Args)]
pub struct PredictionArgs {
    /// Model-agnostic: the column of the reference and the current data that holds the
    /// model's predictions (instead of --model). The prediction, probability, target,
    /// timestamp and --id columns are not features.
    #[arg(long, value_name = "COLUMN")]
    pub prediction: Option<String>,
    /// Probability columns by a pattern with one `*` for the class (`p_*` finds `p_yes`
    /// for class `yes`); a name without `*` is one column with the positive class's
    /// probability of a binary model (the larger class: `1` of 0/1, `true` of
    /// false/true), the other class's being 1 - p.
    #[arg(
        long,
        value_name = "PATTERN",
        requires = "prediction",
        conflicts_with = "proba_column"
    )]
    pub proba: Option<String>,
    /// A class's probability column, `CLASS=COLUMN`; repeat per class. One for a binary
    /// model names its positive class (`--proba-column 1=y_pred_proba`).
    #[arg(long, value_name = "CLASS=COLUMN", requires = "prediction", value_parser = parse_class_column)]
    pub proba_column: Vec<(String, String)>,
    /// What the model predicts; default inferred from the reference: a numeric
    /// prediction with fractions or more than 20 distinct values is a regression, else
    /// two classes are binary and more multiclass.
    #[arg(long, value_enum, requires = "prediction")]
    pub task: Option<PredictionTask>,
    /// Columns that are not features (comma-separated), left out of feature drift.
    #[arg(long, value_name = "COLUMNS", requires = "prediction")]
    pub ignore: Option<String>,
}

impl PredictionArgs {
    /// The prediction columns, when `--prediction` is given; `extra` are more columns
    /// that are not features (the timestamp, the id).
    pub fn columns(&self, extra: &[String]) -> Option<driftwatch_run::PredictionColumns> {
        let prediction = self.prediction.clone()?;
        let probabilities = match (&self.proba, self.proba_column.is_empty()) {
            (Some(p), _) => driftwatch_run::ProbaSpec::Glob(p.clone()),
            (None, false) => driftwatch_run::ProbaSpec::Columns(self.proba_column.clone()),
            (None, true) => driftwatch_run::ProbaSpec::None,
        };
        let mut ignore = crate::data::split_list(&self.ignore);
        ignore.extend(extra.iter().cloned());
        Some(driftwatch_run::PredictionColumns {
            prediction,
            probabilities,
            task: self.task.map(Into::into),
            ignore,
        })
    }
}

/// A size in bytes: a whole number with an optional K, M, G (powers of 1024; `KiB`,
/// `MiB`, `GiB` and `KB`... are read the same).
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "'{s}' is not a size: give bytes, or a number with K, M or G (e.g. 512M)"
            ));
        }
    };
    let n: usize = num.parse().map_err(|_| {
        format!("'{s}' is not a size: give bytes, or a number with K, M or G (e.g. 512M)")
    })?;
    n.checked_mul(1usize << shift)
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("'{s}' is not a usable size (zero or too large)"))
}

/// Parses `CLASS=COLUMN`.
fn parse_class_column(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, col)) if !c.is_empty() && !col.is_empty() => Ok((c.to_string(), col.to_string())),
        _ => Err(format!(
            "'{s}' is not CLASS=COLUMN (e.g. --proba-column 1=y_pred_proba)"
        )),
    }
}

/// `driftwatch train`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch train --data iris.csv --target species --output iris.dwm\n  driftwatch train --data quality.csv --target defect --config pipeline.toml \\\n      --grid 'model__n_estimators=50,100' --grid 'model__max_depth=5,10,none' --cv 5 \\\n      --output quality.dwm"
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
    /// Known limitations of the model (stored in the bundle, shown by `driftwatch card`).
    #[arg(long)]
    pub limitations: Option<String>,
    /// zstd level for the bundle payload (0 = no compression).
    #[arg(long, default_value_t = 3)]
    pub compression_level: i32,
    /// Output format of the metrics.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Where to save the bundle.
    #[arg(long = "output", short = 'o', alias = "out", value_name = "FILE")]
    pub output: PathBuf,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
}

/// `driftwatch predict`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch predict --model iris.dwm --data new.csv --output preds.csv --log predictions.jsonl\n  driftwatch predict --model iris.dwm --data new.csv > preds.csv\n  driftwatch predict --model iris.dwm --data new.parquet --output preds.parquet"
)]
pub struct PredictArgs {
    /// The model bundle.
    #[command(flatten)]
    pub model: ModelArg,
    /// Rows to predict (CSV, Parquet or Arrow IPC: --input-format).
    #[arg(long)]
    pub data: PathBuf,
    /// Write predictions here (default: CSV on stdout): Parquet for a `.parquet` / `.pq`
    /// name, Arrow IPC for `.arrow` / `.ipc` / `.feather`, CSV otherwise.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Append one JSON line per prediction (request_id, timestamp, input, prediction, probabilities, latency).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Column holding request ids (default: generated `req-<row>`).
    #[arg(long)]
    pub id_column: Option<String>,
    /// Refuse the bundle unless MODEL.sig verifies with this public key (from `driftwatch keygen`).
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
}

/// `driftwatch serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch serve --model iris.dwm --log predictions.jsonl --labels labels.csv\n  driftwatch serve --model iris.dwm --listen 0.0.0.0:8080 --token-file token.txt\n  driftwatch serve --store models --name iris --verify-key release.pub\n\nReload the model: POST /admin/reload (with the admin token), SIGHUP, or (with --store) promote another version.\nEndpoints and request shapes: docs/SERVE.md"
)]
pub struct ServeArgs {
    /// The model: a bundle, or a stage of a model store.
    #[command(flatten)]
    pub model: ServeModelArgs,
    /// Address to listen on; a non-loopback one needs --token-file or --insecure.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Append one JSON line per prediction (the `predict --log` format `monitor` reads).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Append `POST /v1/labels` here as CSV (request_id,<target>), for `monitor --labels`.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// A file whose first line is the bearer token every /v1/ request must send.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// A file whose first line is the bearer token /admin/ requests (POST /admin/reload)
    /// must send; it must differ from --token-file's. Without it /admin/ is refused (403).
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// Allow a non-loopback --listen without a token.
    #[arg(long)]
    pub insecure: bool,
    /// Largest request body in bytes (413 above).
    #[arg(long, value_name = "BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Most rows in one request (413 above).
    #[arg(long, value_name = "ROWS", default_value_t = 10_000)]
    pub max_batch_rows: usize,
    /// Requests handled at once (503 above).
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_concurrent: usize,
    /// Longest a request may take, in seconds (503 after).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Live monitoring: the reference CSV (the model's columns and its target) the
    /// logged predictions are checked against window by window, as `monitor
    /// --reference`; needs --log (the rows it watches) and a window size.
    #[arg(long, value_name = "FILE", requires = "log")]
    pub reference: Option<PathBuf>,
    /// Monitor config (TOML, see `monitor --init`): monitors, alert policy, windows.
    #[arg(long, value_name = "FILE", requires = "reference")]
    pub config: Option<PathBuf>,
    /// Rows of the log per live window, as `monitor --window` (overrides the config's).
    #[arg(
        long,
        visible_alias = "chunk-size",
        conflicts_with = "every",
        requires = "reference"
    )]
    pub window: Option<usize>,
    /// Live windows by time on the log's timestamps, e.g. `1h`, `30m`, `3600` (seconds),
    /// as `monitor --every`; a window closes one request timeout after it ends.
    #[arg(long, value_name = "DURATION", requires = "reference")]
    pub every: Option<String>,
    /// Append each closed window's entry here, as `monitor --history`; read back at
    /// start so a restarted server continues where it stopped.
    #[arg(long, value_name = "FILE", requires = "reference")]
    pub history: Option<PathBuf>,
    /// POST a JSON event here when an alert fires or resolves (http:// only; bounded
    /// retries with backoff, never in a request's way).
    #[arg(long, value_name = "URL", requires = "reference")]
    pub alert_webhook: Option<String>,
}

/// Where `serve` gets its model: a bundle file (MODEL or --model) or a model store's
/// stage (--store with --name), exactly one.
#[derive(Debug, Clone, Args)]
#[command(group(
    clap::ArgGroup::new("serve_model")
        .required(true)
        .multiple(false)
        .args(["model_path", "model", "store"])
))]
pub struct ServeModelArgs {
    /// The model bundle (.dwm); the same as --model. Reloads re-read this file.
    #[arg(id = "model_path", value_name = "MODEL")]
    pub positional: Option<PathBuf>,
    /// The model bundle (.dwm); the same as the positional MODEL.
    #[arg(id = "model", long = "model", value_name = "MODEL")]
    pub flag: Option<PathBuf>,
    /// A model store (`driftwatch models`): serve the version --stage of --name points
    /// at, and reload when the stage is promoted to another version.
    #[arg(long, value_name = "DIR", requires = "name")]
    pub store: Option<PathBuf>,
    /// The model's name in --store.
    #[arg(long, value_name = "NAME", requires = "store")]
    pub name: Option<String>,
    /// The stage of --name to serve and follow [default: production].
    #[arg(long, value_name = "STAGE", requires = "store")]
    pub stage: Option<String>,
    /// Seconds between checks of the stage pointer [default: 5].
    #[arg(long, value_name = "SECONDS", requires = "store")]
    pub watch_interval: Option<f64>,
    /// Serve (and reload) only bundles whose MODEL.sig verifies with this public key
    /// (from `driftwatch keygen`); the server refuses to start otherwise.
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
}

/// `driftwatch evaluate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch evaluate --model iris.dwm --data test.csv --target species --format json\n  driftwatch evaluate --data fixtures/data/nannyml_car_loan_analysis.csv --target repaid --prediction y_pred"
)]
pub struct EvaluateArgs {
    /// The model bundle (.dwm); the same as the positional MODEL. Or --prediction.
    #[arg(
        long,
        value_name = "MODEL",
        conflicts_with_all = ["model_path", "prediction"]
    )]
    pub model: Option<PathBuf>,
    /// The model bundle (.dwm); the same as --model.
    #[arg(id = "model_path", value_name = "MODEL", conflicts_with = "prediction")]
    pub model_path: Option<PathBuf>,
    /// A model known by its prediction columns instead of a bundle.
    #[command(flatten)]
    pub columns: PredictionArgs,
    /// Labelled data (CSV).
    #[arg(long)]
    pub data: PathBuf,
    /// The target column.
    #[arg(long)]
    pub target: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
}

/// `driftwatch drift`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch drift --reference train.csv --current today.csv\n  driftwatch drift --reference r.csv --current c.csv --columns age,income --test ks --alternative less --method exact --format json --fail-on-drift\n  driftwatch drift --reference r.csv --current c.csv --test mannwhitney --alternative greater --method exact --correction holm --min-effect 0.1\n  driftwatch drift --reference r.csv --current c.csv --test chi2 --yates --lambda log-likelihood\n  driftwatch drift --reference r.csv --current c.csv --config drift.toml --fail-on-data-issue\n  driftwatch drift --reference ref.dwr --current c.csv --format html --output drift.html"
)]
pub struct DriftArgs {
    /// Reference data: a CSV file, or a .dwr file from `driftwatch reference build`
    /// (recognised by its content; same numbers, no refit).
    #[arg(long)]
    pub reference: PathBuf,
    /// Current data (CSV).
    #[arg(long)]
    pub current: PathBuf,
    /// Columns to test (comma separated; default all columns of the reference).
    #[arg(long)]
    pub columns: Option<String>,
    /// Per-column tests and thresholds (TOML, see docs/DRIFT.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Read these columns as categorical (comma separated).
    #[arg(long)]
    pub categorical: Option<String>,
    /// Compare these columns as numbers (comma separated) where `auto` would not:
    /// integer columns with at most 10 distinct reference values (compared as categories,
    /// Evidently's rule) and timestamp columns (left out).
    #[arg(long, value_name = "COLS")]
    pub numerical: Option<String>,
    /// Output format: text, json, markdown, or html (one self-contained page with the
    /// reference vs current histogram of every column). Default: the --output file's
    /// extension, else text.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Memory for the summaries of the two tables (read in chunks, every format; the
    /// HTML page draws its histograms from them): numeric columns are tested exactly
    /// within it, from quantile sketches beyond (rows then say `exact: false` and
    /// `max_cdf_error`). Bytes, or with K/M/G (KiB/MiB/GiB). Default 512MiB. Two data
    /// files are read at once, each within half of it.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub memory_limit: Option<usize>,
    /// Exit 1 when any column drifted.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Exit 1 when any data finding (missing share, empty, constant, one-sided column,
    /// unseen categories) was reported.
    #[arg(long)]
    pub fail_on_data_issue: bool,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
    /// Where the data is read and summarised: local (CSV, Parquet or Arrow files read
    /// here), datafusion (Parquet: a file, a directory or a glob such as
    /// 'dir/*.parquet', summarised by DataFusion on all cores) or ballista (the same
    /// query on a Ballista cluster, see --scheduler). The report is the same. The two
    /// engines are in builds with `--features distributed` (docs/DISTRIBUTED.md).
    #[arg(long, value_enum, default_value_t = DriftEngine::Local)]
    pub engine: DriftEngine,
    /// The Ballista scheduler of `--engine ballista`: df://HOST:PORT.
    #[arg(long, value_name = "df://HOST:PORT")]
    pub scheduler: Option<String>,
    /// The test and its options (last: their help heading holds for the arguments
    /// after them).
    #[command(flatten)]
    pub test: DriftTestArgs,
}

/// Where `driftwatch drift` reads and summarises its data (`--engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftEngine {
    /// The files read here, in chunks.
    Local,
    /// Parquet summarised by DataFusion on this machine.
    Datafusion,
    /// Parquet summarised by a Ballista cluster (`--scheduler`).
    Ballista,
}

/// The test of `driftwatch drift` and its options; each left unset falls back to the
/// `--config` file, then to the default ([`DriftOptions::check`] refuses an option the
/// test would not take).
///
/// [`DriftOptions::check`]: driftwatch_drift::columns::DriftOptions::check
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Test options")]
pub struct DriftTestArgs {
    /// The test: auto (Evidently's rules, with the two-sample chi2), ks, wasserstein,
    /// wasserstein-normed, energy, cvm, anderson, mannwhitney, psi, jensenshannon, chi2
    /// (scipy's chi2_contingency), chi2-gof (Evidently's chi-square), z, hellinger, kl,
    /// tvd. Options a test does not take are refused (exit 2); see docs/DRIFT.md.
    /// Default: the config file's, else auto.
    #[arg(long, value_enum, ignore_case = true, hide_possible_values = true)]
    pub test: Option<TestArg>,
    /// Alternative hypothesis of ks and mannwhitney: two-sided (default), less or
    /// greater (about the reference: less = its CDF below the current one, i.e. the
    /// reference tends to be larger for ks; the reference stochastically smaller for
    /// mannwhitney, as scipy's first sample).
    #[arg(long, value_name = "two-sided|less|greater")]
    pub alternative: Option<Alternative>,
    /// p-value method of ks, mannwhitney and cvm: auto (scipy's rule: exact for small
    /// samples), exact, asymptotic (or asymp). Default: auto for ks, asymptotic for
    /// mannwhitney and cvm.
    #[arg(long, value_name = "auto|exact|asymptotic")]
    pub method: Option<PValueMethod>,
    /// Anderson-Darling variant (scipy's anderson_ksamp `variant`): midrank (default),
    /// right or continuous.
    #[arg(long, value_name = "midrank|right|continuous")]
    pub variant: Option<AndersonVariant>,
    /// Yates' continuity correction for chi2 (scipy's chi2_contingency correction=True:
    /// applied to tables with one degree of freedom, i.e. two categories).
    #[arg(long)]
    pub yates: bool,
    /// Power-divergence statistic of chi2 and chi2-gof (scipy's lambda_): pearson
    /// (default), log-likelihood (the G-test), freeman-tukey, mod-log-likelihood,
    /// neyman, cressie-read.
    #[arg(long, value_name = "NAME")]
    pub lambda: Option<PowerDivergence>,
    /// Drift when p < threshold (p-value tests) or statistic >= threshold (distances);
    /// default 0.05 for p-values, 0.1 for distances, 1.961 for anderson.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// A significant p-value counts as drift only when the effect size is at least this
    /// (p-value tests and auto).
    #[arg(long)]
    pub min_effect: Option<f64>,
    /// Multiple-testing correction over the columns (p-value tests and auto): none,
    /// bonferroni, holm, bh (or fdr). Default: the config file's, else none.
    #[arg(long, value_enum, ignore_case = true, hide_possible_values = true)]
    pub correction: Option<CorrectionArg>,
    /// The dataset drifts when at least this share of the tested columns drifts.
    #[arg(long)]
    pub drift_share: Option<f64>,
}

/// `--test`: a drift test by name (clap lists the names and suggests near misses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestArg(pub TestKind);

/// Every [`TestArg`], in [`TestKind::ALL`] order.
const TEST_ARGS: [TestArg; TestKind::ALL.len()] = {
    let mut out = [TestArg(TestKind::Auto); TestKind::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = TestArg(TestKind::ALL[i]);
        i += 1;
    }
    out
};

impl ValueEnum for TestArg {
    fn value_variants<'a>() -> &'a [Self] {
        &TEST_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

/// `--correction`: a multiple-testing correction by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrectionArg(pub Correction);

/// Every [`CorrectionArg`], in [`Correction::ALL`] order.
const CORRECTION_ARGS: [CorrectionArg; Correction::ALL.len()] = {
    let mut out = [CorrectionArg(Correction::None); Correction::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = CorrectionArg(Correction::ALL[i]);
        i += 1;
    }
    out
};

impl ValueEnum for CorrectionArg {
    fn value_variants<'a>() -> &'a [Self] {
        &CORRECTION_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let value = PossibleValue::new(self.0.as_str());
        // statsmodels' name of Benjamini-Hochberg
        Some(if self.0 == Correction::Bh {
            value.alias("fdr")
        } else {
            value
        })
    }
}

/// `driftwatch monitor`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch monitor --model iris.dwm --reference train.csv --current prod.csv --target species --window 30\n  driftwatch monitor --reference fixtures/data/nannyml_car_loan_reference.csv --current fixtures/data/nannyml_car_loan_analysis.csv --prediction y_pred --proba y_pred_proba --target repaid --id id --chunk-size 500\n  driftwatch monitor --model m.dwm --reference r.csv --current c.csv --target y --window 1000 --format json --fail-on-alert\n  driftwatch monitor --model m.dwm --reference r.csv --current c.csv --target y --window 1000 --format html --output report.html\n  driftwatch monitor --model m.dwm --reference r.csv --current c.csv --target y --window 1000 --report report.html --history history.jsonl\n  driftwatch monitor --init monitor.toml\n  driftwatch monitor --config monitor.toml --model m.dwm --reference r.csv --current log.jsonl --target y --every 1d"
)]
pub struct MonitorArgs {
    /// Write a commented default config (monitors from the registry, alert policy,
    /// windows) to FILE (default `monitor.toml`) and exit; refuses to overwrite.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "monitor.toml")]
    pub init: Option<PathBuf>,
    /// Monitor config (TOML, see `--init`): monitors by registered name with their
    /// settings, the alert policy and the windows. Flags given on the command line
    /// override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The model bundle (.dwm); the same as the positional MODEL. Not with --init. Or,
    /// without a bundle, --prediction (model-agnostic monitoring).
    // Not the shared `ModelArg`: a required group would also be required with --init.
    #[arg(
        long,
        value_name = "MODEL",
        conflicts_with_all = ["model_path", "prediction"]
    )]
    pub model: Option<PathBuf>,
    /// The model bundle (.dwm); the same as --model.
    #[arg(id = "model_path", value_name = "MODEL", conflicts_with = "prediction")]
    pub model_path: Option<PathBuf>,
    /// A model known by its prediction columns instead of a bundle.
    #[command(flatten)]
    pub columns: PredictionArgs,
    /// An id column present in the current data and in --labels (NannyML's
    /// analysis_targets): labels are joined by it; it is not a feature.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Reference data, with the target (CSV): what drift is measured against.
    #[arg(long, required_unless_present = "init")]
    pub reference: Option<PathBuf>,
    /// Current (production) data: CSV with the target column, or the JSON-lines
    /// prediction log of `driftwatch predict --log` (`.jsonl`/`.ndjson`), whose logged
    /// predictions are used as they are.
    #[arg(long, required_unless_present = "init")]
    pub current: Option<PathBuf>,
    /// The target column (of the reference, the current CSV and the labels file).
    /// Optional with --prediction; empty cells of a current CSV are labels not yet
    /// arrived (performance from the labelled rows).
    #[arg(long, required_unless_present_any = ["init", "prediction"])]
    pub target: Option<String>,
    /// Delayed ground truth (CSV with `request_id` and the target column), joined to a
    /// prediction log by request id; or, with --id COLUMN, to a current CSV by that
    /// column. Rows without a label count for drift and predictions, not for
    /// performance.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Rows per window (default: the config's, else the whole current file is one window).
    /// `--chunk-size` is NannyML's name for it.
    #[arg(long, visible_alias = "chunk-size", conflicts_with = "every")]
    pub window: Option<usize>,
    /// Windows by time, e.g. `1d`, `6h`, `30m`, `3600` (seconds) on the timestamps
    /// (the log's `timestamp`, or `--timestamp-column` of a CSV); empty spans are
    /// reported as empty windows.
    #[arg(long)]
    pub every: Option<String>,
    /// Timestamp column of a current CSV (seconds since 1970 or RFC 3339); default
    /// `timestamp`.
    #[arg(long)]
    pub timestamp_column: Option<String>,
    /// Alert when a metric falls below this share of its baseline (default 0.95).
    #[arg(long)]
    pub ratio: Option<f64>,
    /// Also alert when a metric falls more than this below its baseline (absolute).
    #[arg(long)]
    pub absolute_drop: Option<f64>,
    /// Degradation above which an alert is HIGH, else MEDIUM (default 0.10).
    #[arg(long)]
    pub high_degradation: Option<f64>,
    /// Bad windows in a row before an alert fires (default 1).
    #[arg(long)]
    pub consecutive: Option<usize>,
    /// Windows after an alert resolves during which the same key does not fire again
    /// (default 0).
    #[arg(long)]
    pub cooldown: Option<usize>,
    /// Append the window history (JSON lines) to this file.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Report format: text (the daily table, alerts and summary), json
    /// (docs/report-schema.json), markdown, or html (one self-contained page with the
    /// charts). Default: the --output file's extension, else text.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the report to FILE in the format of its extension (`.html`, `.json`,
    /// `.md`, `.txt`) while the main report still goes to stdout (or --output), e.g. the
    /// HTML page next to the text table in the terminal.
    // `--out` is the old spelling, kept hidden for scripts: it always meant this second
    // report, so it does not become --output here as it does elsewhere.
    #[arg(long, alias = "out", value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the latest state in the Prometheus text format to this file.
    #[arg(long)]
    pub prometheus: Option<PathBuf>,
    /// Exit 1 when an alert is active at the end.
    #[arg(long)]
    pub fail_on_alert: bool,
    /// Refuse the bundle unless MODEL.sig verifies with this public key (from `driftwatch keygen`).
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
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
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
}

/// `driftwatch schema`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch schema --model iris.dwm            # JSON Schema\n  driftwatch schema --model iris.dwm --native > schema.json   # driftwatch's schema, for validate"
)]
pub struct SchemaArgs {
    /// The model bundle.
    #[command(flatten)]
    pub model: ModelArg,
    /// Print driftwatch's own schema format instead of JSON Schema.
    #[arg(long)]
    pub native: bool,
}

/// `driftwatch inspect`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch inspect --model iris.dwm\n  driftwatch inspect --model iris.dwm --format json\n  driftwatch inspect --model iris.dwm --compare-levels"
)]
pub struct InspectArgs {
    /// The model bundle.
    #[command(flatten)]
    pub model: ModelArg,
    /// Load the bundle and encode its model again without compression and at zstd
    /// levels 3 and 19, in memory (MODEL is never written): size, save and load time of each.
    #[arg(long)]
    pub compare_levels: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `driftwatch plugins`.
#[derive(Debug, Args)]
#[command(
    after_help = "Lists the monitors (`[[monitors]]` of `driftwatch monitor --config`) and the stream\n\
detectors (`driftwatch stream --detector`) registered in this binary: the built-in ones\n\
and any plugin crate linked into it.\n\n\
Examples:\n  driftwatch plugins\n  driftwatch plugins --format json"
)]
pub struct PluginsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `driftwatch keygen`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch keygen --output release      # writes release.key and release.pub\n  driftwatch sign --model iris.dwm --key release.key"
)]
pub struct KeygenArgs {
    /// Path stem of the key files: writes STEM.key (secret, mode 0600) and STEM.pub
    /// (`-o release.key` is read as the stem `release`).
    #[arg(long = "output", short = 'o', alias = "out", value_name = "STEM")]
    pub output: PathBuf,
}

/// `driftwatch sign`.
#[derive(Debug, Args)]
#[command(
    group(clap::ArgGroup::new("mode").required(true).args(["key", "verify_key"])),
    after_help = "Examples:\n  driftwatch sign --model iris.dwm --key release.key          # writes iris.dwm.sig\n  driftwatch sign --model iris.dwm --verify-key release.pub   # exit 0 when the signature holds"
)]
pub struct SignArgs {
    /// The model bundle.
    #[command(flatten)]
    pub model: ModelArg,
    /// Secret key to sign with (from `driftwatch keygen`).
    #[arg(long, conflicts_with = "verify_key")]
    pub key: Option<PathBuf>,
    /// Public key to check MODEL.sig with, instead of signing.
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
}

/// `driftwatch models`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch models push --model iris.dwm --name iris --version 1.2.0\n  driftwatch models list\n  driftwatch models show iris@1.2.0\n  driftwatch models promote iris@1.2.0 --stage production\n  driftwatch models pull iris@production --output deployed.dwm\n  driftwatch models pull iris@production --output deployed.dwm --verify-key release.pub"
)]
pub struct ModelsArgs {
    /// The store directory (created on the first push).
    #[arg(long, global = true, default_value = "models")]
    pub store: PathBuf,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t)]
    pub format: Format,
    /// What to do.
    #[command(subcommand)]
    pub action: ModelsAction,
}

/// `driftwatch models` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// Add a bundle (and its .sig, if any) to the store as NAME@VERSION.
    Push {
        /// The bundle.
        #[command(flatten)]
        model: ModelArg,
        /// Model name in the store (default: the name in the bundle's header).
        #[arg(long)]
        name: Option<String>,
        /// Semantic version in the store (default: the version in the bundle's header).
        #[arg(long)]
        version: Option<String>,
    },
    /// List models, their versions and stages.
    List,
    /// Show a model (all versions) or one version: NAME or NAME@VERSION or NAME@STAGE.
    Show {
        /// NAME, NAME@VERSION or NAME@STAGE.
        reference: String,
    },
    /// Point a stage (e.g. production, staging) at a version.
    Promote {
        /// NAME@VERSION.
        reference: String,
        /// The stage name.
        #[arg(long)]
        stage: String,
    },
    /// Copy a stored bundle (and its .sig) out: NAME, NAME@VERSION or NAME@STAGE.
    Pull {
        /// NAME (latest version), NAME@VERSION or NAME@STAGE.
        reference: String,
        /// Where to write the bundle.
        #[arg(long = "output", short = 'o', alias = "out", value_name = "FILE")]
        output: PathBuf,
        /// Refuse (and write nothing) unless the stored bundle's signature verifies with
        /// this public key (from `driftwatch keygen`).
        #[arg(long, value_name = "PUB")]
        verify_key: Option<PathBuf>,
    },
}

/// Model card formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CardFormat {
    /// Markdown.
    #[default]
    Markdown,
    /// Self-contained HTML.
    Html,
}

/// `driftwatch card`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch card --model iris.dwm > MODEL_CARD.md\n  driftwatch card --model iris.dwm --format html --output card.html"
)]
pub struct CardArgs {
    /// The model bundle.
    #[command(flatten)]
    pub model: ModelArg,
    /// Markdown or HTML.
    #[arg(long, value_enum, default_value_t)]
    pub format: CardFormat,
    /// Write the card here (default: stdout).
    #[arg(long = "output", short = 'o', alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
}

/// `driftwatch history`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch history --file history.jsonl\n  driftwatch history --file history.jsonl --since 25                # windows 25 and later\n  driftwatch history --file history.jsonl --since 2024-03-01T00:00:00Z --format json"
)]
pub struct HistoryArgs {
    /// The history file (JSON lines) written by `driftwatch monitor --history`.
    #[arg(long)]
    pub file: PathBuf,
    /// Only later entries: a whole number is a window index (entries with index >= N);
    /// an RFC 3339 date-time keeps windows labelled by time at or after it.
    #[arg(long)]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    fn parse(line: &str) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("driftwatch").chain(line.split_whitespace()))
            .map(|c| c.command)
    }

    fn parsed(line: &str) -> Command {
        parse(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn error_kind(line: &str) -> ErrorKind {
        match parse(line) {
            Ok(c) => panic!("{line} parsed: {c:?}"),
            Err(e) => e.kind(),
        }
    }

    /// The bundle path of a parsed command that takes one.
    fn model(c: &Command) -> PathBuf {
        let m = match c {
            Command::Predict(a) => &a.model,
            Command::Evaluate(a) => {
                return a.model.clone().or(a.model_path.clone()).unwrap_or_default();
            }
            Command::Schema(a) => &a.model,
            Command::Inspect(a) => &a.model,
            Command::Card(a) => &a.model,
            Command::Sign(a) => &a.model,
            Command::CheckDeploy(a) => &a.model,
            Command::Models(ModelsArgs {
                action: ModelsAction::Push { model, .. },
                ..
            }) => model,
            Command::Monitor(a) => {
                return a.model.clone().or(a.model_path.clone()).unwrap_or_default();
            }
            other => panic!("no bundle in {other:?}"),
        };
        m.path().map(Path::to_path_buf).unwrap_or_default()
    }

    /// Each command with a bundle, as `(before, after)` the bundle.
    const BUNDLE_COMMANDS: [(&str, &str); 9] = [
        ("predict", "--data d.csv"),
        ("evaluate", "--data d.csv --target y"),
        ("monitor", "--reference r.csv --current c.csv --target y"),
        ("schema", "--native"),
        ("inspect", "--format json"),
        ("card", "--format html"),
        ("sign", "--key k.key"),
        ("check-deploy", "--sample s.csv"),
        ("models push", "--name iris"),
    ];

    #[test]
    fn the_bundle_is_model_or_positional_exactly_once() {
        for (command, rest) in BUNDLE_COMMANDS {
            let flag = parsed(&format!("{command} --model m.dwm {rest}"));
            assert_eq!(model(&flag), Path::new("m.dwm"), "{command} --model");
            let positional = parsed(&format!("{command} m.dwm {rest}"));
            assert_eq!(model(&positional), Path::new("m.dwm"), "{command} MODEL");
            assert_eq!(
                error_kind(&format!("{command} a.dwm --model b.dwm {rest}")),
                ErrorKind::ArgumentConflict,
                "{command}: both"
            );
            // monitor and evaluate also run without a bundle (--prediction): neither is
            // their own error, naming both (tests/agnostic.rs).
            if !matches!(command, "monitor" | "evaluate") {
                assert_eq!(
                    error_kind(&format!("{command} {rest}")),
                    ErrorKind::MissingRequiredArgument,
                    "{command}: neither"
                );
            }
        }
        // --init needs no bundle.
        assert!(
            matches!(parsed("monitor --init m.toml"), Command::Monitor(a) if a.model.is_none())
        );
    }

    #[test]
    fn drift_test_and_correction_are_names_or_unset() {
        let drift =
            |flags: &str| match parsed(&format!("drift --reference r.csv --current c.csv {flags}"))
            {
                Command::Drift(a) => a.test,
                other => panic!("{other:?}"),
            };
        let unset = drift("");
        assert_eq!((unset.test, unset.correction), (None, None));
        let set = drift("--test KS --correction fdr");
        assert_eq!(set.test, Some(TestArg(TestKind::Ks)));
        assert_eq!(set.correction, Some(CorrectionArg(Correction::Bh)));
        assert_eq!(
            drift("--test chi2-gof").test,
            Some(TestArg(TestKind::Chi2Gof))
        );
        assert_eq!(
            error_kind("drift --reference r.csv --current c.csv --test kss"),
            ErrorKind::InvalidValue
        );
        // every test name is a value
        for t in TestKind::ALL {
            assert_eq!(drift(&format!("--test {t}")).test, Some(TestArg(t)));
        }
    }

    #[test]
    fn every_written_file_is_output_and_the_old_names_still_parse() {
        let train = |line: &str| match parsed(line) {
            Command::Train(a) => a.output,
            other => panic!("{other:?}"),
        };
        for flag in ["--output", "-o", "--out"] {
            assert_eq!(
                train(&format!("train --data d.csv --target y {flag} m.dwm")),
                Path::new("m.dwm")
            );
            let Command::Reference(ReferenceArgs {
                action: ReferenceAction::Build { output, .. },
            }) = parsed(&format!("reference build --data d.csv {flag} r.dwr"))
            else {
                panic!("reference build")
            };
            assert_eq!(output, Path::new("r.dwr"));
            let Command::Models(ModelsArgs {
                action: ModelsAction::Pull { output, .. },
                ..
            }) = parsed(&format!("models pull iris@production {flag} d.dwm"))
            else {
                panic!("models pull")
            };
            assert_eq!(output, Path::new("d.dwm"));
            let Command::Card(a) = parsed(&format!("card m.dwm {flag} card.md")) else {
                panic!("card")
            };
            assert_eq!(a.output.as_deref(), Some(Path::new("card.md")));
            let Command::Keygen(a) = parsed(&format!("keygen {flag} release")) else {
                panic!("keygen")
            };
            assert_eq!(a.output, Path::new("release"));
        }
        for flag in ["--output", "-o"] {
            let Command::Predict(a) = parsed(&format!("predict m.dwm --data d.csv {flag} p.csv"))
            else {
                panic!("predict")
            };
            assert_eq!(a.output.as_deref(), Some(Path::new("p.csv")));
            let Command::Drift(a) = parsed(&format!(
                "drift --reference r.csv --current c.csv {flag} d.html"
            )) else {
                panic!("drift")
            };
            assert_eq!(a.output.as_deref(), Some(Path::new("d.html")));
        }
        // monitor: --output is the report; --report (old spelling --out) a second copy.
        let monitor = "monitor m.dwm --reference r.csv --current c.csv --target y";
        for (flags, output, report) in [
            ("-o a.json", Some("a.json"), None),
            (
                "--output a.json --report b.html",
                Some("a.json"),
                Some("b.html"),
            ),
            ("--out b.html", None, Some("b.html")),
        ] {
            let Command::Monitor(a) = parsed(&format!("{monitor} {flags}")) else {
                panic!("monitor")
            };
            assert_eq!(a.output.as_deref(), output.map(Path::new), "{flags}");
            assert_eq!(a.report.as_deref(), report.map(Path::new), "{flags}");
        }
    }

    /// Every subcommand, with its name path (`models pull`).
    fn subcommands() -> Vec<(String, clap::Command)> {
        fn walk(prefix: &str, c: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
            for s in c.get_subcommands() {
                let name = format!("{prefix}{}", s.get_name());
                out.push((name.clone(), s.clone()));
                walk(&format!("{name} "), s, out);
            }
        }
        let mut out = Vec::new();
        walk("", &Cli::command(), &mut out);
        out
    }

    #[test]
    fn old_spellings_are_hidden_from_help() {
        for (name, mut c) in subcommands() {
            let help = c.render_long_help().to_string();
            assert!(
                !help.contains("--out "),
                "{name} --help shows --out:\n{help}"
            );
            assert!(
                !help.contains("--out,"),
                "{name} --help shows --out:\n{help}"
            );
            assert!(!help.contains("aliases: --out"), "{name}:\n{help}");
        }
    }

    #[test]
    fn plugins_says_it_lists_monitors_and_stream_detectors() {
        let mut cli = Cli::command();
        let top = cli.render_help().to_string();
        let line = top.lines().find(|l| l.trim_start().starts_with("plugins"));
        assert!(
            line.is_some_and(|l| l.contains("monitors") && l.contains("stream detectors")),
            "{top}"
        );
        let (_, mut plugins) = subcommands()
            .into_iter()
            .find(|(n, _)| n == "plugins")
            .unwrap_or_else(|| panic!("no plugins subcommand"));
        let help = plugins.render_long_help().to_string();
        assert!(help.contains("driftwatch stream --detector"), "{help}");
    }

    /// Splits a shell command line into words (quotes, no expansion); stops at a
    /// comment or a redirection.
    fn shell_words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        let mut quote = None;
        for ch in line.chars() {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(ch);
                    in_word = true;
                }
                (None, c) if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (None, '#' | '>' | '|') if !in_word => break,
                (None, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        if in_word {
            words.push(word);
        }
        words
    }

    #[test]
    fn shell_words_handles_quotes_comments_and_redirections() {
        assert_eq!(
            shell_words("driftwatch a --grid 'x=1,2' --d \"a b\"  # note"),
            ["driftwatch", "a", "--grid", "x=1,2", "--d", "a b"]
        );
        assert_eq!(
            shell_words("driftwatch card m.dwm > c.md"),
            ["driftwatch", "card", "m.dwm"]
        );
    }

    #[test]
    fn help_examples_parse_and_use_the_visible_flag_names() {
        let mut checked = 0;
        for (name, c) in subcommands() {
            let Some(help) = c.get_after_help().map(ToString::to_string) else {
                continue;
            };
            let joined = help.replace("\\\n", " ");
            for line in joined.lines().map(str::trim) {
                if !line.starts_with("driftwatch ") {
                    continue;
                }
                let words = shell_words(line);
                let parsed = Cli::try_parse_from(&words);
                assert!(
                    parsed.is_ok(),
                    "{name} example `{line}`: {:?}",
                    parsed.err()
                );
                // The subcommand the example runs, to check its flags' spellings.
                let mut sub = Cli::command();
                for w in words.iter().skip(1) {
                    match sub.find_subcommand(w) {
                        Some(s) => sub = s.clone(),
                        None => break,
                    }
                }
                for w in words.iter().filter(|w| w.starts_with("--")) {
                    let long = w.trim_start_matches("--").split('=').next().unwrap_or("");
                    let visible = sub.get_arguments().any(|a| {
                        a.get_long() == Some(long)
                            || a.get_visible_aliases().unwrap_or_default().contains(&long)
                    });
                    assert!(visible, "{name} example `{line}` uses hidden {w}");
                }
                checked += 1;
            }
        }
        assert!(checked >= 30, "only {checked} examples found");
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("2g"), Ok(2 << 30));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64 K"), Ok(64 << 10));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("1T").is_err());
    }
}
