//! `mqgate bench`: a remoting load generator. A producer with N connections and P requests in flight each
//! (message size, duration or count, optional fixed rate), a pull consumer (for backlog drains), an
//! end-to-end mode that measures producer-to-consumer latency, and a handshake mode that opens connections one
//! after another and measures their set-up. Every mode runs over plaintext or TLS. It only speaks the remoting
//! protocol, so it measures mqgate, Apache RocketMQ (name server + broker) and other brokers the same way.

pub mod client;
mod consume;
mod handshake;
mod produce;
pub mod report;

use crate::codec::codes;
use crate::codec::Command;
use client::Connection;
use consume::consume;
use handshake::handshakes;
use mqgate_transport::tls::TlsClient;
use produce::produce;
pub use report::{BenchReport, Latency};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchMode {
    /// Send only; throughput and acknowledgement latency.
    Produce,
    /// Pull only (e.g. drain a backlog); throughput.
    Consume,
    /// Send and pull together; end-to-end latency.
    EndToEnd,
    /// Open `count` connections to the target one after another (TCP connect, then the TLS handshake when
    /// `tls` is set), closing each; set-up latency.
    Handshake,
}

impl BenchMode {
    /// The mode's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            BenchMode::Produce => "produce",
            BenchMode::Consume => "consume",
            BenchMode::EndToEnd => "e2e",
            BenchMode::Handshake => "handshake",
        }
    }
}

/// Load generator settings.
#[derive(Debug, Clone)]
pub struct BenchArgs {
    /// Name-server address (`host:port`); for mqgate its remoting port.
    pub target: String,
    /// What to measure.
    pub mode: BenchMode,
    /// Topic.
    pub topic: String,
    /// Producer and consumer group.
    pub group: String,
    /// Producer connections.
    pub connections: usize,
    /// Requests in flight per producer connection.
    pub in_flight: usize,
    /// Message body size in bytes (at least 8: the first 8 bytes carry the send time).
    pub message_size: usize,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop after this many messages (sent, or received in consume mode).
    pub count: Option<u64>,
    /// Fixed total send rate, messages/s; unbounded when `None`.
    pub rate: Option<u64>,
    /// Consumer starts at each queue's first offset (drain) instead of its end.
    pub from_start: bool,
    /// Per-request timeout (also bounds each connection set-up).
    pub request_timeout: Duration,
    /// Connect over TLS with this client (which CA it trusts, or any certificate); plaintext when `None`.
    pub tls: Option<TlsClient>,
}

impl Default for BenchArgs {
    fn default() -> Self {
        BenchArgs {
            target: "127.0.0.1:9876".into(),
            mode: BenchMode::Produce,
            topic: "BenchTopic".into(),
            group: "bench_group".into(),
            connections: 1,
            in_flight: 1,
            message_size: 1024,
            duration: Some(Duration::from_secs(10)),
            count: None,
            rate: None,
            from_start: false,
            request_timeout: Duration::from_secs(10),
            tls: None,
        }
    }
}

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Connecting or talking to the broker failed.
    #[error("I/O error talking to the broker: {0}")]
    Io(#[from] std::io::Error),
    /// The route could not be found or read.
    #[error("no usable route for topic {topic}: {reason}")]
    Route {
        /// Topic.
        topic: String,
        /// What went wrong.
        reason: String,
    },
}

pub(crate) struct Route {
    pub(crate) broker: String,
    pub(crate) write_queues: i32,
    pub(crate) read_queues: i32,
}

async fn route(args: &BenchArgs) -> Result<Route, BenchError> {
    let ns = Connection::connect(&args.target, args.tls.as_ref()).await?;
    let bad = |reason: String| BenchError::Route {
        topic: args.topic.clone(),
        reason,
    };
    let mut topic = args.topic.clone();
    for _ in 0..2 {
        let r = ns
            .call(
                Command::request(codes::GET_ROUTEINFO_BY_TOPIC, 0).with_field("topic", &topic),
                args.request_timeout,
            )
            .await?;
        if r.code == codes::TOPIC_NOT_EXIST {
            topic = "TBW102".into();
            continue;
        }
        if r.code != codes::SUCCESS {
            return Err(bad(format!("code {} {:?}", r.code, r.remark)));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&r.body).map_err(|e| bad(format!("route JSON: {e}")))?;
        let broker = v["brokerDatas"][0]["brokerAddrs"]["0"]
            .as_str()
            .ok_or_else(|| bad("no master address".into()))?
            .to_string();
        let q = &v["queueDatas"][0];
        let cap = if topic == args.topic { i64::MAX } else { 4 };
        return Ok(Route {
            broker,
            write_queues: q["writeQueueNums"].as_i64().unwrap_or(4).min(cap) as i32,
            read_queues: q["readQueueNums"].as_i64().unwrap_or(4).min(cap) as i32,
        });
    }
    Err(bad("the topic and TBW102 have no route".into()))
}

pub(crate) fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) sent: AtomicU64,
    pub(crate) started: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) errors: AtomicU64,
}

/// Runs the benchmark and reports what it measured.
pub async fn run_bench(args: BenchArgs) -> Result<BenchReport, BenchError> {
    let args = Arc::new(BenchArgs {
        message_size: args.message_size.max(8),
        connections: args.connections.max(1),
        in_flight: args.in_flight.max(1),
        ..args
    });
    if args.mode == BenchMode::Handshake {
        return Ok(handshakes(&args).await);
    }
    let route = route(&args).await?;
    let counters = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let deadline = args.duration.map(|d| started + d);

    let mut consumer = None;
    if args.mode != BenchMode::Produce {
        consumer = Some(tokio::spawn(consume(
            args.clone(),
            route.broker.clone(),
            route.read_queues,
            counters.clone(),
            stop.clone(),
            deadline,
        )));
    }
    let mut send_samples = Vec::new();
    if args.mode != BenchMode::Consume {
        if args.mode == BenchMode::EndToEnd {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        send_samples = produce(&args, &route, &counters, deadline).await?;
    }
    let produce_elapsed = started.elapsed();
    let mut e2e = None;
    let mut consume_end = None;
    if let Some(c) = consumer {
        if args.mode == BenchMode::Consume {
            consume_end = Some(consume_finished(&args, &counters, started, deadline, &c).await);
            stop.store(true, Ordering::Relaxed);
        }
        if args.mode == BenchMode::EndToEnd {
            let wait_until = Instant::now() + Duration::from_secs(10);
            while counters.received.load(Ordering::Relaxed) < counters.sent.load(Ordering::Relaxed)
                && Instant::now() < wait_until
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            stop.store(true, Ordering::Relaxed);
        }
        let mut samples = c.await.unwrap_or_default();
        if args.mode == BenchMode::EndToEnd {
            e2e = Some(Latency::from_samples(&mut samples));
        }
    }
    let sent = counters.sent.load(Ordering::Relaxed);
    let received = counters.received.load(Ordering::Relaxed);
    let (elapsed, measured) = consume_end.unwrap_or((produce_elapsed, sent));
    let secs = elapsed.as_secs_f64().max(1e-9);
    Ok(BenchReport {
        mode: args.mode.name().into(),
        target: args.target.clone(),
        tls: args.tls.is_some(),
        message_size: args.message_size,
        connections: args.connections,
        in_flight: args.in_flight,
        sent,
        received,
        errors: counters.errors.load(Ordering::Relaxed),
        elapsed_secs: secs,
        msgs_per_sec: measured as f64 / secs,
        mb_per_sec: measured as f64 * args.message_size as f64 / secs / 1e6,
        send_latency: Latency::from_samples(&mut send_samples),
        e2e_latency: e2e,
        ..BenchReport::default()
    })
}

/// Consume mode: waits until `--count` messages have arrived or the deadline passed (or the consumer gave up),
/// and returns how long that took and how many had arrived. The clock stops there, not when the last pull
/// returns: a broker may hold an empty queue's pull well past its suspend timeout (Apache RocketMQ's
/// PullRequestHoldService looks at held pulls every 5 s), and that wait is not consuming.
async fn consume_finished(
    args: &BenchArgs,
    counters: &Counters,
    started: Instant,
    deadline: Option<Instant>,
    consumer: &tokio::task::JoinHandle<Vec<u32>>,
) -> (Duration, u64) {
    loop {
        let received = counters.received.load(Ordering::Relaxed);
        let now = Instant::now();
        if args.count.is_some_and(|c| received >= c)
            || deadline.is_some_and(|d| now >= d)
            || consumer.is_finished()
        {
            let end = deadline.map_or(now, |d| now.min(d));
            return (end - started, received);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn consume_clock_stops_at_the_count_while_a_pull_is_still_held() {
        let args = BenchArgs {
            mode: BenchMode::Consume,
            count: Some(100),
            ..BenchArgs::default()
        };
        let counters = Counters::default();
        counters.received.store(100, Ordering::Relaxed);
        let held_pull = tokio::spawn(std::future::pending::<Vec<u32>>());
        let started = Instant::now();
        let deadline = Some(started + Duration::from_secs(60));
        let (elapsed, received) =
            consume_finished(&args, &counters, started, deadline, &held_pull).await;
        held_pull.abort();
        assert_eq!(received, 100);
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }
}
