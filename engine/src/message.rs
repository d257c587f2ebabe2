//! The one internal message: what front-ends hand to the engine ([`Message`]) and what they get back
//! ([`StoredMessage`], a parsed view over the stored record's bytes, with the body never copied).

use bytes::Bytes;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// Reserved property names (RocketMQ's `MessageConst`) the engine reads or writes.
pub mod keys {
    /// The message tag.
    pub const TAGS: &str = "TAGS";
    /// Keys, separated by a space.
    pub const KEYS: &str = "KEYS";
    /// The client-assigned unique message id.
    pub const UNIQ_KEY: &str = "UNIQ_KEY";
    /// Delay level (1..=18).
    pub const DELAY: &str = "DELAY";
    /// Absolute delivery time in ms (5.x timer messages).
    pub const TIMER_DELIVER_MS: &str = "TIMER_DELIVER_MS";
    /// Real topic of a scheduled or half message.
    pub const REAL_TOPIC: &str = "REAL_TOPIC";
    /// Real queue id of a scheduled or half message.
    pub const REAL_QID: &str = "REAL_QID";
    /// `"true"` on transactional half messages.
    pub const TRAN_MSG: &str = "TRAN_MSG";
    /// Producer group (transaction check routing).
    pub const PRODUCER_GROUP: &str = "PGROUP";
    /// Transaction id chosen by the producer.
    pub const TRANSACTION_ID: &str = "__transactionId__";
    /// Original topic of a retry message.
    pub const RETRY_TOPIC: &str = "RETRY_TOPIC";
    /// Original message id of a retry or DLQ copy.
    pub const ORIGIN_MESSAGE_ID: &str = "ORIGIN_MESSAGE_ID";
    /// Max reconsume times carried by a retry send.
    pub const MAX_RECONSUME_TIMES: &str = "MAX_RECONSUME_TIMES";
    /// Message group of a FIFO message (the gRPC proxy's name).
    pub const MESSAGE_GROUP: &str = "__SHARDINGKEY";
    /// Origin topic of a DLQ message.
    pub const DLQ_ORIGIN_TOPIC: &str = "DLQ_ORIGIN_TOPIC";
    /// Origin message id of a DLQ message.
    pub const DLQ_ORIGIN_MESSAGE_ID: &str = "DLQ_ORIGIN_MESSAGE_ID";
    /// Whole-record checksum; always the last property of a stored record, hidden from [`super::StoredMessage::properties`].
    pub const CRC32: &str = "__CRC32#";
    /// Engine bookkeeping: commit-log offset of the scheduled record this message was delivered from.
    pub const SCHEDULE_SOURCE: &str = "__MQG_SCHEDULE_SRC";
    /// Engine bookkeeping: commit-log offset of the half message this committed message came from.
    pub const HALF_SOURCE: &str = "__MQG_HALF_SRC";
    /// Names and types of properties that arrived typed (AMQP, JMS): `name:type,name:type`, where type is one of
    /// `bool byte short int long float double`. Properties not listed are strings. RocketMQ clients see strings.
    pub const PROPERTY_TYPES: &str = "__MQG_TYPES";

    /// RocketMQ's system property names (its `MessageConst` set, as clients and brokers write them): never
    /// application properties for a JMS or AMQP consumer, and renamed when an application header uses one.
    pub const ROCKETMQ_SYSTEM: &[&str] = &[
        "KEYS",
        "TAGS",
        "WAIT",
        "DELAY",
        "RETRY_TOPIC",
        "REAL_TOPIC",
        "REAL_QID",
        "TRAN_MSG",
        "PGROUP",
        "MIN_OFFSET",
        "MAX_OFFSET",
        "BUYER_ID",
        "ORIGIN_MESSAGE_ID",
        "TRANSFER_FLAG",
        "CORRECTION_FLAG",
        "MQ2_FLAG",
        "RECONSUME_TIME",
        "MSG_REGION",
        "TRACE_ON",
        "UNIQ_KEY",
        "MAX_RECONSUME_TIMES",
        "CONSUME_START_TIME",
        "POP_CK",
        "POP_CK_OFFSET",
        "1ST_POP_TIME",
        "TRAN_PREPARED_QUEUE_OFFSET",
        "DUP_INFO",
        "EXTEND_UNIQ_INFO",
        "INSTANCE_ID",
        "CORRELATION_ID",
        "REPLY_TO_CLIENT",
        "TTL",
        "ARRIVE_TIME",
        "PUSH_REPLY_TIME",
        "CLUSTER",
        "MSG_TYPE",
        "INNER_MULTI_QUEUE_OFFSET",
        "INNER_MULTI_DISPATCH",
        "INNER_NUM",
        "INNER_BASE",
        "TIMER_DELIVER_MS",
        "TIMER_DELAY_SEC",
        "TIMER_DELAY_MS",
        "TIMER_OUT_MS",
        "TIMER_ENQUEUE_MS",
        "TIMER_DEQUEUE_MS",
        "TIMER_ROLL_TIMES",
        "TIMER_DEL_UNIQKEY",
        "BORN_HOST",
        "DLQ_ORIGIN_TOPIC",
        "DLQ_ORIGIN_MESSAGE_ID",
        "__SHARDINGKEY",
        "__transactionId__",
        "TRACE_CONTEXT",
        "SHARDING_KEY",
    ];

    /// The type recorded for property `name` in a [`PROPERTY_TYPES`] value (`name:type,name:type`), if any.
    pub fn property_type<'a>(types: &'a str, name: &str) -> Option<&'a str> {
        types.split(',').find_map(|pair| {
            let (n, t) = pair.rsplit_once(':')?;
            (n == name).then_some(t)
        })
    }
}

/// RocketMQ's string property map, in insertion order (small; linear lookup beats hashing here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties(pub Vec<(String, String)>);

impl Properties {
    /// An empty map.
    pub fn new() -> Self {
        Properties(Vec::new())
    }
    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Sets `name` to `value`, replacing an earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let (name, value) = (name.into(), value.into());
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }
    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let idx = self.0.iter().position(|(k, _)| k == name)?;
        Some(self.0.remove(idx).1)
    }
    /// Iterates the pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    /// Number of properties.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A message on its way into the engine.
#[derive(Debug, Clone)]
pub struct Message {
    /// Destination topic.
    pub topic: String,
    /// Payload; shared, never copied by the engine before it reaches the log.
    pub body: Bytes,
    /// RocketMQ user flag.
    pub flag: i32,
    /// String properties, including tags, keys and the unique id.
    pub properties: Properties,
    /// When the producer created it, ms.
    pub born_timestamp: i64,
    /// The producer's address.
    pub born_host: SocketAddr,
    /// Queue chosen by the producer; `None` lets the engine choose (message group hash or round robin).
    pub queue_id: Option<i32>,
    /// RocketMQ sysFlag bits the producer set (compression, multi tags).
    pub sys_flag: i32,
    /// How many times this message was consumed before (retry copies).
    pub reconsume_times: i32,
}

impl Message {
    /// A message to `topic` with `body` and nothing else set.
    pub fn new(topic: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Message {
            topic: topic.into(),
            body: body.into(),
            flag: 0,
            properties: Properties::new(),
            born_timestamp: 0,
            born_host: SocketAddr::from(([127, 0, 0, 1], 0)),
            queue_id: None,
            sys_flag: 0,
            reconsume_times: 0,
        }
    }
    /// Sets the tag.
    pub fn with_tag(mut self, tag: &str) -> Self {
        self.properties.set(keys::TAGS, tag);
        self
    }
    /// Sets the keys (space-separated in RocketMQ's encoding).
    pub fn with_keys(mut self, keys_: &[&str]) -> Self {
        self.properties.set(keys::KEYS, keys_.join(" "));
        self
    }
    /// Sets a property.
    pub fn with_property(mut self, name: &str, value: &str) -> Self {
        self.properties.set(name, value);
        self
    }
    /// Sets the FIFO message group.
    pub fn with_message_group(mut self, group: &str) -> Self {
        self.properties.set(keys::MESSAGE_GROUP, group);
        self
    }
}

/// A stored message: the record bytes plus the fields parsed out of them.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// The whole stored record in RocketMQ layout (what a remoting PULL sends as is).
    pub raw: Bytes,
    /// Topic.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// Offset within the queue.
    pub queue_offset: i64,
    /// Offset of the record in the commit log.
    pub commit_log_offset: u64,
    /// User flag.
    pub flag: i32,
    /// sysFlag bits.
    pub sys_flag: i32,
    /// Producer's creation time, ms.
    pub born_timestamp: i64,
    /// Producer's address.
    pub born_host: SocketAddr,
    /// When the engine stored it, ms.
    pub store_timestamp: i64,
    /// The store host written into the record.
    pub store_host: SocketAddr,
    /// Reconsume count.
    pub reconsume_times: i32,
    /// Commit-log offset of the half message (transactions), else 0.
    pub prepared_transaction_offset: i64,
    /// Payload: a slice of `raw`.
    pub body: Bytes,
    /// Properties, without the engine's record checksum.
    pub properties: Properties,
}

impl StoredMessage {
    /// A property value.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name)
    }
    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.property(keys::TAGS)
    }
    /// The keys.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.property(keys::KEYS)
            .unwrap_or("")
            .split(' ')
            .filter(|k| !k.is_empty())
    }
    /// The FIFO message group, if any.
    pub fn message_group(&self) -> Option<&str> {
        self.property(keys::MESSAGE_GROUP)
    }
    /// The offset message id (store host + commit-log offset), as RocketMQ brokers assign it.
    pub fn offset_msg_id(&self) -> String {
        offset_msg_id(self.store_host, self.commit_log_offset)
    }
    /// The user-visible message id: the client's unique key when present, else the offset id.
    pub fn msg_id(&self) -> String {
        match self.property(keys::UNIQ_KEY) {
            Some(id) => id.to_string(),
            None => self.offset_msg_id(),
        }
    }
}

/// RocketMQ's offset message id: uppercase hex of store IP, port (int32) and commit-log offset (int64).
pub fn offset_msg_id(store_host: SocketAddr, offset: u64) -> String {
    let mut s = String::with_capacity(56);
    match store_host.ip() {
        IpAddr::V4(ip) => ip.octets().iter().for_each(|b| {
            let _ = write!(s, "{b:02X}");
        }),
        IpAddr::V6(ip) => ip.octets().iter().for_each(|b| {
            let _ = write!(s, "{b:02X}");
        }),
    }
    let _ = write!(s, "{:08X}{:016X}", store_host.port() as u32, offset);
    s
}

/// Decodes an offset message id into (store host, commit-log offset).
pub fn decode_offset_msg_id(id: &str) -> Option<(SocketAddr, u64)> {
    let ip_len = match id.len() {
        32 => 4,
        56 => 16,
        _ => return None,
    };
    let bytes: Vec<u8> = (0..id.len() / 2)
        .map(|i| u8::from_str_radix(id.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    let ip: IpAddr = if ip_len == 4 {
        IpAddr::from(<[u8; 4]>::try_from(&bytes[..4]).ok()?)
    } else {
        IpAddr::from(<[u8; 16]>::try_from(&bytes[..16]).ok()?)
    };
    let port = u32::from_be_bytes(bytes[ip_len..ip_len + 4].try_into().ok()?);
    let offset = u64::from_be_bytes(bytes[ip_len + 4..ip_len + 12].try_into().ok()?);
    Some((SocketAddr::new(ip, port as u16), offset))
}

/// Java's `String.hashCode` over UTF-16 code units, as RocketMQ stores a tag's hash in the consume queue.
pub fn tag_hash(tag: &str) -> i64 {
    tag.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_msg_id_round_trips() {
        let host: SocketAddr = "10.1.2.3:10911".parse().unwrap();
        let id = offset_msg_id(host, 0x1234_5678_9ABC);
        assert_eq!(id, "0A01020300002A9F0000123456789ABC");
        assert_eq!(decode_offset_msg_id(&id), Some((host, 0x1234_5678_9ABC)));
    }

    #[test]
    fn tag_hash_matches_java_string_hash_code() {
        assert_eq!(tag_hash("TagA"), 2598919);
        assert_eq!(tag_hash(""), 0);
    }
}
