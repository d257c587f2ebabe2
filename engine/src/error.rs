//! The engine's one error type. Front-ends convert it once, at their boundary, into their protocol's error code.

use std::io;

/// Everything that can go wrong inside the engine. (Variant fields are named for what they hold.)
#[allow(missing_docs)]
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Disk I/O failed (full disk, permissions, a vanished file).
    #[error("storage I/O error: {0}")]
    Io(#[from] io::Error),
    /// The data directory is held by another mqgate process.
    #[error("data directory {0} is locked by another process")]
    DataDirLocked(String),
    /// A stored record failed its checksum or structure check; it is never served.
    #[error("corrupt record at commit-log offset {offset}: {reason}")]
    Corrupt { offset: u64, reason: String },
    /// The topic does not exist and auto-creation is off (or not allowed for this name).
    #[error("topic {0} does not exist")]
    TopicNotFound(String),
    /// The consumer group does not exist.
    #[error("consumer group {0} does not exist")]
    GroupNotFound(String),
    /// A name (topic, group, key) breaks the naming rules.
    #[error("invalid name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },
    /// The message is malformed or too large.
    #[error("illegal message: {0}")]
    IllegalMessage(String),
    /// The topic or queue does not allow this operation (permission bits).
    #[error("no permission: {0}")]
    NoPermission(String),
    /// A queue id outside the topic's queue count.
    #[error("queue {queue} does not exist in topic {topic}")]
    QueueNotFound { topic: String, queue: i32 },
    /// The receipt handle is malformed, forged, or no longer refers to an in-flight delivery.
    #[error("invalid receipt handle: {0}")]
    InvalidReceiptHandle(&'static str),
    /// The receipt handle belonged to an earlier delivery; the message was redelivered since.
    #[error("receipt handle expired: the message was redelivered")]
    ReceiptHandleExpired,
    /// No such message (by offset, id or transaction).
    #[error("message not found: {0}")]
    MessageNotFound(String),
    /// A transaction was already committed or rolled back.
    #[error("transaction already resolved for half message at {0}")]
    TransactionResolved(u64),
    /// The engine is shutting down.
    #[error("engine is shutting down")]
    ShuttingDown,
    /// A metadata file could not be parsed.
    #[error("metadata file {path} is unreadable: {reason}")]
    Metadata { path: String, reason: String },
}

impl EngineError {
    /// True when the failure is the disk being full; the producer may retry later.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, EngineError::Io(e) if e.raw_os_error() == Some(28) || e.kind() == io::ErrorKind::StorageFull)
    }
}

/// Result alias for engine calls.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
