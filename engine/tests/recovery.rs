//! Recovery: a log cut at every byte of its last record restarts with every earlier record and accepts new
//! appends; damage in the middle is reported and never served; lost or damaged indexes are rebuilt from the log.

mod common;

use common::*;
use mqgate_engine::{ManualClock, ReadLimits};
use std::fs;
use std::path::Path;

fn segment_path(dir: &Path) -> std::path::PathBuf {
    dir.join("commitlog").join(format!("{:020}", 0))
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != "lock" {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn bodies(e: &mqgate_engine::Engine, topic: &str) -> Vec<String> {
    e.read(topic, 0, 0, ReadLimits::messages(1000), None)
        .unwrap()
        .messages
        .iter()
        .map(body)
        .collect()
}

#[tokio::test]
async fn log_cut_at_every_byte_of_the_last_record_recovers_all_earlier_records() {
    let clock = ManualClock::new(T0);
    let base = tempfile::tempdir().unwrap();
    let e = open(base.path(), &clock);
    for i in 0..5 {
        e.append(
            to_queue("r", 0, &format!("m{i}"))
                .with_tag("t")
                .with_keys(&["k"]),
        )
        .await
        .unwrap();
    }
    let last = e.append(to_queue("r", 0, "last")).await.unwrap();
    e.shutdown().unwrap();
    drop(e);
    let end = fs::metadata(segment_path(base.path())).unwrap().len();
    for cut in last.log_offset..end {
        let work = tempfile::tempdir().unwrap();
        copy_dir(base.path(), work.path());
        let f = fs::OpenOptions::new()
            .write(true)
            .open(segment_path(work.path()))
            .unwrap();
        f.set_len(cut).unwrap();
        drop(f);
        let e = open(work.path(), &clock);
        let report = e.recovery_report().clone();
        assert_eq!(report.records, 5, "cut at {cut}");
        assert_eq!(report.cut.is_some(), cut > last.log_offset, "cut at {cut}");
        assert_eq!(
            bodies(&e, "r"),
            ["m0", "m1", "m2", "m3", "m4"],
            "cut at {cut}"
        );
        let again = e.append(to_queue("r", 0, "again")).await.unwrap();
        assert_eq!(
            (again.queue_offset, again.log_offset),
            (5, last.log_offset),
            "cut at {cut}"
        );
        let e = reopen(e, work.path(), &clock);
        assert_eq!(bodies(&e, "r").last().map(String::as_str), Some("again"));
    }
}

#[tokio::test]
async fn damage_in_the_middle_is_reported_with_its_offset_and_never_served() {
    let clock = ManualClock::new(T0);
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), &clock);
    let mut results = Vec::new();
    for i in 0..5 {
        results.push(
            e.append(to_queue("r", 0, &format!("body-{i}")))
                .await
                .unwrap(),
        );
    }
    e.shutdown().unwrap();
    drop(e);
    let mut bytes = fs::read(segment_path(dir.path())).unwrap();
    let victim = results[2].log_offset as usize;
    let at = victim
        + bytes[victim..]
            .windows(6)
            .position(|w| w == b"body-2")
            .unwrap();
    bytes[at] = b'X';
    fs::write(segment_path(dir.path()), &bytes).unwrap();
    let e = open(dir.path(), &clock);
    let report = e.recovery_report();
    assert_eq!(report.damaged.len(), 1);
    assert_eq!(report.damaged[0].0, results[2].log_offset);
    assert!(report.cut.is_none());
    assert_eq!(bodies(&e, "r"), ["body-0", "body-1", "body-3", "body-4"]);
    assert!(e.message_at(results[2].log_offset).is_err());
    assert_eq!(
        e.append(to_queue("r", 0, "next"))
            .await
            .unwrap()
            .queue_offset,
        5
    );
}

#[tokio::test]
async fn missing_consume_queues_are_rebuilt_from_the_log() {
    let clock = ManualClock::new(T0);
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), &clock);
    for i in 0..20 {
        e.append(to_queue("q", i % 3, &i.to_string()))
            .await
            .unwrap();
    }
    e.shutdown().unwrap();
    drop(e);
    fs::remove_dir_all(dir.path().join("consumequeue")).unwrap();
    let e = open(dir.path(), &clock);
    assert_eq!(e.recovery_report().index_repairs, 20);
    assert_eq!(
        (
            e.max_offset("q", 0),
            e.max_offset("q", 1),
            e.max_offset("q", 2)
        ),
        (7, 7, 6)
    );
    assert_eq!(bodies(&e, "q"), ["0", "3", "6", "9", "12", "15", "18"]);
}

#[tokio::test]
async fn damaged_consume_queue_entries_are_repaired_and_stale_tail_entries_dropped() {
    let clock = ManualClock::new(T0);
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), &clock);
    for i in 0..10 {
        e.append(to_queue("q", 0, &i.to_string())).await.unwrap();
    }
    e.shutdown().unwrap();
    drop(e);
    let cq = dir.path().join("consumequeue").join("q").join("0");
    let mut bytes = fs::read(&cq).unwrap();
    for b in &mut bytes[28 * 3..28 * 4] {
        *b = 0xAB;
    }
    bytes.extend_from_slice(&[7u8; 28 * 2 + 5]);
    fs::write(&cq, &bytes).unwrap();
    let e = open(dir.path(), &clock);
    assert_eq!(e.max_offset("q", 0), 10);
    assert_eq!(
        bodies(&e, "q"),
        (0..10).map(|i| i.to_string()).collect::<Vec<_>>()
    );
}
