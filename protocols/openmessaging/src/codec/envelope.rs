//! The JSON envelope form of produce (`Content-Type: application/json`): a list of
//! `{"headers": {…}, "properties": {…}, "body": "<base64>"}`, as a bare array or as `{"messages": […]}`.
//! `headers` take the same names as `x-oms-h-*` (`tag`, `keys`, `messageId`, `delayTime`, `priority`, …),
//! `properties` are user properties whose names keep their case. Pure.

use crate::codec::headers::{apply_system_header, set_user_property, ProduceContext};
use crate::error::ApiError;
use base64::Engine as _;
use bytes::Bytes;
use mqgate_engine::Message;
use serde::Deserialize;
use serde_json::{Map, Value};

/// One message of the envelope form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    properties: Map<String, Value>,
    #[serde(default)]
    body: Option<String>,
}

/// The two accepted shapes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Batch {
    List(Vec<Envelope>),
    Wrapped { messages: Vec<Envelope> },
}

/// A JSON scalar as the string RocketMQ stores; `None` for objects and arrays.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Decodes an envelope batch into messages for `topic`; at most `max_batch` of them.
pub fn decode_batch(
    topic: &str,
    body: &[u8],
    max_batch: usize,
    ctx: &ProduceContext,
) -> Result<Vec<Message>, ApiError> {
    let batch: Batch = serde_json::from_slice(body).map_err(|e| {
        ApiError::InvalidJson(format!(
            "{e}; application/json takes a list of {{headers, properties, body (base64)}} \
             (send a raw JSON payload as application/octet-stream)"
        ))
    })?;
    let list = match batch {
        Batch::List(l) | Batch::Wrapped { messages: l } => l,
    };
    if list.is_empty() {
        return Err(ApiError::InvalidJson("the batch is empty".into()));
    }
    if list.len() > max_batch {
        return Err(ApiError::bad_request(format!(
            "the batch has {} messages; the limit is {max_batch}",
            list.len()
        )));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, e)| envelope_message(topic, e, ctx).map_err(|err| at_index(i, err)))
        .collect()
}

fn at_index(i: usize, err: ApiError) -> ApiError {
    match err {
        ApiError::InvalidJson(m) => ApiError::InvalidJson(format!("messages[{i}]: {m}")),
        ApiError::BadRequest(m) => ApiError::BadRequest(format!("messages[{i}]: {m}")),
        ApiError::InvalidHeader { name, reason } => ApiError::InvalidHeader {
            name: format!("messages[{i}].headers.{name}"),
            reason,
        },
        other => other,
    }
}

fn envelope_message(topic: &str, e: Envelope, ctx: &ProduceContext) -> Result<Message, ApiError> {
    let body = match e.body {
        Some(b) => Bytes::from(
            super::base64_engine()
                .decode(b.as_bytes())
                .map_err(|err| ApiError::InvalidJson(format!("body is not base64: {err}")))?,
        ),
        None => Bytes::new(),
    };
    let mut msg = Message::new(topic, body);
    for (name, value) in &e.headers {
        if let Value::Array(items) = value {
            // `keys` may be a list.
            for item in items {
                let text = scalar_text(item).ok_or_else(|| {
                    ApiError::InvalidJson(format!("headers.{name}: list items must be scalars"))
                })?;
                apply_system_header(&mut msg, name, &text, ctx)?;
            }
            continue;
        }
        let text = scalar_text(value).ok_or_else(|| {
            ApiError::InvalidJson(format!(
                "headers.{name} must be a string, number or boolean"
            ))
        })?;
        apply_system_header(&mut msg, name, &text, ctx)?;
    }
    for (name, value) in &e.properties {
        let text = scalar_text(value).ok_or_else(|| {
            ApiError::InvalidJson(format!(
                "properties.{name} must be a string, number or boolean"
            ))
        })?;
        set_user_property(&mut msg, name, &text)?;
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqgate_engine::keys;

    const CTX: ProduceContext = ProduceContext {
        now_ms: 1_000,
        max_delay_ms: 10_000,
    };

    #[test]
    fn bare_and_wrapped_lists_decode_with_headers_and_properties() {
        let body = br#"[{"headers":{"tag":"A","keys":["k1","k2"],"priority":3},
                         "properties":{"Color":"red","n":1,"ok":true},"body":"aGk="},{}]"#;
        let msgs = decode_batch("T", body, 10, &CTX).unwrap();
        assert_eq!(msgs.len(), 2);
        let p = &msgs[0].properties;
        assert_eq!(p.get(keys::TAGS), Some("A"));
        assert_eq!(p.get(keys::KEYS), Some("k1 k2"));
        assert_eq!(p.get("PRIORITY"), Some("3"));
        assert_eq!(p.get("Color"), Some("red"));
        assert_eq!(p.get("n"), Some("1"));
        assert_eq!(p.get("ok"), Some("true"));
        assert_eq!(&msgs[0].body[..], b"hi");
        assert!(msgs[1].body.is_empty());
        let wrapped = br#"{"messages":[{"body":"eA=="}]}"#;
        assert_eq!(decode_batch("T", wrapped, 10, &CTX).unwrap().len(), 1);
    }

    #[test]
    fn bad_batches_are_refused_with_the_index() {
        let too_many = br#"[{},{},{}]"#;
        assert!(decode_batch("T", too_many, 2, &CTX).is_err());
        assert!(decode_batch("T", b"[]", 2, &CTX).is_err());
        assert!(decode_batch("T", br#"{"a":1}"#, 2, &CTX).is_err());
        let e = decode_batch("T", br#"[{},{"body":"!!"}]"#, 5, &CTX).unwrap_err();
        assert!(e.to_string().contains("messages[1]"), "{e}");
        assert!(decode_batch("T", br#"[{"properties":{"o":{}}}]"#, 5, &CTX).is_err());
        assert!(decode_batch("T", br#"[{"extra":1}]"#, 5, &CTX).is_err());
    }
}
