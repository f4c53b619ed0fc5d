#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Saving a detector mid-stream (serde_json) and restoring it changes no later signal;
//! every registered detector is present and resets to its initial behaviour.

use driftwatch_core::{Signal, StreamDetector, registry};
use driftwatch_drift::stream;
use proptest::prelude::*;

const SPECS: &[&str] = &[
    "adwin:clock=1",
    "adwin",
    "page-hinkley:threshold=5",
    "ddm",
    "eddm",
    "hddm-a:two_sided_test=true",
    "hddm-w:two_sided_test=true",
    "fhddm:sliding_window_size=20,short_window_size=5",
    "kswin:seed=7,window_size=40,stat_size=10",
    "cusum",
];

fn signals(d: &mut dyn StreamDetector, xs: &[f64]) -> Vec<Signal> {
    xs.iter().map(|&x| d.update(x)).collect()
}

/// A stream with a shift: values around 0 then around `shift`, or 0/1 with rates.
fn stream_strategy() -> impl Strategy<Value = (Vec<f64>, usize)> {
    (200usize..1500, 0.0f64..3.0, any::<bool>(), any::<u64>()).prop_flat_map(
        |(n, shift, binary, seed)| {
            let mut s = seed | 1;
            let mut next = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64
            };
            let xs: Vec<f64> = (0..n)
                .map(|i| {
                    let u = next();
                    let after = i >= n / 2;
                    if binary {
                        let p = if after { 0.1 + shift / 6.0 } else { 0.1 };
                        f64::from(u8::from(u < p))
                    } else {
                        (u - 0.5) * 3.0 + if after { shift } else { 0.0 }
                    }
                })
                .collect();
            (Just(xs), 1..n)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn save_and_restore_mid_stream_changes_nothing((xs, cut) in stream_strategy()) {
        for spec in SPECS {
            let mut a = stream::build(spec).unwrap();
            let _ = signals(a.as_mut(), &xs[..cut]);
            let saved = serde_json::to_string(&a).unwrap();
            let mut b: Box<dyn StreamDetector> = serde_json::from_str(&saved).unwrap();
            let rest_a = signals(a.as_mut(), &xs[cut..]);
            let rest_b = signals(b.as_mut(), &xs[cut..]);
            prop_assert_eq!(rest_a, rest_b, "{}", spec);
        }
    }

    #[test]
    fn reset_gives_the_fresh_behaviour((xs, cut) in stream_strategy()) {
        for spec in SPECS {
            let mut fresh = stream::build(spec).unwrap();
            let mut used = stream::build(spec).unwrap();
            let _ = signals(used.as_mut(), &xs[..cut]);
            used.reset();
            prop_assert_eq!(signals(used.as_mut(), &xs), signals(fresh.as_mut(), &xs), "{}", spec);
        }
    }
}

#[test]
fn all_detectors_are_registered() {
    let names: Vec<_> = registry::detectors().iter().map(|f| f.name).collect();
    for want in [
        "adwin",
        "cusum",
        "ddm",
        "eddm",
        "fhddm",
        "hddm-a",
        "hddm-w",
        "kswin",
        "page-hinkley",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
        let d = stream::build(want).unwrap();
        assert_eq!(d.name(), want);
    }
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    for spec in [
        "adwin:delta=2",
        "adwin:clock=0",
        "eddm:alpha=0.5,beta=0.9",
        "page-hinkley:mode=sideways",
        "kswin:stat_size=80",
        "fhddm:short_window_size=500",
        "hddm-a:two_sided_test=maybe",
        "cusum:threshold=-1",
    ] {
        assert!(stream::build(spec).is_err(), "{spec}");
    }
}

#[test]
fn page_hinkley_and_cusum_catch_a_clear_shift() {
    let xs: Vec<f64> = (0..2000)
        .map(|i| if i < 1000 { 0.0 } else { 5.0 } + ((i * 7919) % 13) as f64 / 13.0)
        .collect();
    for spec in ["page-hinkley", "cusum", "adwin", "kswin:seed=1"] {
        let mut d = stream::build(spec).unwrap();
        let (drifts, _) = stream::run(d.as_mut(), &xs);
        let first = drifts.iter().copied().find(|&i| i >= 1000);
        assert!(first.is_some_and(|i| i < 1100), "{spec}: drifts {drifts:?}");
    }
}

#[test]
fn ddm_warns_before_it_drifts_on_a_rising_error_rate() {
    let xs: Vec<f64> = (0..4000)
        .map(|i| {
            let every = if i < 2000 { 10 } else { 3 };
            f64::from(u8::from(i % every == 0))
        })
        .collect();
    let mut d = stream::build("ddm").unwrap();
    let (drifts, warnings) = stream::run(d.as_mut(), &xs);
    assert!(!drifts.is_empty() && drifts[0] >= 2000, "{drifts:?}");
    assert!(
        warnings.iter().any(|&w| w >= 2000 && w < drifts[0]),
        "{warnings:?}"
    );
}
