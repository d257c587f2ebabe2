//! The seam between the gateway and protocol front-ends. Each protocol crate implements [`Frontend`]; the
//! gateway registers it (one line in the gateway's `frontends()`) and hands it accepted connections after the
//! listener stack (PROXY protocol, TLS, sniffing) has run.

use crate::connection::Connection;
use async_trait::async_trait;
use mqgate_engine::Engine;
use std::sync::Arc;

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
    /// True when the first bytes of a connection look like this protocol (for shared ports). Gets up to
    /// [`crate::sniff::PROTOCOL_SNIFF_LEN`] bytes, fewer when the client sent fewer.
    fn sniff(&self, first_bytes: &[u8]) -> bool;
    /// True when this front-end sets socket options while serving and needs [`Connection::socket`]. Each handle
    /// is a second file descriptor, so the stack only keeps it for front-ends that ask.
    fn wants_socket(&self) -> bool {
        false
    }
    /// Serves one connection until it closes. Must never panic on bad input.
    async fn serve(&self, conn: Connection, ctx: Arc<FrontendContext>);
}
