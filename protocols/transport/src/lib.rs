//! What every mqgate listener shares: the [`Frontend`] trait that protocol crates implement and the gateway
//! drives. TLS, PROXY protocol and protocol sniffing will live here too, so that no protocol crate needs
//! another protocol crate.
#![forbid(unsafe_code)]

mod frontend;

pub use frontend::{Frontend, FrontendContext};
