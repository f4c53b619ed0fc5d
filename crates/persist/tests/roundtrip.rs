//! Saving and loading real fitted pipelines: what goes in comes out, and what a reader
//! would refuse is refused at save time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns too

mod common;

use std::fs;

use common::{assemble, classifier_meta, fitted_classifier, fitted_scaler, numeric_frame};
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{ParamValue, Pipeline, Schema, Transformer};
use driftwatch_persist::{
    BundleMeta, Compression, Error, FORMAT_VERSION, Limits, PRELUDE_LEN, SaveOptions, TaskKind,
    from_bytes, from_bytes_with, header_from_bytes, load, load_with, read_header, save, to_bytes,
    verify,
};
use time::macros::datetime;

fn opts(compression: Compression) -> SaveOptions {
    SaveOptions {
        compression,
        ..SaveOptions::default()
    }
}

#[test]
fn round_trip_keeps_the_pipeline_and_every_header_field() {
    let x = numeric_frame(40, 5);
    let pipeline = fitted_classifier(&x);
    let meta = classifier_meta(&x);
    let dir = tempfile::tempdir().unwrap();
    for compression in [
        Compression::None,
        Compression::Zstd { level: 3 },
        Compression::Zstd { level: 19 },
    ] {
        let path = dir.path().join("model.dwm");
        let written = save(&path, &meta, &pipeline, &opts(compression)).unwrap();
        let bundle = load(&path).unwrap();
        assert_eq!(bundle.header, written);

        // The pipeline behaves the same.
        let probe = numeric_frame(17, 5);
        assert_eq!(
            bundle.pipeline.transform_features(&probe).unwrap(),
            pipeline.transform_features(&probe).unwrap()
        );
        assert_eq!(
            bundle.pipeline.predict(&probe).unwrap(),
            pipeline.predict(&probe).unwrap()
        );
        assert_eq!(bundle.pipeline.input_columns, pipeline.input_columns);

        // The header says what the caller said, and what the format adds.
        let h = &bundle.header;
        assert_eq!(h.format_version, FORMAT_VERSION);
        assert_eq!(h.name, "churn-classifier");
        assert_eq!(h.version, "1.2.0");
        assert_eq!(h.schema, Schema::infer(&x));
        assert_eq!(h.target, meta.target);
        assert_eq!(h.target.as_ref().unwrap().kind, TaskKind::Classification);
        // Floats survive JSON bit for bit (0.1 + 0.2 is not 0.3).
        assert_eq!(h.training_metrics["f1"].to_bits(), (0.1f64 + 0.2).to_bits());
        assert_eq!(h.training_metrics["accuracy"], 0.75);
        assert_eq!(h.description.as_deref(), Some("majority baseline"));
        assert_eq!(h.owner.as_deref(), Some("ml-platform@example.com"));
        assert_eq!(
            h.limitations.as_deref(),
            Some("only trained on synthetic rows")
        );
        assert_eq!(h.feature_importances, meta.feature_importances);
        assert_eq!(h.n_train_rows, 40);
        assert_eq!(h.crate_versions["driftwatch-models"], "9.9.9");
        assert_eq!(
            h.crate_versions["driftwatch-persist"],
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(
            h.parameters["standardscaler__with_mean"],
            ParamValue::Bool(true)
        );
        assert_eq!(
            h.parameters["majorityclassifier__smoothing"],
            ParamValue::Float(0.0)
        );
        assert_eq!(h.compression, compression);
        assert!(h.created_at.offset().is_utc());
        let file_len = fs::metadata(&path).unwrap().len();
        assert!(h.payload_length < file_len);
        if compression == Compression::None {
            assert_eq!(h.decoded_length, h.payload_length);
        }
        // The header is plain JSON in the file.
        let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).to_string();
        assert!(text.contains(r#""created_at": ""#), "{text}");
        assert!(text.contains(r#""algorithm": ""#), "{text}");
    }
}

#[test]
fn in_memory_bytes_match_the_file_and_are_reproducible() {
    let x = numeric_frame(30, 4);
    let pipeline = fitted_scaler(&x);
    let mut meta = BundleMeta::new("scaler", "0.1.0", Schema::infer(&x));
    meta.created_at = Some(datetime!(2025-03-01 12:00:00 UTC));
    let o = SaveOptions::default();
    let a = to_bytes(&meta, &pipeline, &o).unwrap();
    let b = to_bytes(&meta, &pipeline, &o).unwrap();
    assert_eq!(a, b, "same input, same bytes");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.dwm");
    save(&path, &meta, &pipeline, &o).unwrap();
    assert_eq!(fs::read(&path).unwrap(), a);
    let bundle = from_bytes(&a).unwrap();
    assert_eq!(bundle.header.created_at, datetime!(2025-03-01 12:00:00 UTC));
    assert_eq!(bundle.header.target, None);
    assert_eq!(header_from_bytes(&a).unwrap(), bundle.header);
}

#[test]
fn read_header_never_needs_the_payload() {
    let x = numeric_frame(30, 3);
    let pipeline = fitted_scaler(&x);
    let meta = BundleMeta::new("scaler", "1.0.0", Schema::infer(&x));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.dwm");
    let written = save(&path, &meta, &pipeline, &SaveOptions::default()).unwrap();
    let bytes = fs::read(&path).unwrap();
    let header_end = bytes.len() - written.payload_length as usize;

    // Payload damaged: the header still reads, verify and load refuse.
    let mut damaged = bytes.clone();
    damaged[header_end + 3] ^= 0x40;
    fs::write(&path, &damaged).unwrap();
    assert_eq!(read_header(&path).unwrap(), written);
    let err = verify(&path).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(matches!(load(&path).unwrap_err(), Error::Corrupt { .. }));

    // Payload gone entirely: the header still reads.
    fs::write(&path, &bytes[..header_end]).unwrap();
    assert_eq!(read_header(&path).unwrap(), written);
    assert_eq!(header_from_bytes(&bytes[..header_end]).unwrap(), written);
    let err = load(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Truncated {
                part: "payload",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("truncated"), "{err}");
    assert!(err.to_string().contains("m.dwm"), "{err}");

    fs::write(&path, &bytes).unwrap();
    assert_eq!(verify(&path).unwrap(), written);
    assert!(header_end > PRELUDE_LEN);
}

#[test]
fn save_replaces_atomically_and_leaves_no_temporary_file() {
    let x = numeric_frame(20, 2);
    let pipeline = fitted_scaler(&x);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.dwm");
    fs::write(&path, b"old contents").unwrap();
    let meta = BundleMeta::new("m", "1.0.0", Schema::infer(&x));
    save(&path, &meta, &pipeline, &SaveOptions::default()).unwrap();
    let meta2 = BundleMeta::new("m", "2.0.0", Schema::infer(&x));
    save(&path, &meta2, &pipeline, &SaveOptions::default()).unwrap();
    assert_eq!(read_header(&path).unwrap().version, "2.0.0");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["m.dwm"]);

    // A failed save leaves the old file alone.
    let bad = BundleMeta::new("m", "three", Schema::infer(&x));
    assert!(save(&path, &bad, &pipeline, &SaveOptions::default()).is_err());
    assert_eq!(read_header(&path).unwrap().version, "2.0.0");

    // Saving into a missing directory is an I/O error naming the file.
    let err = save(
        &dir.path().join("nope/m.dwm"),
        &meta,
        &pipeline,
        &SaveOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn save_refuses_what_a_reader_would_refuse_or_misread() {
    let x = numeric_frame(20, 3);
    let fitted = fitted_classifier(&x);
    let good = classifier_meta(&x);
    let o = SaveOptions::default();
    let detail = |meta: &BundleMeta, p: &Pipeline, o: &SaveOptions| match to_bytes(meta, p, o) {
        Err(Error::InvalidInput { detail, .. }) => detail,
        other => panic!("expected InvalidInput, got {other:?}"),
    };

    let unfitted = Pipeline::new().step("scale", Box::new(StandardScaler::default()));
    assert!(detail(&good, &unfitted, &o).contains("not fitted"));

    for version in ["1", "v1.0.0", "1.0", ""] {
        let m = BundleMeta {
            version: version.into(),
            ..good.clone()
        };
        assert!(detail(&m, &fitted, &o).contains("semantic version"));
    }
    let m = BundleMeta {
        name: " ".into(),
        ..good.clone()
    };
    assert!(detail(&m, &fitted, &o).contains("name"));

    let mut m = good.clone();
    m.training_metrics.insert("auc".into(), f64::NAN);
    assert!(detail(&m, &fitted, &o).contains("'auc'"));

    let mut m = good.clone();
    m.feature_importances = Some(vec![("f0".into(), f64::INFINITY)]);
    assert!(detail(&m, &fitted, &o).contains("'f0'"));

    let m = BundleMeta {
        target: None,
        ..good.clone()
    };
    assert!(detail(&m, &fitted, &o).contains("no target"));

    let mut m = good.clone();
    m.target.as_mut().unwrap().kind = TaskKind::Regression;
    assert!(detail(&m, &fitted, &o).contains("classifier"));

    let mut m = good.clone();
    m.schema.columns.remove(1);
    assert!(detail(&m, &fitted, &o).contains("f1"));

    let mut m = good.clone();
    m.schema.columns[0].max = Some(f64::INFINITY);
    assert!(detail(&m, &fitted, &o).contains("non-finite bound"));

    let bad_level = SaveOptions {
        compression: Compression::Zstd { level: 99 },
        ..o
    };
    assert!(detail(&good, &fitted, &bad_level).contains("zstd level 99"));

    // A pipeline that fails its own validation is not written.
    let mut broken = fitted_scaler(&x);
    let step = &mut broken.steps[0].transformer;
    let json = serde_json::to_value(&*step).unwrap();
    let mut json = json;
    json["fitted"]["scale"][0] = serde_json::json!(0.0);
    *step = serde_json::from_value(json).unwrap();
    let meta = BundleMeta::new("m", "1.0.0", Schema::infer(&x));
    assert!(detail(&meta, &broken, &o).contains("fails its own checks"));
}

#[test]
fn non_finite_parameters_are_written_as_text() {
    let x = numeric_frame(20, 2);
    let mut pipeline = fitted_classifier(&x);
    driftwatch_core::Params::set_param(
        &mut pipeline,
        "majorityclassifier__smoothing",
        &ParamValue::Float(f64::INFINITY),
    )
    .unwrap();
    let bytes = to_bytes(&classifier_meta(&x), &pipeline, &SaveOptions::default()).unwrap();
    let b = from_bytes(&bytes).unwrap();
    let v = &b.header.parameters["majorityclassifier__smoothing"];
    assert_eq!(v, &ParamValue::Str("inf".into()));
    assert_eq!(
        ParamValue::parse(&v.as_string()),
        ParamValue::Float(f64::INFINITY)
    );
}

#[test]
fn limits_are_enforced_on_save_and_load() {
    let x = numeric_frame(50, 20);
    let pipeline = fitted_scaler(&x);
    let meta = BundleMeta::new("m", "1.0.0", Schema::infer(&x));
    let none = opts(Compression::None);
    let bytes = to_bytes(&meta, &pipeline, &none).unwrap();
    let header = from_bytes(&bytes).unwrap().header;

    let small = Limits {
        max_payload_bytes: header.payload_length - 1,
        ..Limits::default()
    };
    let err = from_bytes_with(&bytes, &small).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                field: "max_payload_bytes",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("Limits::max_payload_bytes"),
        "{err}"
    );
    let err = to_bytes(
        &meta,
        &pipeline,
        &SaveOptions {
            limits: small,
            ..none
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");

    let tiny_header = Limits {
        max_header_bytes: 100,
        ..Limits::default()
    };
    let err = from_bytes_with(&bytes, &tiny_header).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                field: "max_header_bytes",
                ..
            }
        ),
        "{err}"
    );

    let small_decoded = Limits {
        max_decoded_bytes: header.decoded_length - 1,
        ..Limits::default()
    };
    let zstd = to_bytes(&meta, &pipeline, &SaveOptions::default()).unwrap();
    let err = from_bytes_with(&zstd, &small_decoded).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                field: "max_decoded_bytes",
                ..
            }
        ),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.dwm");
    fs::write(&path, &bytes).unwrap();
    assert!(load_with(&path, &small).is_err());
    assert!(load(&path).is_ok());
}

fn nested(levels: usize, x: &driftwatch_core::Frame) -> Pipeline {
    let mut p = Pipeline::new().step("scale", Box::new(StandardScaler::default()));
    for i in 0..levels {
        p = Pipeline::new().step(format!("level{i}"), Box::new(p));
    }
    Transformer::fit(&mut p, x).unwrap();
    p
}

#[test]
fn nested_pipelines_load_up_to_the_depth_limit_and_no_further() {
    let x = numeric_frame(20, 3);
    let meta = BundleMeta::new("nested", "1.0.0", Schema::infer(&x));
    // Three MessagePack levels per nested pipeline: 35 levels fit in 128. Decoding them
    // would overflow a test thread's 2 MiB stack in a debug build, had deep payloads not
    // a decoding thread of their own.
    // Up to ~10 levels decode on the caller's (here a 2 MiB test) thread.
    for levels in 0..=12 {
        let p = nested(levels, &x);
        let bytes = to_bytes(&meta, &p, &SaveOptions::default()).unwrap();
        assert!(from_bytes(&bytes).is_ok(), "{levels} levels");
    }
    let p = nested(35, &x);
    let bytes = to_bytes(&meta, &p, &SaveOptions::default()).unwrap();
    let loaded = from_bytes(&bytes).unwrap().pipeline;
    assert_eq!(
        loaded.transform_features(&x).unwrap(),
        p.transform_features(&x).unwrap()
    );

    let deeper = nested(50, &x);
    let err = to_bytes(&meta, &deeper, &SaveOptions::default()).unwrap_err();
    assert!(matches!(err, Error::TooDeep { limit: 128, .. }), "{err}");
    let relaxed = Limits {
        max_nesting_depth: 256,
        ..Limits::default()
    };
    let save_relaxed = SaveOptions {
        limits: relaxed,
        ..SaveOptions::default()
    };
    let bytes = to_bytes(&meta, &deeper, &save_relaxed).unwrap();
    let err = from_bytes(&bytes).unwrap_err();
    assert!(matches!(err, Error::TooDeep { .. }), "{err}");
    assert!(
        err.to_string().contains("Limits::max_nesting_depth"),
        "{err}"
    );
    assert!(from_bytes_with(&bytes, &relaxed).is_ok());
}

#[test]
fn crafted_payloads_with_valid_checksums_are_still_refused() {
    let x = numeric_frame(20, 3);
    let pipeline = fitted_scaler(&x);
    let meta = BundleMeta::new("m", "1.0.0", Schema::infer(&x));
    let good = from_bytes(&to_bytes(&meta, &pipeline, &opts(Compression::None)).unwrap())
        .unwrap()
        .header;
    let none = |mut h: driftwatch_persist::BundleHeader, payload: &[u8]| {
        h.compression = Compression::None;
        h.decoded_length = payload.len() as u64;
        from_bytes(&assemble(&h, payload))
    };

    // Nesting far past the limit: an error, not a stack overflow.
    let deep = vec![0x91u8; 100_000]; // fixarray of length 1, nested
    let err = none(good.clone(), &deep).unwrap_err();
    assert!(matches!(err, Error::TooDeep { .. }), "{err}");

    // Not MessagePack at all (0xc1 is never used), or with bytes after the value.
    let err = none(good.clone(), &[0xc1]).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    let mut trailing = rmp_serde::to_vec_named(&pipeline).unwrap();
    trailing.push(0);
    let err = none(good.clone(), &trailing).unwrap_err();
    assert!(
        err.to_string().contains("not well-formed MessagePack"),
        "{err}"
    );

    // A step type this build does not know: the message says who wrote the bundle.
    let mut value = rmp_to_json(&pipeline);
    value["steps"][0]["transformer"]["type"] = serde_json::json!("QuantumScaler");
    let payload = rmp_serde::to_vec_named(&value).unwrap();
    let err = none(good.clone(), &payload).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Decode { .. }), "{text}");
    assert!(
        text.contains("QuantumScaler") && text.contains("driftwatch-persist"),
        "{text}"
    );

    // Decodes, but the fitted state is inconsistent: validate() catches it.
    let mut value = rmp_to_json(&pipeline);
    value["steps"][0]["transformer"]["fitted"]["scale"][1] = serde_json::json!(0.0);
    let payload = rmp_serde::to_vec_named(&value).unwrap();
    let err = none(good.clone(), &payload).unwrap_err();
    assert!(matches!(err, Error::InvalidPipeline { .. }), "{err}");

    // A zstd stream that inflates past the length the header states stops there.
    let big = vec![0u8; 10 << 20];
    let bomb = zstd::bulk::compress(&big, 3).unwrap();
    let mut h = good.clone();
    h.compression = Compression::Zstd { level: 3 };
    h.decoded_length = 1000;
    let err = from_bytes(&assemble(&h, &bomb)).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(
        err.to_string().contains("more than the 1000 bytes"),
        "{err}"
    );

    // A frame that states the right size but holds more data (a second frame behind it):
    // the one-call path has a buffer of exactly the stated size, and zstd refuses to
    // overrun it.
    let mut two = zstd::bulk::compress(&big[..1000], 3).unwrap();
    two.extend_from_slice(&zstd::bulk::compress(&big[..1000], 3).unwrap());
    h.decoded_length = 1000;
    let err = from_bytes(&assemble(&h, &two)).unwrap_err();
    assert!(matches!(err, Error::Decompress { .. }), "{err}");
    // ... or that states the right size but holds less.
    let mut short = zstd::bulk::compress(&big[..1000], 3).unwrap();
    let cut = short.len() - 4;
    short.truncate(cut);
    let err = from_bytes(&assemble(&h, &short)).unwrap_err();
    assert!(
        matches!(err, Error::Decompress { .. } | Error::Corrupt { .. }),
        "{err}"
    );

    // Not zstd at all.
    h.decoded_length = 10;
    let err = from_bytes(&assemble(&h, b"definitely not zstd")).unwrap_err();
    assert!(matches!(err, Error::Decompress { .. }), "{err}");

    // Uncompressed, but the lengths disagree.
    let mut h = good.clone();
    h.decoded_length += 1;
    let payload = rmp_serde::to_vec_named(&pipeline).unwrap();
    let err = from_bytes(&assemble(&h, &payload)).unwrap_err();
    assert!(matches!(err, Error::InvalidHeader { .. }), "{err}");
}

fn rmp_to_json(p: &Pipeline) -> serde_json::Value {
    serde_json::to_value(p).unwrap()
}
