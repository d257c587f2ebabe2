//! Retention: old segments go, offsets stay meaningful, and segments holding pending delayed messages stay.

mod common;

use common::*;
use mqgate_engine::{keys, ManualClock, ReadLimits, ReadStatus};

fn segments(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("commitlog")).unwrap().count()
}

#[tokio::test]
async fn segments_older_than_retention_are_removed_and_readers_move_to_the_new_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let payload = "r".repeat(30_000);
    for _ in 0..100 {
        e.append(to_queue("old", 0, &payload)).await.unwrap();
    }
    let before = segments(dir.path());
    assert!(before >= 3);
    clock.advance(71 * 3_600_000);
    e.tick().await.unwrap();
    assert_eq!(
        segments(dir.path()),
        before,
        "nothing is removed before 72 h"
    );
    clock.advance(2 * 3_600_000);
    e.append(to_queue("old", 0, "fresh")).await.unwrap();
    clock.advance(10_000);
    e.tick().await.unwrap();
    assert_eq!(segments(dir.path()), 1, "only the active segment stays");
    let min = e.min_offset("old", 0);
    assert!(
        min > 0 && min <= 100,
        "the minimum moved to the active segment's first message: {min}"
    );
    let r = e.read("old", 0, 0, ReadLimits::messages(10), None).unwrap();
    assert_eq!((r.status, r.next_offset), (ReadStatus::OffsetTooSmall, min));
    let rest = e
        .read("old", 0, min, ReadLimits::messages(1000), None)
        .unwrap()
        .messages;
    assert_eq!(rest.len() as i64, 101 - min);
    assert_eq!(body(rest.last().unwrap()), "fresh");
    let e = reopen(e, dir.path(), &clock);
    assert_eq!((e.min_offset("old", 0), e.max_offset("old", 0)), (min, 101));
    assert_eq!(
        e.append(to_queue("old", 0, "next"))
            .await
            .unwrap()
            .queue_offset,
        101
    );
}

#[tokio::test]
async fn a_segment_holding_a_pending_delayed_message_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let due = T0 + 100 * 3_600_000;
    e.append(
        to_queue("later", 0, "in 100 h").with_property(keys::TIMER_DELIVER_MS, &due.to_string()),
    )
    .await
    .unwrap();
    let payload = "p".repeat(30_000);
    for _ in 0..100 {
        e.append(to_queue("bulk", 0, &payload)).await.unwrap();
    }
    let before = segments(dir.path());
    clock.advance(80 * 3_600_000);
    e.tick().await.unwrap();
    assert_eq!(
        segments(dir.path()),
        before,
        "the first segment is pinned by the pending message"
    );
    clock.advance(21 * 3_600_000);
    e.tick().await.unwrap();
    let got = e
        .read("later", 0, 0, ReadLimits::messages(10), None)
        .unwrap();
    assert_eq!(
        got.messages.iter().map(body).collect::<Vec<_>>(),
        ["in 100 h"]
    );
    clock.advance(10_001);
    e.tick().await.unwrap();
    assert!(segments(dir.path()) < before, "released once delivered");
}
