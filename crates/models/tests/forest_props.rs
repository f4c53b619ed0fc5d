//! Property tests of the forest engine (small data, fast in debug builds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_models::forest::{
    ForestParams, MaxFeatures, RandomForestClassifier, RandomForestRegressor,
};
use ndarray::Array2;
use proptest::prelude::*;

/// Rows with few distinct values per feature (ties and duplicates are common)
/// and class labels.
fn dataset() -> impl Strategy<Value = (Array2<f64>, Vec<usize>, usize)> {
    (8usize..48, 1usize..5, 2usize..4).prop_flat_map(|(n, nf, nc)| {
        (
            proptest::collection::vec(-4i32..5, n * nf),
            proptest::collection::vec(0..nc, n),
        )
            .prop_map(move |(v, y)| {
                let x = Array2::from_shape_vec(
                    (n, nf),
                    v.into_iter().map(|a| a as f64 * 0.5).collect(),
                )
                .unwrap();
                (x, y, nc)
            })
    })
}

fn permuted(x: &Array2<f64>, perm: &[usize]) -> Array2<f64> {
    x.select(ndarray::Axis(0), perm)
}

fn grid(nf: usize) -> Array2<f64> {
    // points on and between the training values
    Array2::from_shape_fn((40, nf), |(i, j)| ((i * (j + 3)) % 19) as f64 * 0.25 - 2.25)
}

fn no_bootstrap_all_features() -> ForestParams {
    ForestParams::classifier()
        .with_n_estimators(3)
        .with_bootstrap(false)
        .with_max_features(MaxFeatures::All)
        .with_seed(11)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn classifier_invariant_to_row_order(
        (x, y, nc) in dataset(),
        seed in any::<u64>(),
    ) {
        let n = y.len();
        let mut perm: Vec<usize> = (0..n).collect();
        // deterministic shuffle from the seed
        let mut s = seed | 1;
        for i in (1..n).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let xp = permuted(&x, &perm);
        let yp: Vec<usize> = perm.iter().map(|&i| y[i]).collect();
        let p = no_bootstrap_all_features();
        let a = RandomForestClassifier::fit(&p, x.view(), &y, nc).unwrap();
        let b = RandomForestClassifier::fit(&p, xp.view(), &yp, nc).unwrap();
        let g = grid(x.ncols());
        prop_assert_eq!(a.predict_proba(g.view()).unwrap(), b.predict_proba(g.view()).unwrap());
        prop_assert_eq!(a.predict_proba(x.view()).unwrap(), b.predict_proba(x.view()).unwrap());
        prop_assert_eq!(a.feature_importances(), b.feature_importances());
    }

    #[test]
    fn regressor_invariant_to_row_order(
        (x, y, _nc) in dataset(),
        seed in any::<u64>(),
    ) {
        // integer-valued targets keep every weighted sum exact
        let yr: Vec<f64> = y.iter().enumerate().map(|(i, &c)| (c * 3 + i % 2) as f64).collect();
        let n = yr.len();
        let perm: Vec<usize> = (0..n).map(|i| (i * 7 + seed as usize % n) % n).collect();
        prop_assume!({ let mut p = perm.clone(); p.sort_unstable(); p.dedup(); p.len() == n });
        let xp = permuted(&x, &perm);
        let yp: Vec<f64> = perm.iter().map(|&i| yr[i]).collect();
        let p = ForestParams::regressor().with_n_estimators(3).with_bootstrap(false).with_seed(5);
        let a = RandomForestRegressor::fit(&p, x.view(), &yr).unwrap();
        let b = RandomForestRegressor::fit(&p, xp.view(), &yp).unwrap();
        let g = grid(x.ncols());
        prop_assert_eq!(a.predict(g.view()).unwrap(), b.predict(g.view()).unwrap());
    }

    #[test]
    fn probabilities_and_importances_are_normalized(
        (x, y, nc) in dataset(),
        seed in any::<u64>(),
        extra in any::<bool>(),
    ) {
        let base = if extra { ForestParams::extra_trees_classifier() } else { ForestParams::classifier() };
        let p = base.with_n_estimators(7).with_seed(seed);
        let m = RandomForestClassifier::fit(&p, x.view(), &y, nc).unwrap();
        m.validate(x.ncols()).unwrap();
        let proba = m.predict_proba(grid(x.ncols()).view()).unwrap();
        for row in proba.rows() {
            prop_assert!((row.sum() - 1.0).abs() < 1e-9);
            prop_assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
        let imp = m.feature_importances();
        let s: f64 = imp.iter().sum();
        if m.trees().iter().all(|t| t.n_nodes() == 1) {
            prop_assert!(imp.iter().all(|&v| v == 0.0));
        } else {
            prop_assert!((s - 1.0).abs() < 1e-9, "importances {:?}", imp);
        }
        prop_assert!(imp.iter().all(|&v| v >= 0.0));
    }

    #[test]
    fn same_seed_same_model_for_one_and_two_threads(
        (x, y, nc) in dataset(),
        seed in any::<u64>(),
    ) {
        let p = ForestParams::classifier().with_n_estimators(6).with_seed(seed).with_oob_score(true);
        let fit_in = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| RandomForestClassifier::fit(&p, x.view(), &y, nc).unwrap())
        };
        let one = fit_in(1);
        let two = fit_in(2);
        prop_assert_eq!(&one, &two);
        let via_n_jobs = RandomForestClassifier::fit(&p.clone().with_n_jobs(Some(2)), x.view(), &y, nc).unwrap();
        prop_assert_eq!(one.trees(), via_n_jobs.trees());
        prop_assert_eq!(one.oob_score(), via_n_jobs.oob_score());
    }
}
