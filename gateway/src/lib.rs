//! The `mqgate` gateway: configuration, listeners, wiring of front-ends to the engine, shutdown, and the
//! admin subcommands. The binary in `main.rs` is a thin shell over this library.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod serve;
pub mod tools;

use mqgate_transport::Frontend;
use std::sync::Arc;

/// Every front-end compiled into this binary. Adding a protocol adds one line here.
pub fn frontends() -> Vec<Arc<dyn Frontend>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn Frontend>> = Vec::new();
    #[cfg(feature = "remoting")]
    v.push(Arc::new(mqgate_remoting::RemotingFrontend::default()));
    v
}
