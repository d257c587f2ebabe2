//! Settings of the HTTP front-end: one typed struct with safe defaults. Every limit here protects the process
//! from one client (large bodies, header floods, slow senders, endless long polls).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// HTTP binding settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Largest request body in bytes (default 8 MiB); larger ones get 413. A single message's payload is further
    /// bounded by the engine's `max_message_size`.
    pub max_body_bytes: usize,
    /// Most request headers per HTTP/1.1 request (default 100); more get 431.
    pub max_headers: usize,
    /// Largest request head (request line and headers) in bytes (default 64 KiB); HTTP/2 header lists too.
    pub max_header_bytes: usize,
    /// Time a client has to send a complete request head, in ms (default 10 000); the connection is closed after.
    pub header_read_timeout_ms: u64,
    /// Time a client has to send a complete request body, in ms (default 30 000); 408 after.
    pub body_read_timeout_ms: u64,
    /// Most messages in one produce batch (JSON or CloudEvents batch; default 256).
    pub max_batch: usize,
    /// Most messages one consume call returns (default 256).
    pub max_messages: usize,
    /// Longest long-poll `wait`, in ms (default 30 000).
    pub max_wait_ms: u64,
    /// How long received messages stay invisible when the request does not say, in ms (default 30 000).
    pub default_invisible_ms: i64,
    /// Longest `invisible` a consumer may ask for, in ms (default 12 h).
    pub max_invisible_ms: i64,
    /// Furthest delivery time in the future for `delayTime` / `startTime`, in ms (default 7 days).
    pub max_delay_ms: i64,
    /// Concurrent HTTP/2 streams per connection (default 128).
    pub max_concurrent_streams: u32,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            max_body_bytes: 8 << 20,
            max_headers: 100,
            max_header_bytes: 64 << 10,
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 30_000,
            max_batch: 256,
            max_messages: 256,
            max_wait_ms: 30_000,
            default_invisible_ms: 30_000,
            max_invisible_ms: 12 * 3_600_000,
            max_delay_ms: 7 * 86_400_000,
            max_concurrent_streams: 128,
        }
    }
}

impl HttpSettings {
    /// [`HttpSettings::header_read_timeout_ms`] as a duration.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms.max(1))
    }

    /// [`HttpSettings::body_read_timeout_ms`] as a duration.
    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_millis(self.body_read_timeout_ms.max(1))
    }
}
