//! Hellinger distance, Kullback-Leibler divergence and total variation distance
//! between two distributions given as weights over the same bins.
//!
//! Binning (applied by the callers in `columns`): numeric columns use the pooled
//! Sturges bins of [`super::jensenshannon`]; categorical columns the union of both
//! samples' categories. Weights are normalised to proportions first.
//!
//! - Hellinger: `sqrt(sum((sqrt(p) - sqrt(q))^2)) / sqrt(2)`, in [0, 1]; no smoothing.
//! - Total variation: `0.5 * sum(|p - q|)`, in [0, 1]; no smoothing.
//! - KL: `sum(p * ln(p / q))` of the reference `p` against the current `q`
//!   (`scipy.stats.entropy(p, q)`, as Evidently), after replacing empty bins on either
//!   side by 1e-4 and renormalising, so an empty bin gives a large but finite value.

use super::jensenshannon::normalize;

/// Proportion given to an empty bin by [`kl_divergence`].
pub const KL_FLOOR: f64 = 1e-4;

/// Hellinger distance, in [0, 1].
#[must_use]
pub fn hellinger(p: &[f64], q: &[f64]) -> f64 {
    let (p, q) = (normalize(p), normalize(q));
    let s: f64 = p
        .iter()
        .zip(&q)
        .map(|(a, b)| (a.sqrt() - b.sqrt()).powi(2))
        .sum();
    s.sqrt() / std::f64::consts::SQRT_2
}

/// Total variation distance, in [0, 1].
#[must_use]
pub fn total_variation(p: &[f64], q: &[f64]) -> f64 {
    let (p, q) = (normalize(p), normalize(q));
    0.5 * p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// KL divergence of the reference `p` from the current `q`, empty bins floored at 1e-4.
#[must_use]
pub fn kl_divergence(p: &[f64], q: &[f64]) -> f64 {
    let floor = |w: &[f64]| -> Vec<f64> {
        let n = normalize(w);
        normalize(
            &n.iter()
                .map(|&v| if v > 0.0 { v } else { KL_FLOOR })
                .collect::<Vec<_>>(),
        )
    };
    let (p, q) = (floor(p), floor(q));
    p.iter()
        .zip(&q)
        .map(|(a, b)| a * (a / b).ln())
        .sum::<f64>()
        .max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let (p, q) = ([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]);
        // scipy.stats.entropy(p, q)
        assert!((kl_divergence(&p, &q) - 0.27488721956224654).abs() < 1e-15);
        assert!((hellinger(&p, &q) - 0.25989318568658965).abs() < 1e-15);
        assert!((total_variation(&p, &q) - 0.3).abs() < 1e-15);
        assert_eq!(total_variation(&[1.0, 0.0], &[0.0, 2.0]), 1.0);
    }
}
