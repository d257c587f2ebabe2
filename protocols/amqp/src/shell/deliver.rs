//! Deliveries to consumers: credit starts a fetch task (a pop-style engine receive that waits for
//! messages), its results go out as transfers, and the peer's outcomes become engine calls: accepted =
//! ack, released = back now with the same count, modified(delivery-failed) = back with count + 1,
//! rejected = dead-letter queue.

use super::conn::{ConnTask, ConsumerKind, Fetched, InFlight};
use crate::codec::DeliveryState;
use crate::jms::convert::{expiry_of, to_amqp};
use crate::session::LinkRef;
use mqgate_engine::{MessageFilter, ReceiveRequest};
use std::time::{Duration, Instant};

/// Most messages one fetch asks for.
const FETCH_MAX: u32 = 256;
/// How long one fetch waits for a message before the task ends (and is started again while credit lasts).
const FETCH_WAIT: Duration = Duration::from_secs(5);

impl ConnTask {
    pub(super) fn on_credit(&mut self, link: LinkRef, drain: bool) {
        let Some(c) = self.consumers.get_mut(&link) else {
            return;
        };
        if drain {
            c.drain = true;
            // A drain needs an answer now: replace a waiting fetch with one that does not wait.
            if let Some((_, abort)) = c.fetching.take() {
                abort.abort();
            }
        }
        self.fill(link);
    }

    /// Uses the link's credit: browsers read inline, consumers start a fetch task unless one runs.
    pub(super) fn fill(&mut self, link: LinkRef) {
        let credit = self.conn.credit(link);
        let Some(c) = self.consumers.get_mut(&link) else {
            return;
        };
        if credit == 0 {
            if c.drain {
                c.drain = false;
                self.conn.drained(link);
            }
            return;
        }
        if c.fetching.is_some() {
            return;
        }
        let engine = self.broker.engine.clone();
        match &mut c.kind {
            ConsumerKind::Lookup => {
                if c.drain {
                    c.drain = false;
                    self.conn.drained(link);
                }
            }
            ConsumerKind::Browser(cursor) => {
                let filter = c.filter.as_deref().map(|f| f as &dyn MessageFilter);
                let msgs = engine
                    .browse(&c.group, &c.topic, cursor, credit as usize, filter)
                    .unwrap_or_default();
                let drain = std::mem::take(&mut c.drain);
                for m in msgs {
                    let (prefix, body) = to_amqp(&m, 1);
                    let token = self.next_token;
                    self.next_token += 1;
                    self.conn.send_delivery(link, &prefix, &body, token, true);
                }
                if drain {
                    self.conn.drained(link);
                }
            }
            ConsumerKind::Queue | ConsumerKind::Subscription => {
                let shared = matches!(c.kind, ConsumerKind::Queue);
                let wait = if c.drain { Duration::ZERO } else { FETCH_WAIT };
                let (group, topic, filter) = (c.group.clone(), c.topic.clone(), c.filter.clone());
                let invisible_ms = self.broker.settings.invisible_ms;
                let fetch_id = self.broker.next_id();
                let tx = self.fetch_tx.clone();
                let max = credit.min(FETCH_MAX) as usize;
                let task = tokio::spawn(async move {
                    let req = ReceiveRequest {
                        group: &group,
                        topic: &topic,
                        filter: filter.as_deref().map(|f| f as &dyn MessageFilter),
                        max_messages: max,
                        invisible_ms,
                        wait,
                    };
                    let result = if shared {
                        engine.receive_shared(req).await
                    } else {
                        engine.receive(req).await
                    };
                    if let Err(unsent) = tx.send(Fetched {
                        link,
                        group: group.clone(),
                        fetch_id,
                        result,
                    }) {
                        // The connection is gone: give the messages back at once.
                        for d in unsent.0.result.unwrap_or_default() {
                            let _ = engine.release(&group, &d.receipt_handle);
                        }
                    }
                });
                c.fetching = Some((fetch_id, task.abort_handle()));
            }
        }
    }

    pub(super) fn on_fetched(&mut self, f: Fetched) {
        let engine = self.broker.engine.clone();
        let deliveries = match f.result {
            Ok(d) => d,
            Err(e) => {
                if let Some(suppressed) = mqgate_engine::log_limit::allow("amqp-fetch-failed") {
                    tracing::warn!(error = %e, suppressed, "AMQP consumer fetch failed");
                }
                Vec::new()
            }
        };
        let current = self
            .consumers
            .get(&f.link)
            .is_some_and(|c| c.fetching.as_ref().is_some_and(|(id, _)| *id == f.fetch_id));
        let Some(c) = self.consumers.get_mut(&f.link).filter(|_| current) else {
            // A stale fetch (aborted or link gone): its messages were never sent.
            for d in deliveries {
                let _ = engine.release(&f.group, &d.receipt_handle);
            }
            return;
        };
        c.fetching = None;
        let (group, presettled) = (c.group.clone(), c.presettled);
        let now_ms = engine.now_ms();
        for d in deliveries {
            if expiry_of(&d.message).is_some_and(|t| t > 0 && t <= now_ms) {
                let _ = engine.ack(&group, &d.receipt_handle);
                continue;
            }
            let (prefix, body) = to_amqp(&d.message, d.attempt);
            let token = self.next_token;
            self.next_token += 1;
            if !self
                .conn
                .send_delivery(f.link, &prefix, &body, token, presettled)
            {
                let _ = engine.release(&group, &d.receipt_handle);
                continue;
            }
            if presettled {
                let _ = engine.ack(&group, &d.receipt_handle);
            } else {
                self.inflight.insert(
                    token,
                    InFlight {
                        link: f.link,
                        group: group.clone(),
                        handle: d.receipt_handle,
                        since: Instant::now(),
                    },
                );
            }
        }
        let draining = self
            .consumers
            .get_mut(&f.link)
            .is_some_and(|c| std::mem::take(&mut c.drain));
        if draining {
            // One non-waiting fetch answered the drain: whatever credit is left is used up.
            self.conn.drained(f.link);
        } else {
            self.fill(f.link);
        }
    }

    /// Applies the peer's outcome of one of our deliveries.
    pub(super) async fn on_outcome(&mut self, token: u64, state: Option<DeliveryState>) {
        if let Some(DeliveryState::Transactional { txn_id, outcome }) = &state {
            if let Some(f) = self.inflight.remove(&token) {
                match self.txns.get_mut(txn_id) {
                    Some(txn) => txn.acks.push((f, outcome.as_deref().cloned())),
                    None => {
                        let _ = self.broker.engine.redeliver_now(&f.group, &f.handle);
                    }
                }
            }
            return;
        }
        if let Some(f) = self.inflight.remove(&token) {
            self.apply_outcome(&f, state).await;
        }
    }

    pub(super) async fn apply_outcome(&self, f: &InFlight, state: Option<DeliveryState>) {
        let engine = &self.broker.engine;
        let result = match state {
            None | Some(DeliveryState::Accepted) => engine.ack(&f.group, &f.handle),
            Some(DeliveryState::Released)
            | Some(DeliveryState::Modified {
                delivery_failed: false,
                ..
            }) => engine.release(&f.group, &f.handle),
            Some(DeliveryState::Modified { .. }) => engine.redeliver_now(&f.group, &f.handle),
            Some(DeliveryState::Rejected(_)) => {
                engine.forward_to_dead_letter(&f.group, &f.handle).await
            }
            Some(_) => Ok(()),
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, link = ?f.link, "outcome could not be applied");
        }
    }
}
