//! Plain decimal numbers parsed straight from a CSV field's bytes: the reader's fast
//! path (most cells of a numeric file are short decimals such as `-0.123456`).
//!
//! Only what is certainly read exactly is taken: an optional sign, digits with an
//! optional `.`, an optional exponent (`e`/`E`, optional sign, digits), at most 19
//! digits, and a value whose digits fit in 53 bits with a power of ten within
//! `1e±22`. Then the digits and the power of ten are exact `f64`s and one
//! correctly rounded multiplication or division gives the correctly rounded value
//! (Clinger's fast path), the same bits as `str::parse::<f64>`. Everything else
//! (`inf`, NaN spellings, missing-value tokens, more digits, larger exponents, text,
//! dates) returns `None`, and the caller takes the full parse, so what a cell means
//! never depends on this path.

/// Powers of ten that are exact `f64`s.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Digits kept at most (19 decimal digits always fit in a `u64`).
const MAX_DIGITS: usize = 19;

/// The value of a plain decimal (the grammar of `str::parse::<f64>` without `inf` and
/// `nan`), when it is read exactly by one operation; `None` otherwise, which means
/// "use the full parse", not "not a number".
#[must_use]
pub(crate) fn parse_plain_decimal(s: &[u8]) -> Option<f64> {
    let (negative, mut i) = match s.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa: u64 = 0;
    let start = i;
    while let Some(&c) = s.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    let mut digits = i - start;
    let mut exponent: i64 = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let fraction = i;
        while let Some(&c) = s.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        digits += i - fraction;
        exponent -= (i - fraction) as i64;
    }
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        let minus = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let first = i;
        let mut e: i64 = 0;
        // a few digits at most: anything longer is left to the full parse
        while let Some(&c) = s.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 || i - first == 4 {
                break;
            }
            e = e * 10 + i64::from(d);
            i += 1;
        }
        if i == first {
            return None;
        }
        exponent += if minus { -e } else { e };
    }
    if i != s.len() || mantissa > 1 << 53 {
        return None;
    }
    let power = *POW10.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
    let m = mantissa as f64;
    let v = if exponent >= 0 { m * power } else { m / power };
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_decimals_match_the_full_parse() {
        for s in [
            "0",
            "-0",
            "+0",
            "-0.000",
            "1",
            "-1",
            "0.5",
            ".5",
            "5.",
            "1.e5",
            "-0.123456",
            "123456.789",
            "1e5",
            "1E-5",
            "2.5e+3",
            "007",
            "9007199254740992",
            "0.1",
            "0.2",
            "0.3",
            "1e22",
            "1e-22",
            "123456789012345678e-5",
        ] {
            let want: f64 = s.parse().unwrap();
            let got = parse_plain_decimal(s.as_bytes());
            if let Some(got) = got {
                assert_eq!(got.to_bits(), want.to_bits(), "{s}");
            }
        }
        // these are read by the fast path, not left to the full parse
        for s in ["-0.123456", "1e5", "5.", ".5", "-0"] {
            assert!(parse_plain_decimal(s.as_bytes()).is_some(), "{s}");
        }
    }

    #[test]
    fn everything_else_is_left_to_the_full_parse() {
        for s in [
            "",
            "-",
            "+",
            ".",
            ".e5",
            "1e",
            "1e+",
            "e5",
            "inf",
            "-inf",
            "Infinity",
            "NaN",
            "nan",
            "NA",
            "null",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "1e400",
            "1e23",
            "9007199254740993",
            "12345678901234567890",
            "2024-01-02",
            "true",
            "1.2.3",
            "--1",
            "1e-0000005",
            "١",
        ] {
            assert_eq!(parse_plain_decimal(s.as_bytes()), None, "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_the_full_parse(
            m in -99_999_999_999i64..99_999_999_999,
            decimals in 0usize..12,
            e in prop::option::of(-30i32..30),
        ) {
            let mut s = m.unsigned_abs().to_string();
            if decimals > 0 {
                while s.len() <= decimals {
                    s.insert(0, '0');
                }
                s.insert(s.len() - decimals, '.');
            }
            if m < 0 {
                s.insert(0, '-');
            }
            if let Some(e) = e {
                s += &format!("e{e}");
            }
            let want: f64 = s.parse().unwrap();
            if let Some(got) = parse_plain_decimal(s.as_bytes()) {
                prop_assert_eq!(got.to_bits(), want.to_bits(), "{}", s);
            }
        }

        #[test]
        fn shortest_representations_round_trip(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            for s in [format!("{x}"), format!("{x:e}"), format!("{x:.6}")] {
                if let Some(got) = parse_plain_decimal(s.as_bytes()) {
                    prop_assert_eq!(got.to_bits(), s.parse::<f64>().unwrap().to_bits(), "{}", s);
                }
            }
        }
    }
}
