//! Errors of the remoting front-end. Codec errors (a frame that cannot be read) close the connection; header
//! errors (a readable frame with a bad or missing field) become a protocol error answer and the connection stays.

/// Why bytes on the wire are not a remoting frame. The connection is closed after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The frame length field is negative or too small to hold the header-info word.
    #[error("frame length {0} is invalid")]
    BadLength(i32),
    /// The frame is larger than the configured limit.
    #[error("frame of {size} bytes exceeds the limit of {limit}")]
    FrameTooLarge {
        /// Announced size.
        size: usize,
        /// Configured limit.
        limit: usize,
    },
    /// The header length does not fit inside the frame or exceeds the header limit.
    #[error("header length {header} is invalid for a frame of {frame} bytes (limit {limit})")]
    BadHeaderLength {
        /// Announced header length.
        header: usize,
        /// Frame length.
        frame: usize,
        /// Configured header limit.
        limit: usize,
    },
    /// The serialize-type byte is neither JSON (0) nor ROCKETMQ (1).
    #[error("unknown serialize type {0}")]
    UnknownSerializeType(u8),
    /// The JSON header is not valid JSON or not an object.
    #[error("bad JSON header: {0}")]
    BadJsonHeader(String),
    /// The binary header is truncated or inconsistent.
    #[error("bad binary header at byte {offset}: {what}")]
    BadBinaryHeader {
        /// Where inside the header.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
}

/// Why a request cannot be served; each maps to a RocketMQ response code with a remark.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A mandatory header field is missing.
    #[error("the request header lacks the field {0}")]
    MissingField(&'static str),
    /// A header field has a value of the wrong form.
    #[error("the request header field {field} has an invalid value {value:?}")]
    BadField {
        /// Field name.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// The body is not what the request code needs.
    #[error("bad request body: {0}")]
    BadBody(String),
    /// Anything with its own RocketMQ response code.
    #[error("{remark}")]
    Coded {
        /// RocketMQ response code.
        code: i32,
        /// Remark sent to the client.
        remark: String,
    },
}

impl RequestError {
    /// An error answered with `code`.
    pub fn coded(code: i32, remark: impl Into<String>) -> Self {
        RequestError::Coded {
            code,
            remark: remark.into(),
        }
    }

    /// The RocketMQ response code this error is answered with.
    pub fn code(&self) -> i32 {
        match self {
            RequestError::Coded { code, .. } => *code,
            RequestError::MissingField(_) | RequestError::BadField { .. } => {
                crate::codec::codes::INVALID_PARAMETER
            }
            RequestError::BadBody(_) => crate::codec::codes::SYSTEM_ERROR,
        }
    }
}

impl From<mqgate_engine::EngineError> for RequestError {
    fn from(e: mqgate_engine::EngineError) -> Self {
        use crate::codec::codes::*;
        use mqgate_engine::EngineError as E;
        let code = match &e {
            E::TopicNotFound(_) => TOPIC_NOT_EXIST,
            E::GroupNotFound(_) => SUBSCRIPTION_GROUP_NOT_EXIST,
            E::InvalidName { .. } | E::QueueNotFound { .. } => INVALID_PARAMETER,
            E::IllegalMessage(_) => MESSAGE_ILLEGAL,
            E::NoPermission(_) => NO_PERMISSION,
            E::MessageNotFound(_) => SYSTEM_ERROR,
            E::ShuttingDown => SERVICE_NOT_AVAILABLE,
            E::Io(_) if e.is_disk_full() => SERVICE_NOT_AVAILABLE,
            _ => SYSTEM_ERROR,
        };
        RequestError::Coded {
            code,
            remark: e.to_string(),
        }
    }
}
