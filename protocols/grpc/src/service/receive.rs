//! ReceiveMessage: a long poll bounded by the client's deadline, answered as a stream of `Status`, then one
//! `Message` per delivery, then the server's `delivery_timestamp`. Push consumers (`auto_renew`) get their
//! deliveries renewed until they ack.

use super::CallContext;
use crate::codec::message_out::{self, DeliveryInfo};
use crate::codec::time::{duration_from_pb, long_poll_wait, millis_to_timestamp};
use crate::codec::{resource, time};
use crate::error::{status, RpcError, RpcResult};
use crate::pb::receive_message_response::Content;
use crate::pb::*;
use crate::session::filter::SubscriptionFilter;
use crate::state::Shared;
use mqgate_engine::ReceiveRequest;

fn item(c: Content) -> ReceiveMessageResponse {
    ReceiveMessageResponse { content: Some(c) }
}

/// The answer to a call that failed before receiving: its status, then the server time.
pub fn failed(shared: &Shared, e: RpcError) -> Vec<ReceiveMessageResponse> {
    vec![
        item(Content::Status(e.to_status())),
        item(Content::DeliveryTimestamp(millis_to_timestamp(
            shared.engine.now_ms(),
        ))),
    ]
}

/// How long deliveries stay invisible: the server's renewal period for push consumers, else the request's
/// value, which must lie within the allowed range (`ILLEGAL_INVISIBLE_TIME`).
fn invisible_ms(shared: &Shared, req: &ReceiveMessageRequest) -> RpcResult<i64> {
    let s = &shared.settings;
    if req.auto_renew {
        return Ok(s.auto_renew_invisible.as_millis() as i64);
    }
    let (min, max) = s.receive_invisible_range;
    req.invisible_duration
        .as_ref()
        .and_then(duration_from_pb)
        .filter(|d| *d >= min && *d <= max)
        .map(|d| d.as_millis() as i64)
        .ok_or_else(|| {
            RpcError::new(
                Code::IllegalInvisibleTime,
                format!("invisible duration must lie within {min:?} and {max:?}"),
            )
        })
}

/// ReceiveMessage.
pub async fn receive_message(
    shared: &Shared,
    ctx: &CallContext,
    req: ReceiveMessageRequest,
) -> Vec<ReceiveMessageResponse> {
    match receive(shared, ctx, req).await {
        Ok(items) => items,
        Err(e) => failed(shared, e),
    }
}

async fn receive(
    shared: &Shared,
    ctx: &CallContext,
    req: ReceiveMessageRequest,
) -> RpcResult<Vec<ReceiveMessageResponse>> {
    let group = resource::group(req.group.as_ref())?;
    let topic_res = req.message_queue.as_ref().and_then(|q| q.topic.clone());
    let topic = resource::topic(topic_res.as_ref())?;
    if req.batch_size <= 0 {
        return Err(RpcError::bad_request("batch size must be positive"));
    }
    let batch = (req.batch_size as usize).min(shared.settings.max_batch_size);
    let invisible = invisible_ms(shared, &req)?;
    let filter = SubscriptionFilter::compile(req.filter_expression.as_ref(), &shared.filters)?;
    if shared.engine.topic(&topic).is_none() {
        return Err(RpcError::new(
            Code::TopicNotFound,
            format!("topic {topic} does not exist"),
        ));
    }
    let s = &shared.settings;
    let deadline = ctx
        .deadline
        .map(|d| d.saturating_sub(ctx.started.elapsed()));
    let requested = req
        .long_polling_timeout
        .as_ref()
        .and_then(time::duration_from_pb);
    let wait = long_poll_wait(
        requested,
        deadline,
        s.default_long_polling,
        s.max_long_polling,
    );
    tracing::debug!(client = %ctx.client_id, %group, %topic, ?wait, invisible, auto_renew = req.auto_renew, batch, "receive");
    let deliveries = shared
        .engine
        .receive(ReceiveRequest {
            group: &group,
            topic: &topic,
            filter: filter.as_engine_filter(),
            max_messages: batch,
            invisible_ms: invisible,
            wait,
        })
        .await?;
    let now = shared.engine.now_ms();
    tracing::debug!(client = %ctx.client_id, %group, %topic, delivered = deliveries.len(), "received");
    let mut out = Vec::with_capacity(deliveries.len() + 2);
    if deliveries.is_empty() {
        out.push(item(Content::Status(status(
            Code::MessageNotFound,
            "no new message",
        ))));
    } else {
        out.push(item(Content::Status(crate::error::ok())));
    }
    let like = topic_res.unwrap_or_default();
    for d in deliveries {
        if req.auto_renew
            && !shared.renewals.track(
                &d.receipt_handle,
                &group,
                &ctx.client_id,
                now,
                d.invisible_until,
            )
        {
            tracing::warn!("auto-renewal table full; a push-consumer delivery will not be renewed");
        }
        let msg = message_out::to_pb(
            &d.message,
            resource::resource(&like, &d.message.topic),
            DeliveryInfo {
                receipt_handle: Some(d.receipt_handle),
                attempt: Some(d.attempt),
                invisible_ms: Some(invisible),
            },
        );
        out.push(item(Content::Message(msg)));
    }
    out.push(item(Content::DeliveryTimestamp(millis_to_timestamp(now))));
    Ok(out)
}
