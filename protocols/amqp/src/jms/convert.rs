//! AMQP message ↔ engine message, following the property layout documented in `props.rs`. JMS headers map
//! as Qpid JMS sends them: JMSMessageID = message-id, JMSCorrelationID = correlation-id, JMSType = subject
//! (= the RocketMQ tag), JMSPriority = header.priority, JMSDeliveryMode = header.durable, JMSTimestamp =
//! creation-time, JMSExpiration = absolute-expiry-time, JMSReplyTo = reply-to (+ the `x-opt-jms-reply-to`
//! annotation), JMSRedelivered / JMSXDeliveryCount = header.delivery-count (from the engine's attempt).

use super::props::{self, id_from_string, id_to_string, typed_string, typed_value};
use crate::codec::{self, AmqpMessage, Body, Header, Properties, Value};
use bytes::{Bytes, BytesMut};
use mqgate_engine::{keys, Message, StoredMessage};

/// Annotation carrying a JMS 2 delivery time (ms), sent when we offer `DELAYED_DELIVERY`.
const DELIVERY_TIME: &str = "x-opt-delivery-time";

/// Builds the engine message for `topic` from a decoded AMQP message.
pub fn to_engine(msg: &AmqpMessage, topic: &str, connection_id: &str, now_ms: i64) -> Message {
    let body = match &msg.body {
        Body::Empty => Bytes::new(),
        Body::Data(b) | Body::Encoded(b) => b.clone(),
        Body::Text(s) => Bytes::from(s.clone().into_bytes()),
    };
    let mut m = Message::new(topic, body);
    let p = &mut m.properties;
    match &msg.body {
        Body::Text(_) => p.set(props::BODY, "text"),
        Body::Encoded(_) => p.set(props::BODY, "amqp"),
        _ => {}
    }
    m.born_timestamp = now_ms;
    let mut delivery_time = None;
    if let Some(h) = &msg.header {
        if !h.durable {
            p.set(props::DURABLE, "false");
        }
        if h.priority != 4 {
            p.set(props::PRIORITY, h.priority.to_string());
        }
        if let Some(ttl) = h.ttl {
            p.set(props::TTL, ttl.to_string());
            p.set(props::EXPIRY, (now_ms + i64::from(ttl)).to_string());
        }
    } else {
        p.set(props::DURABLE, "false");
    }
    if let Some(pr) = &msg.properties {
        if let Some(id) = id_to_string(&pr.message_id) {
            p.set(keys::UNIQ_KEY, id);
        }
        if let Some(id) = id_to_string(&pr.correlation_id) {
            p.set(props::CORRELATION_ID, id);
        }
        let strings = [
            (keys::TAGS, &pr.subject),
            (props::TO, &pr.to),
            (props::REPLY_TO, &pr.reply_to),
            (props::CONTENT_TYPE, &pr.content_type),
            (props::CONTENT_ENCODING, &pr.content_encoding),
            (props::GROUP_ID, &pr.group_id),
            (props::REPLY_TO_GROUP_ID, &pr.reply_to_group_id),
        ];
        for (k, v) in strings {
            if let Some(v) = v {
                p.set(k, v.clone());
            }
        }
        if let Some(seq) = pr.group_sequence {
            p.set(props::GROUP_SEQUENCE, seq.to_string());
        }
        if let Some(u) = &pr.user_id {
            p.set(props::USER_ID, props::hex(u));
        }
        if let Some(t) = pr.absolute_expiry_time.filter(|t| *t > 0) {
            p.set(props::EXPIRY, t.to_string());
        }
        if let Some(t) = pr.creation_time.filter(|t| *t > 0) {
            m.born_timestamp = t;
        }
    }
    let mut kept = Vec::with_capacity(msg.annotations.len());
    for (k, v) in &msg.annotations {
        if k.as_str() == Some(DELIVERY_TIME) {
            delivery_time = v.as_i64();
        } else {
            kept.push((k.clone(), v.clone()));
        }
    }
    if !kept.is_empty() {
        p.set(props::ANNOTATIONS, props::hex(&Value::Map(kept).to_bytes()));
    }
    if let Some(t) = delivery_time.filter(|t| *t > now_ms) {
        p.set(keys::TIMER_DELIVER_MS, t.to_string());
    }
    let mut types = String::new();
    for (name, v) in &msg.application_properties {
        let Some((text, ty)) = typed_string(v) else {
            continue;
        };
        if props::is_reserved(name) {
            continue;
        }
        if let Some(ty) = ty.filter(|_| !name.contains([':', ','])) {
            if !types.is_empty() {
                types.push(',');
            }
            types.push_str(name);
            types.push(':');
            types.push_str(ty);
        }
        p.set(name.clone(), text);
    }
    if !types.is_empty() {
        p.set(keys::PROPERTY_TYPES, types);
    }
    p.set(props::CONNECTION, connection_id);
    m
}

/// The absolute expiry of a stored message, ms, if it has one.
pub fn expiry_of(msg: &StoredMessage) -> Option<i64> {
    msg.property(props::EXPIRY).and_then(|t| t.parse().ok())
}

/// Encodes a stored message for delivery as attempt `attempt` (1 = first): (sections, body bytes).
pub fn to_amqp(msg: &StoredMessage, attempt: u32) -> (Bytes, Bytes) {
    let get = |k: &str| msg.property(k);
    let header = Header {
        durable: get(props::DURABLE) != Some("false"),
        priority: get(props::PRIORITY)
            .and_then(|p| p.parse().ok())
            .unwrap_or(4),
        ttl: get(props::TTL).and_then(|t| t.parse().ok()),
        first_acquirer: attempt <= 1,
        delivery_count: attempt.saturating_sub(1) + msg.reconsume_times.max(0) as u32,
    };
    let annotations = get(props::ANNOTATIONS)
        .and_then(props::unhex)
        .and_then(|b| codec::decode::decode_one(b.into(), Default::default()).ok())
        .and_then(|v| match v {
            Value::Map(m) => Some(m),
            _ => None,
        })
        .unwrap_or_default();
    let message_id = Some(msg.msg_id());
    let properties = Properties {
        message_id: message_id.as_deref().map_or(Value::Null, id_from_string),
        user_id: get(props::USER_ID).and_then(props::unhex).map(Bytes::from),
        to: Some(get(props::TO).unwrap_or(&msg.topic).to_string()),
        subject: get(keys::TAGS).map(str::to_string),
        reply_to: get(props::REPLY_TO).map(str::to_string),
        correlation_id: get(props::CORRELATION_ID).map_or(Value::Null, id_from_string),
        content_type: get(props::CONTENT_TYPE).map(str::to_string),
        content_encoding: get(props::CONTENT_ENCODING).map(str::to_string),
        absolute_expiry_time: get(props::EXPIRY).and_then(|t| t.parse().ok()),
        creation_time: Some(msg.born_timestamp).filter(|t| *t > 0),
        group_id: get(props::GROUP_ID).map(str::to_string),
        group_sequence: get(props::GROUP_SEQUENCE).and_then(|t| t.parse().ok()),
        reply_to_group_id: get(props::REPLY_TO_GROUP_ID).map(str::to_string),
    };
    let types = get(keys::PROPERTY_TYPES).unwrap_or("");
    let application_properties = msg
        .properties
        .iter()
        .filter(|(k, _)| !props::is_reserved(k))
        .map(|(k, v)| (k.to_string(), typed_value(v, props::type_of(types, k))))
        .collect();
    let body = match get(props::BODY) {
        Some("text") => match std::str::from_utf8(&msg.body) {
            Ok(s) => Body::Text(s.to_string()),
            Err(_) => Body::Data(msg.body.clone()),
        },
        Some("amqp") => Body::Encoded(msg.body.clone()),
        _ => Body::Data(msg.body.clone()),
    };
    let amqp = AmqpMessage {
        header: Some(header),
        annotations,
        properties: Some(properties),
        application_properties,
        body,
    };
    codec::message::encode_message(&amqp)
}

/// Concatenates the two parts (tests and small messages).
pub fn joined((prefix, body): &(Bytes, Bytes)) -> Bytes {
    let mut b = BytesMut::with_capacity(prefix.len() + body.len());
    b.extend_from_slice(prefix);
    b.extend_from_slice(body);
    b.freeze()
}
