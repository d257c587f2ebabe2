//! The seam between the gateway and protocol front-ends. Each protocol crate implements [`Frontend`]; the
//! gateway registers it (one line in the gateway's `frontends()`) and hands it accepted connections.

use async_trait::async_trait;
use mqgate_engine::Engine;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;

/// What every front-end gets besides the connection.
#[derive(Debug, Clone)]
pub struct FrontendContext {
    /// The storage engine.
    pub engine: Arc<Engine>,
    /// The `host:port` routes advertise.
    pub advertised_address: String,
}

/// A protocol front-end.
#[async_trait]
pub trait Frontend: Send + Sync + 'static {
    /// Short name, as used in the listener flags (`remoting`, `grpc`, `amqp`, `http`).
    fn name(&self) -> &'static str;
    /// True when the first bytes of a connection look like this protocol (for shared ports).
    fn sniff(&self, first_bytes: &[u8]) -> bool;
    /// Serves one connection until it closes. Must never panic on bad input.
    async fn serve(&self, stream: TcpStream, peer: SocketAddr, ctx: Arc<FrontendContext>);
}
