//! The `mqgate` gateway: configuration, listeners, wiring of front-ends to the engine, shutdown, and the
//! admin subcommands. The binary in `main.rs` is a thin shell over this library.
#![forbid(unsafe_code)]

#[cfg(feature = "amqp-bridge")]
pub mod bridge_cmd;
pub mod cli;
pub mod config;
pub mod serve;
pub mod tools;

use mqgate_transport::Frontend;
use std::sync::Arc;

/// Every front-end compiled into this binary, with its settings from `config`. Adding a protocol adds one line here.
#[allow(unused_mut, unused_variables, clippy::vec_init_then_push)] // each push sits behind its own cargo feature
pub fn frontends(config: &config::GatewayConfig) -> Vec<Arc<dyn Frontend>> {
    let mut v: Vec<Arc<dyn Frontend>> = Vec::new();
    #[cfg(feature = "remoting")]
    v.push(Arc::new(mqgate_remoting::RemotingFrontend::new(
        config.remoting.clone(),
    )));
    #[cfg(feature = "grpc")]
    v.push(Arc::new(mqgate_grpc::GrpcFrontend::default()));
    #[cfg(feature = "amqp")]
    v.push(Arc::new(mqgate_amqp::AmqpFrontend::default()));
    #[cfg(feature = "http")]
    v.push(Arc::new(mqgate_openmessaging::HttpFrontend::default()));
    v
}
