//! RocketMQ gRPC v2 front-end for mqgate: unmodified 5.x gRPC clients (Java, Go, Python, Node, C++, C#, Rust)
//! point their endpoint at mqgate and speak `apache.rocketmq.v2.MessagingService` over HTTP/2. Every RPC is
//! served, including the offset RPCs (PullMessage, UpdateOffset, GetOffset, QueryOffset) that Apache's proxy
//! answers UNIMPLEMENTED.
//!
//! Layers: [`pb`] (generated protobuf types, from `proto/`, compiled by `protox` at build time — no system
//! `protoc`), [`codec`] (pure mapping between v2 messages and the engine's model), [`session`] (clients, their
//! Telemetry streams, settings answers, filters, auto-renewals; time passed in), [`service`] (one file per RPC
//! family, translating requests into engine calls) and [`shell`] (one HTTP/2 connection). This crate never
//! touches storage except through `mqgate_engine::Engine`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
pub mod codec;
pub mod error;
pub mod pb;
pub mod service;
pub mod session;
pub mod settings;
pub mod shell;
pub mod state;

use async_trait::async_trait;
use mqgate_transport::{Connection, Frontend, FrontendContext};
use std::sync::{Arc, OnceLock};

pub use error::{RpcError, RpcResult};
pub use settings::GrpcSettings;
pub use state::Shared;

/// The gRPC front-end, registered with the gateway as `grpc`.
#[derive(Debug, Default)]
pub struct GrpcFrontend {
    settings: GrpcSettings,
    shared: OnceLock<Arc<Shared>>,
}

impl GrpcFrontend {
    /// A front-end with `settings`.
    pub fn new(settings: GrpcSettings) -> Self {
        GrpcFrontend {
            settings,
            shared: OnceLock::new(),
        }
    }

    fn shared(&self, ctx: &FrontendContext) -> Arc<Shared> {
        self.shared
            .get_or_init(|| Shared::start(ctx.engine.clone(), self.settings.clone()))
            .clone()
    }
}

#[async_trait]
impl Frontend for GrpcFrontend {
    fn name(&self) -> &'static str {
        "grpc"
    }

    fn sniff(&self, first_bytes: &[u8]) -> bool {
        shell::sniff(first_bytes)
    }

    async fn serve(&self, conn: Connection, ctx: Arc<FrontendContext>) {
        let shared = self.shared(&ctx);
        let peer = conn.peer;
        if let Err(e) = shell::serve_connection(conn.stream, peer, shared).await {
            tracing::debug!(%peer, error = %e, "gRPC connection ended");
        }
    }
}
