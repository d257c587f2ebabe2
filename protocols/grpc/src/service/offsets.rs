//! The offset-style RPCs Apache's proxy never shipped: PullMessage (a long-polled read of one queue from an
//! offset), UpdateOffset / GetOffset (a group's committed offset per queue) and QueryOffset (the first, last or
//! time-based offset of a queue) — what lag-based autoscalers such as KEDA need.

use super::CallContext;
use crate::codec::message_out::{self, DeliveryInfo};
use crate::codec::resource;
use crate::codec::time::{duration_from_pb, long_poll_wait, timestamp_to_millis};
use crate::error::{status, RpcError, RpcResult};
use crate::pb::pull_message_response::Content;
use crate::pb::*;
use crate::session::filter::SubscriptionFilter;
use crate::state::Shared;
use mqgate_engine::{ReadLimits, ReadStatus};

fn item(c: Content) -> PullMessageResponse {
    PullMessageResponse { content: Some(c) }
}

/// The answer to a pull that failed: its status, then where to continue when known.
pub fn pull_failed(e: RpcError, next: Option<i64>) -> Vec<PullMessageResponse> {
    let mut v = vec![item(Content::Status(e.to_status()))];
    v.extend(next.map(|n| item(Content::NextOffset(n))));
    v
}

/// The engine topic and queue id a `MessageQueue` names; the queue must exist.
fn queue(shared: &Shared, mq: Option<&MessageQueue>) -> RpcResult<(Resource, String, i32)> {
    let mq = mq.ok_or_else(|| RpcError::bad_request("message queue is required"))?;
    let topic = resource::topic(mq.topic.as_ref())?;
    let config = shared.engine.topic(&topic).ok_or_else(|| {
        RpcError::new(Code::TopicNotFound, format!("topic {topic} does not exist"))
    })?;
    if mq.id < 0 || mq.id as u32 >= config.read_queues.max(config.write_queues) {
        return Err(RpcError::bad_request(format!(
            "queue {} does not exist in topic {topic}",
            mq.id
        )));
    }
    Ok((mq.topic.clone().unwrap_or_default(), topic, mq.id))
}

/// PullMessage: Status, then the messages, then the next offset.
pub async fn pull_message(
    shared: &Shared,
    ctx: &CallContext,
    req: PullMessageRequest,
) -> Vec<PullMessageResponse> {
    match pull(shared, ctx, req).await {
        Ok(v) => v,
        Err(e) => pull_failed(e, None),
    }
}

async fn pull(
    shared: &Shared,
    ctx: &CallContext,
    req: PullMessageRequest,
) -> RpcResult<Vec<PullMessageResponse>> {
    resource::group(req.group.as_ref())?;
    let (like, topic, queue_id) = queue(shared, req.message_queue.as_ref())?;
    if req.batch_size <= 0 {
        return Err(RpcError::bad_request("batch size must be positive"));
    }
    if req.offset < 0 {
        return Err(RpcError::new(
            Code::IllegalOffset,
            "offset must not be negative",
        ));
    }
    let batch = (req.batch_size as usize).min(shared.settings.max_batch_size);
    let filter = SubscriptionFilter::compile(req.filter_expression.as_ref(), &shared.filters)?;
    let s = &shared.settings;
    let deadline = ctx
        .deadline
        .map(|d| d.saturating_sub(ctx.started.elapsed()));
    let requested = req.long_polling_timeout.as_ref().and_then(duration_from_pb);
    let wait = long_poll_wait(
        requested,
        deadline,
        s.default_long_polling,
        s.max_long_polling,
    );
    let r = shared
        .engine
        .read_wait(
            &topic,
            queue_id,
            req.offset,
            ReadLimits::messages(batch),
            filter.as_engine_filter(),
            wait,
        )
        .await?;
    let head = match r.status {
        ReadStatus::Found => crate::error::ok(),
        ReadStatus::NoNewMessage | ReadStatus::NoMatchedMessage => {
            status(Code::MessageNotFound, "no new message")
        }
        ReadStatus::OffsetTooSmall | ReadStatus::OffsetOverflow => status(
            Code::IllegalOffset,
            &format!(
                "offset {} is outside [{}, {}]",
                req.offset, r.min_offset, r.max_offset
            ),
        ),
    };
    let mut out = Vec::with_capacity(r.messages.len() + 2);
    out.push(item(Content::Status(head)));
    for m in &r.messages {
        let msg = message_out::to_pb(
            m,
            resource::resource(&like, &m.topic),
            DeliveryInfo::default(),
        );
        out.push(item(Content::Message(msg)));
    }
    out.push(item(Content::NextOffset(r.next_offset)));
    Ok(out)
}

/// UpdateOffset: commits the group's offset on a queue.
pub async fn update_offset(
    shared: &Shared,
    _ctx: &CallContext,
    req: UpdateOffsetRequest,
) -> RpcResult<UpdateOffsetResponse> {
    let group = resource::group(req.group.as_ref())?;
    let (_, topic, queue_id) = queue(shared, req.message_queue.as_ref())?;
    if req.offset < 0 {
        return Err(RpcError::new(
            Code::IllegalOffset,
            "offset must not be negative",
        ));
    }
    shared
        .engine
        .commit_offset(&group, &topic, queue_id, req.offset);
    Ok(UpdateOffsetResponse::default())
}

/// GetOffset: the group's committed offset on a queue; OFFSET_NOT_FOUND when it never committed one.
pub async fn get_offset(
    shared: &Shared,
    _ctx: &CallContext,
    req: GetOffsetRequest,
) -> RpcResult<GetOffsetResponse> {
    let group = resource::group(req.group.as_ref())?;
    let (_, topic, queue_id) = queue(shared, req.message_queue.as_ref())?;
    let offset = shared
        .engine
        .committed_offset(&group, &topic, queue_id)
        .ok_or_else(|| {
            RpcError::new(
                Code::OffsetNotFound,
                "the group has no committed offset on this queue",
            )
        })?;
    Ok(GetOffsetResponse {
        status: None,
        offset,
    })
}

/// QueryOffset: the queue's first offset, its end, or the first offset stored at or after a time.
pub async fn query_offset(
    shared: &Shared,
    _ctx: &CallContext,
    req: QueryOffsetRequest,
) -> RpcResult<QueryOffsetResponse> {
    let (_, topic, queue_id) = queue(shared, req.message_queue.as_ref())?;
    let e = &shared.engine;
    let offset = match QueryOffsetPolicy::try_from(req.query_offset_policy) {
        Ok(QueryOffsetPolicy::Beginning) => e.min_offset(&topic, queue_id),
        Ok(QueryOffsetPolicy::End) => e.max_offset(&topic, queue_id),
        Ok(QueryOffsetPolicy::Timestamp) => {
            let at = req
                .timestamp
                .as_ref()
                .ok_or_else(|| RpcError::bad_request("policy TIMESTAMP needs a timestamp"))?;
            e.offset_for_time(&topic, queue_id, timestamp_to_millis(at))?
        }
        Err(_) => return Err(RpcError::bad_request("unknown query offset policy")),
    };
    Ok(QueryOffsetResponse {
        status: None,
        offset,
    })
}
