//! Senders: one task per connection keeps up to `inflight` unsettled transfers open, optionally paced.
//!
//! Each transfer is unsettled, has header `durable=true` and one `data` section (stamp, then filler); a send
//! succeeds on an `accepted` disposition. A second task per connection waits for the outcomes, so a
//! settlement is timed when it arrives, not when the sending loop next looks. Latency is send start →
//! outcome, for sends started inside the measured window; throughput counts outcomes inside the window.

use crate::link::{open_sender, Error, Link};
use crate::report::{new_histogram, record};
use crate::stamp::{payload, unix_ns, Stamp, MEASURED};
use fe2o3_amqp::link::delivery::DeliveryFut;
use fe2o3_amqp::link::SendError;
use fe2o3_amqp::types::messaging::{Data, Header, Message, Outcome};
use fe2o3_amqp::types::primitives::Binary;
use fe2o3_amqp::Sendable;
use futures_util::stream::{FuturesUnordered, StreamExt};
use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How long to wait for outstanding outcomes after the last send.
const SETTLE_WAIT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct SendPlan {
    pub url: String,
    pub address: String,
    pub size: usize,
    pub conns: usize,
    pub inflight: usize,
    /// Total messages per second over all connections; `None` = as fast as possible.
    pub rate: Option<f64>,
    /// Total messages to send over all connections; `None` = until the window ends.
    pub count: Option<u64>,
    pub run: u32,
    pub nodelay: bool,
}

/// The measured window: sends start at `start`, count from `from`, stop at `until`.
#[derive(Clone, Copy)]
pub struct Window {
    pub start: Instant,
    pub from: Instant,
    pub until: Instant,
}

impl Window {
    fn contains(&self, t: Instant) -> bool {
        t >= self.from && t < self.until
    }
}

/// What the senders saw.
pub struct SendTotals {
    /// Accepted outcomes, warm-up included (what a drain should find).
    pub accepted: u64,
    /// Accepted outcomes that arrived inside the window.
    pub accepted_in_window: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// When the last accepted outcome arrived.
    pub last: Option<Instant>,
    pub latency_us: Histogram<u64>,
}

impl SendTotals {
    fn new() -> SendTotals {
        SendTotals {
            accepted: 0,
            accepted_in_window: 0,
            errors: 0,
            first_error: None,
            last: None,
            latency_us: new_histogram(),
        }
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }

    fn merge(&mut self, other: SendTotals) {
        self.accepted += other.accepted;
        self.accepted_in_window += other.accepted_in_window;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.last = self.last.max(other.last);
        // Both histograms share bounds, so adding cannot fail.
        let _ = self.latency_us.add(&other.latency_us);
    }
}

/// Opens every sender connection (all before any sends, so connecting is not measured).
pub async fn connect(plan: &SendPlan) -> Result<Vec<Link<fe2o3_amqp::Sender>>, Error> {
    let mut links = Vec::with_capacity(plan.conns);
    for i in 0..plan.conns {
        let id = format!("amqp-load-{}-p{i}", std::process::id());
        links.push(open_sender(&plan.url, &plan.address, &id, plan.nodelay).await?);
    }
    Ok(links)
}

/// Runs the senders over `window` and closes their connections.
pub async fn run(
    plan: &SendPlan,
    links: Vec<Link<fe2o3_amqp::Sender>>,
    window: Window,
) -> SendTotals {
    let budget = Arc::new(AtomicI64::new(
        plan.count
            .map_or(i64::MAX, |c| c.min(i64::MAX as u64) as i64),
    ));
    let tasks: Vec<_> = links
        .into_iter()
        .enumerate()
        .map(|(i, link)| {
            let plan = plan.clone();
            let budget = budget.clone();
            tokio::spawn(async move { sender_task(i as u32, link, plan, window, budget).await })
        })
        .collect();
    let mut totals = SendTotals::new();
    for t in tasks {
        match t.await {
            Ok(r) => totals.merge(r),
            Err(e) => totals.error(format!("sender task: {e}")),
        }
    }
    totals
}

type Pending = (
    Instant,
    DeliveryFut<Result<Outcome, SendError>>,
    OwnedSemaphorePermit,
);

async fn sender_task(
    conn: u32,
    mut link: Link<fe2o3_amqp::Sender>,
    plan: SendPlan,
    window: Window,
    budget: Arc<AtomicI64>,
) -> SendTotals {
    let slots = Arc::new(Semaphore::new(plan.inflight.max(1)));
    let (tx, rx) = mpsc::unbounded_channel::<Pending>();
    let outcomes = tokio::spawn(outcome_task(rx, window));
    let template = payload(plan.size);
    let interval = plan
        .rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(plan.conns as f64 / r));
    let mut send_errors = SendTotals::new();
    let mut seq: u64 = 0;
    loop {
        if let Some(every) = interval {
            let due = window.start + every.mul_f64(seq as f64);
            if due >= window.until {
                break;
            }
            if due > Instant::now() {
                tokio::time::sleep_until(due).await;
            }
        }
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let now = Instant::now();
        if now >= window.until || budget.fetch_sub(1, Ordering::Relaxed) <= 0 {
            break;
        }
        let mut body = template.clone();
        Stamp {
            run: plan.run,
            sent_unix_ns: unix_ns(),
            conn,
            flags: if window.contains(now) { MEASURED } else { 0 },
            seq,
        }
        .write(&mut body);
        seq += 1;
        let message = Message::builder()
            .header(Header {
                durable: true,
                ..Default::default()
            })
            .data(Data(Binary::from(body)))
            .build();
        let sendable = Sendable::builder().message(message).settled(false).build();
        match link.link.send_batchable(sendable).await {
            Ok(fut) => {
                if tx.send((now, fut, permit)).is_err() {
                    break;
                }
            }
            Err(e) => {
                send_errors.error(format!("send on connection {conn}: {e}"));
                break;
            }
        }
    }
    drop(tx);
    let mut totals = match outcomes.await {
        Ok(t) => t,
        Err(e) => {
            let mut t = SendTotals::new();
            t.error(format!("outcome task: {e}"));
            t
        }
    };
    totals.merge(send_errors);
    link.close().await;
    totals
}

/// Waits for outcomes as they arrive and frees an in-flight slot for each.
async fn outcome_task(mut rx: mpsc::UnboundedReceiver<Pending>, window: Window) -> SendTotals {
    let mut totals = SendTotals::new();
    let mut pending = FuturesUnordered::new();
    let mut open = true;
    let mut deadline: Option<Instant> = None;
    loop {
        tokio::select! {
            biased;
            item = rx.recv(), if open => match item {
                Some((started, fut, permit)) => pending.push(async move {
                    let outcome = fut.await;
                    drop(permit);
                    (started, Instant::now(), outcome)
                }),
                None => {
                    open = false;
                    deadline = Some(Instant::now() + SETTLE_WAIT);
                }
            },
            Some((started, done, outcome)) = pending.next(), if !pending.is_empty() => {
                match outcome {
                    Ok(Outcome::Accepted(_)) => {
                        totals.accepted += 1;
                        totals.last = Some(done);
                        if window.contains(done) {
                            totals.accepted_in_window += 1;
                        }
                        if window.contains(started) {
                            record(&mut totals.latency_us, done.duration_since(started).as_micros() as u64);
                        }
                    }
                    Ok(other) => totals.error(format!("outcome {other:?}")),
                    Err(e) => totals.error(format!("send failed: {e}")),
                }
            }
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                let left = pending.len() as u64;
                if left > 0 {
                    totals.errors += left;
                    totals.first_error.get_or_insert(format!("{left} sends had no outcome after {SETTLE_WAIT:?}"));
                }
                break;
            }
        }
        if !open && pending.is_empty() {
            break;
        }
    }
    totals
}
