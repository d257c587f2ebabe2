//! Offset-style consumption (remoting pull, gRPC PullMessage, bridges): read a run of messages from one queue,
//! optionally filtered, with long-poll wake-up on append; committed offsets; seek by time; queries by id and key.

use crate::consume::queue_index::{ConsumeQueue, IndexEntry};
use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::message::{decode_offset_msg_id, StoredMessage};
use crate::store::record;
use std::sync::Arc;
use std::time::Duration;

/// Decides which messages a reader wants. Front-ends implement it with the filter crate (tags, SQL92, JMS).
pub trait MessageFilter: Send + Sync {
    /// Cheap pre-check on the tag hash stored in the index; `false` skips the record without reading it.
    fn accepts_tag_hash(&self, _tag_hash: i64) -> bool {
        true
    }
    /// The full check on the parsed message.
    fn accepts(&self, msg: &StoredMessage) -> bool;
}

/// What a read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStatus {
    /// Messages are returned.
    Found,
    /// The offset is at the end of the queue.
    NoNewMessage,
    /// Entries were scanned but the filter matched none; `next_offset` moved past them.
    NoMatchedMessage,
    /// The offset is below the queue's lowest readable offset; continue at `next_offset`.
    OffsetTooSmall,
    /// The offset is past the end of the queue; continue at `next_offset`.
    OffsetOverflow,
}

/// The answer to a read.
#[derive(Debug, Clone)]
pub struct ReadResult {
    /// Outcome.
    pub status: ReadStatus,
    /// Messages, in queue order.
    pub messages: Vec<StoredMessage>,
    /// Where the next read should start.
    pub next_offset: i64,
    /// Lowest readable offset of the queue.
    pub min_offset: i64,
    /// End of the queue (next offset to be written).
    pub max_offset: i64,
}

/// Limits of one read.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Most messages returned.
    pub max_messages: usize,
    /// Most record bytes returned.
    pub max_bytes: usize,
    /// Most index entries scanned (bounds work when a filter matches little).
    pub max_scan: usize,
}

impl ReadLimits {
    /// Up to `n` messages, 8 MiB, scanning at most max(n × 16, 2000) entries.
    pub fn messages(n: usize) -> Self {
        ReadLimits {
            max_messages: n,
            max_bytes: 8 << 20,
            max_scan: (n * 16).max(2000),
        }
    }
}

impl Engine {
    /// Reads messages of `topic`/`queue` from `offset`.
    pub fn read(
        &self,
        topic: &str,
        queue: i32,
        offset: i64,
        limits: ReadLimits,
        filter: Option<&dyn MessageFilter>,
    ) -> Result<ReadResult> {
        let Some(cq) = self.queues.get(topic, queue) else {
            let status = if offset == 0 {
                ReadStatus::NoNewMessage
            } else {
                ReadStatus::OffsetOverflow
            };
            return Ok(ReadResult {
                status,
                messages: Vec::new(),
                next_offset: 0,
                min_offset: 0,
                max_offset: 0,
            });
        };
        if !self.readable(topic) {
            return Err(EngineError::NoPermission(format!(
                "topic {topic} is not readable"
            )));
        }
        read_queue(self, &cq, offset, limits, filter)
    }

    /// Like [`Engine::read`], but when nothing new is there, waits up to `wait` for an append to the queue.
    pub async fn read_wait(
        &self,
        topic: &str,
        queue: i32,
        offset: i64,
        limits: ReadLimits,
        filter: Option<&dyn MessageFilter>,
        wait: Duration,
    ) -> Result<ReadResult> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let signal = match self.queues.get(topic, queue) {
                Some(cq) => SignalSource::Queue(cq),
                None => SignalSource::Topic(self.queues.topic_signal(topic)),
            };
            let notified = signal.notify().notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let r = self.read(topic, queue, offset, limits, filter)?;
            if r.status != ReadStatus::NoNewMessage || tokio::time::Instant::now() >= deadline {
                return Ok(r);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.read(topic, queue, offset, limits, filter);
            }
        }
    }

    /// Lowest readable offset of a queue.
    pub fn min_offset(&self, topic: &str, queue: i32) -> i64 {
        self.queues
            .get(topic, queue)
            .map(|q| q.min_offset())
            .unwrap_or(0)
    }

    /// End of a queue (the offset the next message gets).
    pub fn max_offset(&self, topic: &str, queue: i32) -> i64 {
        self.queues
            .get(topic, queue)
            .map(|q| q.max_offset())
            .unwrap_or(0)
    }

    /// The first offset of a queue stored at or after `timestamp_ms` (the end when none).
    pub fn offset_for_time(&self, topic: &str, queue: i32, timestamp_ms: i64) -> Result<i64> {
        match self.queues.get(topic, queue) {
            Some(q) => Ok(q.offset_for_time(timestamp_ms)?),
            None => Ok(0),
        }
    }

    /// Store time of the message at a queue offset.
    pub fn store_time_at(&self, topic: &str, queue: i32, offset: i64) -> Result<Option<i64>> {
        match self.queues.get(topic, queue) {
            Some(q) => Ok(q
                .entry(offset)?
                .filter(|e| !e.is_hole())
                .map(|e| e.store_ms)),
            None => Ok(None),
        }
    }

    /// Commits a consumer offset.
    pub fn commit_offset(&self, group: &str, topic: &str, queue: i32, offset: i64) {
        self.offsets.commit(group, topic, queue, offset);
    }

    /// The committed offset, if any.
    pub fn committed_offset(&self, group: &str, topic: &str, queue: i32) -> Option<i64> {
        self.offsets.get(group, topic, queue)
    }

    /// The message at a queue offset.
    pub fn message_at_queue_offset(
        &self,
        topic: &str,
        queue: i32,
        offset: i64,
    ) -> Result<StoredMessage> {
        let r = self.read(topic, queue, offset, ReadLimits::messages(1), None)?;
        r.messages
            .into_iter()
            .find(|m| m.queue_offset == offset)
            .ok_or_else(|| EngineError::MessageNotFound(format!("{topic}/{queue}@{offset}")))
    }

    /// A message by id: the producer's unique key, or a broker offset id.
    pub fn message_by_id(&self, id: &str) -> Result<StoredMessage> {
        for off in self.indexes.by_unique_id(id) {
            if let Ok(m) = self.message_at(off) {
                if m.property(crate::message::keys::UNIQ_KEY) == Some(id) {
                    return Ok(m);
                }
            }
        }
        if let Some((_, off)) = decode_offset_msg_id(id) {
            if let Ok(m) = self.message_at(off) {
                return Ok(m);
            }
        }
        Err(EngineError::MessageNotFound(id.to_string()))
    }

    /// Messages of `topic` carrying `key`, stored within `[begin_ms, end_ms]`, newest last, at most `max`.
    pub fn messages_by_key(
        &self,
        topic: &str,
        key: &str,
        max: usize,
        begin_ms: i64,
        end_ms: i64,
    ) -> Vec<StoredMessage> {
        self.indexes
            .by_key(topic, key)
            .into_iter()
            .filter_map(|off| self.message_at(off).ok())
            .filter(|m| m.topic == topic && m.keys().any(|k| k == key))
            .filter(|m| m.store_timestamp >= begin_ms && m.store_timestamp <= end_ms)
            .take(max)
            .collect()
    }
}

enum SignalSource {
    Queue(Arc<ConsumeQueue>),
    Topic(Arc<tokio::sync::Notify>),
}

impl SignalSource {
    fn notify(&self) -> &tokio::sync::Notify {
        match self {
            SignalSource::Queue(q) => &q.appended,
            SignalSource::Topic(n) => n,
        }
    }
}

/// Reads from one queue; records that sit back to back in the log are fetched with one read and sliced.
fn read_queue(
    engine: &Engine,
    cq: &ConsumeQueue,
    offset: i64,
    limits: ReadLimits,
    filter: Option<&dyn MessageFilter>,
) -> Result<ReadResult> {
    let (min, max) = (cq.min_offset(), cq.max_offset());
    let empty = |status, next| {
        Ok(ReadResult {
            status,
            messages: Vec::new(),
            next_offset: next,
            min_offset: min,
            max_offset: max,
        })
    };
    if offset < min {
        return empty(ReadStatus::OffsetTooSmall, min);
    }
    if offset == max {
        return empty(ReadStatus::NoNewMessage, offset);
    }
    if offset > max {
        return empty(ReadStatus::OffsetOverflow, max);
    }
    let entries = cq.entries(offset, limits.max_scan)?;
    let mut messages = Vec::new();
    let mut bytes = 0usize;
    let mut next = offset;
    let mut i = 0;
    while i < entries.len() && messages.len() < limits.max_messages && bytes < limits.max_bytes {
        let e = entries[i];
        if e.is_hole() || filter.is_some_and(|f| !f.accepts_tag_hash(e.tag_hash)) {
            i += 1;
            next = offset + i as i64;
            continue;
        }
        // A run of back-to-back records in one segment that pass the tag pre-check.
        let segment_end = engine.log.segment_end(e.log_offset).unwrap_or(0);
        let mut j = i + 1;
        let mut run_len = e.size as usize;
        while j < entries.len()
            && entries[j].log_offset + entries[j].size as u64 <= segment_end
            && j - i < limits.max_messages - messages.len()
            && run_len < limits.max_bytes - bytes
            && entries[j].log_offset == entries[j - 1].log_offset + entries[j - 1].size as u64
            && filter.is_none_or(|f| f.accepts_tag_hash(entries[j].tag_hash))
        {
            run_len += entries[j].size as usize;
            j += 1;
        }
        let run = engine.log.read_bytes(e.log_offset, run_len)?;
        let mut at = 0usize;
        for entry in &entries[i..j] {
            let raw = run.slice(at..at + entry.size as usize);
            at += entry.size as usize;
            let Some(msg) = decode_checked(entry, raw) else {
                continue;
            };
            if filter.is_none_or(|f| f.accepts(&msg)) {
                bytes += entry.size as usize;
                messages.push(msg);
            }
        }
        i = j;
        next = offset + i as i64;
    }
    let status = if messages.is_empty() {
        ReadStatus::NoMatchedMessage
    } else {
        ReadStatus::Found
    };
    Ok(ReadResult {
        status,
        messages,
        next_offset: next,
        min_offset: min,
        max_offset: max,
    })
}

/// Parses a record read through the index; a damaged one is reported and skipped, never served.
fn decode_checked(entry: &IndexEntry, raw: bytes::Bytes) -> Option<StoredMessage> {
    match record::decode(raw) {
        Ok(m) => Some(m),
        Err(e) => {
            if let Some(suppressed) = crate::log_limit::allow("read-damaged-record") {
                tracing::error!(offset = entry.log_offset, error = %e, suppressed, "damaged record skipped");
            }
            None
        }
    }
}
