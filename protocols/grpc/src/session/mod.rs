//! Protocol state that outlives one call: known clients and their Telemetry streams, the settings answer,
//! subscription filters and auto-renewed deliveries. Driven by calls and time passed in; no sockets.

pub mod clients;
pub mod filter;
pub mod renew;
pub mod settings_reply;
