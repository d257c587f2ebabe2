//! The single log writer: one lock holder at a time encodes a batch into one buffer, writes it with one system
//! call (and, in `sync` mode, a dedicated thread shares one `fsync` among all queued producers — group commit),
//! then publishes consume-queue entries, wakes long-polling readers and answers every producer of the batch.
//! A failed write (full disk) is undone byte for byte and reported to every producer in the batch.

use super::commit_log::CommitLog;
use super::dispatch::{DispatchRecord, Dispatcher};
use super::record::{self, Placement};
use super::segment::Segment;
use crate::clock::Clock;
use crate::config::FlushMode;
use crate::consume::queue_index::{ConsumeQueue, IndexEntry};
use crate::consume::registry::QueueRegistry;
use crate::error::{EngineError, Result};
use crate::message::{keys, tag_hash, Message};
use bytes::BytesMut;
use parking_lot::{Mutex, RwLock};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most bytes encoded into one write.
const MAX_BATCH_BYTES: usize = 4 << 20;
/// Most queued jobs drained into one write.
const MAX_BATCH_JOBS: usize = 1024;

/// A message with its destination queue decided.
#[derive(Debug, Clone)]
pub struct PreparedMessage {
    /// The message.
    pub msg: Message,
    /// Destination queue.
    pub queue_id: i32,
    /// Transaction sysFlag bits to set.
    pub tx_flag: i32,
    /// Half-message offset (committed transactional messages).
    pub prepared_transaction_offset: i64,
}

/// Where an appended message landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Topic it was stored under.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// Queue offset.
    pub queue_offset: i64,
    /// Commit-log offset.
    pub log_offset: u64,
    /// Record size.
    pub size: u32,
    /// Store time, ms.
    pub store_ms: i64,
}

struct Job {
    items: Vec<PreparedMessage>,
    reply: oneshot::Sender<Result<Vec<Appended>>>,
}

/// The handle producers use to append. In `async` flush mode a producer takes the writer lock and writes its
/// own batch (a page-cache write is cheaper than a hand-off to another thread); in `sync` mode producers queue
/// to the writer thread, which shares one `fsync` among everything queued meanwhile (group commit).
pub struct Writer {
    core: Arc<Mutex<WriterCore>>,
    /// Sync mode: the queue to the writer thread; `None` once closed.
    queue: RwLock<Option<mpsc::Sender<Job>>>,
    closed: AtomicBool,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// What the writer needs.
pub struct WriterParts {
    /// The log.
    pub log: Arc<CommitLog>,
    /// Consume queues.
    pub queues: Arc<QueueRegistry>,
    /// Indexes fed after each write.
    pub dispatcher: Arc<dyn Dispatcher>,
    /// Time source for store timestamps.
    pub clock: Arc<dyn Clock>,
    /// Flush policy.
    pub flush: FlushMode,
    /// Store host written into records.
    pub store_host: SocketAddr,
}

impl Writer {
    /// Creates the writer; in `sync` mode also starts the writer thread.
    pub fn start(parts: WriterParts) -> Result<(Writer, Option<std::thread::JoinHandle<()>>)> {
        let sync = parts.flush == FlushMode::Sync;
        let core = Arc::new(Mutex::new(WriterCore {
            parts,
            buf: BytesMut::with_capacity(MAX_BATCH_BYTES),
        }));
        let (queue, handle) = if sync {
            let (tx, rx) = mpsc::channel(4096);
            let core = core.clone();
            let handle = std::thread::Builder::new()
                .name("mqgate-log-writer".into())
                .spawn(move || run_group_commit(&core, rx))?;
            (Some(tx), Some(handle))
        } else {
            (None, None)
        };
        let writer = Writer {
            core,
            queue: RwLock::new(queue),
            closed: AtomicBool::new(false),
        };
        Ok((writer, handle))
    }

    /// Appends `items` atomically as a group (all stored or none) and returns once durable per the flush policy.
    pub async fn append(&self, items: Vec<PreparedMessage>) -> Result<Vec<Appended>> {
        match self.sender()? {
            None => {
                let res = self.core.lock().write_one(items);
                // The write never awaited: give other tasks on this worker their turn.
                tokio::task::consume_budget().await;
                res
            }
            Some(tx) => {
                let (reply, rx) = oneshot::channel();
                tx.send(Job { items, reply })
                    .await
                    .map_err(|_| EngineError::ShuttingDown)?;
                rx.await.map_err(|_| EngineError::ShuttingDown)?
            }
        }
    }

    /// Blocking form of [`Writer::append`], for threads outside a runtime.
    pub fn append_blocking(&self, items: Vec<PreparedMessage>) -> Result<Vec<Appended>> {
        match self.sender()? {
            None => self.core.lock().write_one(items),
            Some(tx) => {
                let (reply, rx) = oneshot::channel();
                tx.blocking_send(Job { items, reply })
                    .map_err(|_| EngineError::ShuttingDown)?;
                rx.blocking_recv().map_err(|_| EngineError::ShuttingDown)?
            }
        }
    }

    fn sender(&self) -> Result<Option<mpsc::Sender<Job>>> {
        if self.closed.load(Ordering::Acquire) {
            return Err(EngineError::ShuttingDown);
        }
        Ok(self.queue.read().clone())
    }

    /// Refuses further appends; queued ones still complete.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.queue.write().take();
        // Wait for an in-progress inline write to finish.
        drop(self.core.lock());
    }
}

/// The writer thread of `sync` mode: drains everything queued, writes it once, fsyncs once, answers all.
fn run_group_commit(core: &Mutex<WriterCore>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        let mut bytes: usize = jobs[0].items.iter().map(|i| i.msg.body.len()).sum();
        while jobs.len() < MAX_BATCH_JOBS && bytes < MAX_BATCH_BYTES {
            match rx.try_recv() {
                Ok(j) => {
                    bytes += j.items.iter().map(|i| i.msg.body.len()).sum::<usize>();
                    jobs.push(j);
                }
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<_>, Vec<_>) =
            jobs.into_iter().map(|j| (j.items, j.reply)).unzip();
        match core.lock().write_batch(&items) {
            Ok(results) => {
                for (reply, res) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(res));
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(replicate(&e)));
                }
            }
        }
    }
}

/// The writer's state: the encode buffer. Only the holder of its lock appends. Queue offsets come from each
/// consume queue's end, which moves only when a batch is published, so a failed batch needs no undo there.
struct WriterCore {
    parts: WriterParts,
    buf: BytesMut,
}

struct Placed {
    job: usize,
    item: usize,
    appended: Appended,
    sys_flag: i32,
}

/// A queue touched by the batch: its index, the batch's first offset in it, and its entries.
struct BatchQueue {
    cq: Arc<ConsumeQueue>,
    first: i64,
    entries: Vec<IndexEntry>,
}

impl WriterCore {
    fn write_one(&mut self, items: Vec<PreparedMessage>) -> Result<Vec<Appended>> {
        let mut v = self.write_batch(std::slice::from_ref(&items))?;
        Ok(v.pop().unwrap_or_default())
    }

    /// Writes every job's items in one go; all stored or none.
    fn write_batch(&mut self, jobs: &[Vec<PreparedMessage>]) -> Result<Vec<Vec<Appended>>> {
        let mut queues = Vec::new();
        match self.write_jobs(jobs, &mut queues) {
            Ok(placed) => {
                self.publish(jobs, &placed, queues);
                let mut results: Vec<Vec<Appended>> =
                    jobs.iter().map(|j| Vec::with_capacity(j.len())).collect();
                for p in placed {
                    results[p.job].push(p.appended);
                }
                Ok(results)
            }
            Err(e) => {
                if let Some(suppressed) = crate::log_limit::allow("append-failed") {
                    tracing::warn!(error = %e, suppressed, "append failed; batch undone");
                }
                Err(e)
            }
        }
    }

    /// The batch's slot for a queue, created on first use.
    fn batch_queue(
        &self,
        queues: &mut Vec<BatchQueue>,
        topic: &str,
        queue_id: i32,
    ) -> Result<usize> {
        if let Some(i) = queues
            .iter()
            .position(|q| q.cq.queue_id == queue_id && q.cq.topic == topic)
        {
            return Ok(i);
        }
        let cq = self.parts.queues.get_or_create(topic, queue_id)?;
        let first = cq.max_offset();
        queues.push(BatchQueue {
            cq,
            first,
            entries: Vec::new(),
        });
        Ok(queues.len() - 1)
    }

    /// Encodes and writes every job; on failure undoes the bytes written and returns the error.
    fn write_jobs(
        &mut self,
        jobs: &[Vec<PreparedMessage>],
        queues: &mut Vec<BatchQueue>,
    ) -> Result<Vec<Placed>> {
        let log = self.parts.log.clone();
        let mut seg = log.active();
        let mut touched: Vec<(Arc<Segment>, u64)> = vec![(seg.clone(), seg.len())];
        let mut placed = Vec::new();
        let now = self.parts.clock.now_ms();
        self.buf.clear();
        let undo = |touched: &[(Arc<Segment>, u64)]| {
            for (s, len) in touched {
                if let Err(e) = s.truncate(*len) {
                    tracing::error!(error = %e, segment = s.base, "could not undo a failed append");
                }
            }
        };
        for (ji, job) in jobs.iter().enumerate() {
            for (ii, item) in job.iter().enumerate() {
                let size = record::encoded_len(&item.msg, &self.parts.store_host);
                if size as u64 > log.segment_size() {
                    undo(&touched);
                    return Err(EngineError::IllegalMessage(format!(
                        "record of {size} bytes exceeds the segment size"
                    )));
                }
                if seg.len() + self.buf.len() as u64 + size as u64 > log.segment_size() {
                    if let Err(e) = seg.append(&self.buf) {
                        undo(&touched);
                        return Err(e.into());
                    }
                    self.buf.clear();
                    seg = match log.roll() {
                        Ok(s) => s,
                        Err(e) => {
                            undo(&touched);
                            return Err(e);
                        }
                    };
                    touched.push((seg.clone(), 0));
                }
                let log_offset = seg.end() + self.buf.len() as u64;
                let qi = match self.batch_queue(queues, &item.msg.topic, item.queue_id) {
                    Ok(i) => i,
                    Err(e) => {
                        undo(&touched);
                        return Err(e);
                    }
                };
                let bq = &mut queues[qi];
                let queue_offset = bq.first + bq.entries.len() as i64;
                let tag_hash = item
                    .msg
                    .properties
                    .get(keys::TAGS)
                    .map(tag_hash)
                    .unwrap_or(0);
                bq.entries.push(IndexEntry {
                    log_offset,
                    size: size as u32,
                    tag_hash,
                    store_ms: now,
                });
                let at = Placement {
                    queue_id: item.queue_id,
                    queue_offset,
                    commit_log_offset: log_offset,
                    store_timestamp: now,
                    store_host: self.parts.store_host,
                    tx_flag: item.tx_flag,
                    prepared_transaction_offset: item.prepared_transaction_offset,
                };
                record::encode(&item.msg, &at, &mut self.buf);
                placed.push(Placed {
                    job: ji,
                    item: ii,
                    appended: Appended {
                        topic: item.msg.topic.clone(),
                        queue_id: item.queue_id,
                        queue_offset,
                        log_offset,
                        size: size as u32,
                        store_ms: now,
                    },
                    sys_flag: item.msg.sys_flag | item.tx_flag,
                });
            }
        }
        if let Err(e) = seg.append(&self.buf) {
            undo(&touched);
            return Err(e.into());
        }
        if self.parts.flush == FlushMode::Sync {
            for (s, _) in &touched {
                if let Err(e) = s.sync() {
                    undo(&touched);
                    return Err(e.into());
                }
            }
        }
        for (s, _) in &touched {
            s.note_store_ms(now);
        }
        Ok(placed)
    }

    /// Publishes consume-queue entries, feeds the indexes and wakes readers.
    fn publish(&self, jobs: &[Vec<PreparedMessage>], placed: &[Placed], queues: Vec<BatchQueue>) {
        for p in placed {
            let a = &p.appended;
            self.parts.dispatcher.dispatch(&DispatchRecord {
                topic: &a.topic,
                queue_id: a.queue_id,
                queue_offset: a.queue_offset,
                log_offset: a.log_offset,
                size: a.size,
                store_ms: a.store_ms,
                sys_flag: p.sys_flag,
                properties: &jobs[p.job][p.item].msg.properties,
            });
        }
        let mut signalled: Vec<&str> = Vec::new();
        for bq in &queues {
            bq.cq.append(bq.first, &bq.entries);
            bq.cq.appended.notify_waiters();
            if !signalled.contains(&bq.cq.topic.as_str()) {
                signalled.push(&bq.cq.topic);
                self.parts
                    .queues
                    .topic_signal(&bq.cq.topic)
                    .notify_waiters();
            }
        }
    }
}

/// The same failure, for each producer of a failed batch.
fn replicate(e: &EngineError) -> EngineError {
    match e {
        EngineError::IllegalMessage(m) => EngineError::IllegalMessage(m.clone()),
        EngineError::Io(io) => EngineError::Io(std::io::Error::new(io.kind(), io.to_string())),
        other => EngineError::Io(std::io::Error::other(other.to_string())),
    }
}
