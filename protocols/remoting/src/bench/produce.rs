//! The producing side of the load generator: N connections × P in-flight sends, optionally paced to a fixed
//! total rate; the first 8 bytes of every body carry the send time for end-to-end latency.

use super::client::Connection;
use super::{now_micros, BenchArgs, BenchError, Counters, Route};
use crate::codec::codes;
use crate::codec::Command;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

fn send_request(args: &BenchArgs, queue: i32, payload: &[u8]) -> Command {
    let mut body = payload.to_vec();
    body[..8].copy_from_slice(&now_micros().to_be_bytes());
    Command::request(codes::SEND_MESSAGE_V2, 0)
        .with_field("a", &args.group)
        .with_field("b", &args.topic)
        .with_field("c", "TBW102")
        .with_field("d", 4)
        .with_field("e", queue)
        .with_field("f", 0)
        .with_field("g", now_micros() / 1000)
        .with_field("h", 0)
        .with_field("i", "WAIT\u{1}true\u{2}")
        .with_field("j", 0)
        .with_field("k", "false")
        .with_field("m", "false")
        .with_body(body)
}

pub(crate) async fn produce(
    args: &Arc<BenchArgs>,
    route: &Route,
    counters: &Arc<Counters>,
    deadline: Option<Instant>,
) -> Result<Vec<u32>, BenchError> {
    let pacer = args.rate.map(|rate| {
        let sem = Arc::new(Semaphore::new(0));
        let s = sem.clone();
        let ticker = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(1));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let t0 = Instant::now();
            let mut granted = 0u64;
            loop {
                every.tick().await;
                let due = (t0.elapsed().as_secs_f64() * rate as f64) as u64;
                if due > granted {
                    s.add_permits((due - granted) as usize);
                    granted = due;
                }
            }
        });
        (sem, ticker)
    });
    let payload = Arc::new(vec![b'x'; args.message_size]);
    let mut tasks = Vec::new();
    let mut worker = 0i32;
    for _ in 0..args.connections {
        let conn = Connection::connect(&route.broker, args.tls.as_ref()).await?;
        for _ in 0..args.in_flight {
            let (conn, args, counters, payload) = (
                conn.clone(),
                args.clone(),
                counters.clone(),
                payload.clone(),
            );
            let sem = pacer.as_ref().map(|(s, _)| s.clone());
            let queues = route.write_queues.max(1);
            let mut queue = worker % queues;
            worker += 1;
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let n = counters.started.fetch_add(1, Ordering::Relaxed);
                    if args.count.is_some_and(|c| n >= c) {
                        break;
                    }
                    if let Some(sem) = &sem {
                        match sem.acquire().await {
                            Ok(p) => p.forget(),
                            Err(_) => break,
                        }
                    }
                    let t = Instant::now();
                    let res = conn
                        .call(send_request(&args, queue, &payload), args.request_timeout)
                        .await;
                    match res {
                        Ok(r) if r.code == codes::SUCCESS => {
                            samples.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                            counters.sent.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) | Err(_) => {
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                            if res.is_err() {
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                    }
                    queue = (queue + 1) % queues;
                }
                samples
            }));
        }
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    if let Some((sem, ticker)) = pacer {
        sem.close();
        ticker.abort();
    }
    Ok(all)
}
