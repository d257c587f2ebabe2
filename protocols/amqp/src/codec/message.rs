//! The AMQP message format (part 3): header, annotations, properties, application properties, body and
//! footer sections, decoded from a transfer payload and encoded back. The body of a single `data` section
//! is a slice of the payload; other bodies keep their encoded bytes so they travel unchanged.

use super::decode::{DecodeError, DecodeLimits, Decoder};
use super::descriptor as d;
use super::fields::{composite, opt, Fields};
use super::value::Value;
use bytes::{BufMut, Bytes, BytesMut};

/// The `header` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub durable: bool,
    pub priority: u8,
    pub ttl: Option<u32>,
    pub first_acquirer: bool,
    pub delivery_count: u32,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            durable: false,
            priority: 4,
            ttl: None,
            first_acquirer: false,
            delivery_count: 0,
        }
    }
}

/// The `properties` section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    pub message_id: Value,
    pub user_id: Option<Bytes>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub reply_to: Option<String>,
    pub correlation_id: Value,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub absolute_expiry_time: Option<i64>,
    pub creation_time: Option<i64>,
    pub group_id: Option<String>,
    pub group_sequence: Option<u32>,
    pub reply_to_group_id: Option<String>,
}

/// The body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    /// No body section.
    #[default]
    Empty,
    /// One `data` section: its bytes.
    Data(Bytes),
    /// One `amqp-value` section holding a string.
    Text(String),
    /// Anything else (an `amqp-value` of another type, `amqp-sequence` sections, several `data` sections):
    /// the encoded sections as they arrived.
    Encoded(Bytes),
}

/// A decoded message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AmqpMessage {
    pub header: Option<Header>,
    /// Message annotations (symbol-keyed map) in wire order.
    pub annotations: Vec<(Value, Value)>,
    pub properties: Option<Properties>,
    /// Application properties in wire order.
    pub application_properties: Vec<(String, Value)>,
    pub body: Body,
}

fn bad(what: &'static str, offset: usize) -> DecodeError {
    DecodeError::Malformed { what, offset }
}

fn map_pairs(v: &Value, at: usize) -> Result<Vec<(Value, Value)>, DecodeError> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Null => Ok(Vec::new()),
        _ => Err(bad("annotations section is not a map", at)),
    }
}

/// Decodes a message from a complete transfer payload.
pub fn decode_message(payload: Bytes, limits: DecodeLimits) -> Result<AmqpMessage, DecodeError> {
    let mut msg = AmqpMessage::default();
    let mut dec = Decoder::new(payload, limits);
    let mut body_start: Option<usize> = None;
    let mut body_end = 0;
    let mut body_sections = 0;
    let mut single: Option<Body> = None;
    while dec.remaining() > 0 {
        let at = dec.position();
        let section = dec.value()?;
        let (code, inner) = match (&section.descriptor_code(), &section) {
            (Some(c), Value::Described(_, inner)) => (*c, &**inner),
            _ => return Err(bad("message section is not a described value", at)),
        };
        match code {
            d::HEADER => {
                let f = Fields::of(&section, code).ok_or(bad("header", at))?;
                msg.header = Some(Header {
                    durable: f.bool(0).unwrap_or(false),
                    priority: f.u64(1).map_or(4, |p| p.min(255) as u8),
                    ttl: f.u32(2),
                    first_acquirer: f.bool(3).unwrap_or(false),
                    delivery_count: f.u32(4).unwrap_or(0),
                });
            }
            d::DELIVERY_ANNOTATIONS | d::FOOTER => {}
            d::MESSAGE_ANNOTATIONS => msg.annotations = map_pairs(inner, at)?,
            d::PROPERTIES => {
                let f = Fields::of(&section, code).ok_or(bad("properties", at))?;
                msg.properties = Some(Properties {
                    message_id: f.get(0).clone(),
                    user_id: f.binary(1),
                    to: f.string(2),
                    subject: f.string(3),
                    reply_to: f.string(4),
                    correlation_id: f.get(5).clone(),
                    content_type: f.string(6),
                    content_encoding: f.string(7),
                    absolute_expiry_time: f.get(8).as_i64(),
                    creation_time: f.get(9).as_i64(),
                    group_id: f.string(10),
                    group_sequence: f.u32(11),
                    reply_to_group_id: f.string(12),
                });
            }
            d::APPLICATION_PROPERTIES => {
                for (k, v) in map_pairs(inner, at)? {
                    let k = k
                        .as_str()
                        .ok_or(bad("application property key is not a string", at))?;
                    msg.application_properties.push((k.to_string(), v));
                }
            }
            d::DATA | d::AMQP_VALUE | d::AMQP_SEQUENCE => {
                body_start.get_or_insert(at);
                body_end = dec.position();
                body_sections += 1;
                single = match (code, inner) {
                    (d::DATA, Value::Binary(b)) => Some(Body::Data(b.clone())),
                    (d::DATA, _) => return Err(bad("data section is not binary", at)),
                    (d::AMQP_VALUE, Value::String(s)) => Some(Body::Text(s.clone())),
                    _ => None,
                };
            }
            _ => return Err(bad("unknown message section", at)),
        }
    }
    if let Some(start) = body_start {
        msg.body = match single {
            Some(b) if body_sections == 1 => b,
            _ => Body::Encoded(dec.slice_between(start, body_end)),
        };
    }
    Ok(msg)
}

/// Encodes a message into transfer payload parts: a prefix (all sections and the body section's head) and
/// the body bytes, so a `data` body goes out without being copied into an intermediate buffer.
pub fn encode_message(msg: &AmqpMessage) -> (Bytes, Bytes) {
    let mut out = BytesMut::with_capacity(256);
    if let Some(h) = &msg.header {
        composite(
            d::HEADER,
            vec![
                Value::Bool(h.durable),
                Value::Ubyte(h.priority),
                opt(h.ttl, Value::Uint),
                Value::Bool(h.first_acquirer),
                Value::Uint(h.delivery_count),
            ],
        )
        .encode(&mut out);
    }
    if !msg.annotations.is_empty() {
        Value::Described(
            Box::new(Value::Ulong(d::MESSAGE_ANNOTATIONS)),
            Box::new(Value::Map(msg.annotations.clone())),
        )
        .encode(&mut out);
    }
    if let Some(p) = &msg.properties {
        composite(
            d::PROPERTIES,
            vec![
                p.message_id.clone(),
                opt(p.user_id.clone(), Value::Binary),
                opt(p.to.as_deref(), Value::str),
                opt(p.subject.as_deref(), Value::str),
                opt(p.reply_to.as_deref(), Value::str),
                p.correlation_id.clone(),
                opt(p.content_type.as_deref(), Value::sym),
                opt(p.content_encoding.as_deref(), Value::sym),
                opt(p.absolute_expiry_time, Value::Timestamp),
                opt(p.creation_time, Value::Timestamp),
                opt(p.group_id.as_deref(), Value::str),
                opt(p.group_sequence, Value::Uint),
                opt(p.reply_to_group_id.as_deref(), Value::str),
            ],
        )
        .encode(&mut out);
    }
    if !msg.application_properties.is_empty() {
        let pairs = msg
            .application_properties
            .iter()
            .map(|(k, v)| (Value::str(k), v.clone()))
            .collect();
        Value::Described(
            Box::new(Value::Ulong(d::APPLICATION_PROPERTIES)),
            Box::new(Value::Map(pairs)),
        )
        .encode(&mut out);
    }
    let body = match &msg.body {
        Body::Empty => Bytes::new(),
        Body::Data(b) => {
            out.put_u8(0x00);
            Value::Ulong(d::DATA).encode(&mut out);
            if b.len() < 256 {
                out.put_u8(0xa0);
                out.put_u8(b.len() as u8);
            } else {
                out.put_u8(0xb0);
                out.put_u32(b.len() as u32);
            }
            b.clone()
        }
        Body::Text(s) => {
            out.put_u8(0x00);
            Value::Ulong(d::AMQP_VALUE).encode(&mut out);
            Value::String(s.clone()).encode(&mut out);
            Bytes::new()
        }
        Body::Encoded(b) => b.clone(),
    };
    (out.freeze(), body)
}
