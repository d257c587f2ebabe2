//! A stored message → the v2 `Message` a consumer receives (§4.8 of the protocol digest): tag, keys, message id,
//! MD5 body digest, encoding, type, timestamps and hosts, message group, delivery attempt, receipt handle,
//! dead-letter origin, and every non-system property as a user property. Messages from any front-end (remoting,
//! AMQP, HTTP) come out the same way. Pure; the body is shared, never copied.

use super::message_in::SYSFLAG_COMPRESSED;
use super::properties::{self, is_reserved};
use super::time::{millis_to_duration, millis_to_timestamp};
use crate::pb::{self, DigestType, Encoding, MessageType, Resource};
use md5::{Digest as _, Md5};
use mqgate_engine::store::record::{SYSFLAG_TX_COMMIT, SYSFLAG_TX_MASK};
use mqgate_engine::{keys, StoredMessage};
use std::fmt::Write as _;

/// What a pop delivery adds to a message.
#[derive(Debug, Clone, Default)]
pub struct DeliveryInfo {
    /// Handle to ack with.
    pub receipt_handle: Option<String>,
    /// Delivery attempt, from 1.
    pub attempt: Option<u32>,
    /// How long it stays invisible, ms.
    pub invisible_ms: Option<i64>,
}

/// The v2 message type of a stored message.
pub fn message_type(m: &StoredMessage) -> MessageType {
    if m.property(keys::TRAN_MSG) == Some("true")
        || m.sys_flag & SYSFLAG_TX_MASK == SYSFLAG_TX_COMMIT
        || m.prepared_transaction_offset != 0
    {
        MessageType::Transaction
    } else if m.property(keys::TIMER_DELIVER_MS).is_some()
        || m.property(keys::SCHEDULE_SOURCE).is_some()
    {
        MessageType::Delay
    } else if m.message_group().is_some() {
        MessageType::Fifo
    } else {
        MessageType::Normal
    }
}

/// Uppercase hex MD5 of the body, as RocketMQ's proxy sends it.
pub fn md5_hex(body: &[u8]) -> String {
    let digest = Md5::digest(body);
    let mut s = String::with_capacity(32);
    for b in digest {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Converts `m`; `topic` is its topic as the client names it.
pub fn to_pb(m: &StoredMessage, topic: Resource, delivery: DeliveryInfo) -> pb::Message {
    let kind = message_type(m);
    let delivery_timestamp = m
        .property(keys::TIMER_DELIVER_MS)
        .and_then(|v| v.parse::<i64>().ok())
        .or_else(|| (kind == MessageType::Delay).then_some(m.store_timestamp))
        .map(millis_to_timestamp);
    let dead_letter_queue = m
        .property(keys::DLQ_ORIGIN_TOPIC)
        .map(|t| pb::DeadLetterQueue {
            topic: t.to_string(),
            message_id: m
                .property(keys::DLQ_ORIGIN_MESSAGE_ID)
                .unwrap_or_default()
                .to_string(),
        });
    let born_host = m
        .property(properties::BORN_HOST)
        .map(str::to_string)
        .unwrap_or_else(|| m.born_host.ip().to_string());
    let system_properties = pb::SystemProperties {
        tag: m.tag().map(str::to_string),
        keys: m.keys().map(str::to_string).collect(),
        message_id: m.msg_id(),
        body_digest: Some(pb::Digest {
            r#type: DigestType::Md5 as i32,
            checksum: md5_hex(&m.body),
        }),
        body_encoding: if m.sys_flag & SYSFLAG_COMPRESSED != 0 {
            Encoding::Gzip as i32
        } else {
            Encoding::Identity as i32
        },
        message_type: kind as i32,
        born_timestamp: Some(millis_to_timestamp(m.born_timestamp)),
        born_host,
        store_timestamp: Some(millis_to_timestamp(m.store_timestamp)),
        store_host: m.store_host.to_string(),
        delivery_timestamp,
        receipt_handle: delivery.receipt_handle,
        queue_id: m.queue_id,
        queue_offset: Some(m.queue_offset),
        invisible_duration: delivery.invisible_ms.map(millis_to_duration),
        delivery_attempt: Some(
            delivery
                .attempt
                .map(|a| a.min(i32::MAX as u32) as i32)
                .unwrap_or_else(|| m.reconsume_times.saturating_add(1)),
        ),
        message_group: m.message_group().map(str::to_string),
        trace_context: m.property(properties::TRACE_CONTEXT).map(str::to_string),
        orphaned_transaction_recovery_duration: None,
        dead_letter_queue,
        lite_topic: None,
        priority: None,
    };
    pb::Message {
        topic: Some(topic),
        user_properties: m
            .properties
            .iter()
            .filter(|(k, _)| !is_reserved(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        system_properties: Some(system_properties),
        body: m.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use mqgate_engine::store::record::{self, Placement};
    use mqgate_engine::Message;

    fn stored(msg: Message) -> StoredMessage {
        let mut buf = BytesMut::new();
        let at = Placement {
            queue_id: 3,
            queue_offset: 42,
            commit_log_offset: 0,
            store_timestamp: 1_700_000_000_500,
            store_host: "127.0.0.1:9876".parse().unwrap(),
            tx_flag: 0,
            prepared_transaction_offset: 0,
        };
        record::encode(&msg, &at, &mut buf);
        record::decode(buf.freeze()).unwrap()
    }

    fn resource() -> Resource {
        Resource {
            resource_namespace: String::new(),
            name: "T".into(),
        }
    }

    #[test]
    fn remoting_style_properties_become_system_and_user_properties() {
        let mut m = Message::new("T", &b"payload"[..])
            .with_tag("TagA")
            .with_keys(&["k1", "k2"])
            .with_property("UNIQ_KEY", "ID1")
            .with_property("region", "eu")
            .with_message_group("g1");
        m.born_timestamp = 1_700_000_000_000;
        m.reconsume_times = 2;
        let out = to_pb(&stored(m), resource(), DeliveryInfo::default());
        let sp = out.system_properties.unwrap();
        assert_eq!(sp.tag.as_deref(), Some("TagA"));
        assert_eq!(sp.keys, vec!["k1", "k2"]);
        assert_eq!(sp.message_id, "ID1");
        assert_eq!(sp.message_group.as_deref(), Some("g1"));
        assert_eq!(sp.message_type, MessageType::Fifo as i32);
        assert_eq!(sp.queue_id, 3);
        assert_eq!(sp.queue_offset, Some(42));
        assert_eq!(sp.delivery_attempt, Some(3));
        assert_eq!(sp.born_timestamp.unwrap().seconds, 1_700_000_000);
        assert_eq!(sp.body_digest.unwrap().checksum, md5_hex(b"payload"));
        assert_eq!(out.user_properties.len(), 1);
        assert_eq!(
            out.user_properties.get("region").map(String::as_str),
            Some("eu")
        );
        assert_eq!(&out.body[..], b"payload");
    }

    #[test]
    fn pop_deliveries_carry_handle_attempt_and_invisible_time() {
        let info = DeliveryInfo {
            receipt_handle: Some("h".into()),
            attempt: Some(1),
            invisible_ms: Some(30_000),
        };
        let sp = to_pb(&stored(Message::new("T", &b"x"[..])), resource(), info)
            .system_properties
            .unwrap();
        assert_eq!(sp.receipt_handle.as_deref(), Some("h"));
        assert_eq!(sp.delivery_attempt, Some(1));
        assert_eq!(sp.invisible_duration.unwrap().seconds, 30);
        assert_eq!(sp.message_type, MessageType::Normal as i32);
        assert_eq!(sp.tag, None);
    }

    #[test]
    fn md5_is_uppercase_hex() {
        assert_eq!(md5_hex(b""), "D41D8CD98F00B204E9800998ECF8427E");
    }
}
