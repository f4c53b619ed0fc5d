//! The `domain_classifier` monitor: NannyML's DomainClassifierCalculator with
//! driftwatch's random forest in place of LightGBM.
//!
//! Per window, the reference rows are labelled 0 and the window's rows 1, and a
//! classifier's cross-validated AUROC (stratified folds, in row order as NannyML's
//! `StratifiedKFold` without shuffle) says how well the two can be told apart: 0.5 when
//! they look alike, towards 1 under drift. Categories are ordinal codes over the sorted
//! levels of reference and window (scikit-learn's `OrdinalEncoder`; missing = -1);
//! a missing number becomes a value below the column's reference minimum, so trees can
//! split it off, as LightGBM sends missing values to one side.

use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use driftwatch_core::registry::MonitorFactory;
use driftwatch_core::{
    Bounds, Column, Error as CoreError, Finding, FindingKind, Frame, Monitor, Severity, Status,
    Window,
};
use driftwatch_models::forest::{ForestParams, RandomForestClassifier};
use driftwatch_models::selection::StratifiedKFold;

use crate::auroc::auroc;
use crate::band::{Limit, chunks, std_band};
use crate::encode::select_columns;
use crate::error::Error;
use crate::method::DOMAIN_AUROC;

/// The registered name.
pub const NAME: &str = "domain_classifier";

/// Where the band comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// `lower`/`upper` as given (NannyML's default `ConstantThreshold(0.45, 0.65)`).
    #[default]
    Constant,
    /// `mean ± std x sd` of the AUROC of reference chunks of `chunk_rows` rows against
    /// the rest of the reference (NannyML's `StandardDeviationThreshold`), clipped to
    /// [0, 1].
    Std,
}

/// The configuration (TOML keys of the monitor's table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainConfig {
    /// Columns to use; empty: every reference column except timestamps.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Cross-validation folds.
    #[serde(default = "default_folds")]
    pub n_folds: usize,
    /// Seed of the forest and of the reference subsample.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Trees per forest.
    #[serde(default = "default_trees")]
    pub n_estimators: usize,
    /// Depth limit of each tree (unset: grown until pure).
    #[serde(default = "default_depth")]
    pub max_depth: Option<usize>,
    /// Fewest rows in a leaf (LightGBM's `min_child_samples` is 20).
    #[serde(default = "default_leaf")]
    pub min_samples_leaf: usize,
    /// At most this many reference rows (a seeded subsample, drawn once at fit) are
    /// labelled 0 per window; unset: all, as NannyML.
    #[serde(default)]
    pub max_reference_rows: Option<usize>,
    /// `constant` (default, NannyML's) or `std` (from reference chunks).
    #[serde(default)]
    pub threshold: Threshold,
    /// Lower threshold of `constant`.
    #[serde(default = "default_lower")]
    pub lower: f64,
    /// Upper threshold of `constant`.
    #[serde(default = "default_upper")]
    pub upper: f64,
    /// Rows per reference chunk for `std` (the window size); unset: a tenth of the
    /// reference, as NannyML's default chunker.
    #[serde(default)]
    pub chunk_rows: Option<usize>,
    /// Half-width of the `std` band in standard deviations.
    #[serde(default = "default_std")]
    pub std: f64,
}

fn default_folds() -> usize {
    5
}
fn default_seed() -> u64 {
    13
}
fn default_trees() -> usize {
    50
}
fn default_depth() -> Option<usize> {
    Some(12)
}
fn default_leaf() -> usize {
    10
}
fn default_lower() -> f64 {
    0.45
}
fn default_upper() -> f64 {
    0.65
}
fn default_std() -> f64 {
    3.0
}

impl Default for DomainConfig {
    fn default() -> Self {
        DomainConfig {
            columns: Vec::new(),
            n_folds: default_folds(),
            seed: default_seed(),
            n_estimators: default_trees(),
            max_depth: default_depth(),
            min_samples_leaf: default_leaf(),
            max_reference_rows: None,
            threshold: Threshold::default(),
            lower: default_lower(),
            upper: default_upper(),
            chunk_rows: None,
            std: default_std(),
        }
    }
}

impl DomainConfig {
    /// Refuses values the monitor cannot use, naming the key.
    pub fn check(&self) -> Result<(), Error> {
        if self.n_folds < 2 {
            return Err(Error::config(
                NAME,
                "n_folds",
                format!("{}: use at least 2 folds", self.n_folds),
            ));
        }
        if self.n_estimators == 0 {
            return Err(Error::config(NAME, "n_estimators", "use at least 1 tree"));
        }
        if self.max_depth == Some(0) {
            return Err(Error::config(
                NAME,
                "max_depth",
                "use at least 1, or leave it unset",
            ));
        }
        if self.min_samples_leaf == 0 {
            return Err(Error::config(NAME, "min_samples_leaf", "use at least 1"));
        }
        if self.max_reference_rows.is_some_and(|r| r < self.n_folds) {
            return Err(Error::config(
                NAME,
                "max_reference_rows",
                format!("use at least n_folds = {} rows", self.n_folds),
            ));
        }
        if !(0.0..=1.0).contains(&self.lower)
            || !(0.0..=1.0).contains(&self.upper)
            || self.lower >= self.upper
        {
            return Err(Error::config(
                NAME,
                "lower",
                format!(
                    "lower {} and upper {} must satisfy 0 <= lower < upper <= 1",
                    self.lower, self.upper
                ),
            ));
        }
        crate::band::check_band_keys(NAME, self.chunk_rows, self.std)?;
        Ok(())
    }

    fn forest(&self) -> ForestParams {
        let mut p = ForestParams::classifier()
            .with_n_estimators(self.n_estimators)
            .with_seed(self.seed)
            .with_max_depth(self.max_depth);
        p.min_samples_leaf = self.min_samples_leaf;
        p
    }
}

/// How one column becomes a number for the forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Encoding {
    /// A number; missing becomes `missing`.
    Numeric { missing: f64 },
    /// A category: its position among `levels` (the reference's, sorted).
    Categorical { levels: Vec<String> },
}

/// What `fit` learns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainState {
    columns: Vec<String>,
    encodings: Vec<Encoding>,
    /// The reference rows labelled 0 (categories as codes among the reference levels).
    reference: Array2<f64>,
    /// AUROC of each reference chunk (only with `threshold = "std"`).
    pub reference_aurocs: Vec<f64>,
    /// The band.
    pub bounds: Bounds,
}

/// NannyML's domain classifier drift with a random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DomainClassifierMonitor {
    /// The configuration.
    #[serde(flatten)]
    pub config: DomainConfig,
    /// Set by `fit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<DomainState>,
}

impl DomainClassifierMonitor {
    /// An unfitted monitor; the configuration is checked.
    pub fn new(config: DomainConfig) -> Result<Self, Error> {
        config.check()?;
        Ok(DomainClassifierMonitor {
            config,
            state: None,
        })
    }

    /// Fits on the reference features (and, with `threshold = "std"`, learns the band
    /// from reference chunks: the costly part).
    pub fn fit_frame(&mut self, reference: &Frame) -> Result<(), Error> {
        let cfg = &self.config;
        cfg.check()?;
        let n = reference.n_rows();
        if n < cfg.n_folds {
            return Err(Error::input(
                NAME,
                format!(
                    "the reference has {n} rows; {} folds need at least as many",
                    cfg.n_folds
                ),
            ));
        }
        let columns = select_columns(NAME, reference, &cfg.columns)?;
        let mut encodings = Vec::with_capacity(columns.len());
        for name in &columns {
            let column = reference
                .column(name)
                .map_err(|e| Error::input(NAME, e.to_string()))?;
            encodings.push(match column {
                Column::Numeric(v) => {
                    check_finite(name, v.iter().copied(), "reference")?;
                    let (lo, hi) = v
                        .iter()
                        .filter(|x| !x.is_nan())
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                            (a.min(x), b.max(x))
                        });
                    let missing = if lo.is_finite() {
                        lo - 1.0 - (hi - lo)
                    } else {
                        0.0
                    };
                    Encoding::Numeric { missing }
                }
                Column::Categorical(c) => {
                    let mut levels: Vec<String> = c.levels.clone();
                    levels.sort();
                    levels.dedup();
                    Encoding::Categorical { levels }
                }
            });
        }
        let full = encode_reference(reference, &columns, &encodings)?;
        let mut state = DomainState {
            columns,
            encodings,
            reference: full.clone(),
            reference_aurocs: Vec::new(),
            bounds: Bounds {
                lower: Some(cfg.lower),
                upper: Some(cfg.upper),
            },
        };
        if cfg.threshold == Threshold::Std {
            let mut values = Vec::new();
            for r in chunks(NAME, n, cfg.chunk_rows)? {
                let rest: Vec<usize> = (0..n).filter(|i| !r.contains(i)).collect();
                let rest = cap_rows(rest, cfg.max_reference_rows, cfg.seed);
                let zeros = full.select(Axis(0), &rest);
                let ones = full.select(Axis(0), &r.clone().collect::<Vec<_>>());
                values.push(cross_validated_auroc(cfg, zeros.view(), ones.view())?);
            }
            state.bounds = std_band(&values, cfg.std, Limit::Clip(0.0), Limit::Clip(1.0));
            state.reference_aurocs = values;
        }
        let kept = cap_rows((0..n).collect(), cfg.max_reference_rows, cfg.seed);
        if kept.len() < n {
            state.reference = full.select(Axis(0), &kept);
        }
        self.state = Some(state);
        Ok(())
    }

    /// The cross-validated AUROC of the reference against a window's rows.
    pub fn window_auroc(&self, frame: &Frame) -> Result<f64, Error> {
        let state = self.state.as_ref().ok_or(Error::NotFitted(NAME))?;
        let m = frame.n_rows();
        if m < self.config.n_folds {
            return Err(Error::input(
                NAME,
                format!(
                    "the window has {m} rows; {} folds need at least as many (lower `n_folds` or use larger windows)",
                    self.config.n_folds
                ),
            ));
        }
        let mut reference = state.reference.clone();
        let mut window = Array2::<f64>::zeros((m, state.columns.len()));
        for (j, (name, enc)) in state.columns.iter().zip(&state.encodings).enumerate() {
            let column = frame.column(name).map_err(|_| {
                Error::input(
                    NAME,
                    format!("the window has no column '{name}' that the reference had"),
                )
            })?;
            match (enc, column) {
                (Encoding::Numeric { missing }, Column::Numeric(v)) => {
                    check_finite(name, v.iter().copied(), "window")?;
                    window
                        .column_mut(j)
                        .zip_mut_with(v, |o, &x| *o = if x.is_nan() { *missing } else { x });
                }
                (Encoding::Categorical { levels }, Column::Categorical(c)) => {
                    // OrdinalEncoder fitted on reference and window together: codes are
                    // positions among the sorted union of their levels.
                    let mut union = levels.clone();
                    union.extend(c.levels.iter().cloned());
                    union.sort();
                    union.dedup();
                    let pos = |l: &str| {
                        union
                            .binary_search_by(|u| u.as_str().cmp(l))
                            .map_or(-1.0, |p| p as f64)
                    };
                    let ref_code: Vec<f64> = levels.iter().map(|l| pos(l)).collect();
                    reference.column_mut(j).mapv_inplace(|code| {
                        if code < 0.0 {
                            code
                        } else {
                            ref_code.get(code as usize).copied().unwrap_or(-1.0)
                        }
                    });
                    let win_code: Vec<f64> = c.levels.iter().map(|l| pos(l)).collect();
                    for (o, code) in window.column_mut(j).iter_mut().zip(&c.codes) {
                        *o = code
                            .and_then(|k| win_code.get(k as usize).copied())
                            .unwrap_or(-1.0);
                    }
                }
                (_, other) => {
                    return Err(Error::input(
                        NAME,
                        format!(
                            "column '{name}' is {} in the window but not in the reference; give it the reference's kind",
                            other.kind().as_str()
                        ),
                    ));
                }
            }
        }
        cross_validated_auroc(&self.config, reference.view(), window.view())
    }
}

/// The reference matrix: numbers (missing filled) and category codes among the
/// reference's sorted levels (missing = -1).
fn encode_reference(
    frame: &Frame,
    columns: &[String],
    encodings: &[Encoding],
) -> Result<Array2<f64>, Error> {
    let mut x = Array2::<f64>::zeros((frame.n_rows(), columns.len()));
    for (j, (name, enc)) in columns.iter().zip(encodings).enumerate() {
        let column = frame
            .column(name)
            .map_err(|e| Error::input(NAME, e.to_string()))?;
        match (enc, column) {
            (Encoding::Numeric { missing }, Column::Numeric(v)) => {
                x.column_mut(j)
                    .zip_mut_with(v, |o, &a| *o = if a.is_nan() { *missing } else { a });
            }
            (Encoding::Categorical { levels }, Column::Categorical(c)) => {
                let code: Vec<f64> = c
                    .levels
                    .iter()
                    .map(|l| levels.binary_search(l).map_or(-1.0, |p| p as f64))
                    .collect();
                for (o, k) in x.column_mut(j).iter_mut().zip(&c.codes) {
                    *o = k
                        .and_then(|k| code.get(k as usize).copied())
                        .unwrap_or(-1.0);
                }
            }
            _ => return Err(Error::input(NAME, format!("column '{name}' changed kind"))),
        }
    }
    Ok(x)
}

fn check_finite(name: &str, values: impl Iterator<Item = f64>, what: &str) -> Result<(), Error> {
    match values.enumerate().find(|(_, v)| v.is_infinite()) {
        Some((row, v)) => Err(Error::input(
            NAME,
            format!(
                "column '{name}' of the {what} holds {v} at row {row}; replace infinities or leave them empty"
            ),
        )),
        None => Ok(()),
    }
}

/// At most `cap` of `rows`, a seeded sample kept in row order.
fn cap_rows(rows: Vec<usize>, cap: Option<usize>, seed: u64) -> Vec<usize> {
    match cap {
        Some(c) if c < rows.len() => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut picked = sample(&mut rng, rows.len(), c).into_vec();
            picked.sort_unstable();
            picked.into_iter().map(|i| rows[i]).collect()
        }
        _ => rows,
    }
}

/// Stratified k-fold AUROC of a forest telling `ones` (label 1) from `zeros` (label 0),
/// the out-of-fold scores pooled as NannyML does.
fn cross_validated_auroc<'a>(
    cfg: &DomainConfig,
    zeros: ArrayView2<'a, f64>,
    ones: ArrayView2<'a, f64>,
) -> Result<f64, Error> {
    let (n0, n1) = (zeros.nrows(), ones.nrows());
    let x = ndarray::concatenate(Axis(0), &[zeros, ones])
        .map_err(|e| Error::input(NAME, e.to_string()))?;
    let y: Vec<usize> = (0..n0 + n1).map(|i| usize::from(i >= n0)).collect();
    let labels: Vec<String> = y.iter().map(|v| v.to_string()).collect();
    let folds = StratifiedKFold::new(cfg.n_folds)
        .split(&labels)
        .map_err(|e| {
            Error::input(
                NAME,
                format!("{e} (reference or window too small for `n_folds`)"),
            )
        })?;
    let params = cfg.forest();
    let mut scores = vec![0.0; n0 + n1];
    for (train, test) in folds {
        let xt = x.select(Axis(0), &train);
        let yt: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let model = RandomForestClassifier::fit(&params, xt.view(), &yt, 2)
            .map_err(|e| Error::input(NAME, format!("forest: {e}")))?;
        let p = model
            .predict_proba(x.select(Axis(0), &test).view())
            .map_err(|e| Error::input(NAME, format!("forest: {e}")))?;
        for (k, &i) in test.iter().enumerate() {
            scores[i] = p[(k, 1)];
        }
    }
    let positive: Vec<bool> = y.iter().map(|&v| v == 1).collect();
    Ok(auroc(&positive, &scores).unwrap_or(0.5))
}

#[typetag::serde]
impl Monitor for DomainClassifierMonitor {
    fn name(&self) -> &str {
        NAME
    }

    fn fit(&mut self, reference: &Window) -> Result<(), CoreError> {
        Ok(self.fit_frame(&reference.features)?)
    }

    fn check(&self, current: &Window) -> Result<Vec<Finding>, CoreError> {
        let value = self.window_auroc(&current.features)?;
        let bounds = self.state.as_ref().map(|s| s.bounds).unwrap_or_default();
        let alert = bounds.excludes(value);
        let show = |v: Option<f64>| v.map_or("open".to_string(), |v| format!("{v:.4}"));
        Ok(vec![Finding {
            threshold: bounds.upper.unwrap_or(f64::NAN),
            bounds: Some(bounds),
            status: if alert { Status::Alert } else { Status::Ok },
            severity: alert.then_some(Severity::Medium),
            message: format!(
                "domain classifier AUROC {value:.4} (0.5: window like the reference), band [{}, {}]",
                show(bounds.lower),
                show(bounds.upper)
            ),
            ..Finding::new(FindingKind::Drift, NAME, DOMAIN_AUROC, value)
        }])
    }
}

fn build(v: &serde_json::Value) -> Result<Box<dyn Monitor>, CoreError> {
    let config: DomainConfig = if v.is_null() {
        DomainConfig::default()
    } else {
        serde_json::from_value(v.clone()).map_err(|e| CoreError::param(NAME, e.to_string()))?
    };
    Ok(Box::new(DomainClassifierMonitor::new(config)?))
}

inventory::submit! {
    MonitorFactory {
        name: NAME,
        description: "multivariate drift: cross-validated AUROC of a forest telling the window from the reference (NannyML's domain classifier)",
        default_config: "n_folds = 5\nseed = 13\nn_estimators = 50\nmax_depth = 12\nmin_samples_leaf = 10\nthreshold = \"constant\"  # or \"std\": from reference chunks of chunk_rows\nlower = 0.45\nupper = 0.65\nstd = 3.0\n# max_reference_rows = 10000  # default: the whole reference\n# chunk_rows = 5000  # for threshold = \"std\"; default: a tenth of the reference\n# columns = [\"a\", \"b\"]  # default: every feature column\n",
        build,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::Categorical;

    /// Uniform noise (seeded by `offset`), `a` shifted by `shift`, one missing `b`.
    fn frame(n: usize, shift: f64, offset: usize) -> Frame {
        use rand::Rng;
        let mut rng = ChaCha8Rng::seed_from_u64(offset as u64);
        let a: Vec<f64> = (0..n).map(|_| rng.random::<f64>() + shift).collect();
        let mut b: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        b[0] = f64::NAN;
        let c =
            Categorical::from_labels((0..n).map(|_| Some(["x", "y", "z"][rng.random_range(0..3)])));
        Frame::new(vec![
            ("a".into(), Column::Numeric(a.into())),
            ("b".into(), Column::Numeric(b.into())),
            ("c".into(), Column::Categorical(c)),
        ])
        .unwrap()
    }

    fn small() -> DomainConfig {
        DomainConfig {
            n_estimators: 10,
            ..Default::default()
        }
    }

    #[test]
    fn a_shift_is_told_apart_and_the_same_data_is_not() {
        let mut m = DomainClassifierMonitor::new(small()).unwrap();
        m.fit(&Window {
            features: frame(600, 0.0, 0),
            ..Default::default()
        })
        .unwrap();
        let same = m
            .check(&Window {
                features: frame(200, 0.0, 7),
                ..Default::default()
            })
            .unwrap();
        assert!(
            (same[0].statistic - 0.5).abs() < 0.15,
            "{}",
            same[0].message
        );
        assert_eq!(same[0].status, Status::Ok);
        let shifted = m
            .check(&Window {
                features: frame(200, 5.0, 7),
                ..Default::default()
            })
            .unwrap();
        assert!(shifted[0].statistic > 0.9, "{}", shifted[0].message);
        assert_eq!(
            (shifted[0].status, shifted[0].method.as_str()),
            (Status::Alert, DOMAIN_AUROC)
        );
        let json = serde_json::to_string(&(Box::new(m.clone()) as Box<dyn Monitor>)).unwrap();
        let back: Box<dyn Monitor> = serde_json::from_str(&json).unwrap();
        let again = back
            .check(&Window {
                features: frame(200, 5.0, 7),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            again, shifted,
            "seeded: the same verdict after a round trip"
        );
    }

    #[test]
    fn std_band_from_reference_chunks_and_a_capped_reference() {
        let mut m = DomainClassifierMonitor::new(DomainConfig {
            threshold: Threshold::Std,
            chunk_rows: Some(100),
            max_reference_rows: Some(300),
            ..small()
        })
        .unwrap();
        m.fit_frame(&frame(500, 0.0, 0)).unwrap();
        let st = m.state.as_ref().unwrap();
        assert_eq!(st.reference_aurocs.len(), 5);
        assert_eq!(st.reference.nrows(), 300);
        assert!(st.reference_aurocs.iter().all(|v| (0.0..=1.0).contains(v)));
        let (lo, hi) = (st.bounds.lower.unwrap(), st.bounds.upper.unwrap());
        assert!((0.0..=1.0).contains(&lo) && lo < hi && hi <= 1.0);
    }

    #[test]
    fn unseen_categories_and_bad_input() {
        let mut m = DomainClassifierMonitor::new(small()).unwrap();
        m.fit_frame(&frame(100, 0.0, 0)).unwrap();
        let mut w = frame(50, 0.0, 0);
        w.remove("c").unwrap();
        let e = m.window_auroc(&w).unwrap_err().to_string();
        assert!(e.contains("no column 'c'"), "{e}");
        w.push(
            "c",
            Column::Categorical(Categorical::from_labels((0..50).map(|_| Some("new")))),
        )
        .unwrap();
        let v = m.window_auroc(&w).unwrap();
        assert!(v > 0.9, "an unseen level tells the window apart: {v}");
        let e = m.window_auroc(&frame(3, 0.0, 0)).unwrap_err().to_string();
        assert!(e.contains("n_folds"), "{e}");
        for bad in [
            serde_json::json!({"n_folds": 1}),
            serde_json::json!({"lower": 0.7}),
            serde_json::json!({"max_reference_rows": 2}),
            serde_json::json!({"n_estimators": 0}),
        ] {
            let key = bad.as_object().unwrap().keys().next().unwrap().clone();
            let e = build(&bad).unwrap_err().to_string();
            assert!(e.contains(&key), "{e}");
        }
        assert!(
            DomainClassifierMonitor::default()
                .check(&Window::default())
                .is_err()
        );
    }
}
