//! The AMQP connection / session / link state machine, driven by bytes and time passed in. No I/O: the
//! shell (`crate::shell`) reads and writes the socket and acts on the [`Event`]s.

mod connection;
mod delivery;
mod endpoint;
mod types;

pub use connection::Connection;
pub use types::{AllowAll, Authenticator, ConnectionConfig, Event, LinkRef};
