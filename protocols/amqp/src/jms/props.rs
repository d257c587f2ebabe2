//! Engine property names used for AMQP sections, and the typed-property encoding.
//!
//! The engine keeps RocketMQ's string properties. An AMQP message is stored as:
//! - body: the single `data` section's bytes, or the UTF-8 text of a string `amqp-value` (TextMessage);
//!   any other body keeps its encoded sections and sets `AMQP_BODY=amqp`, a text body sets `AMQP_BODY=text`;
//! - `UNIQ_KEY`: `properties.message-id` (JMSMessageID) in string form (see [`id_to_string`]);
//! - `TAGS`: `properties.subject` (JMSType), so a RocketMQ consumer filters JMS messages by tag;
//! - `AMQP_*`: the other header and properties fields (see the constants below); `born_timestamp` holds
//!   `creation-time` (JMSTimestamp);
//! - application properties under their own names, as strings; those that arrived typed are listed in the
//!   engine's `__MQG_TYPES` property as `name:type,name:type` (`bool byte short int long float double`), so
//!   JMS selectors see typed values and RocketMQ clients see strings (`5`, `true`, `2.5`). Names containing
//!   `:` or `,` are stored as strings.

use crate::codec::Value;
use std::fmt::Write as _;

pub const CORRELATION_ID: &str = "AMQP_CORRELATION_ID";
pub const TO: &str = "AMQP_TO";
pub const REPLY_TO: &str = "AMQP_REPLY_TO";
pub const CONTENT_TYPE: &str = "AMQP_CONTENT_TYPE";
pub const CONTENT_ENCODING: &str = "AMQP_CONTENT_ENCODING";
pub const GROUP_ID: &str = "AMQP_GROUP_ID";
pub const GROUP_SEQUENCE: &str = "AMQP_GROUP_SEQUENCE";
pub const REPLY_TO_GROUP_ID: &str = "AMQP_REPLY_TO_GROUP_ID";
pub const USER_ID: &str = "AMQP_USER_ID";
/// `properties.absolute-expiry-time` (JMSExpiration), ms.
pub const EXPIRY: &str = "AMQP_EXPIRY";
/// `header.ttl`, ms.
pub const TTL: &str = "AMQP_TTL";
/// `header.priority` (JMSPriority); absent = 4.
pub const PRIORITY: &str = "AMQP_PRIORITY";
/// `header.durable` (JMSDeliveryMode): `false` for NON_PERSISTENT; absent = persistent.
pub const DURABLE: &str = "AMQP_DURABLE";
/// Body kind: `text`, `amqp` (encoded sections), absent = bytes.
pub const BODY: &str = "AMQP_BODY";
/// Message annotations, the encoded map in hex.
pub const ANNOTATIONS: &str = "AMQP_ANNOTATIONS";
/// Id of the connection that published the message (JMS no-local).
pub const CONNECTION: &str = "AMQP_CONNECTION";

/// True for properties that are engine or AMQP bookkeeping rather than application properties.
pub fn is_reserved(name: &str) -> bool {
    name.starts_with("AMQP_")
        || name.starts_with("__")
        || mqgate_engine::keys::ROCKETMQ_SYSTEM.contains(&name)
}

/// The type recorded for `name` in a `__MQG_TYPES` value, if any.
pub fn type_of<'a>(types: &'a str, name: &str) -> Option<&'a str> {
    mqgate_engine::keys::property_type(types, name)
}

/// An application-property value as (string form, type name); `None` for values with no JMS meaning.
pub fn typed_string(v: &Value) -> Option<(String, Option<&'static str>)> {
    Some(match v {
        Value::String(s) | Value::Symbol(s) => (s.clone(), None),
        Value::Char(c) => (c.to_string(), None),
        Value::Bool(b) => (b.to_string(), Some("bool")),
        Value::Byte(x) => (x.to_string(), Some("byte")),
        Value::Short(x) => (x.to_string(), Some("short")),
        Value::Int(x) => (x.to_string(), Some("int")),
        Value::Long(x) | Value::Timestamp(x) => (x.to_string(), Some("long")),
        Value::Ubyte(x) => (x.to_string(), Some("short")),
        Value::Ushort(x) => (x.to_string(), Some("int")),
        Value::Uint(x) => (x.to_string(), Some("long")),
        Value::Ulong(x) => (x.to_string(), Some("long")),
        Value::Float(x) => (x.to_string(), Some("float")),
        Value::Double(x) => (x.to_string(), Some("double")),
        Value::Uuid(u) => (uuid_text(u), None),
        _ => return None,
    })
}

/// Parses a stored property back into an AMQP value of its recorded type (strings when untyped or when
/// the text does not parse).
pub fn typed_value(text: &str, ty: Option<&str>) -> Value {
    let parsed = match ty {
        Some("bool") => text.parse().ok().map(Value::Bool),
        Some("byte") => text.parse().ok().map(Value::Byte),
        Some("short") => text.parse().ok().map(Value::Short),
        Some("int") => text.parse().ok().map(Value::Int),
        Some("long") => text.parse().ok().map(Value::Long),
        Some("float") => text.parse().ok().map(Value::Float),
        Some("double") => text.parse().ok().map(Value::Double),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    bytes.iter().for_each(|b| {
        let _ = write!(s, "{b:02x}");
    });
    s
}

/// Parses lowercase or uppercase hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

fn uuid_text(u: &[u8; 16]) -> String {
    let h = hex(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A message or correlation id as text: strings as they are, other types with Qpid JMS's prefixes
/// (`AMQP_ULONG:`, `AMQP_UUID:`, `AMQP_BINARY:`), and strings that already start with `AMQP_` escaped
/// with `AMQP_STRING:`.
pub fn id_to_string(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) if s.starts_with("AMQP_") => format!("AMQP_STRING:{s}"),
        Value::String(s) => s.clone(),
        Value::Ulong(n) => format!("AMQP_ULONG:{n}"),
        Value::Uuid(u) => format!("AMQP_UUID:{}", uuid_text(u)),
        Value::Binary(b) => format!("AMQP_BINARY:{}", hex(b)),
        _ => return None,
    })
}

/// The inverse of [`id_to_string`].
pub fn id_from_string(s: &str) -> Value {
    if let Some(rest) = s.strip_prefix("AMQP_STRING:") {
        return Value::String(rest.to_string());
    }
    if let Some(n) = s.strip_prefix("AMQP_ULONG:").and_then(|r| r.parse().ok()) {
        return Value::Ulong(n);
    }
    if let Some(b) = s.strip_prefix("AMQP_BINARY:").and_then(unhex) {
        return Value::Binary(b.into());
    }
    if let Some(u) = s
        .strip_prefix("AMQP_UUID:")
        .and_then(|r| unhex(&r.replace('-', "")))
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
    {
        return Value::Uuid(u);
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_string_form() {
        for v in [
            Value::str("ID:abc:1:1:1-1"),
            Value::str("AMQP_odd"),
            Value::Ulong(42),
            Value::Uuid([7; 16]),
            Value::Binary(vec![1, 2, 255].into()),
        ] {
            let s = id_to_string(&v).unwrap();
            assert_eq!(id_from_string(&s), v, "{s}");
        }
    }

    #[test]
    fn types_are_found_by_exact_name() {
        assert_eq!(type_of("a:int,ab:bool", "ab"), Some("bool"));
        assert_eq!(type_of("a:int,ab:bool", "b"), None);
        assert_eq!(typed_value("5", Some("int")), Value::Int(5));
        assert_eq!(typed_value("x", Some("int")), Value::str("x"));
    }
}
