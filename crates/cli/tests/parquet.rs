//! Parquet and Arrow IPC input (issue 16 item 1): every command that reads a table
//! gives the same output on a CSV fixture and on its Parquet (or Arrow) copy, written
//! at test time by driftwatch's own writer (core's CSV reader, then
//! `driftwatch_columnar::write_table`); bad files fail with exit 2 and the file's name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{json, root, run, text, train_iris};
use driftwatch_core::{ColumnKind, ReadOptions, read_csv_path};

fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// `csv` read by core's reader with `read` and written as `dir/<name>.<ext>`.
fn convert_with(csv: &Path, dir: &Path, ext: &str, read: &ReadOptions) -> PathBuf {
    let frame = read_csv_path(csv, read).unwrap();
    let name = format!(
        "{}_{}.{ext}",
        csv.parent().unwrap().file_name().unwrap().to_str().unwrap(),
        csv.file_stem().unwrap().to_str().unwrap()
    );
    let out = dir.join(name);
    driftwatch_columnar::write_table(&frame, &out).unwrap();
    out
}

fn convert(csv: &Path, dir: &Path, ext: &str) -> PathBuf {
    convert_with(csv, dir, ext, &ReadOptions::default())
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Runs `args` as given and again with each CSV path swapped for its copy; the exit
/// codes, stdout and stderr must be the same once the copies' paths read as the CSVs'.
/// Returns the CSV run.
fn same_output(args: &[String], copies: &[(PathBuf, PathBuf)]) -> Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let csv = run(&a);
    let swapped: Vec<String> = args
        .iter()
        .map(|x| {
            copies
                .iter()
                .find(|(c, _)| s(c) == *x)
                .map_or_else(|| x.clone(), |(_, p)| s(p))
        })
        .collect();
    let b: Vec<&str> = swapped.iter().map(String::as_str).collect();
    let other = run(&b);
    let back = |bytes: &[u8]| {
        let mut t = String::from_utf8_lossy(bytes).to_string();
        for (c, p) in copies {
            t = t.replace(&s(p), &s(c));
        }
        t
    };
    assert_eq!(
        csv.status.code(),
        other.status.code(),
        "{}\n---\n{}",
        text(&csv),
        text(&other)
    );
    assert_eq!(back(&csv.stdout), back(&other.stdout), "stdout of {args:?}");
    assert_eq!(back(&csv.stderr), back(&other.stderr), "stderr of {args:?}");
    csv
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_string()).collect()
}

#[test]
fn drift_is_the_same_on_every_fixture_pair() {
    let dir = tempfile::tempdir().unwrap();
    for (reference, current) in [
        ("data/iris/train.csv", "data/iris/current.csv"),
        (
            "data/manufacturing/train.csv",
            "data/manufacturing/current.csv",
        ),
        ("data/messy/reference.csv", "data/messy/current.csv"),
        (
            "data/nannyml_car_loan_reference.csv",
            "data/nannyml_car_loan_analysis.csv",
        ),
        (
            "data/nannyml_multiclass_reference.csv",
            "data/nannyml_multiclass_analysis.csv",
        ),
        (
            "data/nannyml_car_price_reference.csv",
            "data/nannyml_car_price_analysis.csv",
        ),
    ] {
        let (r, c) = (fixture(reference), fixture(current));
        for ext in ["parquet", "arrow"] {
            let copies = [
                (r.clone(), convert(&r, dir.path(), ext)),
                (c.clone(), convert(&c, dir.path(), ext)),
            ];
            let o = same_output(
                &strs(&[
                    "drift",
                    "--reference",
                    &s(&r),
                    "--current",
                    &s(&c),
                    "--format",
                    "json",
                ]),
                &copies,
            );
            let j = json(&o);
            assert!(
                !j["columns"].as_array().unwrap().is_empty(),
                "{reference}: {j}"
            );
        }
    }
}

#[test]
fn a_model_is_the_same_trained_read_and_checked_from_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let iris = fixture("golden/iris.csv");
    let current = fixture("data/iris/current.csv");
    let copies = [
        (iris.clone(), convert(&iris, dir.path(), "parquet")),
        (current.clone(), convert(&current, dir.path(), "parquet")),
    ];
    // train: the same printed metrics; the bundles then predict alike
    let csv_model = dir.path().join("csv.dwm");
    let pq_model = dir.path().join("pq.dwm");
    let train = |data: &Path, out: &Path| {
        let o = run(&[
            "train",
            "--data",
            &s(data),
            "--target",
            "species",
            "--output",
            &s(out),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout)
            .replace(&s(out), "MODEL")
            .replace(&s(data), "DATA")
    };
    assert_eq!(train(&iris, &csv_model), train(&copies[0].1, &pq_model));
    let model = train_iris(dir.path(), &[]);
    let m = s(&model);
    for args in [
        strs(&[
            "evaluate",
            "--model",
            &m,
            "--data",
            &s(&current),
            "--target",
            "species",
            "--format",
            "json",
        ]),
        strs(&[
            "validate",
            "--schema",
            &m,
            "--data",
            &s(&current),
            "--format",
            "json",
        ]),
        strs(&["predict", "--model", &m, "--data", &s(&current)]),
        strs(&[
            "monitor",
            "--model",
            &m,
            "--reference",
            &s(&iris),
            "--current",
            &s(&current),
            "--target",
            "species",
            "--window",
            "300",
            "--format",
            "json",
        ]),
    ] {
        let o = same_output(&args, &copies);
        assert!(!o.stdout.is_empty(), "{args:?}: {}", text(&o));
    }
    // check-deploy measures times, so only its verdict is compared
    let o = run(&[
        "check-deploy",
        "--model",
        &m,
        "--sample",
        &s(&copies[1].1),
        "--max-load-ms",
        "1e9",
        "--max-latency-ms",
        "1e9",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // both bundles predict the same
    let p = |model: &Path| {
        let o = run(&["predict", "--model", &s(model), "--data", &s(&current)]);
        assert!(o.status.success(), "{}", text(&o));
        o.stdout
    };
    assert_eq!(p(&csv_model), p(&pq_model));
}

#[test]
fn monitor_from_prediction_columns_and_a_labels_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture("data/nannyml_car_loan_reference.csv");
    let c = fixture("data/nannyml_car_loan_analysis_delayed.csv");
    let l = fixture("data/nannyml_car_loan_analysis_targets.csv");
    let copies: Vec<(PathBuf, PathBuf)> = [&r, &c, &l]
        .iter()
        .map(|p| ((*p).clone(), convert(p, dir.path(), "parquet")))
        .collect();
    let o = same_output(
        &strs(&[
            "monitor",
            "--reference",
            &s(&r),
            "--current",
            &s(&c),
            "--prediction",
            "y_pred",
            "--proba",
            "y_pred_proba",
            "--target",
            "repaid",
            "--id",
            "id",
            "--chunk-size",
            "500",
            "--labels",
            &s(&l),
            "--format",
            "json",
        ]),
        &copies,
    );
    assert!(
        text(&o).contains("labels for 3000 of 3000 rows"),
        "{}",
        text(&o)
    );
    assert_eq!(json(&o)["windows"].as_array().unwrap().len(), 6);
}

#[test]
fn reference_build_and_stream_are_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let train = fixture("data/manufacturing/train.csv");
    let current = fixture("data/manufacturing/current.csv");
    let pq = convert(&train, dir.path(), "parquet");
    let (a, b) = (dir.path().join("csv.dwr"), dir.path().join("pq.dwr"));
    for (data, out) in [(&train, &a), (&pq, &b)] {
        let o = run(&[
            "reference",
            "build",
            "--data",
            &s(data),
            "--output",
            &s(out),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    // the same fitted reference, byte for byte
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let copies = [(current.clone(), convert(&current, dir.path(), "parquet"))];
    same_output(
        &strs(&[
            "drift",
            "--reference",
            &s(&a),
            "--current",
            &s(&current),
            "--format",
            "json",
        ]),
        &copies,
    );
    let o = same_output(
        &strs(&[
            "stream",
            "--detector",
            "adwin",
            "--input",
            &s(&current),
            "--column",
            "temperature",
            "--format",
            "json",
        ]),
        &copies,
    );
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn predict_writes_parquet_with_the_csv_columns() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_iris(dir.path(), &[]);
    let current = fixture("data/iris/current.csv");
    let csv_out = dir.path().join("p.csv");
    let pq_out = dir.path().join("p.parquet");
    let arrow_out = dir.path().join("p.arrow");
    for out in [&csv_out, &pq_out, &arrow_out] {
        let o = run(&[
            "predict",
            "--model",
            &s(&model),
            "--data",
            &s(&current),
            "--output",
            &s(out),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    assert!(std::fs::read(&pq_out).unwrap().starts_with(b"PAR1"));
    let read =
        |p: &Path| driftwatch_columnar::read_table(p, &ReadOptions::default(), None).unwrap();
    let (c, p, a) = (read(&csv_out), read(&pq_out), read(&arrow_out));
    assert_eq!(c.n_rows(), 900);
    assert_eq!(c.names()[..3], ["row", "request_id", "prediction"]);
    assert!(c.names().iter().any(|n| n == "proba_setosa"));
    for f in [&p, &a] {
        assert_eq!(f.names(), c.names());
        for (name, col) in c.iter() {
            assert_eq!(
                f.column(name).unwrap().to_labels(),
                col.to_labels(),
                "{name}"
            );
        }
    }
    // typed: row numbers as integers, probabilities as floats
    let meta =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&pq_out).unwrap())
            .unwrap();
    use parquet::file::reader::FileReader;
    let schema = meta.metadata().file_metadata().schema_descr_ptr();
    let types: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| format!("{}:{}", c.name(), c.physical_type()))
        .collect();
    assert!(
        types.contains(&"row:INT64".to_string())
            && types.contains(&"proba_setosa:DOUBLE".to_string()),
        "{types:?}"
    );
}

#[test]
fn standard_input_is_csv_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture("data/iris/train.csv");
    let c = fixture("data/iris/current.csv");
    let pq = convert(&r, dir.path(), "parquet");
    let current_pq = convert(&c, dir.path(), "parquet");
    let run_stdin = |input: &Path, extra: &[&str]| {
        let mut args = vec!["drift", "--reference", "-", "--current"];
        // --input-format applies to every table of the command: the current file too
        let cs = if extra.is_empty() {
            s(&c)
        } else {
            s(&current_pq)
        };
        args.push(&cs);
        args.extend_from_slice(&["--format", "json"]);
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_driftwatch"))
            .args(&args)
            .stdin(std::fs::File::open(input).unwrap())
            .output()
            .unwrap()
    };
    let from_csv = run_stdin(&r, &[]);
    assert!(from_csv.status.success(), "{}", text(&from_csv));
    let from_pq = run_stdin(&pq, &["--input-format", "parquet"]);
    assert!(from_pq.status.success(), "{}", text(&from_pq));
    assert_eq!(from_csv.stdout, from_pq.stdout);
    // without the flag, Parquet bytes on standard input are read as CSV and refused
    let o = run_stdin(&pq, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // --columns reads only those from standard input (through a temporary file), as
    // from the file: the same report
    let some = [
        "--input-format",
        "parquet",
        "--columns",
        "petal_width,species",
    ];
    let from_pq = run_stdin(&pq, &some);
    assert!(from_pq.status.success(), "{}", text(&from_pq));
    let (ps, cs) = (s(&pq), s(&current_pq));
    let from_file = run(&[
        &[
            "drift",
            "--reference",
            &ps,
            "--current",
            &cs,
            "--format",
            "json",
        ][..],
        &some[..],
    ]
    .concat());
    assert!(from_file.status.success(), "{}", text(&from_file));
    assert_eq!(from_pq.stdout, from_file.stdout);
    let report: serde_json::Value = serde_json::from_slice(&from_pq.stdout).unwrap();
    assert_eq!(report["total"], 2, "{report}");
    // a damaged stream is named as standard input
    let bytes = std::fs::read(&pq).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = run_stdin(&cut, &["--input-format", "parquet"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("standard input: cannot read it as Parquet"),
        "{}",
        text(&o)
    );
}

#[test]
fn bad_files_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let c = fixture("data/iris/current.csv");
    let pq = convert(&c, dir.path(), "parquet");
    let bytes = std::fs::read(&pq).unwrap();
    let fake = dir.path().join("fake.parquet");
    std::fs::copy(&c, &fake).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let empty = dir.path().join("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    let drift = |current: &Path, extra: &[&str]| {
        let mut args = vec!["drift", "--reference"];
        let (cs, cur) = (s(&c), s(current));
        args.extend_from_slice(&[&cs, "--current", &cur]);
        args.extend_from_slice(extra);
        run(&args)
    };
    for (file, extra, needle) in [
        (&fake, &[][..], "named .parquet but not a Parquet file"),
        (&cut, &[][..], "cannot read it as Parquet"),
        (&empty, &[][..], "it is empty"),
        (
            &pq,
            &["--input-format", "csv"][..],
            "--input-format csv was given",
        ),
        (&c, &["--input-format", "parquet"][..], "not a Parquet file"),
        (
            &c,
            &["--input-format", "arrow"][..],
            "not an Arrow IPC file",
        ),
    ] {
        let o = drift(file, extra);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains(needle) && t.contains(&s(file)), "{needle}: {t}");
        assert!(!t.contains("panicked"), "{t}");
    }
    // the flag exists only where a table is read
    let o = run(&["inspect", "--input-format", "parquet", "x.dwm"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = run(&[
        "drift",
        "--reference",
        &s(&c),
        "--current",
        &s(&c),
        "--input-format",
        "orc",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn arrow_types_reach_the_drift_report() {
    // nulls, an all-null column, a dictionary column, timestamps with a zone, booleans
    use arrow::array::{
        ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int8Array, NullArray, StringArray,
        TimestampMillisecondArray,
    };
    use std::sync::Arc;
    let n = 40;
    let batch = |shift: f64| {
        let dict: DictionaryArray<arrow::datatypes::Int8Type> = DictionaryArray::try_new(
            Int8Array::from(
                (0..n)
                    .map(|i| (i % 5 != 0).then_some((i % 3) as i8))
                    .collect::<Vec<_>>(),
            ),
            Arc::new(StringArray::from(vec!["a", "b", "c"])),
        )
        .unwrap();
        arrow::record_batch::RecordBatch::try_from_iter([
            (
                "x",
                Arc::new(Float64Array::from(
                    (0..n)
                        .map(|i| (i % 7 != 0).then_some(i as f64 + shift))
                        .collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            ("d", Arc::new(dict) as ArrayRef),
            (
                "b",
                Arc::new(BooleanArray::from(
                    (0..n).map(|i| Some(i % 2 == 0)).collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            (
                "t",
                Arc::new(
                    TimestampMillisecondArray::from(
                        (0..n)
                            .map(|i| Some(1_700_000_000_000 + i as i64))
                            .collect::<Vec<_>>(),
                    )
                    .with_timezone("Europe/Paris"),
                ) as ArrayRef,
            ),
            ("none", Arc::new(NullArray::new(n)) as ArrayRef),
        ])
        .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, b: &arrow::record_batch::RecordBatch| {
        let p = dir.path().join(name);
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&p).unwrap(),
            b.schema(),
            None,
        )
        .unwrap();
        w.write(b).unwrap();
        w.close().unwrap();
        p
    };
    let r = write("r.parquet", &batch(0.0));
    let c = write("c.parquet", &batch(100.0));
    let o = run(&[
        "drift",
        "--reference",
        &s(&r),
        "--current",
        &s(&c),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let j = json(&o);
    let row = |name: &str| {
        j["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["column"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {j}"))
    };
    assert_eq!(row("x")["kind"], "numeric");
    assert_eq!(row("x")["drift"], true);
    assert_eq!(row("d")["kind"], "categorical");
    assert_eq!(row("d")["drift"], false);
    assert_eq!(row("b")["kind"], "boolean");
    assert_eq!(row("t")["kind"], "timestamp");
    assert_eq!(row("t")["test"], "skipped");
    let issues = row("none")["issues"].to_string();
    assert!(issues.contains("all_missing"), "{issues}");
    // the same table as CSV (empty cells for nulls) gives the same rows
    let csv_of = |b: &arrow::record_batch::RecordBatch, name: &str| {
        let mut f = driftwatch_columnar::read_table(
            &write(&format!("{name}.parquet"), b),
            &ReadOptions::default(),
            None,
        )
        .unwrap();
        assert_eq!(f.kind("t").unwrap(), ColumnKind::Timestamp);
        f.remove("t").unwrap();
        let p = dir.path().join(format!("{name}.csv"));
        driftwatch_columnar::write_table(&f, &p).unwrap();
        p
    };
    let (rc, cc) = (csv_of(&batch(0.0), "r2"), csv_of(&batch(100.0), "c2"));
    let o2 = run(&[
        "drift",
        "--reference",
        &s(&rc),
        "--current",
        &s(&cc),
        "--format",
        "json",
        "--columns",
        "x,d,b,none",
    ]);
    let j2 = json(&o2);
    for name in ["x", "d", "b", "none"] {
        let a = j2["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["column"] == name)
            .cloned()
            .unwrap();
        assert_eq!(a["statistic"], row(name)["statistic"], "{name}");
        assert_eq!(a["drift"], row(name)["drift"], "{name}");
    }
}

#[test]
fn a_list_column_is_named() {
    use arrow::array::{ArrayRef, Float64Array, ListArray};
    use std::sync::Arc;
    let list = ListArray::from_iter_primitive::<arrow::datatypes::Int32Type, _, _>(
        (0..10).map(|i| Some(vec![Some(i)])),
    );
    let b = arrow::record_batch::RecordBatch::try_from_iter([
        (
            "x",
            Arc::new(Float64Array::from(
                (0..10).map(f64::from).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        ("emb", Arc::new(list) as ArrayRef),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("l.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&p).unwrap(), b.schema(), None)
            .unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    let o = run(&["drift", "--reference", &s(&p), "--current", &s(&p)]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("column 'emb' is List(") && t.contains(&s(&p)),
        "{t}"
    );
    // a check of the other columns never decodes it, on either side
    for cmd in [
        vec![
            "drift",
            "--reference",
            &s(&p),
            "--current",
            &s(&p),
            "--columns",
            "x",
        ],
        vec![
            "reference",
            "build",
            "--data",
            &s(&p),
            "--columns",
            "x",
            "--output",
            &s(&p.with_extension("dwr")),
        ],
    ] {
        let o = run(&cmd);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = run(&[
        "drift",
        "--reference",
        &s(&p.with_extension("dwr")),
        "--current",
        &s(&p),
        "--columns",
        "x",
        "--format",
        "json",
    ]);
    assert_eq!(json(&o)["columns"][0]["n_current"], 10, "{}", text(&o));
}

/// Files written by pandas/pyarrow (fixtures/data/parquet/make_fixtures.py), not by
/// this project's writer: pandas' own types read to the kinds and values expected.
#[test]
fn pandas_written_files_read_as_expected() {
    use driftwatch_core::Column;
    let f = driftwatch_columnar::read_table(
        &fixture("data/parquet/pandas_types.parquet"),
        &ReadOptions::default(),
        None,
    )
    .unwrap();
    // pandas' index column is left out
    assert_eq!(
        f.names(),
        ["f", "i", "cat", "s", "flag", "when", "day", "nothing"]
    );
    assert_eq!(f.n_rows(), 12);
    let num = |n: &str| match f.column(n).unwrap() {
        Column::Numeric(v) => v.to_vec(),
        Column::Categorical(_) => panic!("{n} is numeric"),
    };
    let f0 = num("f");
    assert_eq!((f0[0], f0[2], f0[3]), (1.5, -2.0, f64::INFINITY));
    assert!(f0[1].is_nan());
    assert_eq!(num("i")[..4].iter().filter(|x| x.is_nan()).count(), 1);
    let Column::Categorical(cat) = f.column("cat").unwrap() else {
        panic!("cat is categorical")
    };
    assert_eq!(cat.levels, ["b", "a"]);
    assert_eq!(cat.codes[..4], [Some(0), Some(1), None, Some(0)]);
    // a string "NA" is a category; only nulls are missing
    assert_eq!(
        f.column("s").unwrap().to_labels()[..4],
        [
            Some("x".into()),
            None,
            Some("NA".into()),
            Some(String::new())
        ]
    );
    assert_eq!(f.kind("flag").unwrap(), ColumnKind::Boolean);
    assert_eq!(f.column("flag").unwrap().missing_count(), 3);
    // 11:30:00.25 in Paris (UTC+1 in March) is 10:30:00.25 UTC
    assert_eq!(f.kind("when").unwrap(), ColumnKind::Timestamp);
    assert_eq!(num("when")[0], 1_709_289_000.25);
    assert_eq!(num("day")[0], 1_709_251_200.0);
    assert_eq!(f.column("nothing").unwrap().missing_count(), 12);
}

/// pandas' Parquet of iris/train.csv gives the drift report of the CSV itself.
#[test]
fn a_pandas_parquet_drifts_as_its_csv() {
    let csv = fixture("data/iris/train.csv");
    let pq = fixture("data/parquet/iris_train.parquet");
    let current = fixture("data/iris/current.csv");
    same_output(
        &strs(&[
            "drift",
            "--reference",
            &s(&csv),
            "--current",
            &s(&current),
            "--format",
            "json",
        ]),
        &[(csv.clone(), pq)],
    );
}
