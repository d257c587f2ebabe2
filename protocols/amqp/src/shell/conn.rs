//! One task per AMQP connection: reads the socket into the state machine, writes what it produces, runs
//! its timers, and dispatches its events. Engine work for consumers runs in small fetch tasks that report
//! back over a channel, so a waiting receive never blocks the connection.

use super::Broker;
use crate::jms::selector::JmsFilter;
use crate::session::{Connection, ConnectionConfig, Event, LinkRef};
use bytes::{Bytes, BytesMut};
use mqgate_engine::{Delivery, Message};
use mqgate_transport::Connection as Accepted;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// What a consumer link reads.
pub(super) enum ConsumerKind {
    /// A JMS queue: one group shared by all consumers; unmatched messages stay for others.
    Queue,
    /// A topic subscription: its own group; unmatched messages are dropped for it.
    Subscription,
    /// A queue browser: reads without taking, from these positions.
    Browser(BTreeMap<i32, i64>),
    /// The answer to an unsubscribe attach: nothing is delivered.
    Lookup,
}

/// What happens to the engine group when the link goes away.
pub(super) enum Cleanup {
    Nothing,
    /// Non-durable subscription: delete its group.
    ForgetGroup,
    /// Shared non-durable subscription: delete when its last consumer leaves.
    SharedVolatile(String),
    /// Durable subscription: delete only when the link is closed (unsubscribe).
    Durable(String),
}

/// A link on which we send (a JMS consumer or browser).
pub(super) struct Consumer {
    pub kind: ConsumerKind,
    pub group: String,
    pub topic: String,
    pub filter: Option<Arc<JmsFilter>>,
    pub presettled: bool,
    pub cleanup: Cleanup,
    /// Fetch in progress: its id and abort handle.
    pub fetching: Option<(u64, AbortHandle)>,
    /// The peer asked to drain.
    pub drain: bool,
}

/// A link on which we receive (a JMS producer, an anonymous producer, or the transaction coordinator).
pub(super) struct Producer {
    /// Fixed destination topic; `None` = anonymous relay (each message's `to`).
    pub topic: Option<String>,
    pub coordinator: bool,
    /// A temporary node created by this link's attach (deleted when the link closes).
    pub dynamic: bool,
}

/// A delivery sent and not yet settled.
pub(super) struct InFlight {
    pub link: LinkRef,
    pub group: String,
    pub handle: String,
    pub since: Instant,
}

/// The result of a fetch task.
pub(super) struct Fetched {
    pub link: LinkRef,
    pub group: String,
    pub fetch_id: u64,
    pub result: mqgate_engine::Result<Vec<Delivery>>,
}

/// An accepted message waiting for the batch append.
pub(super) struct Incoming {
    pub link: LinkRef,
    pub delivery_id: u32,
    pub settled: bool,
    pub message: Message,
}

/// Per-connection state of the shell.
pub(super) struct ConnTask {
    pub conn: Connection,
    pub broker: Arc<Broker>,
    /// Unique id of this connection (no-local, temporary names).
    pub id: String,
    pub container_id: String,
    pub consumers: HashMap<LinkRef, Consumer>,
    pub producers: HashMap<LinkRef, Producer>,
    pub inflight: HashMap<u64, InFlight>,
    pub next_token: u64,
    pub txns: HashMap<Bytes, super::txn::Txn>,
    pub temp_topics: Vec<String>,
    pub fetch_tx: mpsc::UnboundedSender<Fetched>,
    pub batch: Vec<Incoming>,
}

/// Serves one connection until it closes.
pub(super) async fn run(accepted: Accepted, broker: Arc<Broker>, config: ConnectionConfig) {
    let peer = accepted.peer;
    let mut stream = accepted.stream;
    let socket = accepted.socket;
    let (fetch_tx, mut fetch_rx) = mpsc::unbounded_channel();
    let id = format!("c{}", broker.next_id());
    let mut task = ConnTask {
        conn: Connection::new(config, Instant::now()),
        broker,
        id,
        container_id: String::new(),
        consumers: HashMap::new(),
        producers: HashMap::new(),
        inflight: HashMap::new(),
        next_token: 1,
        txns: HashMap::new(),
        temp_topics: Vec::new(),
        fetch_tx,
        batch: Vec::new(),
    };
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut renew = tokio::time::interval(Duration::from_secs(5));
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let out = task.conn.take_output(Instant::now());
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            task.conn.close(None);
            task.process_events().await;
            break;
        }
        if task.conn.is_closed() {
            break;
        }
        let wake = task.conn.next_timeout().map_or_else(
            || tokio::time::Instant::now() + Duration::from_secs(60),
            tokio::time::Instant::from_std,
        );
        tokio::select! {
            read = stream.read_buf(&mut buf) => match read {
                Ok(0) | Err(_) => {
                    task.conn.close(None);
                }
                Ok(_) => {
                    // ACK at once: a receiver whose credit ran out sends its next flow frame behind small
                    // dispositions, and with Nagle on (fe2o3-amqp's default) that frame waits for our ACK.
                    if let Some(s) = &socket {
                        s.quickack();
                    }
                    task.conn.handle_input(&buf, Instant::now());
                    buf.clear();
                    if buf.capacity() < 16 * 1024 {
                        buf.reserve(64 * 1024);
                    }
                }
            },
            Some(f) = fetch_rx.recv() => task.on_fetched(f),
            _ = tokio::time::sleep_until(wake) => task.conn.handle_timeout(Instant::now()),
            _ = renew.tick() => task.on_tick(),
        }
        task.process_events().await;
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
    tracing::debug!(%peer, "AMQP connection closed");
}

impl ConnTask {
    /// Dispatches every pending event, then appends the batch of accepted messages.
    pub(super) async fn process_events(&mut self) {
        loop {
            while let Some(ev) = self.conn.poll_event() {
                self.on_event(ev).await;
            }
            self.flush_batch().await;
            if !self.conn.has_events() {
                break;
            }
        }
    }

    async fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Opened { container_id, .. } => self.container_id = container_id,
            Event::Attach { link, attach } => self.on_attach(link, attach).await,
            Event::Credit { link, drain, .. } => self.on_credit(link, drain),
            Event::Message {
                link,
                delivery_id,
                settled,
                state,
                payload,
            } => {
                self.on_message(link, delivery_id, settled, state, payload)
                    .await
            }
            Event::Outcome { token, state, .. } => self.on_outcome(token, state).await,
            Event::Detached {
                link,
                closed,
                unsettled,
            } => self.on_detached(link, closed, unsettled),
            Event::Closed { error } => {
                if let Some(e) = error {
                    tracing::debug!(condition = %e.condition, description = ?e.description, "AMQP connection closed with an error");
                }
                self.on_closed();
            }
        }
    }

    /// Everything the connection owned goes away: temporary nodes, open transactions.
    fn on_closed(&mut self) {
        for (_, txn) in std::mem::take(&mut self.txns) {
            self.rollback(txn);
        }
        for topic in std::mem::take(&mut self.temp_topics) {
            self.delete_temporary(&topic);
        }
    }

    pub(super) fn delete_temporary(&mut self, topic: &str) {
        let engine = &self.broker.engine;
        let _ = engine.forget_group(&crate::jms::names::queue_group(topic));
        if let Err(e) = engine.delete_topic(topic) {
            tracing::debug!(topic, error = %e, "could not delete a temporary node");
        }
        self.temp_topics.retain(|t| t != topic);
    }

    /// Periodic work: keep unsettled deliveries invisible to other consumers, and poll browsers.
    fn on_tick(&mut self) {
        let now = Instant::now();
        let every = Duration::from_millis((self.broker.settings.invisible_ms / 3).max(1) as u64);
        let engine = self.broker.engine.clone();
        for f in self.inflight.values_mut() {
            if now.duration_since(f.since) >= every {
                if let Ok(h) =
                    engine.change_invisible(&f.group, &f.handle, self.broker.settings.invisible_ms)
                {
                    f.handle = h;
                }
                f.since = now;
            }
        }
        let browsers: Vec<LinkRef> = self
            .consumers
            .iter()
            .filter(|(_, c)| matches!(c.kind, ConsumerKind::Browser(_)))
            .map(|(l, _)| *l)
            .collect();
        for link in browsers {
            self.fill(link);
        }
    }
}
