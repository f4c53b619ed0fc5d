//! The check of a current frame against a fitted reference: each column's data
//! findings, the test (resolved from `auto`), its verdict and notes, then the
//! correction over the columns.

use rayon::prelude::*;

use driftwatch_core::{Column, ColumnKind, Frame};

use super::categorical::{Outcome, categorical_test};
use super::correction::{apply_correction, effect_ok};
use super::reference::category_counts;
use super::sketched;
use super::{
    AppliedOptions, ColumnDrift, ColumnOverride, ColumnReference, DataIssue, DriftOptions,
    DriftReference, DriftReport, FittedColumn, MAX_LISTED, NumericReference, SKIPPED, TestKind,
    auto_test, numeric,
};
use crate::Error;
use crate::stats::divergence;

impl DriftReference {
    /// Tests every fitted column of `current` (in parallel), in the reference's order.
    /// A column missing from `current` or of another kind is a finding, not an error.
    pub fn check(
        &self,
        current: &Frame,
        options: &DriftOptions,
    ) -> driftwatch_core::Result<Vec<ColumnDrift>> {
        let mut rows: Vec<ColumnDrift> = self
            .columns
            .par_iter()
            .map(|f| match current.column(&f.name) {
                Ok(col) => check_column(f, &View::of(col), options),
                Err(_) => one_sided(f, options),
            })
            .collect();
        apply_correction(&mut rows, options);
        Ok(rows)
    }

    /// [`DriftReference::check`] plus columns present in `current` only, and the
    /// dataset verdict.
    pub fn report(
        &self,
        current: &Frame,
        options: &DriftOptions,
    ) -> driftwatch_core::Result<DriftReport> {
        let mut columns = self.check(current, options)?;
        for name in current.names() {
            if self.columns.iter().any(|c| &c.name == name) {
                continue;
            }
            let col = current.column(name)?;
            columns.push(ColumnDrift {
                issues: vec![DataIssue {
                    kind: "one_sided".into(),
                    status: "alert".into(),
                    message: format!(
                        "column '{name}' is in the current data only; add it to the reference or leave it out of the checked columns"
                    ),
                }],
                note: Some("not in the reference".into()),
                ..empty_row(name, current.kind(name)?, 0, col.missing_count(), f64::NAN)
            });
        }
        Ok(DriftReport::from_rows(columns, options))
    }
}

pub(crate) fn empty_row(
    name: &str,
    kind: ColumnKind,
    n_cur: usize,
    missing_cur: usize,
    thr: f64,
) -> ColumnDrift {
    ColumnDrift {
        column: name.to_string(),
        kind,
        test: "none".into(),
        statistic: None,
        p_value: None,
        p_adjusted: None,
        threshold: thr,
        options: AppliedOptions::default(),
        drift: false,
        effect: None,
        n_reference: 0,
        n_current: n_cur,
        missing_reference: 0,
        missing_current: missing_cur,
        statistic_location: None,
        statistic_sign: None,
        unseen_categories: Vec::new(),
        unseen_distinct: 0,
        unseen_rows: 0,
        exact: None,
        max_cdf_error: None,
        issues: Vec::new(),
        note: None,
    }
}

pub(crate) fn one_sided(f: &FittedColumn, o: &DriftOptions) -> ColumnDrift {
    let mut row = empty_row(&f.name, f.kind(), 0, 0, o.threshold.unwrap_or(f64::NAN));
    row.missing_reference = f.missing;
    row.n_reference = f.rows - f.missing;
    row.note = Some("not in the current data".into());
    row.issues.push(DataIssue {
        kind: "one_sided".into(),
        status: "alert".into(),
        message: format!(
            "column '{}' is in the reference only; the current data lacks it (check the export, or leave it out of the checked columns)",
            f.name
        ),
    });
    row
}

/// Appends a note to the row's (`; ` between notes).
fn push_note(row: &mut ColumnDrift, note: impl Into<String>) {
    let note = note.into();
    row.note = Some(match row.note.take() {
        Some(n) => format!("{n}; {note}"),
        None => note,
    });
}

fn push_missing_issue(row: &mut ColumnDrift, f: &FittedColumn, rows_cur: usize, o: &DriftOptions) {
    let share_ref = if f.rows > 0 {
        f.missing as f64 / f.rows as f64
    } else {
        0.0
    };
    let share_cur = if rows_cur > 0 {
        row.missing_current as f64 / rows_cur as f64
    } else {
        0.0
    };
    if share_cur - share_ref >= o.missing_share_tolerance && row.n_current > 0 {
        row.issues.push(DataIssue {
            kind: "missing_share".into(),
            status: "warning".into(),
            message: format!(
                "column '{}': {:.1}% missing in the current data vs {:.1}% in the reference",
                f.name,
                100.0 * share_cur,
                100.0 * share_ref
            ),
        });
    }
}

/// Whether every value of a sorted sample with at most `max` distinct values is a whole
/// number (Evidently's rule for integer columns that are really categories).
fn few_integers(reference: &NumericReference, max: usize) -> bool {
    reference.distinct <= max
        && reference
            .sorted
            .sorted_values()
            .iter()
            .all(|x| x.is_finite() && x.fract() == 0.0)
}

/// Under `auto`, integer columns with at most this many distinct reference values are
/// compared as categories (Evidently 0.7's rule).
pub const AUTO_CATEGORICAL_MAX_INTEGERS: usize = 10;

/// What a check needs of one current column: a column of a frame, or the summary of
/// a streamed one (category counts, or a sketch of a column too large to keep).
pub(crate) struct View<'a> {
    /// Rows.
    pub rows: usize,
    /// Missing values.
    pub missing: usize,
    /// Its storage kind.
    pub storage: ColumnKind,
    /// The values.
    pub data: ViewData<'a>,
    /// Exact bin counts of a sketched column's binned test (`crate::binpass`).
    pub bins: Option<&'a crate::binpass::ColumnBins>,
}

/// The values of a [`View`].
pub(crate) enum ViewData<'a> {
    /// A whole column.
    Column(&'a Column),
    /// Category counts by label as read (booleans folded at the check).
    Counts(&'a std::collections::BTreeMap<String, usize>),
    /// A numeric column's sketch.
    Sketch(&'a crate::sketch::QuantileSketch),
}

impl<'a> View<'a> {
    /// The view of a whole column.
    pub(crate) fn of(col: &'a Column) -> Self {
        View {
            rows: col.len(),
            missing: col.missing_count(),
            storage: col.kind(),
            data: ViewData::Column(col),
            bins: None,
        }
    }
}

/// Category counts of a view, sorted by label (`boolean` folds the spellings).
fn view_counts(view: &View<'_>, boolean: bool) -> Vec<(String, usize)> {
    match &view.data {
        ViewData::Column(col) => category_counts(col, boolean),
        ViewData::Counts(m) => {
            if !boolean {
                return m.iter().map(|(l, k)| (l.clone(), *k)).collect();
            }
            let mut out = std::collections::BTreeMap::<String, usize>::new();
            for (l, k) in *m {
                let label = if l.eq_ignore_ascii_case("true") || l.eq_ignore_ascii_case("false") {
                    l.to_ascii_lowercase()
                } else {
                    l.clone()
                };
                *out.entry(label).or_default() += k;
            }
            out.into_iter().collect()
        }
        ViewData::Sketch(_) => Vec::new(),
    }
}

pub(crate) fn check_column(f: &FittedColumn, col: &View<'_>, o: &DriftOptions) -> ColumnDrift {
    let name = f.name.as_str();
    let over = o.overrides.get(name);
    let missing = col.missing;
    let mut row = empty_row(name, f.kind(), col.rows - missing, missing, f64::NAN);
    row.missing_reference = f.missing;
    row.n_reference = f.rows - f.missing;
    let numerical = o.numerical.iter().any(|c| c == name);
    if f.kind() == ColumnKind::Timestamp && !numerical {
        row.test = SKIPPED.into();
        row.note = Some(format!(
            "skipped: a timestamp column is not compared (it always moves); \
             listing {name} in `numerical` compares its values as numbers"
        ));
        return row;
    }
    push_missing_issue(&mut row, f, col.rows, o);
    if row.n_reference == 0 || row.n_current == 0 {
        // before the kind check: a column with no value has no kind to compare
        let side = if row.n_reference == 0 {
            "reference"
        } else {
            "current data"
        };
        row.issues.push(DataIssue {
            kind: "all_missing".into(),
            status: "alert".into(),
            message: format!("column '{name}' has no value in the {side} (empty or all missing)"),
        });
        row.note = Some(format!("not tested: no value in the {side}"));
        return row;
    }
    let want = f.kind().storage();
    if col.storage != want {
        row.issues.push(DataIssue {
            kind: "kind_mismatch".into(),
            status: "alert".into(),
            message: format!(
                "column '{name}' is {} in the reference but {} in the current data; read both with the same categorical columns",
                want.as_str(),
                col.storage.as_str()
            ),
        });
        row.note = Some("not tested: the column changed kind".into());
        return row;
    }
    let requested = over.and_then(|v| v.test).unwrap_or(o.test);
    match &f.reference {
        ColumnReference::Numeric(None) => {
            push_note(&mut row, "not tested: the reference holds no usable value");
            row
        }
        ColumnReference::Numeric(Some(reference)) if matches!(col.data, ViewData::Sketch(_)) => {
            let ViewData::Sketch(current) = col.data else {
                return row;
            };
            let a = sketched::Side::of(&reference.sketch(crate::sketch::DEFAULT_LEVEL_CAPACITY));
            check_sketched(
                &mut row,
                f,
                (&a, &sketched::Side::of(current)),
                Some(reference),
                col.bins,
                requested,
                (numerical, over),
                o,
            );
            row
        }
        ColumnReference::Sketch(reference) => {
            let b = match col.data {
                ViewData::Sketch(current) => sketched::Side::of(current),
                ViewData::Column(Column::Numeric(values)) => {
                    let mut s =
                        crate::sketch::QuantileSketch::new(crate::sketch::DEFAULT_LEVEL_CAPACITY);
                    match values.as_slice() {
                        Some(v) => s.extend(v),
                        None => s.extend(&values.to_vec()),
                    }
                    sketched::Side::of(&s)
                }
                _ => return row, // kinds were compared above
            };
            check_sketched(
                &mut row,
                f,
                (&sketched::Side::of(reference), &b),
                None,
                col.bins,
                requested,
                (numerical, over),
                o,
            );
            row
        }
        ColumnReference::Numeric(Some(reference)) => {
            let rs = reference.sorted.sorted_values();
            let ViewData::Column(Column::Numeric(values)) = col.data else {
                return row; // kinds were compared above
            };
            let values: std::borrow::Cow<'_, [f64]> = match values.as_slice() {
                Some(s) => std::borrow::Cow::Borrowed(s),
                None => std::borrow::Cow::Owned(values.to_vec()),
            };
            if requested == TestKind::Auto
                && !numerical
                && few_integers(reference, AUTO_CATEGORICAL_MAX_INTEGERS)
            {
                row.kind = ColumnKind::Categorical;
                row.note = Some(format!(
                    "integers with {} distinct value{} in the reference: compared as categories \
                     (Evidently's rule); listing {name} in `numerical` compares them as numbers",
                    reference.distinct,
                    if reference.distinct == 1 { "" } else { "s" }
                ));
                let (levels, r, c) = numeric::value_counts(reference, &values);
                let labels: Vec<String> = levels
                    .iter()
                    .map(|&v| driftwatch_core::frame::format_number_label(v))
                    .collect();
                compare_categories(&mut row, f, &labels, &r, &c, requested, over, o);
                return row;
            }
            if reference.distinct == 1 {
                push_constant_issue(&mut row, rs[0]);
            }
            let in_ref = rs.partition_point(|&v| v == f64::NEG_INFINITY) + rs.len()
                - rs.partition_point(|&v| v < f64::INFINITY);
            let in_cur = values.iter().filter(|v| v.is_infinite()).count();
            push_infinite_issue(&mut row, in_ref as u64, in_cur as u64);
            let done = numeric::check(reference, &values, row.missing_current, requested, o);
            if !done.unseen.is_empty() {
                let what = format!(
                    "values not in the reference ({} treats each value as a category)",
                    done.test
                );
                record_unseen(&mut row, done.unseen, &what);
            }
            row.effect = (!done.effect.is_nan()).then_some(done.effect);
            finish(&mut row, done.test, done.outcome, over, o);
            row
        }
        ColumnReference::Categorical { levels, counts } => {
            let boolean = f.kind() == ColumnKind::Boolean;
            let current = view_counts(col, boolean);
            let mut all: Vec<String> = levels.clone();
            for (l, _) in &current {
                if levels.binary_search(l).is_err() {
                    all.push(l.clone());
                }
            }
            all.sort();
            let r: Vec<f64> = all
                .iter()
                .map(|l| levels.binary_search(l).map_or(0.0, |i| counts[i]))
                .collect();
            let c: Vec<f64> = all
                .iter()
                .map(|l| {
                    current
                        .binary_search_by(|(k, _)| k.as_str().cmp(l))
                        .map_or(0.0, |i| current[i].1 as f64)
                })
                .collect();
            compare_categories(&mut row, f, &all, &r, &c, requested, over, o);
            row
        }
    }
}

/// A numeric column of which one side is a sketch (`sides`: reference, current): the
/// few-integers rule on exact value counts, else the statistics from the estimated
/// CDFs (binned tests from exactly counted `bins` where given), with `exact: false`
/// and the bound when the bound is not 0.
#[allow(clippy::too_many_arguments)]
fn check_sketched(
    row: &mut ColumnDrift,
    f: &FittedColumn,
    (a, b): (&sketched::Side, &sketched::Side),
    reference: Option<&NumericReference>,
    bins: Option<&crate::binpass::ColumnBins>,
    requested: TestKind,
    (numerical, over): (bool, Option<&ColumnOverride>),
    o: &DriftOptions,
) {
    let name = f.name.as_str();
    if sketched::as_categories(a, b, requested, numerical)
        && let Some((levels, r, c)) = sketched::value_counts(a, b)
    {
        let distinct = r.iter().filter(|&&k| k > 0.0).count();
        row.kind = ColumnKind::Categorical;
        row.note = Some(format!(
            "integers with {distinct} distinct value{} in the reference: compared as categories \
             (Evidently's rule); listing {name} in `numerical` compares them as numbers",
            if distinct == 1 { "" } else { "s" }
        ));
        let labels: Vec<String> = levels
            .iter()
            .map(|&v| driftwatch_core::frame::format_number_label(v))
            .collect();
        compare_categories(row, f, &labels, &r, &c, requested, over, o);
        return;
    }
    if let Some(value) = a.constant() {
        push_constant_issue(row, value);
    }
    push_infinite_issue(row, a.infinite(), b.infinite());
    let (done, e) = sketched::check(a, b, reference, bins, requested, o);
    if e > 0.0 {
        row.exact = Some(false);
        row.max_cdf_error = Some(e);
        push_note(
            row,
            format!(
                "from quantile sketches (the column is larger than the memory limit): each CDF within {e:.2e} in all"
            ),
        );
        for note in bins.map_or(&[][..], |b| &b.notes) {
            push_note(row, note.clone());
        }
    }
    if !done.unseen.is_empty() {
        let what = format!(
            "values not in the reference ({} treats each value as a category)",
            done.test
        );
        record_unseen(row, done.unseen, &what);
    }
    row.effect = (!done.effect.is_nan()).then_some(done.effect);
    finish(row, done.test, done.outcome, over, o);
}

/// Tests category counts (`r`, `c` over `labels`, ascending): unseen categories and a
/// single reference category are findings, then the requested (or automatic) test.
#[allow(clippy::too_many_arguments)]
fn compare_categories(
    row: &mut ColumnDrift,
    f: &FittedColumn,
    labels: &[String],
    r: &[f64],
    c: &[f64],
    requested: TestKind,
    over: Option<&ColumnOverride>,
    o: &DriftOptions,
) {
    let name = f.name.as_str();
    let unseen: Vec<(String, usize)> = labels
        .iter()
        .zip(r.iter().zip(c))
        .filter(|(_, (a, b))| **a == 0.0 && **b > 0.0)
        .map(|(l, (_, &b))| (l.clone(), b as usize))
        .collect();
    record_unseen(row, unseen, "categories not in the reference");
    let in_reference = r.iter().filter(|&&k| k > 0.0).count();
    if in_reference == 1 {
        let only = labels
            .iter()
            .zip(r)
            .find(|(_, k)| **k > 0.0)
            .map_or("", |(l, _)| l.as_str());
        row.issues.push(DataIssue {
            kind: "constant".into(),
            status: "warning".into(),
            message: format!("column '{name}' has one category in the reference ('{only}')"),
        });
    }
    row.effect = Some(divergence::total_variation(r, c));
    let mut test = match requested {
        TestKind::Auto => auto_test(ColumnKind::Categorical, row.n_reference, labels.len()),
        t => t,
    };
    if test.numeric_only() || (test == TestKind::Z && labels.len() > 2) {
        push_note(
            row,
            format!("{test} does not apply to this categorical column; used chi2"),
        );
        test = TestKind::Chi2;
    }
    let outcome = categorical_test(test, r, c, o);
    finish(row, test, outcome, over, o);
}

/// Records unseen values (`what` they are, for the message): the [`MAX_LISTED`] most
/// frequent in the row and the finding, all of them counted.
fn record_unseen(row: &mut ColumnDrift, mut unseen: Vec<(String, usize)>, what: &str) {
    if unseen.is_empty() {
        return;
    }
    row.unseen_distinct = unseen.len();
    row.unseen_rows = unseen.iter().map(|(_, n)| n).sum();
    unseen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    unseen.truncate(MAX_LISTED);
    let list: Vec<String> = unseen
        .iter()
        .map(|(l, n)| format!("'{l}' ({n} rows)"))
        .collect();
    let more = if row.unseen_distinct > MAX_LISTED {
        format!(
            " and {} more; {} in {} rows in all",
            row.unseen_distinct - MAX_LISTED,
            row.unseen_distinct,
            row.unseen_rows
        )
    } else {
        String::new()
    };
    row.issues.push(DataIssue {
        kind: "unseen_categories".into(),
        status: "warning".into(),
        message: format!(
            "column '{}' has {what}: {}{more}",
            row.column,
            list.join(", ")
        ),
    });
    row.unseen_categories = unseen;
}

/// The reference holds one value (exact for a sketch too: its min and max are).
fn push_constant_issue(row: &mut ColumnDrift, value: f64) {
    row.issues.push(DataIssue {
        kind: "constant".into(),
        status: "warning".into(),
        message: format!(
            "column '{}' is constant in the reference ({value}): any change is drift, and distances are not scaled",
            row.column
        ),
    });
}

/// An `infinite_values` finding when either side holds an infinity (the counts of
/// each side's infinite values).
fn push_infinite_issue(row: &mut ColumnDrift, in_ref: u64, in_cur: u64) {
    if in_ref + in_cur > 0 {
        row.issues.push(DataIssue {
            kind: "infinite_values".into(),
            status: "warning".into(),
            message: format!(
                "column '{}' has {in_ref} infinite value(s) in the reference and {in_cur} in the current data: they are tested as numbers, as scipy does (ranks and ECDFs are defined; distances may be infinite or undefined, binned tests need a finite range)",
                row.column
            ),
        });
    }
}

fn finish(
    row: &mut ColumnDrift,
    test: TestKind,
    outcome: Result<Outcome, Error>,
    over: Option<&ColumnOverride>,
    o: &DriftOptions,
) {
    row.test = test.as_str().into();
    row.threshold = over
        .and_then(|v| v.threshold)
        .or(o.threshold)
        .unwrap_or_else(|| test.default_threshold());
    let skipped = o.not_applied(test);
    if !skipped.is_empty() {
        push_note(row, format!("not taken by {test}: {}", skipped.join(", ")));
    }
    match outcome {
        Ok(out) => {
            row.statistic = Some(out.statistic);
            row.p_value = out.p_value;
            if let Some((loc, sign)) = out.location {
                row.statistic_location = Some(loc);
                row.statistic_sign = Some(sign);
            }
            row.options = out.applied;
            for n in out.notes {
                push_note(row, n);
            }
            if out.statistic.is_infinite() && test != TestKind::Chi2Gof {
                push_note(
                    row,
                    format!("the statistic is {} (null in JSON)", out.statistic),
                );
            }
            row.drift = match out.p_value {
                Some(p) => {
                    if let Some(m) = o.min_effect {
                        row.options.min_effect = Some(m);
                        if row.effect.is_none() {
                            push_note(
                                row,
                                "the effect size is undefined (infinite values), so min_effect cannot confirm drift",
                            );
                        }
                    }
                    p < row.threshold && effect_ok(row.effect, o)
                }
                None => out.statistic >= row.threshold,
            };
        }
        Err(e) => push_note(row, format!("not tested: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ReadOptions, read_csv};

    fn frame(t: &str) -> Frame {
        read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
    }

    fn ks() -> DriftOptions {
        DriftOptions {
            test: TestKind::Ks,
            ..Default::default()
        }
    }

    #[test]
    fn numeric_and_categorical_columns_get_their_tests() {
        let reference = frame("x,c\n1,a\n2,a\n3,b\n4,b\n5,a\n6,b\n");
        let current = frame("x,c\n11,a\n12,z\n13,z\n14,z\n15,z\nNA,z\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&current, &ks()).unwrap();
        assert_eq!(rows[0].test, "ks");
        assert_eq!(rows[0].statistic, Some(1.0));
        assert_eq!(rows[0].missing_current, 1);
        assert_eq!(rows[0].n_current, 5);
        assert!(rows[0].drift);
        assert_eq!(rows[1].test, "chi2");
        assert_eq!(rows[1].unseen_categories, vec![("z".to_string(), 5)]);
        assert!(rows[1].drift);
        assert_eq!(rows[1].issues[0].kind, "unseen_categories");
    }

    fn read_with(t: &str, o: &ReadOptions) -> Frame {
        read_csv(t.as_bytes(), "t.csv", o).unwrap()
    }

    #[test]
    fn booleans_compare_in_any_letter_case() {
        let reference = frame("b\nTrue\nFalse\nTrue\nFalse\n");
        let current = frame("b\ntrue\nfalse\nTRUE\nfalse\n");
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(&current, &DriftOptions::default())
            .unwrap();
        assert_eq!(rows[0].kind, ColumnKind::Boolean);
        assert!(rows[0].unseen_categories.is_empty(), "{:?}", rows[0]);
        assert!(!rows[0].drift);
        assert_eq!(rows[0].effect, Some(0.0));
    }

    #[test]
    fn timestamps_are_skipped_unless_numerical() {
        let reference = frame("t,x\n2024-01-01 00:00:00,1.5\n2024-01-02 00:00:00,2.5\n");
        let current = frame("t,x\n2024-02-01 00:00:00,1.5\n2024-02-02 00:00:00,2.5\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let report = fitted.report(&current, &DriftOptions::default()).unwrap();
        let t = &report.columns[0];
        assert_eq!((t.kind, t.test.as_str()), (ColumnKind::Timestamp, SKIPPED));
        assert!(t.issues.is_empty() && !t.drift);
        assert!(
            t.note
                .as_deref()
                .unwrap()
                .contains("listing t in `numerical`")
        );
        assert_eq!((report.skipped, report.total), (1, 2));
        let o = DriftOptions {
            numerical: vec!["t".into()],
            test: TestKind::Ks,
            ..Default::default()
        };
        let rows = fitted.check(&current, &o).unwrap();
        assert_eq!(rows[0].test, "ks");
        assert_eq!(rows[0].statistic, Some(1.0));
    }

    #[test]
    fn few_integers_are_categories_under_auto() {
        // 3 distinct integers in the reference: Evidently compares them as categories
        let reference = frame("k\n1\n2\n3\n1\n2\n3\n1\n2\n");
        let current = frame("k\n1\n2\n3\n7\n7\n3\n1\n2\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&current, &DriftOptions::default()).unwrap();
        let k = &rows[0];
        assert_eq!(k.kind, ColumnKind::Categorical);
        assert_eq!(k.unseen_categories, [("7".to_string(), 2)]);
        assert_eq!(k.issues[0].kind, "unseen_categories");
        assert!(
            k.note
                .as_deref()
                .unwrap()
                .contains("listing k in `numerical`")
        );
        // the same counts as chi2 on the categories 1, 2, 3, 7
        let want = categorical_test(
            k.test.parse().unwrap(),
            &[3.0, 3.0, 2.0, 0.0],
            &[2.0, 2.0, 2.0, 2.0],
            &DriftOptions::default(),
        )
        .unwrap();
        assert_eq!(k.statistic, Some(want.statistic));
        // --numerical keeps them numbers
        let o = DriftOptions {
            numerical: vec!["k".into()],
            ..Default::default()
        };
        let rows = fitted.check(&current, &o).unwrap();
        assert_eq!(rows[0].kind, ColumnKind::Numeric);
        assert_eq!(rows[0].test, "chi2"); // <= 5 values: chi2 on the values
        assert!(rows[0].note.is_none(), "{:?}", rows[0].note);
        // 11 distinct integers, or decimals: numbers
        let many = frame("k\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n");
        let rows = DriftReference::fit(&many, &[])
            .unwrap()
            .check(&many, &DriftOptions::default())
            .unwrap();
        assert_eq!(
            (rows[0].kind, rows[0].test.as_str()),
            (ColumnKind::Numeric, "ks")
        );
    }

    #[test]
    fn a_header_only_current_file_is_all_missing() {
        let reference = frame("x,c,b\n1.5,a,true\n2.5,b,false\n");
        let empty = read_with(
            "x,c,b\n",
            &ReadOptions {
                allow_empty: true,
                ..Default::default()
            },
        );
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(&empty, &DriftOptions::default())
            .unwrap();
        for r in &rows {
            assert_eq!(r.issues.len(), 1, "{r:?}");
            assert_eq!(r.issues[0].kind, "all_missing", "{r:?}");
            assert!(!r.drift);
        }
    }

    #[test]
    fn unseen_categories_are_listed_up_to_ten_and_counted() {
        let reference = frame("c\na\nb\n");
        let mut text = String::from("c\n");
        for i in 0..25 {
            for _ in 0..=(i % 3) {
                text.push_str(&format!("new{i:02}\n"));
            }
        }
        let rows = DriftReference::fit(&reference, &[])
            .unwrap()
            .check(&frame(&text), &DriftOptions::default())
            .unwrap();
        let r = &rows[0];
        assert_eq!(r.unseen_categories.len(), MAX_LISTED);
        assert_eq!((r.unseen_distinct, r.unseen_rows), (25, 49));
        assert_eq!(r.unseen_categories[0], ("new02".to_string(), 3));
        let msg = &r.issues[0].message;
        assert!(msg.contains("and 15 more; 25 in 49 rows in all"), "{msg}");
    }

    #[test]
    fn bad_columns_are_findings_not_errors() {
        let reference = frame("x,c,k\n1,a,5\n2,b,5\n");
        let fitted = DriftReference::fit(&reference, &[]).unwrap();
        let rows = fitted.check(&frame("x\n1\n"), &ks()).unwrap();
        assert_eq!(rows[1].issues[0].kind, "one_sided");
        let rows = fitted
            .check(&frame("x,c,k\nNA,a,5\nNA,b,5\n"), &ks())
            .unwrap();
        assert_eq!(rows[0].test, "none");
        assert_eq!(rows[0].issues.last().unwrap().kind, "all_missing");
        assert!(!rows[0].drift);
        assert!(rows[2].issues.iter().any(|i| i.kind == "constant"));
        let rows = fitted
            .check(&frame("x,c,k\n1,2,5\n2,3,5\n"), &ks())
            .unwrap();
        assert_eq!(rows[1].issues[0].kind, "kind_mismatch");
    }
}
