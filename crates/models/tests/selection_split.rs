//! train_test_split, KFold and StratifiedKFold: sizes, determinism, partitions.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::collections::BTreeMap;

use driftwatch_core::Target;
use driftwatch_models::selection::{Cv, KFold, StratifiedKFold, TestSize, train_test_split};
use proptest::prelude::*;

fn labels(counts: &[(&str, usize)]) -> Vec<String> {
    // Interleaved so classes are not in blocks.
    let mut out = Vec::new();
    let mut left: Vec<(String, usize)> = counts.iter().map(|(l, c)| (l.to_string(), *c)).collect();
    while left.iter().any(|(_, c)| *c > 0) {
        for (l, c) in &mut left {
            if *c > 0 {
                out.push(l.clone());
                *c -= 1;
            }
        }
    }
    out
}

fn count_by_class<'a>(rows: &[usize], y: &'a [String]) -> BTreeMap<&'a str, usize> {
    let mut m = BTreeMap::new();
    for &r in rows {
        *m.entry(y[r].as_str()).or_insert(0) += 1;
    }
    m
}

fn assert_partition(train: &[usize], test: &[usize], n: usize) {
    let mut all: Vec<usize> = train.iter().chain(test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..n).collect::<Vec<_>>());
    assert!(train.windows(2).all(|w| w[0] < w[1]), "train sorted");
    assert!(test.windows(2).all(|w| w[0] < w[1]), "test sorted");
}

#[test]
fn split_sizes_round_up_the_test_part() {
    for (n, f, expected) in [
        (10, 0.25, 3),
        (10, 0.3, 3),
        (7, 0.5, 4),
        (100, 0.2, 20),
        (3, 0.1, 1),
    ] {
        let (train, test) = train_test_split(n, TestSize::Fraction(f), 0, None).unwrap();
        assert_eq!(test.len(), expected, "n={n} f={f}");
        assert_eq!(train.len(), n - expected);
        assert_partition(&train, &test, n);
    }
    let (train, test) = train_test_split(10, TestSize::Count(4), 1, None).unwrap();
    assert_eq!((train.len(), test.len()), (6, 4));
}

#[test]
fn split_is_deterministic_per_seed() {
    let a = train_test_split(50, TestSize::default(), 42, None).unwrap();
    let b = train_test_split(50, TestSize::default(), 42, None).unwrap();
    let c = train_test_split(50, TestSize::default(), 43, None).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Shuffled, not just the last rows.
    assert_ne!(a.1, (37..50).collect::<Vec<_>>());
}

#[test]
fn bad_split_sizes_are_errors() {
    assert!(train_test_split(10, TestSize::Fraction(0.0), 0, None).is_err());
    assert!(train_test_split(10, TestSize::Fraction(1.5), 0, None).is_err());
    assert!(train_test_split(10, TestSize::Count(0), 0, None).is_err());
    assert!(train_test_split(10, TestSize::Count(10), 0, None).is_err());
    assert!(train_test_split(0, TestSize::default(), 0, None).is_err());
    assert!(train_test_split(1, TestSize::default(), 0, None).is_err());
}

#[test]
fn stratified_split_keeps_class_proportions() {
    let y = labels(&[("a", 70), ("b", 20), ("c", 10)]);
    for seed in 0..5 {
        let (train, test) = train_test_split(100, TestSize::Fraction(0.2), seed, Some(&y)).unwrap();
        assert_partition(&train, &test, 100);
        let t = count_by_class(&test, &y);
        assert_eq!(t["a"], 14);
        assert_eq!(t["b"], 4);
        assert_eq!(t["c"], 2);
    }
    // Uneven: 0.25 of (5, 5, 3) = 1.25, 1.25, 0.75 of 4 test rows -> each class gets 1 or 2.
    let y = labels(&[("a", 5), ("b", 5), ("c", 3)]);
    let (train, test) = train_test_split(13, TestSize::Fraction(0.25), 7, Some(&y)).unwrap();
    assert_eq!(test.len(), 4);
    assert_partition(&train, &test, 13);
    let t = count_by_class(&test, &y);
    assert_eq!(t.len(), 3, "{t:?}");
    assert!(t.values().all(|&c| (1..=2).contains(&c)), "{t:?}");
}

#[test]
fn stratified_split_errors() {
    let y = labels(&[("a", 5), ("b", 1)]);
    let err = train_test_split(6, TestSize::Fraction(0.5), 0, Some(&y))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'b'"), "{err}");
    // Test part too small for every class.
    let y = labels(&[("a", 5), ("b", 5), ("c", 5)]);
    assert!(train_test_split(15, TestSize::Count(2), 0, Some(&y)).is_err());
    // Wrong length.
    assert!(train_test_split(14, TestSize::Count(5), 0, Some(&y)).is_err());
}

#[test]
fn kfold_sizes_and_shuffle() {
    let folds = KFold::new(3).split(10).unwrap();
    let sizes: Vec<usize> = folds.iter().map(|f| f.1.len()).collect();
    assert_eq!(sizes, [4, 3, 3]);
    let a = KFold::shuffled(3, 9).split(10).unwrap();
    assert_eq!(a, KFold::shuffled(3, 9).split(10).unwrap());
    assert_ne!(a, folds);
    assert_ne!(a, KFold::shuffled(3, 10).split(10).unwrap());
}

#[test]
fn stratified_folds_balance_classes() {
    let y = labels(&[("a", 23), ("b", 11), ("c", 6)]);
    for shuffle in [false, true] {
        let cv = StratifiedKFold {
            n_splits: 5,
            shuffle,
            seed: 3,
        };
        let folds = cv.split(&y).unwrap();
        for class in ["a", "b", "c"] {
            let per_fold: Vec<usize> = folds
                .iter()
                .map(|(_, test)| count_by_class(test, &y).get(class).copied().unwrap_or(0))
                .collect();
            let (lo, hi) = (
                per_fold.iter().min().unwrap(),
                per_fold.iter().max().unwrap(),
            );
            assert!(hi - lo <= 1, "{class}: {per_fold:?}");
        }
        let sizes: Vec<usize> = folds.iter().map(|f| f.1.len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 40);
        assert!(sizes.iter().all(|&s| s == 8), "{sizes:?}");
    }
}

#[test]
fn stratified_fold_count_errors() {
    let y = labels(&[("a", 10), ("b", 3)]);
    let err = StratifiedKFold::new(4).split(&y).unwrap_err().to_string();
    assert!(err.contains("'b'") && err.contains("only 3"), "{err}");
    assert!(StratifiedKFold::new(3).split(&y).is_ok());
    assert!(StratifiedKFold::new(1).split(&y).is_err());
    assert!(StratifiedKFold::new(2).split(&[]).is_err());
}

#[test]
fn cv_auto_picks_stratified_for_classifiers() {
    let y = labels(&[("a", 6), ("b", 3)]);
    let t = Target::Labels(y.clone());
    let auto = Cv::Auto(3).split(&t, true).unwrap();
    assert_eq!(auto, StratifiedKFold::new(3).split(&y).unwrap());
    let plain = Cv::Auto(3).split(&t, false).unwrap();
    assert_eq!(plain, KFold::new(3).split(9).unwrap());
    let values = Target::Values(vec![0.0; 9]);
    assert_eq!(Cv::Auto(3).split(&values, true).unwrap(), plain);
    assert!(
        Cv::Stratified(StratifiedKFold::new(3))
            .split(&values, false)
            .is_err()
    );
    assert_eq!(Cv::default().n_splits(), 5);
}

fn check_folds(folds: &[(Vec<usize>, Vec<usize>)], n: usize, k: usize) {
    assert_eq!(folds.len(), k);
    let mut seen = vec![0usize; n];
    for (train, test) in folds {
        assert!(!test.is_empty());
        assert_partition(train, test, n);
        for &t in test {
            seen[t] += 1;
        }
    }
    assert!(
        seen.iter().all(|&c| c == 1),
        "each row in exactly one test fold"
    );
}

proptest! {
    #[test]
    fn kfold_partitions(n in 2usize..200, k in 2usize..12, shuffle: bool, seed: u64) {
        prop_assume!(k <= n);
        let folds = KFold { n_splits: k, shuffle, seed }.split(n).unwrap();
        check_folds(&folds, n, k);
        let sizes: Vec<usize> = folds.iter().map(|f| f.1.len()).collect();
        prop_assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
    }

    #[test]
    fn stratified_kfold_partitions(
        classes in proptest::collection::vec(0u8..4, 2..150),
        k in 2usize..6,
        shuffle: bool,
        seed: u64,
    ) {
        let y: Vec<String> = classes.iter().map(|c| format!("c{c}")).collect();
        let smallest = {
            let mut m = BTreeMap::new();
            for l in &y { *m.entry(l).or_insert(0usize) += 1; }
            *m.values().min().unwrap()
        };
        let result = StratifiedKFold { n_splits: k, shuffle, seed }.split(&y);
        if smallest < k {
            prop_assert!(result.is_err());
        } else {
            check_folds(&result.unwrap(), y.len(), k);
        }
    }

    #[test]
    fn split_partitions(n in 2usize..300, f in 0.01f64..0.99, seed: u64) {
        match train_test_split(n, TestSize::Fraction(f), seed, None) {
            Ok((train, test)) => {
                prop_assert_eq!(test.len(), (f * n as f64).ceil() as usize);
                assert_partition(&train, &test, n);
                prop_assert_eq!(
                    train_test_split(n, TestSize::Fraction(f), seed, None).unwrap(),
                    (train, test)
                );
            }
            Err(_) => prop_assert!((f * n as f64).ceil() as usize >= n),
        }
    }

    #[test]
    fn stratified_split_partitions(
        classes in proptest::collection::vec(0u8..3, 6..120),
        f in 0.1f64..0.9,
        seed: u64,
    ) {
        let y: Vec<String> = classes.iter().map(|c| format!("c{c}")).collect();
        if let Ok((train, test)) = train_test_split(y.len(), TestSize::Fraction(f), seed, Some(&y)) {
            assert_partition(&train, &test, y.len());
            prop_assert_eq!(test.len(), (f * y.len() as f64).ceil() as usize);
            // Each class's test share is within one row of proportional.
            for (class, total) in count_by_class(&(0..y.len()).collect::<Vec<_>>(), &y) {
                let got = count_by_class(&test, &y).get(class).copied().unwrap_or(0) as f64;
                let ideal = total as f64 * test.len() as f64 / y.len() as f64;
                prop_assert!((got - ideal).abs() < 1.0 + 1e-9, "{class}: {got} vs {ideal}");
            }
        }
    }
}
