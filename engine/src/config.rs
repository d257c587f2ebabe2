//! The engine's settings: one typed struct, documented field by field, with defaults that work.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// When an append is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FlushMode {
    /// Acknowledge once the record is in the page cache: survives a process crash (`kill -9`).
    #[default]
    Async,
    /// Acknowledge only after `fsync`: survives power loss. Concurrent appends share one fsync (group commit).
    Sync,
}

/// Engine settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Directory holding the commit log, indexes and metadata.
    pub data_dir: PathBuf,
    /// Size of one commit-log segment file in bytes (default 1 GiB). A record never spans two segments.
    pub segment_size: u64,
    /// When appends are acknowledged.
    pub flush: FlushMode,
    /// Largest accepted message body in bytes (default 4 MiB, as RocketMQ).
    pub max_message_size: usize,
    /// Create a topic on its first send or route query (default true).
    pub auto_create_topics: bool,
    /// Create a consumer group on first use (default true).
    pub auto_create_groups: bool,
    /// Read and write queue count of auto-created topics (default 8).
    pub default_queue_count: u32,
    /// The address written into stored records as the store host; offset message ids encode it.
    pub store_host: SocketAddr,
    /// Keep commit-log segments at least this many hours (default 72).
    pub retention_hours: u64,
    /// Delete the oldest segments while the disk is fuller than this fraction (default 0.90).
    pub disk_usage_watermark: f64,
    /// Transaction check: first check after a half message is this old, in ms (default 6 000).
    pub transaction_immunity_ms: i64,
    /// Transaction check: interval between checks of one half message, in ms (default 60 000).
    pub transaction_check_interval_ms: i64,
    /// Transaction check: after this many unanswered checks the half message is rolled back (default 15).
    pub transaction_max_checks: u32,
    /// Queue lock lease for orderly consumers, in ms (default 60 000).
    pub queue_lock_ms: i64,
    /// Default maximum reconsume times of a group before its messages go to `%DLQ%` (default 16).
    pub max_reconsume_times: i32,
    /// How often dirty offsets and pop state are checkpointed, in ms (default 1 000).
    pub checkpoint_interval_ms: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            data_dir: PathBuf::from("./data"),
            segment_size: 1 << 30,
            flush: FlushMode::Async,
            max_message_size: 4 << 20,
            auto_create_topics: true,
            auto_create_groups: true,
            default_queue_count: 8,
            store_host: SocketAddr::from(([127, 0, 0, 1], 9876)),
            retention_hours: 72,
            disk_usage_watermark: 0.90,
            transaction_immunity_ms: 6_000,
            transaction_check_interval_ms: 60_000,
            transaction_max_checks: 15,
            queue_lock_ms: 60_000,
            max_reconsume_times: 16,
            checkpoint_interval_ms: 1_000,
        }
    }
}

/// The 18 RocketMQ delay levels (1-based), in milliseconds: 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h.
pub const DELAY_LEVELS_MS: [i64; 18] = [
    1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000, 420_000,
    480_000, 540_000, 600_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000,
];

/// The delay of level `level` (1..=18) in ms; levels above 18 are clamped to 18, below 1 mean no delay.
pub fn delay_level_ms(level: i32) -> Option<i64> {
    if level < 1 {
        return None;
    }
    let idx = (level.min(DELAY_LEVELS_MS.len() as i32) - 1) as usize;
    Some(DELAY_LEVELS_MS[idx])
}
