//! Time-driven work run by [`Engine::tick`]: delivering due delayed messages, asking producers about
//! unresolved transactions (then rolling back, as RocketMQ does), and retention by age and disk usage.

use crate::engine::{Engine, EngineEvent};
use crate::error::Result;
use crate::message::keys;
use crate::produce::derive;
use crate::store::recovery::first_offset_at_or_after;
use crate::store::writer::PreparedMessage;

impl Engine {
    /// Moves every delayed message due at `now` to its real topic. Each delivered copy names its source, so
    /// a crash between delivery and bookkeeping never delivers twice.
    pub(crate) async fn deliver_due(&self, now: i64) -> Result<()> {
        for (due, offset) in self.indexes.take_due(now) {
            let delivered = async {
                let src = self.message_at(offset)?;
                let topic = src
                    .property(keys::REAL_TOPIC)
                    .unwrap_or(&src.topic)
                    .to_string();
                let queue_id = src
                    .property(keys::REAL_QID)
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(0);
                let mut msg = derive(&src, topic);
                msg.properties.remove(keys::REAL_TOPIC);
                msg.properties.remove(keys::REAL_QID);
                msg.properties
                    .set(keys::SCHEDULE_SOURCE, offset.to_string());
                self.writable_topic(&msg.topic)?;
                let item = PreparedMessage {
                    msg,
                    queue_id,
                    tx_flag: 0,
                    prepared_transaction_offset: 0,
                };
                self.writer.append(vec![item]).await
            }
            .await;
            if let Err(e) = delivered {
                match e {
                    crate::EngineError::Corrupt { .. } | crate::EngineError::MessageNotFound(_) => {
                        tracing::error!(offset, error = %e, "delayed message unreadable; dropped");
                    }
                    _ => {
                        self.indexes.reschedule(due, offset);
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends transaction checks for half messages past their immunity time, and rolls back those that reached
    /// the maximum number of checks.
    pub(crate) async fn check_transactions(&self, now: i64) -> Result<()> {
        let c = &self.config;
        for (offset, mut half) in self.indexes.halves() {
            if now - half.store_ms < c.transaction_immunity_ms
                || now - half.last_check_ms < c.transaction_check_interval_ms
            {
                continue;
            }
            if half.checks >= c.transaction_max_checks {
                if self.indexes.take_half(offset).is_some() {
                    tracing::info!(
                        offset,
                        checks = half.checks,
                        "transaction unresolved after the last check; rolled back"
                    );
                    if let Err(e) = self.resolve_half(offset, false).await {
                        self.indexes.put_half(offset, half);
                        return Err(e);
                    }
                }
                continue;
            }
            let msg = match self.message_at(offset) {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(offset, error = %e, "half message unreadable; rolled back");
                    self.indexes.take_half(offset);
                    continue;
                }
            };
            half.checks += 1;
            half.last_check_ms = now;
            self.indexes.put_half(offset, half.clone());
            let _ = self.events.send(EngineEvent::TransactionCheck {
                producer_group: half.producer_group,
                transaction_id: half.transaction_id,
                half: Box::new(msg),
            });
        }
        Ok(())
    }

    /// Deletes the oldest segments older than the retention time, or while the disk is fuller than the
    /// watermark; never the active segment, nor one holding a pending delayed or half message.
    pub(crate) fn apply_retention(&self, now: i64) -> Result<()> {
        let keep_after = now - self.config.retention_hours as i64 * 3_600_000;
        let mut removed = false;
        loop {
            let segs = self.log.segments();
            if segs.len() < 2 {
                break;
            }
            let oldest = &segs[0];
            let pinned = self
                .indexes
                .min_pending_offset()
                .is_some_and(|o| o < oldest.base + self.log.segment_size());
            let expired = oldest.newest_store_ms() < keep_after;
            let disk_full = self
                .disk_usage()
                .is_some_and(|u| u > self.config.disk_usage_watermark);
            if pinned || !(expired || disk_full) {
                break;
            }
            tracing::info!(
                segment = oldest.base,
                expired,
                disk_full,
                "retention removes a commit-log segment"
            );
            self.log.remove_oldest()?;
            removed = true;
        }
        if removed {
            let min = self.log.min_offset();
            for cq in self.queues.all() {
                cq.set_min_offset(first_offset_at_or_after(&cq, min)?);
            }
        }
        Ok(())
    }

    fn disk_usage(&self) -> Option<f64> {
        let total = fs4::total_space(&self.config.data_dir).ok()?;
        let free = fs4::available_space(&self.config.data_dir).ok()?;
        (total > 0).then(|| 1.0 - free as f64 / total as f64)
    }
}
