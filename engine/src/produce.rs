//! Producing: append and batch append, delayed delivery (by level or absolute time), transactional half
//! messages with commit and rollback, and consumer send-back into `%RETRY%` / `%DLQ%` topics.

use crate::config::delay_level_ms;
use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::message::{keys, offset_msg_id, Message, StoredMessage};
use crate::metadata::{self, Topic, TopicConfig, PERM_READ, PERM_WRITE};
use crate::store::record::{self, SYSFLAG_TX_COMMIT, SYSFLAG_TX_PREPARED};
use crate::store::writer::{Appended, PreparedMessage};
use std::sync::Arc;

/// Where a message was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    /// Topic it was stored under (the schedule or half topic for delayed and half messages).
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// Queue offset.
    pub queue_offset: i64,
    /// Commit-log offset.
    pub log_offset: u64,
    /// The client-visible id: the producer's unique key, else the offset id.
    pub msg_id: String,
    /// The broker's offset message id.
    pub offset_msg_id: String,
    /// Store time, ms.
    pub store_ms: i64,
}

/// Queue used in the schedule topic for absolute-time (timer) messages; levels use `level - 1`.
const TIMER_QUEUE: i32 = 18;
/// Queue count of retry and dead-letter topics.
const RETRY_QUEUES: u32 = 1;

impl Engine {
    /// Appends one message.
    pub async fn append(&self, msg: Message) -> Result<SendResult> {
        let mut v = self.append_batch(vec![msg]).await?;
        v.pop()
            .ok_or_else(|| EngineError::IllegalMessage("empty batch".into()))
    }

    /// Appends messages as one unit: all are stored, in order, or none.
    pub async fn append_batch(&self, msgs: Vec<Message>) -> Result<Vec<SendResult>> {
        if msgs.is_empty() {
            return Err(EngineError::IllegalMessage("empty batch".into()));
        }
        let now = self.clock.now_ms();
        let ids: Vec<Option<String>> = msgs
            .iter()
            .map(|m| m.properties.get(keys::UNIQ_KEY).map(str::to_string))
            .collect();
        let prepared = msgs
            .into_iter()
            .map(|m| self.prepare_for_write(m, now))
            .collect::<Result<Vec<_>>>()?;
        let appended = self.writer.append(prepared).await?;
        Ok(appended
            .into_iter()
            .zip(ids)
            .map(|(a, id)| self.send_result(a, id))
            .collect())
    }

    /// Blocking [`Engine::append`] for threads outside a runtime (benchmarks, tools).
    pub fn append_blocking(&self, msgs: Vec<Message>) -> Result<Vec<SendResult>> {
        let now = self.clock.now_ms();
        let ids: Vec<Option<String>> = msgs
            .iter()
            .map(|m| m.properties.get(keys::UNIQ_KEY).map(str::to_string))
            .collect();
        let prepared = msgs
            .into_iter()
            .map(|m| self.prepare_for_write(m, now))
            .collect::<Result<Vec<_>>>()?;
        let appended = self.writer.append_blocking(prepared)?;
        Ok(appended
            .into_iter()
            .zip(ids)
            .map(|(a, id)| self.send_result(a, id))
            .collect())
    }

    fn send_result(&self, a: Appended, uniq: Option<String>) -> SendResult {
        let offset_id = offset_msg_id(self.config.store_host, a.log_offset);
        SendResult {
            topic: a.topic,
            queue_id: a.queue_id,
            queue_offset: a.queue_offset,
            log_offset: a.log_offset,
            msg_id: uniq.unwrap_or_else(|| offset_id.clone()),
            offset_msg_id: offset_id,
            store_ms: a.store_ms,
        }
    }

    /// Stores a transactional half message; it stays invisible until [`Engine::end_transaction`] commits it.
    pub async fn prepare(&self, mut msg: Message, producer_group: &str) -> Result<SendResult> {
        let now = self.clock.now_ms();
        let topic = self.writable_topic(&msg.topic)?;
        let queue_id = self.choose_queue(&topic, &msg)?;
        msg.properties.set(keys::TRAN_MSG, "true");
        msg.properties.set(keys::PRODUCER_GROUP, producer_group);
        msg.properties.set(keys::REAL_TOPIC, msg.topic.clone());
        msg.properties.set(keys::REAL_QID, queue_id.to_string());
        msg.topic = metadata::HALF_TOPIC.to_string();
        if msg.born_timestamp == 0 {
            msg.born_timestamp = now;
        }
        record::validate(&msg, self.config.max_message_size)
            .map_err(EngineError::IllegalMessage)?;
        let uniq = msg.properties.get(keys::UNIQ_KEY).map(str::to_string);
        let item = PreparedMessage {
            msg,
            queue_id: 0,
            tx_flag: SYSFLAG_TX_PREPARED,
            prepared_transaction_offset: 0,
        };
        let mut a = self.writer.append(vec![item]).await?;
        let a = a.pop().ok_or(EngineError::ShuttingDown)?;
        Ok(self.send_result(a, uniq))
    }

    /// Commits (stores the real message) or rolls back the half message at `half_offset`.
    /// Returns the committed message's result, `None` for a rollback.
    pub async fn end_transaction(
        &self,
        half_offset: u64,
        commit: bool,
    ) -> Result<Option<SendResult>> {
        let state = self
            .indexes
            .take_half(half_offset)
            .ok_or(EngineError::TransactionResolved(half_offset))?;
        let res = self.resolve_half(half_offset, commit).await;
        if res.is_err() {
            self.indexes.put_half(half_offset, state);
        }
        res
    }

    pub(crate) async fn resolve_half(
        &self,
        half_offset: u64,
        commit: bool,
    ) -> Result<Option<SendResult>> {
        let half = self.message_at(half_offset)?;
        if commit {
            let real_topic = half
                .property(keys::REAL_TOPIC)
                .unwrap_or(&half.topic)
                .to_string();
            let queue_id = half
                .property(keys::REAL_QID)
                .and_then(|q| q.parse().ok())
                .unwrap_or(0);
            let mut msg = derive(&half, real_topic);
            for k in [keys::REAL_TOPIC, keys::REAL_QID, keys::TRAN_MSG] {
                msg.properties.remove(k);
            }
            msg.properties
                .set(keys::HALF_SOURCE, half_offset.to_string());
            self.writable_topic(&msg.topic)?;
            let uniq = msg.properties.get(keys::UNIQ_KEY).map(str::to_string);
            let item = PreparedMessage {
                msg,
                queue_id,
                tx_flag: SYSFLAG_TX_COMMIT,
                prepared_transaction_offset: half_offset as i64,
            };
            let mut a = self.writer.append(vec![item]).await?;
            let a = a.pop().ok_or(EngineError::ShuttingDown)?;
            Ok(Some(self.send_result(a, uniq)))
        } else {
            let mut op = Message::new(
                metadata::HALF_OP_TOPIC,
                half_offset.to_string().into_bytes(),
            );
            op.properties
                .set(keys::HALF_SOURCE, half_offset.to_string());
            op.born_timestamp = self.clock.now_ms();
            let item = PreparedMessage {
                msg: op,
                queue_id: 0,
                tx_flag: 0,
                prepared_transaction_offset: 0,
            };
            self.writer.append(vec![item]).await?;
            Ok(None)
        }
    }

    /// Sends a consumed message back for a later retry (remoting CONSUMER_SEND_MSG_BACK): into `%RETRY%<group>`
    /// after delay level `delay_level` (0: 3 + reconsume times, as RocketMQ), or into `%DLQ%<group>` once it was
    /// reconsumed `max_reconsume_times` times (group setting when `None`) or when `delay_level` is negative.
    pub async fn send_back(
        &self,
        group: &str,
        log_offset: u64,
        delay_level: i32,
        max_reconsume_times: Option<i32>,
    ) -> Result<SendResult> {
        let orig = self.message_at(log_offset)?;
        let group_cfg = self.group_or_create(group)?;
        let max = max_reconsume_times.unwrap_or(group_cfg.max_reconsume_times);
        if orig.reconsume_times >= max || delay_level < 0 {
            return self.to_dead_letter(group, &orig).await;
        }
        let mut msg = derive(&orig, metadata::retry_topic(group));
        if msg.properties.get(keys::RETRY_TOPIC).is_none() {
            msg.properties.set(keys::RETRY_TOPIC, orig.topic.clone());
        }
        if msg.properties.get(keys::ORIGIN_MESSAGE_ID).is_none() {
            msg.properties.set(keys::ORIGIN_MESSAGE_ID, orig.msg_id());
        }
        msg.reconsume_times = orig.reconsume_times + 1;
        let level = if delay_level == 0 {
            3 + orig.reconsume_times
        } else {
            delay_level
        };
        msg.properties.set(keys::DELAY, level.to_string());
        msg.queue_id = Some(0);
        self.append(msg).await
    }

    /// Copies `orig` into `%DLQ%<group>`.
    pub(crate) async fn to_dead_letter(
        &self,
        group: &str,
        orig: &StoredMessage,
    ) -> Result<SendResult> {
        let mut msg = derive(orig, metadata::dlq_topic(group));
        let origin_topic = orig
            .property(keys::RETRY_TOPIC)
            .unwrap_or(&orig.topic)
            .to_string();
        msg.properties
            .set(keys::DLQ_ORIGIN_TOPIC, origin_topic.clone());
        msg.properties
            .set(keys::DLQ_ORIGIN_MESSAGE_ID, orig.msg_id());
        if msg.properties.get(keys::RETRY_TOPIC).is_none() {
            msg.properties.set(keys::RETRY_TOPIC, origin_topic);
        }
        if msg.properties.get(keys::ORIGIN_MESSAGE_ID).is_none() {
            msg.properties.set(keys::ORIGIN_MESSAGE_ID, orig.msg_id());
        }
        msg.reconsume_times = orig.reconsume_times + 1;
        msg.queue_id = Some(0);
        self.append(msg).await
    }

    /// Validates `msg`, resolves its topic and queue, and moves a delayed message to the schedule topic.
    fn prepare_for_write(&self, mut msg: Message, now: i64) -> Result<PreparedMessage> {
        metadata::validate_topic_name(&msg.topic)?;
        if metadata::is_system_topic(&msg.topic) {
            return Err(EngineError::NoPermission(format!(
                "topic {} is reserved",
                msg.topic
            )));
        }
        record::validate(&msg, self.config.max_message_size)
            .map_err(EngineError::IllegalMessage)?;
        let topic = self.writable_topic(&msg.topic)?;
        let queue_id = self.choose_queue(&topic, &msg)?;
        if msg.born_timestamp == 0 {
            msg.born_timestamp = now;
        }
        if let Some((due, schedule_queue)) = delivery_time(&msg, now) {
            msg.properties.set(keys::REAL_TOPIC, msg.topic.clone());
            msg.properties.set(keys::REAL_QID, queue_id.to_string());
            msg.properties.set(keys::TIMER_DELIVER_MS, due.to_string());
            msg.topic = metadata::SCHEDULE_TOPIC.to_string();
            record::validate(&msg, self.config.max_message_size)
                .map_err(EngineError::IllegalMessage)?;
            return Ok(PreparedMessage {
                msg,
                queue_id: schedule_queue,
                tx_flag: 0,
                prepared_transaction_offset: 0,
            });
        }
        Ok(PreparedMessage {
            msg,
            queue_id,
            tx_flag: 0,
            prepared_transaction_offset: 0,
        })
    }

    /// The topic, auto-created when allowed; fails when it may not be written.
    pub(crate) fn writable_topic(&self, name: &str) -> Result<Arc<Topic>> {
        let topic = match self.metadata.topic(name) {
            Some(t) => t,
            None if name.starts_with(metadata::RETRY_PREFIX)
                || name.starts_with(metadata::DLQ_PREFIX) =>
            {
                self.metadata
                    .topic_or_create(name, || TopicConfig::new(name, RETRY_QUEUES))?
            }
            None if self.config.auto_create_topics => {
                self.metadata.topic_or_create(name, || {
                    TopicConfig::new(name, self.config.default_queue_count)
                })?
            }
            None => return Err(EngineError::TopicNotFound(name.to_string())),
        };
        if topic.config.perm & PERM_WRITE == 0 {
            return Err(EngineError::NoPermission(format!(
                "topic {name} is not writable"
            )));
        }
        Ok(topic)
    }

    fn choose_queue(&self, topic: &Topic, msg: &Message) -> Result<i32> {
        let n = topic.config.write_queues.max(1) as i32;
        match (msg.queue_id, msg.properties.get(keys::MESSAGE_GROUP)) {
            (Some(q), _) if q < 0 => Err(EngineError::QueueNotFound {
                topic: msg.topic.clone(),
                queue: q,
            }),
            (Some(q), _) => Ok(q % n),
            (None, Some(g)) => Ok((crc32fast::hash(g.as_bytes()) % n as u32) as i32),
            (None, None) => Ok(topic.next_queue()),
        }
    }

    /// Reads and parses the record at `log_offset`.
    pub fn message_at(&self, log_offset: u64) -> Result<StoredMessage> {
        let raw = self.log.read_record(log_offset)?;
        record::decode(raw).map_err(|e| EngineError::Corrupt {
            offset: log_offset,
            reason: e.to_string(),
        })
    }

    /// True when `topic` may be read.
    pub(crate) fn readable(&self, topic: &str) -> bool {
        self.metadata
            .topic(topic)
            .is_none_or(|t| t.config.perm & PERM_READ != 0)
    }
}

/// When a message must wait: (due ms, schedule queue), or `None` for immediate delivery.
fn delivery_time(msg: &Message, now: i64) -> Option<(i64, i32)> {
    let p = &msg.properties;
    if let Some(level) = p
        .get(keys::DELAY)
        .and_then(|v| v.trim().parse::<i32>().ok())
    {
        if let Some(ms) = delay_level_ms(level) {
            return Some((now + ms, level.clamp(1, 18) - 1));
        }
    }
    let due = p
        .get(keys::TIMER_DELIVER_MS)
        .and_then(|v| v.parse::<i64>().ok())
        .or_else(|| {
            p.get("TIMER_DELAY_MS")
                .and_then(|v| v.parse::<i64>().ok())
                .map(|d| now + d)
        })
        .or_else(|| {
            p.get("TIMER_DELAY_SEC")
                .and_then(|v| v.parse::<i64>().ok())
                .map(|d| now + d * 1000)
        })?;
    (due > now).then_some((due, TIMER_QUEUE))
}

/// A new message carrying `orig`'s body, flag, properties and birth, bound for `topic`.
pub(crate) fn derive(orig: &StoredMessage, topic: String) -> Message {
    let mut msg = Message::new(topic, orig.body.clone());
    msg.flag = orig.flag;
    msg.properties = orig.properties.clone();
    for k in [
        keys::DELAY,
        keys::TIMER_DELIVER_MS,
        "TIMER_DELAY_MS",
        "TIMER_DELAY_SEC",
        keys::SCHEDULE_SOURCE,
        keys::HALF_SOURCE,
    ] {
        msg.properties.remove(k);
    }
    msg.born_timestamp = orig.born_timestamp;
    msg.born_host = orig.born_host;
    msg.sys_flag = orig.sys_flag & !record::SYSFLAG_TX_MASK;
    msg.reconsume_times = orig.reconsume_times;
    msg
}
