//! Property tests: ranges, identities between metrics, invariance under
//! reordering of samples, perfect predictions, and no panic on any input.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use driftwatch_metrics::{
    Average, ClassificationMetrics, Prf, RegressionMetrics, ZeroDivision, accuracy,
    classification_report, confusion_matrix, mae, mape, mse, precision_recall_fbeta_support,
    precision_recall_fscore_support, r2, rmse,
};
use proptest::prelude::*;

const AVERAGES: [Average<u8>; 3] = [Average::Micro, Average::Macro, Average::Weighted];
const ZDS: [ZeroDivision; 3] = [ZeroDivision::Zero, ZeroDivision::One, ZeroDivision::Nan];

/// Paired (y_true, y_pred) labels from an alphabet of 1 to 7 classes.
fn pairs() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    (1_u8..=7).prop_flat_map(|k| {
        prop::collection::vec((0..k, 0..k), 1..80).prop_map(|v| v.into_iter().unzip())
    })
}

/// Pairs plus a permutation of their indices.
fn pairs_and_permutation() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<usize>)> {
    pairs().prop_flat_map(|(t, p)| {
        let idx: Vec<usize> = (0..t.len()).collect();
        (Just(t), Just(p), Just(idx).prop_shuffle())
    })
}

fn in_unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

fn all_scores(t: &[u8], p: &[u8], zd: ZeroDivision) -> Vec<f64> {
    let mut out = Vec::new();
    for avg in AVERAGES.into_iter().chain([Average::None]) {
        for beta in [0.0, 0.5, 1.0, 2.0, f64::INFINITY] {
            match precision_recall_fbeta_support(t, p, beta, None, avg.clone(), zd).unwrap() {
                Prf::Averaged(s) => out.extend([s.precision, s.recall, s.fbeta]),
                Prf::PerClass(c) => {
                    out.extend(c.precision);
                    out.extend(c.recall);
                    out.extend(c.fbeta);
                }
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn scores_lie_in_unit_interval((t, p) in pairs()) {
        prop_assert!(in_unit(accuracy(&t, &p).unwrap()));
        for zd in [ZeroDivision::Zero, ZeroDivision::One] {
            for x in all_scores(&t, &p, zd) {
                prop_assert!(in_unit(x), "{x} out of [0, 1]");
            }
        }
        // With NaN, every non-NaN score is still in range.
        for x in all_scores(&t, &p, ZeroDivision::Nan) {
            prop_assert!(x.is_nan() || in_unit(x));
        }
    }

    #[test]
    fn accuracy_equals_micro_scores((t, p) in pairs()) {
        let acc = accuracy(&t, &p).unwrap();
        for zd in ZDS {
            let s = *precision_recall_fscore_support(&t, &p, Average::Micro, zd)
                .unwrap()
                .averaged()
                .unwrap();
            prop_assert_eq!(s.precision.to_bits(), acc.to_bits());
            prop_assert_eq!(s.recall.to_bits(), acc.to_bits());
            prop_assert_eq!(s.fbeta.to_bits(), acc.to_bits());
        }
        // Weighted recall is accuracy too (up to rounding).
        let w = ClassificationMetrics::weighted(&t, &p).unwrap();
        prop_assert!((w.recall - acc).abs() <= 1e-12);
    }

    #[test]
    fn invariant_under_sample_permutation((t, p, perm) in pairs_and_permutation()) {
        let t2: Vec<u8> = perm.iter().map(|&i| t[i]).collect();
        let p2: Vec<u8> = perm.iter().map(|&i| p[i]).collect();
        prop_assert_eq!(accuracy(&t, &p).unwrap(), accuracy(&t2, &p2).unwrap());
        prop_assert_eq!(
            confusion_matrix(&t, &p, None).unwrap(),
            confusion_matrix(&t2, &p2, None).unwrap()
        );
        for zd in ZDS {
            let a: Vec<u64> = all_scores(&t, &p, zd).iter().map(|x| x.to_bits()).collect();
            let b: Vec<u64> = all_scores(&t2, &p2, zd).iter().map(|x| x.to_bits()).collect();
            prop_assert_eq!(a, b);
        }
        prop_assert_eq!(
            classification_report(&t, &p).unwrap().to_string(),
            classification_report(&t2, &p2).unwrap().to_string()
        );
    }

    #[test]
    fn swapping_truth_and_prediction_swaps_precision_and_recall((t, p) in pairs()) {
        for zd in ZDS {
            for avg in [Average::Micro, Average::Macro, Average::None] {
                let a = precision_recall_fscore_support(&t, &p, avg.clone(), zd).unwrap();
                let b = precision_recall_fscore_support(&p, &t, avg, zd).unwrap();
                match (a, b) {
                    (Prf::Averaged(a), Prf::Averaged(b)) => {
                        prop_assert_eq!(a.precision.to_bits(), b.recall.to_bits());
                        prop_assert_eq!(a.recall.to_bits(), b.precision.to_bits());
                        prop_assert_eq!(a.fbeta.to_bits(), b.fbeta.to_bits());
                    }
                    (Prf::PerClass(a), Prf::PerClass(b)) => {
                        prop_assert_eq!(&a.precision.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                                        &b.recall.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
                        prop_assert_eq!(&a.fbeta.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                                        &b.fbeta.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
                    }
                    _ => prop_assert!(false, "shape changed"),
                }
            }
        }
    }

    #[test]
    fn perfect_prediction_scores_one(t in prop::collection::vec(0_u8..6, 1..60)) {
        prop_assert_eq!(accuracy(&t, &t).unwrap(), 1.0);
        for zd in ZDS {
            for x in all_scores(&t, &t, zd) {
                prop_assert_eq!(x, 1.0);
            }
        }
        let cm = confusion_matrix(&t, &t, None).unwrap();
        prop_assert_eq!(cm.correct(), cm.total());
        let y: Vec<f64> = t.iter().map(|&v| f64::from(v) * 1.5 - 2.0).collect();
        prop_assert_eq!(mse(&y, &y).unwrap(), 0.0);
        prop_assert_eq!(mae(&y, &y).unwrap(), 0.0);
        prop_assert_eq!(mape(&y, &y).unwrap(), 0.0);
        if y.len() >= 2 {
            prop_assert_eq!(r2(&y, &y).unwrap(), 1.0);
        }
    }

    #[test]
    fn confusion_matrix_is_consistent((t, p) in pairs()) {
        let cm = confusion_matrix(&t, &p, None).unwrap();
        prop_assert_eq!(cm.total(), t.len() as u64);
        prop_assert_eq!(cm.correct() as f64 / t.len() as f64, accuracy(&t, &p).unwrap());
        let Prf::PerClass(per) =
            precision_recall_fscore_support(&t, &p, Average::None, ZeroDivision::Zero).unwrap()
        else {
            unreachable!()
        };
        prop_assert_eq!(&per.labels, &cm.labels);
        for (i, row) in cm.matrix.iter().enumerate() {
            prop_assert_eq!(row.iter().sum::<u64>(), per.support[i]);
        }
        let mut sorted = cm.labels.clone();
        sorted.sort_unstable();
        sorted.dedup();
        prop_assert_eq!(sorted, cm.labels);
    }

    #[test]
    fn macro_f1_lies_between_per_class_extremes((t, p) in pairs()) {
        let Prf::PerClass(per) =
            precision_recall_fscore_support(&t, &p, Average::None, ZeroDivision::Zero).unwrap()
        else {
            unreachable!()
        };
        let m = ClassificationMetrics::macro_average(&t, &p).unwrap();
        let lo = per.fbeta.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = per.fbeta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert!(lo - 1e-15 <= m.f1 && m.f1 <= hi + 1e-15);
    }

    #[test]
    fn regression_identities(
        v in prop::collection::vec((-1e3_f64..1e3, -1e3_f64..1e3), 2..300)
    ) {
        let (t, p): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let m = RegressionMetrics::compute(&t, &p).unwrap();
        prop_assert!(m.mse >= 0.0 && m.mae >= 0.0 && m.mape >= 0.0);
        prop_assert_eq!(m.rmse, m.mse.sqrt());
        prop_assert_eq!(m.rmse, rmse(&t, &p).unwrap());
        prop_assert!(m.mae <= m.rmse * (1.0 + 1e-12));
        prop_assert!(m.r2 <= 1.0);
        // Symmetric in its arguments: mse, mae.
        prop_assert_eq!(mse(&p, &t).unwrap(), m.mse);
        prop_assert_eq!(mae(&p, &t).unwrap(), m.mae);
    }

    #[test]
    fn regression_invariant_under_permutation(
        (v, perm) in prop::collection::vec((-1e3_f64..1e3, -1e3_f64..1e3), 2..200)
            .prop_flat_map(|v| {
                let idx: Vec<usize> = (0..v.len()).collect();
                (Just(v), Just(idx).prop_shuffle())
            })
    ) {
        let (t, p): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let t2: Vec<f64> = perm.iter().map(|&i| t[i]).collect();
        let p2: Vec<f64> = perm.iter().map(|&i| p[i]).collect();
        let a = RegressionMetrics::compute(&t, &p).unwrap();
        let b = RegressionMetrics::compute(&t2, &p2).unwrap();
        // Summation order changes rounding only.
        for (x, y) in [(a.mse, b.mse), (a.mae, b.mae), (a.mape, b.mape), (a.r2, b.r2)] {
            prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{x} vs {y}");
        }
    }

    #[test]
    fn regression_never_panics(
        t in prop::collection::vec(prop::num::f64::ANY, 0..20),
        p in prop::collection::vec(prop::num::f64::ANY, 0..20),
    ) {
        let _ = mse(&t, &p);
        let _ = rmse(&t, &p);
        let _ = mae(&t, &p);
        let _ = r2(&t, &p);
        let _ = mape(&t, &p);
        let r = RegressionMetrics::compute(&t, &p);
        if t.len() != p.len() || t.len() < 2 || t.iter().chain(&p).any(|x| !x.is_finite()) {
            prop_assert!(r.is_err());
        } else {
            prop_assert!(r.is_ok());
        }
    }

    #[test]
    fn classification_never_panics(
        t in prop::collection::vec(0_u8..4, 0..12),
        p in prop::collection::vec(0_u8..4, 0..12),
        labels in prop::option::of(prop::collection::vec(0_u8..6, 0..5)),
        pos in 0_u8..5,
        beta in prop_oneof![Just(f64::NAN), Just(-1.0), Just(f64::INFINITY), 0.0_f64..5.0],
    ) {
        let _ = accuracy(&t, &p);
        let _ = confusion_matrix(&t, &p, labels.as_deref());
        for avg in AVERAGES.into_iter().chain([Average::None, Average::Binary { pos_label: pos }]) {
            for zd in ZDS {
                let _ = precision_recall_fbeta_support(&t, &p, beta, labels.as_deref(), avg.clone(), zd);
            }
            let _ = ClassificationMetrics::compute(&t, &p, avg, ZeroDivision::Zero);
        }
        if let Ok(r) = classification_report(&t, &p) {
            let _ = r.to_string();
        }
    }
}
