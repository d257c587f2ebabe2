//! Shared test set-up: an engine in a temp dir on a manual clock.
#![allow(dead_code)]

use mqgate_engine::{Engine, EngineConfig, ManualClock, Message};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const T0: i64 = 1_700_000_000_000;

pub fn config(dir: &Path) -> EngineConfig {
    EngineConfig {
        data_dir: dir.to_path_buf(),
        segment_size: 1 << 20,
        max_message_size: 64 << 10,
        default_queue_count: 4,
        // Retention by disk usage would depend on how full the host's disk is; tests pin age-based retention.
        disk_usage_watermark: 1.0,
        ..EngineConfig::default()
    }
}

pub fn open(dir: &Path, clock: &ManualClock) -> Arc<Engine> {
    Engine::open_with_clock(config(dir), Arc::new(clock.clone())).expect("engine opens")
}

pub fn reopen(engine: Arc<Engine>, dir: &Path, clock: &ManualClock) -> Arc<Engine> {
    engine.shutdown().expect("clean shutdown");
    drop(engine);
    open(dir, clock)
}

pub fn msg(topic: &str, body: &str) -> Message {
    Message::new(topic, body.as_bytes().to_vec())
}

pub fn to_queue(topic: &str, queue: i32, body: &str) -> Message {
    let mut m = msg(topic, body);
    m.queue_id = Some(queue);
    m
}

pub fn body(m: &mqgate_engine::StoredMessage) -> String {
    String::from_utf8_lossy(&m.body).into_owned()
}

pub const NO_WAIT: Duration = Duration::ZERO;
