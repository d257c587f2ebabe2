//! SendMessage (normal, FIFO, delayed and transactional half messages), EndTransaction and RecallMessage.
//! A transaction id is the half message's offset id, so EndTransaction needs no server-side table and still
//! works after a restart.

use super::CallContext;
use crate::codec::{message_in, resource};
use crate::error::{ok, RpcError, RpcResult};
use crate::pb::*;
use crate::state::Shared;
use mqgate_engine::message::decode_offset_msg_id;
use mqgate_engine::metadata::MessageType as TopicType;
use mqgate_engine::{keys, SendResult};

/// True when a topic of type `topic` accepts a message of type `kind`.
fn accepts(topic: TopicType, kind: i32) -> bool {
    let kind = MessageType::try_from(kind).unwrap_or(MessageType::Unspecified);
    match topic {
        TopicType::Mixed => true,
        TopicType::Normal => matches!(kind, MessageType::Normal | MessageType::Unspecified),
        TopicType::Fifo => kind == MessageType::Fifo,
        TopicType::Delay => kind == MessageType::Delay,
        TopicType::Transaction => kind == MessageType::Transaction,
    }
}

fn entry(r: &SendResult, message_id: &str, transaction_id: String) -> SendResultEntry {
    SendResultEntry {
        status: Some(ok()),
        message_id: message_id.to_string(),
        transaction_id,
        offset: r.queue_offset,
        recall_handle: String::new(),
    }
}

/// SendMessage: stores the messages (as one batch when there are several) and reports one entry each.
pub async fn send_message(
    shared: &Shared,
    ctx: &CallContext,
    req: SendMessageRequest,
) -> RpcResult<SendMessageResponse> {
    let first = req
        .messages
        .first()
        .ok_or_else(|| RpcError::new(Code::MessageCorrupted, "no message to send"))?;
    let topic_res = first.topic.clone();
    if req.messages.iter().any(|m| m.topic != topic_res) {
        return Err(RpcError::new(
            Code::MessageCorrupted,
            "messages of one request must share a topic",
        ));
    }
    let topic = resource::topic(topic_res.as_ref())?;
    if let Some(cfg) = shared.engine.topic(&topic) {
        for m in &req.messages {
            let kind = m
                .system_properties
                .as_ref()
                .map(|s| s.message_type)
                .unwrap_or_default();
            if !accepts(cfg.message_type, kind) {
                return Err(RpcError::new(
                    Code::MessagePropertyConflictWithType,
                    format!("topic {topic} does not accept this message type"),
                ));
            }
        }
    }
    let limits = shared.inbound_limits();
    let now = shared.engine.now_ms();
    let incoming = req
        .messages
        .into_iter()
        .map(|m| message_in::to_engine(m, &topic, ctx.peer, &limits, now))
        .collect::<RpcResult<Vec<_>>>()?;
    let mut entries = Vec::with_capacity(incoming.len());
    if incoming.iter().any(|i| i.transactional) {
        for i in incoming {
            let id = i.message_id;
            let r = shared.engine.prepare(i.message, &topic).await?;
            let tx_id = r.offset_msg_id.clone();
            entries.push(entry(&r, &id, tx_id));
        }
    } else if incoming.len() == 1 {
        let i = incoming
            .into_iter()
            .next()
            .ok_or_else(|| RpcError::new(Code::MessageCorrupted, "no message"))?;
        let r = shared.engine.append(i.message).await?;
        entries.push(entry(&r, &i.message_id, String::new()));
    } else {
        let ids: Vec<String> = incoming.iter().map(|i| i.message_id.clone()).collect();
        let results = shared
            .engine
            .append_batch(incoming.into_iter().map(|i| i.message).collect())
            .await?;
        for (r, id) in results.iter().zip(ids) {
            entries.push(entry(r, &id, String::new()));
        }
    }
    Ok(SendMessageResponse {
        status: None,
        entries,
    })
}

/// EndTransaction: commits or rolls back the half message named by the transaction id.
pub async fn end_transaction(
    shared: &Shared,
    _ctx: &CallContext,
    req: EndTransactionRequest,
) -> RpcResult<EndTransactionResponse> {
    resource::topic(req.topic.as_ref())?;
    let bad = |m: &str| RpcError::new(Code::InvalidTransactionId, m.to_string());
    if req.transaction_id.trim().is_empty() {
        return Err(bad("transaction id is blank"));
    }
    let (_, offset) = decode_offset_msg_id(req.transaction_id.trim())
        .ok_or_else(|| bad("unknown transaction id"))?;
    let commit = match TransactionResolution::try_from(req.resolution) {
        Ok(TransactionResolution::Commit) => true,
        Ok(TransactionResolution::Rollback) => false,
        _ => return Ok(EndTransactionResponse::default()),
    };
    let half = shared
        .engine
        .message_at(offset)
        .map_err(|_| bad("no half message for this transaction id"))?;
    if half.property(keys::TRAN_MSG) != Some("true")
        || (!req.message_id.is_empty()
            && half.property(keys::UNIQ_KEY) != Some(req.message_id.as_str()))
    {
        return Err(bad("the transaction id does not belong to this message"));
    }
    shared.engine.end_transaction(offset, commit).await?;
    Ok(EndTransactionResponse::default())
}

/// RecallMessage: the engine cannot take back a scheduled message yet, so this answers NOT_IMPLEMENTED.
pub async fn recall_message(
    _shared: &Shared,
    _ctx: &CallContext,
    _req: RecallMessageRequest,
) -> RpcResult<RecallMessageResponse> {
    Err(RpcError::new(
        Code::NotImplemented,
        "mqgate cannot recall a scheduled message yet",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_types_accept_their_own_message_types() {
        assert!(accepts(TopicType::Mixed, MessageType::Fifo as i32));
        assert!(accepts(TopicType::Normal, MessageType::Normal as i32));
        assert!(!accepts(TopicType::Normal, MessageType::Fifo as i32));
        assert!(accepts(
            TopicType::Transaction,
            MessageType::Transaction as i32
        ));
        assert!(!accepts(TopicType::Delay, MessageType::Normal as i32));
    }
}
