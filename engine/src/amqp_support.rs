//! Pop-style consumption with JMS queue semantics, for the AMQP front-end (additive to `pop.rs`):
//! - [`Engine::receive_shared`]: messages a consumer's selector rejects stay on the queue, in order, for the
//!   group's other consumers (RocketMQ's `receive` acknowledges them on the group's behalf instead);
//! - [`Engine::release`]: give a delivery back now without counting an attempt (AMQP `released`);
//! - [`Engine::start_group_at_end`]: a new topic subscription sees only messages sent after it;
//! - [`Engine::forget_group`]: remove a subscription's group and all its pop state;
//! - [`Engine::browse`]: read a queue's unacknowledged messages without taking them (JMS `QueueBrowser`).

use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::message::StoredMessage;
use crate::pop::{Delivery, ReceiveRequest};
use crate::read::MessageFilter;

/// Index entries scanned per queue per shared receive, counted from the group's acknowledged floor.
const SHARED_SCAN: usize = 4096;

impl Engine {
    /// Like [`Engine::receive`], but messages the filter rejects are left for other consumers of the group
    /// (never acknowledged on its behalf), and redeliveries come in queue order with fresh messages.
    /// Scans at most 4096 entries past the group's acknowledged floor per queue and call.
    pub async fn receive_shared(&self, req: ReceiveRequest<'_>) -> Result<Vec<Delivery>> {
        self.receive_waiting(req, true).await
    }

    pub(crate) async fn receive_shared_once(
        &self,
        req: &ReceiveRequest<'_>,
    ) -> Result<Vec<Delivery>> {
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
        for cq in self.queues.topic_queues(req.topic) {
            if out.len() >= req.max_messages {
                break;
            }
            let (min, max) = (cq.min_offset(), cq.max_offset());
            let from = self.pop.with(req.group, req.topic, cq.queue_id, min, |st| {
                st.clamp_to(min);
                st.ack_floor
            });
            let entries = cq.entries(from, SHARED_SCAN.min((max - from).max(0) as usize))?;
            self.pop.with(req.group, req.topic, cq.queue_id, min, |st| {
                for (i, e) in entries.iter().enumerate() {
                    if out.len() >= req.max_messages {
                        break;
                    }
                    let offset = from + i as i64;
                    if st.is_acked(offset) {
                        continue;
                    }
                    let attempt = match st.inflight.get(&offset) {
                        Some(f) if f.deadline > now => continue,
                        Some(f) => f.attempt,
                        None => 0,
                    };
                    if e.is_hole() {
                        st.ack(offset);
                        continue;
                    }
                    let msg = match self.message_at(e.log_offset) {
                        Ok(m) => m,
                        Err(err) => {
                            if let Some(suppressed) = crate::log_limit::allow("shared-damaged-record") {
                                tracing::error!(offset = e.log_offset, error = %err, suppressed, "damaged record skipped");
                            }
                            st.ack(offset);
                            continue;
                        }
                    };
                    if attempt >= max_attempts {
                        st.ack(offset);
                        dead.push(msg);
                        continue;
                    }
                    if req.filter.is_some_and(|f| !f.accepts(&msg)) {
                        continue;
                    }
                    out.push(self.deliver(st, msg, offset, attempt + 1, now, req.invisible_ms, false));
                }
            });
        }
        for msg in dead {
            if let Err(e) = self.to_dead_letter(req.group, &msg).await {
                tracing::error!(error = %e, offset = msg.commit_log_offset, "could not move a message to the dead-letter queue");
            }
        }
        Ok(out)
    }

    /// Makes a delivery visible again now without counting it as an attempt (the consumer never processed
    /// it). Releasing a message that is no longer in flight with this handle is a no-op.
    pub fn release(&self, group: &str, handle: &str) -> Result<()> {
        let h = self.decode_receipt_handle(handle)?;
        let now = self.clock.now_ms();
        self.pop.with_existing(group, &h.topic, h.queue_id, |st| {
            if let Some(f) = st.inflight.get_mut(&h.queue_offset) {
                if f.attempt == h.attempt {
                    f.deadline = now;
                    f.attempt = f.attempt.saturating_sub(1);
                }
            }
        });
        self.queues.topic_signal(&h.topic).notify_waiters();
        Ok(())
    }

    /// Makes a delivery visible again now, counting the attempt (AMQP `modified` with delivery-failed, or a
    /// consumer that went away holding it).
    pub fn redeliver_now(&self, group: &str, handle: &str) -> Result<()> {
        let h = self.decode_receipt_handle(handle)?;
        self.change_invisible(group, handle, 0)?;
        self.queues.topic_signal(&h.topic).notify_waiters();
        Ok(())
    }

    /// Starts `group` at the current end of each queue of `topic`, unless it already has state there.
    pub fn start_group_at_end(&self, group: &str, topic: &str) -> Result<()> {
        self.group_or_create(group)?;
        for cq in self.queues.topic_queues(topic) {
            let end = cq.max_offset();
            self.pop.with(group, topic, cq.queue_id, end, |_| ());
        }
        Ok(())
    }

    /// Deletes `group`, its offsets and all its pop state.
    pub fn forget_group(&self, group: &str) -> Result<()> {
        self.pop.remove_group(group);
        self.delete_group(group).map(|_| ())
    }

    /// Up to `max` messages of `topic` from per-queue positions `cursor` (queue id → next offset, updated),
    /// skipping those `group` has acknowledged or holds in flight, in queue order.
    pub fn browse(
        &self,
        group: &str,
        topic: &str,
        cursor: &mut std::collections::BTreeMap<i32, i64>,
        max: usize,
        filter: Option<&dyn MessageFilter>,
    ) -> Result<Vec<StoredMessage>> {
        let mut out = Vec::new();
        for cq in self.queues.topic_queues(topic) {
            let min = cq.min_offset();
            let at = cursor.entry(cq.queue_id).or_insert(min);
            *at = (*at).max(min);
            let entries = cq.entries(
                *at,
                SHARED_SCAN.min((cq.max_offset() - *at).max(0) as usize),
            )?;
            for e in entries {
                if out.len() >= max {
                    break;
                }
                let offset = *at;
                *at += 1;
                let taken = self
                    .pop
                    .with_existing(group, topic, cq.queue_id, |st| st.is_acked(offset))
                    .unwrap_or(false);
                if taken || e.is_hole() {
                    continue;
                }
                let Ok(msg) = self.message_at(e.log_offset) else {
                    continue;
                };
                if filter.is_none_or(|f| f.accepts(&msg)) {
                    out.push(msg);
                }
            }
        }
        Ok(out)
    }
}
