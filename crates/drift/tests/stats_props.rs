//! Properties of every statistic: identity (distance(x, x) = 0, p = 1 where defined),
//! symmetry where the statistic is symmetric, ranges (p in [0, 1], bounded distances),
//! and that the sorted fast paths agree with the plain entry points.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_drift::columns::{Correction, adjust_p_values};
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::stats::anderson::AndersonVariant;
use driftwatch_drift::stats::{
    PValueMethod, anderson, cvm, divergence, energy, jensenshannon, mannwhitney, proportions, psi,
    wasserstein,
};
use proptest::prelude::*;

fn sample() -> impl Strategy<Value = Vec<f64>> {
    // rounded values so that ties occur
    prop::collection::vec((-1000i32..1000).prop_map(|v| f64::from(v) / 10.0), 2..60)
}

fn weights() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (1usize..8).prop_flat_map(|k| {
        (
            prop::collection::vec(0u32..50, k),
            prop::collection::vec(0u32..50, k),
        )
            .prop_map(|(a, b)| {
                let mut a: Vec<f64> = a.into_iter().map(f64::from).collect();
                let mut b: Vec<f64> = b.into_iter().map(f64::from).collect();
                a[0] += 1.0;
                b[0] += 1.0;
                (a, b)
            })
    })
}

proptest! {
    #[test]
    fn distances_are_zero_on_identical_samples(x in sample()) {
        prop_assert_eq!(wasserstein::wasserstein_distance(&x, &x).unwrap(), 0.0);
        prop_assert_eq!(energy::energy_distance(&x, &x).unwrap(), 0.0);
        prop_assert!(psi::psi(&x, &x).unwrap().abs() < 1e-12);
        prop_assert!(jensenshannon::jensenshannon_numeric(&x, &x).unwrap() < 1e-7);
        let m = mannwhitney::mannwhitneyu(&x, &x, Alternative::TwoSided, PValueMethod::Asymptotic).unwrap();
        prop_assert!((m.p_value - 1.0).abs() < 1e-12);
        let c = cvm::cramervonmises_2samp(&x, &x, PValueMethod::Asymptotic).unwrap();
        prop_assert!((0.0..=1.0).contains(&c.p_value));
        prop_assert!(c.p_value > 0.9);
    }

    #[test]
    fn symmetric_statistics_are_symmetric(x in sample(), y in sample()) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12);
        let w = (wasserstein::wasserstein_distance(&x, &y).unwrap(), wasserstein::wasserstein_distance(&y, &x).unwrap());
        prop_assert!(close(w.0, w.1), "{:?}", w);
        let e = (energy::energy_distance(&x, &y).unwrap(), energy::energy_distance(&y, &x).unwrap());
        prop_assert!(close(e.0, e.1), "{:?}", e);
        let c = (cvm::cramervonmises_2samp(&x, &y, PValueMethod::Asymptotic).unwrap(), cvm::cramervonmises_2samp(&y, &x, PValueMethod::Asymptotic).unwrap());
        prop_assert!(close(c.0.statistic, c.1.statistic) && close(c.0.p_value, c.1.p_value));
        let m = (mannwhitney::mannwhitneyu(&x, &y, Alternative::TwoSided, PValueMethod::Asymptotic).unwrap(), mannwhitney::mannwhitneyu(&y, &x, Alternative::TwoSided, PValueMethod::Asymptotic).unwrap());
        prop_assert!(close(m.0.p_value, m.1.p_value));
        // U(x) + U(y) = n m
        prop_assert!(close(m.0.statistic + m.1.statistic, (x.len() * y.len()) as f64));
        if let (Ok(a), Ok(b)) = (anderson::anderson_ksamp(&x, &y, AndersonVariant::Midrank), anderson::anderson_ksamp(&y, &x, AndersonVariant::Midrank)) {
            prop_assert!(close(a, b), "{} {}", a, b);
        }
        let j = (jensenshannon::jensenshannon_numeric(&x, &y).unwrap(), jensenshannon::jensenshannon_numeric(&y, &x).unwrap());
        prop_assert!(close(j.0, j.1));
    }

    #[test]
    fn ranges_hold(x in sample(), y in sample()) {
        for p in [
            cvm::cramervonmises_2samp(&x, &y, PValueMethod::Asymptotic).unwrap().p_value,
            mannwhitney::mannwhitneyu(&x, &y, Alternative::TwoSided, PValueMethod::Asymptotic).unwrap().p_value,
        ] {
            prop_assert!((0.0..=1.0).contains(&p), "{}", p);
        }
        prop_assert!(wasserstein::wasserstein_distance(&x, &y).unwrap() >= 0.0);
        prop_assert!(psi::psi(&x, &y).unwrap() >= 0.0);
        let j = jensenshannon::jensenshannon_numeric(&x, &y).unwrap();
        prop_assert!((0.0..=2f64.ln().sqrt() + 1e-12).contains(&j));
        // energy distance is at most sqrt(2 * Wasserstein-1 * range) (|F-G| <= 1)
        let lo = x.iter().chain(&y).copied().fold(f64::INFINITY, f64::min);
        let hi = x.iter().chain(&y).copied().fold(f64::NEG_INFINITY, f64::max);
        let e = energy::energy_distance(&x, &y).unwrap();
        prop_assert!(e <= (2.0 * (hi - lo)).sqrt() + 1e-9);
    }

    #[test]
    fn binned_distances_are_bounded_and_symmetric((p, q) in weights()) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
        for (a, b) in [
            (divergence::hellinger(&p, &q), divergence::hellinger(&q, &p)),
            (divergence::total_variation(&p, &q), divergence::total_variation(&q, &p)),
            (jensenshannon::jensenshannon(&p, &q), jensenshannon::jensenshannon(&q, &p)),
        ] {
            prop_assert!(close(a, b));
            prop_assert!((0.0..=1.0 + 1e-12).contains(&a));
        }
        prop_assert!(divergence::kl_divergence(&p, &q) >= 0.0);
        prop_assert!(divergence::hellinger(&p, &p) < 1e-7);
        prop_assert!(divergence::kl_divergence(&p, &p) < 1e-12);
        prop_assert_eq!(divergence::total_variation(&p, &p), 0.0);
        let z = proportions::z_test(p[0], p.iter().sum(), q[0], q.iter().sum()).unwrap();
        prop_assert!((0.0..=1.0).contains(&z.p_value));
    }

    /// The exact Mann-Whitney p-values are probabilities of a symmetric distribution:
    /// swapping the samples swaps less and greater, the two-sided p is twice the
    /// smaller one-sided p (capped at 1), and less + greater exceeds 1 by the mass at U.
    #[test]
    fn exact_mann_whitney_is_a_symmetric_distribution(
        x in prop::collection::vec(-50i32..50, 1..9),
        y in prop::collection::vec(-50i32..50, 1..12),
    ) {
        let x: Vec<f64> = x.into_iter().map(|v| f64::from(v) + 0.25).collect();
        let y: Vec<f64> = y.into_iter().map(f64::from).collect();
        let run = |a: &[f64], b: &[f64], alt| {
            mannwhitney::mannwhitneyu(a, b, alt, PValueMethod::Exact).unwrap().p_value
        };
        let (less, greater) = (run(&x, &y, Alternative::Less), run(&x, &y, Alternative::Greater));
        prop_assert!((less - run(&y, &x, Alternative::Greater)).abs() < 1e-12);
        let two = run(&x, &y, Alternative::TwoSided);
        prop_assert!((two - (2.0 * less.min(greater)).min(1.0)).abs() < 1e-12, "{} {} {}", two, less, greater);
        prop_assert!(less + greater >= 1.0 - 1e-12);
    }

    /// Cramér-von Mises exact p-values are shares of interleavings: in [0, 1],
    /// symmetric in the samples, 1 at the smallest attainable statistic.
    #[test]
    fn exact_cvm_is_a_probability(x in prop::collection::vec(-20i32..20, 2..8), y in prop::collection::vec(-20i32..20, 2..8)) {
        let x: Vec<f64> = x.into_iter().map(f64::from).collect();
        let y: Vec<f64> = y.into_iter().map(|v| f64::from(v) + 0.5).collect();
        let a = cvm::cramervonmises_2samp(&x, &y, PValueMethod::Exact).unwrap();
        let b = cvm::cramervonmises_2samp(&y, &x, PValueMethod::Exact).unwrap();
        prop_assert!((0.0..=1.0).contains(&a.p_value));
        prop_assert!((a.p_value - b.p_value).abs() < 1e-12);
    }

    /// Every Anderson-Darling variant is symmetric in the two samples.
    #[test]
    fn anderson_variants_are_symmetric(x in sample(), y in sample()) {
        for v in [AndersonVariant::Midrank, AndersonVariant::Right, AndersonVariant::Continuous] {
            if let (Ok(a), Ok(b)) = (anderson::anderson_ksamp(&x, &y, v), anderson::anderson_ksamp(&y, &x, v)) {
                prop_assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{}: {} {}", v, a, b);
            }
        }
    }

    #[test]
    fn corrections_only_raise_p_and_keep_order(p in prop::collection::vec(0.0f64..1.0, 1..20)) {
        for c in [Correction::Bonferroni, Correction::Holm, Correction::Bh] {
            let a = adjust_p_values(&p, c);
            for (raw, adj) in p.iter().zip(&a) {
                prop_assert!(adj >= raw && *adj <= 1.0);
            }
            for i in 0..p.len() {
                for j in 0..p.len() {
                    if p[i] < p[j] {
                        prop_assert!(a[i] <= a[j]);
                    }
                }
            }
        }
    }
}
