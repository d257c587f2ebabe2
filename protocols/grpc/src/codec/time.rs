//! Time on the wire: protobuf `Duration`/`Timestamp` ↔ std and milliseconds, the `grpc-timeout` header, and
//! how long a long poll may last inside the client's deadline. Pure functions.

use std::time::Duration;

/// A protobuf duration as std; negative or malformed values are `None`.
pub fn duration_from_pb(d: &prost_types::Duration) -> Option<Duration> {
    if d.seconds < 0 || d.nanos < 0 || d.nanos >= 1_000_000_000 {
        return None;
    }
    Some(Duration::new(d.seconds as u64, d.nanos as u32))
}

/// A std duration as protobuf.
pub fn duration_to_pb(d: Duration) -> prost_types::Duration {
    prost_types::Duration {
        seconds: d.as_secs().min(i64::MAX as u64) as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

/// Milliseconds as a protobuf duration.
pub fn millis_to_duration(ms: i64) -> prost_types::Duration {
    duration_to_pb(Duration::from_millis(ms.max(0) as u64))
}

/// Milliseconds since the epoch as a protobuf timestamp.
pub fn millis_to_timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
    }
}

/// A protobuf timestamp as milliseconds since the epoch (saturating).
pub fn timestamp_to_millis(t: &prost_types::Timestamp) -> i64 {
    t.seconds
        .saturating_mul(1000)
        .saturating_add(i64::from(t.nanos.clamp(0, 999_999_999)) / 1_000_000)
}

/// Parses a `grpc-timeout` header value: 1 to 8 digits and a unit (`H M S m u n`). `None` when malformed.
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// How long a long poll may wait: what the client asked for (`requested`, else `default`), capped by `max`,
/// and always leaving the answer time to travel before the client's `deadline` (a tenth of it, between
/// 200 ms and 2 s). A deadline too short for any wait gives zero: answer at once, never an error.
pub fn long_poll_wait(
    requested: Option<Duration>,
    deadline: Option<Duration>,
    default: Duration,
    max: Duration,
) -> Duration {
    let wanted = requested.unwrap_or(default).min(max);
    match deadline {
        None => wanted,
        Some(d) => {
            let margin = (d / 10).clamp(Duration::from_millis(200), Duration::from_secs(2));
            wanted.min(d.saturating_sub(margin))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_units_parse() {
        assert_eq!(parse_grpc_timeout("33S"), Some(Duration::from_secs(33)));
        assert_eq!(parse_grpc_timeout("3000m"), Some(Duration::from_secs(3)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("5u"), Some(Duration::from_micros(5)));
        assert_eq!(parse_grpc_timeout(""), None);
        assert_eq!(parse_grpc_timeout("S"), None);
        assert_eq!(parse_grpc_timeout("123456789S"), None);
        assert_eq!(parse_grpc_timeout("12x"), None);
        assert_eq!(parse_grpc_timeout("-1S"), None);
    }

    #[test]
    fn long_poll_fits_inside_the_client_deadline() {
        let s = Duration::from_secs;
        // Java simple consumer: await 30 s, deadline = 3 s request timeout + 30 s.
        assert_eq!(
            long_poll_wait(Some(s(30)), Some(s(33)), s(20), s(60)),
            s(30)
        );
        // Deadline shorter than the asked wait: leave a margin.
        assert_eq!(long_poll_wait(Some(s(30)), Some(s(10)), s(20), s(60)), s(9));
        // No deadline: the asked wait, capped.
        assert_eq!(long_poll_wait(Some(s(300)), None, s(20), s(60)), s(60));
        // Nothing asked: the default.
        assert_eq!(long_poll_wait(None, None, s(20), s(60)), s(20));
        // A tiny deadline means answer now, not an error.
        assert_eq!(
            long_poll_wait(None, Some(Duration::from_millis(100)), s(20), s(60)),
            Duration::ZERO
        );
    }

    #[test]
    fn timestamps_round_trip_through_millis() {
        for ms in [0, 1, 999, 1_700_000_000_123, -1] {
            assert_eq!(timestamp_to_millis(&millis_to_timestamp(ms)), ms);
        }
    }

    #[test]
    fn negative_durations_are_rejected() {
        let d = prost_types::Duration {
            seconds: -1,
            nanos: 0,
        };
        assert_eq!(duration_from_pb(&d), None);
        assert_eq!(
            duration_from_pb(&duration_to_pb(Duration::from_millis(1500))),
            Some(Duration::from_millis(1500))
        );
    }
}
