//! The scenario file format (TOML in `fixtures/scenarios/`).

use serde::Deserialize;

use super::stream_eval::StreamEvalScenario;

/// A drift scenario to replay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// One line for `--list`.
    pub description: String,
    /// A control scenario: the run fails if any alert fires.
    #[serde(default)]
    pub expect_no_alerts: bool,
    /// Where the data comes from.
    pub data: DataSpec,
    /// The model to train.
    pub model: ModelSpec,
    /// How many daily batches.
    pub days: DaysSpec,
    /// The drift to inject (none when absent).
    #[serde(default)]
    pub drift: Option<DriftSpec>,
    /// The alert policy.
    #[serde(default)]
    pub alerts: AlertSpec,
    /// Monitors run besides the default set (`[[monitors]]` as in `monitor.toml`), e.g.
    /// a drift check over a rolling span of days or a stream detector over the per-row
    /// error; the summary says which checks flagged the drift first.
    #[serde(default)]
    pub monitors: Vec<driftwatch_monitor::MonitorConfig>,
}

/// Data source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// `iris` or `manufacturing`.
    pub source: String,
    /// Training rows (manufacturing).
    #[serde(default = "default_train_rows")]
    pub train_rows: usize,
    /// Rows per day (manufacturing).
    #[serde(default = "default_rows_per_day")]
    pub rows_per_day: usize,
    /// Share of rows with an out-of-range reading (manufacturing).
    #[serde(default)]
    pub invalid_share: f64,
    /// Generator seed.
    #[serde(default)]
    pub seed: u64,
}

fn default_train_rows() -> usize {
    3000
}
fn default_rows_per_day() -> usize {
    400
}

/// Model and tuning.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// `scaler+forest` or `column-transformer+forest`.
    pub pipeline: String,
    /// Trees.
    #[serde(default = "default_trees")]
    pub n_estimators: usize,
    /// Model seed.
    #[serde(default)]
    pub seed: u64,
    /// Grid search specs (`path=v1,v2`).
    #[serde(default)]
    pub grid: Vec<String>,
    /// CV folds for the grid search.
    #[serde(default = "default_cv")]
    pub cv: usize,
}

fn default_trees() -> usize {
    100
}
fn default_cv() -> usize {
    5
}

/// Days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaysSpec {
    /// Number of daily windows.
    pub count: usize,
}

/// Injected drift.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DriftSpec {
    /// First day with drift (1-based).
    pub start_day: usize,
    /// iris: std of the noise added to scaled features at full strength.
    #[serde(default)]
    pub sigma: f64,
    /// iris: days over which the noise ramps to full strength.
    #[serde(default = "default_ramp")]
    pub ramp_days: usize,
    /// manufacturing: temperature reading bias added per drifted day.
    #[serde(default)]
    pub temperature_bias_per_day: f64,
    /// manufacturing: vibration reading bias added per drifted day.
    #[serde(default)]
    pub vibration_bias_per_day: f64,
    /// Noise seed.
    #[serde(default)]
    pub seed: u64,
}

fn default_ramp() -> usize {
    15
}

/// Alert policy settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSpec {
    /// Alert below this share of the baseline.
    #[serde(default = "default_ratio")]
    pub ratio: f64,
    /// Degradation above which an alert is HIGH.
    #[serde(default = "default_high")]
    pub high_degradation: f64,
}

fn default_ratio() -> f64 {
    0.95
}
fn default_high() -> f64 {
    0.10
}

impl Default for AlertSpec {
    fn default() -> Self {
        AlertSpec {
            ratio: default_ratio(),
            high_degradation: default_high(),
        }
    }
}

/// The scenarios shipped with the project, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "seed-iris-30day",
        include_str!("../../../fixtures/scenarios/seed-iris-30day.toml"),
    ),
    (
        "manufacturing-quality",
        include_str!("../../../fixtures/scenarios/manufacturing-quality.toml"),
    ),
    (
        "no-drift",
        include_str!("../../../fixtures/scenarios/no-drift.toml"),
    ),
    (
        "stream-eval",
        include_str!("../../../fixtures/scenarios/stream-eval.toml"),
    ),
];

/// A scenario of either format: a monitoring replay or a detector evaluation.
#[derive(Debug, Clone)]
pub enum AnyScenario {
    /// Train, replay daily batches, alert (no `kind`).
    Monitoring(Scenario),
    /// Streaming detector evaluation (`kind = "stream-eval"`).
    StreamEval(StreamEvalScenario),
}

impl AnyScenario {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        match self {
            AnyScenario::Monitoring(s) => &s.name,
            AnyScenario::StreamEval(s) => &s.name,
        }
    }

    /// The scenario's one-line description.
    pub fn description(&self) -> &str {
        match self {
            AnyScenario::Monitoring(s) => &s.description,
            AnyScenario::StreamEval(s) => &s.description,
        }
    }
}

/// Parses a scenario of either format, telling them apart by the top-level `kind`.
pub fn parse_any(text: &str, origin: &str) -> anyhow::Result<AnyScenario> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("scenario {origin}: {e}"))?;
    match table.get("kind").map(|k| k.as_str()) {
        None => Ok(AnyScenario::Monitoring(parse(text, origin)?)),
        Some(Some("stream-eval")) => Ok(AnyScenario::StreamEval(StreamEvalScenario::parse(
            text, origin,
        )?)),
        Some(other) => anyhow::bail!(
            "scenario {origin}: unknown kind {other:?}; use kind = \"stream-eval\" for a \
             detector evaluation, or leave kind out for a monitoring replay"
        ),
    }
}

/// Parses a scenario, naming its origin in errors.
pub fn parse(text: &str, origin: &str) -> anyhow::Result<Scenario> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!("scenario {origin}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_scenarios_parse_and_are_named_after_their_files() {
        for (name, text) in BUILT_IN {
            let s = parse_any(text, name).unwrap();
            assert_eq!(s.name(), *name);
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = BUILT_IN[0].1.replace("[days]", "[days]\nbogus = 1");
        assert!(parse(&text, "x").is_err());
        let text = BUILT_IN[0].1.replace("[days]", "kind = \"replay\"\n[days]");
        assert!(parse_any(&text, "x").is_err());
    }
}
