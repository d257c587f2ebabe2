//! The tokio shell: the [`AmqpFrontend`] the gateway registers, the state shared by all AMQP connections
//! (subscription registry, selector cache), and one task per connection (`conn.rs`) that feeds the state
//! machine and turns its events into engine calls (`attach.rs`, `deliver.rs`, `produce.rs`, `txn.rs`).

mod attach;
mod conn;
mod deliver;
mod produce;
mod txn;

use crate::codec::Value;
use crate::jms::subscriptions::SubscriptionStore;
use crate::session::{AllowAll, Authenticator, ConnectionConfig};
use async_trait::async_trait;
use mqgate_engine::{Engine, TopicConfig};
use mqgate_filter::{FilterCache, Limits};
use mqgate_transport::{Connection as Accepted, Frontend, FrontendContext};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Settings of the AMQP listener.
#[derive(Clone)]
pub struct AmqpSettings {
    /// Largest frame accepted, bytes (default 256 KiB).
    pub max_frame_size: u32,
    /// Largest message accepted, bytes (default 4 MiB, the engine's default limit).
    pub max_message_size: u64,
    /// Close a connection that sends nothing for this long, ms (default 60 000; heartbeats count).
    pub idle_timeout_ms: u32,
    /// Refuse connections without SASL (default false: a bare AMQP header is treated as anonymous).
    pub require_sasl: bool,
    /// The SASL credential check (default: everyone may connect).
    pub authenticator: Arc<dyn Authenticator>,
    /// How long a delivered, unsettled message stays invisible to other consumers before the connection
    /// renews it, ms (default 60 000). A crashed gateway's deliveries come back after at most this long.
    pub invisible_ms: i64,
    /// Queue count of topics this front-end creates (default 1: JMS queues keep one order).
    pub queues_per_topic: u32,
}

impl Default for AmqpSettings {
    fn default() -> Self {
        AmqpSettings {
            max_frame_size: 256 * 1024,
            max_message_size: 4 << 20,
            idle_timeout_ms: 60_000,
            require_sasl: false,
            authenticator: Arc::new(AllowAll),
            invisible_ms: 60_000,
            queues_per_topic: 1,
        }
    }
}

/// State shared by every AMQP connection of one engine.
pub(crate) struct Broker {
    pub engine: Arc<Engine>,
    pub settings: AmqpSettings,
    pub subscriptions: SubscriptionStore,
    pub filters: FilterCache,
    next_id: AtomicU64,
}

impl Broker {
    fn new(engine: Arc<Engine>, settings: AmqpSettings) -> Self {
        let path = engine.config().data_dir.join("amqp-subscriptions.json");
        Broker {
            engine,
            settings,
            subscriptions: SubscriptionStore::open(Some(path)),
            filters: FilterCache::new(FilterCache::DEFAULT_CAPACITY, Limits::default()),
            next_id: AtomicU64::new(1),
        }
    }

    /// A number unique within this process.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Creates `topic` with the configured queue count unless it exists.
    pub fn ensure_topic(&self, topic: &str) -> mqgate_engine::Result<()> {
        if self.engine.topic(topic).is_some() {
            return Ok(());
        }
        mqgate_engine::metadata::validate_topic_name(topic)?;
        self.engine.create_topic(TopicConfig::new(
            topic,
            self.settings.queues_per_topic.max(1),
        ))
    }

    fn connection_config(&self) -> ConnectionConfig {
        let caps = ["ANONYMOUS-RELAY", "SHARED-SUBS", "DELAYED_DELIVERY"];
        ConnectionConfig {
            container_id: "mqgate".into(),
            max_frame_size: self.settings.max_frame_size,
            idle_timeout_ms: self.settings.idle_timeout_ms,
            max_message_size: self.settings.max_message_size,
            offered_capabilities: caps.iter().map(|c| c.to_string()).collect(),
            properties: Value::Map(vec![
                (Value::sym("product"), Value::str("mqgate")),
                (Value::sym("version"), Value::str(env!("CARGO_PKG_VERSION"))),
            ]),
            require_sasl: self.settings.require_sasl,
            authenticator: self.settings.authenticator.clone(),
            ..ConnectionConfig::default()
        }
    }
}

/// The AMQP 1.0 front-end.
#[derive(Default)]
pub struct AmqpFrontend {
    settings: AmqpSettings,
    broker: OnceLock<Arc<Broker>>,
}

impl AmqpFrontend {
    /// A front-end with these settings.
    pub fn new(settings: AmqpSettings) -> Self {
        AmqpFrontend {
            settings,
            broker: OnceLock::new(),
        }
    }
}

#[async_trait]
impl Frontend for AmqpFrontend {
    fn name(&self) -> &'static str {
        "amqp"
    }

    /// Both protocol headers (`AMQP 0 1 0 0`, `AMQP 3 1 0 0`) start with `AMQP`.
    fn sniff(&self, first_bytes: &[u8]) -> bool {
        first_bytes.starts_with(b"AMQP")
    }

    /// The connection task sets TCP_QUICKACK after each read.
    fn wants_socket(&self) -> bool {
        true
    }

    async fn serve(&self, conn: Accepted, ctx: Arc<FrontendContext>) {
        let broker = self
            .broker
            .get_or_init(|| Arc::new(Broker::new(ctx.engine.clone(), self.settings.clone())))
            .clone();
        let config = broker.connection_config();
        conn::run(conn, broker, config).await;
    }
}
