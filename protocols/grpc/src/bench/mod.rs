//! A gRPC load generator for `MessagingService`, the counterpart of the remoting `mqgate bench`: C HTTP/2
//! connections × P closed-loop callers, 1-message SendMessage calls (produce) or ReceiveMessage + batched
//! AckMessage (receive). It speaks the plain v2 protocol (no Telemetry), so it measures mqgate and any RocketMQ
//! 5.x proxy the same way. Run it with `cargo run --release -p mqgate-grpc --example grpc-bench -- --help`.

mod load;

pub use load::{run, BenchMode};

use std::time::Duration;

/// Load generator settings.
#[derive(Debug, Clone)]
pub struct BenchArgs {
    /// gRPC endpoint, `host:port`.
    pub target: String,
    /// What to measure.
    pub mode: BenchMode,
    /// Topic (created by the first QueryRoute when the server auto-creates topics).
    pub topic: String,
    /// Consumer group (receive mode).
    pub group: String,
    /// HTTP/2 connections.
    pub connections: usize,
    /// Calls in flight per connection.
    pub in_flight: usize,
    /// Body size, bytes.
    pub message_size: usize,
    /// Measured window.
    pub duration: Duration,
    /// Unmeasured warm-up before the window.
    pub warmup: Duration,
    /// Messages per ReceiveMessage (receive mode).
    pub batch: i32,
}

impl Default for BenchArgs {
    fn default() -> Self {
        BenchArgs {
            target: "127.0.0.1:8081".into(),
            mode: BenchMode::Produce,
            topic: "BenchTopic".into(),
            group: "bench_group".into(),
            connections: 4,
            in_flight: 64,
            message_size: 1024,
            duration: Duration::from_secs(20),
            warmup: Duration::from_secs(5),
            batch: 32,
        }
    }
}

/// Latency percentiles, µs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Latency {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest.
    pub max_us: u64,
}

impl Latency {
    /// Summarizes samples (µs); sorts them in place.
    pub fn from_samples(s: &mut [u32]) -> Latency {
        if s.is_empty() {
            return Latency::default();
        }
        s.sort_unstable();
        let at = |q: f64| u64::from(s[((s.len() as f64 * q) as usize).min(s.len() - 1)]);
        Latency {
            count: s.len() as u64,
            p50_us: at(0.50),
            p99_us: at(0.99),
            p999_us: at(0.999),
            max_us: u64::from(s[s.len() - 1]),
        }
    }
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct BenchReport {
    /// Messages sent (produce) or received and acked (receive) inside the window.
    pub messages: u64,
    /// Calls that failed or answered a non-OK status.
    pub errors: u64,
    /// Window length, s.
    pub elapsed_secs: f64,
    /// Messages per second.
    pub msgs_per_sec: f64,
    /// Payload MB/s (10^6 bytes).
    pub mb_per_sec: f64,
    /// Call latency (SendMessage, or ReceiveMessage + AckMessage).
    pub latency: Latency,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |us: u64| us as f64 / 1000.0;
        write!(
            f,
            "{:.0} msg/s, {:.2} MB/s, {} messages in {:.1} s, {} errors; latency ms p50 {:.2} p99 {:.2} p99.9 {:.2} max {:.2}",
            self.msgs_per_sec,
            self.mb_per_sec,
            self.messages,
            self.elapsed_secs,
            self.errors,
            ms(self.latency.p50_us),
            ms(self.latency.p99_us),
            ms(self.latency.p999_us),
            ms(self.latency.max_us)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_sorted_samples() {
        let mut s: Vec<u32> = (1..=1000).rev().collect();
        let l = Latency::from_samples(&mut s);
        assert_eq!(
            (l.count, l.p50_us, l.p99_us, l.max_us),
            (1000, 501, 991, 1000)
        );
        assert_eq!(Latency::from_samples(&mut []), Latency::default());
    }
}
