//! The mutation harness on a bundle holding the real native forest
//! (StandardScaler + RandomForestClassifier): thousands of damaged and crafted files,
//! never a panic, and a crafted file that loads never makes `predict` panic.
//!
//! Two kinds of damage:
//!
//! * **file damage** (bit flips, truncation at every 1/64, swapped sections, huge length
//!   fields, wrong format versions): the checksums or the length checks refuse every one,
//!   with an error naming the problem;
//! * **crafted payloads** (the attacker recomputes the checksums): the MessagePack is
//!   damaged byte-wise, or decoded and re-encoded with one number, array or map changed
//!   (child indices, feature indices, thresholds, leaf values, class counts). Decoding or
//!   `Pipeline::validate` must refuse what would break prediction; whatever loads must
//!   predict (or return an error) without panicking.
//!
//! The normal run does a few thousand cases in seconds; `cargo test -p driftwatch-persist
//! --test mutation_forest -- --ignored` runs 25 times more (a few minutes in a debug build).
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns too

mod common;

use common::{Rng, assemble, numeric_frame, payload};
use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{Frame, Pipeline, Schema, Target, make_pipeline};
use driftwatch_models::RandomForestClassifier;
use driftwatch_persist::{
    BundleHeader, BundleMeta, Compression, Error, FORMAT_VERSION, PRELUDE_LEN, SaveOptions,
    TargetInfo, TaskKind, from_bytes, to_bytes,
};
use serde_json::Value;

const COLS: usize = 5;

/// A small but real forest: 6 trees of depth <= 4 on 120 rows, three classes.
fn forest_pipeline(x: &Frame) -> Pipeline {
    let mut rf = RandomForestClassifier::with_seed(7);
    rf.settings.n_estimators = 6;
    rf.settings.max_depth = Some(4);
    rf.settings.n_jobs = Some(1);
    let mut p = make_pipeline(
        vec![Box::new(StandardScaler::default())],
        Some(Box::new(rf)),
    );
    let y = Target::Labels(
        (0..x.n_rows())
            .map(|i| ["low", "mid", "high"][(i * 7 / 5) % 3].to_string())
            .collect(),
    );
    p.fit(x, &y).unwrap();
    p
}

struct Case {
    bytes: Vec<u8>,
    header: BundleHeader,
    payload: Vec<u8>,
    probe: Frame,
}

fn case(compression: Compression) -> Case {
    let x = numeric_frame(120, COLS);
    let pipeline = forest_pipeline(&x);
    let mut meta = BundleMeta::new("forest", "1.0.0", Schema::infer(&x));
    meta.target = Some(TargetInfo {
        name: "grade".into(),
        kind: TaskKind::Classification,
        classes: vec!["high".into(), "low".into(), "mid".into()],
    });
    meta.n_train_rows = 120;
    let bytes = to_bytes(
        &meta,
        &pipeline,
        &SaveOptions {
            compression,
            ..SaveOptions::default()
        },
    )
    .unwrap();
    let header = from_bytes(&bytes).unwrap().header;
    let payload = rmp_serde::to_vec_named(&pipeline).unwrap();
    Case {
        bytes,
        header,
        payload,
        probe: numeric_frame(40, COLS),
    }
}

/// Re-checksums a crafted MessagePack payload, as an attacker would.
fn crafted(c: &Case, payload: &[u8]) -> Vec<u8> {
    let mut h = c.header.clone();
    h.compression = Compression::None;
    h.decoded_length = payload.len() as u64;
    assemble(&h, payload)
}

/// Loads `bytes`; if it loads, predicts with it. Returns whether it loaded. A panic
/// anywhere fails the test.
fn load_and_use(bytes: &[u8], probe: &Frame) -> bool {
    match from_bytes(bytes) {
        Ok(b) => {
            let _ = b.pipeline.predict(probe);
            let _ = b.pipeline.predict_proba(probe);
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

/// Byte-level damage of the stored file: every case must be refused.
fn file_damage(c: &Case, rng: &mut Rng, n: usize) -> usize {
    let b = &c.bytes;
    let mut checked = 0;
    // Truncation at every 1/64 of the length.
    for k in 0..64 {
        let cut = b.len() * k / 64;
        let err = from_bytes(&b[..cut]).unwrap_err();
        assert!(
            matches!(err, Error::Truncated { .. } | Error::BadMagic { .. }),
            "cut at {cut}: {err}"
        );
        checked += 1;
    }
    // Wrong format versions.
    for v in [0u16, 1, FORMAT_VERSION + 1, 255, u16::MAX] {
        let mut m = b.clone();
        m[4..6].copy_from_slice(&v.to_le_bytes());
        let err = from_bytes(&m).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnsupportedVersion { .. }
                    | Error::Corrupt { .. }
                    | Error::InvalidHeader { .. }
            ),
            "{err}"
        );
        checked += 1;
    }
    // Huge header lengths.
    for len in [u32::MAX, 1 << 20, (1 << 20) + 1, b.len() as u32] {
        let mut m = b.clone();
        m[6..10].copy_from_slice(&len.to_le_bytes());
        let err = from_bytes(&m).unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { .. } | Error::Truncated { .. }),
            "{err}"
        );
        checked += 1;
    }
    let header_len = u32::from_le_bytes([b[6], b[7], b[8], b[9]]) as usize;
    let body = PRELUDE_LEN + header_len;
    for i in 0..n {
        let mut m = b.clone();
        match i % 5 {
            // One bit.
            0 => {
                let p = rng.below(m.len());
                m[p] ^= 1 << rng.below(8);
            }
            // A run of random bytes.
            1 => {
                let p = rng.below(m.len());
                for q in p..(p + 1 + rng.below(16)).min(m.len()) {
                    m[q] = m[q].wrapping_add(1 + rng.below(255) as u8);
                }
            }
            // Header and payload swapped.
            2 => {
                let mut s = m[..PRELUDE_LEN].to_vec();
                s.extend_from_slice(&b[body..]);
                s.extend_from_slice(&b[PRELUDE_LEN..body]);
                m = s;
            }
            // Two chunks of the payload swapped.
            3 => {
                let len = 1 + rng.below(64.min((b.len() - body) / 2));
                let a = body + rng.below(b.len() - body - 2 * len);
                let z = a + len + rng.below(b.len() - a - 2 * len + 1);
                let (x, y) = (m[a..a + len].to_vec(), m[z..z + len].to_vec());
                if x == y {
                    m[a] ^= 0xFF;
                } else {
                    m[a..a + len].copy_from_slice(&y);
                    m[z..z + len].copy_from_slice(&x);
                }
            }
            // A random slice cut out.
            _ => {
                let a = rng.below(m.len());
                let z = (a + 1 + rng.below(256)).min(m.len());
                m.drain(a..z);
            }
        }
        assert!(from_bytes(&m).is_err(), "damage case {i} went unnoticed");
        checked += 1;
    }
    checked
}

/// Byte-level damage of the MessagePack with the checksums recomputed.
fn crafted_bytes(c: &Case, rng: &mut Rng, n: usize) -> (usize, usize) {
    let mut loaded = 0;
    for i in 0..n {
        let mut p = c.payload.clone();
        match i % 4 {
            0 => p.truncate(rng.below(p.len())),
            1 => {
                let j = rng.below(p.len());
                p[j] ^= 1 << rng.below(8);
            }
            2 => {
                for _ in 0..1 + rng.below(4) {
                    let j = rng.below(p.len());
                    p[j] = rng.next_u64() as u8;
                }
            }
            _ => {
                // A MessagePack array/map header claiming 2^32-1 elements.
                let j = rng.below(p.len());
                let huge = [
                    [0xdd, 0xff, 0xff, 0xff, 0xff],
                    [0xdf, 0xff, 0xff, 0xff, 0xff],
                ];
                p.splice(j..j, huge[rng.below(2)]);
            }
        }
        if load_and_use(&crafted(c, &p), &c.probe) {
            loaded += 1;
        }
    }
    (n, loaded)
}

/// Every number in the decoded payload, as a path of keys/indices.
fn number_paths(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Number(_) => out.push(path.clone()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(PathStep::Index(i));
                number_paths(x, path, out);
                path.pop();
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                path.push(PathStep::Key(k.clone()));
                number_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

/// Structure-aware damage: one number replaced by a hostile value, or the array or map
/// holding it shortened, lengthened or emptied; re-encoded and re-checksummed.
fn crafted_values(c: &Case, rng: &mut Rng, n: usize) -> (usize, usize) {
    let tree: Value = payload::decode(&c.payload);
    let mut paths = Vec::new();
    number_paths(&tree, &mut Vec::new(), &mut paths);
    assert!(
        paths.len() > 300,
        "only {} numbers in the payload",
        paths.len()
    );
    let evil = [
        serde_json::json!(0),
        serde_json::json!(1),
        serde_json::json!(-1),
        serde_json::json!(2),
        serde_json::json!(COLS),
        serde_json::json!(COLS + 1),
        serde_json::json!(u32::MAX),
        serde_json::json!(u32::MAX - 1),
        serde_json::json!(u64::MAX),
        serde_json::json!(i64::MIN),
        serde_json::json!(1e308),
        serde_json::json!(-1e308),
        serde_json::json!(f64::MAX),
        serde_json::json!(0.5),
        serde_json::json!(-0.0),
    ];
    let mut loaded = 0;
    for i in 0..n {
        let mut v = tree.clone();
        let path = &paths[rng.below(paths.len())];
        match i % 6 {
            0..=3 => {
                *at(&mut v, path) = if rng.below(3) == 0 {
                    serde_json::json!(rng.below(300))
                } else {
                    evil[rng.below(evil.len())].clone()
                };
            }
            // The array holding the number loses or gains an element, or is emptied.
            4 => {
                if let Value::Array(a) = at(&mut v, &path[..path.len() - 1]) {
                    match rng.below(3) {
                        0 => {
                            a.pop();
                        }
                        1 => a.push(serde_json::json!(rng.below(10))),
                        _ => a.clear(),
                    }
                }
            }
            // A containing map loses a field.
            _ => {
                let depth = rng.below(path.len());
                if let (Value::Object(m), Some(PathStep::Key(k))) =
                    (at(&mut v, &path[..depth]), path.get(depth))
                {
                    m.remove(k);
                }
            }
        }
        let p = payload::encode(&v);
        if load_and_use(&crafted(c, &p), &c.probe) {
            loaded += 1;
        }
    }
    (n, loaded)
}

fn run(scale: usize) {
    let mut rng = Rng(0xD1F7_3A7C_0FFE_E123);
    for compression in [Compression::None, Compression::Zstd { level: 3 }] {
        let c = case(compression);
        // The intact bundle loads and predicts like the original.
        let b = from_bytes(&c.bytes).unwrap();
        assert_eq!(b.pipeline.predict(&c.probe).unwrap().len(), 40);
        let refused = file_damage(&c, &mut rng, 300 * scale);
        assert!(refused >= 300 * scale);
    }
    let c = case(Compression::None);
    let (n, loaded) = crafted_bytes(&c, &mut rng, 600 * scale);
    // Most byte damage breaks decoding or validation even with a good checksum.
    assert!(loaded * 2 < n, "{loaded} of {n} damaged payloads loaded");
    eprintln!("crafted bytes: {loaded} of {n} loaded (and predicted without panic)");
    let (n, loaded) = crafted_values(&c, &mut rng, 1200 * scale);
    eprintln!("crafted values: {loaded} of {n} loaded (and predicted without panic)");
    assert!(loaded < n, "every crafted value was accepted?");
}

#[test]
fn forest_bundles_survive_thousands_of_mutations() {
    run(1);
}

#[test]
#[ignore = "long: 25 times the normal run"]
fn forest_bundles_survive_many_more_mutations() {
    run(25);
}

/// The hostile values that would make traversal read out of bounds or loop are refused
/// by validation, with an error naming the tree and node.
#[test]
fn crafted_tree_indices_are_refused_by_validation() {
    let c = case(Compression::None);
    let tree: Value = payload::decode(&c.payload);
    let trees = &tree["model"]["estimator"]["fitted"]["model"]["ensemble"]["trees"];
    assert!(
        trees[0]["children"].is_array(),
        "payload layout changed: {tree:#}"
    );
    // Columns of internal nodes (features, children) and of leaves (leaf_outputs), in
    // node order; node 0 is a split in every tree of this forest (see common::payload).
    let edits: [(&str, Value, &str); 4] = [
        ("children", serde_json::json!(1_000_000), "children"),
        ("children", serde_json::json!(0), "leaf 0"),
        ("features", serde_json::json!(COLS), "feature"),
        ("leaf_outputs", serde_json::json!(1_000_000), "value row"),
    ];
    for (column, value, expect) in edits {
        let mut v = tree.clone();
        v["model"]["estimator"]["fitted"]["model"]["ensemble"]["trees"][0][column][0] = value;
        let err = from_bytes(&crafted(&c, &payload::encode(&v))).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::InvalidPipeline { .. }),
            "{column}: {text}"
        );
        assert!(text.contains(expect), "{column}: {text}");
        assert!(text.contains("tree 0"), "{column}: {text}");
    }
    // Node 0 marked a leaf: the columns no longer match the leaf bits.
    let mut v = tree.clone();
    v["model"]["estimator"]["fitted"]["model"]["ensemble"]["trees"][0]["leaf_bits"]["$bin"][0] =
        serde_json::json!(0xFF);
    let err = from_bytes(&crafted(&c, &payload::encode(&v))).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("entries for"), "{err}");
    // A float column that is not a whole number of floats.
    let p = payload::encode(&tree);
    let at = p.windows(11).position(|w| w == b"\xaathresholds").unwrap() + 11;
    // bin 8 marker, 1-byte length: shorten the blob by one byte and drop that byte
    assert_eq!(p[at], 0xc4, "thresholds of tree 0 are a short bin");
    let mut q = p.clone();
    q[at + 1] -= 1;
    q.remove(at + 2);
    let err = from_bytes(&crafted(&c, &q)).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("8-byte floats"), "{err}");
    // The class count of the model disagreeing with the labels.
    let mut v = tree.clone();
    v["model"]["estimator"]["fitted"]["classes"]["classes"]
        .as_array_mut()
        .unwrap()
        .pop();
    let err = from_bytes(&crafted(&c, &payload::encode(&v))).unwrap_err();
    assert!(matches!(err, Error::InvalidPipeline { .. }), "{err}");
}

/// Deep nesting inside the forest payload is refused by the depth limit, not the stack.
#[test]
fn deeply_nested_payloads_are_refused() {
    let c = case(Compression::None);
    let mut p = c.payload.clone();
    // Replace the payload with 10,000 nested one-element arrays.
    p.clear();
    p.extend(std::iter::repeat_n(0x91u8, 10_000));
    p.push(0xc0);
    let err = from_bytes(&crafted(&c, &p)).unwrap_err();
    assert!(matches!(err, Error::TooDeep { .. }), "{err}");
}
