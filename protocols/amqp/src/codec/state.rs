//! Delivery states and outcomes (received, accepted, rejected, released, modified, transactional state,
//! declared) and the AMQP `error` type, to and from [`Value`].

use super::descriptor as d;
use super::fields::Fields;
use super::value::Value;
use bytes::Bytes;

/// An AMQP error: a condition symbol, a description and an info map.
#[derive(Debug, Clone, PartialEq)]
pub struct AmqpError {
    /// E.g. `amqp:not-found`.
    pub condition: String,
    /// Human-readable text.
    pub description: Option<String>,
}

impl AmqpError {
    /// An error with `condition` and `description`.
    pub fn new(condition: &str, description: impl Into<String>) -> Self {
        AmqpError {
            condition: condition.to_string(),
            description: Some(description.into()),
        }
    }
    /// Encodes it.
    pub fn to_value(&self) -> Value {
        Value::described_list(
            d::ERROR,
            vec![
                Value::sym(&self.condition),
                self.description.as_deref().map_or(Value::Null, Value::str),
            ],
        )
    }
    /// Decodes it (`null` → `None`).
    pub fn from_value(v: &Value) -> Option<AmqpError> {
        let f = Fields::of(v, d::ERROR)?;
        Some(AmqpError {
            condition: f.string(0).unwrap_or_default(),
            description: f.string(1),
        })
    }
}

/// Error conditions of the spec that mqgate sends.
pub mod condition {
    pub const INTERNAL_ERROR: &str = "amqp:internal-error";
    pub const NOT_FOUND: &str = "amqp:not-found";
    pub const UNAUTHORIZED_ACCESS: &str = "amqp:unauthorized-access";
    pub const DECODE_ERROR: &str = "amqp:decode-error";
    pub const RESOURCE_LIMIT_EXCEEDED: &str = "amqp:resource-limit-exceeded";
    pub const NOT_ALLOWED: &str = "amqp:not-allowed";
    pub const INVALID_FIELD: &str = "amqp:invalid-field";
    pub const NOT_IMPLEMENTED: &str = "amqp:not-implemented";
    pub const PRECONDITION_FAILED: &str = "amqp:precondition-failed";
    pub const FRAMING_ERROR: &str = "amqp:connection:framing-error";
    pub const UNATTACHED_HANDLE: &str = "amqp:session:unattached-handle";
    pub const HANDLE_IN_USE: &str = "amqp:session:handle-in-use";
    pub const WINDOW_VIOLATION: &str = "amqp:session:window-violation";
    pub const TRANSFER_LIMIT_EXCEEDED: &str = "amqp:link:transfer-limit-exceeded";
    pub const DETACH_FORCED: &str = "amqp:link:detach-forced";
    pub const UNKNOWN_TXN: &str = "amqp:transaction:unknown-id";
    pub const TXN_ROLLBACK: &str = "amqp:transaction:rollback";
}

/// The state of a delivery, or its outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryState {
    /// Partially received (resume); mqgate only reads it.
    Received,
    /// Processed.
    Accepted,
    /// Invalid, will not be processed: dead-letter it.
    Rejected(Option<AmqpError>),
    /// Not processed: deliver again, count unchanged.
    Released,
    /// Not processed, modified: deliver again (count + 1 when `delivery_failed`).
    Modified {
        /// Count this as a failed attempt.
        delivery_failed: bool,
        /// Do not deliver it to this link again.
        undeliverable_here: bool,
    },
    /// A transaction was declared (coordinator outcome).
    Declared(Bytes),
    /// The delivery's work belongs to a transaction; its outcome applies at discharge.
    Transactional {
        /// Transaction id.
        txn_id: Bytes,
        /// Outcome, if given.
        outcome: Option<Box<DeliveryState>>,
    },
}

impl DeliveryState {
    /// Encodes it.
    pub fn to_value(&self) -> Value {
        match self {
            DeliveryState::Received => {
                Value::described_list(d::RECEIVED, vec![Value::Uint(0), Value::Ulong(0)])
            }
            DeliveryState::Accepted => Value::described_list(d::ACCEPTED, vec![]),
            DeliveryState::Rejected(e) => Value::described_list(
                d::REJECTED,
                e.as_ref().map_or_else(Vec::new, |e| vec![e.to_value()]),
            ),
            DeliveryState::Released => Value::described_list(d::RELEASED, vec![]),
            DeliveryState::Modified {
                delivery_failed,
                undeliverable_here,
            } => Value::described_list(
                d::MODIFIED,
                vec![
                    Value::Bool(*delivery_failed),
                    Value::Bool(*undeliverable_here),
                ],
            ),
            DeliveryState::Declared(id) => {
                Value::described_list(d::DECLARED, vec![Value::Binary(id.clone())])
            }
            DeliveryState::Transactional { txn_id, outcome } => Value::described_list(
                d::TRANSACTIONAL_STATE,
                vec![
                    Value::Binary(txn_id.clone()),
                    outcome.as_ref().map_or(Value::Null, |o| o.to_value()),
                ],
            ),
        }
    }

    /// Decodes it; unknown descriptors are `None`.
    pub fn from_value(v: &Value) -> Option<DeliveryState> {
        let code = v.descriptor_code()?;
        let f = Fields::of(v, code)?;
        Some(match code {
            d::RECEIVED => DeliveryState::Received,
            d::ACCEPTED => DeliveryState::Accepted,
            d::REJECTED => DeliveryState::Rejected(AmqpError::from_value(f.get(0))),
            d::RELEASED => DeliveryState::Released,
            d::MODIFIED => DeliveryState::Modified {
                delivery_failed: f.bool(0).unwrap_or(false),
                undeliverable_here: f.bool(1).unwrap_or(false),
            },
            d::DECLARED => DeliveryState::Declared(f.binary(0).unwrap_or_default()),
            d::TRANSACTIONAL_STATE => DeliveryState::Transactional {
                txn_id: f.binary(0).unwrap_or_default(),
                outcome: DeliveryState::from_value(f.get(1)).map(Box::new),
            },
            _ => return None,
        })
    }
}
