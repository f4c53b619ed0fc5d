//! Command-line arguments (clap derive). Every subcommand's help ends with examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use driftwatch_drift::chi2::PowerDivergence;
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::stats::PValueMethod;
use driftwatch_drift::stats::anderson::AndersonVariant;

use crate::output::{Format, ReportFormat};

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
    /// Make an Ed25519 key pair for signing bundles (NAME.key secret, NAME.pub public).
    Keygen(KeygenArgs),
    /// Sign a bundle (writes FILE.sig) or, with --verify-key, check its signature.
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
}

impl TableArgs {
    /// `options` with these settings.
    pub fn read_options(
        &self,
        options: driftwatch_core::ReadOptions,
    ) -> driftwatch_core::ReadOptions {
        driftwatch_core::ReadOptions {
            delimiter: self.delimiter,
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
Examples:\n  driftwatch check-deploy iris.dwm --sample rows.csv\n  \
driftwatch check-deploy iris.dwm --sample rows.csv --verify-key release.pub --format json\n  \
driftwatch check-deploy big.dwm --sample rows.csv --max-load-ms 2000 --max-latency-ms 5"
)]
pub struct CheckDeployArgs {
    /// The model bundle.
    pub file: PathBuf,
    /// Example input rows (CSV with the model's input columns; other columns are ignored).
    #[arg(long)]
    pub sample: PathBuf,
    /// Refuse the bundle unless FILE.sig verifies with this public key (from `driftwatch keygen`).
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
        after_help = "Examples:\n  driftwatch reference build --data train.csv --out train.dwr\n  driftwatch reference build --data train.csv --out train.dwr --categorical region --columns age,region\n  driftwatch drift --reference train.dwr --current today.csv"
    )]
    Build {
        /// Reference data (CSV).
        #[arg(long)]
        data: PathBuf,
        /// The reference file to write.
        #[arg(long)]
        out: PathBuf,
        /// Columns to keep (comma separated; default all).
        #[arg(long)]
        columns: Option<String>,
        /// Read these columns as categorical (comma separated).
        #[arg(long)]
        categorical: Option<String>,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// How the input table is read.
        #[command(flatten)]
        table: TableArgs,
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
    #[arg(long)]
    pub out: PathBuf,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
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
    /// Refuse the bundle unless MODEL.sig verifies with this public key (from `driftwatch keygen`).
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
    /// How the input tables are read.
    #[command(flatten)]
    pub table: TableArgs,
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
    /// The test: auto (Evidently's rules, with the two-sample chi2), ks, wasserstein,
    /// wasserstein-normed, energy, cvm, anderson, mannwhitney, psi, jensenshannon, chi2
    /// (scipy's chi2_contingency), chi2-gof (Evidently's chi-square), z, hellinger, kl,
    /// tvd. Options a test does not take are refused (exit 2); see docs/DRIFT.md.
    #[arg(long, default_value = "auto")]
    pub test: String,
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
    /// bonferroni, holm, bh.
    #[arg(long, default_value = "none")]
    pub correction: String,
    /// The dataset drifts when at least this share of the tested columns drifts.
    #[arg(long)]
    pub drift_share: Option<f64>,
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
}

/// `driftwatch monitor`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch monitor --model iris.dwm --reference train.csv --current prod.csv --target species --window 30\n  driftwatch monitor --model m.dwm --reference r.csv --current c.csv --target y --window 1000 --format json --fail-on-alert\n  driftwatch monitor --model m.dwm --reference r.csv --current c.csv --target y --window 1000 --format html --output report.html\n  driftwatch monitor --init monitor.toml\n  driftwatch monitor --config monitor.toml --model m.dwm --reference r.csv --current log.jsonl --target y --every 1d"
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
    /// The model bundle.
    #[arg(long, required_unless_present = "init")]
    pub model: Option<PathBuf>,
    /// Reference data, with the target (CSV): what drift is measured against.
    #[arg(long, required_unless_present = "init")]
    pub reference: Option<PathBuf>,
    /// Current (production) data: CSV with the target column, or the JSON-lines
    /// prediction log of `driftwatch predict --log` (`.jsonl`/`.ndjson`), whose logged
    /// predictions are used as they are.
    #[arg(long, required_unless_present = "init")]
    pub current: Option<PathBuf>,
    /// The target column (of the reference, the current CSV and the labels file).
    #[arg(long, required_unless_present = "init")]
    pub target: Option<String>,
    /// Delayed ground truth (CSV with `request_id` and the target column), joined to a
    /// prediction log by request id; rows without a label count for drift and
    /// predictions, not for performance.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Rows per window (default: the config's, else the whole current file is one window).
    #[arg(long, conflicts_with = "every")]
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
    /// Write a second report to FILE in the format of its extension (`.html`, `.json`,
    /// `.md`, `.txt`), e.g. the HTML page next to a text table on stdout.
    #[arg(long, visible_alias = "out", value_name = "FILE")]
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
    after_help = "Examples:\n  driftwatch inspect iris.dwm\n  driftwatch inspect iris.dwm --format json\n  driftwatch inspect iris.dwm --compare-levels"
)]
pub struct InspectArgs {
    /// The model bundle.
    pub file: PathBuf,
    /// Load the bundle and encode its model again without compression and at zstd
    /// levels 3 and 19, in memory (FILE is never written): size, save and load time of each.
    #[arg(long)]
    pub compare_levels: bool,
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

/// `driftwatch keygen`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch keygen --out release\n  driftwatch sign iris.dwm --key release.key"
)]
pub struct KeygenArgs {
    /// Path stem of the key files: writes OUT.key (secret, mode 0600) and OUT.pub.
    #[arg(long)]
    pub out: PathBuf,
}

/// `driftwatch sign`.
#[derive(Debug, Args)]
#[command(
    group(clap::ArgGroup::new("mode").required(true).args(["key", "verify_key"])),
    after_help = "Examples:\n  driftwatch sign iris.dwm --key release.key          # writes iris.dwm.sig\n  driftwatch sign --verify-key release.pub iris.dwm   # exit 0 when the signature holds"
)]
pub struct SignArgs {
    /// The model bundle.
    pub file: PathBuf,
    /// Secret key to sign with (from `driftwatch keygen`).
    #[arg(long, conflicts_with = "verify_key")]
    pub key: Option<PathBuf>,
    /// Public key to check FILE.sig with, instead of signing.
    #[arg(long, value_name = "PUB")]
    pub verify_key: Option<PathBuf>,
}

/// `driftwatch models`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  driftwatch models push iris.dwm --name iris --version 1.2.0\n  driftwatch models list\n  driftwatch models show iris@1.2.0\n  driftwatch models promote iris@1.2.0 --stage production\n  driftwatch models pull iris@production --out deployed.dwm\n  driftwatch models pull iris@production --out deployed.dwm --verify-key release.pub"
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
        file: PathBuf,
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
        #[arg(long)]
        out: PathBuf,
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
    after_help = "Examples:\n  driftwatch card iris.dwm > MODEL_CARD.md\n  driftwatch card iris.dwm --format html --out card.html"
)]
pub struct CardArgs {
    /// The model bundle.
    pub file: PathBuf,
    /// Markdown or HTML.
    #[arg(long, value_enum, default_value_t)]
    pub format: CardFormat,
    /// Write the card here (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
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
    after_help = "Examples:\n  driftwatch history --file history.jsonl\n  driftwatch history --file history.jsonl --since 1709251200 --format json"
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
