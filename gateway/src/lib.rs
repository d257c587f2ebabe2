//! The `mqgate` gateway: configuration, listeners, wiring of front-ends to the engine, shutdown, and the
//! admin subcommands. The binary in `main.rs` is a thin shell over this library.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod serve;

use mqgate_transport::Frontend;
use std::sync::Arc;

/// Every front-end compiled into this binary. Adding a protocol adds one line here.
pub fn frontends() -> Vec<Arc<dyn Frontend>> {
    Vec::new()
}
