//! `cargo xtask simulate --scenario stream-eval`: the streaming detector evaluation harness.
//!
//! A scenario (`kind = "stream-eval"`) lists stream types (abrupt mean shift, gradual
//! drift, variance change, error-rate step, no change), each with a count of seeded
//! streams, their length and change point. Every detector (by default every detector in
//! the plugin registry, so a plugin shows up without code changes) runs on every stream
//! of every type it accepts, in parallel. Per detector and stream type the harness
//! reports the mean and p90 detection delay, missed changes and false alarms per 10,000
//! rows, next to baselines that never fire, always fire and fire periodically, so a
//! detector's numbers can be read against trivial ones.
//!
//! Definitions (only drift signals count; warnings are ignored):
//! - the *delay* on a stream with a change at row `c` is `d - c` for the first
//!   detection `d >= c`;
//! - the change is *missed* when there is no such detection or its delay is
//!   `>= horizon`;
//! - *false alarms* are detections before `c`, and every detection on a stream
//!   without change; the rate divides them by the rows they could occur in (`c` rows
//!   per change stream, the whole length per no-change stream), times 10,000;
//! - p90 is the nearest-rank 90th percentile of the delays of detected changes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use driftwatch_core::registry;
use driftwatch_drift::stream as detectors;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// An evaluation scenario (TOML with `kind = "stream-eval"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamEvalScenario {
    /// Always `stream-eval` (tells the loader which format this is).
    pub kind: String,
    /// Unique name.
    pub name: String,
    /// One line for `--list`.
    pub description: String,
    /// A change detected `horizon` or more rows after it counts as missed.
    #[serde(default = "default_horizon")]
    pub horizon: usize,
    /// Detector specs (`adwin:delta=0.0001`); empty means every registered detector
    /// with its defaults.
    #[serde(default)]
    pub detectors: Vec<String>,
    /// Extra parameters appended to a detector's spec by name, e.g. `kswin = "seed=42"`
    /// (applies to the default list too).
    #[serde(default)]
    pub detector_params: BTreeMap<String, String>,
    /// Detectors that read a 0/1 error stream: they run on binary streams only.
    #[serde(default)]
    pub binary_only: Vec<String>,
    /// Detectors that watch for a drop in a 1 = correct stream (River's FHDDM): they
    /// get `1 - x` on binary streams, so an error-rate increase is a drop for them.
    #[serde(default)]
    pub invert_binary: Vec<String>,
    /// Period of the periodic baseline. It fires every `p` rows with a phase spread
    /// evenly over the streams of a type, so its delay averages about `p / 2`.
    #[serde(default = "default_period")]
    pub baseline_period: usize,
    /// The stream types.
    pub streams: Vec<StreamSpec>,
}

fn default_horizon() -> usize {
    1000
}
fn default_period() -> usize {
    500
}

/// What changes in a stream type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Normal values whose mean jumps from `before` to `after` at the change point.
    MeanShift,
    /// Normal values whose mean moves linearly from `before` to `after` over `width`
    /// rows starting at the change point.
    Gradual,
    /// Normal values with mean 0 whose standard deviation jumps from `before` to `after`.
    Variance,
    /// 0/1 errors whose rate jumps from `before` to `after`.
    ErrorRate,
    /// No change: normal values with mean `before`, or 0/1 errors at rate `before` when
    /// `binary = true`.
    None,
}

/// One stream type: `count` seeded streams of `length` rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    /// Label in the report.
    pub name: String,
    /// What changes.
    pub change: Change,
    /// Number of streams.
    pub count: usize,
    /// Rows per stream.
    pub length: usize,
    /// First changed row (0-based); required unless `change = "none"`.
    #[serde(default)]
    pub change_point: Option<usize>,
    /// Mean, standard deviation or error rate before the change (see [`Change`]).
    #[serde(default)]
    pub before: f64,
    /// The same after the change.
    #[serde(default)]
    pub after: f64,
    /// Standard deviation of the normal values (mean-shift, gradual, none).
    #[serde(default = "default_sd")]
    pub sd: f64,
    /// Rows of the ramp (gradual).
    #[serde(default)]
    pub width: usize,
    /// For `change = "none"`: a 0/1 stream at rate `before` instead of normal values.
    #[serde(default)]
    pub binary: bool,
    /// Seed of the first stream; stream `i` uses `seed + i`.
    #[serde(default)]
    pub seed: u64,
}

fn default_sd() -> f64 {
    1.0
}

impl StreamSpec {
    /// Whether the stream holds 0/1 errors.
    pub fn is_binary(&self) -> bool {
        self.change == Change::ErrorRate || (self.change == Change::None && self.binary)
    }

    /// The change point, `None` for a no-change stream.
    pub fn change_at(&self) -> Option<usize> {
        if self.change == Change::None {
            None
        } else {
            self.change_point
        }
    }

    fn validate(&self, scenario: &str) -> Result<()> {
        let here = format!("scenario {scenario}, stream '{}'", self.name);
        if self.count == 0 || self.length == 0 {
            bail!("{here}: count and length must be at least 1");
        }
        if self.change != Change::None {
            match self.change_point {
                Some(c) if c > 0 && c < self.length => {}
                Some(c) => bail!(
                    "{here}: change_point {c} must be inside the stream (1..{})",
                    self.length
                ),
                None => bail!("{here}: set change_point (the first changed row)"),
            }
        }
        let rate = |p: f64| (0.0..=1.0).contains(&p);
        match self.change {
            Change::ErrorRate if !(rate(self.before) && rate(self.after)) => {
                bail!("{here}: before and after are error rates in [0, 1]")
            }
            Change::None if self.binary && !rate(self.before) => {
                bail!("{here}: before is an error rate in [0, 1] for a binary stream")
            }
            Change::Variance if !(self.before > 0.0 && self.after > 0.0) => {
                bail!("{here}: before and after are standard deviations > 0")
            }
            Change::Gradual if self.width == 0 => {
                bail!("{here}: set width (rows of the ramp) for a gradual drift")
            }
            _ => {}
        }
        if !(self.sd > 0.0 && self.sd.is_finite()) {
            bail!("{here}: sd must be a positive number");
        }
        Ok(())
    }

    /// Stream `i` of this type (seeded with `seed + i`).
    pub fn generate(&self, i: usize) -> Result<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.wrapping_add(i as u64));
        let c = self.change_at().unwrap_or(usize::MAX);
        let normal = Normal::new(0.0, 1.0).context("standard normal")?;
        let bernoulli = |rng: &mut ChaCha8Rng, p: f64| f64::from(u8::from(rng.random::<f64>() < p));
        let values = (0..self.length)
            .map(|t| {
                let after = t >= c;
                match self.change {
                    Change::MeanShift => {
                        let mean = if after { self.after } else { self.before };
                        mean + self.sd * normal.sample(&mut rng)
                    }
                    Change::Gradual => {
                        let share = if after {
                            ((t - c + 1) as f64 / self.width as f64).min(1.0)
                        } else {
                            0.0
                        };
                        let mean = self.before + share * (self.after - self.before);
                        mean + self.sd * normal.sample(&mut rng)
                    }
                    Change::Variance => {
                        let sd = if after { self.after } else { self.before };
                        sd * normal.sample(&mut rng)
                    }
                    Change::ErrorRate => {
                        bernoulli(&mut rng, if after { self.after } else { self.before })
                    }
                    Change::None if self.binary => bernoulli(&mut rng, self.before),
                    Change::None => self.before + self.sd * normal.sample(&mut rng),
                }
            })
            .collect();
        Ok(values)
    }
}

impl StreamEvalScenario {
    /// Parses and checks a scenario, naming its origin in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let s: Self =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("scenario {origin}: {e}"))?;
        if s.kind != "stream-eval" {
            bail!("scenario {origin}: kind must be \"stream-eval\"");
        }
        if s.streams.is_empty() {
            bail!("scenario {origin}: add at least one [[streams]] entry");
        }
        if s.horizon == 0 || s.baseline_period == 0 {
            bail!("scenario {origin}: horizon and baseline_period must be at least 1");
        }
        for st in &s.streams {
            st.validate(origin)?;
        }
        Ok(s)
    }

    /// The detector specs to run: the scenario's, or every registered detector.
    fn specs(&self) -> Vec<String> {
        let base: Vec<String> = if self.detectors.is_empty() {
            registry::detectors()
                .iter()
                .map(|f| f.name.to_string())
                .collect()
        } else {
            self.detectors.clone()
        };
        base.into_iter()
            .map(|spec| {
                let name = spec
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                match self.detector_params.get(&name) {
                    Some(extra) if spec.contains(':') => format!("{spec},{extra}"),
                    Some(extra) => format!("{spec}:{extra}"),
                    None => spec,
                }
            })
            .collect()
    }
}

/// A contender: a registered detector or a baseline.
#[derive(Debug, Clone)]
enum Contender {
    Detector {
        spec: String,
        binary_only: bool,
        invert_binary: bool,
    },
    Never,
    Always,
    Every(usize),
}

impl Contender {
    fn label(&self) -> String {
        match self {
            Contender::Detector { spec, .. } => spec.clone(),
            Contender::Never => "baseline:never".into(),
            Contender::Always => "baseline:always".into(),
            Contender::Every(p) => format!("baseline:every-{p}"),
        }
    }

    fn accepts(&self, stream: &StreamSpec) -> bool {
        match self {
            Contender::Detector { binary_only, .. } => !binary_only || stream.is_binary(),
            _ => true,
        }
    }

    /// Detection indices on stream `i` of the `count` streams of a type.
    fn detect(&self, values: &[f64], binary: bool, i: usize, count: usize) -> Result<Vec<usize>> {
        Ok(match self {
            Contender::Detector {
                spec,
                invert_binary,
                ..
            } => {
                let mut d = detectors::build(spec).with_context(|| format!("detector '{spec}'"))?;
                if binary && *invert_binary {
                    let flipped: Vec<f64> = values.iter().map(|x| 1.0 - x).collect();
                    detectors::run(d.as_mut(), &flipped).0
                } else {
                    detectors::run(d.as_mut(), values).0
                }
            }
            Contender::Never => Vec::new(),
            Contender::Always => (0..values.len()).collect(),
            Contender::Every(p) => {
                // Stream i fires first at row phase, phases spread evenly over 0..p.
                let phase = i * p / count.max(1);
                (phase..values.len()).step_by(*p).collect()
            }
        })
    }
}

/// What one detector did on one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Rows from the change to the first detection at or after it, if within the horizon.
    pub delay: Option<usize>,
    /// Whether a change was present and not detected within the horizon.
    pub missed: bool,
    /// Detections where there was nothing to detect.
    pub false_alarms: usize,
    /// Rows in which a false alarm could occur.
    pub quiet_rows: usize,
}

/// Scores sorted detection indices on a stream of `length` rows (see the module docs).
pub fn outcome(
    detections: &[usize],
    change_point: Option<usize>,
    length: usize,
    horizon: usize,
) -> Outcome {
    match change_point {
        None => Outcome {
            delay: None,
            missed: false,
            false_alarms: detections.len(),
            quiet_rows: length,
        },
        Some(c) => {
            let delay = detections
                .iter()
                .find(|&&d| d >= c)
                .map(|&d| d - c)
                .filter(|&d| d < horizon);
            Outcome {
                delay,
                missed: delay.is_none(),
                false_alarms: detections.iter().filter(|&&d| d < c).count(),
                quiet_rows: c,
            }
        }
    }
}

/// Per contender and stream type: the aggregated outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Detector spec or baseline name.
    pub detector: String,
    /// Stream type name.
    pub stream: String,
    /// Change type.
    pub change: Change,
    /// Streams run.
    pub streams: usize,
    /// Changes missed (`None` on no-change streams).
    pub missed: Option<usize>,
    /// Mean delay of the detected changes.
    pub mean_delay: Option<f64>,
    /// Nearest-rank 90th percentile delay of the detected changes.
    pub p90_delay: Option<usize>,
    /// False alarms in total.
    pub false_alarms: usize,
    /// False alarms per 10,000 rows in which one could occur.
    pub false_alarms_per_10k: f64,
}

/// Nearest-rank percentile `q` (0..=1) of sorted values.
pub fn percentile(sorted: &[usize], q: f64) -> Option<usize> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Aggregates the outcomes of one contender on one stream type.
pub fn summarise(detector: &str, stream: &StreamSpec, outcomes: &[Outcome]) -> Summary {
    let mut delays: Vec<usize> = outcomes.iter().filter_map(|o| o.delay).collect();
    delays.sort_unstable();
    let has_change = stream.change_at().is_some();
    let false_alarms: usize = outcomes.iter().map(|o| o.false_alarms).sum();
    let quiet: usize = outcomes.iter().map(|o| o.quiet_rows).sum();
    Summary {
        detector: detector.to_string(),
        stream: stream.name.clone(),
        change: stream.change,
        streams: outcomes.len(),
        missed: has_change.then(|| outcomes.iter().filter(|o| o.missed).count()),
        mean_delay: (!delays.is_empty())
            .then(|| delays.iter().sum::<usize>() as f64 / delays.len() as f64),
        p90_delay: percentile(&delays, 0.9),
        false_alarms,
        false_alarms_per_10k: if quiet == 0 {
            0.0
        } else {
            false_alarms as f64 * 10_000.0 / quiet as f64
        },
    }
}

/// What an evaluation produced.
pub struct Evaluation {
    /// The table as text.
    pub text: String,
    /// The same as JSON.
    pub json: serde_json::Value,
}

/// Runs every contender on every stream it accepts.
pub fn evaluate(s: &StreamEvalScenario) -> Result<Evaluation> {
    let start = Instant::now();
    let mut contenders = Vec::new();
    let mut skipped = Vec::new();
    for spec in s.specs() {
        // Check the spec once up front: a bad spec is a usage error, named here.
        match detectors::build(&spec) {
            Ok(_) => {
                let name = spec.split(':').next().unwrap_or_default().trim();
                contenders.push(Contender::Detector {
                    binary_only: s.binary_only.iter().any(|b| b == name),
                    invert_binary: s.invert_binary.iter().any(|b| b == name),
                    spec,
                });
            }
            Err(e) if s.detectors.is_empty() => {
                // A registered plugin that needs parameters: say so, run the rest.
                eprintln!(
                    "skipping detector '{spec}': {e} (list it with its parameters in `detectors`)"
                );
                skipped.push(spec);
            }
            Err(e) => bail!("scenario {}: detector '{spec}': {e}", s.name),
        }
    }
    contenders.extend([
        Contender::Never,
        Contender::Always,
        Contender::Every(s.baseline_period),
    ]);

    let streams: Vec<Vec<Vec<f64>>> = s
        .streams
        .par_iter()
        .map(|st| (0..st.count).map(|i| st.generate(i)).collect())
        .collect::<Result<_>>()?;
    let generated = start.elapsed();

    // One job per (contender, stream type, stream), run in parallel, gathered in order.
    let jobs: Vec<(usize, usize, usize)> = contenders
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| {
            s.streams
                .iter()
                .enumerate()
                .filter(|(_, st)| c.accepts(st))
                .flat_map(move |(si, st)| (0..st.count).map(move |i| (ci, si, i)))
        })
        .collect();
    let outcomes: Vec<Outcome> = jobs
        .par_iter()
        .map(|&(ci, si, i)| {
            let st = &s.streams[si];
            let values = &streams[si][i];
            let detections = contenders[ci].detect(values, st.is_binary(), i, st.count)?;
            Ok(outcome(&detections, st.change_at(), st.length, s.horizon))
        })
        .collect::<Result<_>>()?;

    let mut grouped: BTreeMap<(usize, usize), Vec<Outcome>> = BTreeMap::new();
    for (&(ci, si, _), o) in jobs.iter().zip(outcomes) {
        grouped.entry((ci, si)).or_default().push(o);
    }
    // Ordered by stream type, then contender.
    let mut keys: Vec<_> = grouped.keys().copied().collect();
    keys.sort_by_key(|&(ci, si)| (si, ci));
    let summaries: Vec<Summary> = keys
        .iter()
        .map(|&(ci, si)| summarise(&contenders[ci].label(), &s.streams[si], &grouped[&(ci, si)]))
        .collect();
    let elapsed = start.elapsed();
    let rows: usize = jobs.iter().map(|&(_, si, _)| s.streams[si].length).sum();

    let mut text = table(&summaries, s);
    let _ = writeln!(
        text,
        "\n{} detector runs over {rows} rows in {:.2} s (streams generated in {:.2} s, {} threads)",
        jobs.len(),
        elapsed.as_secs_f64(),
        generated.as_secs_f64(),
        rayon::current_num_threads()
    );
    if !skipped.is_empty() {
        let _ = writeln!(text, "skipped (need parameters): {}", skipped.join(", "));
    }
    let json = serde_json::json!({
        "scenario": s.name,
        "horizon": s.horizon,
        "baseline_period": s.baseline_period,
        "streams": s.streams.iter().map(|st| serde_json::json!({
            "name": st.name,
            "change": st.change,
            "count": st.count,
            "length": st.length,
            "change_point": st.change_at(),
            "binary": st.is_binary(),
            "before": st.before,
            "after": st.after,
            "seed": st.seed,
        })).collect::<Vec<_>>(),
        "skipped": skipped,
        "results": summaries,
        "detector_runs": jobs.len(),
        "rows": rows,
        "elapsed_s": elapsed.as_secs_f64(),
    });
    Ok(Evaluation { text, json })
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// The results as a Markdown table (readable in a terminal and pasteable into docs).
fn table(summaries: &[Summary], s: &StreamEvalScenario) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Scenario {}: delay in rows from the change to the first detection at or after it; \
         missed = no detection within {} rows; false alarms per 10,000 rows before the change \
         (all rows of no-change streams).\n",
        s.name, s.horizon
    );
    let _ = writeln!(
        out,
        "| stream | detector | streams | missed | mean delay | p90 delay | false alarms / 10k rows |"
    );
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|");
    for r in summaries {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.2} |",
            r.stream,
            r.detector,
            r.streams,
            opt(r.missed),
            opt(r.mean_delay.map(|m| format!("{m:.1}"))),
            opt(r.p90_delay),
            r.false_alarms_per_10k
        );
    }
    out
}

/// Runs the evaluation, prints it and writes `stream_eval.json` into `out`.
pub fn run(s: &StreamEvalScenario, out: &Path, json: bool) -> Result<i32> {
    let e = evaluate(s)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("stream_eval.json");
    std::fs::write(&path, serde_json::to_string_pretty(&e.json)?)
        .with_context(|| format!("writing {}", path.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&e.json)?);
    } else {
        println!("{}", e.text);
        println!("wrote {}", path.display());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT_IN: &str = include_str!("../../../fixtures/scenarios/stream-eval.toml");

    #[test]
    fn delay_is_measured_from_the_change_to_the_first_detection_at_or_after_it() {
        let o = outcome(&[10, 120, 130, 400], Some(100), 1000, 200);
        assert_eq!(o.delay, Some(20));
        assert!(!o.missed);
        assert_eq!(o.false_alarms, 1);
        assert_eq!(o.quiet_rows, 100);
        // A detection exactly at the change point has delay 0.
        assert_eq!(outcome(&[100], Some(100), 1000, 200).delay, Some(0));
    }

    #[test]
    fn a_detection_at_or_beyond_the_horizon_is_a_miss() {
        let o = outcome(&[50, 300], Some(100), 1000, 200);
        assert_eq!(o.delay, None);
        assert!(o.missed);
        assert_eq!(o.false_alarms, 1);
        assert!(outcome(&[299], Some(100), 1000, 200).delay == Some(199));
        assert!(outcome(&[], Some(100), 1000, 200).missed);
    }

    #[test]
    fn every_detection_on_a_no_change_stream_is_a_false_alarm() {
        let o = outcome(&[3, 500, 999], None, 1000, 200);
        assert_eq!(
            o,
            Outcome {
                delay: None,
                missed: false,
                false_alarms: 3,
                quiet_rows: 1000
            }
        );
    }

    fn spec(change: Change, change_point: Option<usize>) -> StreamSpec {
        StreamSpec {
            name: "t".into(),
            change,
            count: 4,
            length: 1000,
            change_point,
            before: 0.0,
            after: 1.0,
            sd: 1.0,
            width: 0,
            binary: false,
            seed: 1,
        }
    }

    #[test]
    fn summaries_aggregate_delays_misses_and_false_alarm_rates() {
        let st = spec(Change::MeanShift, Some(500));
        let outcomes = [
            outcome(&[10], Some(500), 1000, 100), // miss, 1 false alarm
            outcome(&[510], Some(500), 1000, 100),
            outcome(&[530, 560], Some(500), 1000, 100),
            outcome(&[100, 200, 540], Some(500), 1000, 100),
        ];
        let s = summarise("x", &st, &outcomes);
        assert_eq!(s.missed, Some(1));
        // Delays 10, 30 and 40 on the three detected changes.
        assert!((s.mean_delay.unwrap() - 80.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.p90_delay, Some(40));
        assert_eq!(s.false_alarms, 3);
        // 3 false alarms in 4 * 500 quiet rows.
        assert!((s.false_alarms_per_10k - 15.0).abs() < 1e-12);
    }

    #[test]
    fn nearest_rank_percentile() {
        assert_eq!(percentile(&[], 0.9), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        let v: Vec<usize> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.9), Some(9));
        let v: Vec<usize> = (1..=11).collect();
        assert_eq!(percentile(&v, 0.9), Some(10));
    }

    #[test]
    fn baselines_fire_as_named() {
        let v = vec![0.0; 10];
        let never = Contender::Never.detect(&v, false, 0, 1).unwrap();
        assert_eq!(never, Vec::<usize>::new());
        let always = Contender::Always.detect(&v, false, 0, 1).unwrap();
        assert_eq!(always.len(), 10);
        // Phases spread over the streams: 0 and 2 for two streams with period 4.
        assert_eq!(
            Contender::Every(4).detect(&v, false, 0, 2).unwrap(),
            vec![0, 4, 8]
        );
        assert_eq!(
            Contender::Every(4).detect(&v, false, 1, 2).unwrap(),
            vec![2, 6]
        );
        // Always firing: delay 0 and one false alarm per row before the change.
        let o = outcome(&always, Some(5), 10, 3);
        assert_eq!((o.delay, o.false_alarms), (Some(0), 5));
    }

    #[test]
    fn the_built_in_scenario_parses_and_covers_every_change_type() {
        let s = StreamEvalScenario::parse(BUILT_IN, "stream-eval").unwrap();
        assert_eq!(s.name, "stream-eval");
        for c in [
            Change::MeanShift,
            Change::Gradual,
            Change::Variance,
            Change::ErrorRate,
            Change::None,
        ] {
            assert!(s.streams.iter().any(|st| st.change == c), "{c:?}");
        }
        // The default list is the registry, with the scenario's extra parameters.
        let specs = s.specs();
        assert!(specs.iter().any(|x| x == "adwin"), "{specs:?}");
        assert!(specs.iter().any(|x| x == "kswin:seed=42"), "{specs:?}");
        assert_eq!(specs.len(), registry::detectors().len());
    }

    #[test]
    fn bad_scenarios_are_rejected_with_the_field_named() {
        let e = StreamEvalScenario::parse(
            &BUILT_IN.replacen("change_point = ", "change_point = 9999999 #", 1),
            "x",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("change_point"), "{e}");
        let text = BUILT_IN.replacen("count = ", "bogus = 1\ncount = ", 1);
        assert!(StreamEvalScenario::parse(&text, "x").is_err());
    }

    #[test]
    fn streams_are_seeded_and_binary_streams_are_zero_one() {
        let mut st = spec(Change::ErrorRate, Some(500));
        st.before = 0.1;
        st.after = 0.3;
        let a = st.generate(0).unwrap();
        assert_eq!(a, st.generate(0).unwrap());
        assert_ne!(a, st.generate(1).unwrap());
        assert!(a.iter().all(|&x| x == 0.0 || x == 1.0));
        // before = 0 and after = 1: all zeros, then all ones.
        st.before = 0.0;
        st.after = 1.0;
        let b = st.generate(0).unwrap();
        assert!(b[..500].iter().all(|&x| x == 0.0) && b[500..].iter().all(|&x| x == 1.0));
        // A mean shift of 1 shows in the means of the two halves.
        let m = spec(Change::MeanShift, Some(500)).generate(0).unwrap();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean(&m[500..]) - mean(&m[..500]) - 1.0).abs() < 0.2);
    }

    #[test]
    fn evaluation_scores_baselines_exactly_and_routes_binary_detectors() {
        let text = r#"
kind = "stream-eval"
name = "tiny"
description = "t"
horizon = 100
detectors = ["ddm", "page-hinkley:threshold=20"]
binary_only = ["ddm"]
baseline_period = 100

[[streams]]
name = "shift"
change = "mean-shift"
count = 2
length = 300
change_point = 150
before = 0.0
after = 10.0
seed = 7
"#;
        let s = StreamEvalScenario::parse(text, "tiny").unwrap();
        let e = evaluate(&s).unwrap();
        let results: Vec<Summary> =
            serde_json::from_value::<Vec<serde_json::Value>>(e.json["results"].clone())
                .unwrap()
                .into_iter()
                .map(|r| Summary {
                    detector: r["detector"].as_str().unwrap().to_string(),
                    stream: r["stream"].as_str().unwrap().to_string(),
                    change: Change::MeanShift,
                    streams: r["streams"].as_u64().unwrap() as usize,
                    missed: r["missed"].as_u64().map(|m| m as usize),
                    mean_delay: r["mean_delay"].as_f64(),
                    p90_delay: r["p90_delay"].as_u64().map(|m| m as usize),
                    false_alarms: r["false_alarms"].as_u64().unwrap() as usize,
                    false_alarms_per_10k: r["false_alarms_per_10k"].as_f64().unwrap(),
                })
                .collect();
        let names: Vec<&str> = results.iter().map(|r| r.detector.as_str()).collect();
        // DDM reads 0/1 streams only: no row for it on a real-valued stream.
        assert_eq!(
            names,
            [
                "page-hinkley:threshold=20",
                "baseline:never",
                "baseline:always",
                "baseline:every-100"
            ]
        );
        let ph = &results[0];
        assert_eq!(ph.missed, Some(0));
        assert!(ph.mean_delay.unwrap() < 10.0, "{ph:?}");
        assert_eq!((results[1].missed, results[1].false_alarms), (Some(2), 0));
        assert_eq!(results[2].mean_delay, Some(0.0));
        assert_eq!(results[2].false_alarms_per_10k, 10_000.0);
        // Periodic: stream 0 fires at 0, 100, 200 (delay 50, 2 false alarms), stream 1
        // at 50, 150, 250 (delay 0, 1 false alarm); 3 false alarms in 300 quiet rows.
        let every = &results[3];
        assert_eq!(every.mean_delay, Some(25.0));
        assert_eq!(every.p90_delay, Some(50));
        assert_eq!(every.false_alarms, 3);
        assert!((every.false_alarms_per_10k - 100.0).abs() < 1e-9);
        assert!(
            e.text
                .contains("| shift | baseline:every-100 | 2 | 0 | 25.0 | 50 | 100.00 |")
        );
    }
}
