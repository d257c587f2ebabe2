//! A bridge's live state: connected or not, lag, the last error and counters. Shared between the bridge task
//! (writer), the admin endpoint and the periodic status log line (readers).

use crate::config::{BridgeConfig, Direction};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// Counters and state of one bridge.
#[derive(Debug)]
pub struct BridgeStatus {
    name: String,
    direction: Direction,
    route: String,
    state: Mutex<&'static str>,
    last_error: Mutex<Option<(i64, String)>>,
    connected: AtomicBool,
    lag: AtomicI64,
    /// Messages taken from the source (deliveries inbound, stored messages read outbound).
    pub received: AtomicU64,
    /// Messages handed on and settled (stored and acked inbound; confirmed and committed outbound).
    pub forwarded: AtomicU64,
    /// Messages dead-lettered (bridge DLQ topic, `%DLQ%<group>`, or nacked without requeue).
    pub dead_lettered: AtomicU64,
    /// Outbound publishes RabbitMQ returned as unroutable or nacked (they are retried).
    pub returned: AtomicU64,
    /// Successful connections after the first.
    pub reconnects: AtomicU64,
}

/// A snapshot, as the admin endpoint returns it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StatusReport {
    /// Bridge name.
    pub name: String,
    /// `inbound` or `outbound`.
    pub direction: Direction,
    /// Source → destination.
    pub route: String,
    /// `connecting`, `connected`, `backoff` or `stopped`.
    pub state: String,
    /// Whether the AMQP connection is up.
    pub connected: bool,
    /// Messages waiting: ready in the source queue (inbound) or not yet confirmed for the group (outbound).
    pub lag: i64,
    /// The last error and when (ms since the epoch).
    pub last_error: Option<String>,
    /// When the last error happened, ms since the epoch.
    pub last_error_at_ms: Option<i64>,
    /// See [`BridgeStatus::received`].
    pub received: u64,
    /// See [`BridgeStatus::forwarded`].
    pub forwarded: u64,
    /// See [`BridgeStatus::dead_lettered`].
    pub dead_lettered: u64,
    /// See [`BridgeStatus::returned`].
    pub returned: u64,
    /// See [`BridgeStatus::reconnects`].
    pub reconnects: u64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl BridgeStatus {
    /// A fresh status for `c`.
    pub fn new(c: &BridgeConfig) -> Self {
        let route = match c.direction {
            Direction::Inbound => match (&c.queue, &c.exchange) {
                (Some(q), _) => format!("queue {q} -> topic {}", c.topic),
                (None, Some(x)) => format!(
                    "exchange {x} ({}) -> topic {}",
                    c.binding_key.as_deref().unwrap_or(""),
                    c.topic
                ),
                _ => format!("-> topic {}", c.topic),
            },
            Direction::Outbound => format!(
                "topic {} (group {}) -> exchange {:?} key {:?}",
                c.topic,
                c.group.as_deref().unwrap_or(""),
                c.exchange.as_deref().unwrap_or(""),
                c.routing_key.as_deref().unwrap_or("")
            ),
        };
        BridgeStatus {
            name: c.name.clone(),
            direction: c.direction,
            route,
            state: Mutex::new("connecting"),
            last_error: Mutex::new(None),
            connected: AtomicBool::new(false),
            lag: AtomicI64::new(0),
            received: AtomicU64::new(0),
            forwarded: AtomicU64::new(0),
            dead_lettered: AtomicU64::new(0),
            returned: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
        }
    }

    /// Records the state (`connecting`, `connected`, `backoff`, `stopped`).
    pub fn set_state(&self, state: &'static str) {
        *self.state.lock() = state;
        self.connected
            .store(state == "connected", Ordering::Relaxed);
    }

    /// Records an error (also logged by the caller).
    pub fn set_error(&self, e: impl Into<String>) {
        *self.last_error.lock() = Some((now_ms(), e.into()));
    }

    /// Records the lag.
    pub fn set_lag(&self, lag: i64) {
        self.lag.store(lag, Ordering::Relaxed);
    }

    /// Adds to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// A snapshot.
    pub fn report(&self) -> StatusReport {
        let err = self.last_error.lock().clone();
        StatusReport {
            name: self.name.clone(),
            direction: self.direction,
            route: self.route.clone(),
            state: self.state.lock().to_string(),
            connected: self.connected.load(Ordering::Relaxed),
            lag: self.lag.load(Ordering::Relaxed),
            last_error_at_ms: err.as_ref().map(|(t, _)| *t),
            last_error: err.map(|(_, e)| e),
            received: self.received.load(Ordering::Relaxed),
            forwarded: self.forwarded.load(Ordering::Relaxed),
            dead_lettered: self.dead_lettered.load(Ordering::Relaxed),
            returned: self.returned.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
        }
    }

    /// Writes one status line to the log.
    pub fn log(&self) {
        let r = self.report();
        tracing::info!(
            bridge = %r.name, state = %r.state, connected = r.connected, lag = r.lag,
            received = r.received, forwarded = r.forwarded, dead_lettered = r.dead_lettered,
            returned = r.returned, reconnects = r.reconnects,
            last_error = r.last_error.as_deref().unwrap_or("-"),
            "bridge status"
        );
    }
}

/// Reconnect delays: `initial`, doubling, capped at `max`; reset after a successful connection.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: u64,
    max: u64,
    next: u64,
}

impl Backoff {
    /// Delays from `initial_ms` up to `max_ms`.
    pub fn new(initial_ms: u64, max_ms: u64) -> Self {
        Backoff {
            initial: initial_ms.max(1),
            max: max_ms.max(initial_ms.max(1)),
            next: initial_ms.max(1),
        }
    }
    /// The next delay, in ms.
    pub fn next_delay(&mut self) -> u64 {
        let d = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        d
    }
    /// Back to the first delay.
    pub fn reset(&mut self) {
        self.next = self.initial;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(200, 1000);
        let d: Vec<u64> = (0..5).map(|_| b.next_delay()).collect();
        assert_eq!(d, [200, 400, 800, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_delay(), 200);
    }
}
