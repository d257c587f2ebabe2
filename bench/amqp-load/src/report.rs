//! Results: latency histograms, CPU/RSS samples from /proc, and the printed summary plus one JSON line.
//!
//! Nothing here talks to a broker. CPU figures are % of one core over the measured window; a missing
//! /proc entry (other OS, process gone) leaves the field out rather than failing the run.

use hdrhistogram::Histogram;
use serde_json::{json, Map, Value};
use std::time::Instant;

/// Microsecond latencies from 1 µs to 1 hour, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("static histogram bounds are valid")
}

/// Records `us` (clamped into the histogram's range).
pub fn record(h: &mut Histogram<u64>, us: u64) {
    h.saturating_record(us.max(1));
}

/// p50 / p99 / p999 / max / mean in µs, or `None` for an empty histogram.
pub fn latency_json(h: &Histogram<u64>) -> Value {
    if h.is_empty() {
        return Value::Null;
    }
    json!({
        "p50": h.value_at_quantile(0.50),
        "p99": h.value_at_quantile(0.99),
        "p999": h.value_at_quantile(0.999),
        "max": h.max(),
        "mean": h.mean().round() as u64,
        "count": h.len(),
    })
}

pub fn latency_line(name: &str, h: &Histogram<u64>) -> String {
    if h.is_empty() {
        return format!("{name}: no samples");
    }
    format!(
        "{name} µs: p50 {} · p99 {} · p999 {} · max {} · mean {:.0} ({} samples)",
        h.value_at_quantile(0.50),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max(),
        h.mean(),
        h.len()
    )
}

/// CPU ticks of a process (utime + stime), from /proc/PID/stat.
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// (busy, total) ticks of the whole host, from /proc/stat.
fn host_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?;
    let v: Vec<u64> = cpu
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

fn rss_mb(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Clock ticks per second for /proc times: USER_HZ, 100 on Linux.
const TICKS_PER_SEC: f64 = 100.0;

/// CPU counters taken at the start of the measured window.
pub struct CpuSample {
    taken: Instant,
    broker_pid: Option<String>,
    broker: Option<u64>,
    client: Option<u64>,
    host: Option<(u64, u64)>,
}

impl CpuSample {
    pub fn take(broker_pid: Option<u32>) -> CpuSample {
        let broker_pid = broker_pid.map(|p| p.to_string());
        CpuSample {
            taken: Instant::now(),
            broker: broker_pid.as_deref().and_then(process_ticks),
            broker_pid,
            client: process_ticks("self"),
            host: host_ticks(),
        }
    }

    /// Adds `broker_cpu_pct`, `broker_rss_mb`, `client_cpu_pct`, `host_cpu_pct` for the time since `take`
    /// (CPU only when at least 0.5 s passed: /proc counts in 10 ms ticks).
    pub fn finish(&self, out: &mut Map<String, Value>) {
        let secs = self.taken.elapsed().as_secs_f64();
        if secs < 0.5 {
            if let Some(rss) = self.broker_pid.as_deref().and_then(rss_mb) {
                out.insert("broker_rss_mb".into(), json!(rss.round()));
            }
            return;
        }
        let pct = |ticks: u64| (ticks as f64 / TICKS_PER_SEC / secs * 1000.0).round() / 10.0;
        if let (Some(pid), Some(t0)) = (&self.broker_pid, self.broker) {
            if let Some(t1) = process_ticks(pid) {
                out.insert("broker_cpu_pct".into(), json!(pct(t1.saturating_sub(t0))));
            }
            if let Some(rss) = rss_mb(pid) {
                out.insert("broker_rss_mb".into(), json!(rss.round()));
            }
        }
        if let (Some(t0), Some(t1)) = (self.client, process_ticks("self")) {
            out.insert("client_cpu_pct".into(), json!(pct(t1.saturating_sub(t0))));
        }
        if let (Some((b0, t0)), Some((b1, t1))) = (self.host, host_ticks()) {
            let total = t1.saturating_sub(t0).max(1) as f64;
            let host = (b1.saturating_sub(b0) as f64 / total * 1000.0).round() / 10.0;
            out.insert("host_cpu_pct".into(), json!(host));
        }
    }
}

/// Samples CPU over [from, until) in the background (the window of a produce or e2e run).
pub fn sample_window(
    broker_pid: Option<u32>,
    from: tokio::time::Instant,
    until: tokio::time::Instant,
) -> tokio::task::JoinHandle<Map<String, Value>> {
    tokio::spawn(async move {
        tokio::time::sleep_until(from).await;
        let sample = CpuSample::take(broker_pid);
        tokio::time::sleep_until(until).await;
        let mut out = Map::new();
        sample.finish(&mut out);
        out
    })
}

/// Prints the CPU fields of a result in one line, when there are any.
pub fn cpu_line(out: &Map<String, Value>) -> Option<String> {
    let field = |k: &str, unit: &str| out.get(k).map(|v| format!("{k} {v}{unit}"));
    let parts: Vec<String> = [
        field("broker_cpu_pct", " %"),
        field("broker_rss_mb", " MB"),
        field("client_cpu_pct", " %"),
        field("host_cpu_pct", " %"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Prints the JSON line last, prefixed so scripts can grep it.
pub fn print_json(out: Map<String, Value>) {
    println!("JSON {}", Value::Object(out));
}
