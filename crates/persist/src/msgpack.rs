//! A non-recursive walk over MessagePack that measures nesting depth.
//!
//! The serde decoder recurses once per nested array or map, so a crafted payload could
//! overflow the stack before any depth counter stops it in a debug build. This walk uses
//! a heap stack of bounded size instead: it checks the structure is well formed and
//! complete, refuses nesting past the limit, and tells the caller how deep the value
//! goes so it can pick a stack big enough to decode it.

/// Why a walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WalkError {
    /// Arrays and maps nest deeper than the limit.
    TooDeep,
    /// The bytes are not one complete MessagePack value.
    Malformed(String),
}

/// The deepest nesting of arrays and maps in `buf` (0 for a scalar), which must hold
/// exactly one MessagePack value nesting at most `limit` levels.
pub(crate) fn nesting_depth(buf: &[u8], limit: usize) -> Result<usize, WalkError> {
    // Items still to read in each open container; the root "container" holds one value.
    let mut open: Vec<u64> = vec![1];
    let mut pos = 0usize;
    let mut deepest = 0usize;
    while let Some(left) = open.last_mut() {
        if *left == 0 {
            open.pop();
            continue;
        }
        *left -= 1;
        let at = pos;
        let marker = *buf.get(pos).ok_or_else(|| truncated(at, "a value"))?;
        pos += 1;
        let (skip, items) = match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => (0, 0),
            0x80..=0x8f => (0, 2 * u64::from(marker & 0x0f)),
            0x90..=0x9f => (0, u64::from(marker & 0x0f)),
            0xa0..=0xbf => (u64::from(marker & 0x1f), 0),
            0xc4 | 0xd9 => (read_len(buf, &mut pos, 1)?, 0),
            0xc5 | 0xda => (read_len(buf, &mut pos, 2)?, 0),
            0xc6 | 0xdb => (read_len(buf, &mut pos, 4)?, 0),
            0xc7 => (read_len(buf, &mut pos, 1)? + 1, 0),
            0xc8 => (read_len(buf, &mut pos, 2)? + 1, 0),
            0xc9 => (read_len(buf, &mut pos, 4)? + 1, 0),
            0xca => (4, 0),
            0xcb => (8, 0),
            0xcc | 0xd0 => (1, 0),
            0xcd | 0xd1 => (2, 0),
            0xce | 0xd2 => (4, 0),
            0xcf | 0xd3 => (8, 0),
            0xd4 => (2, 0),
            0xd5 => (3, 0),
            0xd6 => (5, 0),
            0xd7 => (9, 0),
            0xd8 => (17, 0),
            0xdc => (0, read_len(buf, &mut pos, 2)?),
            0xdd => (0, read_len(buf, &mut pos, 4)?),
            0xde => (0, 2 * read_len(buf, &mut pos, 2)?),
            0xdf => (0, 2 * read_len(buf, &mut pos, 4)?),
            0xc1 => {
                return Err(WalkError::Malformed(format!(
                    "byte {at} is 0xc1, which MessagePack never uses"
                )));
            }
        };
        let is_container = matches!(marker, 0x80..=0x9f | 0xdc..=0xdf);
        if is_container {
            if open.len() > limit {
                return Err(WalkError::TooDeep);
            }
            open.push(items);
            deepest = deepest.max(open.len() - 1);
        }
        let end = u64::try_from(pos)
            .ok()
            .and_then(|p| p.checked_add(skip))
            .filter(|&e| e <= buf.len() as u64)
            .ok_or_else(|| truncated(at, "the value starting there"))?;
        pos = end as usize;
    }
    if pos != buf.len() {
        return Err(WalkError::Malformed(format!(
            "{} bytes follow the value",
            buf.len() - pos
        )));
    }
    Ok(deepest)
}

fn truncated(at: usize, what: &str) -> WalkError {
    WalkError::Malformed(format!("ends inside {what} at byte {at}"))
}

/// Reads a big-endian length of `n` bytes.
fn read_len(buf: &[u8], pos: &mut usize, n: usize) -> Result<u64, WalkError> {
    let bytes = buf
        .get(*pos..*pos + n)
        .ok_or_else(|| truncated(*pos, "a length"))?;
    *pos += n;
    Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Inner {
        values: Vec<f64>,
        name: String,
        flag: Option<bool>,
        big: u64,
        neg: i64,
        bytes: serde_bytes_like::Bytes,
    }

    mod serde_bytes_like {
        /// Serialised as MessagePack bin.
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    fn nested_arrays(levels: usize) -> Vec<u8> {
        let mut v = vec![0x91u8; levels];
        v.push(0x01);
        v
    }

    #[test]
    fn measures_what_serde_writes() {
        let inner = Inner {
            values: vec![1.5, -2.0, f64::NAN],
            name: "x".repeat(300),
            flag: None,
            big: u64::MAX,
            neg: -70_000,
            bytes: serde_bytes_like::Bytes(vec![7; 70_000]),
        };
        // map (1) > values array (2)
        let buf = rmp_serde::to_vec_named(&inner).unwrap();
        assert_eq!(nesting_depth(&buf, 128), Ok(2));
        let outer = vec![vec![inner]];
        let buf = rmp_serde::to_vec_named(&outer).unwrap();
        assert_eq!(nesting_depth(&buf, 128), Ok(4));
        assert_eq!(nesting_depth(&[0x05], 0), Ok(0));
    }

    #[test]
    fn refuses_depth_past_the_limit() {
        assert_eq!(nesting_depth(&nested_arrays(10), 10), Ok(10));
        assert_eq!(
            nesting_depth(&nested_arrays(11), 10),
            Err(WalkError::TooDeep)
        );
        assert_eq!(
            nesting_depth(&nested_arrays(1_000_000), 128),
            Err(WalkError::TooDeep)
        );
    }

    #[test]
    fn refuses_malformed_input() {
        let buf = rmp_serde::to_vec_named(&vec!["abc"; 3]).unwrap();
        for cut in 0..buf.len() {
            assert!(
                matches!(nesting_depth(&buf[..cut], 8), Err(WalkError::Malformed(_))),
                "cut {cut}"
            );
        }
        let mut longer = buf.clone();
        longer.push(0);
        assert!(matches!(
            nesting_depth(&longer, 8),
            Err(WalkError::Malformed(m)) if m.contains("1 bytes follow")
        ));
        assert!(matches!(
            nesting_depth(&[0xc1], 8),
            Err(WalkError::Malformed(_))
        ));
        // A huge stated length with nothing behind it.
        assert!(matches!(
            nesting_depth(&[0xdd, 0xff, 0xff, 0xff, 0xff], 8),
            Err(WalkError::Malformed(_))
        ));
        assert!(matches!(
            nesting_depth(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'], 8),
            Err(WalkError::Malformed(_))
        ));
    }
}
