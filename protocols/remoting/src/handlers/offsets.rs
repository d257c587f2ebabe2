//! Consumer offsets and queue bounds: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15, usually oneway),
//! SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32).

use super::{success, HandlerResult, Reply};
use crate::codec::codes::QUERY_NOT_FOUND;
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::state::Shared;

fn topic_queue(cmd: &Command) -> Result<(&str, i32), RequestError> {
    let f = Fields(&cmd.ext_fields);
    Ok((f.str("topic")?, f.num("queueId")?))
}

/// QUERY_CONSUMER_OFFSET. Without a committed offset, a queue that still starts at 0 answers 0 (a new group
/// reads it from the start), as a RocketMQ broker does while the queue's head is in memory; otherwise
/// QUERY_NOT_FOUND and the client decides by its consume-from-where setting.
pub fn query_consumer_offset(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let group = f.str("consumerGroup")?;
    let (topic, queue) = topic_queue(cmd)?;
    let engine = &shared.engine;
    if let Some(o) = engine.committed_offset(group, topic, queue) {
        return Ok(Reply::Command(success().with_field("offset", o)));
    }
    if f.bool_or("setZeroIfNotFound", true) && engine.min_offset(topic, queue) == 0 {
        return Ok(Reply::Command(success().with_field("offset", 0)));
    }
    Err(RequestError::coded(
        QUERY_NOT_FOUND,
        "Not found, maybe this group consumer boot first",
    ))
}

/// UPDATE_CONSUMER_OFFSET.
pub fn update_consumer_offset(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let group = f.str("consumerGroup")?;
    let (topic, queue) = topic_queue(cmd)?;
    let offset: i64 = f.num("commitOffset")?;
    shared.engine.commit_offset(group, topic, queue, offset);
    Ok(Reply::Command(success()))
}

/// SEARCH_OFFSET_BY_TIMESTAMP.
pub fn search_by_time(shared: &Shared, cmd: &Command) -> HandlerResult {
    let (topic, queue) = topic_queue(cmd)?;
    let ts: i64 = Fields(&cmd.ext_fields).num("timestamp")?;
    let o = shared.engine.offset_for_time(topic, queue, ts)?;
    Ok(Reply::Command(success().with_field("offset", o)))
}

/// GET_MAX_OFFSET.
pub fn max_offset(shared: &Shared, cmd: &Command) -> HandlerResult {
    let (topic, queue) = topic_queue(cmd)?;
    let o = shared.engine.max_offset(topic, queue);
    Ok(Reply::Command(success().with_field("offset", o)))
}

/// GET_MIN_OFFSET.
pub fn min_offset(shared: &Shared, cmd: &Command) -> HandlerResult {
    let (topic, queue) = topic_queue(cmd)?;
    let o = shared.engine.min_offset(topic, queue);
    Ok(Reply::Command(success().with_field("offset", o)))
}

/// GET_EARLIEST_MSG_STORETIME (-1 for an empty queue).
pub fn earliest_store_time(shared: &Shared, cmd: &Command) -> HandlerResult {
    let (topic, queue) = topic_queue(cmd)?;
    let min = shared.engine.min_offset(topic, queue);
    let ts = shared
        .engine
        .store_time_at(topic, queue, min)?
        .unwrap_or(-1);
    Ok(Reply::Command(success().with_field("timestamp", ts)))
}
