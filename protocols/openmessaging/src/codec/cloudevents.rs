//! CloudEvents 1.0 over HTTP (binary and structured content modes, and the JSON batch format) to engine
//! messages, and stored messages back to CloudEvents.
//!
//! Mapping: `id` is the message id; every other context attribute and extension `x` is kept as the string
//! property `ce_x` (`ce_source`, `ce_type`, `ce_subject`, `ce_time`, …, names an SQL92 filter can use), and
//! `time` also sets the born timestamp. The payload is the event's data: the body in binary mode, `data`
//! (serialized JSON, or the text of a string) or `data_base64` in structured mode. Pure: no I/O.

use crate::codec::headers::check_message_id;
use crate::codec::time::{format_rfc3339_ms, parse_rfc3339_ms};
use crate::error::ApiError;
use base64::Engine as _;
use bytes::Bytes;
use http::HeaderMap;
use mqgate_engine::{keys, Message, StoredMessage};
use serde_json::{Map, Value};

/// Prefix of the properties that hold CloudEvents attributes.
pub const PROPERTY_PREFIX: &str = "ce_";
/// Media type of one structured-mode event.
pub const STRUCTURED: &str = "application/cloudevents+json";
/// Media type of a batch of events.
pub const BATCH: &str = "application/cloudevents-batch+json";

/// One event, decoded: its attributes (`specversion`, `id`, `source`, …, extensions) as strings, and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudEvent {
    /// Context attributes and extensions, in arrival order, names lower case.
    pub attributes: Vec<(String, String)>,
    /// The data, as stored.
    pub data: Bytes,
}

impl CloudEvent {
    /// The value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Checks the rules every event must follow: spec version 1.0, non-empty `id`, `source` and `type`,
    /// valid attribute names, an RFC 3339 `time`.
    pub fn validate(&self) -> Result<(), ApiError> {
        let bad = |m: String| Err(ApiError::InvalidCloudEvent(m));
        match self.attribute("specversion") {
            Some("1.0") => {}
            Some(v) => return bad(format!("specversion {v:?} is not supported; use \"1.0\"")),
            None => return bad("specversion is required".into()),
        }
        for required in ["id", "source", "type"] {
            if self.attribute(required).is_none_or(str::is_empty) {
                return bad(format!("{required} is required and must not be empty"));
            }
        }
        for (name, value) in &self.attributes {
            if name.is_empty()
                || name.len() > 64
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                return bad(format!(
                    "attribute name {name:?} must be 1 to 64 lower-case letters or digits"
                ));
            }
            if value.chars().any(|c| c == '\u{1}' || c == '\u{2}') {
                return bad(format!("attribute {name} holds a control character"));
            }
        }
        if let Some(id) = self.attribute("id") {
            check_message_id(id).map_err(ApiError::InvalidCloudEvent)?;
        }
        if let Some(t) = self.attribute("time") {
            parse_rfc3339_ms(t).ok_or_else(|| {
                ApiError::InvalidCloudEvent(format!("time {t:?} is not an RFC 3339 timestamp"))
            })?;
        }
        Ok(())
    }

    /// Validates the event and turns it into a message for `topic`.
    pub fn into_message(self, topic: &str) -> Result<Message, ApiError> {
        self.validate()?;
        let mut msg = Message::new(topic, self.data);
        for (name, value) in self.attributes {
            match name.as_str() {
                "id" => msg.properties.set(keys::UNIQ_KEY, value),
                _ => {
                    if name == "time" {
                        msg.born_timestamp = parse_rfc3339_ms(&value).unwrap_or(0);
                    }
                    msg.properties
                        .set(format!("{PROPERTY_PREFIX}{name}"), value);
                }
            }
        }
        Ok(msg)
    }
}

/// True when a request carries a binary-mode event (`ce-specversion` present).
pub fn is_binary(headers: &HeaderMap) -> bool {
    headers.contains_key("ce-specversion")
}

/// Reads a binary-mode event: `ce-*` headers (percent-decoded) and `Content-Type` as `datacontenttype`.
pub fn from_binary(headers: &HeaderMap, body: Bytes) -> Result<CloudEvent, ApiError> {
    let mut attributes = Vec::new();
    for (name, value) in headers {
        let Some(attr) = name.as_str().strip_prefix("ce-") else {
            continue;
        };
        let decoded = percent_encoding::percent_decode(value.as_bytes())
            .decode_utf8()
            .map_err(|_| {
                ApiError::header(name.as_str(), "value is not UTF-8 after percent-decoding")
            })?;
        attributes.push((attr.to_string(), decoded.into_owned()));
    }
    if let Some(ct) = headers.get(http::header::CONTENT_TYPE) {
        let ct = std::str::from_utf8(ct.as_bytes())
            .map_err(|_| ApiError::header("content-type", "value is not UTF-8"))?;
        if !attributes.iter().any(|(k, _)| k == "datacontenttype") {
            attributes.push(("datacontenttype".into(), ct.to_string()));
        }
    }
    Ok(CloudEvent {
        attributes,
        data: body,
    })
}

/// Reads one structured-mode event (`application/cloudevents+json`).
pub fn from_structured(body: &[u8]) -> Result<CloudEvent, ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    from_json(value)
}

/// Reads a batch (`application/cloudevents-batch+json`): a JSON array of structured events.
pub fn from_batch(body: &[u8]) -> Result<Vec<CloudEvent>, ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    match value {
        Value::Array(events) => events.into_iter().map(from_json).collect(),
        _ => Err(ApiError::InvalidCloudEvent(
            "a batch is a JSON array of events".into(),
        )),
    }
}

/// One event from its JSON object.
pub fn from_json(value: Value) -> Result<CloudEvent, ApiError> {
    let Value::Object(members) = value else {
        return Err(ApiError::InvalidCloudEvent(
            "an event is a JSON object".into(),
        ));
    };
    let mut attributes = Vec::new();
    let mut data = None;
    let mut data_base64 = None;
    for (name, value) in members {
        match name.as_str() {
            "data" => data = Some(value),
            "data_base64" => match value {
                Value::String(s) => data_base64 = Some(s),
                Value::Null => {}
                _ => {
                    return Err(ApiError::InvalidCloudEvent(
                        "data_base64 must be a string".into(),
                    ))
                }
            },
            _ => match value {
                Value::Null => {}
                Value::String(s) => attributes.push((name, s)),
                Value::Bool(b) => attributes.push((name, b.to_string())),
                Value::Number(n) => attributes.push((name, n.to_string())),
                _ => {
                    return Err(ApiError::InvalidCloudEvent(format!(
                        "attribute {name} must be a string, number or boolean"
                    )))
                }
            },
        }
    }
    let content_type = attributes
        .iter()
        .find(|(k, _)| k == "datacontenttype")
        .map(|(_, v)| v.clone());
    let data = match (data, data_base64) {
        (Some(_), Some(_)) => {
            return Err(ApiError::InvalidCloudEvent(
                "data and data_base64 are mutually exclusive".into(),
            ))
        }
        (None, Some(b64)) => Bytes::from(
            super::base64_engine()
                .decode(b64.as_bytes())
                .map_err(|e| ApiError::InvalidCloudEvent(format!("data_base64: {e}")))?,
        ),
        // A string under a non-JSON content type is that text; without a content type the data is JSON.
        (Some(Value::String(s)), None)
            if content_type.as_deref().is_some_and(|ct| !is_json(ct)) =>
        {
            Bytes::from(s)
        }
        (Some(Value::Null), None) | (None, None) => Bytes::new(),
        (Some(v), None) => {
            if content_type.is_none() {
                attributes.push(("datacontenttype".into(), "application/json".into()));
            }
            Bytes::from(serde_json::to_vec(&v).map_err(|e| ApiError::InvalidJson(e.to_string()))?)
        }
    };
    Ok(CloudEvent { attributes, data })
}

/// True for JSON media types (`application/json`, `text/json`, `…+json`), parameters ignored.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// A stored message as a structured-mode event. Messages that did not arrive as CloudEvents get
/// `source` `/topics/<topic>`, `type` `io.openmessaging.message` and the store time as `time`.
/// `extra` adds extensions (receipt handle, delivery attempt) for consumers.
pub fn to_json(msg: &StoredMessage, extra: &[(&str, Value)]) -> Value {
    let mut event = Map::new();
    event.insert("specversion".into(), "1.0".into());
    event.insert("id".into(), msg.msg_id().into());
    let attr = |name: &str| msg.property(&format!("{PROPERTY_PREFIX}{name}"));
    event.insert(
        "source".into(),
        attr("source")
            .map(str::to_string)
            .unwrap_or_else(|| format!("/topics/{}", msg.topic))
            .into(),
    );
    event.insert(
        "type".into(),
        attr("type").unwrap_or("io.openmessaging.message").into(),
    );
    let time = attr("time")
        .map(str::to_string)
        .unwrap_or_else(|| format_rfc3339_ms(msg.store_timestamp));
    event.insert("time".into(), time.into());
    for (name, value) in msg.properties.iter() {
        if let Some(attr) = name.strip_prefix(PROPERTY_PREFIX) {
            if !matches!(
                attr,
                "specversion" | "id" | "source" | "type" | "time" | "data" | "data_base64"
            ) {
                event.insert(attr.to_string(), value.into());
            }
        }
    }
    for (name, value) in extra {
        event.insert((*name).to_string(), value.clone());
    }
    if !msg.body.is_empty() {
        let (name, data) = data_member(attr("datacontenttype"), &msg.body);
        event.insert(name.into(), data);
    }
    Value::Object(event)
}

/// The data of a structured event: `data` with the JSON value when the content type is JSON, or absent (the
/// JSON format's default) and the payload parses as JSON; `data` with the text for `text/*` and XML;
/// `data_base64` otherwise.
fn data_member(content_type: Option<&str>, body: &[u8]) -> (&'static str, Value) {
    let text = std::str::from_utf8(body).ok();
    let json_allowed = content_type.is_none_or(is_json);
    if let (true, Some(t)) = (json_allowed, text) {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return ("data", v);
        }
    }
    match (content_type, text) {
        (Some(ct), Some(t)) if ct.starts_with("text/") || ct.contains("xml") => ("data", t.into()),
        _ => ("data_base64", super::base64_engine().encode(body).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structured_event_maps_attributes_to_ce_properties() {
        let body = json!({
            "specversion": "1.0", "id": "E1", "source": "/src", "type": "t.created",
            "subject": "s", "time": "2024-01-02T03:04:05.678Z", "traceparent": "00-x",
            "datacontenttype": "application/json", "data": {"a": 1}
        });
        let msg = from_structured(body.to_string().as_bytes())
            .unwrap()
            .into_message("T")
            .unwrap();
        assert_eq!(msg.properties.get(keys::UNIQ_KEY), Some("E1"));
        assert_eq!(msg.properties.get("ce_source"), Some("/src"));
        assert_eq!(msg.properties.get("ce_type"), Some("t.created"));
        assert_eq!(msg.properties.get("ce_subject"), Some("s"));
        assert_eq!(msg.properties.get("ce_traceparent"), Some("00-x"));
        assert_eq!(msg.born_timestamp, 1_704_164_645_678);
        assert_eq!(&msg.body[..], br#"{"a":1}"#);
    }

    #[test]
    fn data_forms_decode_to_the_payload() {
        let ev = |extra: Value| {
            let mut base = json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t"});
            base.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            from_json(base).unwrap()
        };
        assert_eq!(&ev(json!({"data_base64": "aGk="})).data[..], b"hi");
        assert_eq!(
            &ev(json!({"datacontenttype": "text/plain", "data": "hi"})).data[..],
            b"hi"
        );
        let implied = ev(json!({"data": "hi"}));
        assert_eq!(&implied.data[..], br#""hi""#);
        assert_eq!(
            implied.attribute("datacontenttype"),
            Some("application/json")
        );
        assert!(ev(json!({})).data.is_empty());
    }

    #[test]
    fn malformed_events_are_refused() {
        let bad = [
            json!({"id": "1", "source": "s", "type": "t"}),
            json!({"specversion": "0.3", "id": "1", "source": "s", "type": "t"}),
            json!({"specversion": "1.0", "id": "", "source": "s", "type": "t"}),
            json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "time": "yesterday"}),
            json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "Bad-Name": "x"}),
            json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "ext": {"o": 1}}),
            json!({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "data": 1, "data_base64": "AA=="}),
            json!([1]),
        ];
        for b in bad {
            let r = from_json(b.clone()).and_then(|e| e.into_message("T"));
            assert!(r.is_err(), "accepted {b}");
        }
        assert!(from_batch(b"{}").is_err());
        assert!(from_structured(b"{not json").is_err());
    }

    #[test]
    fn binary_mode_reads_percent_decoded_headers_and_content_type() {
        let mut h = HeaderMap::new();
        h.insert("ce-specversion", "1.0".parse().unwrap());
        h.insert("ce-id", "B1".parse().unwrap());
        h.insert("ce-source", "/a%20b".parse().unwrap());
        h.insert("ce-type", "t".parse().unwrap());
        h.insert("content-type", "text/plain".parse().unwrap());
        assert!(is_binary(&h));
        let msg = from_binary(&h, Bytes::from_static(b"x"))
            .unwrap()
            .into_message("T")
            .unwrap();
        assert_eq!(msg.properties.get("ce_source"), Some("/a b"));
        assert_eq!(msg.properties.get("ce_datacontenttype"), Some("text/plain"));
        assert_eq!(msg.properties.get(keys::UNIQ_KEY), Some("B1"));
    }

    #[test]
    fn outgoing_data_is_json_text_or_base64_by_content_type() {
        assert_eq!(data_member(None, br#"{"a":1}"#), ("data", json!({"a": 1})));
        assert_eq!(data_member(None, b"hello").0, "data_base64");
        assert_eq!(
            data_member(Some("text/plain"), b"hello"),
            ("data", json!("hello"))
        );
        assert_eq!(
            data_member(Some("application/octet-stream"), b"{}").0,
            "data_base64"
        );
        assert_eq!(
            data_member(Some("application/json"), b"not json").0,
            "data_base64"
        );
    }

    #[test]
    fn json_media_types_are_recognised() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/vnd.x+json"));
        assert!(!is_json("text/plain"));
    }
}
