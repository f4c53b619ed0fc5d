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
    /// The bars of a side come from a quantile sketch (a table larger than the memory
    /// limit), whose items stand for several values each: the shares are estimates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approximate: bool,
}

/// One column's values as a histogram takes them: what a whole frame, a fitted drift
/// reference or a chunked table's summary keeps, without making a frame of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution<'a> {
    /// Each value once (NaN is missing), plus `missing` values not in the slice.
    Values {
        /// The values, in any order.
        values: &'a [f64],
        /// Missing values kept apart.
        missing: usize,
    },
    /// Distinct values with how many values each stands for, plus `missing` values;
    /// `approximate` when the weights are a sketch's.
    Weighted {
        /// (value, weight) items, in any order.
        items: Vec<(f64, u64)>,
        /// Missing values.
        missing: usize,
        /// Whether the weights are estimates.
        approximate: bool,
    },
    /// Counts by label (bars in this order), plus `missing` values.
    Counts {
        /// (label, count), each label once.
        counts: Vec<(&'a str, usize)>,
        /// Missing values.
        missing: usize,
    },
}

impl<'a> Distribution<'a> {
    /// A frame column: numbers as they are, categories counted in order of first
    /// appearance in the rows.
    #[must_use]
    pub fn of_column(column: &'a Column) -> Self {
        match column {
            Column::Numeric(v) => match v.as_slice() {
                Some(values) => Distribution::Values { values, missing: 0 },
                None => Distribution::Weighted {
                    items: v.iter().map(|&x| (x, 1)).collect(),
                    missing: 0,
                    approximate: false,
                },
            },
            Column::Categorical(c) => {
                let mut slot: Vec<Option<usize>> = vec![None; c.levels.len()];
                let mut counts: Vec<(&str, usize)> = Vec::new();
                let mut missing = 0;
                for code in &c.codes {
                    let Some(k) = code.map(|k| k as usize).filter(|&k| k < slot.len()) else {
                        missing += 1;
                        continue;
                    };
                    let i = *slot[k].get_or_insert_with(|| {
                        counts.push((c.levels[k].as_str(), 0));
                        counts.len() - 1
                    });
                    counts[i].1 += 1;
                }
                Distribution::Counts { counts, missing }
            }
        }
    }

    /// The numeric items (weight 1 for plain values) and the missing count; `None` for
    /// counts.
    fn numbers(&self) -> Option<(Items<'_>, usize)> {
        match self {
            Distribution::Values { values, missing } => {
                Some((Box::new(values.iter().map(|&x| (x, 1))), *missing))
            }
            Distribution::Weighted { items, missing, .. } => {
                Some((Box::new(items.iter().copied()), *missing))
            }
            Distribution::Counts { .. } => None,
        }
    }

    fn approximate(&self) -> bool {
        matches!(
            self,
            Distribution::Weighted {
                approximate: true,
                ..
            }
        )
    }
}

/// Numeric (value, weight) items.
type Items<'a> = Box<dyn Iterator<Item = (f64, u64)> + 'a>;

/// Histograms of every reference column also present in `current`, in reference
/// column order. Columns whose kinds differ, or numeric columns without one finite
/// value, are left out (the drift monitors report those).
pub fn histograms(reference: &Window, current: &Window, bins: usize) -> Vec<FeatureHistogram> {
    frame_histograms(&reference.features, &current.features, bins)
}

/// [`histograms`] of two frames.
pub fn frame_histograms(reference: &Frame, current: &Frame, bins: usize) -> Vec<FeatureHistogram> {
    distribution_histograms(&distributions(reference), &distributions(current), bins)
}

fn distributions(f: &Frame) -> Vec<(String, Distribution<'_>)> {
    f.iter()
        .map(|(name, c)| (name.to_string(), Distribution::of_column(c)))
        .collect()
}

/// [`histograms`] of columns given as [`Distribution`]s by name (e.g. the summaries
/// `driftwatch drift` reads its tables into): the same bars as from the whole
/// frames, for exact distributions.
pub fn distribution_histograms(
    reference: &[(String, Distribution<'_>)],
    current: &[(String, Distribution<'_>)],
    bins: usize,
) -> Vec<FeatureHistogram> {
    let bins = bins.max(1);
    reference
        .iter()
        .filter_map(|(name, r)| {
            let (_, c) = current.iter().find(|(n, _)| n == name)?;
            let mut h = match (r, c) {
                (Distribution::Counts { .. }, Distribution::Counts { .. }) => {
                    categorical(name, r, c)
                }
                (Distribution::Counts { .. }, _) | (_, Distribution::Counts { .. }) => return None,
                _ => numeric(name, r, c, bins)?,
            };
            h.approximate = r.approximate() || c.approximate();
            Some(h)
        })
        .collect()
}

fn numeric(
    name: &str,
    r: &Distribution<'_>,
    c: &Distribution<'_>,
    bins: usize,
) -> Option<FeatureHistogram> {
    let (lo, hi) = [r, c]
        .iter()
        .filter_map(|d| d.numbers())
        .flat_map(|(items, _)| items)
        .filter(|(x, _)| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (x, _)| {
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
    // shares of the finite values; infinities are counted with the missing ones
    let shares = |d: &Distribution<'_>| {
        let mut counts = vec![0u64; bins];
        let mut other = 0u64;
        let (items, missing) = d.numbers()?;
        for (x, w) in items {
            if x.is_finite() {
                let b = (((x - lo) / width) as usize).min(bins - 1);
                counts[b] += w;
            } else {
                other += w;
            }
        }
        Some((to_shares(&counts), missing + other as usize))
    };
    let (reference, reference_missing) = shares(r)?;
    let (current, current_missing) = shares(c)?;
    Some(FeatureHistogram {
        column: name.to_string(),
        edges,
        levels: Vec::new(),
        reference,
        current,
        reference_missing,
        current_missing,
        approximate: false,
    })
}

fn categorical<'a>(name: &str, r: &Distribution<'a>, c: &Distribution<'a>) -> FeatureHistogram {
    let mut levels: Vec<String> = Vec::new();
    let mut index: BTreeMap<&'a str, usize> = BTreeMap::new();
    let mut count = |d: &Distribution<'a>, levels: &mut Vec<String>| {
        let Distribution::Counts { counts, missing } = d else {
            return (Vec::new(), 0);
        };
        let mut out: Vec<u64> = vec![0; levels.len()];
        for &(label, k) in counts {
            let i = *index.entry(label).or_insert_with(|| {
                levels.push(label.to_string());
                levels.len() - 1
            });
            if out.len() <= i {
                out.resize(i + 1, 0);
            }
            out[i] += k as u64;
        }
        (out, *missing)
    };
    let (mut rc, reference_missing) = count(r, &mut levels);
    let (mut cc, current_missing) = count(c, &mut levels);
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
        approximate: false,
    }
}

fn to_shares(counts: &[u64]) -> Vec<f64> {
    let n: u64 = counts.iter().sum();
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
    fn weighted_items_draw_the_bars_of_their_values_and_sketches_are_marked() {
        let values = [0.0, 1.0, 1.0, 3.0, f64::INFINITY];
        let exact = Distribution::Values {
            values: &values,
            missing: 2,
        };
        let weighted = Distribution::Weighted {
            items: vec![(1.0, 2), (f64::INFINITY, 1), (0.0, 1), (3.0, 1)],
            missing: 2,
            approximate: false,
        };
        fn one<'a>(d: &Distribution<'a>) -> Vec<(String, Distribution<'a>)> {
            vec![("x".to_string(), d.clone())]
        }
        let h = distribution_histograms(&one(&exact), &one(&exact), 3);
        assert_eq!(
            h,
            distribution_histograms(&one(&weighted), &one(&weighted), 3)
        );
        assert_eq!(h[0].edges, [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(h[0].reference, [0.25, 0.5, 0.25]);
        // the infinity is counted with the missing values, as from a frame
        assert_eq!((h[0].reference_missing, h[0].approximate), (3, false));
        let sketch = Distribution::Weighted {
            items: vec![(0.0, 2), (3.0, 2)],
            missing: 0,
            approximate: true,
        };
        let h = distribution_histograms(&one(&exact), &one(&sketch), 3);
        assert_eq!(
            (h[0].current.clone(), h[0].approximate),
            (vec![0.5, 0.0, 0.5], true)
        );
        // a numeric side and a counted one: no histogram
        let counts = Distribution::Counts {
            counts: vec![("a", 1)],
            missing: 0,
        };
        assert!(distribution_histograms(&one(&exact), &one(&counts), 3).is_empty());
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
