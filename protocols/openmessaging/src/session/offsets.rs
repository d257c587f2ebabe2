//! Offset-style reads over HTTP: list a topic's queues with their offset range, and read a queue from a given
//! offset (optionally filtered, with a long-poll wait). Nothing is committed: the caller keeps its position
//! (`nextOffset`).

use super::consume::check_topic;
use super::filter::HttpFilter;
use super::{Answer, Request, Service};
use crate::codec::messages;
use crate::codec::query::offset_query;
use crate::error::ApiError;
use mqgate_engine::{EngineError, MessageFilter, ReadLimits, ReadStatus, TopicConfig};
use serde_json::{json, Value};
use std::time::Duration;

/// The topic's settings, or 404.
fn known_topic(svc: &Service, topic: &str) -> Result<TopicConfig, ApiError> {
    check_topic(svc, topic)?;
    svc.engine
        .topic(topic)
        .ok_or_else(|| EngineError::TopicNotFound(topic.to_string()).into())
}

/// `GET /oms/v1/topics/{topic}/queues`.
pub fn queues(svc: &Service, topic: &str) -> Result<Answer, ApiError> {
    let cfg = known_topic(svc, topic)?;
    let list: Vec<Value> = (0..cfg.read_queues as i32)
        .map(|q| {
            json!({
                "queueId": q,
                "minOffset": svc.engine.min_offset(topic, q),
                "maxOffset": svc.engine.max_offset(topic, q),
            })
        })
        .collect();
    Ok(Answer::json(
        200,
        &json!({ "topic": topic, "queues": list }),
    ))
}

fn status_name(s: ReadStatus) -> &'static str {
    match s {
        ReadStatus::Found => "found",
        ReadStatus::NoNewMessage => "noNewMessage",
        ReadStatus::NoMatchedMessage => "noMatchedMessage",
        ReadStatus::OffsetTooSmall => "offsetTooSmall",
        ReadStatus::OffsetOverflow => "offsetOverflow",
    }
}

/// `GET /oms/v1/topics/{topic}/queues/{queueId}/messages?offset=…`.
pub async fn read(
    svc: &Service,
    topic: &str,
    queue: &str,
    req: &Request,
) -> Result<Answer, ApiError> {
    let q = offset_query(req.query.as_deref(), &svc.settings)?;
    let cfg = known_topic(svc, topic)?;
    let queue_id: i32 = queue
        .parse()
        .map_err(|_| ApiError::bad_request(format!("queue id {queue:?} is not a number")))?;
    if queue_id < 0 || queue_id >= cfg.read_queues as i32 {
        return Err(EngineError::QueueNotFound {
            topic: topic.to_string(),
            queue: queue_id,
        }
        .into());
    }
    let filter = HttpFilter::compile(&svc.filters, q.filter.as_deref(), q.tag.as_deref())?;
    let r = svc
        .engine
        .read_wait(
            topic,
            queue_id,
            q.offset,
            ReadLimits::messages(q.max),
            filter.as_ref().map(|f| f as &dyn MessageFilter),
            Duration::from_millis(q.wait_ms),
        )
        .await?;
    let items: Vec<Value> = r
        .messages
        .iter()
        .map(|m| Value::Object(messages::message_json(m)))
        .collect();
    Ok(Answer::json(
        200,
        &json!({
            "status": status_name(r.status),
            "messages": items,
            "nextOffset": r.next_offset,
            "minOffset": r.min_offset,
            "maxOffset": r.max_offset,
        }),
    ))
}
