//! Latency samples and the benchmark report: a human summary and one JSON line.

use serde::Serialize;
use std::fmt;

/// Percentiles of a latency distribution, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest sample.
    pub max_us: u64,
}

impl Latency {
    /// Summarizes samples (µs); sorts them in place.
    pub fn from_samples(samples: &mut [u32]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_unstable();
        let at =
            |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)] as u64;
        Latency {
            count: samples.len() as u64,
            p50_us: at(0.50),
            p99_us: at(0.99),
            p999_us: at(0.999),
            max_us: *samples.last().unwrap_or(&0) as u64,
        }
    }
}

/// What a benchmark run measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BenchReport {
    /// `produce`, `consume`, `e2e` or `handshake`.
    pub mode: String,
    /// Target name-server address.
    pub target: String,
    /// Whether the connections were TLS.
    pub tls: bool,
    /// Message size, bytes.
    pub message_size: usize,
    /// Connections × in-flight requests per connection.
    pub connections: usize,
    /// In-flight requests per connection.
    pub in_flight: usize,
    /// Messages acknowledged by the broker (connections set up, in handshake mode).
    pub sent: u64,
    /// Messages received by the consumer.
    pub received: u64,
    /// Failed requests.
    pub errors: u64,
    /// Wall time, seconds.
    pub elapsed_secs: f64,
    /// Throughput of the measured side, messages/s (connections/s in handshake mode).
    pub msgs_per_sec: f64,
    /// Payload throughput, MB/s (10^6 bytes).
    pub mb_per_sec: f64,
    /// Send round trip (request to acknowledgement).
    pub send_latency: Latency,
    /// End to end (producer send to consumer receipt), in e2e mode.
    pub e2e_latency: Option<Latency>,
    /// Connection set-up, TCP connect plus the TLS handshake when TLS is on, in handshake mode.
    pub connect_latency: Option<Latency>,
    /// The TLS handshake alone (from the TCP connection to the handshake's end), in handshake mode with TLS.
    pub handshake_latency: Option<Latency>,
}

impl BenchReport {
    /// The report as one JSON line.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

fn latency_line(f: &mut fmt::Formatter<'_>, what: &str, l: &Latency) -> fmt::Result {
    writeln!(
        f,
        "  {what} ms: p50 {:.3}  p99 {:.3}  p999 {:.3}  max {:.3}",
        ms(l.p50_us),
        ms(l.p99_us),
        ms(l.p999_us),
        ms(l.max_us)
    )
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let over = if self.tls { "TLS" } else { "plaintext" };
        if self.mode == "handshake" {
            writeln!(
                f,
                "handshake against {} over {over}: {} connection(s) set up one after another",
                self.target, self.sent
            )?;
            writeln!(
                f,
                "  connected {}  errors {}  in {:.2} s  ({:.0} connections/s)",
                self.sent, self.errors, self.elapsed_secs, self.msgs_per_sec
            )?;
        } else {
            writeln!(
                f,
                "{} against {} over {over}: {} B messages, {} connection(s) x {} in flight",
                self.mode, self.target, self.message_size, self.connections, self.in_flight
            )?;
            writeln!(
                f,
                "  sent {}  received {}  errors {}  in {:.2} s",
                self.sent, self.received, self.errors, self.elapsed_secs
            )?;
            writeln!(
                f,
                "  throughput {:.0} msgs/s  {:.2} MB/s",
                self.msgs_per_sec, self.mb_per_sec
            )?;
        }
        if self.send_latency.count > 0 {
            latency_line(f, "send latency", &self.send_latency)?;
        }
        if let Some(l) = &self.e2e_latency {
            latency_line(f, "end-to-end latency", l)?;
        }
        if let Some(l) = &self.connect_latency {
            let what = if self.tls {
                "connect latency (TCP + TLS handshake)"
            } else {
                "connect latency (TCP)"
            };
            latency_line(f, what, l)?;
        }
        if let Some(l) = &self.handshake_latency {
            latency_line(f, "TLS handshake latency", l)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_run() {
        let mut v: Vec<u32> = (1..=1000).collect();
        let l = Latency::from_samples(&mut v);
        assert_eq!(
            (l.p50_us, l.p99_us, l.p999_us, l.max_us),
            (501, 991, 1000, 1000)
        );
    }
}
