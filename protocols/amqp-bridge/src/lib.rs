//! AMQP 0-9-1 bridges (lapin) between RabbitMQ — including applications on RabbitMQ's JMS client — and mqgate
//! topics. Bridges are not front-ends: they open outgoing connections, declared as `[[bridge]]` in the config
//! file or added at run time through the admin socket.
//!
//! - [`config`]: the `[[bridge]]` contract; [`mapping`]: AMQP ↔ engine message mapping (pure);
//!   [`jms_body`] / [`java_stream`]: the JMS client's serialized bodies (pure);
//! - `inbound` / `outbound`: the two shells (queue → topic with ack-after-store; topic → exchange with
//!   commit-after-confirm); `connect`: connections and the reconnect loop;
//! - [`manager`]: the running set; [`admin`]: the Unix-socket endpoint and its client; [`status`]: state.
//!
//! Never panics on broker input; never drops a message silently (unmappable ones are dead-lettered).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod config;
mod connect;
pub mod filter;
mod inbound;
pub mod java_stream;
pub mod jms_body;
pub mod manager;
pub mod mapping;
mod outbound;
pub mod status;

pub use config::{BridgeConfig, Direction};
pub use connect::redact;
pub use manager::BridgeManager;
pub use status::StatusReport;

use mqgate_engine::Engine;
use std::sync::Arc;

/// What a running bridge holds.
pub(crate) struct BridgeContext {
    pub(crate) config: BridgeConfig,
    pub(crate) engine: Arc<Engine>,
    pub(crate) status: Arc<status::BridgeStatus>,
}
