//! Re-encoding a loaded bundle at other compression levels keeps the model and its
//! metadata; only the format fields change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{classifier_meta, fitted_classifier, numeric_frame};
use driftwatch_persist::{
    BundleMeta, Compression, SaveOptions, from_bytes, header_from_bytes, reencode, to_bytes,
};
use time::macros::datetime;

#[test]
fn reencode_changes_only_the_format_fields() {
    let x = numeric_frame(60, 4);
    let pipeline = fitted_classifier(&x);
    let mut meta = classifier_meta(&x);
    meta.created_at = Some(datetime!(2024-03-01 12:00 UTC));
    let original = to_bytes(&meta, &pipeline, &SaveOptions::default()).unwrap();
    let bundle = from_bytes(&original).unwrap();
    assert_eq!(BundleMeta::from(&bundle.header), meta);

    let probe = numeric_frame(9, 4);
    for compression in [
        Compression::None,
        Compression::Zstd { level: 3 },
        Compression::Zstd { level: 19 },
    ] {
        let opts = SaveOptions {
            compression,
            ..SaveOptions::default()
        };
        let bytes = reencode(&bundle, &opts).unwrap();
        let again = from_bytes(&bytes).unwrap();
        let (h, h0) = (&again.header, &bundle.header);
        assert_eq!(h.compression, compression);
        assert_eq!(h.created_at, datetime!(2024-03-01 12:00 UTC));
        assert_eq!(h.decoded_length, h0.decoded_length);
        if compression == Compression::None {
            assert_eq!(h.payload_length, h.decoded_length);
        }
        // Everything but the format fields is as it was.
        let mut same = h.clone();
        same.compression = h0.compression;
        same.payload_length = h0.payload_length;
        same.payload_sha256 = h0.payload_sha256.clone();
        assert_eq!(&same, h0);
        assert_eq!(header_from_bytes(&bytes).unwrap(), *h);
        assert_eq!(
            again.pipeline.predict(&probe).unwrap(),
            pipeline.predict(&probe).unwrap()
        );
    }
    // Same options, same metadata: the same bytes as the original.
    assert_eq!(
        reencode(&bundle, &SaveOptions::default()).unwrap(),
        original
    );
}
