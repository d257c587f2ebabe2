//! Orderly consumption: LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42). A queue is locked for one client of a
//! group at a time, for the engine's lease; the answer lists the queues the client now holds.

use super::{success, HandlerResult, Reply};
use crate::codec::bodies::{to_json, LockBatchRequest, LockBatchResponse, MessageQueue};
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::state::Shared;
use std::collections::BTreeMap;

fn request(cmd: &Command) -> Result<LockBatchRequest, RequestError> {
    serde_json::from_slice(&cmd.body).map_err(|e| RequestError::BadBody(format!("lock body: {e}")))
}

fn by_topic(mqs: &[MessageQueue]) -> BTreeMap<&str, Vec<i32>> {
    let mut m: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for q in mqs {
        m.entry(q.topic.as_str()).or_default().push(q.queue_id);
    }
    m
}

/// LOCK_BATCH_MQ.
pub fn lock(shared: &Shared, cmd: &Command) -> HandlerResult {
    let req = request(cmd)?;
    let mut locked = Vec::new();
    for (topic, queues) in by_topic(&req.mq_set) {
        for q in shared
            .engine
            .lock_queues(&req.consumer_group, topic, &queues, &req.client_id)
        {
            if let Some(mq) = req
                .mq_set
                .iter()
                .find(|m| m.topic == topic && m.queue_id == q)
            {
                locked.push(mq.clone());
            }
        }
    }
    Ok(Reply::Command(success().with_body(to_json(
        &LockBatchResponse {
            lock_ok_mq_set: locked,
        },
    ))))
}

/// UNLOCK_BATCH_MQ.
pub fn unlock(shared: &Shared, cmd: &Command) -> HandlerResult {
    let req = request(cmd)?;
    for (topic, queues) in by_topic(&req.mq_set) {
        shared
            .engine
            .unlock_queues(&req.consumer_group, topic, &queues, &req.client_id);
    }
    Ok(Reply::Command(success()))
}
