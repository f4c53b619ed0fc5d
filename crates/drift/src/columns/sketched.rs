//! The tests of a numeric column when one side (or both) is a [`QuantileSketch`]: the
//! column was too large for the memory limit. Everything is computed from the two
//! estimated CDFs, each within its stated bound of the exact one
//! ([`QuantileSketch::max_cdf_error`]); the row says `exact: false` and the
//! `max_cdf_error` (the sum of the two sides' bounds) whenever a bound is not 0.
//!
//! - `ks`: the statistic is the largest gap of the estimated CDFs, within
//!   `max_cdf_error` of the exact one; the p-value is the asymptotic one of that
//!   statistic minus the bound (scipy's `method="asymp"`): the least significant
//!   statistic the sketches allow, so their error never makes a drift verdict by
//!   itself (it can hide a drift smaller than the bound).
//! - `wasserstein`, `wasserstein-normed`, `energy`: the integrals of `|F - G|` and
//!   `(F - G)^2` over the estimated CDFs (Wasserstein within `max_cdf_error x (max -
//!   min)`); the std is exact (merged moments).
//! - `psi`: the reference's own edges and counts when the reference is exact (the
//!   current counts then err by at most the current bound per edge); the exact
//!   deciles and counts a selection read of a sketched reference table found
//!   ([`crate::select`], planned by [`crate::binpass`]); deciles of the reference
//!   sketch otherwise (exact when the sketch kept exact value counts).
//! - `jensenshannon`, `hellinger`, `kl`, `tvd`: Sturges edges from the exact pooled
//!   count, minimum and maximum; bin counts from the estimated CDFs, or exact: an
//!   exact reference's from its sample, and any side counted by a second pass over
//!   its table ([`crate::binpass`]). PSI's current counts likewise.
//! - `chi2`, `chi2-gof`, `z` and Evidently's few-integers rule need exact value counts,
//!   which a sketch keeps up to [`crate::sketch::EXACT_DISTINCT_MAX`] distinct values;
//!   beyond, the row says why no test ran.
//! - `cvm`, `anderson`, `mannwhitney` need the whole samples: not tested, with the
//!   reason.

use crate::Error;
use crate::binpass::{BinSide, ColumnBins};
use crate::columns::check::AUTO_CATEGORICAL_MAX_INTEGERS;
use crate::columns::{AppliedOptions, DriftOptions, Outcome, TestKind, auto_test};
use crate::ks::{Alternative, asymp_pvalue};
use crate::sketch::QuantileSketch;
use crate::stats::{PValueMethod, jensenshannon, psi, wasserstein};
use driftwatch_core::ColumnKind;

use super::NumericReference;
use super::numeric::{NumericCheck, is_binned, unseen_values};

/// Why the whole-sample tests cannot run on a sketch.
const NEEDS_SAMPLES: &str = "needs the whole samples, and this column was summarised by a quantile sketch to stay within the memory limit; raise memory_limit (--memory-limit) to test it";

/// Items (ascending value, weight) and the count of one side.
pub(crate) struct Side {
    items: Vec<(f64, u64)>,
    n: u64,
    /// Exact value counts (the items are then exact).
    exact_counts: bool,
    /// Values that are +/-infinity (exact: the sketch counts its finite values).
    infinite: u64,
    min: f64,
    max: f64,
    std: f64,
    cdf_error: f64,
}

impl Side {
    /// One side from its sketch.
    pub(crate) fn of(s: &QuantileSketch) -> Self {
        Side {
            items: s.weighted(),
            n: s.n,
            exact_counts: s.exact_counts.is_some(),
            infinite: s.n - s.finite,
            min: s.min,
            max: s.max,
            std: s.std(),
            cdf_error: s.max_cdf_error(),
        }
    }

    /// Non-missing values.
    pub(crate) fn n(&self) -> u64 {
        self.n
    }

    /// How many of its values are infinite.
    pub(crate) fn infinite(&self) -> u64 {
        self.infinite
    }

    /// Its one value when constant (min and max are exact).
    pub(crate) fn constant(&self) -> Option<f64> {
        (self.n > 0 && self.min == self.max).then_some(self.min)
    }

    /// The bound on the error of its estimated CDF (0 when exact).
    pub(crate) fn cdf_error(&self) -> f64 {
        self.cdf_error
    }

    /// How many values are strictly below (or at or below, `inclusive`) each of the
    /// ascending points `xs`.
    fn counts_below(&self, xs: &[f64], inclusive: bool) -> Vec<f64> {
        let mut out = Vec::with_capacity(xs.len());
        let (mut i, mut acc) = (0usize, 0u64);
        for &x in xs {
            while i < self.items.len()
                && (self.items[i].0 < x || (inclusive && self.items[i].0 <= x))
            {
                acc += self.items[i].1;
                i += 1;
            }
            out.push(acc as f64);
        }
        out
    }

    /// Counts in the bins cut by `inner` edges (a value on an edge goes right).
    fn bin_counts(&self, inner: &[f64]) -> Vec<f64> {
        let below = self.counts_below(inner, false);
        let mut out = Vec::with_capacity(inner.len() + 1);
        let mut prev = 0.0;
        for b in below {
            out.push(b - prev);
            prev = b;
        }
        out.push(self.n as f64 - prev);
        out
    }

    /// np.histogram counts on `edges` (the last bin closed on the right).
    fn histogram(&self, edges: &[f64]) -> Vec<f64> {
        let k = edges.len().saturating_sub(1);
        if k == 0 {
            return Vec::new();
        }
        let mut cuts = self.counts_below(&edges[..k], false);
        cuts.extend(self.counts_below(&edges[k..], true));
        cuts.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// PSI's decile edges of the estimated distribution, by numpy's linear quantile
    /// ([`psi::decile_edges_by`]): the exact edges, bit for bit, when the items are
    /// exact (no compaction, or exact value counts).
    pub(crate) fn deciles(&self) -> Vec<f64> {
        let n = usize::try_from(self.n).unwrap_or(usize::MAX);
        psi::decile_edges_by(n, |rank| {
            let mut acc = 0u64;
            for &(v, w) in &self.items {
                acc += w;
                if acc > rank as u64 {
                    return v;
                }
            }
            self.max
        })
    }
}

/// The gaps of the two estimated CDFs over the pooled points: (two-sided sup and
/// where, sup of F - G and where, sup of G - F and where, integral of |F - G|, of
/// (F - G)^2).
struct Gaps {
    plus: (f64, f64),
    minus: (f64, f64),
    l1: f64,
    l2: f64,
}

fn gaps(a: &Side, b: &Side) -> Gaps {
    let (na, nb) = (a.n.max(1) as f64, b.n.max(1) as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut ca, mut cb) = (0u64, 0u64);
    let mut g = Gaps {
        plus: (0.0, f64::NAN),
        minus: (0.0, f64::NAN),
        l1: 0.0,
        l2: 0.0,
    };
    let mut prev: Option<(f64, f64)> = None; // (x, F - G) after x
    while i < a.items.len() || j < b.items.len() {
        let x = match (a.items.get(i), b.items.get(j)) {
            (Some(p), Some(q)) => p.0.min(q.0),
            (Some(p), None) => p.0,
            (None, Some(q)) => q.0,
            (None, None) => break,
        };
        while i < a.items.len() && a.items[i].0 <= x {
            ca += a.items[i].1;
            i += 1;
        }
        while j < b.items.len() && b.items[j].0 <= x {
            cb += b.items[j].1;
            j += 1;
        }
        if let Some((px, d)) = prev {
            let dx = x - px;
            if d != 0.0 {
                g.l1 += d.abs() * dx;
                g.l2 += d * d * dx;
            }
        }
        let d = ca as f64 / na - cb as f64 / nb;
        if d > g.plus.0 {
            g.plus = (d, x);
        }
        if -d > g.minus.0 {
            g.minus = (-d, x);
        }
        prev = Some((x, d));
    }
    g
}

/// The test a sketched column runs: `requested`, `auto` resolved from the summaries
/// (after [`as_categories`]).
pub(crate) fn resolve(a: &Side, b: &Side, requested: TestKind) -> TestKind {
    match requested {
        TestKind::Auto => auto_test(
            ColumnKind::Numeric,
            a.n as usize,
            pooled_distinct_upto(a, b, 6),
        ),
        t => t,
    }
}

/// Whether Evidently's few-integers rule compares the column as categories under
/// `auto` (it needs both sides' exact value counts).
pub(crate) fn as_categories(a: &Side, b: &Side, requested: TestKind, numerical: bool) -> bool {
    requested == TestKind::Auto
        && !numerical
        && few_integers(a, AUTO_CATEGORICAL_MAX_INTEGERS)
        && a.exact_counts
        && b.exact_counts
}

/// The pooled Sturges edges of the two sides (exact: from the exact count, minimum and
/// maximum), or why there are none.
fn sturges(a: &Side, b: &Side) -> Result<Vec<f64>, String> {
    let (lo, hi) = (a.min.min(b.min), a.max.max(b.max));
    if lo.is_infinite() || hi.is_infinite() {
        return Err(format!(
            "its bins split the pooled range [{lo}, {hi}], and numpy's Sturges bins need a finite range"
        ));
    }
    Ok(jensenshannon::sturges_edges(lo, hi, (a.n + b.n) as usize))
}

/// The inner edges of `test` when the summaries fix them exactly (Sturges bins; PSI's
/// deciles of an exact `reference`), so that exactly counted bins make the test
/// exact; `None` for any other test or edges.
pub(crate) fn exact_edges(
    a: &Side,
    b: &Side,
    reference: Option<&NumericReference>,
    test: TestKind,
) -> Option<Vec<f64>> {
    match test {
        TestKind::Psi => {
            let edges = match reference {
                Some(n) => n.psi_edges.clone(),
                // a sketch with exact items (value counts, or no compaction)
                None if a.cdf_error == 0.0 => a.deciles(),
                None => return None,
            };
            (!edges.iter().any(|e| e.is_nan())).then_some(edges)
        }
        TestKind::Jensenshannon | TestKind::Hellinger | TestKind::Kl | TestKind::Tvd => {
            let edges = sturges(a, b).ok()?;
            Some(edges[1..edges.len() - 1].to_vec())
        }
        _ => None,
    }
}

/// A numeric column's check from two sides at least one of which is sketched;
/// `reference` gives PSI its exact edges (and any binned test its exact reference
/// counts) when the reference is exact, `bins` exactly counted bins. Returns the
/// check and the stated CDF error of what was estimated.
pub(crate) fn check(
    a: &Side,
    b: &Side,
    reference: Option<&NumericReference>,
    bins: Option<&ColumnBins>,
    requested: TestKind,
    o: &DriftOptions,
) -> (NumericCheck, f64) {
    let e = a.cdf_error + b.cdf_error;
    let test = resolve(a, b, requested);
    let fail = |outcome: Result<Outcome, Error>, effect: f64| NumericCheck {
        test,
        outcome,
        effect,
        unseen: Vec::new(),
    };
    if is_binned(test) {
        return binned(a, b, reference, bins, test, o);
    }
    let g = gaps(a, b);
    let w = g.l1;
    let effect = wasserstein::normed(w, a.std);
    let outcome = match test {
        TestKind::Wasserstein => defined(test, w),
        TestKind::WassersteinNormed => defined(test, effect),
        TestKind::Energy => defined(test, (2.0 * g.l2).sqrt()),
        TestKind::Ks => {
            let (d, loc, sign) = match o.alternative {
                Alternative::Greater => (g.plus.0, g.plus.1, 1i8),
                Alternative::Less => (g.minus.0, g.minus.1, -1i8),
                Alternative::TwoSided if g.plus.0 >= g.minus.0 => (g.plus.0, g.plus.1, 1i8),
                Alternative::TwoSided => (g.minus.0, g.minus.1, -1i8),
            };
            // the p-value of the least significant statistic the bound allows, so
            // that the sketches' error never makes a drift verdict by itself
            let p = asymp_pvalue(a.n, b.n, (d - e).max(0.0), o.alternative).clamp(0.0, 1.0);
            let applied = AppliedOptions {
                alternative: Some(o.alternative),
                method: Some(PValueMethod::Asymptotic),
                ..AppliedOptions::default()
            };
            let mut out = Outcome {
                location: (d > 0.0).then_some((loc, sign)),
                ..Outcome::tested(d, p, applied)
            };
            if e > 0.0 {
                out.notes.push(format!(
                    "the p-value is that of statistic - max_cdf_error ({:.3e}), the least significant statistic the sketches allow",
                    (d - e).max(0.0)
                ));
            }
            if matches!(o.method, Some(PValueMethod::Exact)) {
                out.notes.push(
                    "the exact p-value needs the whole samples; asymptotic used on the sketched column"
                        .into(),
                );
            }
            Ok(out)
        }
        TestKind::Cvm | TestKind::Anderson | TestKind::Mannwhitney => Err(Error::Inapplicable {
            test: test.as_str(),
            why: NEEDS_SAMPLES.into(),
        }),
        other => Err(Error::Inapplicable {
            test: other.as_str(),
            why: "is not an order-based test".into(),
        }),
    };
    (fail(outcome, effect), e)
}

fn defined(test: TestKind, d: f64) -> Result<Outcome, Error> {
    if d.is_nan() {
        Err(Error::Undefined {
            test: test.as_str(),
            why: "an infinite value makes the distance inf - inf or the std nan".into(),
        })
    } else {
        Ok(Outcome::distance(d))
    }
}

/// Distinct pooled values up to `cap` (exact when both sides kept value counts; a
/// side without them has more than a thousand).
fn pooled_distinct_upto(a: &Side, b: &Side, cap: usize) -> usize {
    if !(a.exact_counts && b.exact_counts) {
        return cap;
    }
    let mut all: Vec<f64> = a.items.iter().chain(&b.items).map(|x| x.0).collect();
    all.sort_by(f64::total_cmp);
    all.dedup_by(|x, y| x == y);
    all.len().min(cap)
}

/// Every distinct value of both sides with its counts (both sides exact).
pub(crate) fn value_counts(a: &Side, b: &Side) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    if !(a.exact_counts && b.exact_counts) {
        return None;
    }
    let (mut v, mut r, mut c) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < a.items.len() || j < b.items.len() {
        let x = match (a.items.get(i), b.items.get(j)) {
            (Some(p), Some(q)) => p.0.min(q.0),
            (Some(p), None) => p.0,
            (None, Some(q)) => q.0,
            (None, None) => break,
        };
        let (mut ra, mut cb) = (0u64, 0u64);
        while i < a.items.len() && a.items[i].0 == x {
            ra += a.items[i].1;
            i += 1;
        }
        while j < b.items.len() && b.items[j].0 == x {
            cb += b.items[j].1;
            j += 1;
        }
        v.push(x);
        r.push(ra as f64);
        c.push(cb as f64);
    }
    Some((v, r, c))
}

/// Whether the reference side is a few whole numbers (Evidently's categorical rule),
/// which needs its exact value counts.
pub(crate) fn few_integers(a: &Side, max: usize) -> bool {
    a.exact_counts
        && a.items.len() <= max
        && a.items
            .iter()
            .all(|x| x.0.is_finite() && x.0.fract() == 0.0)
}

/// A binned test: its check and the CDF error of the counts that were estimated
/// from a sketch (0 when every count is exact).
fn binned(
    a: &Side,
    b: &Side,
    reference: Option<&NumericReference>,
    bins: Option<&ColumnBins>,
    test: TestKind,
    o: &DriftOptions,
) -> (NumericCheck, f64) {
    let e = a.cdf_error + b.cdf_error;
    let undefined = |why: String| (NumericCheck::undefined(test, why), e);
    // the current counts: counted exactly when given on these edges
    let current = |inner: &[f64], estimate: &dyn Fn() -> Vec<f64>| match bins
        .and_then(|x| x.counts(BinSide::Current, inner))
    {
        Some(c) => (c.to_vec(), 0.0),
        None => (estimate(), b.cdf_error),
    };
    let mut unseen = Vec::new();
    let (r, c, e): (Vec<f64>, Vec<f64>, f64) = match test {
        TestKind::Psi => {
            let (edges, r, er) = match (reference, bins.and_then(ColumnBins::selected_deciles)) {
                (Some(n), _) => (n.psi_edges.clone(), n.psi_counts.clone(), 0.0),
                // exact deciles and counts from the selection read (`crate::select`)
                (None, Some((edges, r))) => (edges.to_vec(), r.to_vec(), 0.0),
                (None, None) => {
                    // deciles of the sketch: exact when its items are, else estimated
                    let edges = a.deciles();
                    let r = a.bin_counts(&edges);
                    (edges, r, a.cdf_error)
                }
            };
            if edges.iter().any(|e| e.is_nan()) {
                return undefined(
                    "a reference decile falls next to an infinite value, where np.quantile gives nan".into(),
                );
            }
            let (c, ec) = current(&edges, &|| b.bin_counts(&edges));
            (r, c, er + ec)
        }
        TestKind::Chi2 | TestKind::Chi2Gof | TestKind::Z => match value_counts(a, b) {
            Some((v, r, c)) => {
                unseen = unseen_values(&v, &r, &c);
                (r, c, e)
            }
            None => {
                let check = NumericCheck {
                    test,
                    outcome: Err(Error::Inapplicable {
                        test: test.as_str(),
                        why: format!(
                            "needs exact value counts, and this column has more than {} distinct values and was summarised by a quantile sketch to stay within the memory limit; raise memory_limit (--memory-limit) or use psi",
                            crate::sketch::EXACT_DISTINCT_MAX
                        ),
                    }),
                    effect: f64::NAN,
                    unseen,
                };
                return (check, e);
            }
        },
        _ => {
            let edges = match sturges(a, b) {
                Ok(edges) => edges,
                Err(why) => return undefined(why),
            };
            let inner = &edges[1..edges.len() - 1];
            let (r, er) = match (
                bins.and_then(|x| x.counts(BinSide::Reference, inner)),
                reference,
            ) {
                (Some(r), _) => (r.to_vec(), 0.0),
                (None, Some(n)) => (
                    jensenshannon::histogram_sorted(n.sorted.sorted_values(), &edges),
                    0.0,
                ),
                (None, None) => (a.histogram(&edges), a.cdf_error),
            };
            let (c, ec) = current(inner, &|| b.histogram(&edges));
            (r, c, er + ec)
        }
    };
    (NumericCheck::from_counts(test, &r, &c, unseen, o), e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::numeric;
    use crate::sketch::QuantileSketch;

    fn sketch(values: &[f64], cap: usize) -> QuantileSketch {
        let mut s = QuantileSketch::new(cap);
        s.extend(values);
        s
    }

    fn series(n: usize, shift: f64, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (s >> 11) as f64 / (1u64 << 53) as f64 + shift
            })
            .collect()
    }

    /// Unsketched sides (no compaction) give the exact statistics of the sorted path.
    #[test]
    fn without_compaction_the_statistics_are_exact() {
        let (r, c) = (series(3000, 0.0, 1), series(2000, 0.05, 2));
        let reference = NumericReference::new(r.clone()).unwrap();
        let (a, b) = (
            Side::of(&sketch(&r, 1 << 20)),
            Side::of(&sketch(&c, 1 << 20)),
        );
        let o = DriftOptions::default();
        for test in [
            TestKind::Ks,
            TestKind::Wasserstein,
            TestKind::Energy,
            TestKind::Psi,
            TestKind::Jensenshannon,
            TestKind::Hellinger,
        ] {
            let (got, e) = check(&a, &b, Some(&reference), None, test, &o);
            assert_eq!(e, 0.0);
            let want = numeric::check(&reference, &c, 0, test, &o);
            let (g, w) = (got.outcome.unwrap(), want.outcome.unwrap());
            assert!(
                (g.statistic - w.statistic).abs() <= 1e-12 * w.statistic.abs().max(1e-300),
                "{test:?}: {} vs {}",
                g.statistic,
                w.statistic
            );
            if test == TestKind::Ks {
                assert_eq!(g.location.map(|l| l.1), w.location.map(|l| l.1));
            }
        }
    }

    /// Sketched sides: the KS statistic is within the stated bound of the exact one.
    #[test]
    fn sketched_ks_is_within_the_bound() {
        let (r, c) = (series(50_000, 0.0, 3), series(40_000, 0.02, 4));
        let reference = NumericReference::new(r.clone()).unwrap();
        let (a, b) = (Side::of(&sketch(&r, 256)), Side::of(&sketch(&c, 256)));
        let o = DriftOptions::default();
        let (got, e) = check(&a, &b, None, None, TestKind::Ks, &o);
        assert!(e > 0.0 && e < 0.1, "{e}");
        let want = numeric::check(&reference, &c, 0, TestKind::Ks, &o)
            .outcome
            .unwrap()
            .statistic;
        let d = got.outcome.unwrap().statistic;
        assert!((d - want).abs() <= e, "{d} vs {want}, bound {e}");
        let (cvm, _) = check(&a, &b, None, None, TestKind::Cvm, &o);
        let Err(e) = cvm.outcome else {
            panic!("cvm on sketches must not run")
        };
        assert!(e.to_string().contains("memory_limit"), "{e}");
    }
}
