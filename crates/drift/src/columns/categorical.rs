//! Tests on category counts, shared by categorical columns and the value-count tests
//! of numeric ones, and [`Outcome`], the numbers any test gives back.

use crate::Error;
use crate::chi2::{chi2_contingency, chisquare_gof};
use crate::stats::{divergence, jensenshannon, proportions};

use super::{AppliedOptions, DriftOptions, TestKind};

/// A test's numbers.
pub(crate) struct Outcome {
    /// The statistic.
    pub statistic: f64,
    /// The p-value, for p-value tests.
    pub p_value: Option<f64>,
    /// Where the KS statistic is attained, and its sign.
    pub location: Option<(f64, i8)>,
    /// The options the test took.
    pub applied: AppliedOptions,
    /// What the row should say about how the test ran.
    pub notes: Vec<String>,
}

impl Outcome {
    /// A distance (no p-value, no options).
    pub fn distance(statistic: f64) -> Self {
        Outcome {
            statistic,
            p_value: None,
            location: None,
            applied: AppliedOptions::default(),
            notes: Vec::new(),
        }
    }

    /// A p-value test's result with the options it took.
    pub fn tested(statistic: f64, p_value: f64, applied: AppliedOptions) -> Self {
        Outcome {
            statistic,
            p_value: Some(p_value),
            location: None,
            applied,
            notes: Vec::new(),
        }
    }
}

/// Tests on category counts (both rows over the same categories), with the options
/// of `o` that they take (chi2: yates, lambda; chi2-gof: lambda).
pub(crate) fn categorical_test(
    test: TestKind,
    r: &[f64],
    c: &[f64],
    o: &DriftOptions,
) -> Result<Outcome, Error> {
    Ok(match test {
        TestKind::Chi2 => {
            let t = chi2_contingency(r, c, o.yates, o.lambda)?;
            if t.statistic.is_nan() {
                return Err(Error::Undefined {
                    test: "chi2",
                    why: format!(
                        "lambda {} divides by a zero count (a value on one side only)",
                        o.lambda
                    ),
                });
            }
            let applied = AppliedOptions {
                yates: t.yates.then_some(true),
                lambda: Some(o.lambda),
                ..AppliedOptions::default()
            };
            let mut out = Outcome::tested(t.statistic, t.p_value, applied);
            if o.yates && !t.yates {
                out.notes.push(format!(
                    "yates not applied: the table has {} degrees of freedom (scipy corrects only tables with one)",
                    t.dof
                ));
            }
            out
        }
        TestKind::Chi2Gof => {
            let t = chisquare_gof(r, c, o.lambda)?;
            let applied = AppliedOptions {
                lambda: Some(o.lambda),
                ..AppliedOptions::default()
            };
            let mut out = Outcome::tested(t.statistic, t.p_value, applied);
            if t.statistic.is_infinite() {
                out.notes.push(
                    "statistic inf, p = 0: the reference has none of a current category, so its expected count is 0 (Evidently's goodness of fit)"
                        .into(),
                );
            }
            out
        }
        TestKind::Z => {
            let (nr, nc) = (r.iter().sum::<f64>(), c.iter().sum::<f64>());
            let k = r.iter().zip(c).position(|(a, b)| a + b > 0.0).unwrap_or(0);
            let t = proportions::z_test(
                r.get(k).copied().unwrap_or(0.0),
                nr,
                c.get(k).copied().unwrap_or(0.0),
                nc,
            )?;
            Outcome::tested(t.statistic, t.p_value, AppliedOptions::default())
        }
        TestKind::Jensenshannon => Outcome::distance(jensenshannon::jensenshannon(r, c)),
        TestKind::Hellinger => Outcome::distance(divergence::hellinger(r, c)),
        TestKind::Kl => Outcome::distance(divergence::kl_divergence(r, c)),
        TestKind::Tvd => Outcome::distance(divergence::total_variation(r, c)),
        other => {
            return Err(Error::Inapplicable {
                test: other.as_str(),
                why: "does not apply to categories".into(),
            });
        }
    })
}
