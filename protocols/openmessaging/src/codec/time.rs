//! RFC 3339 timestamps (CloudEvents `time`) to and from milliseconds since the epoch. Pure.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the epoch of an RFC 3339 timestamp, or `None` when `text` is not one.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// An RFC 3339 timestamp in UTC with millisecond precision (`2024-01-02T03:04:05.678Z`).
pub fn format_rfc3339_ms(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (y, mo, d) = (t.year(), t.month() as u8, t.day());
    let (h, mi, s) = (t.hour(), t.minute(), t.second());
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_in_milliseconds() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(
            parse_rfc3339_ms("2024-01-02T04:04:05+01:00"),
            Some(1_704_164_645_000)
        );
        assert_eq!(parse_rfc3339_ms("2024-01-02"), None);
        assert_eq!(
            format_rfc3339_ms(1_704_164_645_678),
            "2024-01-02T03:04:05.678Z"
        );
        assert_eq!(parse_rfc3339_ms(&format_rfc3339_ms(123_456)), Some(123_456));
    }
}
