//! UTC instants in whole seconds, and their RFC 3339 text form. The credential JSON
//! carries `Expiration` as `YYYY-MM-DDTHH:MM:SSZ` because that is the one form every
//! SDK's parser accepts (botocore, aws-config for Rust, Go, JS). Parsing is lenient
//! (fractional seconds, `+HH:MM` offsets, lower-case `t`/`z`); formatting is not.
//! The civil-date conversion is the days-from-civil algorithm over the proleptic
//! Gregorian calendar, written out here to keep the helper free of a date crate.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a date-time text is not RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse {text:?} as an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ): {reason}")]
pub struct TimestampError {
    text: String,
    reason: &'static str,
}

/// Earliest and latest years accepted, so every conversion stays far from overflow.
const YEAR_RANGE: std::ops::RangeInclusive<i64> = 1..=9999;

impl Timestamp {
    /// The current time from the system clock.
    pub fn now() -> Self {
        let seconds = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Timestamp(seconds)
    }

    /// Seconds from `self` until `later` (negative when `later` is earlier).
    pub fn seconds_until(self, later: Timestamp) -> i64 {
        later.0.saturating_sub(self.0)
    }

    /// `self` moved by `seconds`.
    pub fn plus(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds))
    }

    /// Parse an RFC 3339 date-time; fractional seconds are dropped and offsets
    /// normalised to UTC.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimestampError> {
        let fail = |reason| TimestampError {
            text: text.to_owned(),
            reason,
        };
        let bytes = text.as_bytes();
        if bytes.len() < 20 || !text.is_ascii() {
            return Err(fail("too short"));
        }
        let field = |from: usize, to: usize| -> Result<i64, TimestampError> {
            let digits = &text[from..to];
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail("expected digits"));
            }
            digits.parse().map_err(|_| fail("expected digits"))
        };
        let separators_ok = bytes[4] == b'-'
            && bytes[7] == b'-'
            && matches!(bytes[10], b'T' | b't' | b' ')
            && bytes[13] == b':'
            && bytes[16] == b':';
        if !separators_ok {
            return Err(fail("expected YYYY-MM-DDTHH:MM:SS"));
        }
        let (year, month, day) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
        let (hour, minute, second) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(fail("no such date"));
        }
        // 60 admits a leap second; it is folded into the next minute like most parsers do.
        if hour > 23 || minute > 59 || second > 60 {
            return Err(fail("no such time of day"));
        }
        let mut rest = &text[19..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(fail("expected digits after the decimal point"));
            }
            rest = &fraction[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ => {
                let b = rest.as_bytes();
                let well_formed = b.len() == 6
                    && matches!(b[0], b'+' | b'-')
                    && b[3] == b':'
                    && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit());
                if !well_formed {
                    return Err(fail("expected Z or an offset such as +02:00"));
                }
                let hours: i64 = rest[1..3].parse().map_err(|_| fail("bad offset"))?;
                let minutes: i64 = rest[4..6].parse().map_err(|_| fail("bad offset"))?;
                if hours > 23 || minutes > 59 {
                    return Err(fail("bad offset"));
                }
                let sign = if b[0] == b'-' { -1 } else { 1 };
                sign * (hours * 3600 + minutes * 60)
            }
        };
        let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Ok(Timestamp(local - offset))
    }
}

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let min = days_from_civil(*YEAR_RANGE.start(), 1, 1) * 86_400;
        let max = days_from_civil(*YEAR_RANGE.end(), 12, 31) * 86_400 + 86_399;
        let seconds = self.0.clamp(min, max);
        let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let (hour, minute, second) = (in_day / 3600, in_day % 3600 / 60, in_day % 60);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"
        )
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years start in March).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> String {
        Timestamp::parse_rfc3339(text)
            .map(|t| t.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn known_instants_match_the_unix_epoch() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(Timestamp(1_767_323_045).to_string(), "2026-01-02T03:04:05Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-01-02T03:04:05Z"),
            Ok(Timestamp(1_767_323_045))
        );
    }

    #[test]
    fn sts_expiration_with_fraction_or_offset_is_normalised_to_utc_z() {
        assert_eq!(parse("2026-12-03T09:56:53.202393Z"), "2026-12-03T09:56:53Z");
        assert_eq!(parse("2026-01-02T05:04:05+02:00"), "2026-01-02T03:04:05Z");
        assert_eq!(parse("2026-01-01T22:34:05.9-04:30"), "2026-01-02T03:04:05Z");
        assert_eq!(parse("2026-01-02t03:04:05z"), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn malformed_dates_are_refused_with_the_text() {
        for bad in [
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-02T24:00:00Z",
            "2026-01-02T03:04:05",
            "2026-01-02T03:04:05.Z",
            "2026-01-02T03:04:05+0200",
            "2026-01-02 03:04:05 UTC",
            "+026-01-02T03:04:05Z",
            "２026-01-02T03:04:05Z",
        ] {
            let error = Timestamp::parse_rfc3339(bad).expect_err(bad);
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn formatting_round_trips(seconds in -62_135_596_800i64..253_402_300_799) {
            let text = Timestamp(seconds).to_string();
            prop_assert_eq!(Timestamp::parse_rfc3339(&text), Ok(Timestamp(seconds)));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = Timestamp::parse_rfc3339(&text);
        }
    }
}
