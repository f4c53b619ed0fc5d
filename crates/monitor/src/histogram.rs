//! Reference vs current distributions per feature, for the HTML report:
//! [`histograms`] is the entry point.
//!
//! Window reports keep statistics, not data, so the histograms are computed from the
//! windows themselves (the reference and the windows the engine checked). Numeric
//! columns share `bins` equal-width bins over the range of both samples, so a shift
//! out of the reference's range stays visible; categorical columns have one bin per
//! level (reference levels first). Bars are shares of the non-missing rows; missing
//! values are counted apart.

use std::collections::BTreeMap;

use driftwatch_core::{Column, Frame, Window};
use serde::{Deserialize, Serialize};

/// Bins of a numeric histogram by default.
pub const DEFAULT_BINS: usize = 20;

/// One feature's distribution in the reference and in the current window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureHistogram {
    /// The column.
    pub column: String,
    /// Bin edges (`bins + 1`) of a numeric column; empty for a categorical one.
    pub edges: Vec<f64>,
    /// The levels of a categorical column, one per bin; empty for a numeric one.
    pub levels: Vec<String>,
    /// Share of the reference's non-missing rows in each bin.
    pub reference: Vec<f64>,
    /// Share of the current window's non-missing rows in each bin.
    pub current: Vec<f64>,
    /// Missing values in the reference.
    pub reference_missing: usize,
    /// Missing values in the current window.
    pub current_missing: usize,
}

/// Histograms of every reference column also present in `current`, in reference
/// column order. Columns whose kinds differ, or numeric columns without one finite
/// value, are left out (the drift monitors report those).
pub fn histograms(reference: &Window, current: &Window, bins: usize) -> Vec<FeatureHistogram> {
    frame_histograms(&reference.features, &current.features, bins)
}

/// [`histograms`] of two frames (e.g. the reference and current files of
/// `driftwatch drift`).
pub fn frame_histograms(reference: &Frame, current: &Frame, bins: usize) -> Vec<FeatureHistogram> {
    let bins = bins.max(1);
    reference
        .iter()
        .filter_map(|(name, r)| {
            let c = current.column(name).ok()?;
            match (r, c) {
                (Column::Numeric(r), Column::Numeric(c)) => numeric(name, r, c, bins),
                (Column::Categorical(_), Column::Categorical(_)) => Some(categorical(name, r, c)),
                _ => None,
            }
        })
        .collect()
}

fn numeric(
    name: &str,
    r: &ndarray::Array1<f64>,
    c: &ndarray::Array1<f64>,
    bins: usize,
) -> Option<FeatureHistogram> {
    let finite = |v: &ndarray::Array1<f64>| v.iter().copied().filter(|x| x.is_finite()).collect();
    let (rv, cv): (Vec<f64>, Vec<f64>) = (finite(r), finite(c));
    let (lo, hi) = rv
        .iter()
        .chain(&cv)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if !lo.is_finite() {
        return None;
    }
    // A constant column gets one unit-wide range around its value.
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let width = (hi - lo) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|i| lo + width * i as f64).collect();
    let shares = |v: &[f64]| {
        let mut counts = vec![0usize; bins];
        for &x in v {
            let b = (((x - lo) / width) as usize).min(bins - 1);
            counts[b] += 1;
        }
        to_shares(&counts)
    };
    Some(FeatureHistogram {
        column: name.to_string(),
        edges,
        levels: Vec::new(),
        reference: shares(&rv),
        current: shares(&cv),
        reference_missing: r.len() - rv.len(),
        current_missing: c.len() - cv.len(),
    })
}

fn categorical(name: &str, r: &Column, c: &Column) -> FeatureHistogram {
    let mut levels: Vec<String> = Vec::new();
    let mut index = BTreeMap::new();
    let mut count = |col: &Column, levels: &mut Vec<String>| {
        let mut counts: Vec<usize> = vec![0; levels.len()];
        let mut missing = 0;
        for label in col.to_labels() {
            match label {
                None => missing += 1,
                Some(l) => {
                    let i = *index.entry(l.clone()).or_insert_with(|| {
                        levels.push(l);
                        levels.len() - 1
                    });
                    if counts.len() <= i {
                        counts.resize(i + 1, 0);
                    }
                    counts[i] += 1;
                }
            }
        }
        (counts, missing)
    };
    let (rc, reference_missing) = count(r, &mut levels);
    let (mut cc, current_missing) = count(c, &mut levels);
    let mut rc = rc;
    rc.resize(levels.len(), 0);
    cc.resize(levels.len(), 0);
    FeatureHistogram {
        column: name.to_string(),
        edges: Vec::new(),
        levels,
        reference: to_shares(&rc),
        current: to_shares(&cc),
        reference_missing,
        current_missing,
    }
}

fn to_shares(counts: &[usize]) -> Vec<f64> {
    let n: usize = counts.iter().sum();
    counts
        .iter()
        .map(|&k| if n == 0 { 0.0 } else { k as f64 / n as f64 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{Categorical, Frame};

    fn window(x: &[f64], c: &[Option<&str>]) -> Window {
        Window {
            features: Frame::new(vec![
                ("x".into(), Column::Numeric(x.iter().copied().collect())),
                (
                    "c".into(),
                    Column::Categorical(Categorical::from_labels(c.to_vec())),
                ),
            ])
            .unwrap(),
            ..Window::default()
        }
    }

    #[test]
    fn numeric_bins_span_both_samples_and_categorical_levels_union() {
        let r = window(
            &[0.0, 1.0, 2.0, 3.0],
            &[Some("a"), Some("b"), Some("a"), None],
        );
        let c = window(&[2.0, 4.0, f64::NAN], &[Some("c"), Some("a"), None]);
        let h = histograms(&r, &c, 4);
        assert_eq!(h.len(), 2);
        let x = &h[0];
        assert_eq!(x.edges, [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(x.reference, [0.25, 0.25, 0.25, 0.25]);
        // 2 falls in [2, 3), the maximum 4 in the last bin.
        assert_eq!(x.current, [0.0, 0.0, 0.5, 0.5]);
        assert_eq!((x.reference_missing, x.current_missing), (0, 1));
        let cat = &h[1];
        assert_eq!(cat.levels, ["a", "b", "c"]);
        assert_eq!(cat.reference, [2.0 / 3.0, 1.0 / 3.0, 0.0]);
        assert_eq!(cat.current, [0.5, 0.0, 0.5]);
        assert_eq!((cat.reference_missing, cat.current_missing), (1, 1));
    }

    #[test]
    fn constant_and_all_missing_columns() {
        let r = window(&[5.0, 5.0], &[Some("a"), Some("a")]);
        let h = histograms(&r, &r, 2);
        assert_eq!(h[0].edges, [4.5, 5.0, 5.5]);
        assert_eq!(h[0].reference, [0.0, 1.0]);
        let nan = window(&[f64::NAN], &[None]);
        let h = histograms(&nan, &nan, 2);
        assert_eq!(h.len(), 1); // the numeric column is left out
        assert_eq!(h[0].column, "c");
        assert!(h[0].reference.is_empty());
    }
}
