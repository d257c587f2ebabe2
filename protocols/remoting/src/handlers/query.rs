//! Message queries: QUERY_MESSAGE (12) by key or by unique key, and VIEW_MESSAGE_BY_ID (33) by commit-log
//! offset (what an offset message id decodes to). Bodies are stored records, as a pull answer's.

use super::{success, HandlerResult, Reply};
use crate::codec::codes::{QUERY_NOT_FOUND, SYSTEM_ERROR};
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::state::Shared;

/// QUERY_MESSAGE.
pub fn query_message(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let topic = f.str("topic")?;
    let key = f.str("key")?;
    let max: usize = f
        .opt_num::<i64>("maxNum")?
        .unwrap_or(32)
        .clamp(1, 64 * 1024) as usize;
    let begin: i64 = f.opt_num("beginTimestamp")?.unwrap_or(0);
    let end: i64 = f.opt_num("endTimestamp")?.unwrap_or(i64::MAX);
    let engine = &shared.engine;
    let found = if f.bool_or("_UNIQUE_KEY_QUERY", false) {
        engine
            .message_by_id(key)
            .ok()
            .filter(|m| m.topic == topic)
            .into_iter()
            .collect()
    } else {
        engine.messages_by_key(topic, key, max, begin, end)
    };
    if found.is_empty() {
        return Err(RequestError::coded(
            QUERY_NOT_FOUND,
            "can not find message, maybe time range not correct",
        ));
    }
    let last = found.iter().map(|m| m.store_timestamp).max().unwrap_or(0);
    let resp = success()
        .with_field("indexLastUpdateTimestamp", last)
        .with_field("indexLastUpdatePhyoffset", 0);
    Ok(Reply::Parts(
        resp,
        found.into_iter().map(|m| m.raw).collect(),
    ))
}

/// VIEW_MESSAGE_BY_ID.
pub fn view_message(shared: &Shared, cmd: &Command) -> HandlerResult {
    let offset: u64 = Fields(&cmd.ext_fields).num("offset")?;
    let m = shared.engine.message_at(offset).map_err(|_| {
        RequestError::coded(
            SYSTEM_ERROR,
            format!("can not find message by the offset, {offset}"),
        )
    })?;
    Ok(Reply::Parts(success(), vec![m.raw]))
}
