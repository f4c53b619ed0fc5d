//! Multiple-testing correction over the p-values of one check, and the minimum
//! effect a significant p-value needs to count as drift.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{ColumnDrift, DriftOptions};
use crate::Error;

/// Multiple-testing correction of the p-values of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// Raw p-values (Evidently's behaviour).
    #[default]
    None,
    /// p * m.
    Bonferroni,
    /// Holm's step-down.
    Holm,
    /// Benjamini-Hochberg false discovery rate.
    Bh,
}

impl Correction {
    /// Every correction, in the order of [`CORRECTION_NAMES`].
    pub const ALL: [Correction; 4] = [
        Correction::None,
        Correction::Bonferroni,
        Correction::Holm,
        Correction::Bh,
    ];

    /// The name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Bonferroni => "bonferroni",
            Correction::Holm => "holm",
            Correction::Bh => "bh",
        }
    }
}

/// The correction names, for messages.
pub const CORRECTION_NAMES: &str = "none, bonferroni, holm, bh";

impl FromStr for Correction {
    type Err = Error;

    /// Parses a name of [`CORRECTION_NAMES`] (or `fdr` for `bh`), ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Correction::None),
            "bonferroni" => Ok(Correction::Bonferroni),
            "holm" => Ok(Correction::Holm),
            "bh" | "fdr" => Ok(Correction::Bh),
            _ => Err(Error::UnknownName {
                what: "correction",
                value: s.to_owned(),
                expected: CORRECTION_NAMES,
            }),
        }
    }
}

/// Adjusted p-values (same order as `p`), each capped at 1.
#[must_use]
pub fn adjust_p_values(p: &[f64], correction: Correction) -> Vec<f64> {
    let m = p.len();
    let mf = m as f64;
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = p.to_vec();
    match correction {
        Correction::None => {}
        Correction::Bonferroni => out.iter_mut().for_each(|v| *v = (*v * mf).min(1.0)),
        Correction::Holm => {
            let mut running: f64 = 0.0;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max(((mf - rank as f64) * p[i]).min(1.0));
                out[i] = running;
            }
        }
        Correction::Bh => {
            let mut running: f64 = 1.0;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min((p[i] * (mf / (rank + 1) as f64)).min(1.0));
                out[i] = running;
            }
        }
    }
    out
}

/// Sets each row's adjusted p-value and verdict (only rows with a p-value take part).
pub(crate) fn apply_correction(rows: &mut [ColumnDrift], o: &DriftOptions) {
    if o.correction == Correction::None {
        return;
    }
    let idx: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.p_value.is_some_and(|p| !p.is_nan()))
        .map(|(i, _)| i)
        .collect();
    let p: Vec<f64> = idx.iter().filter_map(|&i| rows[i].p_value).collect();
    let adj = adjust_p_values(&p, o.correction);
    for (&i, a) in idx.iter().zip(adj) {
        let r = &mut rows[i];
        r.p_adjusted = Some(a);
        r.drift = a < r.threshold && effect_ok(r.effect, o);
    }
}

/// Whether the effect is large enough for `min_effect` (always, when it is unset).
pub(super) fn effect_ok(effect: Option<f64>, o: &DriftOptions) -> bool {
    match (o.min_effect, effect) {
        (Some(m), Some(e)) => e >= m,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_match_known_adjustments() {
        let p = [0.01, 0.04, 0.03, 0.005];
        // statsmodels multipletests(p, method='holm' / 'fdr_bh')
        let holm = adjust_p_values(&p, Correction::Holm);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, b) in holm.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{holm:?}");
        }
        let bh = adjust_p_values(&p, Correction::Bh);
        let want = [0.02, 0.04, 0.04, 0.02];
        for (a, b) in bh.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{bh:?}");
        }
        assert_eq!(adjust_p_values(&p, Correction::Bonferroni)[1], 0.16);
    }

    #[test]
    fn correction_names_parse_back() {
        for c in Correction::ALL {
            assert_eq!(c.as_str().parse::<Correction>(), Ok(c));
        }
        assert_eq!(
            CORRECTION_NAMES,
            Correction::ALL.map(Correction::as_str).join(", ")
        );
        assert_eq!("FDR".parse::<Correction>(), Ok(Correction::Bh));
        assert_eq!(
            "hom".parse::<Correction>().unwrap_err().to_string(),
            "unknown correction 'hom': expected none, bonferroni, holm, bh"
        );
    }
}
