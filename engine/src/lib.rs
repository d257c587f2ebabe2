//! mqgate's storage engine and messaging semantics, with no protocol knowledge.
//!
//! Front-ends reach storage only through [`Engine`]: produce (append, batches, delays, transactions),
//! offset-style reads with long-poll, pop-style receive/ack with receipt handles, retry and dead-letter topics,
//! queue locks, queries and metadata. Records are stored in RocketMQ's stored-message layout in an append-only
//! commit log; consume-queue indexes can always be rebuilt from it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod admin;
mod amqp_support;
mod atomic_file;
pub mod clock;
pub mod config;
pub mod consume;
mod engine;
pub mod error;
mod indexes;
pub mod log_limit;
pub mod message;
pub mod metadata;
mod pop;
mod produce;
mod read;
pub mod store;
mod timers;

pub use admin::QueueLag;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{EngineConfig, FlushMode};
pub use engine::{Engine, EngineEvent};
pub use error::{EngineError, Result};
pub use message::{keys, Message, Properties, StoredMessage};
pub use metadata::{GroupConfig, MessageType, TopicConfig};
pub use pop::{Delivery, ReceiveRequest};
pub use produce::SendResult;
pub use read::{MessageFilter, ReadLimits, ReadResult, ReadStatus};
