//! A full disk: appends fail with a clear error, nothing already stored is lost, and appends work again when
//! space returns. Needs root (it mounts a small tmpfs), as CI runs.

mod common;

use common::*;
use mqgate_engine::{Engine, ManualClock, ReadLimits, TopicConfig};
use std::process::Command;
use std::sync::Arc;

struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(path: &std::path::Path, size: &str) -> Mount {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .status();
        assert!(
            ok.is_ok_and(|s| s.success()),
            "this test needs root to mount a tmpfs"
        );
        Mount(path.to_path_buf())
    }
    fn resize(&self, size: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn full_disk_fails_appends_cleanly_and_recovers_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mount = Mount::tmpfs(dir.path(), "1m");
    let clock = ManualClock::new(T0);
    let mut cfg = config(dir.path());
    cfg.segment_size = 192 << 10;
    let e = Engine::open_with_clock(cfg.clone(), Arc::new(clock.clone())).unwrap();
    e.create_topic(TopicConfig::new("full", 1)).unwrap();
    let payload = "d".repeat(4000);
    let mut acked = 0;
    let err = loop {
        match e
            .append(to_queue("full", 0, &format!("{acked}:{payload}")))
            .await
        {
            Ok(_) => acked += 1,
            Err(err) => break err,
        }
        assert!(acked < 10_000, "the disk never filled up");
    };
    assert!(err.is_disk_full(), "clear error: {err}");
    assert!(acked > 50);
    assert!(
        e.append(to_queue("full", 0, &payload)).await.is_err(),
        "still full"
    );
    let stored = e
        .read("full", 0, 0, ReadLimits::messages(10_000), None)
        .unwrap()
        .messages;
    assert_eq!(stored.len(), acked, "nothing already stored is lost");
    mount.resize("8m");
    let r = e.append(to_queue("full", 0, "after")).await.unwrap();
    assert_eq!(r.queue_offset, acked as i64);
    e.shutdown().unwrap();
    drop(e);
    let e = Engine::open_with_clock(cfg, Arc::new(clock)).unwrap();
    assert!(e.recovery_report().cut.is_none() && e.recovery_report().damaged.is_empty());
    let all = e
        .read("full", 0, 0, ReadLimits::messages(10_000), None)
        .unwrap()
        .messages;
    assert_eq!(all.len(), acked + 1);
    assert_eq!(body(&all[acked]), "after");
}
