//! The test of one numeric column against its fitted reference.
//!
//! Binned tests (PSI, Jensen-Shannon, Hellinger, KL, TVD on fixed edges; the two
//! chi-squares and z on the column's values) never sort the current values: they are binned
//! against edges fixed by the reference (and, for the Sturges bins, the pooled
//! range) in one pass, and the reference side is read from its sorted sample by
//! binary search, so the check costs O(current). Their effect size is the total
//! variation distance of the bin shares. Order-based tests (KS, Wasserstein, energy,
//! Cramér-von Mises, Anderson-Darling, Mann-Whitney) sort the current values once
//! and report the normed Wasserstein distance as effect; the two Wasserstein tests on
//! long columns without missing values need no sort of the current values at all
//! (value cells, `stats/wasserstein_cells.rs`).
//!
//! Infinite values are values, as in scipy: rank and ECDF tests treat them as the
//! extremes; Wasserstein and energy distances become infinite (an infinity on one
//! side) or undefined (the same infinity twice in the pooled sample: scipy's
//! `inf - inf`); the Sturges-binned tests need a finite pooled range (numpy refuses an
//! infinite one) and PSI finite reference deciles (numpy's quantile gives nan next to
//! an infinity). Undefined answers are reported as such, never as numbers.

use crate::Error;
use crate::columns::{
    AppliedOptions, DriftOptions, Outcome, TestKind, auto_test, categorical_test,
};
use crate::ks::KsMethod;
use crate::stats::{
    PValueMethod, anderson, cvm, divergence, energy, for_each_group, jensenshannon, mannwhitney,
    psi, sort_f64, wasserstein, with_sorted_non_missing,
};
use driftwatch_core::ColumnKind;

use super::NumericReference;

/// Above this many distinct reference values, chi-square and z on a numeric column
/// count the values on the sorted samples instead of looking each current value up.
const LOOKUP_MAX_DISTINCT: usize = 4096;

/// What a numeric check found.
pub(crate) struct NumericCheck {
    /// The test that ran (after resolving `auto`).
    pub test: TestKind,
    /// Its result, or why it could not run.
    pub outcome: Result<Outcome, Error>,
    /// The effect size (NaN when undefined).
    pub effect: f64,
    /// Values of the current data the reference lacks (tests on value counts), with
    /// counts.
    pub unseen: Vec<(String, usize)>,
}

/// Whether a test works on bins (counts) rather than on the sorted samples.
pub(crate) const fn is_binned(test: TestKind) -> bool {
    matches!(
        test,
        TestKind::Psi
            | TestKind::Jensenshannon
            | TestKind::Hellinger
            | TestKind::Kl
            | TestKind::Tvd
            | TestKind::Chi2
            | TestKind::Chi2Gof
            | TestKind::Z
    )
}

/// Tests `values` (the current column, NaN = missing, `missing` of them) against
/// the reference with `requested` (`auto` resolved by Evidently's rules) and the
/// options of `o` that the test takes.
pub(crate) fn check(
    reference: &NumericReference,
    values: &[f64],
    missing: usize,
    requested: TestKind,
    o: &DriftOptions,
) -> NumericCheck {
    let rs = reference.sorted.sorted_values();
    let test = match requested {
        TestKind::Auto => auto_test(
            ColumnKind::Numeric,
            rs.len(),
            pooled_distinct_upto(reference, values, 6),
        ),
        t => t,
    };
    if is_binned(test) {
        return binned(reference, values, missing, test, o);
    }
    if matches!(test, TestKind::Wasserstein | TestKind::WassersteinNormed)
        && let Some(w) = wasserstein::wasserstein_unsorted(rs, values, true)
    {
        // long columns without missing values: value cells, no sort of the current
        return distance_check(reference, test, w);
    }
    with_sorted_non_missing(values, |cur| order_based(reference, cur, test, o))
}

/// The Wasserstein tests from the raw distance `w`: the statistic and the effect
/// (the normed distance) need nothing else.
fn distance_check(reference: &NumericReference, test: TestKind, w: f64) -> NumericCheck {
    let effect = wasserstein::normed(w, reference.std);
    let outcome = if test == TestKind::Wasserstein {
        defined(test, w, INF_TWICE)
    } else {
        defined(test, effect, NORMED_UNDEFINED)
    };
    NumericCheck {
        test,
        outcome,
        effect,
        unseen: Vec::new(),
    }
}

/// Why the normed Wasserstein distance is nan.
const NORMED_UNDEFINED: &str = "an infinite value makes the reference std nan, or the same infinity occurs twice in the pooled samples (inf - inf)";

/// The KS method of the option (scipy's `auto` when unset).
fn ks_method(m: Option<PValueMethod>) -> KsMethod {
    match m {
        None | Some(PValueMethod::Auto) => KsMethod::Auto,
        Some(PValueMethod::Exact) => KsMethod::Exact,
        Some(PValueMethod::Asymptotic) => KsMethod::Asymp,
    }
}

/// A distance that scipy gives as nan is an error that says why.
fn defined(test: TestKind, d: f64, why: &str) -> Result<Outcome, Error> {
    if d.is_nan() {
        Err(Error::Undefined {
            test: test.as_str(),
            why: why.into(),
        })
    } else {
        Ok(Outcome::distance(d))
    }
}

/// Why a distance over the pooled ECDFs is nan: an infinity twice in the pooled
/// sample makes scipy's `np.diff` of the pooled values `inf - inf`.
const INF_TWICE: &str = "the same infinite value occurs twice in the pooled samples, so an interval between them is inf - inf";

/// The order-based tests on the sorted non-missing current values.
fn order_based(
    reference: &NumericReference,
    cur: &[f64],
    test: TestKind,
    o: &DriftOptions,
) -> NumericCheck {
    let rs = reference.sorted.sorted_values();
    let w = wasserstein::wasserstein_sorted(rs, cur);
    if matches!(test, TestKind::Wasserstein | TestKind::WassersteinNormed) {
        return distance_check(reference, test, w);
    }
    let effect = wasserstein::normed(w, reference.std);
    let outcome = match test {
        TestKind::Ks => reference
            .sorted
            .test_presorted(cur, o.alternative, ks_method(o.method))
            .map(|k| {
                let method = if k.method == KsMethod::Exact {
                    PValueMethod::Exact
                } else {
                    PValueMethod::Asymptotic
                };
                let applied = AppliedOptions {
                    alternative: Some(o.alternative),
                    method: Some(method),
                    ..AppliedOptions::default()
                };
                Outcome {
                    location: Some((k.statistic_location, k.statistic_sign)),
                    ..Outcome::tested(k.statistic, k.p_value, applied)
                }
            }),
        TestKind::Energy => defined(test, energy::energy_sorted(rs, cur), INF_TWICE),
        TestKind::Cvm => {
            cvm::cramervonmises_sorted(rs, cur, o.method.unwrap_or(PValueMethod::Asymptotic))
                .map(|t| {
                    let applied = AppliedOptions {
                        method: Some(t.method),
                        ..AppliedOptions::default()
                    };
                    Outcome::tested(t.statistic, t.p_value, applied)
                })
        }
        TestKind::Anderson => anderson::anderson_sorted(rs, cur, o.variant)
            .map(|a| Outcome {
                applied: AppliedOptions {
                    variant: Some(o.variant),
                    ..AppliedOptions::default()
                },
                ..Outcome::distance(a)
            }),
        TestKind::Mannwhitney => mannwhitney::mannwhitney_sorted(
            rs,
            cur,
            o.alternative,
            o.method.unwrap_or(PValueMethod::Asymptotic),
        )
        .map(|t| {
            let applied = AppliedOptions {
                alternative: Some(o.alternative),
                method: Some(t.method),
                ..AppliedOptions::default()
            };
            let mut out = Outcome::tested(t.statistic, t.p_value, applied);
            if o.method == Some(PValueMethod::Auto) && t.method == PValueMethod::Asymptotic {
                let small = rs.len().min(cur.len());
                if small <= 8 && !has_ties(rs, cur) {
                    out.notes.push(
                        "method auto: the exact distribution is beyond its work limit, asymptotic used"
                            .into(),
                    );
                }
            }
            out
        }),
        other => Err(Error::Inapplicable {
            test: other.as_str(),
            why: "is not an order-based test".into(),
        }),
    };
    NumericCheck {
        test,
        outcome,
        effect,
        unseen: Vec::new(),
    }
}

/// Whether a value repeats in the pooled sorted samples.
fn has_ties(a: &[f64], b: &[f64]) -> bool {
    let mut tie = false;
    for_each_group(a, b, |_, x, y| tie |= x + y > 1);
    tie
}

/// The binned tests, in one pass over the current values.
fn binned(
    reference: &NumericReference,
    values: &[f64],
    missing: usize,
    test: TestKind,
    o: &DriftOptions,
) -> NumericCheck {
    let rs = reference.sorted.sorted_values();
    let undefined = |why: String| NumericCheck::undefined(test, why);
    let mut unseen = Vec::new();
    let (r, c): (Vec<f64>, Vec<f64>) = match test {
        TestKind::Psi => {
            if reference.psi_edges.iter().any(|e| e.is_nan()) {
                return undefined(
                    "a reference decile falls next to an infinite value, where np.quantile gives nan".into(),
                );
            }
            (
                reference.psi_counts.clone(),
                counts_without_missing(values, &reference.psi_edges, missing),
            )
        }
        TestKind::Chi2 | TestKind::Chi2Gof | TestKind::Z => {
            let (v, r, c) = value_counts(reference, values);
            unseen = unseen_values(&v, &r, &c);
            (r, c)
        }
        _ => {
            // Sturges bins over the pooled range: one pass for the current range.
            let (lo, hi) = values
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            let (lo, hi) = (lo.min(rs[0]), hi.max(rs[rs.len() - 1]));
            if lo.is_infinite() || hi.is_infinite() {
                return undefined(format!(
                    "its bins split the pooled range [{lo}, {hi}], and numpy's Sturges bins need a finite range"
                ));
            }
            let n_cur = values.len() - missing;
            let edges = jensenshannon::sturges_edges(lo, hi, rs.len() + n_cur);
            let inner = &edges[1..edges.len() - 1];
            (
                jensenshannon::histogram_sorted(rs, &edges),
                counts_without_missing(values, inner, missing),
            )
        }
    };
    NumericCheck::from_counts(test, &r, &c, unseen, o)
}

impl NumericCheck {
    /// A test these data leave undefined (why says which value makes it so).
    pub(crate) fn undefined(test: TestKind, why: String) -> Self {
        NumericCheck {
            test,
            outcome: Err(Error::Undefined {
                test: test.as_str(),
                why,
            }),
            effect: f64::NAN,
            unseen: Vec::new(),
        }
    }

    /// A binned test from the reference and current counts `r` and `c` in the same
    /// bins: one verdict for exact and sketched columns.
    pub(crate) fn from_counts(
        test: TestKind,
        r: &[f64],
        c: &[f64],
        unseen: Vec<(String, usize)>,
        o: &DriftOptions,
    ) -> Self {
        let outcome = if test == TestKind::Z && r.len() > 2 {
            Err(Error::Inapplicable {
                test: "z",
                why: format!(
                    "needs at most two distinct values, found {}; use chi2",
                    r.len()
                ),
            })
        } else if test == TestKind::Psi {
            Ok(Outcome::distance(psi::psi_from_counts(r, c)))
        } else {
            categorical_test(test, r, c, o)
        };
        NumericCheck {
            test,
            outcome,
            effect: divergence::total_variation(r, c),
            unseen,
        }
    }
}

/// The values `v` counted in the current data (`c`) but not in the reference (`r`),
/// with their current counts.
pub(crate) fn unseen_values(v: &[f64], r: &[f64], c: &[f64]) -> Vec<(String, usize)> {
    v.iter()
        .zip(r.iter().zip(c))
        .filter(|(_, (a, b))| **a == 0.0 && **b > 0.0)
        .map(|(x, (_, b))| (x.to_string(), *b as usize))
        .collect()
}

/// Counts of the non-missing `values` in the bins cut by `inner_edges` (a NaN
/// counts in the first bin of [`psi::bin_counts`]: the `missing` ones are taken
/// out again).
fn counts_without_missing(values: &[f64], inner_edges: &[f64], missing: usize) -> Vec<f64> {
    let mut counts = psi::bin_counts(values, inner_edges);
    if let Some(first) = counts.first_mut() {
        *first -= missing as f64;
    }
    counts
}

/// Distinct values of the reference and the current values together, counted up to
/// `cap` (the automatic choice only asks whether there are more than 5): free when
/// the reference alone has that many, else one pass with early exit.
fn pooled_distinct_upto(reference: &NumericReference, values: &[f64], cap: usize) -> usize {
    if reference.distinct >= cap {
        return cap;
    }
    let mut seen = distinct_values(reference.sorted.sorted_values());
    for &v in values {
        if !v.is_nan() && !seen.contains(&v) {
            seen.push(v);
            if seen.len() >= cap {
                return cap;
            }
        }
    }
    seen.len()
}

/// The distinct values of a sorted sample with their counts (`==` groups, so -0.0
/// and 0.0 are one value), by jumping over runs: O(distinct x log n).
fn distinct_with_counts(sorted: &[f64]) -> Vec<(f64, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let v = sorted[start];
        let end = start + sorted[start..].partition_point(|&x| x <= v);
        out.push((v, end - start));
        start = end;
    }
    out
}

/// The distinct values of a sorted sample.
fn distinct_values(sorted: &[f64]) -> Vec<f64> {
    distinct_with_counts(sorted)
        .into_iter()
        .map(|(v, _)| v)
        .collect()
}

/// Every distinct value of both samples (ascending) with its counts in the reference
/// and in the current values: each current value is looked up among the reference's
/// distinct values; values the reference lacks are grouped apart. A reference with
/// very many distinct values (chi-square forced on a continuous column) is counted
/// on the sorted samples instead.
pub(crate) fn value_counts(
    reference: &NumericReference,
    values: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let rs = reference.sorted.sorted_values();
    let (mut v, mut r, mut c) = (Vec::new(), Vec::new(), Vec::new());
    if reference.distinct > LOOKUP_MAX_DISTINCT {
        let mut cur: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        sort_f64(&mut cur);
        for_each_group(rs, &cur, |x, a, b| {
            v.push(x);
            r.push(a as f64);
            c.push(b as f64);
        });
        return (v, r, c);
    }
    let known = distinct_with_counts(rs);
    let mut counts = vec![0usize; known.len()];
    let mut unseen: Vec<f64> = Vec::new();
    for &v in values.iter().filter(|v| !v.is_nan()) {
        let k = known.partition_point(|&(x, _)| x < v);
        match known.get(k) {
            Some(&(x, _)) if x == v => counts[k] += 1,
            _ => unseen.push(v),
        }
    }
    sort_f64(&mut unseen);
    let extra = distinct_with_counts(&unseen);
    // merge the two ascending lists of values
    let (mut i, mut j) = (0, 0);
    while i < known.len() || j < extra.len() {
        let take_known = match (known.get(i), extra.get(j)) {
            (Some(a), Some(b)) => a.0 < b.0,
            (Some(_), None) => true,
            _ => false,
        };
        if take_known {
            v.push(known[i].0);
            r.push(known[i].1 as f64);
            c.push(counts[i] as f64);
            i += 1;
        } else {
            v.push(extra[j].0);
            r.push(0.0);
            c.push(extra[j].1 as f64);
            j += 1;
        }
    }
    (v, r, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(values: &[f64]) -> NumericReference {
        NumericReference::new(values.to_vec()).unwrap()
    }

    /// The counts of every pooled distinct value on the sorted samples (the
    /// definition).
    fn by_groups(r: &[f64], c: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut c: Vec<f64> = c.iter().copied().filter(|v| !v.is_nan()).collect();
        sort_f64(&mut c);
        let (mut v, mut a, mut b) = (Vec::new(), Vec::new(), Vec::new());
        let mut rs = r.to_vec();
        sort_f64(&mut rs);
        for_each_group(&rs, &c, |value, x, y| {
            v.push(value);
            a.push(x as f64);
            b.push(y as f64);
        });
        (v, a, b)
    }

    #[test]
    fn long_columns_take_the_cells_with_the_sorted_answers() {
        // long enough for the value cells; with a missing value the sort path runs
        let mut seed = 11u64;
        let mut draw = |shift: f64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64 + shift
        };
        let r: Vec<f64> = (0..40_000).map(|_| draw(0.0)).collect();
        let c: Vec<f64> = (0..40_000).map(|_| draw(0.1)).collect();
        let fitted = reference(&r);
        let rs = fitted.sorted.sorted_values();
        assert!(wasserstein::wasserstein_unsorted(rs, &c, true).is_some());
        let mut with_missing = c.clone();
        with_missing.push(f64::NAN);
        let o = DriftOptions::default();
        for test in [TestKind::Wasserstein, TestKind::WassersteinNormed] {
            let cells = check(&fitted, &c, 0, test, &o);
            let sorted = check(&fitted, &with_missing, 1, test, &o);
            let (a, b) = (
                cells.outcome.unwrap().statistic,
                sorted.outcome.unwrap().statistic,
            );
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{test:?}: {a} vs {b}");
            assert!((cells.effect - sorted.effect).abs() <= 1e-12 * sorted.effect);
            assert!(cells.effect > 0.0);
        }
    }

    #[test]
    fn value_counts_equal_the_sorted_walk() {
        let r = [3.0, 1.0, 1.0, -0.0, 2.0, 3.0, 3.0];
        let c = [1.0, 0.0, 5.0, f64::NAN, 3.0, -1.0, 5.0, 2.0];
        assert_eq!(value_counts(&reference(&r), &c), by_groups(&r, &c));
        assert_eq!(pooled_distinct_upto(&reference(&r), &c, 6), 6);
        assert_eq!(pooled_distinct_upto(&reference(&r), &c[..2], 6), 4);
        assert_eq!(pooled_distinct_upto(&reference(&r), &[f64::NAN], 6), 4);
    }

    #[test]
    fn sturges_bins_in_one_pass_equal_the_sorted_histograms() {
        // N > 1000, few distinct values: auto runs Jensen-Shannon on pooled bins
        let r: Vec<f64> = (0..3000).map(|i| f64::from(i % 4)).collect();
        let mut c: Vec<f64> = (0..2000).map(|i| f64::from(i % 3) + 1.0).collect();
        c[7] = f64::NAN;
        let fitted = reference(&r);
        let got = check(&fitted, &c, 1, TestKind::Auto, &DriftOptions::default());
        assert_eq!(got.test, TestKind::Jensenshannon);
        let mut cs: Vec<f64> = c.iter().copied().filter(|v| !v.is_nan()).collect();
        sort_f64(&mut cs);
        let want = jensenshannon::jensenshannon_sorted(fitted.sorted.sorted_values(), &cs);
        let stat = got.outcome.unwrap().statistic;
        assert!((stat - want).abs() < 1e-15, "{stat} vs {want}");
        // PSI in one pass equals PSI on the sorted values
        let got = check(&fitted, &c, 1, TestKind::Psi, &DriftOptions::default());
        let want = psi::psi_from_counts(
            &fitted.psi_counts,
            &psi::bin_counts_sorted(&cs, &fitted.psi_edges),
        );
        assert_eq!(got.outcome.unwrap().statistic, want);
        assert!(got.effect > 0.0 && got.effect <= 1.0);
    }
}
