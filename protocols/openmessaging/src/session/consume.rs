//! Pop-style consumption over HTTP: `GET …/messages?group=…` (long poll; 200 with messages or 204), and
//! `POST …/ack` / `POST …/nack` with receipt handles. Received messages stay invisible to the group until
//! acked; a nack makes one visible again after a back-off; after the group's max attempts the engine moves
//! it to `%DLQ%<group>`.

use super::filter::HttpFilter;
use super::{Answer, Request, Service};
use crate::codec::query::{consume_query, Format};
use crate::codec::{cloudevents, messages};
use crate::error::{engine_code, ApiError, HandleFailure};
use mqgate_engine::config::DELAY_LEVELS_MS;
use mqgate_engine::metadata::{validate_group_name, validate_topic_name};
use mqgate_engine::{EngineError, MessageFilter, ReceiveRequest};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Fails with 404 when `topic` does not exist and cannot be created by a producer either.
pub(super) fn check_topic(svc: &Service, topic: &str) -> Result<(), ApiError> {
    validate_topic_name(topic)?;
    if svc.engine.topic(topic).is_none() && !svc.engine.config().auto_create_topics {
        return Err(EngineError::TopicNotFound(topic.to_string()).into());
    }
    Ok(())
}

/// Receives messages for a group.
pub async fn consume(svc: &Service, topic: &str, req: &Request) -> Result<Answer, ApiError> {
    let accept = req
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let q = consume_query(req.query.as_deref(), accept, &svc.settings)?;
    check_topic(svc, topic)?;
    validate_group_name(&q.group)?;
    let filter = HttpFilter::compile(&svc.filters, q.filter.as_deref(), q.tag.as_deref())?;
    let deliveries = svc
        .engine
        .receive(ReceiveRequest {
            group: &q.group,
            topic,
            filter: filter.as_ref().map(|f| f as &dyn MessageFilter),
            max_messages: q.max,
            invisible_ms: q.invisible_ms,
            wait: Duration::from_millis(q.wait_ms),
        })
        .await?;
    if deliveries.is_empty() {
        return Ok(Answer::empty(204));
    }
    Ok(match q.format {
        Format::Oms => {
            let items: Vec<Value> = deliveries.iter().map(messages::delivery_json).collect();
            Answer::json(200, &json!({ "messages": items }))
        }
        Format::CloudEvents => {
            let events: Vec<Value> = deliveries
                .iter()
                .map(|d| {
                    cloudevents::to_json(
                        &d.message,
                        &[
                            ("receipthandle", d.receipt_handle.clone().into()),
                            ("deliveryattempt", d.attempt.into()),
                        ],
                    )
                })
                .collect();
            Answer::typed(200, cloudevents::BATCH, &Value::Array(events))
        }
    })
}

/// Body of ack and nack.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandlesBody {
    group: String,
    receipt_handles: Vec<String>,
    /// Nack only: ms until the message is visible again (default: a back-off by attempt).
    #[serde(default)]
    delay: Option<i64>,
}

fn handles_body(svc: &Service, body: &[u8]) -> Result<HandlesBody, ApiError> {
    let b: HandlesBody = serde_json::from_slice(body).map_err(|e| {
        ApiError::InvalidJson(format!(
            "{e}; expected {{\"group\": G, \"receiptHandles\": [...]}}"
        ))
    })?;
    validate_group_name(&b.group)?;
    let max = svc.settings.max_messages.max(1) * 4;
    if b.receipt_handles.is_empty() || b.receipt_handles.len() > max {
        return Err(ApiError::bad_request(format!(
            "receiptHandles must list 1 to {max} handles"
        )));
    }
    Ok(b)
}

/// Applies `op` to each handle; handles of another topic are refused. Ok when all succeeded.
fn for_each_handle(
    svc: &Service,
    topic: &str,
    handles: &[String],
    mut op: impl FnMut(&str, u32) -> Result<(), EngineError>,
) -> Result<(), ApiError> {
    let mut failures = Vec::new();
    for h in handles {
        let result = svc.engine.decode_receipt_handle(h).and_then(|decoded| {
            if decoded.topic != topic {
                return Err(EngineError::InvalidReceiptHandle(
                    "the handle belongs to another topic",
                ));
            }
            op(h, decoded.attempt)
        });
        if let Err(e) = result {
            failures.push(HandleFailure {
                receipt_handle: h.clone(),
                code: engine_code(&e),
                detail: e.to_string(),
            });
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(ApiError::HandlesRefused {
            total: handles.len(),
            failures,
        })
    }
}

/// Acknowledges deliveries.
pub fn ack(svc: &Service, topic: &str, body: &[u8]) -> Result<Answer, ApiError> {
    validate_topic_name(topic)?;
    let b = handles_body(svc, body)?;
    for_each_handle(svc, topic, &b.receipt_handles, |h, _| {
        svc.engine.ack(&b.group, h)
    })?;
    Ok(Answer::json(
        200,
        &json!({ "acked": b.receipt_handles.len() }),
    ))
}

/// The default back-off of a nack: RocketMQ's retry ladder from 10 s (level 3), one level per attempt.
pub fn nack_backoff_ms(attempt: u32) -> i64 {
    let level = (attempt as usize + 2).min(DELAY_LEVELS_MS.len());
    DELAY_LEVELS_MS[level - 1]
}

/// Makes deliveries visible again after a back-off (redelivery with a higher attempt count).
pub fn nack(svc: &Service, topic: &str, body: &[u8]) -> Result<Answer, ApiError> {
    validate_topic_name(topic)?;
    let b = handles_body(svc, body)?;
    if let Some(d) = b.delay {
        if !(0..=svc.settings.max_invisible_ms).contains(&d) {
            return Err(ApiError::bad_request(format!(
                "delay must be within 0..={} ms",
                svc.settings.max_invisible_ms
            )));
        }
    }
    for_each_handle(svc, topic, &b.receipt_handles, |h, attempt| {
        let delay = b.delay.unwrap_or_else(|| nack_backoff_ms(attempt));
        svc.engine.change_invisible(&b.group, h, delay).map(|_| ())
    })?;
    Ok(Answer::json(
        200,
        &json!({ "nacked": b.receipt_handles.len() }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nack_backoff_climbs_the_retry_ladder_and_stops_at_two_hours() {
        assert_eq!(nack_backoff_ms(1), 10_000);
        assert_eq!(nack_backoff_ms(2), 30_000);
        assert_eq!(nack_backoff_ms(100), 7_200_000);
    }
}
