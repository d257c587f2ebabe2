//! Pop-style consumption (gRPC SimpleConsumer/PushConsumer, AMQP links, HTTP): receive messages that then stay
//! invisible to the group for a while; ack them, change their invisible time, or let them come back with a higher
//! attempt count. After the group's max attempts a message moves to `%DLQ%<group>`. FIFO groups get the messages
//! of one message group in order, and nothing more of a message group while part of it is in flight.

use crate::consume::pop_state::Inflight;
use crate::consume::receipt::ReceiptHandle;
use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::message::StoredMessage;
use crate::metadata::GroupConfig;
use crate::read::MessageFilter;
use std::collections::BTreeSet;
use std::time::Duration;

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message.
    pub message: StoredMessage,
    /// Handle to ack or change invisibility with.
    pub receipt_handle: String,
    /// Delivery attempt, from 1.
    pub attempt: u32,
    /// When it becomes visible again unless acked, ms.
    pub invisible_until: i64,
}

/// A receive call.
pub struct ReceiveRequest<'a> {
    /// Consumer group.
    pub group: &'a str,
    /// Topic.
    pub topic: &'a str,
    /// Which messages the consumer wants; the others are acknowledged on its behalf.
    pub filter: Option<&'a dyn MessageFilter>,
    /// Most messages returned.
    pub max_messages: usize,
    /// How long delivered messages stay invisible, ms.
    pub invisible_ms: i64,
    /// How long to wait for a message when none is ready.
    pub wait: Duration,
}

/// Entries scanned per queue per receive (bounds work when a filter matches little).
const SCAN_PER_QUEUE: usize = 512;

impl Engine {
    /// Receives up to `max_messages`, waiting up to `wait` when none is ready.
    pub async fn receive(&self, req: ReceiveRequest<'_>) -> Result<Vec<Delivery>> {
        self.receive_waiting(req, false).await
    }

    /// The long-poll loop shared by [`Engine::receive`] and `receive_shared` (which leaves filtered-out
    /// messages for other consumers instead of acknowledging them).
    pub(crate) async fn receive_waiting(
        &self,
        req: ReceiveRequest<'_>,
        keep_filtered: bool,
    ) -> Result<Vec<Delivery>> {
        let deadline = tokio::time::Instant::now() + req.wait;
        let signal = self.queues.topic_signal(req.topic);
        loop {
            let notified = signal.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let got = if keep_filtered {
                self.receive_shared_once(&req).await?
            } else {
                self.receive_once(&req).await?
            };
            let now_instant = tokio::time::Instant::now();
            if !got.is_empty() || now_instant >= deadline {
                return Ok(got);
            }
            // Wake on an append, on the next invisibility deadline, or at the end of the wait.
            let mut wake = deadline;
            if let Some(next) = self.pop.next_deadline(req.group, req.topic) {
                let in_ms = (next - self.clock.now_ms()).max(1) as u64;
                wake = wake.min(now_instant + Duration::from_millis(in_ms));
            }
            let _ = tokio::time::timeout_at(wake, notified).await;
        }
    }

    /// One pass over the topic's queues without waiting.
    async fn receive_once(&self, req: &ReceiveRequest<'_>) -> Result<Vec<Delivery>> {
        if !self.readable(req.topic) {
            return Err(EngineError::NoPermission(format!(
                "topic {} is not readable",
                req.topic
            )));
        }
        let group = self.group_or_create(req.group)?;
        let max_attempts = group.max_reconsume_times.max(0) as u32 + 1;
        let now = self.clock.now_ms();
        let mut out = Vec::new();
        let mut dead = Vec::new();
        let queues = self.queues.topic_queues(req.topic);
        if queues.is_empty() {
            return Ok(out);
        }
        let start = (now as usize / 7) % queues.len();
        for k in 0..queues.len() {
            if out.len() >= req.max_messages {
                break;
            }
            let cq = &queues[(start + k) % queues.len()];
            let want = req.max_messages - out.len();
            let (min, max) = (cq.min_offset(), cq.max_offset());
            let entries_from = self.pop.with(req.group, req.topic, cq.queue_id, min, |st| {
                st.clamp_to(min);
                if group.fifo {
                    st.ack_floor
                } else {
                    st.cursor
                }
            });
            let entries = cq.entries(
                entries_from,
                SCAN_PER_QUEUE.min((max - entries_from).max(0) as usize),
            )?;
            self.pop.with(req.group, req.topic, cq.queue_id, min, |st| -> Result<()> {
                let mut busy: BTreeSet<String> = if group.fifo { st.busy_groups(now) } else { BTreeSet::new() };
                let mut picked = 0;
                // First, deliveries whose invisibility expired, oldest offset first.
                for (offset, f) in st.expired(now) {
                    if picked >= want {
                        break;
                    }
                    if group.fifo && f.message_group.as_ref().is_some_and(|g| busy.contains(g)) {
                        continue;
                    }
                    let msg = match self.message_at(f.log_offset) {
                        Ok(m) => m,
                        Err(e) => {
                            tracing::error!(offset = f.log_offset, error = %e, "in-flight message unreadable; acknowledged");
                            st.ack(offset);
                            continue;
                        }
                    };
                    if f.attempt >= max_attempts {
                        st.ack(offset);
                        dead.push(msg);
                        continue;
                    }
                    if let Some(g) = &f.message_group {
                        busy.insert(g.clone());
                    }
                    out.push(self.deliver(st, msg, offset, f.attempt + 1, now, req.invisible_ms, group.fifo));
                    picked += 1;
                }
                // Then fresh messages.
                for (i, e) in entries.iter().enumerate() {
                    if picked >= want {
                        break;
                    }
                    let offset = entries_from + i as i64;
                    if st.is_acked(offset) {
                        continue;
                    }
                    if let Some(f) = st.inflight.get(&offset) {
                        if let Some(g) = &f.message_group {
                            busy.insert(g.clone());
                        }
                        continue;
                    }
                    if e.is_hole() || req.filter.is_some_and(|f| !f.accepts_tag_hash(e.tag_hash)) {
                        st.ack(offset);
                        continue;
                    }
                    let msg = match self.message_at(e.log_offset) {
                        Ok(m) => m,
                        Err(err) => {
                            if let Some(suppressed) = crate::log_limit::allow("pop-damaged-record") {
                                tracing::error!(offset = e.log_offset, error = %err, suppressed, "damaged record skipped");
                            }
                            st.ack(offset);
                            continue;
                        }
                    };
                    if req.filter.is_some_and(|f| !f.accepts(&msg)) {
                        st.ack(offset);
                        continue;
                    }
                    if group.fifo {
                        if let Some(g) = msg.message_group() {
                            if !busy.insert(g.to_string()) {
                                continue;
                            }
                        }
                    }
                    out.push(self.deliver(st, msg, offset, 1, now, req.invisible_ms, group.fifo));
                    picked += 1;
                }
                Ok(())
            })?;
        }
        for msg in dead {
            if let Err(e) = self.to_dead_letter(req.group, &msg).await {
                tracing::error!(error = %e, offset = msg.commit_log_offset, "could not move a message to the dead-letter queue");
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn deliver(
        &self,
        st: &mut crate::consume::pop_state::PopQueueState,
        message: StoredMessage,
        offset: i64,
        attempt: u32,
        now: i64,
        invisible_ms: i64,
        fifo: bool,
    ) -> Delivery {
        let deadline = now + invisible_ms.max(0);
        st.deliver(
            offset,
            Inflight {
                deadline,
                attempt,
                pop_time: now,
                log_offset: message.commit_log_offset,
                message_group: if fifo {
                    message.message_group().map(str::to_string)
                } else {
                    None
                },
            },
        );
        let handle = ReceiptHandle {
            topic: message.topic.clone(),
            queue_id: message.queue_id,
            queue_offset: offset,
            log_offset: message.commit_log_offset,
            pop_time: now,
            deadline,
            attempt,
        };
        Delivery {
            receipt_handle: handle.encode(&self.secret),
            attempt,
            invisible_until: deadline,
            message,
        }
    }

    /// Decodes a receipt handle issued by this data directory.
    pub fn decode_receipt_handle(&self, handle: &str) -> Result<ReceiptHandle> {
        ReceiptHandle::decode(handle, &self.secret)
    }

    /// Acknowledges a delivery. Acking twice is fine; acking with the handle of an earlier attempt after the
    /// message was delivered again is [`EngineError::ReceiptHandleExpired`].
    pub fn ack(&self, group: &str, handle: &str) -> Result<()> {
        let h = self.decode_receipt_handle(handle)?;
        self.pop
            .with_existing(group, &h.topic, h.queue_id, |st| {
                match st.inflight.get(&h.queue_offset) {
                    Some(f) if f.attempt != h.attempt => Err(EngineError::ReceiptHandleExpired),
                    Some(_) => {
                        st.ack(h.queue_offset);
                        Ok(())
                    }
                    None if st.is_acked(h.queue_offset) => Ok(()),
                    None => Err(EngineError::InvalidReceiptHandle(
                        "message is not in flight",
                    )),
                }
            })
            .unwrap_or(Err(EngineError::InvalidReceiptHandle(
                "no deliveries for this group and queue",
            )))
    }

    /// Sets how long the delivery stays invisible from now; returns a new handle (the old one stays valid for
    /// acking until the message is delivered again). Use it with a retry back-off to "nack".
    pub fn change_invisible(&self, group: &str, handle: &str, invisible_ms: i64) -> Result<String> {
        let h = self.decode_receipt_handle(handle)?;
        let now = self.clock.now_ms();
        let deadline = now + invisible_ms.max(0);
        self.pop
            .with_existing(group, &h.topic, h.queue_id, |st| {
                match st.inflight.get_mut(&h.queue_offset) {
                    Some(f) if f.attempt != h.attempt => Err(EngineError::ReceiptHandleExpired),
                    Some(f) => {
                        f.deadline = deadline;
                        Ok(())
                    }
                    None => Err(EngineError::InvalidReceiptHandle(
                        "message is not in flight",
                    )),
                }
            })
            .unwrap_or(Err(EngineError::InvalidReceiptHandle(
                "no deliveries for this group and queue",
            )))?;
        Ok(ReceiptHandle {
            pop_time: now,
            deadline,
            ..h
        }
        .encode(&self.secret))
    }

    /// Moves a delivered message to the group's dead-letter topic now and acknowledges it.
    pub async fn forward_to_dead_letter(&self, group: &str, handle: &str) -> Result<()> {
        let h = self.decode_receipt_handle(handle)?;
        let msg = self.message_at(h.log_offset)?;
        self.to_dead_letter(group, &msg).await?;
        self.ack(group, handle)
    }

    /// The group's settings, creating it with defaults when allowed.
    pub fn group_or_create(&self, name: &str) -> Result<GroupConfig> {
        if let Some(g) = self.metadata.group(name) {
            return Ok(g);
        }
        if !self.config.auto_create_groups {
            return Err(EngineError::GroupNotFound(name.to_string()));
        }
        let g = GroupConfig::new(name, self.config.max_reconsume_times);
        self.metadata.put_group(g.clone())?;
        Ok(g)
    }
}
