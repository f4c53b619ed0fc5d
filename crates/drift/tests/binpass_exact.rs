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
        let sizes: &[usize] = if test == "jensenshannon" || test == "psi" {
            &[4096, 777]
        } else {
            &[4096]
        };
        for &rows in sizes {
            let o = options(test);
            let reference = summary(&r, rows, 64 << 10).into_reference();
            let current = summary(&c, rows, 64 << 10);
            assert!(current.sketched().contains(&"x".to_string()));
            assert!(reference.has_sketch());
            let before = reference.report_summary(current.clone(), &o);
            assert_eq!(before.columns[0].exact, Some(false), "{test}");

            let mut plan = reference.bin_plan(&current, &o);
            assert_eq!(plan.columns(BinSide::Reference), ["x", "y"], "{test}");
            // PSI's current counts wait for the deciles the reference's read selects
            let current_now: &[&str] = if test == "psi" { &[] } else { &["x", "y"] };
            assert_eq!(plan.columns(BinSide::Current), current_now, "{test}");
            if test == "psi" {
                assert!(plan.selection_bytes() > 0);
            }
            for (side, text) in [(BinSide::Reference, &r), (BinSide::Current, &c)] {
                if side == BinSide::Current {
                    assert_eq!(plan.columns(BinSide::Current), ["x", "y"], "{test}");
                }
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
    // PSI on an exact reference: edges known, only the current is read
    let o = options("psi");
    let reference = summary(&r, 4096, usize::MAX).into_reference();
    let current = summary(&c, 4096, 64 << 10);
    let mut plan = reference.bin_plan(&current, &o);
    assert!(plan.columns(BinSide::Reference).is_empty());
    assert_eq!(plan.selection_bytes(), 0);
    let counter = plan
        .counter(BinSide::Current)
        .read(chunks(&c, 4096))
        .unwrap();
    plan.add(counter).unwrap();
    let got = reference.report_summary(current.with_bins(plan), &o);
    assert_eq!(
        serde_json::to_string(&got).unwrap(),
        serde_json::to_string(&exact(&r, &c, &o)).unwrap()
    );
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

/// One numeric column `x` of `n` rows in one of six shapes (spread values; rounded
/// values with many ties; constant; all equal but one; one value for 80% of the rows
/// and spread values besides; spread with missing values), shifted by `shift`, and a
/// spread column `y`.
fn shaped(n: usize, shape: usize, seed: u64, shift: f64) -> String {
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(7);
    let mut next = || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut t = String::from("x,y\n");
    for i in 0..n {
        let u = next();
        let x = match shape {
            0 => format!("{}", u * 100.0 + shift),
            1 => format!("{}", (u * 3000.0).round() / 4.0 + shift),
            2 => format!("{}", 7.25 + shift),
            3 => format!("{}", if i == n / 3 { 99.0 } else { 1.5 + shift }),
            4 => format!("{}", if u < 0.8 { shift } else { u * 50.0 + shift }),
            _ if i % 9 == 4 => String::new(),
            _ => format!("{}", (u * 20_000.0).floor() / 8.0 + shift),
        };
        t.push_str(&format!("{x},{}\n", next() * 1e3 - 500.0));
    }
    t
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// PSI on a reference sketched to fit the memory limit: after the selection read
    /// of the reference and the counting read of the current, the report is the
    /// whole-table one bit for bit, for any sizes, chunks, limits and ties.
    #[test]
    fn psi_on_a_sketched_reference_equals_the_whole_table_report(
        n in 1usize..8000,
        m in 1usize..4000,
        rows in 1usize..3000,
        limit in 1usize..48,
        capacity in 8usize..200,
        shape in 0usize..6,
        seed in 0u64..1000,
    ) {
        let (r, c) = (shaped(n, shape, seed, 0.0), shaped(m, shape, seed + 1, 0.5));
        let o = options("psi");
        let read = |text: &str| {
            FrameSummary::new(&[], limit << 10)
                .with_sketch_capacity(capacity)
                .read(chunks(text, rows))
                .unwrap()
        };
        let reference = read(&r).into_reference();
        let current = read(&c);
        let mut plan = reference.bin_plan(&current, &o);
        if n >= 6000 && shape != 2 && shape != 3 {
            // more distinct values than a sketch counts, compacted: the selection runs
            proptest::prop_assert!(plan.selection_bytes() > 0);
        }
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

#[test]
fn psi_selection_that_does_not_fit_the_memory_left_stays_estimated_and_says_why() {
    let (r, c) = (table(20_000, 0), table(15_000, 3));
    let o = options("psi");
    let reference = summary(&r, 4096, 64 << 10).into_reference();
    let current = summary(&c, 4096, 64 << 10);
    let mut plan = reference.bin_plan(&current, &o);
    let need = plan.selection_bytes();
    assert!(need > 8, "{need}");
    // room for x's values only: y keeps estimated deciles
    let mut x_only = reference.bin_plan(&current, &o);
    x_only.limit_selection(need - 8);
    assert_eq!(x_only.columns(BinSide::Reference), ["x"]);
    plan.limit_selection(0);
    assert!(plan.columns(BinSide::Reference).is_empty());
    assert!(plan.columns(BinSide::Current).is_empty());
    let got = reference.report_summary(current.with_bins(plan), &o);
    let x = &got.columns[0];
    assert_eq!(x.exact, Some(false));
    let note = x.note.as_deref().unwrap();
    assert!(
        note.contains("the deciles and bins of the reference are estimated from its sketch: finding them exactly keeps up to ")
            && note.contains("more than the 0 bytes the memory limit leaves after the summaries; raise memory_limit (--memory-limit) by "),
        "{note}"
    );
}

#[test]
fn psi_selection_on_a_changed_table_is_an_error_or_an_estimate_never_a_wrong_edge() {
    let (r, c) = (table(20_000, 0), table(15_000, 3));
    let o = options("psi");
    let reference = summary(&r, 4096, 64 << 10).into_reference();
    let current = summary(&c, 4096, 64 << 10);
    // a row more: the counts disagree, an error naming the column and the side
    let mut plan = reference.bin_plan(&current, &o);
    let counter = plan
        .counter(BinSide::Reference)
        .read(chunks(&table(20_001, 0), 4096))
        .unwrap();
    let e = plan.add(counter).unwrap_err();
    assert_eq!(
        e.to_string(),
        "column 'x': the second read of the reference counted 18182 values, the first 18181; the table changed between the two reads (run again on a table that is not being written)"
    );
    // as many rows, other values: the deciles are not in their brackets, so they
    // stay estimated and the row says why
    let mut plan = reference.bin_plan(&current, &o);
    let counter = plan
        .counter(BinSide::Reference)
        .read(chunks(&table(20_000, 40_000), 4096))
        .unwrap();
    plan.add(counter).unwrap();
    // y moved by 120,000: no value is near its old deciles
    assert!(!plan.columns(BinSide::Current).contains(&"y".to_string()));
    let got = reference.report_summary(current.with_bins(plan), &o);
    let y = &got.columns[1];
    assert_eq!((y.column.as_str(), y.exact), ("y", Some(false)));
    let note = y.note.as_deref().unwrap();
    assert!(
        note.contains("the deciles and bins of the reference are estimated from its sketch: the selection read found no exact deciles: "),
        "{note}"
    );
}

/// The cost of the selection on a 1e6-row column: the values it keeps (printed with
/// `--nocapture` for docs/DRIFT.md).
#[test]
fn psi_selection_keeps_few_values_of_a_large_column() {
    let n = 1_000_000usize;
    let mut s = 11u64;
    let values: Vec<f64> = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    let mut sketch = driftwatch_drift::sketch::QuantileSketch::default();
    sketch.extend(&values);
    let positions = driftwatch_drift::stats::psi::decile_positions(n);
    let b = driftwatch_drift::select::Brackets::new(&sketch, &positions);
    let mut sel = b.selector();
    for c in values.chunks(65_536) {
        sel.push(c);
    }
    let kept = sel.kept();
    let found = sel.finish().unwrap();
    println!(
        "n {n}: rank error {}, sketch {} bytes, bound {} values ({} bytes), kept {kept}",
        sketch.max_rank_error(),
        sketch.heap_bytes(),
        b.max_kept(),
        8 * b.max_kept()
    );
    // about 2 rank errors per decile kept, twice that budgeted (the worst case)
    let e = sketch.max_rank_error();
    assert!(kept as u64 <= b.max_kept());
    assert!(kept as u64 <= 9 * (2 * e + 256), "{kept} {e}");
    assert!(b.max_kept() <= 9 * (4 * e + 512), "{} {e}", b.max_kept());
    assert!(b.max_kept() < n as u64 / 30, "{}", b.max_kept());
    let mut sorted = values;
    sorted.sort_by(f64::total_cmp);
    let edges = driftwatch_drift::stats::psi::decile_edges(&sorted);
    let got = driftwatch_drift::stats::psi::decile_edges_by(n, |r| {
        found.order_statistic(r as u64).unwrap()
    });
    assert_eq!(got, edges);
}

/// What a query engine does: each partition counts its chunks with a per-column copy
/// of the plan's counter, sends it as bytes, and the parts merge; the merged counts
/// give the whole-table report bit for bit (Sturges bins and PSI's selected deciles).
#[test]
fn counters_of_partitions_merge_into_the_whole_table_report() {
    use driftwatch_drift::binpass::BinCounter;
    let (r, c) = (table(12_000, 0), table(9_000, 3));
    for test in ["jensenshannon", "psi"] {
        let o = options(test);
        let reference = summary(&r, 1000, 64 << 10).into_reference();
        let current = summary(&c, 1000, 64 << 10);
        let mut plan = reference.bin_plan(&current, &o);
        for (side, text) in [(BinSide::Reference, &r), (BinSide::Current, &c)] {
            let template = plan.counter(side);
            let names = template.column_names();
            assert_eq!(names, ["x", "y"], "{test}");
            let per_column = template.split();
            let mut merged: Option<BinCounter> = None;
            // three partitions take the chunks in turn
            for partition in 0..3 {
                for one in &per_column {
                    let name = &one.column_names()[0];
                    let mut counter = BinCounter::from_bytes(&one.to_bytes().unwrap()).unwrap();
                    for chunk in chunks(text, 1000).skip(partition).step_by(3) {
                        let chunk = chunk.unwrap();
                        counter.push_column(name, chunk.column(name).ok()).unwrap();
                    }
                    let part = BinCounter::from_bytes(&counter.to_bytes().unwrap()).unwrap();
                    match &mut merged {
                        None => merged = Some(part),
                        Some(m) => m.merge(part).unwrap(),
                    }
                }
            }
            plan.add(merged.unwrap()).unwrap();
        }
        let got = reference.report_summary(current.with_bins(plan), &o);
        assert_eq!(got.columns[0].exact, None, "{test}");
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&exact(&r, &c, &o)).unwrap(),
            "{test}"
        );
    }
    // counters of other plans do not merge
    let reference = summary(&r, 1000, 64 << 10).into_reference();
    let current = summary(&c, 1000, 64 << 10);
    let js = reference.bin_plan(&current, &options("jensenshannon"));
    let small = summary(&table(3_000, 1), 1000, 64 << 10);
    let other = reference.bin_plan(&small, &options("jensenshannon"));
    let mut a = js.counter(BinSide::Current);
    let e = a.merge(other.counter(BinSide::Current)).unwrap_err();
    assert!(matches!(e, Error::CountersDiffer { .. }), "{e}");
    assert!(matches!(
        a.merge(js.counter(BinSide::Reference)),
        Err(Error::CountersDiffer { .. })
    ));
    assert!(matches!(
        BinCounter::from_bytes(b"not a counter"),
        Err(Error::CounterBytes(_))
    ));
}
