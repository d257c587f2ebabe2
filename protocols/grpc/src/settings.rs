//! The gRPC front-end's settings: one typed struct, documented field by field, with defaults that work.

use std::time::Duration;

/// Limits and timings of the gRPC front-end.
#[derive(Debug, Clone)]
pub struct GrpcSettings {
    /// Largest accepted gRPC request message (a SendMessage with its bodies), bytes. Default 16 MiB.
    pub max_request_bytes: usize,
    /// Largest gRPC response message, bytes. Default 16 MiB.
    pub max_response_bytes: usize,
    /// Most concurrent HTTP/2 streams (calls) per connection. Default 1 024.
    pub max_streams_per_connection: u32,
    /// Most known clients (client ids with settings or a Telemetry stream). Default 10 000.
    pub max_clients: usize,
    /// Most user properties on one message. Default 128.
    pub max_user_properties: usize,
    /// Most messages returned by one ReceiveMessage or PullMessage. Default 64.
    pub max_batch_size: usize,
    /// Long-poll time when a ReceiveMessage/PullMessage names none. Default 20 s.
    pub default_long_polling: Duration,
    /// Longest long poll served, whatever the client asks. Default 60 s.
    pub max_long_polling: Duration,
    /// Client deadline assumed when a call carries no `grpc-timeout`. Default 30 s.
    pub default_deadline: Duration,
    /// Shortest and longest invisible time a ReceiveMessage may ask for (upstream: 10 s … 12 h).
    pub receive_invisible_range: (Duration, Duration),
    /// Longest invisible time a ChangeInvisibleDuration may set. Default 12 h.
    pub max_invisible: Duration,
    /// Invisible time of auto-renewed (push consumer) deliveries; renewed until acked. Default 60 s.
    pub auto_renew_invisible: Duration,
    /// Auto-renewal stops after this long (upstream `renewMaxTimeMillis`). Default 3 h.
    pub auto_renew_max: Duration,
    /// Most deliveries tracked for auto-renewal at once. Default 100 000.
    pub max_renewals: usize,
    /// Furthest in the future a delivery timestamp may be. Default 24 h.
    pub max_delivery_delay: Duration,
    /// A Telemetry stream that sends no Settings within this time is closed. Default 10 s.
    pub settings_timeout: Duration,
    /// A client with no call and no Telemetry stream for this long is forgotten. Default 120 s.
    pub client_idle: Duration,
}

impl Default for GrpcSettings {
    fn default() -> Self {
        GrpcSettings {
            max_request_bytes: 16 << 20,
            max_response_bytes: 16 << 20,
            max_streams_per_connection: 1024,
            max_clients: 10_000,
            max_user_properties: 128,
            max_batch_size: 64,
            default_long_polling: Duration::from_secs(20),
            max_long_polling: Duration::from_secs(60),
            default_deadline: Duration::from_secs(30),
            receive_invisible_range: (Duration::from_secs(10), Duration::from_secs(12 * 3600)),
            max_invisible: Duration::from_secs(12 * 3600),
            auto_renew_invisible: Duration::from_secs(60),
            auto_renew_max: Duration::from_secs(3 * 3600),
            max_renewals: 100_000,
            max_delivery_delay: Duration::from_secs(24 * 3600),
            settings_timeout: Duration::from_secs(10),
            client_idle: Duration::from_secs(120),
        }
    }
}
