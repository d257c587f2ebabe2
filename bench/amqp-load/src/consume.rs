//! Receivers: one link per connection with auto-refilled credit; each delivery is accepted before the next
//! one is taken (the per-message pattern of a plain JMS consumer).
//!
//! In end-to-end mode a receiver reads the stamp, ignores other runs' messages (accepting them all the
//! same), records unix-ns latency for measured messages and remembers every (connection, sequence) it saw,
//! so the caller can count missing and duplicated messages. Receivers stop when told to, when the shared
//! `count` is reached, or at their deadline.

use crate::link::{open_receiver, Error, Link};
use crate::report::{new_histogram, record};
use crate::stamp::{unix_ns, Stamp};
use fe2o3_amqp::types::messaging::Body;
use fe2o3_amqp::types::primitives::Value;
use fe2o3_amqp::Receiver;
use hdrhistogram::Histogram;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::time::Instant;

#[derive(Clone)]
pub struct ReceivePlan {
    pub url: String,
    pub address: String,
    pub links: usize,
    pub credit: u32,
    /// Stop once this many messages were received over all links.
    pub count: Option<u64>,
    /// The e2e run whose stamps to check; `None` = just count (drain).
    pub run: Option<u32>,
    /// Deliveries accepted in [from, until) are counted in `in_window`.
    pub window: Option<(Instant, Instant)>,
    pub nodelay: bool,
}

/// Shared progress, readable while the receivers run.
#[derive(Default)]
pub struct Progress {
    /// Every delivery accepted, any run.
    pub received: AtomicU64,
    /// Deliveries that carried this run's stamp.
    pub this_run: AtomicU64,
    pub bytes: AtomicU64,
}

pub struct ReceiveTotals {
    pub received: u64,
    /// Deliveries accepted inside the plan's window (in e2e mode: of this run only).
    pub in_window: u64,
    pub bytes: u64,
    /// Messages without this run's stamp (e2e only).
    pub foreign: u64,
    pub unique: u64,
    pub duplicates: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// When the last delivery was accepted.
    pub last: Option<Instant>,
    pub latency_us: Histogram<u64>,
    seen: HashSet<u64>,
}

impl ReceiveTotals {
    fn new() -> ReceiveTotals {
        ReceiveTotals {
            received: 0,
            in_window: 0,
            bytes: 0,
            foreign: 0,
            unique: 0,
            duplicates: 0,
            errors: 0,
            first_error: None,
            last: None,
            latency_us: new_histogram(),
            seen: HashSet::new(),
        }
    }

    fn see(&mut self, key: u64) {
        if self.seen.insert(key) {
            self.unique += 1;
        } else {
            self.duplicates += 1;
        }
    }

    fn merge(&mut self, other: ReceiveTotals) {
        self.received += other.received;
        self.in_window += other.in_window;
        self.bytes += other.bytes;
        self.foreign += other.foreign;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.last = self.last.max(other.last);
        let _ = self.latency_us.add(&other.latency_us);
        self.duplicates += other.duplicates;
        for key in other.seen {
            self.see(key);
        }
    }
}

/// Opens every receiver link.
pub async fn connect(plan: &ReceivePlan) -> Result<Vec<Link<Receiver>>, Error> {
    let mut links = Vec::with_capacity(plan.links);
    for i in 0..plan.links {
        let id = format!("amqp-load-{}-c{i}", std::process::id());
        links.push(open_receiver(&plan.url, &plan.address, &id, plan.credit, plan.nodelay).await?);
    }
    Ok(links)
}

/// Starts the receivers; they run until `stop` turns true, `count` is reached or `deadline` passes.
pub fn start(
    plan: &ReceivePlan,
    links: Vec<Link<Receiver>>,
    progress: Arc<Progress>,
    stop: watch::Receiver<bool>,
    deadline: Instant,
) -> tokio::task::JoinHandle<ReceiveTotals> {
    let tasks: Vec<_> = links
        .into_iter()
        .map(|link| {
            let (plan, progress, stop) = (plan.clone(), progress.clone(), stop.clone());
            tokio::spawn(receiver_task(link, plan, progress, stop, deadline))
        })
        .collect();
    tokio::spawn(async move {
        let mut totals = ReceiveTotals::new();
        for t in tasks {
            match t.await {
                Ok(r) => totals.merge(r),
                Err(e) => {
                    totals.errors += 1;
                    totals
                        .first_error
                        .get_or_insert(format!("receiver task: {e}"));
                }
            }
        }
        totals
    })
}

async fn receiver_task(
    mut link: Link<Receiver>,
    plan: ReceivePlan,
    progress: Arc<Progress>,
    mut stop: watch::Receiver<bool>,
    deadline: Instant,
) -> ReceiveTotals {
    let mut totals = ReceiveTotals::new();
    let reached = |p: &Progress| {
        plan.count
            .is_some_and(|c| p.received.load(Ordering::Relaxed) >= c)
    };
    while !*stop.borrow() && !reached(&progress) {
        let delivery = tokio::select! {
            d = link.link.recv::<Body<Value>>() => d,
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
            _ = tokio::time::sleep_until(deadline) => break,
        };
        let delivery = match delivery {
            Ok(d) => d,
            Err(e) => {
                totals.errors += 1;
                totals.first_error.get_or_insert(format!("receive: {e}"));
                break;
            }
        };
        let arrived = unix_ns();
        if let Err(e) = link.link.accept(&delivery).await {
            totals.errors += 1;
            totals.first_error.get_or_insert(format!("accept: {e}"));
            break;
        }
        let body: &[u8] = match delivery.body() {
            Body::Data(sections) => sections.first().map_or(&[], |d| d.0.as_slice()),
            _ => &[],
        };
        totals.received += 1;
        totals.bytes += body.len() as u64;
        let now = Instant::now();
        totals.last = Some(now);
        let in_window = plan
            .window
            .is_some_and(|(from, until)| now >= from && now < until);
        if in_window && plan.run.is_none() {
            totals.in_window += 1;
        }
        progress.received.fetch_add(1, Ordering::Relaxed);
        progress
            .bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        let Some(run) = plan.run else { continue };
        match Stamp::read(body).filter(|s| s.run == run) {
            Some(stamp) => {
                progress.this_run.fetch_add(1, Ordering::Relaxed);
                totals.see(stamp.key());
                if in_window {
                    totals.in_window += 1;
                }
                if stamp.measured() {
                    let us = arrived.saturating_sub(stamp.sent_unix_ns) / 1000;
                    record(&mut totals.latency_us, us);
                }
            }
            None => totals.foreign += 1,
        }
    }
    link.close().await;
    totals
}
