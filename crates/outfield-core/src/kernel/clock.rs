//! Server time. Stored times are Unix milliseconds in UTC; the server's clock is the authority.

use chrono::{DateTime, TimeZone, Utc};

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A stored time as a UTC date-time (for display and for RFC 3339 in the API).
pub fn to_datetime(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// One minute, hour and day in milliseconds, for readable expiry arithmetic.
pub const MINUTE_MS: i64 = 60_000;
/// See [`MINUTE_MS`].
pub(crate) const HOUR_MS: i64 = 60 * MINUTE_MS;
/// See [`MINUTE_MS`].
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// A company's time zone by its IANA name; India's when the stored name is unknown to this build.
pub fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Kolkata)
}

/// The local calendar date of an instant in a zone: the "day" attendance, trails and reports are kept by.
pub fn local_day(ms: i64, zone: chrono_tz::Tz) -> chrono::NaiveDate {
    to_datetime(ms).with_timezone(&zone).date_naive()
}

/// Minutes since local midnight of an instant in a zone (for shift start and end rules).
pub fn local_minute(ms: i64, zone: chrono_tz::Tz) -> i64 {
    use chrono::Timelike;
    let local = to_datetime(ms).with_timezone(&zone);
    i64::from(local.hour() * 60 + local.minute())
}

/// The instant a local date and minute of the day stand for, in a zone (the earlier one at a DST fold).
pub fn instant_of(day: chrono::NaiveDate, minute: i64, zone: chrono_tz::Tz) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = midnight + chrono::Duration::minutes(minute);
    zone.from_local_datetime(&local)
        .earliest()
        .map(|at| at.timestamp_millis())
        .unwrap_or_else(|| local.and_utc().timestamp_millis())
}
