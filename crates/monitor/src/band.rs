//! Thresholds from the reference: [`fit`] learns a band per finding key, [`apply`]
//! judges a window's findings by it.
//!
//! A fixed threshold (p < 0.05, distance >= 0.1) does not know how much a statistic moves
//! between samples of the window's size drawn from the reference itself, so on windows of
//! a few hundred rows it fires on noise. As NannyML's `StandardDeviationThreshold` does,
//! the reference is cut into chunks of the window's size, the fitted monitor checks each
//! chunk, and a finding alerts when its statistic leaves `mean ± std x sd` of the chunks'
//! statistics (upper side only by default: for drift statistics larger means more drift).
//! Each chunk is judged against the reference without it (the monitor refitted on the
//! rest), so the band has the spread that new data of the window's size shows; NannyML
//! judges each chunk against the whole reference, chunk included, which gives a narrower
//! band (`compare = "reference"`).
//!
//! Bands apply to drift findings ([`FindingKind::Drift`]): metric and data-quality
//! findings are the alert policy's. A key (column, method) with no band, e.g. a column absent from every
//! chunk, keeps the monitor's own verdict.

use std::collections::BTreeMap;

use driftwatch_core::{Finding, FindingKind, Monitor, Severity, Status, Window};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::window::take;

/// Fewest reference chunks a band is computed from: below this the standard deviation
/// means little.
pub const MIN_CHUNKS: usize = 3;

/// How a monitor's thresholds come from the reference (`band = { ... }` on a monitor in
/// `monitor.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandConfig {
    /// Rows per reference chunk: the window size. Unset, the CLI and `xtask simulate`
    /// fill it in from the windows of the run.
    #[serde(default)]
    pub chunk_rows: Option<usize>,
    /// Half-width of the band in standard deviations of the chunks' statistics
    /// (default 3, NannyML's).
    #[serde(default = "default_std")]
    pub std: f64,
    /// Also alert below `mean - std x sd` (default false).
    #[serde(default)]
    pub lower: bool,
    /// What each chunk is compared with: `rest` (default), the reference without the
    /// chunk, refitted for each chunk, so the band has the spread of new data of the
    /// window's size; `reference`, the whole reference the monitor was fitted on, chunk
    /// included (NannyML's way; its band is narrower, see docs/DRIFT.md).
    #[serde(default)]
    pub compare: ChunkCompare,
    /// How many chunks: unset, the reference cut into consecutive chunks (NannyML's
    /// way); `N`, N chunks of distinct rows drawn at random (seeded) from the whole
    /// reference, which estimates the spread far better than a handful of consecutive
    /// chunks when the reference is a few windows long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Seed of the random chunks.
    #[serde(default)]
    pub seed: u64,
}

/// What a reference chunk is compared with (see [`BandConfig::compare`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChunkCompare {
    /// The reference without the chunk.
    #[default]
    Rest,
    /// The whole reference (NannyML).
    Reference,
}

fn default_std() -> f64 {
    3.0
}

impl Default for BandConfig {
    fn default() -> Self {
        BandConfig {
            chunk_rows: None,
            std: default_std(),
            lower: false,
            compare: ChunkCompare::Rest,
            samples: None,
            seed: 0,
        }
    }
}

impl BandConfig {
    /// Checks the settings; `who` names the monitor in the error.
    pub fn check(&self, who: &str) -> Result<()> {
        if self.chunk_rows == Some(0) {
            return Err(Error::config(
                format!("{who} band.chunk_rows"),
                "a chunk needs at least 1 row",
            ));
        }
        if !(self.std.is_finite() && self.std > 0.0) {
            return Err(Error::config(
                format!("{who} band.std"),
                format!("{} must be a finite number > 0; 3 is NannyML's", self.std),
            ));
        }
        Ok(())
    }
}

/// The band of one finding key, learnt from the reference chunks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// The monitor that reports the findings.
    pub monitor: String,
    /// Their column, for per-column findings.
    pub column: Option<String>,
    /// Their method (test).
    pub method: String,
    /// Alert below this (when the band has a lower side).
    pub lower: Option<f64>,
    /// Alert above this.
    pub upper: f64,
    /// Mean of the chunks' statistics.
    pub mean: f64,
    /// Their standard deviation (population, as numpy's `std`).
    pub std: f64,
    /// The band's half-width in standard deviations.
    pub width: f64,
    /// Reference chunks the band comes from.
    pub chunks: usize,
    /// Rows per chunk.
    pub chunk_rows: usize,
}

impl Band {
    /// Whether a statistic lies outside the band.
    pub fn outside(&self, statistic: f64) -> bool {
        statistic > self.upper || self.lower.is_some_and(|l| statistic < l)
    }

    /// `[0.0123, 0.0456]` or `<= 0.0456`.
    pub fn describe(&self) -> String {
        match self.lower {
            Some(l) => format!("[{l:.4}, {:.4}]", self.upper),
            None => format!("<= {:.4}", self.upper),
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator, so the random
/// chunks are the same on every run and platform without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `k` distinct rows of `0..n`, sorted (a partial Fisher-Yates shuffle).
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            // Modulo bias is below 2^-40 for any n a reference has.
            let j = i + (self.next() % (n - i) as u64) as usize;
            rows.swap(i, j);
        }
        rows.truncate(k.min(n));
        rows.sort_unstable();
        rows
    }
}

fn banded(f: &Finding) -> bool {
    f.kind == FindingKind::Drift
}

/// Cuts `reference` into full chunks of `config.chunk_rows` rows, has the fitted
/// `monitor` check each, and returns one band per (column, method) of its drift
/// findings, in the order they first appear.
///
/// Errors: `chunk_rows` unset or 0, fewer than [`MIN_CHUNKS`] full chunks, or the
/// monitor failing on a chunk.
pub fn fit(monitor: &dyn Monitor, reference: &Window, config: &BandConfig) -> Result<Vec<Band>> {
    let who = format!("monitor '{}'", monitor.name());
    config.check(&who)?;
    let size = config.chunk_rows.ok_or_else(|| {
        Error::config(
            format!("{who} band.chunk_rows"),
            "not set: give the window size in rows",
        )
    })?;
    let n = reference.n_rows();
    if n / size < MIN_CHUNKS {
        return Err(Error::config(
            format!("{who} band"),
            format!(
                "the reference has {n} rows: {} chunk(s) of {size}, fewer than the {MIN_CHUNKS} a band needs; \
                 use a larger reference or smaller windows, or leave the band out",
                n / size
            ),
        ));
    }
    let chunks: Vec<Vec<usize>> = match config.samples {
        None => (0..n / size)
            .map(|i| (i * size..(i + 1) * size).collect())
            .collect(),
        Some(k) => {
            let mut rng = SplitMix64(config.seed);
            (0..k).map(|_| rng.sample(n, size)).collect()
        }
    };
    let mut order: Vec<(Option<String>, String)> = Vec::new();
    let mut values: BTreeMap<(Option<String>, String), Vec<f64>> = BTreeMap::new();
    let failed = |i: usize, e: String| {
        Error::config(
            format!("{who} band"),
            format!("checking reference chunk {i} of {size} rows: {e}"),
        )
    };
    // A copy of the monitor to refit without each chunk: through its serialised form,
    // which every monitor has (typetag), so any registered monitor can have a band.
    let state = match config.compare {
        ChunkCompare::Rest => {
            Some(serde_json::to_value(monitor).map_err(|e| Error::Serialize {
                what: format!("{who} for its band"),
                message: e.to_string(),
            })?)
        }
        ChunkCompare::Reference => None,
    };
    for (i, rows) in chunks.iter().enumerate() {
        let chunk = take(reference, rows, format!("reference chunk {i}"))?;
        let findings = match &state {
            None => monitor.check(&chunk),
            Some(state) => {
                let mut inside = vec![false; n];
                for &r in rows {
                    inside[r] = true;
                }
                let rest: Vec<usize> = (0..n).filter(|&r| !inside[r]).collect();
                let rest = take(reference, &rest, format!("reference without chunk {i}"))?;
                let mut copy: Box<dyn Monitor> =
                    serde_json::from_value(state.clone()).map_err(|e| failed(i, e.to_string()))?;
                copy.fit(&rest).and_then(|()| copy.check(&chunk))
            }
        }
        .map_err(|e| failed(i, e.to_string()))?;
        for f in findings
            .iter()
            .filter(|f| banded(f) && f.statistic.is_finite())
        {
            let key = (f.column.clone(), f.method.clone());
            if !values.contains_key(&key) {
                order.push(key.clone());
            }
            values.entry(key).or_default().push(f.statistic);
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|key| {
            let v = values.remove(&key)?;
            // A key seen in too few chunks has no usable spread: keep the monitor's verdict.
            if v.len() < MIN_CHUNKS {
                return None;
            }
            let k = v.len() as f64;
            let mean = v.iter().sum::<f64>() / k;
            let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / k).sqrt();
            Some(Band {
                monitor: monitor.name().to_string(),
                column: key.0,
                method: key.1,
                lower: config.lower.then_some(mean - config.std * sd),
                upper: mean + config.std * sd,
                mean,
                std: sd,
                width: config.std,
                chunks: v.len(),
                chunk_rows: size,
            })
        })
        .collect())
}

/// Judges drift findings by their band: alert (MEDIUM) outside it, ok inside; the
/// threshold becomes the band's upper edge and the message says where the band is.
/// Findings without a band, with a non-finite statistic, or of another kind than drift
/// are left alone.
pub fn apply(bands: &[Band], findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| banded(f)) {
        let Some(b) = bands
            .iter()
            .find(|b| b.monitor == f.monitor && b.column == f.column && b.method == f.method)
        else {
            continue;
        };
        if !f.statistic.is_finite() {
            continue;
        }
        let out = b.outside(f.statistic);
        f.status = if out { Status::Alert } else { Status::Ok };
        f.severity = out.then_some(Severity::Medium);
        f.threshold = b.upper;
        f.message.push_str(&format!(
            "; {} {:.4} {} the reference band {} (mean {:.4} + {} sd {:.4} of {} chunks of {} rows)",
            f.method,
            f.statistic,
            if out { "outside" } else { "within" },
            b.describe(),
            b.mean,
            b.width,
            b.std,
            b.chunks,
            b.chunk_rows
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{Column, Frame};

    /// Reports the mean of column `x` as a drift statistic (no baseline), and accuracy 1.0
    /// as a metric (which bands leave alone).
    #[derive(Debug, Serialize, Deserialize)]
    struct Mean;

    #[typetag::serde]
    impl Monitor for Mean {
        fn name(&self) -> &str {
            "zz_band_test_mean"
        }
        fn fit(&mut self, _: &Window) -> driftwatch_core::Result<()> {
            Ok(())
        }
        fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
            let v = w.features.column("x")?.numeric_values().unwrap_or_default();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let finding = |method: &str, statistic: f64, baseline: Option<f64>| Finding {
                monitor: self.name().into(),
                kind: match baseline {
                    None => FindingKind::Drift,
                    Some(_) => FindingKind::Metric {
                        higher_is_better: true,
                    },
                },
                column: baseline.is_none().then(|| "x".to_string()),
                method: method.into(),
                statistic,
                p_value: None,
                threshold: 100.0,
                baseline,
                status: Status::Ok,
                severity: None,
                message: "mean".into(),
                bounds: None,
                sampling_error: None,
            };
            Ok(vec![
                finding("mean", m, None),
                finding("accuracy", 1.0, Some(1.0)),
            ])
        }
    }

    /// The distance of column `x`'s mean from the reference mean: what a chunk is
    /// compared with matters.
    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Shift {
        reference: Option<f64>,
    }

    fn mean_x(w: &Window) -> driftwatch_core::Result<f64> {
        let v = w.features.column("x")?.numeric_values().unwrap_or_default();
        Ok(v.iter().sum::<f64>() / v.len() as f64)
    }

    #[typetag::serde]
    impl Monitor for Shift {
        fn name(&self) -> &str {
            "zz_band_test_shift"
        }
        fn fit(&mut self, reference: &Window) -> driftwatch_core::Result<()> {
            self.reference = Some(mean_x(reference)?);
            Ok(())
        }
        fn check(&self, w: &Window) -> driftwatch_core::Result<Vec<Finding>> {
            let r = self
                .reference
                .ok_or_else(|| driftwatch_core::Error::NotFitted("shift".into()))?;
            Ok(vec![Finding {
                monitor: self.name().into(),
                kind: FindingKind::Drift,
                column: Some("x".into()),
                method: "shift".into(),
                statistic: (mean_x(w)? - r).abs(),
                p_value: None,
                threshold: 1.0,
                baseline: None,
                status: Status::Ok,
                severity: None,
                message: String::new(),
                bounds: None,
                sampling_error: None,
            }])
        }
    }

    #[test]
    fn chunks_are_compared_with_the_rest_or_with_the_whole_reference() {
        let reference = window(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        let mut m = Shift::default();
        m.fit(&reference).unwrap();
        let config = BandConfig {
            chunk_rows: Some(2),
            ..BandConfig::default()
        };
        // Against the rest: |1 - 3|, |2 - 8/3|, |3 - 7/3|, |4 - 2| = 2, 2/3, 2/3, 2.
        let rest = &fit(&m, &reference, &config).unwrap()[0];
        assert!((rest.mean - 4.0 / 3.0).abs() < 1e-12 && (rest.std - 2.0 / 3.0).abs() < 1e-12);
        // NannyML's: against the whole reference (mean 2.5): 1.5, 0.5, 0.5, 1.5.
        let nannyml = BandConfig {
            compare: ChunkCompare::Reference,
            ..config
        };
        let whole = &fit(&m, &reference, &nannyml).unwrap()[0];
        assert!((whole.mean - 1.0).abs() < 1e-12 && (whole.std - 0.5).abs() < 1e-12);
        assert!(whole.upper < rest.upper);
        // The fitted monitor itself is left as it was.
        assert_eq!(m.reference, Some(2.5));

        // Random chunks: as many as asked, the same for the same seed.
        let random = BandConfig {
            samples: Some(40),
            seed: 7,
            ..config
        };
        let a = fit(&m, &reference, &random).unwrap();
        assert_eq!(a[0].chunks, 40);
        assert_eq!(a, fit(&m, &reference, &random).unwrap());
        // SplitMix64's published first output for seed 0.
        assert_eq!(SplitMix64(0).next(), 0xE220_A839_7B1D_CDAF);
        let mut rng = SplitMix64(1);
        for _ in 0..100 {
            let rows = rng.sample(8, 3);
            assert!(rows.len() == 3 && rows.windows(2).all(|p| p[0] < p[1]) && rows[2] < 8);
        }
    }

    fn window(xs: &[f64]) -> Window {
        Window {
            features: Frame::new(vec![(
                "x".into(),
                Column::Numeric(xs.iter().copied().collect()),
            )])
            .unwrap(),
            ..Window::default()
        }
    }

    #[test]
    fn band_is_mean_plus_three_sd_of_the_chunk_statistics() {
        // Four chunks of 2 rows with means 1, 2, 3, 4 (and a short last chunk, dropped).
        let reference = window(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 100.0]);
        let config = BandConfig {
            chunk_rows: Some(2),
            ..BandConfig::default()
        };
        let bands = fit(&Mean, &reference, &config).unwrap();
        assert_eq!(bands.len(), 1);
        let b = &bands[0];
        // np.std([1, 2, 3, 4]) = sqrt(1.25).
        assert_eq!((b.mean, b.chunks, b.chunk_rows), (2.5, 4, 2));
        assert!((b.std - 1.25f64.sqrt()).abs() < 1e-15);
        assert!((b.upper - (2.5 + 3.0 * 1.25f64.sqrt())).abs() < 1e-12);
        assert_eq!(b.lower, None);
        assert_eq!(
            (b.column.as_deref(), b.method.as_str()),
            (Some("x"), "mean")
        );

        let mut inside = Mean.check(&window(&[5.0, 5.0])).unwrap();
        inside[0].status = Status::Alert; // the monitor's own verdict is replaced
        apply(&bands, &mut inside);
        assert_eq!((inside[0].status, inside[0].severity), (Status::Ok, None));
        assert_eq!(inside[0].threshold, b.upper);
        assert!(
            inside[0]
                .message
                .contains("within the reference band <= 5.8541"),
            "{}",
            inside[0].message
        );
        let mut outside = Mean.check(&window(&[6.0, 6.0])).unwrap();
        apply(&bands, &mut outside);
        assert_eq!(
            (outside[0].status, outside[0].severity),
            (Status::Alert, Some(Severity::Medium))
        );
        // The metric finding is the alert policy's, untouched.
        assert_eq!(
            (outside[1].threshold, outside[1].status),
            (100.0, Status::Ok)
        );

        let two_sided = fit(
            &Mean,
            &reference,
            &BandConfig {
                lower: true,
                ..config
            },
        )
        .unwrap();
        let mut low = Mean.check(&window(&[-1.0, -1.0])).unwrap();
        apply(&two_sided, &mut low);
        assert_eq!(low[0].status, Status::Alert);
        assert!(
            low[0]
                .message
                .contains("outside the reference band [-0.8541, 5.8541]"),
            "{}",
            low[0].message
        );
    }

    #[test]
    fn too_few_chunks_and_bad_settings_are_errors() {
        let reference = window(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let e = fit(
            &Mean,
            &reference,
            &BandConfig {
                chunk_rows: Some(2),
                ..BandConfig::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("2 chunk(s) of 2") && e.contains("zz_band_test_mean"),
            "{e}"
        );
        let e = fit(&Mean, &reference, &BandConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("chunk_rows") && e.contains("not set"), "{e}");
        for (c, needle) in [
            (
                BandConfig {
                    chunk_rows: Some(0),
                    ..BandConfig::default()
                },
                "at least 1 row",
            ),
            (
                BandConfig {
                    std: 0.0,
                    ..BandConfig::default()
                },
                "band.std",
            ),
            (
                BandConfig {
                    std: f64::NAN,
                    ..BandConfig::default()
                },
                "band.std",
            ),
        ] {
            let e = c.check("m").unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
        let c: BandConfig = serde_json::from_str(r#"{"chunk_rows": 400}"#).unwrap();
        assert_eq!((c.chunk_rows, c.std, c.lower), (Some(400), 3.0, false));
        assert!(serde_json::from_str::<BandConfig>(r#"{"sd": 2}"#).is_err());
    }
}
