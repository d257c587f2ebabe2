//! The handshake mode of the load generator: opens connections to the target one after another — TCP connect,
//! then the TLS handshake when TLS is on — and closes each, timing the set-up. Sequential on purpose: it
//! measures what one connection costs, not how many a server can set up at once.

use super::client::host_of;
use super::report::{BenchReport, Latency};
use super::BenchArgs;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Connections opened when neither a count nor a duration is given.
const DEFAULT_CONNECTIONS: u64 = 1000;

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// Sets up one connection; returns (TCP connect + handshake, handshake alone).
async fn one(args: &BenchArgs) -> std::io::Result<(Duration, Option<Duration>)> {
    let start = Instant::now();
    let tcp = TcpStream::connect(&args.target).await?;
    tcp.set_nodelay(true)?;
    let Some(tls) = &args.tls else {
        return Ok((start.elapsed(), None));
    };
    let connected = Instant::now();
    let mut stream = tls.connect(tcp, host_of(&args.target)).await?;
    let done = Instant::now();
    // close_notify, so the server sees an orderly end rather than a reset.
    let _ = stream.shutdown().await;
    Ok((done - start, Some(done - connected)))
}

pub(crate) async fn handshakes(args: &BenchArgs) -> BenchReport {
    let count = match (args.count, args.duration) {
        (Some(c), _) => c,
        (None, Some(_)) => u64::MAX,
        (None, None) => DEFAULT_CONNECTIONS,
    };
    let started = Instant::now();
    let deadline = args.duration.map(|d| started + d);
    let (mut connect, mut handshake) = (Vec::new(), Vec::new());
    let mut errors = 0u64;
    let mut done = 0u64;
    while done < count && deadline.is_none_or(|d| Instant::now() < d) {
        match tokio::time::timeout(args.request_timeout, one(args)).await {
            Ok(Ok((c, h))) => {
                connect.push(micros(c));
                if let Some(h) = h {
                    handshake.push(micros(h));
                }
            }
            Ok(Err(e)) => {
                if errors == 0 {
                    tracing::warn!(error = %e, "connection set-up failed (first failure)");
                }
                errors += 1;
            }
            Err(_) => {
                if errors == 0 {
                    tracing::warn!("connection set-up timed out (first failure)");
                }
                errors += 1;
            }
        }
        done += 1;
    }
    let elapsed = started.elapsed().as_secs_f64().max(1e-9);
    let ok = connect.len() as u64;
    BenchReport {
        mode: "handshake".into(),
        target: args.target.clone(),
        tls: args.tls.is_some(),
        connections: 1,
        in_flight: 1,
        sent: ok,
        errors,
        elapsed_secs: elapsed,
        msgs_per_sec: ok as f64 / elapsed,
        connect_latency: Some(Latency::from_samples(&mut connect)),
        handshake_latency: args
            .tls
            .is_some()
            .then(|| Latency::from_samples(&mut handshake)),
        ..BenchReport::default()
    }
}
