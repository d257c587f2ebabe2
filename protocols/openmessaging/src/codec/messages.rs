//! Stored messages and send results to the JSON shapes of the API (the `messages` items of a consume answer,
//! the body of a produce answer). Pure.

use base64::Engine as _;
use mqgate_engine::{keys, Delivery, SendResult, StoredMessage};
use serde_json::{json, Map, Value};

/// True for properties shown elsewhere in the JSON (`tag`, `keys`, `messageId`, `messageGroup`) or that are
/// the engine's own bookkeeping; every other property is returned as is.
fn hidden(name: &str) -> bool {
    matches!(
        name,
        keys::TAGS | keys::KEYS | keys::UNIQ_KEY | keys::MESSAGE_GROUP
    ) || name.starts_with("__MQG_")
}

/// A message as JSON: `messageId, topic, tag, keys, properties, body (base64), bornTimestamp,
/// storeTimestamp, queueId, queueOffset, messageGroup`.
pub fn message_json(msg: &StoredMessage) -> Map<String, Value> {
    let properties: Map<String, Value> = msg
        .properties
        .iter()
        .filter(|(k, _)| !hidden(k))
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    let mut m = Map::new();
    m.insert("messageId".into(), msg.msg_id().into());
    m.insert("topic".into(), msg.topic.clone().into());
    m.insert("tag".into(), msg.tag().map_or(Value::Null, Value::from));
    m.insert("keys".into(), msg.keys().collect::<Vec<_>>().into());
    m.insert("properties".into(), Value::Object(properties));
    m.insert(
        "body".into(),
        super::base64_engine().encode(&msg.body).into(),
    );
    m.insert("bornTimestamp".into(), msg.born_timestamp.into());
    m.insert("storeTimestamp".into(), msg.store_timestamp.into());
    m.insert("queueId".into(), msg.queue_id.into());
    m.insert("queueOffset".into(), msg.queue_offset.into());
    m.insert(
        "messageGroup".into(),
        msg.message_group().map_or(Value::Null, Value::from),
    );
    m
}

/// A pop-style delivery: the message plus `receiptHandle`, `deliveryAttempt` and `invisibleUntil`.
pub fn delivery_json(d: &Delivery) -> Value {
    let mut m = message_json(&d.message);
    m.insert("receiptHandle".into(), d.receipt_handle.clone().into());
    m.insert("deliveryAttempt".into(), d.attempt.into());
    m.insert("invisibleUntil".into(), d.invisible_until.into());
    Value::Object(m)
}

/// The JSON of one stored message: `topic` is the requested topic; a delayed message has `queueId` and
/// `queueOffset` null (it is not in the topic's queues yet) and `deliverAt` set.
pub fn send_result_json(topic: &str, r: &SendResult, deliver_at: Option<i64>) -> Value {
    match deliver_at {
        Some(at) => json!({
            "messageId": r.msg_id, "topic": topic, "queueId": null, "queueOffset": null,
            "storeTimestamp": r.store_ms, "deliverAt": at,
        }),
        None => json!({
            "messageId": r.msg_id, "topic": topic, "queueId": r.queue_id, "queueOffset": r.queue_offset,
            "storeTimestamp": r.store_ms,
        }),
    }
}
