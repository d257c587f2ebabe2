//! OpenMessaging headers to engine messages: `x-oms-h-<name>` (OMS system headers) and `x-oms-p-<name>` (user
//! properties) on a produce request, and the same names in a JSON envelope's `headers` and `properties`.
//!
//! System headers follow RocketMQ's OMS driver, which stores every OMS header as a RocketMQ string property
//! under its upper-case name (`PRIORITY`, `TRACE_ID`, …), so a message produced here reads the same to an
//! `oms:rocketmq` consumer and to an SQL92 filter. A few names are special: `tag`, `keys`, `messageId`,
//! `delayTime`, `startTime`, `messageGroup`, `bornTimestamp`. Pure: no I/O, no engine calls.

use crate::error::ApiError;
use http::HeaderMap;
use mqgate_engine::{keys, Message};

/// Prefix of OMS system headers.
pub const SYSTEM_PREFIX: &str = "x-oms-h-";
/// Prefix of user properties.
pub const PROPERTY_PREFIX: &str = "x-oms-p-";
/// Longest message id a client may choose.
pub const MAX_MESSAGE_ID_LEN: usize = 128;

/// What the mapping needs to know besides the request.
#[derive(Debug, Clone, Copy)]
pub struct ProduceContext {
    /// Now, in ms since the epoch.
    pub now_ms: i64,
    /// Furthest allowed delivery time from now, in ms.
    pub max_delay_ms: i64,
}

/// Properties the engine or RocketMQ clients give a meaning to; a client may not set them by name.
const RESERVED: &[&str] = &[
    keys::TAGS,
    keys::KEYS,
    keys::UNIQ_KEY,
    keys::DELAY,
    keys::TIMER_DELIVER_MS,
    "TIMER_DELAY_MS",
    "TIMER_DELAY_SEC",
    "TIMER_OUT_MS",
    keys::REAL_TOPIC,
    keys::REAL_QID,
    keys::TRAN_MSG,
    keys::PRODUCER_GROUP,
    keys::RETRY_TOPIC,
    keys::ORIGIN_MESSAGE_ID,
    keys::MAX_RECONSUME_TIMES,
    keys::DLQ_ORIGIN_TOPIC,
    keys::DLQ_ORIGIN_MESSAGE_ID,
    "MIN_OFFSET",
    "MAX_OFFSET",
    "WAIT",
    "CONSUME_START_TIME",
    "TRAN_PREPARED_QUEUE_OFFSET",
    "CHECK_IMMUNITY_TIME_IN_SECONDS",
];

/// True when `name` may not be set by a client.
pub fn is_reserved(name: &str) -> bool {
    name.starts_with("__") || RESERVED.contains(&name)
}

/// Checks a property name and value for what the stored-record layout and the filter can carry.
pub fn check_property(name: &str, value: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 255 {
        return Err(ApiError::bad_request(format!(
            "property name {name:?} must be 1 to 255 bytes long"
        )));
    }
    if is_reserved(name) {
        return Err(ApiError::bad_request(format!(
            "property name {name:?} is reserved"
        )));
    }
    if name.chars().any(char::is_control) || value.chars().any(|c| c == '\u{1}' || c == '\u{2}') {
        return Err(ApiError::bad_request(format!(
            "property {name:?} holds a control character"
        )));
    }
    Ok(())
}

/// Sets user property `name` (as sent: `x-oms-p-` names arrive lower-cased, envelope names keep their case).
pub fn set_user_property(msg: &mut Message, name: &str, value: &str) -> Result<(), ApiError> {
    check_property(name, value)?;
    msg.properties.set(name, value);
    Ok(())
}

/// Folds an OMS header name for lookup: lower case without `-` and `_` (`delayTime`, `delay-time` and
/// `DELAY_TIME` are one name).
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The property an OMS header without a special meaning is stored under: its OMS name when it is a built-in
/// key, else the name in upper snake case.
fn system_property_name(name: &str) -> String {
    let builtin = match fold(name).as_str() {
        "priority" => "PRIORITY",
        "traceid" => "TRACE_ID",
        "timeout" => "TIMEOUT",
        "reliability" => "RELIABILITY",
        "stoptime" | "expiretime" => "STOP_TIME",
        "streamkey" => "STREAM_KEY",
        "scheduleexpression" => "SCHEDULE_EXPRESSION",
        "correlationid" => "CORRELATION_ID",
        "transactionid" => "TRANSACTION_ID",
        "compression" => "COMPRESSION",
        "durability" => "DURABILITY",
        _ => "",
    };
    if !builtin.is_empty() {
        return builtin.to_string();
    }
    name.chars()
        .map(|c| match c {
            '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Checks a client-chosen message id (`x-oms-h-messageId`, CloudEvents `id`).
pub fn check_message_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_MESSAGE_ID_LEN {
        return Err(format!(
            "message id must be 1 to {MAX_MESSAGE_ID_LEN} bytes long"
        ));
    }
    if id.chars().any(char::is_control) {
        return Err("message id holds a control character".into());
    }
    Ok(())
}

fn parse_ms(name: &str, value: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| ApiError::header(name, "expected an integer number of milliseconds"))
}

/// Applies OMS system header `name` (without prefix, any case) with `value` to `msg`.
pub fn apply_system_header(
    msg: &mut Message,
    name: &str,
    value: &str,
    ctx: &ProduceContext,
) -> Result<(), ApiError> {
    let shown = || format!("{SYSTEM_PREFIX}{name}");
    match fold(name).as_str() {
        "tag" | "tags" => {
            let tag = value.trim();
            if tag.is_empty() || tag.contains("||") || tag.chars().any(char::is_control) {
                return Err(ApiError::header(
                    shown(),
                    "a tag is one non-empty word without \"||\"",
                ));
            }
            msg.properties.set(keys::TAGS, tag);
        }
        "keys" | "key" | "searchkeys" | "messagekey" => {
            let list: Vec<&str> = value
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|k| !k.is_empty())
                .collect();
            if list.is_empty() || value.chars().any(|c| c == '\u{1}' || c == '\u{2}') {
                return Err(ApiError::header(
                    shown(),
                    "expected a comma-separated list of keys",
                ));
            }
            let mut all: Vec<String> = msg
                .properties
                .get(keys::KEYS)
                .map(|k| k.split(' ').map(str::to_string).collect())
                .unwrap_or_default();
            all.extend(list.into_iter().map(str::to_string));
            msg.properties.set(keys::KEYS, all.join(" "));
        }
        "messageid" => {
            check_message_id(value).map_err(|r| ApiError::header(shown(), r))?;
            msg.properties.set(keys::UNIQ_KEY, value);
        }
        "delaytime" | "delay" => {
            let delay = parse_ms(&shown(), value)?;
            if !(0..=ctx.max_delay_ms).contains(&delay) {
                return Err(ApiError::header(
                    shown(),
                    format!("delay must be within 0..={} ms", ctx.max_delay_ms),
                ));
            }
            if delay > 0 {
                let due = ctx.now_ms + delay;
                msg.properties.set(keys::TIMER_DELIVER_MS, due.to_string());
            }
        }
        "starttime" | "deliverytime" => {
            let at = parse_ms(&shown(), value)?;
            if at > ctx.now_ms + ctx.max_delay_ms {
                return Err(ApiError::header(
                    shown(),
                    format!("start time is more than {} ms ahead", ctx.max_delay_ms),
                ));
            }
            msg.properties.set("START_TIME", at.to_string());
            if at > ctx.now_ms {
                msg.properties.set(keys::TIMER_DELIVER_MS, at.to_string());
            }
        }
        "messagegroup" | "shardingkey" => {
            let group = value.trim();
            if group.is_empty() || group.len() > 255 || group.chars().any(char::is_control) {
                return Err(ApiError::header(
                    shown(),
                    "a message group is 1 to 255 bytes without control characters",
                ));
            }
            msg.properties.set(keys::MESSAGE_GROUP, group);
        }
        "borntimestamp" => msg.born_timestamp = parse_ms(&shown(), value)?,
        // Assigned by the broker, or named by the path: ignored when a client sends them.
        "destination" | "bornhost" | "storehost" | "storetimestamp" | "receipthandle"
        | "redeliverednumber" | "redeliveredreason" => {}
        _ => {
            let property = system_property_name(name);
            check_property(&property, value)
                .map_err(|e| ApiError::header(shown(), e.to_string()))?;
            msg.properties.set(property, value);
        }
    }
    Ok(())
}

/// The UTF-8 text of a header value.
pub fn header_text<'a>(name: &str, value: &'a http::HeaderValue) -> Result<&'a str, ApiError> {
    std::str::from_utf8(value.as_bytes()).map_err(|_| ApiError::header(name, "value is not UTF-8"))
}

/// Applies every `x-oms-h-*` and `x-oms-p-*` header of a request to `msg`; other headers are left alone.
pub fn apply_oms_headers(
    msg: &mut Message,
    headers: &HeaderMap,
    ctx: &ProduceContext,
) -> Result<(), ApiError> {
    for (name, value) in headers {
        let name = name.as_str();
        if let Some(sys) = name.strip_prefix(SYSTEM_PREFIX) {
            apply_system_header(msg, sys, header_text(name, value)?, ctx)?;
        } else if let Some(user) = name.strip_prefix(PROPERTY_PREFIX) {
            set_user_property(msg, user, header_text(name, value)?)
                .map_err(|e| ApiError::header(name, e.to_string()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: ProduceContext = ProduceContext {
        now_ms: 1_000_000,
        max_delay_ms: 10_000,
    };

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn oms_headers_become_rocketmq_properties() {
        let mut m = Message::new("T", &b"x"[..]);
        let h = headers(&[
            ("x-oms-h-tag", "TagA"),
            ("x-oms-h-keys", "k1, k2"),
            ("x-oms-h-keys", "k3"),
            ("x-oms-h-priority", "5"),
            ("x-oms-h-traceid", "t-1"),
            ("x-oms-h-messagegroup", "g1"),
            ("x-oms-h-messageid", "ID-1"),
            ("x-oms-h-destination", "ignored"),
            ("x-oms-h-custom-thing", "v"),
            ("x-oms-p-color", "red"),
            ("content-type", "text/plain"),
        ]);
        apply_oms_headers(&mut m, &h, &CTX).unwrap();
        let p = &m.properties;
        assert_eq!(p.get("TAGS"), Some("TagA"));
        assert_eq!(p.get("KEYS"), Some("k1 k2 k3"));
        assert_eq!(p.get("PRIORITY"), Some("5"));
        assert_eq!(p.get("TRACE_ID"), Some("t-1"));
        assert_eq!(p.get(keys::MESSAGE_GROUP), Some("g1"));
        assert_eq!(p.get(keys::UNIQ_KEY), Some("ID-1"));
        assert_eq!(p.get("CUSTOM_THING"), Some("v"));
        assert_eq!(p.get("color"), Some("red"));
        assert_eq!(p.get("DESTINATION"), None);
    }

    #[test]
    fn delay_and_start_time_set_the_timer_and_are_bounded() {
        let mut m = Message::new("T", &b"x"[..]);
        apply_system_header(&mut m, "delayTime", "500", &CTX).unwrap();
        assert_eq!(m.properties.get(keys::TIMER_DELIVER_MS), Some("1000500"));
        let mut m = Message::new("T", &b"x"[..]);
        apply_system_header(&mut m, "startTime", "1002000", &CTX).unwrap();
        assert_eq!(m.properties.get(keys::TIMER_DELIVER_MS), Some("1002000"));
        assert_eq!(m.properties.get("START_TIME"), Some("1002000"));
        let mut m = Message::new("T", &b"x"[..]);
        apply_system_header(&mut m, "startTime", "5", &CTX).unwrap();
        assert_eq!(m.properties.get(keys::TIMER_DELIVER_MS), None);
        assert!(apply_system_header(&mut m, "delayTime", "20000", &CTX).is_err());
        assert!(apply_system_header(&mut m, "delayTime", "-1", &CTX).is_err());
        assert!(apply_system_header(&mut m, "delayTime", "soon", &CTX).is_err());
    }

    #[test]
    fn reserved_and_malformed_names_are_refused() {
        let mut m = Message::new("T", &b"x"[..]);
        assert!(apply_system_header(&mut m, "delay-level", "3", &CTX).is_ok());
        assert!(apply_system_header(&mut m, "uniq-key", "x", &CTX).is_err());
        assert!(set_user_property(&mut m, "__MQG_TYPES", "x").is_err());
        assert!(set_user_property(&mut m, "TAGS", "x").is_err());
        assert!(set_user_property(&mut m, "a", "b\u{1}c").is_err());
        assert!(apply_system_header(&mut m, "tag", "a||b", &CTX).is_err());
        assert!(apply_system_header(&mut m, "messageId", "", &CTX).is_err());
    }
}
