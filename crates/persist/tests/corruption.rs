//! Damaged and hostile bundles: every mutation is an `Err`, never a panic, and the error
//! says what is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns too

mod common;

use std::fs;

use common::{Rng, assemble, classifier_meta, fitted_classifier, numeric_frame};
use driftwatch_core::Pipeline;
use driftwatch_persist::{
    BundleHeader, Compression, Error, FORMAT_VERSION, Limits, PRELUDE_LEN, SaveOptions, from_bytes,
    from_bytes_with, header_from_bytes, load, read_header, to_bytes,
};

fn bundle(compression: Compression) -> (Vec<u8>, Pipeline) {
    let x = numeric_frame(30, 4);
    let pipeline = fitted_classifier(&x);
    let bytes = to_bytes(
        &classifier_meta(&x),
        &pipeline,
        &SaveOptions {
            compression,
            ..SaveOptions::default()
        },
    )
    .unwrap();
    (bytes, pipeline)
}

const BOTH: [Compression; 2] = [Compression::None, Compression::Zstd { level: 3 }];

#[test]
fn every_single_bit_flip_is_detected() {
    for compression in BOTH {
        let (bytes, _) = bundle(compression);
        assert!(from_bytes(&bytes).is_ok());
        // Every bit of the prelude, then ~300 positions spread over the rest.
        let mut positions: Vec<usize> = (0..PRELUDE_LEN).collect();
        let step = (bytes.len() / 300).max(1);
        positions.extend((PRELUDE_LEN..bytes.len()).step_by(step));
        positions.push(bytes.len() - 1);
        for (n, &pos) in positions.iter().enumerate() {
            let bits: Vec<u8> = if pos < PRELUDE_LEN {
                (0..8).collect()
            } else {
                vec![(n % 8) as u8]
            };
            for bit in bits {
                let mut m = bytes.clone();
                m[pos] ^= 1 << bit;
                let r = from_bytes(&m);
                assert!(r.is_err(), "flip of bit {bit} at byte {pos} went unnoticed");
            }
        }
    }
}

#[test]
fn every_truncation_is_reported_as_such() {
    for compression in BOTH {
        let (bytes, _) = bundle(compression);
        for k in 0..64 {
            let cut = bytes.len() * k / 64;
            let err = from_bytes(&bytes[..cut]).unwrap_err();
            if cut == 0 {
                assert!(matches!(err, Error::BadMagic { .. }), "{err}");
            } else {
                assert!(matches!(err, Error::Truncated { .. }), "cut {cut}: {err}");
                assert!(err.to_string().contains("is truncated"), "{err}");
            }
        }
        // One byte short, and one byte too many.
        let err = from_bytes(&bytes[..bytes.len() - 1]).unwrap_err();
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
        let mut longer = bytes.clone();
        longer.push(0);
        let err = from_bytes(&longer).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("1 unexpected bytes"), "{err}");
    }
}

#[test]
fn truncated_files_are_reported_with_their_name() {
    let (bytes, _) = bundle(Compression::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.dwm");
    for k in [1, 8, 31, 63] {
        fs::write(&path, &bytes[..bytes.len() * k / 64]).unwrap();
        let err = load(&path).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Truncated { .. }), "{text}");
        assert!(
            text.contains("cut.dwm") && text.contains("truncated"),
            "{text}"
        );
    }
    fs::write(&path, b"").unwrap();
    assert!(matches!(load(&path).unwrap_err(), Error::BadMagic { .. }));
    assert!(matches!(
        load(&dir.path().join("missing.dwm")).unwrap_err(),
        Error::Io { .. }
    ));
}

#[test]
fn wrong_magic_is_not_a_bundle() {
    let (mut bytes, _) = bundle(Compression::None);
    bytes[..4].copy_from_slice(b"PK\x03\x04");
    let err = from_bytes(&bytes).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a driftwatch bundle (bad magic bytes)"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    fs::write(&path, "a,b\n1,2\n").unwrap();
    let err = read_header(&path).unwrap_err();
    assert!(matches!(err, Error::BadMagic { .. }), "{err}");
    assert!(err.to_string().contains("data.csv"), "{err}");
    for short in [&b"D"[..], b"DW", b"DWM", b"DWMB", b"DWMB\x01\x00"] {
        assert!(from_bytes(short).is_err());
    }
}

#[test]
fn a_newer_format_version_asks_for_an_upgrade() {
    let (bytes, _) = bundle(Compression::None);
    for version in [FORMAT_VERSION + 1, 7, u16::MAX] {
        let mut m = bytes.clone();
        m[4..6].copy_from_slice(&version.to_le_bytes());
        let err = from_bytes(&m).unwrap_err();
        assert!(
            matches!(err, Error::UnsupportedVersion { found, .. } if found == version),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade driftwatch"), "{err}");
        // Even reading only the header refuses: the layout may differ.
        assert!(header_from_bytes(&m).is_err());
    }
    let mut m = bytes.clone();
    m[4..6].copy_from_slice(&0u16.to_le_bytes());
    assert!(matches!(from_bytes(&m).unwrap_err(), Error::Corrupt { .. }));
}

#[test]
fn huge_header_lengths_are_refused_before_allocating() {
    let (bytes, _) = bundle(Compression::None);
    let mut m = bytes.clone();
    m[6..10].copy_from_slice(&u32::MAX.to_le_bytes());
    let err = from_bytes(&m).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { part: "header", .. }),
        "{err}"
    );
    // Within the limit but beyond the file: truncated.
    let generous = Limits {
        max_header_bytes: u64::from(u32::MAX),
        ..Limits::default()
    };
    let err = from_bytes_with(&m, &generous).unwrap_err();
    assert!(
        matches!(err, Error::Truncated { part: "header", .. }),
        "{err}"
    );
    // Within the file but wrong: the checksum catches it.
    let mut m = bytes.clone();
    let len = u32::from_le_bytes([m[6], m[7], m[8], m[9]]);
    m[6..10].copy_from_slice(&(len - 1).to_le_bytes());
    assert!(matches!(from_bytes(&m).unwrap_err(), Error::Corrupt { .. }));
}

#[test]
fn huge_payload_lengths_in_the_header_are_refused() {
    let (bytes, pipeline) = bundle(Compression::None);
    let header = from_bytes(&bytes).unwrap().header;
    let payload = rmp_serde::to_vec_named(&pipeline).unwrap();
    // assemble() writes the true payload length; with_header() keeps the doctored one.
    let mut h: BundleHeader = header.clone();
    h.payload_length = u64::MAX;
    h.decoded_length = u64::MAX;
    let m = with_header(&h, &payload);
    let err = from_bytes(&m).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                part: "payload",
                ..
            }
        ),
        "{err}"
    );
    h.payload_length = payload.len() as u64 + 10;
    h.decoded_length = h.payload_length;
    let err = from_bytes(&with_header(&h, &payload)).unwrap_err();
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
    let mut h = header.clone();
    h.decoded_length = u64::MAX;
    h.compression = Compression::Zstd { level: 3 };
    let err = from_bytes(&assemble(&h, &payload)).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
}

/// A bundle whose header is exactly `h` (checksummed), followed by `payload`.
fn with_header(h: &BundleHeader, payload: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let json = serde_json::to_vec(h).unwrap();
    let mut out = b"DWMB".to_vec();
    out.extend_from_slice(&h.format_version.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&sha2::Sha256::digest(&json));
    out.extend_from_slice(&json);
    out.extend_from_slice(payload);
    out
}

#[test]
fn random_mutations_never_panic_and_never_pass() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for compression in BOTH {
        let (bytes, _) = bundle(compression);
        for _ in 0..200 {
            let mut m = bytes.clone();
            match rng.below(4) {
                // Overwrite a few random bytes.
                0 | 1 => {
                    for _ in 0..1 + rng.below(4) {
                        let i = rng.below(m.len());
                        let old = m[i];
                        m[i] = old.wrapping_add(1 + rng.below(255) as u8);
                    }
                }
                // Cut out a random slice.
                2 => {
                    let a = rng.below(m.len());
                    let b = (a + 1 + rng.below(64)).min(m.len());
                    m.drain(a..b);
                }
                // Insert random bytes.
                _ => {
                    let a = rng.below(m.len());
                    let junk: Vec<u8> = (0..1 + rng.below(16))
                        .map(|_| rng.next_u64() as u8)
                        .collect();
                    m.splice(a..a, junk);
                }
            }
            assert!(from_bytes(&m).is_err());
        }
        // Pure garbage, with and without the magic.
        for n in [0usize, 3, 10, 41, 42, 43, 100, 5000] {
            let mut junk: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            assert!(from_bytes(&junk).is_err());
            if n >= 6 {
                junk[..6].copy_from_slice(b"DWMB\x01\x00");
                assert!(from_bytes(&junk).is_err());
            }
        }
    }
}

/// The decoders behind the checksum, fed damaged MessagePack with a valid checksum (as a
/// crafted file would be): any result but a panic is acceptable.
#[test]
fn the_pipeline_decoder_survives_damaged_messagepack() {
    let (bytes, pipeline) = bundle(Compression::None);
    let header = from_bytes(&bytes).unwrap().header;
    let payload = rmp_serde::to_vec_named(&pipeline).unwrap();
    let mut rng = Rng(42);
    let mut failures = 0;
    for i in 0..300 {
        let mut p = payload.clone();
        if i % 3 == 2 {
            p.truncate(rng.below(p.len()));
        } else {
            for _ in 0..1 + rng.below(3) {
                let j = rng.below(p.len());
                p[j] ^= 1 << rng.below(8);
            }
        }
        let mut h = header.clone();
        h.decoded_length = p.len() as u64;
        if from_bytes(&assemble(&h, &p)).is_err() {
            failures += 1;
        }
    }
    // Most damage is caught by decoding or validation even without the checksum.
    assert!(failures > 100, "only {failures} of 300 refused");
}
