//! The clients mqgate knows, by `x-mq-client-id`: their type, group or published topics (from their Settings or
//! heartbeats) and their one Telemetry stream, through which server commands (transaction checks) are pushed.
//! A client that opens a second stream replaces the first, which is then closed. Bounded in count; idle clients
//! without a stream are forgotten. Time is passed in, so tests need no clock.

use crate::error::{RpcError, RpcResult};
use crate::pb::{ClientType, Code, TelemetryCommand};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Notify};

/// Where server commands for a client's Telemetry stream go.
pub type CommandSender = mpsc::Sender<Result<TelemetryCommand, tonic::Status>>;

/// A client's open Telemetry stream.
#[derive(Debug, Clone)]
pub struct TelemetryStream {
    /// Distinguishes a stream from the one that replaced it.
    pub id: u64,
    /// Commands to the client.
    pub tx: CommandSender,
    /// Notified when a newer stream replaces this one; the stream then ends.
    pub closed: Arc<Notify>,
}

/// What is known about one client.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// Producer, push or simple consumer …
    pub client_type: ClientType,
    /// Consumer group (consumers).
    pub group: Option<String>,
    /// Topics it publishes (producers), engine names.
    pub topics: Vec<String>,
    /// Its Telemetry stream, if open.
    pub stream: Option<TelemetryStream>,
    /// Last call or stream activity.
    pub last_seen: Instant,
}

/// The registry of clients.
#[derive(Debug)]
pub struct Clients {
    inner: Mutex<HashMap<String, ClientInfo>>,
    max: usize,
    next_stream: std::sync::atomic::AtomicU64,
}

impl Clients {
    /// A registry of at most `max` clients.
    pub fn new(max: usize) -> Self {
        Clients {
            inner: Mutex::new(HashMap::new()),
            max,
            next_stream: 1.into(),
        }
    }

    fn entry<'a>(
        &self,
        map: &'a mut HashMap<String, ClientInfo>,
        id: &str,
        client_type: ClientType,
        now: Instant,
    ) -> RpcResult<&'a mut ClientInfo> {
        if !map.contains_key(id) && map.len() >= self.max {
            return Err(RpcError::new(Code::TooManyRequests, "too many clients"));
        }
        let c = map.entry(id.to_string()).or_insert_with(|| ClientInfo {
            client_type,
            group: None,
            topics: Vec::new(),
            stream: None,
            last_seen: now,
        });
        c.last_seen = now;
        Ok(c)
    }

    /// Records a client's Settings: its type and its group or published topics.
    pub fn register(
        &self,
        id: &str,
        client_type: ClientType,
        group: Option<String>,
        topics: Vec<String>,
        now: Instant,
    ) -> RpcResult<()> {
        let mut map = self.inner.lock();
        let c = self.entry(&mut map, id, client_type, now)?;
        c.client_type = client_type;
        if group.is_some() {
            c.group = group;
        }
        if !topics.is_empty() {
            c.topics = topics;
        }
        Ok(())
    }

    /// Records a heartbeat (or any call) of a client.
    pub fn touch(&self, id: &str, now: Instant) {
        if let Some(c) = self.inner.lock().get_mut(id) {
            c.last_seen = now;
        }
    }

    /// What is known about `id`.
    pub fn get(&self, id: &str) -> Option<ClientInfo> {
        self.inner.lock().get(id).cloned()
    }

    /// Attaches a Telemetry stream to `id`, closing an earlier one. Returns the stream.
    pub fn attach(&self, id: &str, tx: CommandSender, now: Instant) -> RpcResult<TelemetryStream> {
        let stream = TelemetryStream {
            id: self
                .next_stream
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            tx,
            closed: Arc::new(Notify::new()),
        };
        let mut map = self.inner.lock();
        let c = self.entry(&mut map, id, ClientType::Unspecified, now)?;
        if let Some(old) = c.stream.replace(stream.clone()) {
            old.closed.notify_one();
        }
        Ok(stream)
    }

    /// Detaches stream `stream_id` from `id` if it is still the current one.
    pub fn detach(&self, id: &str, stream_id: u64) {
        if let Some(c) = self.inner.lock().get_mut(id) {
            if c.stream.as_ref().is_some_and(|s| s.id == stream_id) {
                c.stream = None;
            }
        }
    }

    /// Forgets a client (NotifyClientTermination); closes its stream.
    pub fn remove(&self, id: &str) {
        if let Some(c) = self.inner.lock().remove(id) {
            if let Some(s) = c.stream {
                s.closed.notify_one();
            }
        }
    }

    /// Command senders of producers that publish `topic` and have a stream open.
    pub fn producers_of(&self, topic: &str) -> Vec<CommandSender> {
        self.inner
            .lock()
            .values()
            .filter(|c| {
                c.client_type == ClientType::Producer && c.topics.iter().any(|t| t == topic)
            })
            .filter_map(|c| c.stream.as_ref().map(|s| s.tx.clone()))
            .collect()
    }

    /// Forgets clients with no stream and no activity for `idle`; returns their ids.
    pub fn sweep(&self, now: Instant, idle: Duration) -> Vec<String> {
        let mut map = self.inner.lock();
        let gone: Vec<String> = map
            .iter()
            .filter(|(_, c)| c.stream.is_none() && now.duration_since(c.last_seen) > idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &gone {
            map.remove(id);
        }
        gone
    }

    /// Number of known clients.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// True when no client is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> (
        CommandSender,
        mpsc::Receiver<Result<TelemetryCommand, tonic::Status>>,
    ) {
        mpsc::channel(4)
    }

    #[test]
    fn a_second_stream_replaces_and_closes_the_first() {
        let clients = Clients::new(10);
        let now = Instant::now();
        let (tx1, _rx1) = sender();
        let first = clients.attach("c1", tx1, now).unwrap();
        let (tx2, _rx2) = sender();
        let second = clients.attach("c1", tx2, now).unwrap();
        assert_ne!(first.id, second.id);
        // The first stream was told to close (a stored permit makes `notified` ready at once).
        let notified = first.closed.notified();
        futures_ready(notified);
        clients.detach("c1", first.id);
        assert_eq!(clients.get("c1").unwrap().stream.unwrap().id, second.id);
    }

    fn futures_ready(f: impl std::future::Future<Output = ()>) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(100), f)
                .await
                .expect("closed was notified");
        });
    }

    #[test]
    fn producers_with_streams_are_found_by_topic() {
        let clients = Clients::new(10);
        let now = Instant::now();
        clients
            .register("p1", ClientType::Producer, None, vec!["T".into()], now)
            .unwrap();
        clients
            .register("p2", ClientType::Producer, None, vec!["U".into()], now)
            .unwrap();
        assert!(clients.producers_of("T").is_empty());
        let (tx, _rx) = sender();
        clients.attach("p1", tx, now).unwrap();
        assert_eq!(clients.producers_of("T").len(), 1);
        assert!(clients.producers_of("U").is_empty());
    }

    #[test]
    fn the_registry_is_bounded_and_idle_clients_are_swept() {
        let clients = Clients::new(2);
        let now = Instant::now();
        clients
            .register(
                "a",
                ClientType::SimpleConsumer,
                Some("G".into()),
                vec![],
                now,
            )
            .unwrap();
        clients
            .register(
                "b",
                ClientType::SimpleConsumer,
                Some("G".into()),
                vec![],
                now,
            )
            .unwrap();
        let err = clients
            .register("c", ClientType::Producer, None, vec![], now)
            .unwrap_err();
        assert_eq!(err.code, Code::TooManyRequests);
        let later = now + Duration::from_secs(300);
        clients.touch("b", later);
        assert_eq!(
            clients.sweep(later, Duration::from_secs(120)),
            vec!["a".to_string()]
        );
        assert_eq!(clients.len(), 1);
    }
}
