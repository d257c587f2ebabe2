//! Transactions: END_TRANSACTION (37, oneway from Java) commits or rolls back a half message by its commit-log
//! offset; [`send_check`] asks a live producer of the half message's group for its state with
//! CHECK_TRANSACTION_STATE (39, oneway), whose body is the message as the producer sent it (real topic).

use super::{success, HandlerResult, Reply};
use crate::codec::codes::CHECK_TRANSACTION_STATE;
use crate::codec::fields::Fields;
use crate::codec::messages::encode_stored_as;
use crate::codec::Command;
use crate::shell::outbound::Outbound;
use crate::shell::state::Shared;
use mqgate_engine::{keys, EngineError, StoredMessage};

/// `commitOrRollback` values (MessageSysFlag transaction bits).
const COMMIT: i32 = 0x8;
const ROLLBACK: i32 = 0xC;

/// END_TRANSACTION.
pub async fn end_transaction(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let offset: u64 = f.num("commitLogOffset")?;
    let decision: i32 = f.num("commitOrRollback")?;
    let commit = match decision {
        COMMIT => true,
        ROLLBACK => false,
        _ => return Ok(Reply::Command(success())),
    };
    match shared.engine.end_transaction(offset, commit).await {
        Ok(_) => {}
        Err(EngineError::TransactionResolved(_)) => {
            tracing::debug!(offset, "transaction already resolved");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Reply::Command(success()))
}

/// Sends CHECK_TRANSACTION_STATE for `half` to a live producer of `group`; nothing when none is connected
/// (the engine asks again later, then rolls back).
pub fn send_check(shared: &Shared, group: &str, transaction_id: &str, half: &StoredMessage) {
    let Some(peer) = shared.registry.producer(group) else {
        tracing::debug!(
            group,
            offset = half.commit_log_offset,
            "no live producer for a transaction check"
        );
        return;
    };
    let real_topic = half.property(keys::REAL_TOPIC).unwrap_or(&half.topic);
    let real_queue = half
        .property(keys::REAL_QID)
        .and_then(|q| q.parse().ok())
        .unwrap_or(0);
    let uniq = half
        .property(keys::UNIQ_KEY)
        .map(str::to_string)
        .unwrap_or_else(|| half.offset_msg_id());
    let tx_id = if transaction_id.is_empty() {
        uniq.as_str()
    } else {
        transaction_id
    };
    let body = encode_stored_as(half, real_topic, real_queue, &half.properties);
    let cmd = Command::request(CHECK_TRANSACTION_STATE, shared.next_opaque())
        .oneway()
        .with_field("topic", real_topic)
        .with_field("tranStateTableOffset", half.queue_offset)
        .with_field("commitLogOffset", half.commit_log_offset)
        .with_field("msgId", &uniq)
        .with_field("transactionId", tx_id)
        .with_field("offsetMsgId", half.offset_msg_id())
        .with_field("bname", &shared.settings.broker_name)
        .with_body(body);
    if !peer.try_send(Outbound::command(&cmd)) {
        tracing::debug!(
            group,
            "transaction check not queued: producer connection busy or gone"
        );
    }
}
