//! State shared by every connection of the remoting listener: the engine, the advertised address, the client
//! registry, settings; plus the background task that turns engine transaction-check events into
//! CHECK_TRANSACTION_STATE requests to a live producer.

use crate::codec::{codes, Command};
use crate::session::registry::Changes;
use crate::session::{Registry, SubscriptionFilter};
use crate::settings::RemotingSettings;
use crate::shell::outbound::Outbound;
use mqgate_engine::{Engine, EngineEvent};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Most cached pull-carried filters.
const FILTER_CACHE: usize = 1024;

/// What all connections share.
#[derive(Debug)]
pub struct Shared {
    /// The storage engine.
    pub engine: Arc<Engine>,
    /// `host:port` that routes point at.
    pub advertised: String,
    /// Settings.
    pub settings: RemotingSettings,
    /// Registered clients.
    pub registry: Registry,
    next_conn: AtomicU64,
    next_opaque: AtomicI32,
    filters: Mutex<HashMap<(String, String), Arc<SubscriptionFilter>>>,
}

impl Shared {
    /// Shared state without background tasks (tests).
    pub fn new(engine: Arc<Engine>, advertised: String, settings: RemotingSettings) -> Arc<Self> {
        Arc::new(Shared {
            engine,
            advertised,
            settings,
            registry: Registry::default(),
            next_conn: AtomicU64::new(1),
            next_opaque: AtomicI32::new(1),
            filters: Mutex::new(HashMap::new()),
        })
    }

    /// Shared state plus the transaction-check task; must run inside a tokio runtime.
    pub fn start(engine: Arc<Engine>, advertised: String, settings: RemotingSettings) -> Arc<Self> {
        let shared = Self::new(engine, advertised, settings);
        let events = shared.engine.subscribe();
        let weak = Arc::downgrade(&shared);
        tokio::spawn(async move {
            let mut events = events;
            loop {
                let ev = match events.recv().await {
                    Ok(ev) => ev,
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(
                            missed = n,
                            "transaction-check events dropped; they are re-sent later"
                        );
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                let Some(shared) = weak.upgrade() else { break };
                match ev {
                    EngineEvent::TransactionCheck {
                        producer_group,
                        transaction_id,
                        half,
                    } => crate::handlers::transaction::send_check(
                        &shared,
                        &producer_group,
                        &transaction_id,
                        &half,
                    ),
                }
            }
        });
        shared
    }

    /// A compiled filter for an expression carried in a pull (lite pull consumers send theirs every time);
    /// compiled once and cached (at most [`FILTER_CACHE`] entries).
    pub fn filter_for(
        &self,
        expression_type: Option<&str>,
        expression: &str,
    ) -> Result<Arc<SubscriptionFilter>, String> {
        let key = (
            expression_type.unwrap_or("TAG").to_string(),
            expression.to_string(),
        );
        if let Some(f) = self.filters.lock().get(&key) {
            return Ok(f.clone());
        }
        let f = Arc::new(SubscriptionFilter::compile(expression_type, expression)?);
        let mut cache = self.filters.lock();
        if cache.len() >= FILTER_CACHE {
            cache.clear();
        }
        cache.insert(key, f.clone());
        Ok(f)
    }

    /// A new connection id.
    pub fn next_connection_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// A new opaque for a request mqgate sends to a client.
    pub fn next_opaque(&self) -> i32 {
        self.next_opaque.fetch_add(1, Ordering::Relaxed) & 0x7FFF_FFFF
    }

    /// Tells the members of each changed group to rebalance (NOTIFY_CONSUMER_IDS_CHANGED, oneway, best effort).
    pub fn notify_changes(&self, changes: Changes) {
        for (group, members) in changes {
            for peer in members {
                let cmd = Command::request(codes::NOTIFY_CONSUMER_IDS_CHANGED, self.next_opaque())
                    .oneway()
                    .with_field("consumerGroup", &group);
                peer.try_send(Outbound::command(&cmd));
            }
        }
    }
}
