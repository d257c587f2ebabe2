//! Administration codes used by tools and benchmark drivers: create/update/delete topics, topic lists,
//! subscription groups, consumer connections and consume stats.

use super::{success, HandlerResult, Reply};
use crate::codec::bodies::{to_json, SubscriptionGroupConfig, TopicList};
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::state::Shared;
use mqgate_engine::metadata::{PERM_READ, PERM_WRITE};
use mqgate_engine::{GroupConfig, TopicConfig};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// UPDATE_AND_CREATE_TOPIC (17).
pub fn create_topic(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let name = f.str("topic")?;
    let default = shared.engine.config().default_queue_count;
    let read: u32 = f.opt_num("readQueueNums")?.unwrap_or(default);
    let write: u32 = f.opt_num("writeQueueNums")?.unwrap_or(default);
    let perm: u32 = f.opt_num("perm")?.unwrap_or(PERM_READ | PERM_WRITE);
    let mut cfg = shared
        .engine
        .topic(name)
        .unwrap_or_else(|| TopicConfig::new(name, default));
    cfg.read_queues = read;
    cfg.write_queues = write;
    cfg.perm = perm & (PERM_READ | PERM_WRITE);
    shared.engine.create_topic(cfg)?;
    Ok(Reply::Command(success()))
}

/// DELETE_TOPIC_IN_BROKER (215) and DELETE_TOPIC_IN_NAMESRV (216); the second finds nothing left to delete.
pub fn delete_topic(shared: &Shared, cmd: &Command) -> HandlerResult {
    let name = Fields(&cmd.ext_fields).str("topic")?;
    shared.engine.delete_topic(name)?;
    Ok(Reply::Command(success()))
}

/// GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206) and GET_TOPICS_BY_CLUSTER (224).
pub fn topic_list(shared: &Shared) -> HandlerResult {
    let topics = shared.engine.topics().into_iter().map(|t| t.name).collect();
    Ok(Reply::Command(
        success().with_body(to_json(&TopicList { topic_list: topics })),
    ))
}

/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200).
pub fn create_group(shared: &Shared, cmd: &Command) -> HandlerResult {
    let c: SubscriptionGroupConfig = serde_json::from_slice(&cmd.body)
        .map_err(|e| RequestError::BadBody(format!("subscription group: {e}")))?;
    let mut g = GroupConfig::new(c.group_name, c.retry_max_times);
    g.fifo = c.consume_message_orderly;
    g.consume_enable = c.consume_enable;
    shared.engine.put_group(g)?;
    Ok(Reply::Command(success()))
}

/// DELETE_SUBSCRIPTIONGROUP (207).
pub fn delete_group(shared: &Shared, cmd: &Command) -> HandlerResult {
    let name = Fields(&cmd.ext_fields).str("groupName")?;
    shared.engine.delete_group(name)?;
    Ok(Reply::Command(success()))
}

/// GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201).
pub fn all_groups(shared: &Shared) -> HandlerResult {
    let mut table = Map::new();
    for g in shared.engine.groups() {
        let c = SubscriptionGroupConfig {
            group_name: g.name.clone(),
            consume_enable: g.consume_enable,
            consume_broadcast_enable: true,
            consume_message_orderly: g.fifo,
            retry_max_times: g.max_reconsume_times,
            retry_queue_nums: 1,
        };
        table.insert(g.name, serde_json::to_value(c).unwrap_or(Value::Null));
    }
    let body =
        json!({ "subscriptionGroupTable": table, "dataVersion": { "counter": 0, "timestamp": 0 } });
    Ok(Reply::Command(success().with_body(body.to_string())))
}

/// GET_CONSUMER_CONNECTION_LIST (203).
pub fn consumer_connections(shared: &Shared, cmd: &Command) -> HandlerResult {
    let group = Fields(&cmd.ext_fields).str("consumerGroup")?;
    let conns = shared.registry.consumer_connections(group);
    if conns.is_empty() {
        return Err(RequestError::coded(
            crate::codec::codes::SYSTEM_ERROR,
            format!("the consumer group[{group}] not online"),
        ));
    }
    let set: Vec<Value> = conns
        .iter()
        .map(|(id, p)| json!({ "clientId": id, "clientAddr": p.addr.to_string(), "language": "JAVA", "version": 0 }))
        .collect();
    let mut subs = Map::new();
    for s in shared.registry.subscriptions(group) {
        subs.insert(
            s.topic.clone(),
            serde_json::to_value(s).unwrap_or(Value::Null),
        );
    }
    let model = if shared.registry.is_broadcast(group) {
        "BROADCASTING"
    } else {
        "CLUSTERING"
    };
    let body = json!({ "connectionSet": set, "subscriptionTable": subs, "consumeType": "CONSUME_PASSIVELY",
        "messageModel": model, "consumeFromWhere": "CONSUME_FROM_LAST_OFFSET" });
    Ok(Reply::Command(success().with_body(body.to_string())))
}

/// GET_CONSUME_STATS (208). Its `offsetTable` is keyed by MessageQueue objects, written as fastjson does
/// (object keys), which Java admin tools parse.
pub fn consume_stats(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let group = f.str("consumerGroup")?;
    let topics: Vec<String> = match f.opt_str("topic").filter(|t| !t.is_empty()) {
        Some(t) => vec![t.to_string()],
        None => shared
            .registry
            .subscriptions(group)
            .into_iter()
            .map(|s| s.topic)
            .collect(),
    };
    let mut body = String::from("{\"consumeTps\":0.0,\"offsetTable\":{");
    let mut first = true;
    for topic in &topics {
        for lag in shared.engine.consumer_lag(group, topic) {
            if !first {
                body.push(',');
            }
            first = false;
            let key = json!({ "brokerName": shared.settings.broker_name, "queueId": lag.queue_id, "topic": topic });
            let _ = write!(
                body,
                "{key}:{{\"brokerOffset\":{},\"consumerOffset\":{},\"lastTimestamp\":{},\"pullOffset\":{}}}",
                lag.max_offset, lag.consumer_offset, lag.last_store_ms, lag.consumer_offset
            );
        }
    }
    body.push_str("}}");
    Ok(Reply::Command(success().with_body(body)))
}
