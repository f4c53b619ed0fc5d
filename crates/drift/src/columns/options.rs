//! What a drift check is asked to do: the test, its options, the verdict settings,
//! and the guard that refuses an option the chosen test would not use
//! ([`DriftOptions::check`]), so that no option is ever dropped without a word. What
//! a column's test did take is recorded in its row ([`AppliedOptions`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error as ThisError;

use crate::chi2::PowerDivergence;
use crate::ks::Alternative;
use crate::stats::PValueMethod;
use crate::stats::anderson::AndersonVariant;

use super::{Correction, TestKind};

/// Per-column overrides (from `drift.toml`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnOverride {
    /// The test for this column.
    #[serde(default)]
    pub test: Option<TestKind>,
    /// Its threshold.
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// How to test the columns. Every field has a default, so configurations written
/// before a field existed keep loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriftOptions {
    /// The test (auto by default).
    pub test: TestKind,
    /// Alternative hypothesis of `ks` and `mannwhitney` (about the reference: `less`
    /// = the reference's CDF below the current one / the reference stochastically
    /// smaller).
    pub alternative: Alternative,
    /// p-value method of `ks`, `mannwhitney` and `cvm`. `None` is each test's
    /// default: `auto` for ks (scipy's), `asymptotic` for mannwhitney and cvm (the
    /// golden definitions; `auto` asks for scipy's exact-when-small rule).
    pub method: Option<PValueMethod>,
    /// Anderson-Darling variant.
    pub variant: AndersonVariant,
    /// Yates' continuity correction of `chi2` (applied when the table has one degree
    /// of freedom, as scipy's `chi2_contingency(correction=True)`).
    pub yates: bool,
    /// The power-divergence statistic of `chi2` and `chi2-gof` (scipy's `lambda_`).
    pub lambda: PowerDivergence,
    /// The threshold; `None` takes the test's default (0.05 for p-values, 0.1 for
    /// distances).
    pub threshold: Option<f64>,
    /// A significant p-value counts as drift only when the effect is at least this.
    pub min_effect: Option<f64>,
    /// Multiple-testing correction over the columns of one check.
    pub correction: Correction,
    /// The dataset drifts when at least this share of columns drifts.
    pub drift_share: f64,
    /// Per-column test and threshold.
    pub overrides: BTreeMap<String, ColumnOverride>,
    /// A rise of the missing share by at least this much (absolute) is a finding.
    pub missing_share_tolerance: f64,
    /// Columns compared as numbers even where `auto` would compare them as categories
    /// (integers with few values) or leave them out (timestamps).
    pub numerical: Vec<String>,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            test: TestKind::Auto,
            alternative: Alternative::TwoSided,
            method: None,
            variant: AndersonVariant::Midrank,
            yates: false,
            lambda: PowerDivergence::Pearson,
            threshold: None,
            min_effect: None,
            correction: Correction::None,
            drift_share: 0.5,
            overrides: BTreeMap::new(),
            missing_share_tolerance: 0.05,
            numerical: Vec::new(),
        }
    }
}

/// The options of [`DriftOptions`], by their configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionName {
    /// `alternative`.
    Alternative,
    /// `method`.
    Method,
    /// `variant`.
    Variant,
    /// `yates`.
    Yates,
    /// `lambda`.
    Lambda,
    /// `threshold`.
    Threshold,
    /// `min_effect`.
    MinEffect,
    /// `correction`.
    Correction,
    /// `drift_share`.
    DriftShare,
    /// `missing_share_tolerance`.
    MissingShareTolerance,
}

/// The tests with a p-value, where `min_effect` and `correction` act.
const P_VALUE_TESTS: &[TestKind] = &[
    TestKind::Ks,
    TestKind::Cvm,
    TestKind::Mannwhitney,
    TestKind::Chi2,
    TestKind::Chi2Gof,
    TestKind::Z,
];

impl OptionName {
    /// Every option.
    pub const ALL: [OptionName; 10] = [
        OptionName::Alternative,
        OptionName::Method,
        OptionName::Variant,
        OptionName::Yates,
        OptionName::Lambda,
        OptionName::Threshold,
        OptionName::MinEffect,
        OptionName::Correction,
        OptionName::DriftShare,
        OptionName::MissingShareTolerance,
    ];

    /// The configuration key (`drift.toml`, `monitor.toml`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            OptionName::Alternative => "alternative",
            OptionName::Method => "method",
            OptionName::Variant => "variant",
            OptionName::Yates => "yates",
            OptionName::Lambda => "lambda",
            OptionName::Threshold => "threshold",
            OptionName::MinEffect => "min_effect",
            OptionName::Correction => "correction",
            OptionName::DriftShare => "drift_share",
            OptionName::MissingShareTolerance => "missing_share_tolerance",
        }
    }

    /// The tests that take the option; `None` for options of every test (threshold,
    /// dataset share, missing share). `auto` takes `min_effect` and `correction`
    /// (they act where it picks a p-value test) but none of the test-specific ones.
    #[must_use]
    pub const fn applies_to(self) -> Option<&'static [TestKind]> {
        match self {
            OptionName::Alternative => Some(&[TestKind::Ks, TestKind::Mannwhitney]),
            OptionName::Method => Some(&[TestKind::Ks, TestKind::Mannwhitney, TestKind::Cvm]),
            OptionName::Variant => Some(&[TestKind::Anderson]),
            OptionName::Yates => Some(&[TestKind::Chi2]),
            OptionName::Lambda => Some(&[TestKind::Chi2, TestKind::Chi2Gof]),
            OptionName::MinEffect | OptionName::Correction => Some(P_VALUE_TESTS),
            OptionName::Threshold | OptionName::DriftShare | OptionName::MissingShareTolerance => {
                None
            }
        }
    }

    /// Whether `test` takes the option (`auto` only the p-value options).
    #[must_use]
    pub fn applies(self, test: TestKind) -> bool {
        match self.applies_to() {
            None => true,
            Some(tests) => {
                tests.contains(&test)
                    || (test == TestKind::Auto
                        && matches!(self, OptionName::MinEffect | OptionName::Correction))
            }
        }
    }

    /// Whether the option is specific to some tests (so `auto` cannot take it).
    #[must_use]
    pub const fn test_specific(self) -> bool {
        matches!(
            self,
            OptionName::Alternative
                | OptionName::Method
                | OptionName::Variant
                | OptionName::Yates
                | OptionName::Lambda
        )
    }
}

impl fmt::Display for OptionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Names of tests, comma separated.
fn names(tests: &[TestKind]) -> String {
    tests
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An option the check refuses. [`OptionError::render`] names the option as the
/// caller spells it (the CLI as a flag); `Display` uses the configuration key.
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum OptionError {
    /// The option is set but the test does not take it.
    #[error("{}", self.render(|o| format!("`{}`", o.key())))]
    NotApplicable {
        /// The option.
        option: OptionName,
        /// Its value.
        value: String,
        /// The test that would run.
        test: TestKind,
        /// Where: `None` for the whole check, or the column of a per-column test.
        column: Option<String>,
    },
    /// A test-specific option with `auto`, which picks a test per column.
    #[error("{}", self.render(|o| format!("`{}`", o.key())))]
    NeedsNamedTest {
        /// The option.
        option: OptionName,
        /// Its value.
        value: String,
    },
    /// A value out of its range.
    #[error("{}", self.render(|o| format!("`{}`", o.key())))]
    OutOfRange {
        /// The option.
        option: OptionName,
        /// Its value.
        value: f64,
        /// The allowed range.
        expected: String,
        /// Where: `None` for the whole check, or the column of an override.
        column: Option<String>,
    },
}

impl OptionError {
    /// The option refused.
    #[must_use]
    pub fn option(&self) -> OptionName {
        match self {
            OptionError::NotApplicable { option, .. }
            | OptionError::NeedsNamedTest { option, .. }
            | OptionError::OutOfRange { option, .. } => *option,
        }
    }

    /// The message, with options named by `name` (e.g. `--min-effect` in the CLI).
    pub fn render(&self, name: impl Fn(OptionName) -> String) -> String {
        let applies = |o: OptionName| match o.applies_to() {
            Some(tests) if o.test_specific() => format!("it applies to {}", names(tests)),
            Some(tests) => format!("it applies to auto and {}", names(tests)),
            None => "it applies to every test".into(),
        };
        match self {
            OptionError::NotApplicable {
                option,
                value,
                test,
                column,
            } => {
                let place = column
                    .as_ref()
                    .map_or(String::new(), |c| format!(" (the test of column '{c}')"));
                format!(
                    "{} {value} does not apply to the test {test}{place}: {}",
                    name(*option),
                    applies(*option)
                )
            }
            OptionError::NeedsNamedTest { option, value } => format!(
                "{} {value} needs a named test: auto picks the test per column (ks, chi2, z, wasserstein-normed or jensenshannon) and would drop it where the test does not take it; {}",
                name(*option),
                applies(*option)
            ),
            OptionError::OutOfRange {
                option,
                value,
                expected,
                column,
            } => {
                let place = column
                    .as_ref()
                    .map_or(String::new(), |c| format!(" (column '{c}')"));
                format!("{} {value}{place} must be {expected}", name(*option))
            }
        }
    }
}

impl DriftOptions {
    /// The options whose value differs from the default (which every test accepts,
    /// as it changes nothing), with their value as text. `method = auto` counts as
    /// unset: it lets each test choose.
    #[must_use]
    pub fn set_options(&self) -> Vec<(OptionName, String)> {
        let mut out = Vec::new();
        if self.alternative != Alternative::TwoSided {
            out.push((OptionName::Alternative, self.alternative.to_string()));
        }
        if let Some(m) = self.method.filter(|m| *m != PValueMethod::Auto) {
            out.push((OptionName::Method, m.to_string()));
        }
        if self.variant != AndersonVariant::Midrank {
            out.push((OptionName::Variant, self.variant.to_string()));
        }
        if self.yates {
            out.push((OptionName::Yates, "true".into()));
        }
        if self.lambda != PowerDivergence::Pearson {
            out.push((OptionName::Lambda, self.lambda.to_string()));
        }
        if let Some(m) = self.min_effect {
            out.push((OptionName::MinEffect, m.to_string()));
        }
        if self.correction != Correction::None {
            out.push((OptionName::Correction, self.correction.as_str().into()));
        }
        out
    }

    /// Refuses an option the chosen test would not use, and values out of range: a
    /// test-specific option with `auto` (which picks the test per column), an option
    /// of other tests (`variant` with ks), `min_effect` or `correction` with a
    /// distance, thresholds that are not positive (or not below 1 for p-value tests),
    /// shares outside (0, 1]. Per-column tests of the overrides take the options
    /// that apply to them; each row records what it took ([`AppliedOptions`]).
    ///
    /// # Errors
    /// The first problem found.
    pub fn check(&self) -> Result<(), OptionError> {
        for (option, value) in self.set_options() {
            if self.test == TestKind::Auto && option.test_specific() {
                return Err(OptionError::NeedsNamedTest { option, value });
            }
            if !option.applies(self.test) {
                return Err(OptionError::NotApplicable {
                    option,
                    value,
                    test: self.test,
                    column: None,
                });
            }
        }
        let range = |option, value: f64, expected: &str, column: Option<&String>| {
            Err(OptionError::OutOfRange {
                option,
                value,
                expected: expected.into(),
                column: column.cloned(),
            })
        };
        let threshold_ok = |t: Option<f64>, test: TestKind, column: Option<&String>| match t {
            Some(t) if !(t.is_finite() && t > 0.0) => {
                range(OptionName::Threshold, t, "a positive number", column)
            }
            Some(t) if test.has_p_value() && t >= 1.0 => range(
                OptionName::Threshold,
                t,
                &format!("between 0 and 1 for the p-value test {test}"),
                column,
            ),
            _ => Ok(()),
        };
        threshold_ok(self.threshold, self.test, None)?;
        for (name, over) in &self.overrides {
            threshold_ok(over.threshold, over.test.unwrap_or(self.test), Some(name))?;
        }
        if let Some(m) = self.min_effect.filter(|m| !(m.is_finite() && *m >= 0.0)) {
            return range(OptionName::MinEffect, m, "a non-negative number", None);
        }
        if !(self.drift_share > 0.0 && self.drift_share <= 1.0) {
            return range(OptionName::DriftShare, self.drift_share, "in (0, 1]", None);
        }
        let tol = self.missing_share_tolerance;
        if !(tol.is_finite() && tol >= 0.0) {
            return range(
                OptionName::MissingShareTolerance,
                tol,
                "a non-negative number",
                None,
            );
        }
        Ok(())
    }

    /// The set options that `test` (the test a column ran) did not take, as
    /// `key = value` text for the row's note.
    pub(crate) fn not_applied(&self, test: TestKind) -> Vec<String> {
        self.set_options()
            .into_iter()
            .filter(|(o, _)| !o.applies(test))
            .map(|(o, v)| format!("{} = {v}", o.key()))
            .collect()
    }
}

/// The options a column's test took, with the values it used (the method after
/// resolving `auto` and any fallback); the `options` object of a JSON row. Empty for
/// tests without options.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AppliedOptions {
    /// ks, mannwhitney: the alternative hypothesis.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alternative: Option<Alternative>,
    /// ks, mannwhitney, cvm: the method that gave the p-value.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub method: Option<PValueMethod>,
    /// anderson: the variant.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub variant: Option<AndersonVariant>,
    /// chi2: `true` when Yates' correction changed the table (one degree of freedom).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub yates: Option<bool>,
    /// chi2, chi2-gof: the power-divergence statistic.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lambda: Option<PowerDivergence>,
    /// p-value tests: the minimum effect the verdict required.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_effect: Option<f64>,
}

impl AppliedOptions {
    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == AppliedOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut DriftOptions)) -> DriftOptions {
        let mut o = DriftOptions::default();
        f(&mut o);
        o
    }

    #[test]
    fn options_the_test_does_not_take_are_refused() {
        let e = with(|o| {
            o.test = TestKind::Psi;
            o.alternative = Alternative::Less;
        })
        .check()
        .unwrap_err();
        assert_eq!(e.option(), OptionName::Alternative);
        assert_eq!(
            e.to_string(),
            "`alternative` less does not apply to the test psi: it applies to ks, mannwhitney"
        );
        let e = with(|o| o.variant = AndersonVariant::Right)
            .check()
            .unwrap_err();
        assert!(matches!(e, OptionError::NeedsNamedTest { .. }), "{e}");
        assert!(
            e.render(|o| format!("--{}", o.key()))
                .starts_with("--variant right needs a named test")
        );
        let e = with(|o| {
            o.test = TestKind::Wasserstein;
            o.min_effect = Some(0.1);
        })
        .check()
        .unwrap_err();
        assert_eq!(e.option(), OptionName::MinEffect);
        // defaults are accepted everywhere (old configs: alternative = "two-sided",
        // method = "auto" with test = "psi")
        let old = with(|o| {
            o.test = TestKind::Psi;
            o.method = Some(PValueMethod::Auto);
        });
        assert!(old.check().is_ok());
        // auto takes min_effect and correction, and mannwhitney its method
        assert!(
            with(|o| {
                o.min_effect = Some(0.2);
                o.correction = Correction::Holm;
            })
            .check()
            .is_ok()
        );
        assert!(
            with(|o| {
                o.test = TestKind::Mannwhitney;
                o.method = Some(PValueMethod::Exact);
                o.alternative = Alternative::Greater;
            })
            .check()
            .is_ok()
        );
    }

    #[test]
    fn values_out_of_range_are_refused() {
        let e = with(|o| {
            o.test = TestKind::Ks;
            o.threshold = Some(1.5);
        })
        .check()
        .unwrap_err();
        assert_eq!(e.option(), OptionName::Threshold);
        assert!(with(|o| o.drift_share = 0.0).check().is_err());
        let e = with(|o| {
            o.overrides.insert(
                "x".into(),
                ColumnOverride {
                    test: Some(TestKind::Psi),
                    threshold: Some(-1.0),
                },
            );
        })
        .check()
        .unwrap_err();
        assert!(e.to_string().contains("column 'x'"), "{e}");
    }

    #[test]
    fn old_configs_load() {
        // a monitor.toml [options] table written before the new options existed
        let o: DriftOptions = serde_json::from_str(
            r#"{"threshold": 0.05, "alternative": "two-sided", "method": "auto"}"#,
        )
        .unwrap();
        assert_eq!(o.method, Some(PValueMethod::Auto));
        assert_eq!((o.variant, o.yates), (AndersonVariant::Midrank, false));
        assert!(o.check().is_ok());
        // KS's spelling of the asymptotic method still reads; with auto it is refused
        // (auto may not pick ks), with ks it applies
        let mut o: DriftOptions = serde_json::from_str(r#"{"method": "asymp"}"#).unwrap();
        assert_eq!(o.method, Some(PValueMethod::Asymptotic));
        assert!(o.check().is_err());
        o.test = TestKind::Ks;
        assert!(o.check().is_ok());
    }
}
