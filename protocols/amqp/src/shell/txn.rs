//! Local transactions (AMQP 1.0 part 4) for transacted JMS sessions: the coordinator link declares a
//! transaction and discharges it. Sends inside a transaction are held and appended as one batch on commit;
//! outcomes of received messages are held and applied on commit. Rollback drops the sends and gives the
//! received messages back with their delivery count raised (they were delivered).

use super::conn::{ConnTask, InFlight};
use crate::codec::decode::decode_one;
use crate::codec::descriptor as d;
use crate::codec::fields::Fields;
use crate::codec::message::decode_message;
use crate::codec::{condition, AmqpError, Body, DeliveryState, Value};
use crate::session::LinkRef;
use bytes::Bytes;
use mqgate_engine::Message;

/// Work held by one transaction.
#[derive(Default)]
pub(crate) struct Txn {
    pub messages: Vec<Message>,
    pub acks: Vec<(InFlight, Option<DeliveryState>)>,
}

/// The described value inside a coordinator message's `amqp-value` body.
fn control_value(payload: Bytes, limits: crate::codec::DecodeLimits) -> Option<Value> {
    let msg = decode_message(payload, limits).ok()?;
    let Body::Encoded(section) = msg.body else {
        return None;
    };
    match decode_one(section, limits).ok()? {
        Value::Described(_, inner) => Some(*inner),
        _ => None,
    }
}

impl ConnTask {
    pub(super) async fn on_coordinator(&mut self, link: LinkRef, delivery_id: u32, payload: Bytes) {
        let control = control_value(payload, self.conn_limits());
        let state = match control.as_ref().and_then(Value::descriptor_code) {
            Some(d::DECLARE) => {
                let id = Bytes::from(self.broker.next_id().to_be_bytes().to_vec());
                self.txns.insert(id.clone(), Txn::default());
                DeliveryState::Declared(id)
            }
            Some(d::DISCHARGE) => {
                let v = control.as_ref().and_then(|v| Fields::of(v, d::DISCHARGE));
                let txn_id = v.as_ref().and_then(|f| f.binary(0)).unwrap_or_default();
                let fail = v.as_ref().and_then(|f| f.bool(1)).unwrap_or(false);
                match self.txns.remove(&txn_id) {
                    None => DeliveryState::Rejected(Some(AmqpError::new(
                        condition::UNKNOWN_TXN,
                        "unknown transaction",
                    ))),
                    Some(txn) if fail => {
                        self.rollback(txn);
                        DeliveryState::Accepted
                    }
                    Some(txn) => match self.commit(txn).await {
                        Ok(()) => DeliveryState::Accepted,
                        Err(e) => DeliveryState::Rejected(Some(e)),
                    },
                }
            }
            _ => DeliveryState::Rejected(Some(AmqpError::new(
                condition::DECODE_ERROR,
                "not a declare or discharge",
            ))),
        };
        self.conn.settle_incoming(link, delivery_id, Some(state));
    }

    async fn commit(&mut self, txn: Txn) -> Result<(), AmqpError> {
        if !txn.messages.is_empty() {
            if let Err(e) = self.broker.engine.append_batch(txn.messages).await {
                let error = AmqpError::new(condition::TXN_ROLLBACK, e.to_string());
                self.rollback(Txn {
                    messages: Vec::new(),
                    acks: txn.acks,
                });
                return Err(error);
            }
        }
        for (f, outcome) in txn.acks {
            self.apply_outcome(&f, outcome).await;
        }
        Ok(())
    }

    pub(super) fn rollback(&mut self, txn: Txn) {
        for (f, _) in txn.acks {
            let _ = self.broker.engine.redeliver_now(&f.group, &f.handle);
        }
    }
}
