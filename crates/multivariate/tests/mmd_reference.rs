//! `mmd` against alibi-detect's formulas restated in numpy
//! (`fixtures/golden/scripts/mmd_reference.py`), and the permutation p-value's
//! properties.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use driftwatch_core::{Column, Frame};
use driftwatch_multivariate::kernel::{
    kernel_matrix, mmd2_from_kernel, permutation_test, sigma_median,
};
use driftwatch_multivariate::{MmdConfig, MmdMonitor};
use ndarray::{Array2, Axis};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn matrix(v: &serde_json::Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    let d = rows[0].len();
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

fn frame(x: &Array2<f64>) -> Frame {
    let names: Vec<String> = (0..x.ncols()).map(|j| format!("f{j}")).collect();
    Frame::from_matrix(&names, x).unwrap()
}

#[test]
fn mmd2_and_bandwidth_match_the_numpy_reference() {
    let doc = common::golden("mmd_cases.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (x_ref, x) = (matrix(&case["x_ref"]), matrix(&case["x"]));
        let (want_sigma, want) = (
            case["sigma"].as_f64().unwrap(),
            case["mmd2"].as_f64().unwrap(),
        );
        let (sigma, mmd2) = if case["standardise"].as_bool().unwrap() {
            // The monitor end to end: standardised by the reference, all rows kept.
            let mut m = MmdMonitor::new(MmdConfig::default()).unwrap();
            m.fit_frame(&frame(&x_ref)).unwrap();
            let t = m.test(&frame(&x)).unwrap();
            (m.state.as_ref().unwrap().sigma, t.mmd2)
        } else {
            let sigma = sigma_median(x_ref.view()).unwrap();
            let z = ndarray::concatenate(Axis(0), &[x_ref.view(), x.view()]).unwrap();
            (
                sigma,
                mmd2_from_kernel(kernel_matrix(z.view(), sigma).view(), x.nrows()),
            )
        };
        assert!(
            (sigma - want_sigma).abs() <= 1e-12 * want_sigma,
            "{name}: sigma {sigma} vs {want_sigma}"
        );
        assert!((mmd2 - want).abs() <= 1e-9, "{name}: mmd2 {mmd2} vs {want}");
    }
}

fn gaussian(rng: &mut ChaCha8Rng, n: usize, d: usize, shift: f64) -> Array2<f64> {
    // Sum of 4 uniforms: near-Gaussian, no extra dependency.
    Array2::from_shape_fn((n, d), |_| {
        (0..4).map(|_| rng.random::<f64>()).sum::<f64>() - 2.0 + shift
    })
}

fn p_value(seed: u64, shift: f64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (x, y) = (
        gaussian(&mut rng, 40, 2, 0.0),
        gaussian(&mut rng, 30, 2, shift),
    );
    let sigma = sigma_median(x.view()).unwrap();
    let z = ndarray::concatenate(Axis(0), &[x.view(), y.view()]).unwrap();
    permutation_test(kernel_matrix(z.view(), sigma).view(), 30, 100, 0.05, seed).p_value
}

#[test]
fn p_values_are_near_uniform_without_drift_and_near_zero_with_it() {
    let p: Vec<f64> = (0..60).map(|s| p_value(s, 0.0)).collect();
    let mean = p.iter().sum::<f64>() / p.len() as f64;
    let small = p.iter().filter(|v| **v < 0.05).count();
    let below_half = p.iter().filter(|v| **v < 0.5).count();
    assert!(
        (0.35..=0.65).contains(&mean),
        "mean p-value {mean} under H0"
    );
    assert!(small <= 9, "{small} of 60 p-values below 0.05 under H0");
    assert!(
        (18..=42).contains(&below_half),
        "{below_half} of 60 below 0.5"
    );
    for s in 0..5 {
        assert!(
            p_value(100 + s, 1.5) <= 0.01,
            "a shift of 1.5 sd must be found"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn p_value_is_a_share_and_mmd2_is_symmetric_in_the_samples(
        seed in 0u64..1000, n in 3usize..15, m in 3usize..15, shift in -2.0f64..2.0
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (x, y) = (gaussian(&mut rng, n, 2, 0.0), gaussian(&mut rng, m, 2, shift));
        let z = ndarray::concatenate(Axis(0), &[x.view(), y.view()]).unwrap();
        let k = kernel_matrix(z.view(), 1.0);
        let t = permutation_test(k.view(), m, 20, 0.05, seed);
        prop_assert!((0.0..=1.0).contains(&t.p_value));
        let swapped = ndarray::concatenate(Axis(0), &[y.view(), x.view()]).unwrap();
        let k2 = kernel_matrix(swapped.view(), 1.0);
        prop_assert!((mmd2_from_kernel(k2.view(), n) - t.mmd2).abs() < 1e-12);
    }
}

#[test]
fn frames_with_a_category_work_end_to_end() {
    let cat = driftwatch_core::Categorical::from_labels(
        (0..60).map(|i| Some(if i % 3 == 0 { "a" } else { "b" })),
    );
    let f = Frame::new(vec![
        (
            "x".into(),
            Column::Numeric((0..60).map(|i| (i % 7) as f64).collect()),
        ),
        ("c".into(), Column::Categorical(cat)),
    ])
    .unwrap();
    let mut m = MmdMonitor::default();
    m.fit_frame(&f).unwrap();
    let t = m.test(&f).unwrap();
    assert!(
        t.p_value > 0.5,
        "the reference against itself: {}",
        t.p_value
    );
}
