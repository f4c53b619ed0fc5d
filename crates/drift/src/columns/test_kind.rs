//! The two-sample tests a column can run ([`TestKind`]), their names and default
//! thresholds, and Evidently's automatic choice ([`auto_test`]).

use std::fmt;
use std::str::FromStr;

use driftwatch_core::ColumnKind;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The two-sample test run on a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// Evidently's rules: by reference size, column kind and distinct values.
    Auto,
    /// Kolmogorov-Smirnov (p-value; alternative, method).
    Ks,
    /// Wasserstein-1 distance in the column's units.
    Wasserstein,
    /// Wasserstein distance over the reference std.
    WassersteinNormed,
    /// Energy distance.
    Energy,
    /// Cramér-von Mises (p-value; method).
    Cvm,
    /// Anderson-Darling k-sample statistic (drift above the 5% critical value;
    /// variant).
    Anderson,
    /// Mann-Whitney U (p-value; alternative, method).
    Mannwhitney,
    /// Population stability index on reference deciles.
    Psi,
    /// Jensen-Shannon distance.
    Jensenshannon,
    /// Chi-square test of homogeneity on the 2 x K table (p-value; yates, lambda).
    Chi2,
    /// Evidently's chi-square: current counts against reference shares (p-value;
    /// lambda).
    Chi2Gof,
    /// Two-proportion z-test (p-value).
    Z,
    /// Hellinger distance.
    Hellinger,
    /// KL divergence (reference from current).
    Kl,
    /// Total variation distance.
    Tvd,
}

/// All test names, for messages.
pub const TEST_NAMES: &str = "auto, ks, wasserstein, wasserstein-normed, energy, cvm, anderson, mannwhitney, psi, jensenshannon, chi2, chi2-gof, z, hellinger, kl, tvd";

/// scipy's `anderson_ksamp` critical value at the 5% level (two samples).
pub const ANDERSON_CRITICAL_5PCT: f64 = 1.961;

impl TestKind {
    /// Every test, in [`TEST_NAMES`] order.
    pub const ALL: [TestKind; 16] = [
        TestKind::Auto,
        TestKind::Ks,
        TestKind::Wasserstein,
        TestKind::WassersteinNormed,
        TestKind::Energy,
        TestKind::Cvm,
        TestKind::Anderson,
        TestKind::Mannwhitney,
        TestKind::Psi,
        TestKind::Jensenshannon,
        TestKind::Chi2,
        TestKind::Chi2Gof,
        TestKind::Z,
        TestKind::Hellinger,
        TestKind::Kl,
        TestKind::Tvd,
    ];

    /// The CLI / JSON name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TestKind::Auto => "auto",
            TestKind::Ks => "ks",
            TestKind::Wasserstein => "wasserstein",
            TestKind::WassersteinNormed => "wasserstein-normed",
            TestKind::Energy => "energy",
            TestKind::Cvm => "cvm",
            TestKind::Anderson => "anderson",
            TestKind::Mannwhitney => "mannwhitney",
            TestKind::Psi => "psi",
            TestKind::Jensenshannon => "jensenshannon",
            TestKind::Chi2 => "chi2",
            TestKind::Chi2Gof => "chi2-gof",
            TestKind::Z => "z",
            TestKind::Hellinger => "hellinger",
            TestKind::Kl => "kl",
            TestKind::Tvd => "tvd",
        }
    }

    /// Whether the verdict comes from a p-value (drift when p < threshold) rather than
    /// a distance (drift when statistic >= threshold).
    #[must_use]
    pub const fn has_p_value(self) -> bool {
        matches!(
            self,
            TestKind::Ks
                | TestKind::Cvm
                | TestKind::Mannwhitney
                | TestKind::Chi2
                | TestKind::Chi2Gof
                | TestKind::Z
        )
    }

    /// The default threshold: 0.05 for p-values, 0.1 for distances (Evidently's),
    /// the 5% critical value for Anderson-Darling.
    #[must_use]
    pub const fn default_threshold(self) -> f64 {
        match self {
            TestKind::Anderson => ANDERSON_CRITICAL_5PCT,
            t if t.has_p_value() => 0.05,
            _ => 0.1,
        }
    }

    /// Tests that only make sense on ordered numeric values.
    pub(crate) const fn numeric_only(self) -> bool {
        matches!(
            self,
            TestKind::Ks
                | TestKind::Wasserstein
                | TestKind::WassersteinNormed
                | TestKind::Energy
                | TestKind::Cvm
                | TestKind::Anderson
                | TestKind::Mannwhitney
                | TestKind::Psi
        )
    }
}

impl fmt::Display for TestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TestKind {
    type Err = Error;

    /// Parses a name of [`TEST_NAMES`], ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Error> {
        let key = s.trim().to_ascii_lowercase();
        TestKind::ALL
            .into_iter()
            .find(|t| t.as_str() == key)
            .ok_or_else(|| Error::UnknownName {
                what: "test",
                value: s.to_owned(),
                expected: TEST_NAMES,
            })
    }
}

/// Evidently's choice of test. `n` = reference values, `u` = distinct values of both
/// samples. N <= 1000: numeric with U > 5 -> `ks`; U 3..5 -> `chi2`; U <= 2 -> `z`;
/// N > 1000: numeric with U > 5 -> `wasserstein-normed`, otherwise `jensenshannon`.
///
/// Where Evidently's auto runs its own chi-square (a goodness-of-fit test of the
/// current counts against the reference shares, [`TestKind::Chi2Gof`]), this runs
/// the two-sample table ([`TestKind::Chi2`], scipy's `chi2_contingency`): `auto` picks
/// chi-square only for references of at most 1000 values, where treating the
/// reference shares as exact, as the goodness-of-fit test does, inflates the
/// statistic by about `1 + n_current / n_reference` and with it the false alarms.
/// Name `chi2-gof` for Evidently's numbers.
#[must_use]
pub fn auto_test(kind: ColumnKind, n: usize, u: usize) -> TestKind {
    let numeric = kind == ColumnKind::Numeric;
    if n <= 1000 {
        if numeric && u > 5 {
            TestKind::Ks
        } else if u > 2 {
            TestKind::Chi2
        } else {
            TestKind::Z
        }
    } else if numeric && u > 5 {
        TestKind::WassersteinNormed
    } else {
        TestKind::Jensenshannon
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for t in TestKind::ALL {
            assert_eq!(t.as_str().parse::<TestKind>().unwrap(), t);
            assert!(TEST_NAMES.split(", ").any(|n| n == t.as_str()));
        }
        assert_eq!(TEST_NAMES.split(", ").count(), TestKind::ALL.len());
        assert_eq!(" KS ".parse::<TestKind>(), Ok(TestKind::Ks));
        assert_eq!(
            "kss".parse::<TestKind>().unwrap_err().to_string(),
            format!("unknown test 'kss': expected {TEST_NAMES}")
        );
        assert_eq!(
            serde_json::to_string(&TestKind::Chi2Gof).unwrap(),
            "\"chi2-gof\""
        );
    }

    #[test]
    fn auto_follows_evidently_rules() {
        use ColumnKind::*;
        assert_eq!(auto_test(Numeric, 1000, 6), TestKind::Ks);
        assert_eq!(auto_test(Numeric, 1000, 5), TestKind::Chi2);
        assert_eq!(auto_test(Numeric, 1000, 2), TestKind::Z);
        assert_eq!(auto_test(Categorical, 10, 3), TestKind::Chi2);
        assert_eq!(auto_test(Categorical, 10, 2), TestKind::Z);
        assert_eq!(auto_test(Numeric, 1001, 6), TestKind::WassersteinNormed);
        assert_eq!(auto_test(Numeric, 1001, 5), TestKind::Jensenshannon);
        assert_eq!(auto_test(Categorical, 5000, 50), TestKind::Jensenshannon);
    }
}
