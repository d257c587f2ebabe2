//! RocketMQ remoting front-end for mqgate: unmodified remoting clients (Java `rocketmq-client`, Go, C++ and
//! the Python client built on it) point their name-server address at mqgate and just work. One port serves both
//! the name-server role (routes point back at mqgate's advertised address) and the broker role.
//!
//! Layers: [`codec`] (pure bytes ↔ commands), [`session`] (registered clients, subscriptions, filters),
//! [`handlers`] (one file per request family, each translating into engine calls) and [`shell`] (the tokio task
//! per connection). [`bench`] is the `mqgate bench` load generator, a small remoting client.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
pub mod codec;
pub mod error;
pub mod handlers;
pub mod session;
pub mod settings;
pub mod shell;

use async_trait::async_trait;
use mqgate_transport::{Connection, Frontend, FrontendContext};
use std::sync::{Arc, OnceLock};

pub use error::{CodecError, RequestError};
pub use settings::RemotingSettings;
pub use shell::state::Shared;

/// The remoting front-end, registered with the gateway as `remoting`.
#[derive(Debug, Default)]
pub struct RemotingFrontend {
    settings: RemotingSettings,
    shared: OnceLock<Arc<Shared>>,
}

impl RemotingFrontend {
    /// A front-end with `settings`.
    pub fn new(settings: RemotingSettings) -> Self {
        RemotingFrontend {
            settings,
            shared: OnceLock::new(),
        }
    }

    fn shared(&self, ctx: &FrontendContext) -> Arc<Shared> {
        self.shared
            .get_or_init(|| {
                Shared::start(
                    ctx.engine.clone(),
                    ctx.advertised_address.clone(),
                    self.settings.clone(),
                )
            })
            .clone()
    }
}

#[async_trait]
impl Frontend for RemotingFrontend {
    fn name(&self) -> &'static str {
        "remoting"
    }

    fn sniff(&self, first_bytes: &[u8]) -> bool {
        shell::sniff(first_bytes)
    }

    async fn serve(&self, conn: Connection, ctx: Arc<FrontendContext>) {
        let shared = self.shared(&ctx);
        shell::connection::serve(conn.stream, conn.peer, shared).await;
    }
}
