//! The body RabbitMQ's JMS client (`com.rabbitmq.jms:rabbitmq-jms`) writes for a non-"AMQP-mapped" destination:
//! a Java `ObjectOutputStream` holding the message class name, an internal id, the `rmq.jms.*` header values,
//! the user properties, then the body — a TextMessage as `writeBoolean(isNull)`, `writeInt(len)`, UTF-8 bytes;
//! a BytesMessage as raw bytes after the last block. Each property value is a type byte followed by the value
//! (`-1` null, 1 boolean, 2 byte, 3 short, 4 int, 5 long, 6 float, 7 double, 8 UTF string, 9 char,
//! 10 byte array, 127 a serialized object such as the client's `RMQDestination`).
//!
//! Pure: decoding never panics; Map, Stream and Object messages are recognised but not decoded (the bridge then
//! passes the bytes through unchanged and says so in a property).

use crate::java_stream::{JavaReader, JavaStreamError, JavaValue, JavaWriter, UtfTooLong};

/// Package of the JMS client's message classes.
pub const CLASS_PREFIX: &str = "com.rabbitmq.jms.client.message.";
/// `RMQTextMessage`.
pub const TEXT_CLASS: &str = "com.rabbitmq.jms.client.message.RMQTextMessage";
/// `RMQBytesMessage`.
pub const BYTES_CLASS: &str = "com.rabbitmq.jms.client.message.RMQBytesMessage";

/// Names the client uses for the JMS header fields inside the stream.
pub mod rmq {
    /// JMSMessageID.
    pub const MESSAGE_ID: &str = "rmq.jms.message.id";
    /// JMSTimestamp.
    pub const TIMESTAMP: &str = "rmq.jms.message.timestamp";
    /// JMSCorrelationID.
    pub const CORRELATION_ID: &str = "rmq.jms.message.correlation.id";
    /// JMSReplyTo (an `RMQDestination` object).
    pub const REPLY_TO: &str = "rmq.jms.message.reply.to";
    /// JMSDestination (an `RMQDestination` object).
    pub const DESTINATION: &str = "rmq.jms.message.destination";
    /// JMSRedelivered.
    pub const REDELIVERED: &str = "rmq.jms.message.redelivered";
    /// JMSType.
    pub const TYPE: &str = "rmq.jms.message.type";
    /// JMSDeliveryMode (int, 1 or 2).
    pub const DELIVERY_MODE: &str = "rmq.jms.message.delivery.mode";
    /// JMSExpiration.
    pub const EXPIRATION: &str = "rmq.jms.message.expiration";
    /// JMSPriority.
    pub const PRIORITY: &str = "rmq.jms.message.priority";
}

/// A typed property value of a JMS message.
#[derive(Debug, Clone, PartialEq)]
pub enum JmsValue {
    /// Java `null`.
    Null,
    /// boolean.
    Bool(bool),
    /// byte.
    Byte(i8),
    /// short.
    Short(i16),
    /// int.
    Int(i32),
    /// long.
    Long(i64),
    /// float.
    Float(f32),
    /// double.
    Double(f64),
    /// String.
    Str(String),
    /// char.
    Char(char),
    /// byte[].
    Bytes(Vec<u8>),
    /// A serialized object (destinations).
    Object(JavaValue),
}

impl JmsValue {
    /// The value as a string and its `__MQG_TYPES` type name (`None` for strings); `None` for values with no
    /// property mapping (null, byte arrays, objects).
    pub fn as_property(&self) -> Option<(String, Option<&'static str>)> {
        Some(match self {
            JmsValue::Bool(v) => (v.to_string(), Some("bool")),
            JmsValue::Byte(v) => (v.to_string(), Some("byte")),
            JmsValue::Short(v) => (v.to_string(), Some("short")),
            JmsValue::Int(v) => (v.to_string(), Some("int")),
            JmsValue::Long(v) => (v.to_string(), Some("long")),
            JmsValue::Float(v) => (v.to_string(), Some("float")),
            JmsValue::Double(v) => (v.to_string(), Some("double")),
            JmsValue::Str(s) => (s.clone(), None),
            JmsValue::Char(c) => (c.to_string(), None),
            JmsValue::Null | JmsValue::Bytes(_) | JmsValue::Object(_) => return None,
        })
    }

    /// The value as text, when it has a sensible one (destinations give their name).
    pub fn text(&self) -> Option<String> {
        match self {
            JmsValue::Object(o) => o
                .string_field("destinationName")
                .or_else(|| o.string_field("amqpQueueName"))
                .map(str::to_string),
            v => v.as_property().map(|(s, _)| s),
        }
    }
}

/// What kind of JMS message the stream holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JmsKind {
    /// TextMessage.
    Text,
    /// BytesMessage.
    Bytes,
    /// Any other class (Map, Stream, Object message): not decoded.
    Other(String),
}

/// A decoded JMS client body.
#[derive(Debug, Clone, PartialEq)]
pub struct JmsBody {
    /// Message kind.
    pub kind: JmsKind,
    /// The client's internal id (JMSMessageID without `ID:`).
    pub internal_id: String,
    /// `rmq.jms.*` header values.
    pub headers: Vec<(String, JmsValue)>,
    /// User properties.
    pub properties: Vec<(String, JmsValue)>,
    /// The text of a TextMessage (`None` for a null text), or the bytes of a BytesMessage; empty for others.
    pub text: Option<String>,
    /// BytesMessage payload.
    pub bytes: Vec<u8>,
}

impl JmsBody {
    /// A header value by its `rmq.jms.*` name.
    pub fn header(&self, name: &str) -> Option<&JmsValue> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// True when `body` looks like the JMS client's serialized format (stream header, then the class-name block).
pub fn is_jms_body(body: &[u8]) -> bool {
    let Ok(mut r) = JavaReader::new(body) else {
        return false;
    };
    r.read_utf().is_ok_and(|c| c.starts_with(CLASS_PREFIX))
}

fn read_value(r: &mut JavaReader<'_>) -> Result<JmsValue, JavaStreamError> {
    Ok(match r.read_i8()? {
        -1 => JmsValue::Null,
        1 => JmsValue::Bool(r.read_bool()?),
        2 => JmsValue::Byte(r.read_i8()?),
        3 => JmsValue::Short(r.read_i16()?),
        4 => JmsValue::Int(r.read_i32()?),
        5 => JmsValue::Long(r.read_i64()?),
        6 => JmsValue::Float(r.read_f32()?),
        7 => JmsValue::Double(r.read_f64()?),
        8 => JmsValue::Str(r.read_utf()?),
        9 => JmsValue::Char(char::from_u32(r.read_char()? as u32).unwrap_or('\u{fffd}')),
        10 => {
            let n = r.read_i32()?;
            JmsValue::Bytes(r.data(n.max(0) as usize)?)
        }
        _ => JmsValue::Object(r.read_object()?),
    })
}

fn read_map(r: &mut JavaReader<'_>) -> Result<Vec<(String, JmsValue)>, JavaStreamError> {
    let n = r.read_i32()?;
    let mut v = Vec::new();
    for _ in 0..n.max(0) {
        let name = r.read_utf()?;
        v.push((name, read_value(r)?));
    }
    Ok(v)
}

/// Decodes a JMS client body. Map, Stream and Object messages decode their headers and properties and come
/// back as [`JmsKind::Other`] with no payload.
pub fn decode(body: &[u8]) -> Result<JmsBody, JavaStreamError> {
    let mut r = JavaReader::new(body)?;
    let class = r.read_utf()?;
    let internal_id = r.read_utf()?;
    let headers = read_map(&mut r)?;
    let properties = read_map(&mut r)?;
    let mut out = JmsBody {
        kind: JmsKind::Other(class.clone()),
        internal_id,
        headers,
        properties,
        text: None,
        bytes: Vec::new(),
    };
    match class.as_str() {
        TEXT_CLASS => {
            out.kind = JmsKind::Text;
            if !r.read_bool()? {
                let n = r.read_i32()?;
                let b = r.data(n.max(0) as usize)?;
                out.text = Some(String::from_utf8(b).map_err(|_| JavaStreamError {
                    offset: 0,
                    what: "TextMessage text is not UTF-8".into(),
                })?);
            }
        }
        BYTES_CLASS => {
            out.kind = JmsKind::Bytes;
            out.bytes = r.rest()?.to_vec();
        }
        _ => {}
    }
    Ok(out)
}

fn write_value(w: &mut JavaWriter, v: &JmsValue) -> Result<(), UtfTooLong> {
    match v {
        JmsValue::Null | JmsValue::Object(_) => w.write_i8(-1),
        JmsValue::Bool(b) => {
            w.write_i8(1);
            w.write_bool(*b)
        }
        JmsValue::Byte(b) => {
            w.write_i8(2);
            w.write_i8(*b)
        }
        JmsValue::Short(s) => {
            w.write_i8(3);
            w.write_i16(*s)
        }
        JmsValue::Int(i) => {
            w.write_i8(4);
            w.write_i32(*i)
        }
        JmsValue::Long(l) => {
            w.write_i8(5);
            w.write_i64(*l)
        }
        JmsValue::Float(f) => {
            w.write_i8(6);
            w.write_f32(*f)
        }
        JmsValue::Double(d) => {
            w.write_i8(7);
            w.write_f64(*d)
        }
        JmsValue::Str(s) => {
            w.write_i8(8);
            w.write_utf(s)?
        }
        JmsValue::Char(c) => {
            w.write_i8(9);
            w.write_i16(*c as u32 as u16 as i16)
        }
        JmsValue::Bytes(b) => {
            w.write_i8(10);
            w.write_i32(b.len() as i32);
            w.write_bytes(b)
        }
    }
    Ok(())
}

/// Encodes a TextMessage or BytesMessage the way the JMS client does, so a JMS consumer on a plain JMS queue
/// reads it. `kind` must be [`JmsKind::Text`] or [`JmsKind::Bytes`].
pub fn encode(msg: &JmsBody) -> Result<Vec<u8>, UtfTooLong> {
    let mut w = JavaWriter::new();
    let class = match msg.kind {
        JmsKind::Text => TEXT_CLASS,
        _ => BYTES_CLASS,
    };
    w.write_utf(class)?;
    w.write_utf(&msg.internal_id)?;
    for map in [&msg.headers, &msg.properties] {
        w.write_i32(map.len() as i32);
        for (name, v) in map.iter() {
            w.write_utf(name)?;
            write_value(&mut w, v)?;
        }
    }
    match msg.kind {
        JmsKind::Text => {
            w.flush();
            w.write_bool(msg.text.is_none());
            if let Some(t) = &msg.text {
                w.write_i32(t.len() as i32);
                w.write_bytes(t.as_bytes());
            }
            Ok(w.finish())
        }
        _ => Ok(w.finish_with_raw(&msg.bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: JmsKind) -> JmsBody {
        JmsBody {
            kind,
            internal_id: "4a1c2f0e-0000".into(),
            headers: vec![
                (
                    rmq::MESSAGE_ID.into(),
                    JmsValue::Str("ID:4a1c2f0e-0000".into()),
                ),
                (rmq::TIMESTAMP.into(), JmsValue::Long(1_700_000_000_123)),
                (rmq::DELIVERY_MODE.into(), JmsValue::Int(2)),
                (rmq::PRIORITY.into(), JmsValue::Int(4)),
            ],
            properties: vec![
                ("color".into(), JmsValue::Str("red".into())),
                ("n".into(), JmsValue::Int(7)),
                ("ok".into(), JmsValue::Bool(true)),
                ("ratio".into(), JmsValue::Double(2.5)),
            ],
            text: Some("hello, JMS ✓".into()),
            bytes: vec![0, 1, 2, 0xAC, 0xED],
        }
    }

    #[test]
    fn text_message_round_trips_with_typed_properties() {
        let m = sample(JmsKind::Text);
        let enc = encode(&m).unwrap();
        assert!(is_jms_body(&enc));
        let mut back = decode(&enc).unwrap();
        back.bytes = m.bytes.clone();
        assert_eq!(back, m);
    }

    #[test]
    fn bytes_message_body_follows_the_last_block_unframed() {
        let mut m = sample(JmsKind::Bytes);
        m.text = None;
        let enc = encode(&m).unwrap();
        assert!(enc.ends_with(&[0, 1, 2, 0xAC, 0xED]));
        assert_eq!(decode(&enc).unwrap(), m);
    }

    #[test]
    fn plain_bodies_are_not_taken_for_jms_bodies() {
        assert!(!is_jms_body(b"hello"));
        assert!(!is_jms_body(&[0xAC, 0xED, 0, 5, 0x77, 3, 0, 1, b'x']));
        let mut w = JavaWriter::new();
        w.write_utf("java.lang.String").unwrap();
        assert!(!is_jms_body(&w.finish()));
    }

    #[test]
    fn other_message_classes_are_recognised_but_not_decoded() {
        let mut w = JavaWriter::new();
        w.write_utf("com.rabbitmq.jms.client.message.RMQMapMessage")
            .unwrap();
        w.write_utf("id").unwrap();
        w.write_i32(0);
        w.write_i32(0);
        let b = decode(&w.finish_with_raw(&[0x73, 0x72])).unwrap();
        assert_eq!(
            b.kind,
            JmsKind::Other("com.rabbitmq.jms.client.message.RMQMapMessage".into())
        );
    }
}
