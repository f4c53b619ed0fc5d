//! Area under the ROC curve from scores, ties counted half (scikit-learn's
//! `roc_auc_score` for two classes, by the rank-sum identity).

/// AUROC of `scores` for the rows where `positive` is true against the others; `None`
/// when one class is absent (NannyML then reports 0.5).
pub fn auroc(positive: &[bool], scores: &[f64]) -> Option<f64> {
    let n1 = positive.iter().filter(|p| **p).count();
    let n0 = positive.len() - n1;
    if n1 == 0 || n0 == 0 || positive.len() != scores.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            j += 1;
        }
        let mid = (i + 1 + j) as f64 / 2.0;
        let pos = order[i..j].iter().filter(|&&r| positive[r]).count();
        rank_sum += mid * pos as f64;
        i = j;
    }
    let (n0, n1) = (n0 as f64, n1 as f64);
    Some((rank_sum - n1 * (n1 + 1.0) / 2.0) / (n0 * n1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matches_scikit_learn() {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
        let y = [false, false, true, true];
        assert_eq!(auroc(&y, &[0.1, 0.4, 0.35, 0.8]), Some(0.75));
        // Ties count half: roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) = 0.875
        assert_eq!(
            auroc(&[false, true, false, true], &[0.5, 0.5, 0.2, 0.9]),
            Some(0.875)
        );
        assert_eq!(auroc(&[true, true], &[0.1, 0.2]), None);
    }

    proptest! {
        #[test]
        fn flipping_the_labels_mirrors_the_area(
            rows in prop::collection::vec((any::<bool>(), 0u8..5), 2..60)
        ) {
            let y: Vec<bool> = rows.iter().map(|r| r.0).collect();
            let s: Vec<f64> = rows.iter().map(|r| r.1 as f64).collect();
            let flipped: Vec<bool> = y.iter().map(|v| !v).collect();
            if let (Some(a), Some(b)) = (auroc(&y, &s), auroc(&flipped, &s)) {
                prop_assert!((0.0..=1.0).contains(&a));
                prop_assert!((a + b - 1.0).abs() < 1e-12);
            }
        }
    }
}
