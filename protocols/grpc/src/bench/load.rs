//! The load itself: connections, closed-loop callers, counting only what completes inside the window.

use super::{BenchArgs, BenchReport, Latency};
use crate::pb::messaging_service_client::MessagingServiceClient;
use crate::pb::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tonic::transport::{Channel, Endpoint};

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchMode {
    /// SendMessage, one message per call.
    Produce,
    /// ReceiveMessage, then one AckMessage for the whole batch.
    Receive,
}

type Client = MessagingServiceClient<Channel>;

fn request<T>(msg: T, client_id: &str) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    if let Ok(v) = client_id.parse() {
        r.metadata_mut().insert("x-mq-client-id", v);
    }
    r.set_timeout(Duration::from_secs(10));
    r
}

fn resource(name: &str) -> Resource {
    Resource {
        resource_namespace: String::new(),
        name: name.into(),
    }
}

async fn connect(target: &str) -> Result<Client, String> {
    let ch = Endpoint::from_shared(format!("http://{target}"))
        .map_err(|e| e.to_string())?
        .tcp_nodelay(true)
        .connect()
        .await
        .map_err(|e| format!("cannot connect to {target}: {e}"))?;
    Ok(MessagingServiceClient::new(ch)
        .max_decoding_message_size(64 << 20)
        .max_encoding_message_size(64 << 20))
}

struct Window {
    start: Instant,
    end: Instant,
    messages: AtomicU64,
    errors: AtomicU64,
}

impl Window {
    fn counts(&self, at: Instant) -> bool {
        at >= self.start && at <= self.end
    }
}

/// Runs the benchmark.
pub async fn run(args: BenchArgs) -> Result<BenchReport, String> {
    let mut first = connect(&args.target).await?;
    let (host, port) = args
        .target
        .rsplit_once(':')
        .ok_or("target must be host:port")?;
    let route = first
        .query_route(request(
            QueryRouteRequest {
                topic: Some(resource(&args.topic)),
                endpoints: Some(Endpoints {
                    scheme: AddressScheme::IPv4 as i32,
                    addresses: vec![Address {
                        host: host.into(),
                        port: port.parse().map_err(|_| "bad port")?,
                    }],
                }),
            },
            "bench",
        ))
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    if route.status.as_ref().map(|s| s.code) != Some(Code::Ok as i32) {
        return Err(format!("QueryRoute failed: {:?}", route.status));
    }
    let now = Instant::now();
    let window = Arc::new(Window {
        start: now + args.warmup,
        end: now + args.warmup + args.duration,
        messages: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let body = bytes::Bytes::from(vec![b'x'; args.message_size]);
    let mut tasks = Vec::new();
    for c in 0..args.connections.max(1) {
        let client = connect(&args.target).await?;
        for p in 0..args.in_flight.max(1) {
            let (client, window, args, body) =
                (client.clone(), window.clone(), args.clone(), body.clone());
            let id = format!("bench@{c}@{p}");
            tasks.push(tokio::spawn(async move {
                match args.mode {
                    BenchMode::Produce => produce(client, &args, &window, body, &id).await,
                    BenchMode::Receive => receive(client, &args, &window, &id).await,
                }
            }));
        }
    }
    let mut samples = Vec::new();
    for t in tasks {
        samples.extend(t.await.unwrap_or_default());
    }
    let secs = args.duration.as_secs_f64();
    let messages = window.messages.load(Ordering::Relaxed);
    Ok(BenchReport {
        messages,
        errors: window.errors.load(Ordering::Relaxed),
        elapsed_secs: secs,
        msgs_per_sec: messages as f64 / secs,
        mb_per_sec: messages as f64 * args.message_size as f64 / secs / 1e6,
        latency: Latency::from_samples(&mut samples),
    })
}

async fn produce(
    mut c: Client,
    args: &BenchArgs,
    w: &Window,
    body: bytes::Bytes,
    id: &str,
) -> Vec<u32> {
    let mut samples = Vec::new();
    let mut n = 0u64;
    while Instant::now() < w.end {
        n += 1;
        let msg = Message {
            topic: Some(resource(&args.topic)),
            user_properties: Default::default(),
            system_properties: Some(SystemProperties {
                message_id: format!("{id}-{n}"),
                message_type: MessageType::Normal as i32,
                ..Default::default()
            }),
            body: body.clone(),
        };
        let t0 = Instant::now();
        let r = c
            .send_message(request(
                SendMessageRequest {
                    messages: vec![msg],
                },
                id,
            ))
            .await;
        let done = Instant::now();
        let ok = matches!(&r, Ok(resp) if resp.get_ref().status.as_ref().map(|s| s.code) == Some(Code::Ok as i32));
        if !w.counts(done) {
            continue;
        }
        if ok {
            w.messages.fetch_add(1, Ordering::Relaxed);
            samples.push(done.duration_since(t0).as_micros().min(u32::MAX as u128) as u32);
        } else {
            w.errors.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    samples
}

async fn receive(mut c: Client, args: &BenchArgs, w: &Window, id: &str) -> Vec<u32> {
    let mut samples = Vec::new();
    while Instant::now() < w.end {
        let t0 = Instant::now();
        let req = ReceiveMessageRequest {
            group: Some(resource(&args.group)),
            message_queue: Some(MessageQueue {
                topic: Some(resource(&args.topic)),
                id: -1,
                ..Default::default()
            }),
            filter_expression: None,
            batch_size: args.batch,
            invisible_duration: Some(prost_types::Duration {
                seconds: 30,
                nanos: 0,
            }),
            auto_renew: false,
            long_polling_timeout: Some(prost_types::Duration {
                seconds: 1,
                nanos: 0,
            }),
            attempt_id: None,
        };
        let mut entries = Vec::new();
        match c.receive_message(request(req, id)).await {
            Ok(resp) => {
                let mut stream = resp.into_inner();
                while let Ok(Some(item)) = stream.message().await {
                    if let Some(receive_message_response::Content::Message(m)) = item.content {
                        let sp = m.system_properties.unwrap_or_default();
                        entries.push(AckMessageEntry {
                            message_id: sp.message_id,
                            receipt_handle: sp.receipt_handle.unwrap_or_default(),
                            lite_topic: None,
                        });
                    }
                }
            }
            Err(_) => {
                w.errors.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        }
        if entries.is_empty() {
            continue;
        }
        let n = entries.len() as u64;
        let ack = AckMessageRequest {
            group: Some(resource(&args.group)),
            topic: Some(resource(&args.topic)),
            entries,
        };
        let r = c.ack_message(request(ack, id)).await;
        let done = Instant::now();
        let ok = matches!(&r, Ok(resp) if resp.get_ref().status.as_ref().map(|s| s.code) == Some(Code::Ok as i32));
        if !w.counts(done) {
            continue;
        }
        if ok {
            w.messages.fetch_add(n, Ordering::Relaxed);
            samples.push(done.duration_since(t0).as_micros().min(u32::MAX as u128) as u32);
        } else {
            w.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    samples
}
