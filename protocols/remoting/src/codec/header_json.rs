//! The JSON header (digest §1.2). Decoding is tolerant of what real clients send: a missing
//! `serializeTypeCurrentRPC` (C++), numbers and booleans inside `extFields` (C++), unknown keys, `language` as a
//! name or a number. Encoding writes compact JSON with every key old clients expect.

use super::command::{Command, SerializeType};
use crate::error::CodecError;
use bytes::Bytes;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// Parses a JSON header straight into a [`Command`] (no intermediate `serde_json::Value`: this runs once per
/// request and was a tenth of the broker's CPU on the send path when it built a `Value` tree first).
pub fn decode(header: &[u8]) -> Result<Command, CodecError> {
    let raw: RawHeader =
        serde_json::from_slice(header).map_err(|e| CodecError::BadJsonHeader(e.to_string()))?;
    Ok(Command {
        code: raw
            .code
            .ok_or_else(|| CodecError::BadJsonHeader("no code".into()))?,
        language: raw.language.unwrap_or_else(|| "OTHER".to_string()),
        version: raw.version.unwrap_or(0),
        opaque: raw.opaque.unwrap_or(0),
        flag: raw.flag.unwrap_or(0),
        remark: raw.remark,
        ext_fields: raw.ext_fields,
        body: Bytes::new(),
        serialize_type: SerializeType::Json,
    })
}

/// The top-level keys mqgate reads; every other key is skipped.
enum Key {
    Code,
    Language,
    Version,
    Opaque,
    Flag,
    Remark,
    ExtFields,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a header key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "code" => Key::Code,
                    "language" => Key::Language,
                    "version" => Key::Version,
                    "opaque" => Key::Opaque,
                    "flag" => Key::Flag,
                    "remark" => Key::Remark,
                    "extFields" => Key::ExtFields,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// The header as decoded; `None` where the key was absent or null.
#[derive(Default)]
struct RawHeader {
    code: Option<i32>,
    language: Option<String>,
    version: Option<i32>,
    opaque: Option<i32>,
    flag: Option<i32>,
    remark: Option<String>,
    ext_fields: HashMap<String, String>,
}

impl<'de> Deserialize<'de> for RawHeader {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawHeader;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the header is not an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader, A::Error> {
                let mut h = RawHeader::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Code => h.code = map.next_value::<Int>()?.0,
                        Key::Version => h.version = map.next_value::<Int>()?.0,
                        Key::Opaque => h.opaque = map.next_value::<Int>()?.0,
                        Key::Flag => h.flag = map.next_value::<Int>()?.0,
                        // `language` may be a name or an ordinal; anything else means "OTHER".
                        Key::Language => {
                            h.language = match map.next_value::<Value>()? {
                                Value::String(s) => Some(s),
                                Value::Number(n) => Some(n.to_string()),
                                _ => None,
                            }
                        }
                        Key::Remark => {
                            h.remark = match map.next_value::<Value>()? {
                                Value::String(s) => Some(s),
                                _ => None,
                            }
                        }
                        Key::ExtFields => h.ext_fields = map.next_value::<ExtFields>()?.0,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(h)
            }
        }
        d.deserialize_map(V)
    }
}

/// An int32 given as a number or a numeric string; null reads as absent.
struct Int(Option<i32>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an int32")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                i32::try_from(v)
                    .map(|v| Int(Some(v)))
                    .map_err(|_| E::custom(format!("{v} is not an int32")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                i32::try_from(v)
                    .map(|v| Int(Some(v)))
                    .map_err(|_| E::custom(format!("{v} is not an int32")))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Int, E> {
                s.trim()
                    .parse()
                    .map(|v| Int(Some(v)))
                    .map_err(|_| E::custom(format!("{s:?} is not an int32")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Int, E> {
                Ok(Int(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An `extFields` value as the string RocketMQ would hold: strings as they are, numbers and booleans in their
/// JSON spelling, anything nested as compact JSON; null reads as absent.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Scalar(match Value::deserialize(d)? {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => Some(other.to_string()),
        }))
    }
}

/// The `extFields` object (null reads as empty).
struct ExtFields(HashMap<String, String>);

impl<'de> Deserialize<'de> for ExtFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExtFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("extFields is not an object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExtFields, E> {
                Ok(ExtFields(HashMap::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ExtFields, A::Error> {
                let mut out = HashMap::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(k) = map.next_key::<String>()? {
                    if let Some(v) = map.next_value::<Scalar>()?.0 {
                        out.insert(k, v);
                    }
                }
                Ok(ExtFields(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Serialize)]
struct Header<'a> {
    code: i32,
    #[serde(rename = "extFields")]
    ext_fields: &'a HashMap<String, String>,
    flag: i32,
    language: &'a str,
    opaque: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<&'a str>,
    #[serde(rename = "serializeTypeCurrentRPC")]
    serialize_type: &'static str,
    version: i32,
}

/// Writes `cmd`'s header as compact JSON.
pub fn encode(cmd: &Command) -> Vec<u8> {
    let h = Header {
        code: cmd.code,
        ext_fields: &cmd.ext_fields,
        flag: cmd.flag,
        language: &cmd.language,
        opaque: cmd.opaque,
        remark: cmd.remark.as_deref(),
        serialize_type: "JSON",
        version: cmd.version,
    };
    // Serializing a struct of strings and integers into a Vec cannot fail.
    serde_json::to_vec(&h).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_cpp_client_header_with_numbers_in_ext_fields() {
        // Shape of rocketmq-client-cpp 2.x (PyPI rocketmq 0.4.4): no serializeTypeCurrentRPC, numeric fields.
        let h = br#"{"code":310,"extFields":{"AccessKey":"","OnsChannel":"ALIYUN","Signature":"","a":"G","b":"T","e":3,"f":0,"m":false},"flag":0,"language":"CPP","opaque":5,"version":63}"#;
        let c = decode(h).unwrap();
        assert_eq!(c.language, "CPP");
        assert_eq!(c.ext_fields["e"], "3");
        assert_eq!(c.ext_fields["m"], "false");
    }

    #[test]
    fn rejects_a_header_that_is_not_an_object() {
        assert!(matches!(
            decode(b"[1,2]"),
            Err(CodecError::BadJsonHeader(_))
        ));
        assert!(matches!(
            decode(b"\"x\""),
            Err(CodecError::BadJsonHeader(_))
        ));
        assert!(matches!(decode(b"{"), Err(CodecError::BadJsonHeader(_))));
        assert!(matches!(decode(b"{}"), Err(CodecError::BadJsonHeader(_))));
    }

    #[test]
    fn reads_every_value_shape_real_clients_send() {
        let h = br#"{"code":"11","language":3,"opaque":-7,"flag":null,"remark":5,"extFields":{"n":null,"f":1.5,"o":{"x":[1]},"s":"a\"b"},"unknown":[{"deep":true}],"version":null}"#;
        let c = decode(h).unwrap();
        assert_eq!((c.code, c.opaque, c.flag, c.version), (11, -7, 0, 0));
        assert_eq!(c.language, "3");
        assert_eq!(c.remark, None);
        assert!(!c.ext_fields.contains_key("n"));
        assert_eq!(c.ext_fields["f"], "1.5");
        assert_eq!(c.ext_fields["o"], r#"{"x":[1]}"#);
        assert_eq!(c.ext_fields["s"], "a\"b");
        let lang = decode(br#"{"code":1,"language":true}"#).unwrap();
        assert_eq!(lang.language, "OTHER");
    }

    #[test]
    fn rejects_out_of_range_and_mistyped_fields() {
        for bad in [
            &br#"{"code":4294967296}"#[..],
            br#"{"code":true}"#,
            br#"{"code":1,"opaque":"x"}"#,
            br#"{"code":1,"extFields":[1]}"#,
            br#"{"code":1,"extFields":"a"}"#,
        ] {
            assert!(
                matches!(decode(bad), Err(CodecError::BadJsonHeader(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn encodes_compact_json_with_the_rpc_type() {
        let c = Command::response(0, 9).with_field("offset", 3);
        let s = String::from_utf8(encode(&c)).unwrap();
        assert_eq!(
            s,
            r#"{"code":0,"extFields":{"offset":"3"},"flag":1,"language":"JAVA","opaque":9,"serializeTypeCurrentRPC":"JSON","version":479}"#
        );
    }
}
