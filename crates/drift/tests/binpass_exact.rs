//! Binned tests on sketched columns made exact by a second pass
//! (`driftwatch_drift::binpass`): the same tables summarised within a tiny memory
//! limit, plus the counting passes, give the report of the whole tables, bit for bit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_core::{CsvChunks, ReadOptions, read_csv};
use driftwatch_drift::Error;
use driftwatch_drift::binpass::BinSide;
use driftwatch_drift::columns::{DriftOptions, DriftReference, DriftReport};
use driftwatch_drift::streaming::FrameSummary;

/// Numeric columns with many values (`x` with missing ones, `y` shifted by `shift`),
/// a few-valued one, categories and booleans.
fn table(n: usize, shift: usize) -> String {
    let mut t = String::from("x,y,k,c,b\n");
    for i in 0..n {
        let j = i + shift;
        let x = if i.is_multiple_of(11) {
            "NA".to_string()
        } else {
            format!("{}", ((j * 7919) % 100_003) as f64 / 10.0)
        };
        t.push_str(&format!(
            "{x},{},{},{},{}\n",
            ((i * 104_729) % 65_521) as f64 / 7.0 + (shift as f64) * 3.0,
            j % 4,
            ["a", "b", "c", ""][j % 4],
            if j.is_multiple_of(3) { "true" } else { "False" },
        ))
    }
    t
}

fn chunks(text: &str, rows: usize) -> CsvChunks<'_> {
    CsvChunks::new(text.as_bytes(), "t.csv", &ReadOptions::default(), rows).unwrap()
}

fn summary(text: &str, rows: usize, limit: usize) -> FrameSummary {
    FrameSummary::new(&[], limit)
        .with_sketch_capacity(256)
        .read(chunks(text, rows))
        .unwrap()
}

fn options(test: &str) -> DriftOptions {
    DriftOptions {
        test: test.parse().unwrap(),
        ..Default::default()
    }
}

/// The report of the whole tables, read at once.
fn exact(r: &str, c: &str, o: &DriftOptions) -> DriftReport {
    let whole_r = read_csv(r.as_bytes(), "r.csv", &ReadOptions::default()).unwrap();
    let whole_c = read_csv(c.as_bytes(), "c.csv", &ReadOptions::default()).unwrap();
    DriftReference::fit(&whole_r, &[])
        .unwrap()
        .report(&whole_c, o)
        .unwrap()
}

#[test]
fn counted_bins_give_the_whole_table_report_bit_for_bit() {
    let (r, c) = (table(12_000, 0), table(9_000, 3));
    for test in ["jensenshannon", "hellinger", "kl", "tvd", "psi"] {
        let sizes: &[usize] = if test == "jensenshannon" {
            &[4096, 777]
        } else {
            &[4096]
        };
        for &rows in sizes {
            let o = options(test);
            // PSI's edges are exact only from an exact reference: sketch the current only
            let reference_limit = if test == "psi" { usize::MAX } else { 64 << 10 };
            let reference = summary(&r, rows, reference_limit).into_reference();
            let current = summary(&c, rows, 64 << 10);
            assert!(current.sketched().contains(&"x".to_string()));
            let before = reference.report_summary(current.clone(), &o);
            assert_eq!(before.columns[0].exact, Some(false), "{test}");

            let mut plan = reference.bin_plan(&current, &o);
            let want_reference: &[&str] = if test == "psi" { &[] } else { &["x", "y"] };
            assert_eq!(plan.columns(BinSide::Reference), want_reference, "{test}");
            assert_eq!(plan.columns(BinSide::Current), ["x", "y"], "{test}");
            for (side, text) in [(BinSide::Reference, &r), (BinSide::Current, &c)] {
                let counter = plan.counter(side).read(chunks(text, rows)).unwrap();
                plan.add(counter).unwrap();
            }
            assert!(plan.columns(BinSide::Current).is_empty());
            let got = reference.report_summary(current.with_bins(plan), &o);
            let want = exact(&r, &c, &o);
            assert_eq!(got.columns[0].exact, None, "{test}");
            assert!(got.columns[0].statistic.unwrap() > 0.0, "{test}");
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&want).unwrap(),
                "{test}, chunks of {rows}"
            );
        }
    }
}

#[test]
fn a_side_kept_whole_is_counted_in_memory_without_a_pass() {
    // a sketched reference against a current table small enough to keep whole
    let (r, c) = (table(20_000, 0), table(3_000, 5));
    let o = options("hellinger");
    let reference = summary(&r, 4096, 64 << 10).into_reference();
    let current = summary(&c, 4096, usize::MAX);
    let mut plan = reference.bin_plan(&current, &o);
    assert!(plan.columns(BinSide::Current).is_empty());
    assert_eq!(plan.columns(BinSide::Reference), ["x", "y"]);
    let counter = plan
        .counter(BinSide::Reference)
        .read(chunks(&r, 4096))
        .unwrap();
    plan.add(counter).unwrap();
    let got = reference.report_summary(current.with_bins(plan), &o);
    assert_eq!(
        serde_json::to_string(&got).unwrap(),
        serde_json::to_string(&exact(&r, &c, &o)).unwrap()
    );
}

#[test]
fn a_side_that_cannot_be_read_again_stays_approximate_and_says_why() {
    let (r, c) = (table(20_000, 0), table(15_000, 3));
    let o = options("jensenshannon");
    let reference = summary(&r, 4096, 64 << 10).into_reference();
    let current = summary(&c, 4096, 64 << 10);
    let mut plan = reference.bin_plan(&current, &o);
    let counter = plan
        .counter(BinSide::Current)
        .read(chunks(&c, 4096))
        .unwrap();
    plan.add(counter).unwrap();
    plan.cannot_count(BinSide::Reference, "it was loaded from a .dwr file");
    assert!(plan.columns(BinSide::Reference).is_empty());
    let got = reference.report_summary(current.with_bins(plan), &o);
    let x = &got.columns[0];
    assert_eq!(x.exact, Some(false));
    // the bound is the reference's alone now: the current counts are exact
    let e = x.max_cdf_error.unwrap();
    let bound = reference.columns[0].reference.clone();
    let driftwatch_drift::columns::ColumnReference::Sketch(s) = bound else {
        panic!("x must be sketched in the reference")
    };
    assert_eq!(e, s.max_cdf_error());
    let note = x.note.as_deref().unwrap();
    assert!(
        note.contains(
            "the bins of the reference are estimated from its sketch: it was loaded from a .dwr file"
        ),
        "{note}"
    );
}

#[test]
fn a_table_that_changed_between_the_reads_is_an_error() {
    let (r, c) = (table(20_000, 0), table(15_000, 3));
    let o = options("tvd");
    let reference = summary(&r, 4096, 64 << 10).into_reference();
    let current = summary(&c, 4096, 64 << 10);
    let mut plan = reference.bin_plan(&current, &o);
    let grown = table(15_001, 3);
    let counter = plan
        .counter(BinSide::Current)
        .read(chunks(&grown, 4096))
        .unwrap();
    let e = plan.add(counter).unwrap_err();
    assert!(matches!(e, Error::PassDisagrees { .. }));
    assert_eq!(
        e.to_string(),
        "column 'x': the second read of the current data counted 13637 values, the first 13636; the table changed between the two reads (run again on a table that is not being written)"
    );
    // a chunk without the column is refused by name
    let other = read_csv("z\n1\n".as_bytes(), "o.csv", &ReadOptions::default()).unwrap();
    let e = plan.counter(BinSide::Current).push(&other).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("column 'x' is numeric in the first chunk but absent")
    );
}

#[test]
fn no_plan_without_sketches_or_for_order_based_tests() {
    let (r, c) = (table(2_000, 0), table(1_500, 3));
    let reference = summary(&r, 512, usize::MAX).into_reference();
    let current = summary(&c, 512, usize::MAX);
    let plan = reference.bin_plan(&current, &options("jensenshannon"));
    assert!(
        plan.columns(BinSide::Reference).is_empty() && plan.columns(BinSide::Current).is_empty()
    );
    let (r, c) = (table(20_000, 0), table(15_000, 3));
    let reference = summary(&r, 4096, 64 << 10).into_reference();
    let current = summary(&c, 4096, 64 << 10);
    for test in ["ks", "wasserstein", "chi2"] {
        let plan = reference.bin_plan(&current, &options(test));
        assert!(plan.columns(BinSide::Current).is_empty(), "{test}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]
    /// Any table sizes, chunk sizes and memory limits: after the counting passes the
    /// binned report is the whole-table one.
    #[test]
    fn any_chunking_and_limit_gives_the_whole_table_report(
        n in 300usize..2000,
        m in 300usize..2000,
        rows in 50usize..2000,
        shift in 0usize..40,
        limit in 4usize..64,
        test in 0usize..4,
    ) {
        let (r, c) = (table(n, 0), table(m, shift));
        let o = options(["jensenshannon", "hellinger", "kl", "tvd"][test]);
        let reference = summary(&r, rows, limit << 10).into_reference();
        let current = summary(&c, rows, limit << 10);
        let mut plan = reference.bin_plan(&current, &o);
        for (side, text) in [(BinSide::Reference, &r), (BinSide::Current, &c)] {
            let counter = plan.counter(side).read(chunks(text, rows)).unwrap();
            plan.add(counter).unwrap();
        }
        let got = reference.report_summary(current.with_bins(plan), &o);
        proptest::prop_assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&exact(&r, &c, &o)).unwrap()
        );
    }
}
