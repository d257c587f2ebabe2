//! Producing: SEND_MESSAGE (10, long header names), SEND_MESSAGE_V2 (310, one-letter names), SEND_BATCH_MESSAGE
//! (320), and the request-reply pair SEND_REPLY_MESSAGE(_V2) (324/325), whose reply is stored and pushed to the
//! requesting client (PUSH_REPLY_MESSAGE_TO_CLIENT, 326). Transactional half messages (`TRAN_MSG=true`) go to
//! the engine's `prepare`; `%RETRY%` sends past their reconsume limit go to the group's `%DLQ%` topic.

use super::{success, HandlerResult, Reply};
use crate::codec::codes::{self, PUSH_REPLY_MESSAGE_TO_CLIENT};
use crate::codec::fields::Fields;
use crate::codec::messages::decode_batch;
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::outbound::{Outbound, Peer};
use crate::shell::state::Shared;
use mqgate_engine::metadata::{dlq_topic, RETRY_PREFIX};
use mqgate_engine::store::record::decode_properties;
use mqgate_engine::{keys, Message, Properties, SendResult};

/// Property naming the client that waits for a reply.
const REPLY_TO_CLIENT: &str = "REPLY_TO_CLIENT";
/// Property carrying the cluster name (needed by clients to build a reply).
const CLUSTER: &str = "CLUSTER";
/// sysFlag transaction bits of a half message.
const TX_PREPARED: i32 = 0x4;

/// The send header, V1 or V2 names.
struct SendHeader<'a> {
    group: &'a str,
    topic: &'a str,
    queue_id: i32,
    sys_flag: i32,
    born_timestamp: i64,
    flag: i32,
    properties: Properties,
    reconsume_times: i32,
    max_reconsume_times: Option<i32>,
    batch: bool,
}

fn header(cmd: &Command) -> Result<SendHeader<'_>, RequestError> {
    let f = Fields(&cmd.ext_fields);
    Ok(SendHeader {
        group: f.str_any(&["producerGroup", "a"])?,
        topic: f.str_any(&["topic", "b"])?,
        queue_id: f.num_any(&["queueId", "e"])?,
        sys_flag: f.opt_num_any(&["sysFlag", "f"])?.unwrap_or(0),
        born_timestamp: f.opt_num_any(&["bornTimestamp", "g"])?.unwrap_or(0),
        flag: f.opt_num_any(&["flag", "h"])?.unwrap_or(0),
        properties: f
            .str_any(&["properties", "i"])
            .map(|p| decode_properties(p.as_bytes()))
            .unwrap_or_default(),
        reconsume_times: f.opt_num_any(&["reconsumeTimes", "j"])?.unwrap_or(0),
        max_reconsume_times: f.opt_num_any(&["maxReconsumeTimes", "l"])?,
        // The C++ client sends its batches as SEND_MESSAGE with `"batch":"1"`. Java's broker reads that as false
        // and stores the whole batch body as one message (apache/rocketmq-client-cpp#189, #363); mqgate unpacks
        // the batch, as the client meant.
        batch: f.cpp_bool_any(&["batch", "m"], cmd.code == codes::SEND_BATCH_MESSAGE),
    })
}

fn message(h: &SendHeader<'_>, peer: &Peer, body: bytes::Bytes, props: Properties) -> Message {
    let mut m = Message::new(h.topic, body);
    m.flag = h.flag;
    m.properties = props;
    m.born_timestamp = h.born_timestamp;
    m.born_host = peer.addr;
    m.queue_id = (h.queue_id >= 0).then_some(h.queue_id);
    m.sys_flag = h.sys_flag;
    m.reconsume_times = h.reconsume_times;
    m
}

/// SEND_MESSAGE, SEND_MESSAGE_V2, SEND_BATCH_MESSAGE.
pub async fn send(shared: &Shared, peer: &Peer, cmd: &Command) -> HandlerResult {
    let h = header(cmd)?;
    let results = store(shared, peer, &h, cmd).await?;
    Ok(Reply::Command(response(&h, &results)))
}

async fn store(
    shared: &Shared,
    peer: &Peer,
    h: &SendHeader<'_>,
    cmd: &Command,
) -> Result<Vec<SendResult>, RequestError> {
    let engine = &shared.engine;
    if h.batch {
        let items = decode_batch(&cmd.body)?;
        let queue = if h.queue_id >= 0 {
            h.queue_id
        } else {
            let n = engine.topic_or_create(h.topic)?.write_queues.max(1);
            (peer.id.wrapping_add(h.born_timestamp as u64) % n as u64) as i32
        };
        let msgs = items
            .into_iter()
            .map(|it| {
                let mut m = message(h, peer, it.body, it.properties);
                m.flag = it.flag;
                m.queue_id = Some(queue);
                m
            })
            .collect();
        return Ok(engine.append_batch(msgs).await?);
    }
    let mut props = h.properties.clone();
    if props.get(REPLY_TO_CLIENT).is_some() && props.get(CLUSTER).is_none() {
        props.set(CLUSTER, shared.settings.cluster_name.clone());
    }
    let mut msg = message(h, peer, cmd.body.clone(), props);
    if let Some(group) = h.topic.strip_prefix(RETRY_PREFIX) {
        let max = h
            .max_reconsume_times
            .unwrap_or(engine.config().max_reconsume_times);
        if h.reconsume_times > max {
            msg.topic = dlq_topic(group);
            msg.queue_id = Some(0);
            msg.properties.remove(keys::DELAY);
        }
    }
    let half =
        msg.properties.get(keys::TRAN_MSG) == Some("true") && h.sys_flag & 0xC == TX_PREPARED;
    let res = if half {
        let group = msg
            .properties
            .get(keys::PRODUCER_GROUP)
            .unwrap_or(h.group)
            .to_string();
        shared.registry.note_producer(&group, peer);
        engine.prepare(msg, &group).await?
    } else {
        engine.append(msg).await?
    };
    Ok(vec![res])
}

fn response(h: &SendHeader<'_>, results: &[SendResult]) -> Command {
    let first = &results[0];
    let queue_id = if first.topic == h.topic || h.queue_id < 0 {
        first.queue_id
    } else {
        h.queue_id
    };
    let ids: Vec<&str> = results.iter().map(|r| r.offset_msg_id.as_str()).collect();
    let mut c = success()
        .with_field("msgId", ids.join(","))
        .with_field("queueId", queue_id)
        .with_field("queueOffset", first.queue_offset)
        .with_field("MSG_REGION", "DefaultRegion")
        .with_field("TRACE_ON", "true");
    if results.len() == 1 && first.msg_id != first.offset_msg_id {
        c = c.with_field("transactionId", &first.msg_id);
    }
    c
}

/// SEND_REPLY_MESSAGE(_V2): stores the reply and pushes it to the client named by `REPLY_TO_CLIENT`.
pub async fn send_reply(shared: &Shared, peer: &Peer, cmd: &Command) -> HandlerResult {
    let h = header(cmd)?;
    let results = store(shared, peer, &h, cmd).await?;
    let requester = h.properties.get(REPLY_TO_CLIENT).unwrap_or_default();
    let Some(target) = shared.registry.client(requester) else {
        return Err(RequestError::coded(
            codes::SYSTEM_ERROR,
            format!("push reply message fail, channel of <{requester}> not found"),
        ));
    };
    let first = &results[0];
    let push = Command::request(PUSH_REPLY_MESSAGE_TO_CLIENT, shared.next_opaque())
        .with_field("producerGroup", h.group)
        .with_field("topic", h.topic)
        .with_field("defaultTopic", "TBW102")
        .with_field("defaultTopicQueueNums", 4)
        .with_field("queueId", first.queue_id)
        .with_field("sysFlag", h.sys_flag)
        .with_field("bornTimestamp", h.born_timestamp)
        .with_field("flag", h.flag)
        .with_field("properties", properties_string(&h.properties))
        .with_field("reconsumeTimes", h.reconsume_times)
        .with_field("unitMode", "false")
        .with_field("bornHost", peer.addr)
        .with_field("storeHost", &shared.advertised)
        .with_field("storeTimestamp", first.store_ms)
        .with_body(cmd.body.clone());
    if !target.send(Outbound::command(&push)).await {
        return Err(RequestError::coded(
            codes::SYSTEM_ERROR,
            format!("push reply message fail, channel of <{requester}> is closed"),
        ));
    }
    Ok(Reply::Command(response(&h, &results)))
}

fn properties_string(p: &Properties) -> String {
    let mut out = bytes::BytesMut::new();
    mqgate_engine::store::record::encode_properties(p, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
