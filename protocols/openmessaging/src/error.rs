//! The crate's one error type, [`ApiError`], and its stable mapping to an HTTP status and a problem `code`.
//!
//! Every failure a client can cause ends here and leaves as an `application/problem+json` answer (see
//! `codec::problem`). The `code` strings are part of the public contract: never rename one.

use mqgate_engine::EngineError;
use mqgate_filter::FilterError;
use std::time::Duration;

/// Why one receipt handle of an ack or nack was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandleFailure {
    /// The handle as the client sent it.
    pub receipt_handle: String,
    /// Stable error code (`invalid-receipt-handle`, `receipt-handle-expired`, …).
    pub code: &'static str,
    /// What went wrong.
    pub detail: String,
}

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A malformed request that fits no narrower kind (query parameters, path segments).
    #[error("{0}")]
    BadRequest(String),
    /// A request header with a bad name or value.
    #[error("header {name}: {reason}")]
    InvalidHeader {
        /// Header name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A JSON body that does not parse or has the wrong shape.
    #[error("invalid JSON body: {0}")]
    InvalidJson(String),
    /// A CloudEvent that breaks the CloudEvents 1.0 rules.
    #[error("invalid CloudEvent: {0}")]
    InvalidCloudEvent(String),
    /// A `filter` (SQL92) or `tag` expression that does not compile.
    #[error("invalid filter expression: {0}")]
    InvalidFilter(#[from] FilterError),
    /// The request body is larger than allowed.
    #[error("the request body exceeds the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A `Content-Type` this endpoint does not take.
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(String),
    /// No route for this path.
    #[error("no resource at {0}")]
    NotFound(String),
    /// The path exists, the method does not.
    #[error("method {method} is not allowed here; allowed: {allow}")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The methods the path takes, for the `Allow` header.
        allow: &'static str,
    },
    /// Some receipt handles of an ack or nack were refused (the others were applied).
    #[error("{} of {total} receipt handles were refused", failures.len())]
    HandlesRefused {
        /// Handles in the request.
        total: usize,
        /// The refused ones.
        failures: Vec<HandleFailure>,
    },
    /// The client sent its body too slowly.
    #[error("the request body did not arrive within {0:?}")]
    BodyTimeout(Duration),
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl ApiError {
    /// Shorthand for [`ApiError::BadRequest`].
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest(detail.into())
    }

    /// Shorthand for [`ApiError::InvalidHeader`].
    pub fn header(name: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::InvalidHeader {
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// The stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::InvalidHeader { .. } => "invalid-header",
            ApiError::InvalidJson(_) => "invalid-json",
            ApiError::InvalidCloudEvent(_) => "invalid-cloudevent",
            ApiError::InvalidFilter(_) => "invalid-filter",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::HandlesRefused { failures, .. } => match failures.first() {
                Some(f) if failures.iter().all(|x| x.code == f.code) => f.code,
                _ => "receipt-handles-refused",
            },
            ApiError::BodyTimeout(_) => "request-timeout",
            ApiError::Engine(e) => engine_code(e),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_)
            | ApiError::InvalidHeader { .. }
            | ApiError::InvalidJson(_)
            | ApiError::InvalidCloudEvent(_)
            | ApiError::InvalidFilter(_) => 400,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::HandlesRefused { failures, .. } => {
                if failures.iter().all(|f| f.code == "invalid-receipt-handle") {
                    400
                } else {
                    409
                }
            }
            ApiError::BodyTimeout(_) => 408,
            ApiError::Engine(e) => engine_status(e),
        }
    }

    /// True for failures on the server's side (logged, and answered without internal detail).
    pub fn is_internal(&self) -> bool {
        self.status() >= 500 && self.status() != 503 && self.status() != 507
    }
}

/// Stable code of an engine error.
pub(crate) fn engine_code(e: &EngineError) -> &'static str {
    match e {
        EngineError::TopicNotFound(_) => "topic-not-found",
        EngineError::GroupNotFound(_) => "group-not-found",
        EngineError::InvalidName { .. } => "invalid-name",
        EngineError::IllegalMessage(_) => "invalid-message",
        EngineError::NoPermission(_) => "no-permission",
        EngineError::QueueNotFound { .. } => "queue-not-found",
        EngineError::InvalidReceiptHandle(_) => "invalid-receipt-handle",
        EngineError::ReceiptHandleExpired => "receipt-handle-expired",
        EngineError::MessageNotFound(_) => "message-not-found",
        EngineError::ShuttingDown => "unavailable",
        e if e.is_disk_full() => "storage-full",
        _ => "internal",
    }
}

fn engine_status(e: &EngineError) -> u16 {
    match e {
        EngineError::TopicNotFound(_)
        | EngineError::GroupNotFound(_)
        | EngineError::QueueNotFound { .. }
        | EngineError::MessageNotFound(_) => 404,
        EngineError::InvalidName { .. }
        | EngineError::IllegalMessage(_)
        | EngineError::InvalidReceiptHandle(_) => 400,
        EngineError::NoPermission(_) => 403,
        EngineError::ReceiptHandleExpired => 409,
        EngineError::ShuttingDown => 503,
        e if e.is_disk_full() => 507,
        _ => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_stable_codes_and_statuses() {
        let e = ApiError::from(EngineError::TopicNotFound("t".into()));
        assert_eq!((e.status(), e.code()), (404, "topic-not-found"));
        let e = ApiError::from(EngineError::ReceiptHandleExpired);
        assert_eq!((e.status(), e.code()), (409, "receipt-handle-expired"));
        let e = ApiError::from(EngineError::Io(std::io::Error::other("x")));
        assert_eq!((e.status(), e.code()), (500, "internal"));
        assert!(e.is_internal());
    }

    #[test]
    fn refused_handles_answer_400_only_when_all_are_malformed() {
        let f = |code| HandleFailure {
            receipt_handle: "h".into(),
            code,
            detail: String::new(),
        };
        let all_bad = ApiError::HandlesRefused {
            total: 2,
            failures: vec![f("invalid-receipt-handle")],
        };
        assert_eq!(
            (all_bad.status(), all_bad.code()),
            (400, "invalid-receipt-handle")
        );
        let mixed = ApiError::HandlesRefused {
            total: 2,
            failures: vec![f("invalid-receipt-handle"), f("receipt-handle-expired")],
        };
        assert_eq!(
            (mixed.status(), mixed.code()),
            (409, "receipt-handles-refused")
        );
    }
}
