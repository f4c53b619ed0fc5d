//! Chi-square tests on category counts, two ways:
//!
//! - [`chi2_contingency`]: the two-sample test of homogeneity on the 2 x K table
//!   (reference row, current row), `scipy.stats.chi2_contingency(table,
//!   correction=..., lambda_=...)`: both rows are samples, so the reference's own
//!   sampling noise is accounted for;
//! - [`chisquare_gof`]: Evidently's `chisquare` stat test, a goodness-of-fit test of
//!   the current counts against the reference shares scaled to the current size
//!   (`scipy.stats.chisquare(f_obs=current, f_exp=reference * n_cur / n_ref)`): the
//!   reference shares are taken as exact, and a category the reference lacks has an
//!   expected count of 0, so the statistic is infinite and p = 0.
//!
//! Both take scipy's power-divergence family ([`PowerDivergence`], `lambda_`):
//! Pearson's statistic by default, the G-test (`log-likelihood`) and the other
//! Cressie-Read members.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::Error;

/// Result of a chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chi2Result {
    /// The power-divergence statistic (Pearson's by default).
    pub statistic: f64,
    /// Upper-tail p-value of chi-square with `dof` degrees of freedom.
    pub p_value: f64,
    /// Degrees of freedom.
    pub dof: usize,
    /// Whether Yates' continuity correction changed the table (asked for and dof 1).
    pub yates: bool,
}

/// scipy's `lambda_` of `power_divergence` / `chi2_contingency`, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerDivergence {
    /// lambda = 1: Pearson's chi-square (the default).
    #[default]
    Pearson,
    /// lambda = 0: the log-likelihood ratio, the G-test.
    LogLikelihood,
    /// lambda = -1/2: Freeman-Tukey.
    FreemanTukey,
    /// lambda = -1: the modified log-likelihood ratio.
    ModLogLikelihood,
    /// lambda = -2: Neyman.
    Neyman,
    /// lambda = 2/3: Cressie and Read's recommendation.
    CressieRead,
}

impl PowerDivergence {
    /// Every name, in scipy's order.
    pub const ALL: [PowerDivergence; 6] = [
        Self::Pearson,
        Self::LogLikelihood,
        Self::FreemanTukey,
        Self::ModLogLikelihood,
        Self::Neyman,
        Self::CressieRead,
    ];

    /// scipy's name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pearson => "pearson",
            Self::LogLikelihood => "log-likelihood",
            Self::FreemanTukey => "freeman-tukey",
            Self::ModLogLikelihood => "mod-log-likelihood",
            Self::Neyman => "neyman",
            Self::CressieRead => "cressie-read",
        }
    }

    /// scipy's `lambda_` value for the name.
    #[must_use]
    pub fn lambda(self) -> f64 {
        match self {
            Self::Pearson => 1.0,
            Self::LogLikelihood => 0.0,
            Self::FreemanTukey => -0.5,
            Self::ModLogLikelihood => -1.0,
            Self::Neyman => -2.0,
            Self::CressieRead => 2.0 / 3.0,
        }
    }

    /// One term of the statistic, as scipy's `_power_divergence` computes it.
    fn term(self, obs: f64, exp: f64) -> f64 {
        match self {
            Self::Pearson => (obs - exp).powi(2) / exp,
            Self::LogLikelihood => 2.0 * xlogy(obs, obs / exp),
            Self::ModLogLikelihood => 2.0 * xlogy(exp, exp / obs),
            other => {
                let l = other.lambda();
                obs * ((obs / exp).powf(l) - 1.0) / (0.5 * l * (l + 1.0))
            }
        }
    }
}

impl fmt::Display for PowerDivergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The power-divergence names, in the order of [`PowerDivergence::ALL`], for messages.
pub const LAMBDA_NAMES: &str =
    "pearson, log-likelihood, freeman-tukey, mod-log-likelihood, neyman, cressie-read";

impl FromStr for PowerDivergence {
    type Err = Error;

    /// Parses scipy's names (`pearson`, `log-likelihood`, ...; `_` for `-` and `g`
    /// for the G-test accepted), ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Error> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        if key == "g" || key == "g-test" {
            return Ok(Self::LogLikelihood);
        }
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == key)
            .ok_or_else(|| Error::UnknownName {
                what: "lambda",
                value: s.to_owned(),
                expected: LAMBDA_NAMES,
            })
    }
}

/// `scipy.special.xlogy`: `x * ln(y)`, 0 when x is 0 (and y is not NaN).
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 && !y.is_nan() {
        0.0
    } else {
        x * y.ln()
    }
}

/// Upper tail of chi-square with `dof` degrees of freedom (0 at an infinite statistic).
fn chi2_sf(statistic: f64, dof: usize) -> f64 {
    if statistic == f64::INFINITY {
        return 0.0;
    }
    ChiSquared::new(dof as f64)
        .map(|d| d.sf(statistic))
        .unwrap_or(f64::NAN)
}

/// `scipy.stats.chi2_contingency([reference, current], correction=yates,
/// lambda_=lambda)` for counts over the same K categories. Categories empty in both
/// rows are left out (their expected count would be zero, which scipy rejects). Yates'
/// correction applies only with one degree of freedom (K = 2), as in scipy.
///
/// # Errors
/// Rows of different lengths or a row without counts.
pub fn chi2_contingency(
    reference: &[f64],
    current: &[f64],
    yates: bool,
    lambda: PowerDivergence,
) -> Result<Chi2Result, Error> {
    let Cells {
        cells,
        reference: ra,
        current: rb,
    } = nonempty_cells(reference, current)?;
    let total = ra + rb;
    let dof = cells.len().saturating_sub(1);
    if dof == 0 {
        return Ok(Chi2Result {
            statistic: 0.0,
            p_value: 1.0,
            dof,
            yates: false,
        });
    }
    let correct = yates && dof == 1;
    // Yates: move each observed count toward its expected count by at most 0.5
    let adjust = |obs: f64, exp: f64| {
        if correct {
            let diff = exp - obs;
            obs + diff.abs().min(0.5) * diff.signum()
        } else {
            obs
        }
    };
    let statistic: f64 = cells
        .iter()
        .map(|(a, b)| {
            let col = a + b;
            let (ea, eb) = (ra * col / total, rb * col / total);
            lambda.term(adjust(*a, ea), ea) + lambda.term(adjust(*b, eb), eb)
        })
        .sum();
    Ok(Chi2Result {
        statistic,
        p_value: chi2_sf(statistic, dof),
        dof,
        yates: correct,
    })
}

/// [`chi2_contingency`] without correction, Pearson's statistic.
///
/// # Errors
/// As [`chi2_contingency`].
pub fn chi2_homogeneity(reference: &[f64], current: &[f64]) -> Result<Chi2Result, Error> {
    chi2_contingency(reference, current, false, PowerDivergence::Pearson)
}

/// Evidently's chi-square: `scipy.stats.power_divergence(f_obs=current,
/// f_exp=reference * (n_current / n_reference), lambda_=lambda)` over the categories
/// present in either sample (`lambda` Pearson is `scipy.stats.chisquare`). An unseen
/// category (reference count 0) makes the statistic infinite and p = 0.
///
/// # Errors
/// Rows of different lengths or a row without counts; [`Error::Undefined`] when
/// scipy's answer is nan (one category only, or a zero count under a `lambda` that
/// divides by it).
pub fn chisquare_gof(
    reference: &[f64],
    current: &[f64],
    lambda: PowerDivergence,
) -> Result<Chi2Result, Error> {
    let Cells {
        cells,
        reference: ra,
        current: rb,
    } = nonempty_cells(reference, current)?;
    let k_norm = rb / ra;
    let statistic: f64 = cells.iter().map(|(r, c)| lambda.term(*c, r * k_norm)).sum();
    let dof = cells.len() - 1;
    if dof == 0 {
        return Err(Error::Undefined {
            test: "chi2-gof",
            why: "both samples hold one and the same category (0 degrees of freedom)".into(),
        });
    }
    if statistic.is_nan() {
        return Err(Error::Undefined {
            test: "chi2-gof",
            why: format!("lambda {lambda} divides by a zero count (a category on one side only)"),
        });
    }
    Ok(Chi2Result {
        statistic,
        p_value: chi2_sf(statistic, dof),
        dof,
        yates: false,
    })
}

/// The categories with a count on either side (reference, current), and the two row
/// totals.
struct Cells {
    cells: Vec<(f64, f64)>,
    reference: f64,
    current: f64,
}

/// The [`Cells`] of two count rows.
fn nonempty_cells(reference: &[f64], current: &[f64]) -> Result<Cells, Error> {
    if reference.len() != current.len() {
        return Err(Error::TooSmall {
            what: format!(
                "the count rows differ in length ({} vs {})",
                reference.len(),
                current.len()
            ),
        });
    }
    let cells: Vec<(f64, f64)> = reference
        .iter()
        .zip(current)
        .map(|(&a, &b)| (a, b))
        .filter(|(a, b)| a + b > 0.0)
        .collect();
    let (ra, rb): (f64, f64) = cells
        .iter()
        .fold((0.0, 0.0), |(x, y), (a, b)| (x + a, y + b));
    if ra == 0.0 {
        return Err(Error::EmptySample { which: "reference" });
    }
    if rb == 0.0 {
        return Err(Error::EmptySample { which: "current" });
    }
    Ok(Cells {
        cells,
        reference: ra,
        current: rb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_names_parse_back() {
        assert_eq!(
            LAMBDA_NAMES,
            PowerDivergence::ALL.map(PowerDivergence::as_str).join(", ")
        );
        assert_eq!(
            "G".parse::<PowerDivergence>(),
            Ok(PowerDivergence::LogLikelihood)
        );
        assert_eq!(
            "pearsn".parse::<PowerDivergence>().unwrap_err(),
            Error::UnknownName {
                what: "lambda",
                value: "pearsn".into(),
                expected: LAMBDA_NAMES,
            }
        );
    }

    #[test]
    fn known_table() {
        // scipy.stats.chi2_contingency([[10, 20, 30], [20, 20, 20]], correction=False)
        let r = chi2_homogeneity(&[10.0, 20.0, 30.0], &[20.0, 20.0, 20.0]).unwrap();
        assert!(
            (r.statistic - 5.333333333333333).abs() < 1e-12,
            "{}",
            r.statistic
        );
        assert!(
            (r.p_value - 0.06948345122280154).abs() < 1e-12,
            "{}",
            r.p_value
        );
        assert_eq!(r.dof, 2);
    }

    #[test]
    fn identical_shares_give_zero() {
        let r = chi2_homogeneity(&[1.0, 2.0, 0.0], &[2.0, 4.0, 0.0]).unwrap();
        assert_eq!((r.statistic, r.dof), (0.0, 1));
        assert!((r.p_value - 1.0).abs() < 1e-15);
        assert!(chi2_homogeneity(&[0.0], &[1.0]).is_err());
    }

    #[test]
    fn yates_and_g_test_match_scipy() {
        // chi2_contingency([[12, 3], [17, 16]]) (correction=True by default)
        let r =
            chi2_contingency(&[12.0, 3.0], &[17.0, 16.0], true, PowerDivergence::Pearson).unwrap();
        assert!(r.yates);
        assert!(
            (r.statistic - 2.4091074080184787).abs() < 1e-12,
            "{}",
            r.statistic
        );
        // a 2 x 3 table is not corrected (dof 2)
        let r = chi2_contingency(
            &[10.0, 20.0, 30.0],
            &[20.0, 20.0, 20.0],
            true,
            PowerDivergence::LogLikelihood,
        )
        .unwrap();
        assert!(!r.yates);
        // chi2_contingency(..., lambda_="log-likelihood").statistic
        assert!(
            (r.statistic - 5.4115320909768325).abs() < 1e-12,
            "{}",
            r.statistic
        );
    }

    #[test]
    fn goodness_of_fit_is_evidentlys() {
        // chisquare([20, 20, 20], [20, 40, 60] * 60 / 120)
        let r = chisquare_gof(
            &[20.0, 40.0, 60.0],
            &[20.0, 20.0, 20.0],
            PowerDivergence::Pearson,
        )
        .unwrap();
        assert!(
            (r.statistic - 13.333333333333334).abs() < 1e-12,
            "{}",
            r.statistic
        );
        // an unseen category: p = 0
        let r =
            chisquare_gof(&[5.0, 5.0, 0.0], &[4.0, 4.0, 2.0], PowerDivergence::Pearson).unwrap();
        assert_eq!((r.statistic, r.p_value), (f64::INFINITY, 0.0));
        assert!(chisquare_gof(&[5.0], &[3.0], PowerDivergence::Pearson).is_err());
        assert_eq!(
            "G".parse::<PowerDivergence>().unwrap(),
            PowerDivergence::LogLikelihood
        );
        assert!("chi".parse::<PowerDivergence>().is_err());
    }
}
