//! Frames through Parquet and Arrow IPC and back; Arrow types to kinds; bad files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float32Array,
    Float64Array, Int32Array, Int64Array, LargeStringArray, ListArray, NullArray, StringArray,
    StringViewArray, TimestampNanosecondArray, UInt64Array,
};
use arrow::datatypes::{Field, Int8Type, Int32Type, Schema};
use arrow::record_batch::RecordBatch;
use driftwatch_columnar::{
    CHUNK_ROWS, Error, read_chunks, read_chunks_from_reader, read_chunks_projected, read_table,
    write_ipc, write_parquet, write_table,
};
use driftwatch_core::{Column, ColumnKind, Frame, Projection, ReadOptions, TableFormat, read_csv};

/// Same names, kinds, levels in order, and values (NaN equal to NaN).
fn assert_same(a: &Frame, b: &Frame) {
    assert_eq!(a.names(), b.names());
    for (name, ca) in a.iter() {
        let cb = b.column(name).unwrap();
        assert_eq!(a.kind(name).unwrap(), b.kind(name).unwrap(), "{name}");
        match (ca, cb) {
            (Column::Numeric(x), Column::Numeric(y)) => {
                assert_eq!(x.len(), y.len());
                for (p, q) in x.iter().zip(y) {
                    assert!(
                        p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()),
                        "{name}: {p} vs {q}"
                    );
                }
            }
            (Column::Categorical(x), Column::Categorical(y)) => assert_eq!(x, y, "{name}"),
            _ => panic!("{name}: storage differs"),
        }
    }
}

fn csv(text: &str) -> Frame {
    read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap()
}

const MIXED: &str = "x,c,b,t,n\n\
    1.5,a,true,2024-03-01 09:30:00.123,\n\
    ,b,False,2024-03-01,\n\
    -inf,,TRUE,,\n\
    1e300,b,,1969-12-31 23:59:58.5,\n\
    0.1,\"x, y\",false,2024-03-01T11:30:00+02:00,\n";

fn write_batch_parquet(path: &Path, batch: &RecordBatch) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn write_batch_ipc_stream(path: &Path, batch: &RecordBatch) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = arrow::ipc::writer::StreamWriter::try_new(f, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
}

fn err(r: driftwatch_columnar::Result<Frame>) -> String {
    match r {
        Ok(f) => panic!("expected an error, got {} rows", f.n_rows()),
        Err(e) => e.to_string(),
    }
}

fn tmp(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// A table read as from standard input (a stream read once), whole.
fn from_stdin(bytes: &[u8]) -> driftwatch_columnar::Result<Frame> {
    read_chunks_from_reader(
        bytes,
        "standard input",
        &ReadOptions::default(),
        Projection::All,
    )?
    .into_frame(false)
}

#[test]
fn a_csv_frame_round_trips_through_parquet_and_arrow() {
    let frame = csv(MIXED);
    assert_eq!(frame.kind("t").unwrap(), ColumnKind::Timestamp);
    assert_eq!(frame.kind("b").unwrap(), ColumnKind::Boolean);
    let dir = tempfile::tempdir().unwrap();
    for name in ["m.parquet", "m.arrow"] {
        let p = tmp(&dir, name);
        write_table(&frame, &p).unwrap();
        let back = read_table(&p, &ReadOptions::default(), None).unwrap();
        assert_same(&frame, &back);
    }
    // the writers to memory and the in-memory reader agree with the files
    let mut pq = Vec::new();
    write_parquet(&frame, &mut pq, "mem").unwrap();
    assert!(pq.starts_with(b"PAR1") && pq.ends_with(b"PAR1"));
    assert_same(&frame, &from_stdin(&pq).unwrap());
    let mut ipc = Vec::new();
    write_ipc(&frame, &mut ipc, "mem").unwrap();
    assert!(ipc.starts_with(b"ARROW1"));
    assert_same(&frame, &from_stdin(&ipc).unwrap());
}

#[test]
fn arrow_types_give_the_kinds() {
    let dict: DictionaryArray<Int8Type> =
        // dictionary order z, y, x, unused; rows use y first
        DictionaryArray::try_new(
            arrow::array::Int8Array::from(vec![Some(1), Some(0), None, Some(1)]),
            Arc::new(StringArray::from(vec!["z", "y", "x", "unused"])),
        )
        .unwrap();
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "i32",
            Arc::new(Int32Array::from(vec![Some(1), None, Some(-3), Some(7)])),
        ),
        (
            "i64",
            Arc::new(Int64Array::from(vec![
                Some(1 << 53),
                Some(-(1 << 53)),
                None,
                Some(0),
            ])),
        ),
        (
            "f32",
            Arc::new(Float32Array::from(vec![
                Some(0.5),
                Some(f32::NAN),
                None,
                Some(2.0),
            ])),
        ),
        (
            "f64",
            Arc::new(Float64Array::from(vec![
                Some(f64::INFINITY),
                Some(f64::NAN),
                None,
                Some(0.1),
            ])),
        ),
        (
            "dec",
            Arc::new(
                Decimal128Array::from(vec![Some(12_345), Some(-1), None, Some(10)])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ),
        ),
        (
            "date",
            Arc::new(Date32Array::from(vec![
                Some(19_783),
                Some(-1),
                None,
                Some(0),
            ])),
        ),
        (
            "ts",
            Arc::new(
                TimestampNanosecondArray::from(vec![
                    Some(1_709_285_400_500_000_000),
                    None,
                    Some(0),
                    Some(-1),
                ])
                .with_timezone("+02:00"),
            ),
        ),
        ("dict", Arc::new(dict)),
        (
            "large",
            Arc::new(LargeStringArray::from(vec![
                Some("p"),
                None,
                Some("q"),
                Some("p"),
            ])),
        ),
        (
            "view",
            Arc::new(StringViewArray::from(vec![
                Some("v"),
                Some("w"),
                None,
                Some(""),
            ])),
        ),
        (
            "bool",
            Arc::new(BooleanArray::from(vec![
                Some(false),
                None,
                Some(true),
                Some(false),
            ])),
        ),
        ("nulls", Arc::new(NullArray::new(4))),
    ];
    let schema = Schema::new(
        columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    );
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        columns.iter().map(|(_, a)| a.clone()).collect(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pq = tmp(&dir, "types.parquet");
    write_batch_parquet(&pq, &batch);
    let stream = tmp(&dir, "types.arrows");
    write_batch_ipc_stream(&stream, &batch);
    let from_pq = read_table(&pq, &ReadOptions::default(), None).unwrap();
    let from_stream = read_table(&stream, &ReadOptions::default(), None).unwrap();
    for f in [&from_pq, &from_stream] {
        let num = |n: &str| match f.column(n).unwrap() {
            Column::Numeric(v) => v.to_vec(),
            Column::Categorical(_) => panic!("{n} is numeric"),
        };
        let same = |a: Vec<f64>, b: &[f64]| {
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(b) {
                assert!(x == y || (x.is_nan() && y.is_nan()), "{a:?} vs {b:?}");
            }
        };
        same(num("i32"), &[1.0, f64::NAN, -3.0, 7.0]);
        same(
            num("i64"),
            &[
                9_007_199_254_740_992.0,
                -9_007_199_254_740_992.0,
                f64::NAN,
                0.0,
            ],
        );
        same(num("f32"), &[0.5, f64::NAN, f64::NAN, 2.0]);
        same(num("f64"), &[f64::INFINITY, f64::NAN, f64::NAN, 0.1]);
        same(num("dec"), &[123.45, -0.01, f64::NAN, 0.1]);
        same(num("date"), &[1_709_251_200.0, -86_400.0, f64::NAN, 0.0]);
        // the instant, whatever the zone it is shown in
        // one nanosecond before 1970: -1 s + 0.999999999 s, as the CSV reader adds them
        same(
            num("ts"),
            &[1_709_285_400.5, f64::NAN, 0.0, -1.0 + 0.999_999_999],
        );
        same(num("nulls"), &[f64::NAN; 4]);
        assert_eq!(f.kind("date").unwrap(), ColumnKind::Timestamp);
        assert_eq!(f.kind("ts").unwrap(), ColumnKind::Timestamp);
        assert_eq!(f.kind("i64").unwrap(), ColumnKind::Numeric);
        assert_eq!(f.kind("bool").unwrap(), ColumnKind::Boolean);
        let Column::Categorical(d) = f.column("dict").unwrap() else {
            panic!("dict is categorical")
        };
        // levels by first appearance in the rows, unused entries left out
        assert_eq!(d.levels, ["y", "z"]);
        assert_eq!(d.codes, [Some(0), Some(1), None, Some(0)]);
        assert_eq!(
            f.column("view").unwrap().to_labels(),
            [
                Some("v".into()),
                Some("w".into()),
                None,
                Some(String::new())
            ]
        );
        assert_eq!(f.column("large").unwrap().missing_count(), 1);
        let Column::Categorical(b) = f.column("bool").unwrap() else {
            panic!("bool is categorical")
        };
        assert_eq!(b.levels, ["false", "true"]);
        assert_eq!(b.codes, [Some(0), None, Some(1), Some(0)]);
    }
    // forced kinds, as for CSV
    let o = ReadOptions {
        categorical: vec!["i32".into(), "f64".into(), "date".into(), "bool".into()],
        numeric: vec!["large".into()],
        ..Default::default()
    };
    let cols = ["i32", "f64", "date", "bool", "view"].map(String::from);
    let f = read_table(&pq, &o, Some(&cols));
    // 'large' is not read (not in the projection) so forcing it costs nothing
    let f = f.unwrap();
    assert_eq!(f.names(), ["i32", "f64", "date", "view", "bool"]);
    assert_eq!(
        f.column("i32").unwrap().to_labels(),
        [Some("1".into()), None, Some("-3".into()), Some("7".into())]
    );
    assert_eq!(
        f.column("f64").unwrap().to_labels(),
        [Some("inf".into()), None, None, Some("0.1".into())]
    );
    assert_eq!(
        f.column("date").unwrap().to_labels()[0],
        Some("2024-03-01".into())
    );
    // a boolean forced categorical stays a boolean, as in the CSV reader
    assert_eq!(f.kind("bool").unwrap(), ColumnKind::Boolean);
    let o = ReadOptions {
        numeric: vec!["view".into()],
        ..Default::default()
    };
    let e = err(read_table(&pq, &o, Some(&["view".to_string()])));
    assert!(
        e.contains("column 'view' row 1: 'v' is not a number"),
        "{e}"
    );
    let o = ReadOptions {
        numeric: vec!["bool".into()],
        ..Default::default()
    };
    let e = err(read_table(&pq, &o, None));
    assert!(e.contains("column 'bool' is boolean"), "{e}");
}

#[test]
fn text_forced_numeric_reads_as_csv_cells() {
    let batch = RecordBatch::try_from_iter([(
        "s",
        Arc::new(StringArray::from(vec![
            Some(" 1.5 "),
            Some("NA"),
            None,
            Some("-inf"),
        ])) as ArrayRef,
    )])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "s.parquet");
    write_batch_parquet(&p, &batch);
    let f = read_table(
        &p,
        &ReadOptions::with_kinds([("s", ColumnKind::Numeric)]),
        None,
    )
    .unwrap();
    let Column::Numeric(v) = f.column("s").unwrap() else {
        panic!("numeric")
    };
    assert_eq!(v[0], 1.5);
    assert!(v[1].is_nan() && v[2].is_nan());
    assert_eq!(v[3], f64::NEG_INFINITY);
}

#[test]
fn integers_a_float_would_round_are_refused_or_kept_as_labels() {
    let big = (1_i64 << 53) + 1;
    let batch = RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(vec![1, big])) as ArrayRef),
        (
            "u",
            Arc::new(UInt64Array::from(vec![u64::MAX, 2])) as ArrayRef,
        ),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "big.parquet");
    write_batch_parquet(&p, &batch);
    let e = err(read_table(
        &p,
        &ReadOptions::default(),
        Some(&["id".to_string()]),
    ));
    assert!(
        e.contains("column 'id' row 2: 9007199254740993 is beyond 2^53")
            && e.contains("--categorical id"),
        "{e}"
    );
    let e = err(read_table(
        &p,
        &ReadOptions::default(),
        Some(&["u".to_string()]),
    ));
    assert!(e.contains("column 'u' row 1: 18446744073709551615"), "{e}");
    let o = ReadOptions {
        categorical: vec!["id".into(), "u".into()],
        ..Default::default()
    };
    let f = read_table(&p, &o, None).unwrap();
    assert_eq!(
        f.column("id").unwrap().to_labels()[1],
        Some(big.to_string())
    );
    assert_eq!(
        f.column("u").unwrap().to_labels()[0],
        Some(u64::MAX.to_string())
    );
}

fn list_batch() -> RecordBatch {
    let list =
        ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2)]), None]);
    RecordBatch::try_from_iter([
        (
            "x",
            Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef,
        ),
        ("emb", Arc::new(list) as ArrayRef),
        (
            "__index_level_0__",
            Arc::new(Int64Array::from(vec![10, 20])) as ArrayRef,
        ),
    ])
    .unwrap()
}

#[test]
fn a_nested_column_is_refused_only_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "list.parquet");
    write_batch_parquet(&p, &list_batch());
    let e = err(read_table(&p, &ReadOptions::default(), None));
    assert!(
        e.contains("list.parquet: column 'emb' is List(") && e.contains("nested"),
        "{e}"
    );
    // left out by the projection: read, and pandas' index column is still left out
    let f = read_table(&p, &ReadOptions::default(), Some(&["x".to_string()])).unwrap();
    assert_eq!(f.names(), ["x"]);
    // asked for by name, pandas' index column is read like any other
    let f = read_table(
        &p,
        &ReadOptions::default(),
        Some(&["__index_level_0__".to_string()]),
    )
    .unwrap();
    assert_eq!(
        f.column("__index_level_0__").unwrap().display_value(1),
        "20"
    );
}

#[test]
fn projection_reads_only_what_is_asked() {
    let frame = csv(MIXED);
    let dir = tempfile::tempdir().unwrap();
    // (core's CSV writer writes timestamps as seconds: the CSV copy is written as text)
    std::fs::write(tmp(&dir, "p.csv"), MIXED).unwrap();
    for name in ["p.parquet", "p.feather", "p.csv"] {
        let p = tmp(&dir, name);
        if !name.ends_with("csv") {
            write_table(&frame, &p).unwrap();
        }
        // file order, whatever the order asked
        let cols = ["t".to_string(), "c".to_string()];
        let f = read_table(&p, &ReadOptions::default(), Some(&cols)).unwrap();
        assert_eq!(f.names(), ["c", "t"], "{name}");
        assert_same(&frame.select(&["c", "t"]).unwrap(), &f);
        let e = err(read_table(
            &p,
            &ReadOptions::default(),
            Some(&["zz".to_string()]),
        ));
        assert!(
            e.contains("column 'zz' is missing in") && e.contains("available columns: x, c"),
            "{e}"
        );
        let lenient = ReadOptions {
            lenient: true,
            ..Default::default()
        };
        let f = read_table(&p, &lenient, Some(&["zz".to_string(), "x".to_string()])).unwrap();
        assert_eq!(f.names(), ["x"], "{name}");
        // Present leaves out absent columns without lenient (kind overrides stay strict)
        let want = ["zz".to_string(), "t".to_string(), "x".to_string()];
        let parts: Vec<Frame> =
            read_chunks_projected(&p, &ReadOptions::default(), Projection::Present(&want))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(parts.len(), 1, "{name}");
        assert_same(&frame.select(&["x", "t"]).unwrap(), &parts[0]);
        // none present: chunks without columns, not an error
        let none =
            read_chunks_projected(&p, &ReadOptions::default(), Projection::Present(&want[..1]))
                .unwrap();
        assert!(none.names().is_empty(), "{name}");
        for chunk in none {
            assert_eq!(chunk.unwrap().n_cols(), 0, "{name}");
        }
        // a kind override naming an absent column is a typo, unless lenient
        let o = ReadOptions::with_kinds([("nope", ColumnKind::Categorical)]);
        let e = err(read_table(&p, &o, None));
        assert!(
            e.contains("column 'nope' is missing") && e.contains("override"),
            "{e}"
        );
    }
}

#[test]
fn chunks_stream_batches_and_add_up_to_the_whole() {
    let n = 2 * CHUNK_ROWS + 1000;
    let mut text = String::from("v,c\n");
    for i in 0..n {
        text.push_str(&format!(
            "{},{}\n",
            i as f64 * 0.5,
            ["a", "b", "c"][(i / 7) % 3]
        ));
    }
    let frame = csv(&text);
    let dir = tempfile::tempdir().unwrap();
    for name in ["big.parquet", "big.arrow"] {
        let p = tmp(&dir, name);
        write_table(&frame, &p).unwrap();
        let chunks = read_chunks(&p, &ReadOptions::default(), None).unwrap();
        assert_eq!(chunks.names(), ["v", "c"]);
        let frames: Vec<Frame> = chunks.collect::<Result<_, _>>().unwrap();
        if name.ends_with("parquet") {
            // one row group, cut into batches
            let rows: Vec<usize> = frames.iter().map(Frame::n_rows).collect();
            assert_eq!(rows, [CHUNK_ROWS, CHUNK_ROWS, 1000]);
        }
        assert_eq!(frames.iter().map(Frame::n_rows).sum::<usize>(), n);
        let mut at = 0;
        for f in &frames {
            assert_same(
                &frame
                    .slice_rows(at, at + f.n_rows())
                    .select(&["v"])
                    .unwrap(),
                &f.select(&["v"]).unwrap(),
            );
            assert_eq!(
                f.column("c").unwrap().to_labels(),
                frame
                    .slice_rows(at, at + f.n_rows())
                    .column("c")
                    .unwrap()
                    .to_labels()
            );
            at += f.n_rows();
        }
        assert_same(
            &frame,
            &read_table(&p, &ReadOptions::default(), None).unwrap(),
        );
        // the same batches and columns from a stream read once (standard input)
        let bytes = std::fs::read(&p).unwrap();
        let only = ["c".to_string()];
        let streamed: Vec<Frame> = read_chunks_from_reader(
            bytes.as_slice(),
            "standard input",
            &ReadOptions::default(),
            Projection::Only(&only),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
        assert_eq!(streamed.len(), frames.len(), "{name}");
        for (s, f) in streamed.iter().zip(&frames) {
            assert_eq!(s.names(), ["c"]);
            assert_eq!(
                s.column("c").unwrap().to_labels(),
                f.column("c").unwrap().to_labels()
            );
        }
    }
}

#[test]
fn an_empty_table_keeps_its_columns_when_allowed() {
    let frame = csv(MIXED).take_rows(&[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["e.parquet", "e.arrow"] {
        let p = tmp(&dir, name);
        write_table(&frame, &p).unwrap();
        let e = err(read_table(&p, &ReadOptions::default(), None));
        assert!(e.contains(name) && e.contains("is empty"), "{e}");
        let o = ReadOptions {
            allow_empty: true,
            ..Default::default()
        };
        let f = read_table(&p, &o, None).unwrap();
        assert_eq!((f.n_rows(), f.n_cols()), (0, 5));
        assert_eq!(f.kind("t").unwrap(), ColumnKind::Timestamp);
        assert_eq!(f.kind("c").unwrap(), ColumnKind::Categorical);
        assert_eq!(read_chunks(&p, &o, None).unwrap().count(), 0);
    }
}

#[test]
fn truncated_and_damaged_files_are_errors_naming_the_file() {
    let frame = csv(MIXED);
    let dir = tempfile::tempdir().unwrap();
    let stream = tmp(&dir, "d.arrows");
    write_batch_ipc_stream(
        &stream,
        &driftwatch_columnar::to_record_batch(&frame, "t").unwrap(),
    );
    for name in ["d.parquet", "d.arrow", "d.arrows"] {
        let p = tmp(&dir, name);
        if name != "d.arrows" {
            write_table(&frame, &p).unwrap();
        }
        let bytes = std::fs::read(&p).unwrap();
        // prefixes, and flipped bytes, of a small file (every third: the test stays quick)
        let cut = tmp(&dir, &format!("cut-{name}"));
        for len in (0..bytes.len()).step_by(3) {
            std::fs::write(&cut, &bytes[..len]).unwrap();
            let r = std::panic::catch_unwind(|| read_table(&cut, &ReadOptions::default(), None));
            let r = r.unwrap_or_else(|_| panic!("{name} cut at {len} panicked"));
            if name == "d.arrows"
                && len + 8 >= bytes.len()
                && let Ok(f) = &r
            {
                // a stream cut at its end marker holds every batch: a stream has no
                // footer to tell it from a complete one
                assert_eq!(f.n_rows(), 5);
                continue;
            }
            let e = err(r);
            assert!(e.contains(&cut.display().to_string()), "cut at {len}: {e}");
        }
        for i in (0..bytes.len()).step_by(3) {
            let mut b = bytes.clone();
            b[i] ^= 0x55;
            // a panic inside the decoder is caught by the reader; one escaping fails here
            let r = std::panic::catch_unwind(|| from_stdin(&b));
            assert!(r.is_ok(), "{name} with byte {i} flipped panicked");
        }
        if name != "d.arrows" {
            // (half a stream may be whole batches: a stream has no footer)
            let e = err(from_stdin(&bytes[..bytes.len() / 2]));
            assert!(e.starts_with("standard input: "), "{name}: {e}");
        }
    }
}

#[test]
fn wrong_magic_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = tmp(&dir, "fake.parquet");
    std::fs::write(&p, "a,b\n1,2\n").unwrap();
    let e = err(read_table(&p, &ReadOptions::default(), None));
    assert!(
        e.contains("fake.parquet: named .parquet but not a Parquet file"),
        "{e}"
    );
    // read as CSV when asked to
    let o = ReadOptions {
        format: Some(TableFormat::Csv),
        ..Default::default()
    };
    assert_eq!(read_table(&p, &o, None).unwrap().n_rows(), 1);
    let o = ReadOptions {
        format: Some(TableFormat::Arrow),
        ..Default::default()
    };
    let e = err(read_table(&p, &o, None));
    assert!(e.contains("not an Arrow IPC file"), "{e}");
    assert!(matches!(
        read_table(&p, &o, None),
        Err(Error::Format { .. })
    ));
}
