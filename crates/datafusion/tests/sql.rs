//! The SQL functions equal `DriftReference::fit` + `check` on the same rows, with one
//! and several partitions, from memory and from Parquet files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use driftwatch_core::{Categorical, Column, ColumnKind, Frame};
use driftwatch_datafusion::datafusion::arrow::array::{Array, AsArray, RecordBatch};
use driftwatch_datafusion::datafusion::arrow::compute::cast;
use driftwatch_datafusion::datafusion::arrow::datatypes::{DataType, Float64Type};
use driftwatch_datafusion::datafusion::datasource::MemTable;
use driftwatch_datafusion::datafusion::prelude::{
    ParquetReadOptions, SessionConfig, SessionContext,
};
use driftwatch_datafusion::parts::write_parquet_parts;
use driftwatch_datafusion::register;
use driftwatch_drift::columns::{DriftOptions, DriftReference, TestKind};
use driftwatch_drift::reference_file::{DEFAULT_MAX_REFERENCE_BYTES, reference_from_bytes};

/// A small deterministic generator (the data needs no statistical quality).
fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

/// `n` rows: day (0..days), x numeric with a shift of `shift` and some missing values,
/// c categorical, b boolean.
fn data(n: usize, days: usize, shift: f64, seed: u64) -> Frame {
    let mut s = seed;
    let mut day = Vec::new();
    let mut x = Vec::new();
    let mut c = Vec::new();
    let mut b = Vec::new();
    for i in 0..n {
        let d = i * days / n;
        day.push(format!("d{d}"));
        let u = lcg(&mut s);
        x.push(if u < 0.05 {
            f64::NAN
        } else {
            (lcg(&mut s) * 10.0 + shift * d as f64).round() / 4.0
        });
        let v = lcg(&mut s);
        c.push((v > 0.02).then(|| ["a", "b", "c", "d"][(v * 4.0) as usize % 4].to_string()));
        b.push(Some(if lcg(&mut s) < 0.3 + 0.1 * shift {
            "true"
        } else {
            "false"
        }));
    }
    let mut frame = Frame::new(vec![
        (
            "day".into(),
            Column::Categorical(Categorical::from_labels(day.into_iter().map(Some))),
        ),
        ("x".into(), Column::Numeric(x.into_iter().collect())),
        ("c".into(), Column::Categorical(Categorical::from_labels(c))),
        ("b".into(), Column::Categorical(Categorical::from_labels(b))),
    ])
    .unwrap();
    frame.set_kind("b", ColumnKind::Boolean).unwrap();
    frame
}

fn context(partitions: usize) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    register(&ctx);
    ctx
}

/// `frame` as a memory table cut into `parts` partitions.
fn mem_table(ctx: &SessionContext, name: &str, frame: &Frame, parts: usize) {
    let batch = driftwatch_columnar::to_record_batch(frame, "the test table").unwrap();
    let rows = batch.num_rows();
    let partitions = (0..parts)
        .map(|p| {
            let (a, b) = (rows * p / parts, rows * (p + 1) / parts);
            vec![batch.slice(a, b - a)]
        })
        .collect();
    let table = MemTable::try_new(batch.schema(), partitions).unwrap();
    ctx.register_table(name, Arc::new(table)).unwrap();
}

async fn query(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql).await.unwrap().collect().await.unwrap()
}

fn rows_of(frame: &Frame, day: &str) -> Frame {
    let days = frame.column("day").unwrap().to_labels();
    let keep: Vec<usize> = (0..days.len())
        .filter(|&i| days[i].as_deref() == Some(day))
        .collect();
    frame.take_rows(&keep).unwrap()
}

/// The expected row of `column` of `current` against `reference`, as JSON.
fn local_row(reference: &Frame, current: &Frame, column: &str, test: TestKind) -> String {
    let fitted = DriftReference::fit(reference, &[column.to_string()]).unwrap();
    let options = DriftOptions {
        test,
        ..Default::default()
    };
    let rows = fitted.check(current, &options).unwrap();
    serde_json::to_string(&rows[0]).unwrap()
}

async fn check_all(ctx: &SessionContext, reference: &Frame, current: &Frame) {
    // drift_reference equals fit, column by column
    for column in ["x", "c", "b"] {
        let batches = query(ctx, &format!("SELECT drift_reference({column}) FROM ref")).await;
        let bytes = batches[0].column(0).as_binary::<i32>().value(0).to_vec();
        let got = reference_from_bytes(&bytes, DEFAULT_MAX_REFERENCE_BYTES).unwrap();
        let want = DriftReference::fit(reference, &[column.to_string()]).unwrap();
        assert_eq!(got, want, "{column}");
    }
    // drift_check per day equals the local check of that day's rows
    for (column, test) in [
        ("x", None),
        ("x", Some("ks")),
        ("c", None),
        ("b", Some("psi")),
    ] {
        let test_arg = test.map_or(String::new(), |t| format!(", '{t}'"));
        let sql = format!(
            "SELECT day, drift_check({column}, r.reference{test_arg}) AS row \
             FROM cur CROSS JOIN (SELECT drift_reference({column}) AS reference FROM ref) r \
             GROUP BY day ORDER BY day"
        );
        let batches = query(ctx, &sql).await;
        let mut seen = 0;
        for batch in &batches {
            // Parquet strings come back as Utf8View
            let days = cast(batch.column(0), &DataType::Utf8).unwrap();
            let days = days.as_string::<i32>();
            let rows = batch.column(1).as_string::<i32>();
            for i in 0..batch.num_rows() {
                let kind = test.map_or(TestKind::Auto, |t| t.parse().unwrap());
                let want = local_row(reference, &rows_of(current, days.value(i)), column, kind);
                assert_eq!(rows.value(i), want, "{column} {test:?} {}", days.value(i));
                seen += 1;
            }
        }
        assert_eq!(seen, 3, "{sql}");
    }
    // the statistic family equals the statistic of the named test
    for (function, test) in [
        ("drift_psi", "psi"),
        ("drift_ks", "ks"),
        ("drift_wasserstein", "wasserstein"),
        ("drift_js", "jensenshannon"),
    ] {
        let sql = format!(
            "SELECT {function}(x, r.reference) FROM cur CROSS JOIN (SELECT drift_reference(x) AS reference FROM ref) r"
        );
        let batches = query(ctx, &sql).await;
        let got = batches[0].column(0).as_primitive::<Float64Type>().value(0);
        let fitted = DriftReference::fit(reference, &["x".into()]).unwrap();
        let options = DriftOptions {
            test: test.parse().unwrap(),
            ..Default::default()
        };
        let want = fitted.check(current, &options).unwrap()[0]
            .statistic
            .unwrap();
        assert_eq!(got, want, "{function}");
        assert!(got > 0.0, "{function}: the shifted data drifts");
    }
    let chi2 = query(ctx, "SELECT drift_chi2(c, r.reference) FROM cur CROSS JOIN (SELECT drift_reference(c) AS reference FROM ref) r").await;
    let fitted = DriftReference::fit(reference, &["c".into()]).unwrap();
    let options = DriftOptions {
        test: TestKind::Chi2,
        ..Default::default()
    };
    assert_eq!(
        chi2[0].column(0).as_primitive::<Float64Type>().value(0),
        fitted.check(current, &options).unwrap()[0]
            .statistic
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_tables_one_and_several_partitions() {
    let reference = data(900, 3, 0.0, 1);
    let current = data(600, 3, 1.5, 2);
    for (partitions, parts) in [(1, 1), (4, 5)] {
        let ctx = context(partitions);
        mem_table(&ctx, "ref", &reference, parts);
        mem_table(&ctx, "cur", &current, parts);
        check_all(&ctx, &reference, &current).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parquet_files_one_and_several_partitions() {
    let reference = data(900, 3, 0.0, 3);
    let current = data(600, 3, 1.5, 4);
    let dir = tempfile::tempdir().unwrap();
    for (name, frame) in [("ref", &reference), ("cur", &current)] {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        write_parquet_parts(frame, &sub, 3).unwrap();
    }
    for partitions in [1, 3] {
        let ctx = context(partitions);
        for name in ["ref", "cur"] {
            let path = format!("{}/", dir.path().join(name).display());
            ctx.register_parquet(name, &path, ParquetReadOptions::default())
                .await
                .unwrap();
        }
        check_all(&ctx, &reference, &current).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_are_errors_that_say_what_to_pass() {
    let ctx = context(2);
    mem_table(&ctx, "cur", &data(50, 1, 0.0, 5), 1);
    let err = |sql: &'static str| {
        let ctx = ctx.clone();
        async move {
            match ctx.sql(sql).await {
                Err(e) => e.to_string(),
                Ok(df) => df
                    .collect()
                    .await
                    .map(|_| String::new())
                    .unwrap_or_else(|e| e.to_string()),
            }
        }
    };
    assert!(
        err("SELECT drift_check(x, x'00', 'nope') FROM cur")
            .await
            .contains("nope")
    );
    assert!(
        err("SELECT drift_check(x, x'00', c) FROM cur")
            .await
            .contains("string literal"),
    );
    assert!(
        err("SELECT drift_check(x, x'0102') FROM cur")
            .await
            .contains("driftwatch reference"),
    );
    let binary = err("SELECT drift_reference(x'00') FROM cur").await;
    assert!(
        binary.contains("Binary, which drift cannot compare"),
        "{binary}"
    );
    // drift_bins takes a counter literal only
    let column = err("SELECT drift_bins(x, c) FROM cur").await;
    assert!(column.contains("binary literal"), "{column}");
    let junk = err("SELECT drift_bins(x, x'0102') FROM cur").await;
    assert!(junk.contains("a bin counter did not decode"), "{junk}");
}

#[test]
fn reference_state_is_order_free() {
    // the reference of the rows in any order is the same (what makes partitions safe)
    let frame = data(300, 1, 0.0, 6);
    let rev: Vec<usize> = (0..frame.n_rows()).rev().collect();
    assert_eq!(
        DriftReference::fit(&frame, &[]).unwrap(),
        DriftReference::fit(&frame.take_rows(&rev).unwrap(), &[]).unwrap()
    );
    assert!(
        driftwatch_columnar::to_record_batch(&frame, "the test table")
            .unwrap()
            .column(1)
            .null_count()
            > 0
    );
}
