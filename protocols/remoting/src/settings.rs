//! The remoting front-end's settings: one typed struct with safe defaults.

use crate::codec::FrameLimits;
use serde::{Deserialize, Serialize};

/// Remoting settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemotingSettings {
    /// Largest accepted frame in bytes (RocketMQ's default: 16 MiB). Larger frames close the connection.
    pub max_frame_bytes: usize,
    /// Largest accepted header in bytes.
    pub max_header_bytes: usize,
    /// Requests one connection may have in progress (long-polled pulls included) before reading pauses.
    pub max_in_flight: usize,
    /// A connection that sends nothing for this long is closed (clients heartbeat every 30 s).
    pub idle_timeout_secs: u64,
    /// A connection whose queued answers cannot be written for this long (a client that stops reading) is closed.
    pub write_timeout_secs: u64,
    /// Upper bound of a long-polled pull's suspension, whatever the client asks, in ms.
    pub max_suspend_ms: u64,
    /// Most messages one pull returns.
    pub max_pull_messages: usize,
    /// Most bytes one pull returns.
    pub max_pull_bytes: usize,
    /// Broker name in routes.
    pub broker_name: String,
    /// Cluster name in routes and the `CLUSTER` property.
    pub cluster_name: String,
}

impl Default for RemotingSettings {
    fn default() -> Self {
        RemotingSettings {
            max_frame_bytes: 16 << 20,
            max_header_bytes: 256 << 10,
            max_in_flight: 4096,
            idle_timeout_secs: 120,
            write_timeout_secs: 30,
            max_suspend_ms: 30_000,
            max_pull_messages: 1024,
            max_pull_bytes: 8 << 20,
            broker_name: "mqgate".into(),
            cluster_name: "DefaultCluster".into(),
        }
    }
}

impl RemotingSettings {
    /// The codec limits.
    pub fn frame_limits(&self) -> FrameLimits {
        FrameLimits {
            max_frame: self.max_frame_bytes,
            max_header: self.max_header_bytes,
        }
    }
}
