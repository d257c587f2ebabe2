//! The JSON header (digest §1.2). Decoding is tolerant of what real clients send: a missing
//! `serializeTypeCurrentRPC` (C++), numbers and booleans inside `extFields` (C++), unknown keys, `language` as a
//! name or a number. Encoding writes compact JSON with every key old clients expect.

use super::command::{Command, SerializeType};
use crate::error::CodecError;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// Parses a JSON header.
pub fn decode(header: &[u8]) -> Result<Command, CodecError> {
    let value: Value =
        serde_json::from_slice(header).map_err(|e| CodecError::BadJsonHeader(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(CodecError::BadJsonHeader(
            "the header is not an object".into(),
        ));
    };
    let int = |key: &str| -> Result<Option<i32>, CodecError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => as_i32(v)
                .map(Some)
                .ok_or_else(|| CodecError::BadJsonHeader(format!("{key} is not an int32"))),
        }
    };
    let code = int("code")?.ok_or_else(|| CodecError::BadJsonHeader("no code".into()))?;
    let language = match map.get("language") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "OTHER".to_string(),
    };
    let remark = match map.get("remark") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let mut ext_fields = HashMap::new();
    match map.get("extFields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            ext_fields.reserve(fields.len());
            for (k, v) in fields {
                let s = match v {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    other => other.to_string(),
                };
                ext_fields.insert(k.clone(), s);
            }
        }
        Some(_) => {
            return Err(CodecError::BadJsonHeader(
                "extFields is not an object".into(),
            ))
        }
    }
    Ok(Command {
        code,
        language,
        version: int("version")?.unwrap_or(0),
        opaque: int("opaque")?.unwrap_or(0),
        flag: int("flag")?.unwrap_or(0),
        remark,
        ext_fields,
        body: Bytes::new(),
        serialize_type: SerializeType::Json,
    })
}

fn as_i32(v: &Value) -> Option<i32> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(|x| i32::try_from(x).ok())
            .or_else(|| n.as_u64().and_then(|x| i32::try_from(x).ok())),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
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
    fn encodes_compact_json_with_the_rpc_type() {
        let c = Command::response(0, 9).with_field("offset", 3);
        let s = String::from_utf8(encode(&c)).unwrap();
        assert_eq!(
            s,
            r#"{"code":0,"extFields":{"offset":"3"},"flag":1,"language":"JAVA","opaque":9,"serializeTypeCurrentRPC":"JSON","version":479}"#
        );
    }
}
