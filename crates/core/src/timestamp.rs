//! Date-times in the layouts that data exports use, as seconds since 1970 (UTC).
//!
//! Accepted: RFC 3339 / ISO 8601 (`2024-03-01T09:30:00Z`, `2024-03-01T09:30:00.25+02:00`),
//! pandas' and SQL's `2024-03-01 09:30:00[.fff][+02:00]` (`T` or a space between date
//! and time), `2024-03-01T09:30` without seconds, and plain dates `2024-03-01`. A
//! date-time without an offset is taken as UTC.
//!
//! Written by hand rather than with `time`'s format descriptions because the reader
//! tries it on every cell of a column that might hold dates (millions of cells), it
//! must accept several layouts at once, and rejecting a non-date must cost a byte
//! comparison; the tests check it against the `time` crate.

/// Parses a date-time; `None` when `s` is not one of the layouts above or names a day
/// that does not exist.
#[must_use]
pub fn parse_datetime(s: &str) -> Option<f64> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some(days as f64 * 86_400.0);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let mut rest = &b[16..];
    let mut second = 0i64;
    let mut fraction = 0.0;
    if let [b':', s1, s2, tail @ ..] = rest {
        second = digits(&[*s1, *s2])?;
        rest = tail;
        if let [b'.' | b',', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return None;
            }
            fraction = digits(&tail[..n])? as f64 / 10f64.powi(n as i32);
            rest = &tail[n..];
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset = offset_seconds(rest)?;
    let whole = days * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    Some(whole as f64 + fraction)
}

/// The offset suffix in seconds east of UTC: none, `Z`, `+HH:MM`, `+HHMM` or `+HH`.
fn offset_seconds(b: &[u8]) -> Option<i64> {
    let (sign, b) = match b {
        [] => return Some(0),
        [b'Z' | b'z'] => return Some(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (h, m) = match b {
        [h1, h2] => (digits(&[*h1, *h2])?, 0),
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3_600 + m * 60))
}

/// A run of ASCII digits as a number.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_common_layouts() {
        let t = 1_709_285_400.0; // 2024-03-01T09:30:00Z
        for s in [
            "2024-03-01T09:30:00Z",
            "2024-03-01T09:30:00z",
            "2024-03-01 09:30:00",
            "2024-03-01T09:30:00",
            "2024-03-01T09:30",
            "2024-03-01 11:30:00+02:00",
            "2024-03-01 11:30:00+0200",
            "2024-03-01 07:30:00-02",
            " 2024-03-01 09:30:00 ",
        ] {
            assert_eq!(parse_datetime(s), Some(t), "{s}");
        }
        assert_eq!(parse_datetime("2024-03-01 09:30:00.250"), Some(t + 0.25));
        assert_eq!(parse_datetime("2024-03-01T09:30:00.5+00:00"), Some(t + 0.5));
        assert_eq!(parse_datetime("2024-03-01"), Some(1_709_251_200.0));
        assert_eq!(parse_datetime("1969-12-31"), Some(-86_400.0));
        assert_eq!(parse_datetime("2000-02-29"), Some(951_782_400.0));
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for s in [
            "",
            "2024",
            "12.5",
            "A/5 21171",
            "2024-13-01",
            "2023-02-29",
            "2024-03-01 25:00:00",
            "2024-03-01 09:30:61",
            "2024-03-01X09:30:00",
            "2024-03-01 09:30:00 UTC",
            "2024-03-01 09:30:00.",
            "2024/03/01",
            "2024-3-1",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
    }

    proptest::proptest! {
        /// Every second from year 1 to 9999, formatted by the `time` crate in RFC 3339
        /// and in pandas' layout, reads back as its Unix time.
        #[test]
        fn agrees_with_the_time_crate(t in -62_135_596_800i64..253_402_300_799, offset_min in -1439i32..1439) {
            use time::format_description::well_known::Rfc3339;
            let utc = time::OffsetDateTime::from_unix_timestamp(t).unwrap();
            let offset = time::UtcOffset::from_whole_seconds(offset_min * 60).unwrap();
            let local = utc.to_offset(offset);
            let rfc = local.format(&Rfc3339).unwrap();
            proptest::prop_assert_eq!(parse_datetime(&rfc), Some(t as f64), "{}", rfc);
            let pandas = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                utc.year(), u8::from(utc.month()), utc.day(), utc.hour(), utc.minute(), utc.second()
            );
            proptest::prop_assert_eq!(parse_datetime(&pandas), Some(t as f64), "{}", pandas);
        }
    }
}
