//! Messages from producers: decode, choose the topic (the link's target, or each message's `to` on an
//! anonymous-relay link), convert, and append. Consecutive messages are appended as one batch and settled
//! together (accepted, or rejected with the reason).

use super::attach::engine_error;
use super::conn::{ConnTask, Incoming};
use crate::codec::message::decode_message;
use crate::codec::{condition, AmqpError, DeliveryState};
use crate::jms::convert::to_engine;
use crate::jms::names::topic_for;
use crate::session::LinkRef;
use bytes::Bytes;

impl ConnTask {
    pub(super) async fn on_message(
        &mut self,
        link: LinkRef,
        delivery_id: u32,
        settled: bool,
        state: Option<DeliveryState>,
        payload: Bytes,
    ) {
        let Some(p) = self.producers.get(&link) else {
            return self.settle(
                link,
                delivery_id,
                settled,
                Err(AmqpError::new(condition::NOT_ALLOWED, "no such producer")),
            );
        };
        if p.coordinator {
            // The coordinator settles every delivery itself.
            self.flush_batch().await;
            return self.on_coordinator(link, delivery_id, payload).await;
        }
        let fixed = p.topic.clone();
        let msg = match decode_message(payload, self.conn_limits()) {
            Ok(m) => m,
            Err(e) => {
                return self.settle(
                    link,
                    delivery_id,
                    settled,
                    Err(AmqpError::new(condition::DECODE_ERROR, e.to_string())),
                );
            }
        };
        let topic = match fixed {
            Some(t) => t,
            None => match msg.properties.as_ref().and_then(|p| p.to.as_deref()) {
                Some(to) => topic_for(to),
                None => {
                    let e = AmqpError::new(
                        condition::NOT_FOUND,
                        "anonymous-relay message without a `to` address",
                    );
                    return self.settle(link, delivery_id, settled, Err(e));
                }
            },
        };
        if let Err(e) = self.broker.ensure_topic(&topic) {
            return self.settle(link, delivery_id, settled, Err(engine_error(e)));
        }
        let message = to_engine(&msg, &topic, &self.id, self.broker.engine.now_ms());
        if let Some(DeliveryState::Transactional { txn_id, .. }) = state {
            let outcome = match self.txns.get_mut(&txn_id) {
                Some(txn) => {
                    txn.messages.push(message);
                    DeliveryState::Transactional {
                        txn_id,
                        outcome: Some(Box::new(DeliveryState::Accepted)),
                    }
                }
                None => DeliveryState::Rejected(Some(AmqpError::new(
                    condition::UNKNOWN_TXN,
                    "unknown transaction",
                ))),
            };
            self.conn
                .settle_incoming(link, delivery_id, (!settled).then_some(outcome));
            return;
        }
        self.batch.push(Incoming {
            link,
            delivery_id,
            settled,
            message,
        });
    }

    pub(super) fn conn_limits(&self) -> crate::codec::DecodeLimits {
        crate::codec::DecodeLimits::default()
    }

    pub(super) fn settle(
        &mut self,
        link: LinkRef,
        delivery_id: u32,
        settled: bool,
        result: Result<(), AmqpError>,
    ) {
        let state = match result {
            Ok(()) => DeliveryState::Accepted,
            Err(e) => DeliveryState::Rejected(Some(e)),
        };
        self.conn
            .settle_incoming(link, delivery_id, (!settled).then_some(state));
    }

    /// Appends the pending batch and settles each of its deliveries.
    pub(super) async fn flush_batch(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let (refs, messages): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|i| ((i.link, i.delivery_id, i.settled), i.message))
            .unzip();
        let result = self.broker.engine.append_batch(messages).await;
        let outcome = result.map(|_| ()).map_err(engine_error);
        for (link, delivery_id, settled) in refs {
            self.settle(link, delivery_id, settled, outcome.clone());
        }
    }
}
