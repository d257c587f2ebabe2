//! The crate's error type: what can go wrong between a decoded frame and the engine, and the AMQP error
//! condition each case is reported with.

use crate::codec::{condition, AmqpError};
use mqgate_engine::EngineError;

/// An error of the AMQP front-end.
#[derive(Debug, thiserror::Error)]
pub enum AmqpFrontendError {
    /// The message could not be decoded.
    #[error("malformed message: {0}")]
    Decode(#[from] crate::codec::DecodeError),
    /// The engine refused or failed.
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
    /// A selector did not compile.
    #[error("invalid selector: {0}")]
    InvalidSelector(String),
    /// The address or terminus is not usable.
    #[error("{0}")]
    InvalidAddress(String),
    /// Something mqgate does not do.
    #[error("{0}")]
    NotImplemented(String),
    /// The transaction id is unknown.
    #[error("unknown transaction")]
    UnknownTransaction,
}

impl AmqpFrontendError {
    /// The AMQP error this becomes on the wire.
    pub fn to_amqp(&self) -> AmqpError {
        let cond = match self {
            AmqpFrontendError::Decode(_) => condition::DECODE_ERROR,
            AmqpFrontendError::Engine(e) if e.is_disk_full() => condition::RESOURCE_LIMIT_EXCEEDED,
            AmqpFrontendError::Engine(EngineError::TopicNotFound(_)) => condition::NOT_FOUND,
            AmqpFrontendError::Engine(EngineError::NoPermission(_)) => {
                condition::UNAUTHORIZED_ACCESS
            }
            AmqpFrontendError::Engine(_) => condition::INTERNAL_ERROR,
            AmqpFrontendError::InvalidSelector(_) => condition::INVALID_FIELD,
            AmqpFrontendError::InvalidAddress(_) => condition::NOT_FOUND,
            AmqpFrontendError::NotImplemented(_) => condition::NOT_IMPLEMENTED,
            AmqpFrontendError::UnknownTransaction => condition::UNKNOWN_TXN,
        };
        AmqpError::new(cond, self.to_string())
    }
}
