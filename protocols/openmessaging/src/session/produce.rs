//! `POST /oms/v1/topics/{topic}/messages`: decode the request (single payload, CloudEvents binary or
//! structured, CloudEvents batch, JSON envelope list), give messages without an id one, store them in one
//! engine batch (all or none), and answer 201 with the id, queue and offset of each.

use super::{Answer, Request, Service};
use crate::codec::headers::ProduceContext;
use crate::codec::{decode_produce, ids, messages};
use crate::error::ApiError;
use bytes::Bytes;
use mqgate_engine::metadata::{self, validate_topic_name};
use mqgate_engine::{keys, EngineError};
use serde_json::{json, Value};

/// Stores the messages of a produce request.
pub async fn produce(
    svc: &Service,
    topic: &str,
    req: &Request,
    body: Bytes,
) -> Result<Answer, ApiError> {
    validate_topic_name(topic)?;
    if topic.starts_with(metadata::RETRY_PREFIX)
        || topic.starts_with(metadata::DLQ_PREFIX)
        || metadata::is_system_topic(topic)
    {
        return Err(EngineError::NoPermission(format!(
            "topic {topic} is reserved; it cannot be produced to over HTTP"
        ))
        .into());
    }
    let limit = svc.engine.config().max_message_size;
    let ctx = ProduceContext {
        now_ms: svc.engine.now_ms(),
        max_delay_ms: svc.settings.max_delay_ms,
    };
    let (form, mut msgs) = decode_produce(topic, &req.headers, body, &ctx, svc.settings.max_batch)?;
    let mut deliver_at = Vec::with_capacity(msgs.len());
    for m in &mut msgs {
        if m.body.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        if m.properties.get(keys::UNIQ_KEY).is_none() {
            m.properties.set(keys::UNIQ_KEY, ids::next_message_id());
        }
        m.born_host = req.peer;
        deliver_at.push(
            m.properties
                .get(keys::TIMER_DELIVER_MS)
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|at| *at > ctx.now_ms),
        );
    }
    let results = svc.engine.append_batch(msgs).await?;
    let items: Vec<Value> = results
        .iter()
        .zip(&deliver_at)
        .map(|(r, at)| messages::send_result_json(topic, r, *at))
        .collect();
    let mut answer = if form.is_batch() {
        Answer::json(201, &json!({ "results": items }))
    } else {
        Answer::json(201, items.first().unwrap_or(&Value::Null))
    };
    if let (false, Some(first), Some(at)) = (form.is_batch(), results.first(), deliver_at.first()) {
        answer
            .headers
            .push(("x-oms-h-messageid", first.msg_id.clone()));
        if at.is_none() {
            answer
                .headers
                .push(("x-oms-h-queueid", first.queue_id.to_string()));
            answer
                .headers
                .push(("x-oms-h-queueoffset", first.queue_offset.to_string()));
        }
    }
    Ok(answer)
}
