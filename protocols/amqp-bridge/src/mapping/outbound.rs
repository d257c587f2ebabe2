//! Stored engine message → AMQP 0-9-1 publish (basic properties, headers table, body). The inverse of
//! [`super::inbound`]: application properties go back as typed headers, `AMQP_*` properties as basic
//! properties, the message id as `message_id`.

use super::{is_reserved, names, type_of};
use crate::config::{BodyFormat, BridgeConfig};
use crate::jms_body::{self, rmq, JmsBody, JmsKind, JmsValue};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::BasicProperties;
use mqgate_engine::{keys, StoredMessage};

/// What the mapping needs from an outbound bridge's settings.
#[derive(Debug, Clone)]
pub struct OutboundMapping {
    /// Header that receives the tag; empty for none.
    pub tag_header: String,
    /// Header that receives the keys; empty for none.
    pub key_header: String,
    /// Body format.
    pub body_format: BodyFormat,
    /// Largest body forwarded.
    pub max_body_bytes: usize,
}

impl OutboundMapping {
    /// The mapping settings of an outbound bridge.
    pub fn from_config(c: &BridgeConfig) -> Self {
        OutboundMapping {
            tag_header: c.tag_header.clone(),
            key_header: c.key_header.clone(),
            body_format: c.body_format,
            max_body_bytes: c.max_body_bytes,
        }
    }
}

/// A message ready to publish.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Basic properties with the headers table.
    pub properties: BasicProperties,
    /// Body.
    pub body: bytes::Bytes,
}

/// Why a stored message cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPublishable {
    /// The body is over `max_body_bytes`.
    #[error("body of {size} bytes is over the bridge limit of {limit}")]
    TooLarge {
        /// Body size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A name or value is too long for an AMQP short string (255 bytes) or a Java `writeUTF`.
    #[error("{0} is too long for AMQP 0-9-1 or the JMS body format")]
    TooLong(String),
}

fn short(name: &str, v: &str) -> Result<ShortString, NotPublishable> {
    ShortString::try_new(v).map_err(|_| NotPublishable::TooLong(name.to_string()))
}

fn typed_header(text: &str, ty: Option<&str>) -> AMQPValue {
    let parsed = match ty {
        Some("bool") => text.parse().ok().map(AMQPValue::Boolean),
        Some("byte") => text.parse().ok().map(AMQPValue::ShortShortInt),
        Some("short") => text.parse().ok().map(AMQPValue::ShortInt),
        Some("int") => text.parse().ok().map(AMQPValue::LongInt),
        Some("long") => text.parse().ok().map(AMQPValue::LongLongInt),
        Some("float") => text.parse().ok().map(AMQPValue::Float),
        Some("double") => text.parse().ok().map(AMQPValue::Double),
        _ => None,
    };
    parsed.unwrap_or_else(|| AMQPValue::LongString(LongString::from(text)))
}

fn typed_jms(text: &str, ty: Option<&str>) -> JmsValue {
    let parsed = match ty {
        Some("bool") => text.parse().ok().map(JmsValue::Bool),
        Some("byte") => text.parse().ok().map(JmsValue::Byte),
        Some("short") => text.parse().ok().map(JmsValue::Short),
        Some("int") => text.parse().ok().map(JmsValue::Int),
        Some("long") => text.parse().ok().map(JmsValue::Long),
        Some("float") => text.parse().ok().map(JmsValue::Float),
        Some("double") => text.parse().ok().map(JmsValue::Double),
        _ => None,
    };
    parsed.unwrap_or_else(|| JmsValue::Str(text.to_string()))
}

/// The message's application properties: (name as published, value, recorded type).
fn application_properties(msg: &StoredMessage) -> Vec<(String, &str, Option<&str>)> {
    let types = msg.property(keys::PROPERTY_TYPES).unwrap_or("");
    msg.properties
        .iter()
        .filter_map(|(n, v)| {
            let ty = type_of(types, n);
            if let Some(orig) = n.strip_prefix(names::HEADER_PREFIX) {
                return Some((orig.to_string(), v, ty));
            }
            (!is_reserved(n)).then(|| (n.to_string(), v, ty))
        })
        .collect()
}

/// Maps a stored message.
pub fn to_amqp(m: &OutboundMapping, msg: &StoredMessage) -> Result<Outgoing, NotPublishable> {
    if msg.body.len() > m.max_body_bytes {
        return Err(NotPublishable::TooLarge {
            size: msg.body.len(),
            limit: m.max_body_bytes,
        });
    }
    let get = |n: &str| msg.property(n);
    let app = application_properties(msg);
    let mut headers = FieldTable::default();
    for (name, v, ty) in &app {
        headers.insert(short("header name", name)?, typed_header(v, *ty));
    }
    for (header, value) in [
        (&m.tag_header, msg.tag().map(str::to_string)),
        (&m.key_header, get(keys::KEYS).map(str::to_string)),
    ] {
        if let Some(v) = value.filter(|_| !header.is_empty()) {
            if !headers.contains_key(header) {
                headers.insert(short("header name", header)?, typed_header(&v, None));
            }
        }
    }
    let id = get(names::MESSAGE_ID)
        .map(str::to_string)
        .unwrap_or_else(|| msg.msg_id());
    let persistent = get(names::DURABLE) != Some("false");
    let priority = get(names::PRIORITY).and_then(|p| p.parse::<u8>().ok());
    let mut p = BasicProperties::default()
        .with_message_id(short("message id", &id)?)
        .with_delivery_mode(if persistent { 2 } else { 1 });
    if msg.born_timestamp > 0 {
        p = p.with_timestamp((msg.born_timestamp / 1000) as u64);
    }
    if let Some(pr) = priority {
        p = p.with_priority(pr);
    }
    let correlation = get(names::CORRELATION_ID).or_else(|| get("JMSCorrelationID"));
    if let Some(c) = correlation {
        p = p.with_correlation_id(short(names::CORRELATION_ID, c)?);
    }
    for (name, set) in [
        (
            names::REPLY_TO,
            BasicProperties::with_reply_to as fn(_, _) -> _,
        ),
        (names::TTL, BasicProperties::with_expiration),
        (names::USER_ID, BasicProperties::with_user_id),
        (names::TYPE, BasicProperties::with_type),
        (names::APP_ID, BasicProperties::with_app_id),
        (names::CLUSTER_ID, BasicProperties::with_cluster_id),
        (
            names::CONTENT_ENCODING,
            BasicProperties::with_content_encoding,
        ),
    ] {
        if let Some(v) = get(name) {
            p = set(p, short(name, v)?);
        }
    }
    let body = match m.body_format {
        BodyFormat::Plain => {
            if let Some(ct) = get(names::CONTENT_TYPE) {
                p = p.with_content_type(short(names::CONTENT_TYPE, ct)?);
            } else if get(names::BODY) == Some("text") {
                p = p.with_content_type("text/plain".into());
            }
            msg.body.clone()
        }
        BodyFormat::Jms | BodyFormat::JmsBytes => {
            let text = match m.body_format {
                BodyFormat::Jms
                    if get(names::BODY) == Some("text") || get(names::BODY).is_none() =>
                {
                    std::str::from_utf8(&msg.body).ok()
                }
                _ => None,
            };
            let jms = jms_message(msg, &app, &id, persistent, priority, text);
            jms_headers(&jms, &mut headers)?;
            p = p.with_content_type("application/octet-stream".into());
            bytes::Bytes::from(
                jms_body::encode(&jms).map_err(|e| NotPublishable::TooLong(e.to_string()))?,
            )
        }
    };
    Ok(Outgoing {
        properties: p.with_headers(headers),
        body,
    })
}

fn jms_message(
    msg: &StoredMessage,
    app: &[(String, &str, Option<&str>)],
    id: &str,
    persistent: bool,
    priority: Option<u8>,
    text: Option<&str>,
) -> JmsBody {
    let jms_id = if id.starts_with("ID:") {
        id.to_string()
    } else {
        format!("ID:{id}")
    };
    let mut headers = vec![
        (rmq::MESSAGE_ID.to_string(), JmsValue::Str(jms_id.clone())),
        (rmq::TIMESTAMP.into(), JmsValue::Long(msg.born_timestamp)),
        (
            rmq::DELIVERY_MODE.into(),
            JmsValue::Int(if persistent { 2 } else { 1 }),
        ),
        (
            rmq::PRIORITY.into(),
            JmsValue::Int(priority.map(i32::from).unwrap_or(4)),
        ),
        (rmq::EXPIRATION.into(), JmsValue::Long(0)),
    ];
    let correlation = msg
        .property("JMSCorrelationID")
        .or_else(|| msg.property(names::CORRELATION_ID));
    if let Some(c) = correlation {
        headers.push((rmq::CORRELATION_ID.into(), JmsValue::Str(c.to_string())));
    }
    if let Some(t) = msg.property("JMSType").or_else(|| msg.tag()) {
        headers.push((rmq::TYPE.into(), JmsValue::Str(t.to_string())));
    }
    let properties = app
        .iter()
        .filter(|(n, _, _)| !n.starts_with("JMS"))
        .map(|(n, v, ty)| (n.clone(), typed_jms(v, *ty)))
        .collect();
    JmsBody {
        kind: if text.is_some() {
            JmsKind::Text
        } else {
            JmsKind::Bytes
        },
        internal_id: jms_id.trim_start_matches("ID:").to_string(),
        headers,
        properties,
        text: text.map(str::to_string),
        bytes: if text.is_some() {
            Vec::new()
        } else {
            msg.body.to_vec()
        },
    }
}

/// The JMS header fields the JMS client also copies into the headers table (selectors of `x-jms-topic`).
fn jms_headers(jms: &JmsBody, headers: &mut FieldTable) -> Result<(), NotPublishable> {
    let mode = match jms.header(rmq::DELIVERY_MODE) {
        Some(JmsValue::Int(1)) => "NON_PERSISTENT",
        _ => "PERSISTENT",
    };
    headers.insert("JMSDeliveryMode".into(), AMQPValue::LongString(mode.into()));
    for (rmq_name, name) in [
        (rmq::MESSAGE_ID, "JMSMessageID"),
        (rmq::TIMESTAMP, "JMSTimestamp"),
        (rmq::PRIORITY, "JMSPriority"),
        (rmq::CORRELATION_ID, "JMSCorrelationID"),
        (rmq::TYPE, "JMSType"),
    ] {
        let v = match jms.header(rmq_name) {
            Some(JmsValue::Str(s)) => AMQPValue::LongString(s.as_str().into()),
            Some(JmsValue::Long(l)) => AMQPValue::LongLongInt(*l),
            Some(JmsValue::Int(i)) => AMQPValue::LongInt(*i),
            _ => continue,
        };
        headers.insert(short("header name", name)?, v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::UnmappableHeaders;
    use crate::mapping::inbound::{to_engine, InboundMapping, Incoming};
    use bytes::BytesMut;
    use mqgate_engine::store::record::{self, Placement};
    use mqgate_engine::Message;

    fn store(m: Message) -> StoredMessage {
        let mut buf = BytesMut::new();
        let at = Placement {
            queue_id: 0,
            queue_offset: 0,
            commit_log_offset: 0,
            store_timestamp: 0,
            store_host: "127.0.0.1:9876".parse().unwrap(),
            tx_flag: 0,
            prepared_transaction_offset: 0,
        };
        record::encode(&m, &at, &mut buf);
        record::decode(buf.freeze()).unwrap()
    }

    fn plain() -> OutboundMapping {
        OutboundMapping {
            tag_header: "JMSType".into(),
            key_header: "".into(),
            body_format: BodyFormat::Plain,
            max_body_bytes: 1 << 20,
        }
    }

    fn header<'a>(p: &'a BasicProperties, n: &str) -> Option<&'a AMQPValue> {
        p.headers().as_ref()?.inner().get(n)
    }

    #[test]
    fn rocketmq_message_becomes_persistent_publish_with_id_tag_and_headers() {
        let mut m = Message::new("T", &b"payload"[..]).with_tag("TagA");
        m.properties.set(keys::UNIQ_KEY, "7F000001ABCD");
        m.properties.set("color", "red");
        m.properties.set("KEYS", "k1");
        m.born_timestamp = 1_700_000_000_999;
        let out = to_amqp(&plain(), &store(m)).unwrap();
        let p = &out.properties;
        assert_eq!(p.message_id().as_ref().unwrap().as_str(), "7F000001ABCD");
        assert_eq!(*p.delivery_mode(), Some(2));
        assert_eq!(*p.timestamp(), Some(1_700_000_000));
        assert_eq!(
            header(p, "color"),
            Some(&AMQPValue::LongString("red".into()))
        );
        assert_eq!(
            header(p, "JMSType"),
            Some(&AMQPValue::LongString("TagA".into()))
        );
        assert_eq!(header(p, "KEYS"), None);
        assert_eq!(&out.body[..], b"payload");
    }

    #[test]
    fn inbound_then_outbound_round_trips_properties_and_types() {
        let mut t = FieldTable::default();
        t.insert("n".into(), AMQPValue::LongInt(5));
        t.insert("flag".into(), AMQPValue::Boolean(false));
        t.insert("DELAY".into(), AMQPValue::LongString("1".into()));
        t.insert("JMSType".into(), AMQPValue::LongString("evt".into()));
        let p = BasicProperties::default()
            .with_message_id("id-1".into())
            .with_correlation_id("c".into())
            .with_reply_to("replies".into())
            .with_priority(3)
            .with_delivery_mode(1)
            .with_expiration("60000".into())
            .with_content_type("application/json".into())
            .with_headers(t.clone());
        let inb = InboundMapping {
            bridge: "b".into(),
            topic: "T".into(),
            tag_header: "JMSType".into(),
            key_header: "".into(),
            decode_jms: true,
            unmappable_headers: UnmappableHeaders::Reject,
            max_body_bytes: 1 << 20,
        };
        let msg = to_engine(
            &inb,
            &Incoming {
                exchange: "",
                routing_key: "q",
                redelivered: false,
                properties: &p,
                body: b"{}",
            },
        )
        .unwrap();
        let out = to_amqp(&plain(), &store(msg)).unwrap();
        let q = &out.properties;
        assert_eq!(q.message_id(), p.message_id());
        assert_eq!(q.correlation_id(), p.correlation_id());
        assert_eq!(q.reply_to(), p.reply_to());
        assert_eq!(q.priority(), p.priority());
        assert_eq!(q.delivery_mode(), p.delivery_mode());
        assert_eq!(q.expiration(), p.expiration());
        assert_eq!(q.content_type(), p.content_type());
        assert_eq!(q.headers().as_ref().unwrap(), &t);
    }

    #[test]
    fn jms_format_writes_a_text_message_the_jms_client_reads() {
        let mut m = Message::new("T", "héllo".as_bytes().to_vec()).with_tag("greeting");
        m.properties.set(keys::UNIQ_KEY, "ABC");
        m.properties.set("n", "5");
        m.properties.set(keys::PROPERTY_TYPES, "n:int");
        let mut map = plain();
        map.body_format = BodyFormat::Jms;
        let out = to_amqp(&map, &store(m)).unwrap();
        let jms = jms_body::decode(&out.body).unwrap();
        assert_eq!(jms.kind, JmsKind::Text);
        assert_eq!(jms.text.as_deref(), Some("héllo"));
        assert_eq!(
            jms.header(rmq::MESSAGE_ID),
            Some(&JmsValue::Str("ID:ABC".into()))
        );
        assert_eq!(
            jms.header(rmq::TYPE),
            Some(&JmsValue::Str("greeting".into()))
        );
        assert_eq!(jms.properties, vec![("n".to_string(), JmsValue::Int(5))]);
        assert_eq!(
            header(&out.properties, "JMSDeliveryMode"),
            Some(&AMQPValue::LongString("PERSISTENT".into()))
        );
        map.body_format = BodyFormat::JmsBytes;
        let mut b = Message::new("T", vec![0xFFu8, 0]);
        b.properties.set(keys::UNIQ_KEY, "ID:x");
        let out = to_amqp(&map, &store(b)).unwrap();
        let jms = jms_body::decode(&out.body).unwrap();
        assert_eq!((jms.kind, jms.bytes), (JmsKind::Bytes, vec![0xFF, 0]));
    }

    #[test]
    fn oversized_and_overlong_values_are_refused() {
        let mut map = plain();
        map.max_body_bytes = 3;
        let err = to_amqp(&map, &store(Message::new("T", &b"toolong"[..]))).unwrap_err();
        assert!(matches!(
            err,
            NotPublishable::TooLarge { size: 7, limit: 3 }
        ));
        let mut m = Message::new("T", &b"x"[..]);
        m.properties.set(names::REPLY_TO, "r".repeat(300));
        assert!(matches!(
            to_amqp(&plain(), &store(m)),
            Err(NotPublishable::TooLong(_))
        ));
    }
}
