//! Fuzzes what lies behind the checksums: the input is an uncompressed payload
//! (MessagePack of a pipeline), wrapped in a valid header whose lengths and checksums are
//! recomputed, so every input reaches the nesting walk, the decoder and
//! `Pipeline::validate` (random bytes given to `load_bundle` almost never get past the
//! checksums). Whatever loads must predict without panicking.
#![no_main]

mod probe;

use driftwatch_models as _;
use driftwatch_persist::{Compression, MAGIC, header_from_bytes};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

/// The header of the format-version-1 fixture: any valid header serves as the frame.
static TEMPLATE: &[u8] = include_bytes!("../../fixtures/bundles/v1-standardscaler.dwm");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut header) = header_from_bytes(TEMPLATE) else {
        return;
    };
    header.compression = Compression::None;
    header.payload_length = data.len() as u64;
    header.decoded_length = data.len() as u64;
    header.payload_sha256 = hex(&Sha256::digest(data));
    let Ok(json) = serde_json::to_vec(&header) else {
        return;
    };
    let mut bytes = Vec::with_capacity(42 + json.len() + data.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&header.format_version.to_le_bytes());
    bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&Sha256::digest(&json));
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(data);
    if let Ok(bundle) = driftwatch_persist::from_bytes(&bytes) {
        probe::probe(&bundle);
    }
});
