//! What every mqgate listener shares: the [`Frontend`] trait that protocol crates implement and the gateway
//! drives, the [`Connection`] they are handed, and the listener stack in front of them — HAProxy PROXY protocol,
//! rustls TLS (disabled, permissive or enforcing; hot-reloaded certificates; mTLS) and protocol sniffing — so
//! no protocol crate needs another protocol crate.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accept;
pub mod connection;
pub mod error;
mod frontend;
pub mod proxy;
pub mod sniff;
pub mod tls;

pub use accept::{ListenerStack, StackSettings};
pub use connection::{Connection, Prefixed, SocketHandle, Stream, TlsInfo};
pub use error::TransportError;
pub use frontend::{Frontend, FrontendContext};
