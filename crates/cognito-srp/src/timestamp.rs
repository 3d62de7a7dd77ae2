//! Cognito's TIMESTAMP: `EEE MMM d HH:mm:ss UTC yyyy`, e.g. `Tue Mar 3 09:05:07 UTC 2026`.
//!
//! English abbreviations, UTC, day of month *not* zero-padded, 24-hour clock zero-padded,
//! four-digit year. Cognito refuses a zero-padded day or a wrong weekday, so [`parse`] (for
//! servers) is just as strict.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use crate::SrpError;

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];

const MONTHS: [(Month, &str); 12] = [
    (Month::January, "Jan"),
    (Month::February, "Feb"),
    (Month::March, "Mar"),
    (Month::April, "Apr"),
    (Month::May, "May"),
    (Month::June, "Jun"),
    (Month::July, "Jul"),
    (Month::August, "Aug"),
    (Month::September, "Sep"),
    (Month::October, "Oct"),
    (Month::November, "Nov"),
    (Month::December, "Dec"),
];

/// The TIMESTAMP for instant `t` (converted to UTC first), to the second.
pub fn format(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let weekday = WEEKDAYS
        .iter()
        .find(|(w, _)| *w == t.weekday())
        .map_or("", |(_, name)| name);
    let month = MONTHS
        .iter()
        .find(|(m, _)| *m == t.month())
        .map_or("", |(_, name)| name);
    format!(
        "{weekday} {month} {} {:02}:{:02}:{:02} UTC {:04}",
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}

/// Parses a TIMESTAMP strictly: exactly [`format()`]'s shape, a real date, the right weekday.
pub fn parse(s: &str) -> Result<OffsetDateTime, SrpError> {
    let mut fields = s.split(' ');
    let mut next = || fields.next().ok_or(SrpError::InvalidTimestamp);
    let (weekday, month, day, clock, zone, year) =
        (next()?, next()?, next()?, next()?, next()?, next()?);
    if fields.next().is_some() || zone != "UTC" {
        return Err(SrpError::InvalidTimestamp);
    }
    let weekday = lookup(&WEEKDAYS, weekday)?;
    let month = lookup(&MONTHS, month)?;
    if day.starts_with('0') {
        return Err(SrpError::InvalidTimestamp);
    }
    let day = digits(day, 1..=2)?;
    let year = digits(year, 4..=4)?;
    let (hour, minute, second) = match clock.split(':').collect::<Vec<_>>()[..] {
        [h, m, s] => (digits(h, 2..=2)?, digits(m, 2..=2)?, digits(s, 2..=2)?),
        _ => return Err(SrpError::InvalidTimestamp),
    };
    let invalid = |_| SrpError::InvalidTimestamp;
    let date = Date::from_calendar_date(year as i32, month, day as u8).map_err(invalid)?;
    if date.weekday() != weekday {
        return Err(SrpError::InvalidTimestamp);
    }
    let time = Time::from_hms(hour as u8, minute as u8, second as u8).map_err(invalid)?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

fn lookup<T: Copy>(table: &[(T, &str)], name: &str) -> Result<T, SrpError> {
    table
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(value, _)| *value)
        .ok_or(SrpError::InvalidTimestamp)
}

/// An unsigned decimal of an allowed number of ASCII digits (no sign, no spaces).
fn digits(s: &str, allowed_len: std::ops::RangeInclusive<usize>) -> Result<u16, SrpError> {
    if !allowed_len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SrpError::InvalidTimestamp);
    }
    s.parse().map_err(|_| SrpError::InvalidTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_in_utc_without_padding_the_day() {
        assert_eq!(
            format(datetime!(2026-03-03 09:05:07 UTC)),
            "Tue Mar 3 09:05:07 UTC 2026"
        );
        // Another offset is converted, not printed as if it were UTC.
        assert_eq!(
            format(datetime!(2026-03-03 01:05:07 -08:00)),
            "Tue Mar 3 09:05:07 UTC 2026"
        );
        assert_eq!(
            format(datetime!(0999-12-31 23:59:59 UTC)),
            "Tue Dec 31 23:59:59 UTC 0999"
        );
    }

    #[test]
    fn parse_round_trips_format() {
        let t = datetime!(2024-02-29 12:00:00 UTC);
        assert_eq!(parse(&format(t)), Ok(t));
    }

    #[test]
    fn parse_rejects_everything_cognito_rejects() {
        for bad in [
            "Tue Mar 03 09:05:07 UTC 2026", // zero-padded day
            "Wed Mar 3 09:05:07 UTC 2026",  // wrong weekday
            "Tue Mar 3 09:05:07 GMT 2026",  // not UTC
            "Tue Mar 3 09:05:07 utc 2026",
            "tue Mar 3 09:05:07 UTC 2026", // lowercase names
            "Tue MAR 3 09:05:07 UTC 2026",
            "Tuesday Mar 3 09:05:07 UTC 2026",
            "Tue March 3 09:05:07 UTC 2026",
            "Tue Mar 3 9:05:07 UTC 2026", // unpadded hour
            "Tue Mar 3 09:5:07 UTC 2026",
            "Tue Mar 3 24:00:00 UTC 2026",
            "Tue Mar 3 09:05:60 UTC 2026",
            "Tue Mar  3 09:05:07 UTC 2026", // ctime-style double space
            " Tue Mar 3 09:05:07 UTC 2026",
            "Tue Mar 3 09:05:07 UTC 2026 ",
            "Tue Mar 3 09:05:07 UTC 26",
            "Tue Mar 3 09:05:07 UTC +2026",
            "Tue Mar +3 09:05:07 UTC 2026",
            "Sat Feb 29 12:00:00 UTC 2025", // no such date
            "Tue Mar 32 09:05:07 UTC 2026",
            "Tue Mar 0 09:05:07 UTC 2026",
            "Tue Mar 3 09:05:07 2026",
            "",
        ] {
            assert_eq!(parse(bad), Err(SrpError::InvalidTimestamp), "{bad:?}");
        }
    }
}
