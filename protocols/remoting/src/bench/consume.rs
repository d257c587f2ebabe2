//! The consuming side of the load generator: one pull loop per queue (long-polled, subscription carried in
//! the request so no heartbeat is needed), counting records and measuring end-to-end latency.

use super::client::Connection;
use super::{now_micros, BenchArgs, BenchMode, Counters};
use crate::codec::codes;
use crate::codec::messages::split_records;
use crate::codec::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) async fn consume(
    args: Arc<BenchArgs>,
    broker: String,
    queues: i32,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    deadline: Option<Instant>,
) -> Vec<u32> {
    let Ok(conn) = Connection::connect(&broker, args.tls.as_ref()).await else {
        counters.errors.fetch_add(1, Ordering::Relaxed);
        return Vec::new();
    };
    let mut tasks = Vec::new();
    for q in 0..queues.max(1) {
        let (conn, args, counters, stop) =
            (conn.clone(), args.clone(), counters.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let code = if args.from_start {
                codes::GET_MIN_OFFSET
            } else {
                codes::GET_MAX_OFFSET
            };
            let mut offset: i64 = match conn
                .call(
                    Command::request(code, 0)
                        .with_field("topic", &args.topic)
                        .with_field("queueId", q),
                    args.request_timeout,
                )
                .await
            {
                Ok(r) => r
                    .ext_fields
                    .get("offset")
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(0),
                Err(_) => 0,
            };
            loop {
                let done = stop.load(Ordering::Relaxed)
                    || deadline
                        .is_some_and(|d| Instant::now() >= d && args.mode == BenchMode::Consume)
                    || (args.mode == BenchMode::Consume
                        && args
                            .count
                            .is_some_and(|c| counters.received.load(Ordering::Relaxed) >= c));
                if done {
                    break;
                }
                let req = Command::request(codes::PULL_MESSAGE, 0)
                    .with_field("consumerGroup", &args.group)
                    .with_field("topic", &args.topic)
                    .with_field("queueId", q)
                    .with_field("queueOffset", offset)
                    .with_field("maxMsgNums", 32)
                    .with_field("sysFlag", 0x2 | 0x4)
                    .with_field("commitOffset", 0)
                    .with_field("suspendTimeoutMillis", 500)
                    .with_field("subscription", "*")
                    .with_field("subVersion", 0)
                    .with_field("expressionType", "TAG");
                match conn
                    .call(req, args.request_timeout + Duration::from_secs(1))
                    .await
                {
                    Ok(r) => {
                        if r.code == codes::SUCCESS {
                            let now = now_micros();
                            let records = split_records(&r.body);
                            counters
                                .received
                                .fetch_add(records.len() as u64, Ordering::Relaxed);
                            if args.mode == BenchMode::EndToEnd {
                                for rec in &records {
                                    if rec.body.len() >= 8 {
                                        let mut b = [0u8; 8];
                                        b.copy_from_slice(&rec.body[..8]);
                                        let sent = u64::from_be_bytes(b);
                                        samples
                                            .push(now.saturating_sub(sent).min(u32::MAX as u64)
                                                as u32);
                                    }
                                }
                            }
                        }
                        if let Some(n) = r
                            .ext_fields
                            .get("nextBeginOffset")
                            .and_then(|o| o.parse().ok())
                        {
                            offset = n;
                        }
                    }
                    Err(_) => {
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            samples
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all
}
