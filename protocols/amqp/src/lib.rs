//! mqgate's AMQP 1.0 front-end with the JMS mapping that Qpid JMS implements.
//!
//! Three layers, in the order the bytes travel:
//! - [`codec`]: the AMQP type system, frames, performatives, SASL and the message format; pure and bounded;
//! - [`session`]: the connection/session/link state machine (handshakes, credit, windows, settlement,
//!   heartbeats), driven by bytes and time passed in;
//! - `shell` + [`jms`]: a tokio task per connection that feeds the state machine and maps links and
//!   messages onto the engine (queues, topic subscriptions, selectors, transactions).
#![forbid(unsafe_code)]

pub mod codec;
pub mod error;
pub mod jms;
pub mod session;
mod shell;

pub use error::AmqpFrontendError;
pub use shell::{AmqpFrontend, AmqpSettings};
