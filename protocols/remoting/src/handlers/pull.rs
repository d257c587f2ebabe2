//! PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361): read a run of one queue with the group's filter, long-polled
//! up to the client's suspend timeout (bounded by settings) when nothing is there. The body of a found answer
//! is the stored records' bytes as they sit in the log, never re-encoded. Status mapping follows the broker
//! (digest §2.4): 19 no new message, 20 none matched the filter, 21 offset moved.

use super::{HandlerResult, Reply};
use crate::codec::codes::*;
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::error::RequestError;
use crate::session::SubscriptionFilter;
use crate::shell::state::Shared;
use mqgate_engine::metadata::RETRY_PREFIX;
use mqgate_engine::{MessageFilter, ReadLimits, ReadStatus};
use std::sync::Arc;
use std::time::Duration;

/// Pull sysFlag: commit `commitOffset` for the group.
const FLAG_COMMIT_OFFSET: i32 = 0x1;
/// Pull sysFlag: the request may be suspended (long poll).
const FLAG_SUSPEND: i32 = 0x2;
/// Pull sysFlag: the request carries its own subscription.
const FLAG_SUBSCRIPTION: i32 = 0x4;

/// The filter to apply: the pull's own expression, else the one the group registered by heartbeat.
fn filter_of(
    shared: &Shared,
    f: &Fields<'_>,
    sys_flag: i32,
    group: &str,
    topic: &str,
) -> Result<Arc<SubscriptionFilter>, RequestError> {
    if sys_flag & FLAG_SUBSCRIPTION != 0 {
        let expr = f.opt_str("subscription").unwrap_or("*");
        return shared
            .filter_for(f.opt_str("expressionType"), expr)
            .map_err(|e| RequestError::coded(SUBSCRIPTION_PARSE_FAILED, e));
    }
    let Some(sub) = shared.registry.subscription(group, topic) else {
        if topic.starts_with(RETRY_PREFIX) {
            return Ok(Arc::new(SubscriptionFilter::All));
        }
        return Err(RequestError::coded(
            SUBSCRIPTION_NOT_EXIST,
            format!("the consumer's subscription not exist, group: {group}, topic: {topic}"),
        ));
    };
    let requested: i64 = f.opt_num("subVersion")?.unwrap_or(0);
    if sub.data.sub_version < requested {
        return Err(RequestError::coded(
            SUBSCRIPTION_NOT_LATEST,
            "the consumer's subscription not latest",
        ));
    }
    sub.filter
        .clone()
        .map_err(|e| RequestError::coded(SUBSCRIPTION_PARSE_FAILED, e))
}

/// PULL_MESSAGE / LITE_PULL_MESSAGE.
pub async fn pull(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let group = f.str("consumerGroup")?;
    let topic = f.str("topic")?;
    let queue: i32 = f.num("queueId")?;
    let offset: i64 = f.num("queueOffset")?;
    let max_msgs: i64 = f.num("maxMsgNums")?;
    let sys_flag: i32 = f.num("sysFlag")?;
    let commit_offset: i64 = f.opt_num("commitOffset")?.unwrap_or(-1);
    let suspend_ms: i64 = f.opt_num("suspendTimeoutMillis")?.unwrap_or(0);
    let max_bytes: Option<i64> = f.opt_num("maxMsgBytes")?;

    let engine = &shared.engine;
    if sys_flag & FLAG_COMMIT_OFFSET != 0
        && commit_offset >= 0
        && !shared.registry.is_broadcast(group)
    {
        engine.commit_offset(group, topic, queue, commit_offset);
    }
    let filter = filter_of(shared, &f, sys_flag, group, topic)?;
    let s = &shared.settings;
    let mut limits = ReadLimits::messages(max_msgs.clamp(1, s.max_pull_messages as i64) as usize);
    limits.max_bytes = max_bytes
        .filter(|b| *b > 0)
        .map_or(s.max_pull_bytes, |b| (b as usize).min(s.max_pull_bytes));
    let filter_ref: Option<&dyn MessageFilter> = if filter.is_all() {
        None
    } else {
        Some(filter.as_ref())
    };
    let result = if sys_flag & FLAG_SUSPEND != 0 && suspend_ms > 0 {
        let wait = Duration::from_millis((suspend_ms as u64).min(s.max_suspend_ms));
        engine
            .read_wait(topic, queue, offset, limits, filter_ref, wait)
            .await?
    } else {
        engine.read(topic, queue, offset, limits, filter_ref)?
    };
    let (code, remark) = match result.status {
        ReadStatus::Found => (SUCCESS, "FOUND"),
        ReadStatus::NoNewMessage => (PULL_NOT_FOUND, "OFFSET_OVERFLOW_ONE"),
        ReadStatus::NoMatchedMessage => (PULL_RETRY_IMMEDIATELY, "NO_MATCHED_MESSAGE"),
        ReadStatus::OffsetTooSmall => (PULL_OFFSET_MOVED, "OFFSET_TOO_SMALL"),
        ReadStatus::OffsetOverflow => (PULL_OFFSET_MOVED, "OFFSET_OVERFLOW_BADLY"),
    };
    let resp = Command::response(code, 0)
        .with_remark(remark)
        .with_field("suggestWhichBrokerId", 0)
        .with_field("nextBeginOffset", result.next_offset)
        .with_field("minOffset", result.min_offset)
        .with_field("maxOffset", result.max_offset);
    let parts = result.messages.into_iter().map(|m| m.raw).collect();
    Ok(Reply::Parts(resp, parts))
}
