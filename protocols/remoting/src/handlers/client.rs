//! Client bookkeeping: HEART_BEAT (34) registers producer and consumer groups and subscriptions (and tells the
//! group's members to rebalance when membership changes), UNREGISTER_CLIENT (35), GET_CONSUMER_LIST_BY_GROUP
//! (38), and CHECK_CLIENT_CONFIG (46), which accepts SQL92 subscriptions (RocketMQ ships with them off).

use super::{success, HandlerResult, Reply};
use crate::codec::bodies::{to_json, CheckClientRequest, ConsumerList, HeartbeatData};
use crate::codec::codes::{SUBSCRIPTION_PARSE_FAILED, SYSTEM_ERROR};
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::error::RequestError;
use crate::session::SubscriptionFilter;
use crate::shell::outbound::Peer;
use crate::shell::state::Shared;

/// HEART_BEAT.
pub fn heartbeat(shared: &Shared, peer: &Peer, cmd: &Command) -> HandlerResult {
    let hb: HeartbeatData = serde_json::from_slice(&cmd.body)
        .map_err(|e| RequestError::BadBody(format!("heartbeat: {e}")))?;
    for c in &hb.consumer_data_set {
        if let Err(e) = shared.engine.group_or_create(&c.group_name) {
            tracing::debug!(group = %c.group_name, error = %e, "consumer group not created");
        }
    }
    let changes = shared.registry.heartbeat(peer, &hb);
    shared.notify_changes(changes);
    Ok(Reply::Command(success()))
}

/// UNREGISTER_CLIENT.
pub fn unregister(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let client = f.str("clientID")?;
    let changes = shared.registry.unregister(
        client,
        f.opt_str("producerGroup"),
        f.opt_str("consumerGroup"),
    );
    shared.notify_changes(changes);
    Ok(Reply::Command(success()))
}

/// GET_CONSUMER_LIST_BY_GROUP.
pub fn consumer_list(shared: &Shared, cmd: &Command) -> HandlerResult {
    let group = Fields(&cmd.ext_fields).str("consumerGroup")?;
    match shared.registry.consumer_ids(group) {
        Some(ids) if !ids.is_empty() => Ok(Reply::Command(success().with_body(to_json(
            &ConsumerList {
                consumer_id_list: ids,
            },
        )))),
        _ => Err(RequestError::coded(
            SYSTEM_ERROR,
            format!("no consumer for this group, {group}"),
        )),
    }
}

/// CHECK_CLIENT_CONFIG: the subscription must compile.
pub fn check_client_config(cmd: &Command) -> HandlerResult {
    let req: CheckClientRequest = serde_json::from_slice(&cmd.body)
        .map_err(|e| RequestError::BadBody(format!("check client config: {e}")))?;
    if let Some(sub) = req.subscription_data {
        SubscriptionFilter::compile(sub.expression_type.as_deref(), &sub.sub_string)
            .map_err(|e| RequestError::coded(SUBSCRIPTION_PARSE_FAILED, e))?;
    }
    Ok(Reply::Command(success()))
}
