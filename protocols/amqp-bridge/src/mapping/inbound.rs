//! AMQP 0-9-1 delivery → engine [`Message`]. Never fails silently: a message that cannot be mapped comes back
//! as [`Unmappable`] with the reason, and the bridge dead-letters it.

use super::{is_reserved, names};
use crate::config::{BridgeConfig, UnmappableHeaders};
use crate::jms_body::{self, rmq, JmsBody, JmsKind, JmsValue};
use bytes::Bytes;
use lapin::types::{AMQPValue, FieldTable};
use lapin::BasicProperties;
use mqgate_engine::{keys, Message};
use std::fmt::Write as _;

/// What the mapping needs from a bridge's settings.
#[derive(Debug, Clone)]
pub struct InboundMapping {
    /// Bridge name (recorded in each message).
    pub bridge: String,
    /// Destination topic.
    pub topic: String,
    /// Header (or basic property) giving the tag; empty for none.
    pub tag_header: String,
    /// Header (or basic property) giving the key; empty for none.
    pub key_header: String,
    /// Decode JMS client bodies.
    pub decode_jms: bool,
    /// Policy for header types with no mapping.
    pub unmappable_headers: UnmappableHeaders,
    /// Largest body accepted.
    pub max_body_bytes: usize,
}

impl InboundMapping {
    /// The mapping settings of an inbound bridge.
    pub fn from_config(c: &BridgeConfig) -> Self {
        InboundMapping {
            bridge: c.name.clone(),
            topic: c.topic.clone(),
            tag_header: c.tag_header.clone(),
            key_header: c.key_header.clone(),
            decode_jms: c.decode_jms,
            unmappable_headers: c.unmappable_headers,
            max_body_bytes: c.max_body_bytes,
        }
    }
}

/// One delivery as the mapping sees it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// Exchange it was published to.
    pub exchange: &'a str,
    /// Routing key.
    pub routing_key: &'a str,
    /// RabbitMQ's redelivered flag.
    pub redelivered: bool,
    /// Basic properties (including the headers table).
    pub properties: &'a BasicProperties,
    /// Body.
    pub body: &'a [u8],
}

/// Why a delivery cannot become an engine message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmappable {
    /// The body is over `max_body_bytes`.
    #[error("body of {size} bytes is over the bridge limit of {limit}")]
    TooLarge {
        /// Body size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A header's type has no property mapping.
    #[error("header {name:?} has type {kind} with no property mapping")]
    HeaderType {
        /// Header name.
        name: String,
        /// Its AMQP type.
        kind: &'static str,
    },
    /// A value holds a character RocketMQ's property encoding uses as a separator (U+0001, U+0002).
    #[error("{0:?} holds a U+0001/U+0002 character, which RocketMQ properties cannot carry")]
    Separator(String),
}

/// Properties being built, with the typed ones remembered for `__MQG_TYPES`.
#[derive(Default)]
struct Builder {
    props: Vec<(String, String)>,
    types: Vec<(String, &'static str)>,
}

impl Builder {
    fn set(&mut self, name: &str, value: String, ty: Option<&'static str>) {
        self.types.retain(|(n, _)| n != name);
        match self.props.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.props.push((name.to_string(), value)),
        }
        if let Some(t) = ty {
            if !name.contains(':') && !name.contains(',') {
                self.types.push((name.to_string(), t));
            }
        }
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// An application property (a header or a JMS property), renamed when its name is reserved.
    fn set_app(&mut self, name: &str, value: String, ty: Option<&'static str>) {
        if is_reserved(name) {
            self.set(&format!("{}{name}", names::HEADER_PREFIX), value, ty);
        } else {
            self.set(name, value, ty);
        }
    }
}

fn short(s: &Option<lapin::types::ShortString>) -> Option<String> {
    s.as_ref().map(|v| v.as_str().to_string())
}

/// Maps a delivery. The message's id (UNIQ_KEY) is the JMSMessageID (header or JMS body), else `message_id`.
pub fn to_engine(m: &InboundMapping, d: &Incoming<'_>) -> Result<Message, Unmappable> {
    if d.body.len() > m.max_body_bytes {
        return Err(Unmappable::TooLarge {
            size: d.body.len(),
            limit: m.max_body_bytes,
        });
    }
    let p = d.properties;
    let mut b = Builder::default();
    let mut body = Bytes::copy_from_slice(d.body);
    let mut born_ms: Option<i64> = None;

    if m.decode_jms && jms_body::is_jms_body(d.body) {
        match jms_body::decode(d.body) {
            Ok(jms) => {
                if let Some(payload) = apply_jms(&mut b, jms, &mut born_ms) {
                    body = payload;
                }
            }
            Err(_) => b.set(names::JMS_BODY, "undecodable".into(), None),
        }
    }
    if let Some(headers) = p.headers() {
        apply_headers(m, &mut b, headers)?;
    }
    if let Some(ts) = b.get("JMSTimestamp").and_then(|v| v.parse::<i64>().ok()) {
        born_ms = Some(ts);
    }

    let mut id = b.get("JMSMessageID").map(str::to_string);
    let message_id = short(p.message_id());
    match (&id, &message_id) {
        (None, Some(mid)) => id = Some(mid.clone()),
        (Some(jid), Some(mid)) if jid != mid => b.set(names::MESSAGE_ID, mid.clone(), None),
        _ => {}
    }
    if let Some(c) = short(p.correlation_id()) {
        b.set(names::CORRELATION_ID, c, None);
    }
    for (name, v) in [
        (names::CONTENT_TYPE, short(p.content_type())),
        (names::CONTENT_ENCODING, short(p.content_encoding())),
        (names::REPLY_TO, short(p.reply_to())),
        (names::TTL, short(p.expiration())),
        (names::USER_ID, short(p.user_id())),
        (names::TYPE, short(p.kind())),
        (names::APP_ID, short(p.app_id())),
        (names::CLUSTER_ID, short(p.cluster_id())),
    ] {
        if let Some(v) = v {
            b.set(name, v, None);
        }
    }
    if let Some(pr) = p.priority() {
        b.set(names::PRIORITY, pr.to_string(), None);
    }
    if *p.delivery_mode() != Some(2) {
        b.set(names::DURABLE, "false".into(), None);
    }
    if born_ms.is_none() {
        born_ms = p.timestamp().map(|s| (s as i64).saturating_mul(1000));
    }
    b.set(names::EXCHANGE, d.exchange.to_string(), None);
    b.set(names::ROUTING_KEY, d.routing_key.to_string(), None);
    if d.redelivered {
        b.set(names::REDELIVERED, "true".into(), None);
    }
    b.set(names::BRIDGE, m.bridge.clone(), None);

    let tag = lookup(&b, p, d, &m.tag_header);
    let key = lookup(&b, p, d, &m.key_header);
    let mut msg = Message::new(m.topic.clone(), body);
    for (n, v) in &b.props {
        if v.contains(['\u{1}', '\u{2}']) || n.contains(['\u{1}', '\u{2}']) {
            return Err(Unmappable::Separator(n.clone()));
        }
    }
    msg.properties.0 = b.props;
    if !b.types.is_empty() {
        let mut t = String::new();
        for (i, (n, ty)) in b.types.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            let _ = write!(t, "{n}:{ty}");
        }
        msg.properties.set(keys::PROPERTY_TYPES, t);
    }
    if let Some(id) = id.filter(|s| !s.is_empty()) {
        if id.contains(['\u{1}', '\u{2}']) {
            return Err(Unmappable::Separator("message id".into()));
        }
        msg.properties.set(keys::UNIQ_KEY, id);
    }
    if let Some(t) = tag.filter(|s| !s.is_empty()) {
        msg.properties.set(keys::TAGS, t);
    }
    if let Some(k) = key.filter(|s| !s.is_empty()) {
        msg.properties.set(keys::KEYS, k);
    }
    if let Some(ms) = born_ms.filter(|ms| *ms > 0) {
        msg.born_timestamp = ms;
    }
    Ok(msg)
}

/// Tag or key source: a stored property (header) of that name, else a basic property or envelope field.
fn lookup(b: &Builder, p: &BasicProperties, d: &Incoming<'_>, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    if let Some(v) = b.get(name) {
        return Some(v.to_string());
    }
    if is_reserved(name) {
        if let Some(v) = b.get(&format!("{}{name}", names::HEADER_PREFIX)) {
            return Some(v.to_string());
        }
    }
    match name {
        "type" => short(p.kind()),
        "app_id" => short(p.app_id()),
        "message_id" => short(p.message_id()),
        "correlation_id" => short(p.correlation_id()),
        "user_id" => short(p.user_id()),
        "routing_key" => Some(d.routing_key.to_string()),
        _ => None,
    }
}

/// Takes the JMS headers and properties out of a decoded JMS client body; returns the payload of a Text or
/// Bytes message (`None` for other kinds, whose body passes through unchanged).
fn apply_jms(b: &mut Builder, jms: JmsBody, born_ms: &mut Option<i64>) -> Option<Bytes> {
    let body = match &jms.kind {
        JmsKind::Text => {
            b.set(names::JMS_BODY, "text".into(), None);
            b.set(names::BODY, "text".into(), None);
            Some(Bytes::from(
                jms.text.clone().unwrap_or_default().into_bytes(),
            ))
        }
        JmsKind::Bytes => {
            b.set(names::JMS_BODY, "bytes".into(), None);
            Some(Bytes::from(jms.bytes.clone()))
        }
        JmsKind::Other(class) => {
            b.set(names::JMS_BODY, format!("serialized:{class}"), None);
            None
        }
    };
    for (name, v) in &jms.properties {
        if let Some((s, ty)) = v.as_property() {
            b.set_app(name, s, ty);
        }
    }
    let header = |n: &str| jms.header(n);
    if let Some(v) = header(rmq::MESSAGE_ID).and_then(JmsValue::text) {
        b.set("JMSMessageID", v, None);
    }
    if let Some(JmsValue::Long(ts)) = header(rmq::TIMESTAMP) {
        *born_ms = Some(*ts);
        b.set("JMSTimestamp", ts.to_string(), Some("long"));
    }
    for (rmq_name, jms_name) in [
        (rmq::CORRELATION_ID, "JMSCorrelationID"),
        (rmq::TYPE, "JMSType"),
        (rmq::DESTINATION, "JMSDestination"),
        (rmq::REPLY_TO, "JMSReplyTo"),
    ] {
        if let Some(v) = header(rmq_name).and_then(JmsValue::text) {
            b.set(jms_name, v, None);
        }
    }
    if let Some(JmsValue::Int(mode)) = header(rmq::DELIVERY_MODE) {
        let text = if *mode == 2 {
            "PERSISTENT"
        } else {
            "NON_PERSISTENT"
        };
        b.set("JMSDeliveryMode", text.into(), None);
    }
    if let Some(JmsValue::Int(p)) = header(rmq::PRIORITY) {
        b.set("JMSPriority", p.to_string(), Some("int"));
    }
    if let Some(JmsValue::Long(e)) = header(rmq::EXPIRATION) {
        if *e != 0 {
            b.set("JMSExpiration", e.to_string(), Some("long"));
        }
    }
    body
}

/// A header value as (text, type), or why it has none.
pub fn header_value(
    v: &AMQPValue,
    policy: UnmappableHeaders,
) -> Result<Option<(String, Option<&'static str>)>, &'static str> {
    Ok(Some(match v {
        AMQPValue::Boolean(x) => (x.to_string(), Some("bool")),
        AMQPValue::ShortShortInt(x) => (x.to_string(), Some("byte")),
        AMQPValue::ShortShortUInt(x) => (x.to_string(), Some("short")),
        AMQPValue::ShortInt(x) => (x.to_string(), Some("short")),
        AMQPValue::ShortUInt(x) => (x.to_string(), Some("int")),
        AMQPValue::LongInt(x) => (x.to_string(), Some("int")),
        AMQPValue::LongUInt(x) => (x.to_string(), Some("long")),
        AMQPValue::LongLongInt(x) => (x.to_string(), Some("long")),
        AMQPValue::Timestamp(x) => (x.to_string(), Some("long")),
        AMQPValue::Float(x) => (x.to_string(), Some("float")),
        AMQPValue::Double(x) => (x.to_string(), Some("double")),
        AMQPValue::ShortString(s) => (s.as_str().to_string(), None),
        AMQPValue::DecimalValue(d) => (decimal_text(d.value, d.scale), None),
        AMQPValue::LongString(s) => match std::str::from_utf8(s.as_bytes()) {
            Ok(t) => (t.to_string(), None),
            Err(_) if policy == UnmappableHeaders::Stringify => (hex(s.as_bytes()), None),
            Err(_) => return Err("non-UTF-8 long string"),
        },
        AMQPValue::Void => return Ok(None),
        other => {
            if policy == UnmappableHeaders::Stringify {
                (stringify(other), None)
            } else {
                return Err(match other {
                    AMQPValue::FieldArray(_) => "array",
                    AMQPValue::FieldTable(_) => "table",
                    _ => "byte array",
                });
            }
        }
    }))
}

fn apply_headers(m: &InboundMapping, b: &mut Builder, h: &FieldTable) -> Result<(), Unmappable> {
    for (name, v) in h {
        let name = name.as_str();
        match header_value(v, m.unmappable_headers) {
            Ok(Some((text, ty))) => b.set_app(name, text, ty),
            Ok(None) => {}
            Err(kind) => {
                return Err(Unmappable::HeaderType {
                    name: name.to_string(),
                    kind,
                })
            }
        }
    }
    Ok(())
}

fn decimal_text(value: u32, scale: u8) -> String {
    let digits = value.to_string();
    let scale = scale as usize;
    if scale == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{int}.{frac}")
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    b.iter().for_each(|x| {
        let _ = write!(s, "{x:02x}");
    });
    s
}

fn stringify(v: &AMQPValue) -> String {
    match v {
        AMQPValue::FieldArray(a) => {
            let items: Vec<String> = a.as_slice().iter().map(stringify).collect();
            format!("[{}]", items.join(", "))
        }
        AMQPValue::FieldTable(t) => {
            let items: Vec<String> = t
                .into_iter()
                .map(|(k, v)| format!("{}: {}", k.as_str(), stringify(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        AMQPValue::ByteArray(b) => hex(b.as_slice()),
        other => header_value(other, UnmappableHeaders::Stringify)
            .ok()
            .flatten()
            .map(|(s, _)| s)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jms_body::{encode, JmsBody};
    use lapin::types::{FieldArray, ShortString};

    fn mapping() -> InboundMapping {
        InboundMapping {
            bridge: "b1".into(),
            topic: "T".into(),
            tag_header: "JMSType".into(),
            key_header: "".into(),
            decode_jms: true,
            unmappable_headers: UnmappableHeaders::Reject,
            max_body_bytes: 1024,
        }
    }

    fn table(items: Vec<(&str, AMQPValue)>) -> FieldTable {
        let mut t = FieldTable::default();
        for (k, v) in items {
            t.insert(ShortString::from(k), v);
        }
        t
    }

    fn map(m: &InboundMapping, p: &BasicProperties, body: &[u8]) -> Result<Message, Unmappable> {
        to_engine(
            m,
            &Incoming {
                exchange: "x",
                routing_key: "rk",
                redelivered: false,
                properties: p,
                body,
            },
        )
    }

    #[test]
    fn basic_properties_and_typed_headers_become_properties() {
        let p = BasicProperties::default()
            .with_message_id("m-1".into())
            .with_correlation_id("c-9".into())
            .with_delivery_mode(2)
            .with_priority(7)
            .with_timestamp(1_700_000_000)
            .with_content_type("text/plain".into())
            .with_headers(table(vec![
                ("color", AMQPValue::LongString("red".into())),
                ("n", AMQPValue::LongInt(5)),
                ("ok", AMQPValue::Boolean(true)),
                ("ratio", AMQPValue::Double(2.5)),
                ("DELAY", AMQPValue::LongString("3".into())),
            ]));
        let msg = map(&mapping(), &p, b"hi").unwrap();
        let g = |n: &str| msg.properties.get(n).map(str::to_string);
        assert_eq!(g(keys::UNIQ_KEY).as_deref(), Some("m-1"));
        assert_eq!(g("color").as_deref(), Some("red"));
        assert_eq!(g("n").as_deref(), Some("5"));
        assert_eq!(g(names::CORRELATION_ID).as_deref(), Some("c-9"));
        assert_eq!(g(names::PRIORITY).as_deref(), Some("7"));
        assert_eq!(g(names::DURABLE), None);
        assert_eq!(g(names::CONTENT_TYPE).as_deref(), Some("text/plain"));
        assert_eq!(g("DELAY"), None, "a header must not delay the message");
        assert_eq!(g("AMQP_091_HEADER_DELAY").as_deref(), Some("3"));
        assert_eq!(g(names::ROUTING_KEY).as_deref(), Some("rk"));
        let types = g(keys::PROPERTY_TYPES).unwrap();
        assert!(
            types.contains("n:int") && types.contains("ok:bool") && types.contains("ratio:double")
        );
        assert!(!types.contains("color"));
        assert_eq!(msg.born_timestamp, 1_700_000_000_000);
        assert_eq!(&msg.body[..], b"hi");
    }

    #[test]
    fn jms_headers_in_the_table_give_id_tag_and_timestamp() {
        let p = BasicProperties::default()
            .with_delivery_mode(1)
            .with_headers(table(vec![
                ("JMSMessageID", AMQPValue::LongString("ID:abc".into())),
                ("JMSType", AMQPValue::LongString("order".into())),
                ("JMSTimestamp", AMQPValue::LongLongInt(1_700_000_000_555)),
                ("JMSPriority", AMQPValue::LongInt(4)),
                (
                    "JMSDeliveryMode",
                    AMQPValue::LongString("NON_PERSISTENT".into()),
                ),
            ]));
        let msg = map(&mapping(), &p, b"x").unwrap();
        assert_eq!(msg.properties.get(keys::UNIQ_KEY), Some("ID:abc"));
        assert_eq!(msg.properties.get(keys::TAGS), Some("order"));
        assert_eq!(msg.properties.get("JMSPriority"), Some("4"));
        assert_eq!(msg.properties.get(names::DURABLE), Some("false"));
        assert_eq!(msg.born_timestamp, 1_700_000_000_555);
    }

    #[test]
    fn jms_client_text_message_is_decoded_with_its_properties() {
        let jms = JmsBody {
            kind: JmsKind::Text,
            internal_id: "u-1".into(),
            headers: vec![
                (rmq::MESSAGE_ID.into(), JmsValue::Str("ID:u-1".into())),
                (rmq::TIMESTAMP.into(), JmsValue::Long(42_000)),
                (rmq::DELIVERY_MODE.into(), JmsValue::Int(2)),
                (rmq::PRIORITY.into(), JmsValue::Int(4)),
                (rmq::TYPE.into(), JmsValue::Str("greeting".into())),
            ],
            properties: vec![
                ("region".into(), JmsValue::Str("eu".into())),
                ("count".into(), JmsValue::Long(3)),
            ],
            text: Some("hello".into()),
            bytes: vec![],
        };
        let body = encode(&jms).unwrap();
        let p = BasicProperties::default().with_delivery_mode(2);
        let msg = map(&mapping(), &p, &body).unwrap();
        assert_eq!(&msg.body[..], b"hello");
        let g = |n: &str| msg.properties.get(n);
        assert_eq!(g(names::BODY), Some("text"));
        assert_eq!(g(names::JMS_BODY), Some("text"));
        assert_eq!(g(keys::UNIQ_KEY), Some("ID:u-1"));
        assert_eq!(g(keys::TAGS), Some("greeting"));
        assert_eq!(g("region"), Some("eu"));
        assert_eq!(g("count"), Some("3"));
        assert_eq!(g("JMSDeliveryMode"), Some("PERSISTENT"));
        assert!(g(keys::PROPERTY_TYPES).unwrap().contains("count:long"));
        assert_eq!(msg.born_timestamp, 42_000);
    }

    #[test]
    fn other_jms_bodies_pass_through_unchanged_and_say_so() {
        let mut w = crate::java_stream::JavaWriter::new();
        w.write_utf("com.rabbitmq.jms.client.message.RMQMapMessage")
            .unwrap();
        w.write_utf("id").unwrap();
        w.write_i32(0);
        w.write_i32(0);
        let body = w.finish_with_raw(&[1, 2, 3]);
        let msg = map(&mapping(), &BasicProperties::default(), &body).unwrap();
        assert_eq!(&msg.body[..], &body[..]);
        assert_eq!(
            msg.properties.get(names::JMS_BODY),
            Some("serialized:com.rabbitmq.jms.client.message.RMQMapMessage")
        );
        let mut broken = body.clone();
        broken.truncate(60);
        let msg = map(&mapping(), &BasicProperties::default(), &broken).unwrap();
        assert_eq!(&msg.body[..], &broken[..]);
        assert_eq!(msg.properties.get(names::JMS_BODY), Some("undecodable"));
    }

    #[test]
    fn oversized_bodies_and_unmappable_headers_are_refused_with_a_reason() {
        let m = mapping();
        let err = map(&m, &BasicProperties::default(), &[0; 2048]).unwrap_err();
        assert!(matches!(err, Unmappable::TooLarge { size: 2048, .. }));
        let p = BasicProperties::default().with_headers(table(vec![(
            "x-death",
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::LongInt(1)])),
        )]));
        let err = map(&m, &p, b"x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "header \"x-death\" has type array with no property mapping"
        );
        let mut m2 = m.clone();
        m2.unmappable_headers = UnmappableHeaders::Stringify;
        let msg = map(&m2, &p, b"x").unwrap();
        assert_eq!(msg.properties.get("x-death"), Some("[1]"));
        let p = BasicProperties::default()
            .with_headers(table(vec![("a", AMQPValue::LongString("x\u{1}y".into()))]));
        assert!(matches!(map(&m, &p, b"x"), Err(Unmappable::Separator(_))));
    }

    #[test]
    fn tag_and_key_come_from_configured_headers_or_basic_properties() {
        let mut m = mapping();
        m.tag_header = "type".into();
        m.key_header = "order".into();
        let p = BasicProperties::default()
            .with_type("created".into())
            .with_headers(table(vec![("order", AMQPValue::LongLongInt(991))]));
        let msg = map(&m, &p, b"x").unwrap();
        assert_eq!(msg.properties.get(keys::TAGS), Some("created"));
        assert_eq!(msg.properties.get(keys::KEYS), Some("991"));
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(5, 3), "0.005");
    }
}
