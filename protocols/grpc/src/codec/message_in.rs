//! A producer's v2 `Message` → the engine's [`Message`], with the checks RocketMQ's proxy makes (§4.7 of the
//! protocol digest): body size, message id, tag, keys, message group, user property names, delivery time.
//! Pure: the caller passes the peer address and the time.

use super::properties::{self, has_control_chars, is_reserved};
use super::time::{duration_from_pb, timestamp_to_millis};
use crate::error::{RpcError, RpcResult};
use crate::pb::{self, Code, Encoding, MessageType};
use mqgate_engine::{keys, Message};
use std::net::{IpAddr, SocketAddr};

/// RocketMQ's sysFlag bit for a compressed body.
pub const SYSFLAG_COMPRESSED: i32 = 0x1;
/// Longest message group accepted.
const MAX_MESSAGE_GROUP: usize = 64;

/// Limits applied to incoming messages.
#[derive(Debug, Clone, Copy)]
pub struct InboundLimits {
    /// Largest body, bytes.
    pub max_body: usize,
    /// Most user properties.
    pub max_user_properties: usize,
    /// Furthest a delivery timestamp may lie ahead, ms.
    pub max_delivery_delay_ms: i64,
}

/// A validated message and how it must be stored.
#[derive(Debug)]
pub struct Incoming {
    /// The engine message (topic already resolved).
    pub message: Message,
    /// Transactional half message: store with `prepare`.
    pub transactional: bool,
    /// The producer's message id (`UNIQ_KEY`).
    pub message_id: String,
}

/// Converts and checks one message bound for `topic`, sent from `peer` at `now_ms`.
pub fn to_engine(
    m: pb::Message,
    topic: &str,
    peer: SocketAddr,
    limits: &InboundLimits,
    now_ms: i64,
) -> RpcResult<Incoming> {
    if m.body.is_empty() {
        return Err(RpcError::new(
            Code::MessageBodyEmpty,
            "message body is empty",
        ));
    }
    if m.body.len() > limits.max_body {
        return Err(RpcError::new(
            Code::MessageBodyTooLarge,
            format!(
                "message body of {} bytes exceeds {} bytes",
                m.body.len(),
                limits.max_body
            ),
        ));
    }
    let sp = m
        .system_properties
        .ok_or_else(|| RpcError::new(Code::MessageCorrupted, "system properties are missing"))?;
    if sp.message_id.trim().is_empty()
        || has_control_chars(&sp.message_id)
        || sp.message_id.len() > 128
    {
        return Err(RpcError::new(
            Code::IllegalMessageId,
            "message id is blank or malformed",
        ));
    }
    if m.user_properties.len() > limits.max_user_properties {
        return Err(RpcError::new(
            Code::MessagePropertiesTooLarge,
            format!("more than {} user properties", limits.max_user_properties),
        ));
    }
    let mut msg = Message::new(topic, m.body);
    let p = &mut msg.properties;
    for (k, v) in m.user_properties {
        if k.is_empty() || is_reserved(&k) || has_control_chars(&k) {
            return Err(RpcError::new(
                Code::IllegalMessagePropertyKey,
                format!("property name {k:?} is reserved or malformed"),
            ));
        }
        if v.contains(['\u{1}', '\u{2}']) {
            return Err(RpcError::new(
                Code::IllegalMessagePropertyKey,
                format!("value of property {k:?} holds a control character"),
            ));
        }
        p.set(k, v);
    }
    if let Some(tag) = sp.tag {
        if tag.trim().is_empty() || tag.contains('|') || has_control_chars(&tag) {
            return Err(RpcError::new(
                Code::IllegalMessageTag,
                format!("tag {tag:?} is not allowed"),
            ));
        }
        p.set(keys::TAGS, tag);
    }
    if !sp.keys.is_empty() {
        if sp
            .keys
            .iter()
            .any(|k| k.trim().is_empty() || has_control_chars(k))
        {
            return Err(RpcError::new(
                Code::IllegalMessageKey,
                "a message key is blank or malformed",
            ));
        }
        p.set(keys::KEYS, sp.keys.join(" "));
    }
    p.set(keys::UNIQ_KEY, sp.message_id.clone());
    if let Some(group) = sp.message_group {
        if group.trim().is_empty() || group.len() > MAX_MESSAGE_GROUP || has_control_chars(&group) {
            return Err(RpcError::new(
                Code::IllegalMessageGroup,
                "message group is blank, too long or malformed",
            ));
        }
        p.set(keys::MESSAGE_GROUP, group);
    }
    if let Some(at) = sp.delivery_timestamp {
        let due = timestamp_to_millis(&at);
        if due - now_ms > limits.max_delivery_delay_ms {
            return Err(RpcError::new(
                Code::IllegalDeliveryTime,
                format!(
                    "delivery time is more than {} ms ahead",
                    limits.max_delivery_delay_ms
                ),
            ));
        }
        if due > now_ms {
            p.set(keys::TIMER_DELIVER_MS, due.to_string());
        }
    }
    if let Some(trace) = sp.trace_context.filter(|t| !t.is_empty()) {
        p.set(properties::TRACE_CONTEXT, trace);
    }
    let transactional = sp.message_type == MessageType::Transaction as i32;
    if transactional {
        if p.get(keys::TIMER_DELIVER_MS).is_some() {
            return Err(RpcError::new(
                Code::MessagePropertyConflictWithType,
                "a transactional message cannot have a delivery time",
            ));
        }
        if let Some(d) = sp
            .orphaned_transaction_recovery_duration
            .as_ref()
            .and_then(duration_from_pb)
        {
            p.set(properties::CHECK_IMMUNITY, d.as_secs().to_string());
        }
    }
    if !sp.born_host.is_empty() && !has_control_chars(&sp.born_host) && sp.born_host.len() <= 255 {
        p.set(properties::BORN_HOST, sp.born_host.clone());
    }
    if sp.body_encoding == Encoding::Gzip as i32 {
        msg.sys_flag |= SYSFLAG_COMPRESSED;
    }
    msg.born_timestamp = sp
        .born_timestamp
        .as_ref()
        .map(timestamp_to_millis)
        .filter(|t| *t > 0)
        .unwrap_or(now_ms);
    msg.born_host = sp
        .born_host
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 0))
        .unwrap_or(peer);
    Ok(Incoming {
        message: msg,
        transactional,
        message_id: sp.message_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::time::millis_to_timestamp;
    use bytes::Bytes;

    const LIMITS: InboundLimits = InboundLimits {
        max_body: 16,
        max_user_properties: 2,
        max_delivery_delay_ms: 86_400_000,
    };
    const NOW: i64 = 1_700_000_000_000;

    fn message() -> pb::Message {
        pb::Message {
            topic: None,
            user_properties: Default::default(),
            system_properties: Some(pb::SystemProperties {
                message_id: "01ABC".into(),
                tag: Some("TagA".into()),
                keys: vec!["k1".into(), "k2".into()],
                message_type: MessageType::Normal as i32,
                born_host: "10.0.0.7".into(),
                born_timestamp: Some(millis_to_timestamp(NOW - 5)),
                ..Default::default()
            }),
            body: Bytes::from_static(b"hello"),
        }
    }

    fn convert(m: pb::Message) -> RpcResult<Incoming> {
        to_engine(m, "T", "127.0.0.1:1".parse().unwrap(), &LIMITS, NOW)
    }

    fn code(m: pb::Message) -> Code {
        convert(m).unwrap_err().code
    }

    #[test]
    fn tags_keys_id_and_user_properties_map_to_rocketmq_properties() {
        let mut m = message();
        m.user_properties.insert("region".into(), "eu".into());
        let i = convert(m).unwrap();
        let p = &i.message.properties;
        assert_eq!(p.get("TAGS"), Some("TagA"));
        assert_eq!(p.get("KEYS"), Some("k1 k2"));
        assert_eq!(p.get("UNIQ_KEY"), Some("01ABC"));
        assert_eq!(p.get("region"), Some("eu"));
        assert_eq!(i.message.born_timestamp, NOW - 5);
        assert_eq!(i.message.born_host.ip().to_string(), "10.0.0.7");
        assert!(!i.transactional);
    }

    #[test]
    fn fifo_group_and_delivery_time_are_carried() {
        let mut m = message();
        let sp = m.system_properties.as_mut().unwrap();
        sp.message_group = Some("order-7".into());
        sp.delivery_timestamp = Some(millis_to_timestamp(NOW + 3000));
        let i = convert(m).unwrap();
        assert_eq!(i.message.properties.get("__SHARDINGKEY"), Some("order-7"));
        assert_eq!(
            i.message.properties.get("TIMER_DELIVER_MS"),
            Some(&*(NOW + 3000).to_string())
        );
    }

    #[test]
    fn bad_messages_get_their_documented_codes() {
        let mut m = message();
        m.body = Bytes::new();
        assert_eq!(code(m), Code::MessageBodyEmpty);
        let mut m = message();
        m.body = Bytes::from(vec![0u8; 17]);
        assert_eq!(code(m), Code::MessageBodyTooLarge);
        let mut m = message();
        m.system_properties.as_mut().unwrap().message_id = " ".into();
        assert_eq!(code(m), Code::IllegalMessageId);
        let mut m = message();
        m.system_properties.as_mut().unwrap().tag = Some("a|b".into());
        assert_eq!(code(m), Code::IllegalMessageTag);
        let mut m = message();
        m.system_properties.as_mut().unwrap().keys = vec!["".into()];
        assert_eq!(code(m), Code::IllegalMessageKey);
        let mut m = message();
        m.system_properties.as_mut().unwrap().message_group = Some("\n".into());
        assert_eq!(code(m), Code::IllegalMessageGroup);
        let mut m = message();
        m.user_properties.insert("UNIQ_KEY".into(), "x".into());
        assert_eq!(code(m), Code::IllegalMessagePropertyKey);
        let mut m = message();
        for k in ["a", "b", "c"] {
            m.user_properties.insert(k.into(), "v".into());
        }
        assert_eq!(code(m), Code::MessagePropertiesTooLarge);
        let mut m = message();
        m.system_properties.as_mut().unwrap().delivery_timestamp =
            Some(millis_to_timestamp(NOW + 86_400_001));
        assert_eq!(code(m), Code::IllegalDeliveryTime);
        let mut m = message();
        m.system_properties = None;
        assert_eq!(code(m), Code::MessageCorrupted);
    }

    #[test]
    fn transactional_messages_are_flagged_and_cannot_be_delayed() {
        let mut m = message();
        m.system_properties.as_mut().unwrap().message_type = MessageType::Transaction as i32;
        assert!(convert(m.clone()).unwrap().transactional);
        m.system_properties.as_mut().unwrap().delivery_timestamp =
            Some(millis_to_timestamp(NOW + 1000));
        assert_eq!(code(m), Code::MessagePropertyConflictWithType);
    }
}
