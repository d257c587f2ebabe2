//! Errors of the gRPC front-end. An [`RpcError`] is an *application* error: it travels as a `Status{code,
//! message}` inside an OK gRPC response, as RocketMQ's proxy does. Engine errors are converted once, here, into
//! the v2 [`Code`] a client expects; transport-level gRPC errors are reserved for unimplemented RPCs and
//! broken streams.

use crate::pb::{Code, Status};
use mqgate_engine::EngineError;

/// An application error with its v2 status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct RpcError {
    /// The v2 status code sent to the client.
    pub code: Code,
    /// Human-readable reason, sent to the client.
    pub message: String,
}

/// Result alias for request handlers.
pub type RpcResult<T> = Result<T, RpcError>;

impl RpcError {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
        }
    }

    /// `BAD_REQUEST` with a reason.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Code::BadRequest, message)
    }

    /// The status to put in a response.
    pub fn to_status(&self) -> Status {
        status(self.code, &self.message)
    }
}

/// A status with `code` and `message`.
pub fn status(code: Code, message: &str) -> Status {
    Status {
        code: code as i32,
        message: message.to_string(),
    }
}

/// The `OK` status.
pub fn ok() -> Status {
    status(Code::Ok, "OK")
}

/// The status of a handler result.
pub fn status_of<T>(r: &RpcResult<T>) -> Status {
    match r {
        Ok(_) => ok(),
        Err(e) => e.to_status(),
    }
}

impl From<EngineError> for RpcError {
    fn from(e: EngineError) -> Self {
        let code = match &e {
            EngineError::TopicNotFound(_) => Code::TopicNotFound,
            EngineError::GroupNotFound(_) => Code::ConsumerGroupNotFound,
            EngineError::InvalidName { .. } => Code::BadRequest,
            EngineError::IllegalMessage(m) if m.contains("exceeds the limit") => {
                Code::MessageBodyTooLarge
            }
            EngineError::IllegalMessage(m) if m.contains("properties exceed") => {
                Code::MessagePropertiesTooLarge
            }
            EngineError::IllegalMessage(_) => Code::MessageCorrupted,
            EngineError::NoPermission(_) => Code::Forbidden,
            EngineError::QueueNotFound { .. } => Code::BadRequest,
            EngineError::InvalidReceiptHandle(_) | EngineError::ReceiptHandleExpired => {
                Code::InvalidReceiptHandle
            }
            EngineError::MessageNotFound(_) => Code::MessageNotFound,
            EngineError::TransactionResolved(_) => Code::InvalidTransactionId,
            EngineError::ShuttingDown => Code::InternalServerError,
            e if e.is_disk_full() => Code::TooManyRequests,
            _ => Code::InternalServerError,
        };
        RpcError::new(code, e.to_string())
    }
}

/// Why a connection ended abnormally (logged, never sent).
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// HTTP/2 failed (bad preface, protocol error, reset, I/O).
    #[error("HTTP/2 connection failed: {0}")]
    Http(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_documented_codes() {
        let code = |e| RpcError::from(e).code;
        assert_eq!(
            code(EngineError::TopicNotFound("t".into())),
            Code::TopicNotFound
        );
        assert_eq!(
            code(EngineError::InvalidReceiptHandle("x")),
            Code::InvalidReceiptHandle
        );
        assert_eq!(
            code(EngineError::ReceiptHandleExpired),
            Code::InvalidReceiptHandle
        );
        assert_eq!(
            code(EngineError::TransactionResolved(5)),
            Code::InvalidTransactionId
        );
        assert_eq!(
            code(EngineError::IllegalMessage(
                "body of 9 bytes exceeds the limit of 1".into()
            )),
            Code::MessageBodyTooLarge
        );
    }

    #[test]
    fn application_errors_become_statuses() {
        let s = RpcError::new(Code::IllegalTopic, "bad").to_status();
        assert_eq!(s.code, Code::IllegalTopic as i32);
        assert_eq!(s.message, "bad");
        assert_eq!(ok().code, 20000);
    }
}
