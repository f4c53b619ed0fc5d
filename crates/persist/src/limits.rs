//! Size limits checked before reading, decompressing or decoding a bundle.

/// The largest sizes a reader accepts, so a damaged or hostile file cannot make it
/// allocate without bound.
///
/// Every size is checked against the file's real size and these limits before any memory
/// is set aside for it. [`crate::save`] refuses to write a bundle that the same limits
/// would refuse to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest header JSON, in bytes. Default 1 MiB: a header holds a schema and some
    /// metrics, a few KiB even for wide data.
    pub max_header_bytes: u64,
    /// Largest payload as stored (compressed), in bytes. Default 512 MiB.
    pub max_payload_bytes: u64,
    /// Largest payload after decompression, in bytes. Default 2 GiB: zstd compresses
    /// tree ensembles about 4x, so this matches the stored limit.
    pub max_decoded_bytes: u64,
    /// Deepest nesting of MessagePack arrays and maps in the payload. Default 128: real
    /// pipelines nest about 15 (each nested pipeline adds 3), and decoding recurses once
    /// per level, so a crafted file must not choose the depth.
    pub max_nesting_depth: usize,
}

impl Limits {
    /// 1 MiB of header.
    pub const DEFAULT_MAX_HEADER_BYTES: u64 = 1 << 20;
    /// 512 MiB of stored payload.
    pub const DEFAULT_MAX_PAYLOAD_BYTES: u64 = 512 << 20;
    /// 2 GiB of decoded payload.
    pub const DEFAULT_MAX_DECODED_BYTES: u64 = 2 << 30;
    /// 128 levels of nesting.
    pub const DEFAULT_MAX_NESTING_DEPTH: usize = 128;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_bytes: Self::DEFAULT_MAX_HEADER_BYTES,
            max_payload_bytes: Self::DEFAULT_MAX_PAYLOAD_BYTES,
            max_decoded_bytes: Self::DEFAULT_MAX_DECODED_BYTES,
            max_nesting_depth: Self::DEFAULT_MAX_NESTING_DEPTH,
        }
    }
}
