//! Appending and offset-style reading: order, offsets, batches, filters, long-poll wake-up, seek by time,
//! queries, and persistence across a restart.

mod common;

use common::*;
use mqgate_engine::{
    keys, ManualClock, MessageFilter, ReadLimits, ReadStatus, StoredMessage, TopicConfig,
};
use std::time::Duration;

#[tokio::test]
async fn appended_messages_read_back_in_order_with_contiguous_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    for i in 0..10 {
        let r = e
            .append(to_queue("orders", 1, &format!("m{i}")))
            .await
            .unwrap();
        assert_eq!((r.queue_id, r.queue_offset), (1, i));
        assert_eq!(r.msg_id, r.offset_msg_id);
    }
    let r = e
        .read("orders", 1, 3, ReadLimits::messages(4), None)
        .unwrap();
    assert_eq!(r.status, ReadStatus::Found);
    assert_eq!(
        r.messages.iter().map(body).collect::<Vec<_>>(),
        ["m3", "m4", "m5", "m6"]
    );
    assert_eq!((r.next_offset, r.min_offset, r.max_offset), (7, 0, 10));
    assert_eq!(
        e.read("orders", 1, 10, ReadLimits::messages(4), None)
            .unwrap()
            .status,
        ReadStatus::NoNewMessage
    );
    let over = e
        .read("orders", 1, 12, ReadLimits::messages(4), None)
        .unwrap();
    assert_eq!(
        (over.status, over.next_offset),
        (ReadStatus::OffsetOverflow, 10)
    );
}

#[tokio::test]
async fn topic_is_auto_created_on_first_send_and_refused_when_auto_creation_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(msg("fresh", "x")).await.unwrap();
    assert_eq!(e.topic("fresh").unwrap().write_queues, 4);
    drop(e);

    let dir2 = tempfile::tempdir().unwrap();
    let mut cfg = config(dir2.path());
    cfg.auto_create_topics = false;
    let e2 =
        mqgate_engine::Engine::open_with_clock(cfg, std::sync::Arc::new(clock.clone())).unwrap();
    assert!(matches!(
        e2.append(msg("nope", "x")).await,
        Err(mqgate_engine::EngineError::TopicNotFound(_))
    ));
    e2.create_topic(TopicConfig::new("yes", 2)).unwrap();
    assert!(e2.append(msg("yes", "x")).await.is_ok());
}

#[tokio::test]
async fn batch_is_stored_in_order_and_keeps_unique_ids() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let batch: Vec<_> = (0..5)
        .map(|i| to_queue("b", 0, &format!("{i}")).with_property(keys::UNIQ_KEY, &format!("ID{i}")))
        .collect();
    let res = e.append_batch(batch).await.unwrap();
    assert_eq!(
        res.iter().map(|r| r.queue_offset).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(res[2].msg_id, "ID2");
    let m = e.message_by_id("ID3").unwrap();
    assert_eq!(body(&m), "3");
    let by_offset_id = e.message_by_id(&res[1].offset_msg_id).unwrap();
    assert_eq!(body(&by_offset_id), "1");
}

#[tokio::test]
async fn messages_are_found_by_key_within_a_time_range() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(msg("k", "a").with_keys(&["order-1", "x"]))
        .await
        .unwrap();
    clock.advance(1000);
    e.append(msg("k", "b").with_keys(&["order-1"]))
        .await
        .unwrap();
    e.append(msg("k", "c").with_keys(&["order-2"]))
        .await
        .unwrap();
    let found: Vec<_> = e
        .messages_by_key("k", "order-1", 10, T0, T0 + 5000)
        .iter()
        .map(body)
        .collect();
    assert_eq!(found, ["a", "b"]);
    assert_eq!(
        e.messages_by_key("k", "order-1", 10, T0 + 500, T0 + 5000)
            .len(),
        1
    );
    assert!(e
        .messages_by_key("other", "order-1", 10, 0, i64::MAX)
        .is_empty());
}

struct TagIs(&'static str);
impl MessageFilter for TagIs {
    fn accepts_tag_hash(&self, h: i64) -> bool {
        h == mqgate_engine::message::tag_hash(self.0)
    }
    fn accepts(&self, m: &StoredMessage) -> bool {
        m.tag() == Some(self.0)
    }
}

#[tokio::test]
async fn filtered_read_skips_non_matching_and_advances_next_offset() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    for (i, tag) in ["a", "b", "a", "b", "b"].iter().enumerate() {
        e.append(to_queue("f", 0, &i.to_string()).with_tag(tag))
            .await
            .unwrap();
    }
    let r = e
        .read("f", 0, 0, ReadLimits::messages(10), Some(&TagIs("b")))
        .unwrap();
    assert_eq!(
        r.messages.iter().map(body).collect::<Vec<_>>(),
        ["1", "3", "4"]
    );
    assert_eq!(r.next_offset, 5);
    let none = e
        .read("f", 0, 0, ReadLimits::messages(10), Some(&TagIs("zzz")))
        .unwrap();
    assert_eq!(
        (none.status, none.next_offset),
        (ReadStatus::NoMatchedMessage, 5)
    );
}

#[tokio::test]
async fn long_poll_read_is_woken_by_an_append_not_a_timer() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(to_queue("lp", 0, "first")).await.unwrap();
    let reader = {
        let e = e.clone();
        tokio::spawn(async move {
            e.read_wait(
                "lp",
                0,
                1,
                ReadLimits::messages(8),
                None,
                Duration::from_secs(30),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!reader.is_finished());
    let started = std::time::Instant::now();
    e.append(to_queue("lp", 0, "second")).await.unwrap();
    let r = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(r.messages.iter().map(body).collect::<Vec<_>>(), ["second"]);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn long_poll_on_a_queue_that_does_not_exist_yet_wakes_on_its_first_message() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let reader = {
        let e = e.clone();
        tokio::spawn(async move {
            e.read_wait(
                "new",
                2,
                0,
                ReadLimits::messages(8),
                None,
                Duration::from_secs(30),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    e.append(to_queue("new", 2, "hello")).await.unwrap();
    let r = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(r.messages.len(), 1);
}

#[tokio::test]
async fn long_poll_times_out_with_no_new_message() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let r = e
        .read_wait(
            "quiet",
            0,
            0,
            ReadLimits::messages(8),
            None,
            Duration::from_millis(30),
        )
        .await
        .unwrap();
    assert_eq!(r.status, ReadStatus::NoNewMessage);
}

#[tokio::test]
async fn seek_by_time_finds_the_first_message_stored_at_or_after() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    for i in 0..10 {
        e.append(to_queue("t", 0, &i.to_string())).await.unwrap();
        clock.advance(100);
    }
    assert_eq!(e.offset_for_time("t", 0, T0).unwrap(), 0);
    assert_eq!(e.offset_for_time("t", 0, T0 + 350).unwrap(), 4);
    assert_eq!(e.offset_for_time("t", 0, T0 + 10_000).unwrap(), 10);
    assert_eq!(e.store_time_at("t", 0, 2).unwrap(), Some(T0 + 200));
}

#[tokio::test]
async fn messages_offsets_and_metadata_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.create_topic(TopicConfig::new("keep", 2)).unwrap();
    for i in 0..50 {
        e.append(to_queue("keep", i % 2, &i.to_string()))
            .await
            .unwrap();
    }
    e.commit_offset("g", "keep", 1, 7);
    let e = reopen(e, dir.path(), &clock);
    assert_eq!(e.max_offset("keep", 0), 25);
    assert_eq!(e.committed_offset("g", "keep", 1), Some(7));
    assert_eq!(e.topic("keep").unwrap().read_queues, 2);
    let r = e
        .read("keep", 1, 24, ReadLimits::messages(5), None)
        .unwrap();
    assert_eq!(r.messages.iter().map(body).collect::<Vec<_>>(), ["49"]);
    let next = e.append(to_queue("keep", 1, "after")).await.unwrap();
    assert_eq!(next.queue_offset, 25);
}

#[tokio::test]
async fn segments_roll_and_reads_cross_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let payload = "x".repeat(30_000);
    for _ in 0..80 {
        e.append(to_queue("big", 0, &payload)).await.unwrap();
    }
    let segments = std::fs::read_dir(dir.path().join("commitlog"))
        .unwrap()
        .count();
    assert!(segments >= 2, "expected several segments, got {segments}");
    let mut offset = 0;
    let mut n = 0;
    while offset < 80 {
        let r = e
            .read("big", 0, offset, ReadLimits::messages(32), None)
            .unwrap();
        n += r.messages.len();
        offset = r.next_offset;
    }
    assert_eq!(n, 80);
    let e = reopen(e, dir.path(), &clock);
    assert_eq!(e.max_offset("big", 0), 80);
}

#[tokio::test]
async fn oversized_and_malformed_messages_are_refused_without_harming_others() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let big = mqgate_engine::Message::new("t", vec![0u8; 65 << 10]);
    assert!(matches!(
        e.append(big).await,
        Err(mqgate_engine::EngineError::IllegalMessage(_))
    ));
    let bad_prop = msg("t", "x").with_property("a\u{1}b", "c");
    assert!(e.append(bad_prop).await.is_err());
    assert!(e.append(msg("bad/topic", "x")).await.is_err());
    assert!(e.append(msg("t", "fine")).await.is_ok());
}

#[tokio::test]
async fn second_engine_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let _e = open(dir.path(), &clock);
    let second = mqgate_engine::Engine::open_with_clock(
        config(dir.path()),
        std::sync::Arc::new(clock.clone()),
    );
    assert!(matches!(
        second,
        Err(mqgate_engine::EngineError::DataDirLocked(_))
    ));
}

#[tokio::test]
async fn read_spanning_a_segment_that_ends_exactly_full_returns_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let probe = e.append(to_queue("probe", 0, "")).await.unwrap();
    let second = e.append(to_queue("probe", 0, "")).await.unwrap();
    let overhead = (second.log_offset - probe.log_offset) as usize;
    let used = second.log_offset as usize + overhead;
    let segment = config(dir.path()).segment_size as usize;
    // Fill the rest of the first segment exactly with 20 records of topic "exact" (same length as "probe").
    let per_record = (segment - used) / 20;
    let body_len = per_record - overhead;
    let last_len = segment - used - 19 * per_record - overhead;
    for i in 0..20 {
        let len = if i == 19 { last_len } else { body_len };
        e.append(to_queue("exact", 0, &"e".repeat(len)))
            .await
            .unwrap();
    }
    let next = e
        .append(to_queue("exact", 0, "next segment"))
        .await
        .unwrap();
    assert_eq!(
        next.log_offset, segment as u64,
        "the 21st record starts the second segment"
    );
    let r = e
        .read("exact", 0, 0, ReadLimits::messages(32), None)
        .unwrap();
    assert_eq!(r.messages.len(), 21);
    assert_eq!(body(&r.messages[20]), "next segment");
}
