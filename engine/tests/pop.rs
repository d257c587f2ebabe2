//! Pop-style consumption: invisibility, ack, change of invisible time, redelivery with attempt counts,
//! dead-lettering after max attempts, receipt handles across a restart, filters, and FIFO message groups.

mod common;

use common::*;
use mqgate_engine::{
    Delivery, Engine, EngineError, GroupConfig, ManualClock, MessageFilter, ReceiveRequest,
    StoredMessage,
};
use std::time::Duration;

async fn receive(
    e: &Engine,
    group: &str,
    topic: &str,
    max: usize,
    invisible_ms: i64,
) -> Vec<Delivery> {
    e.receive(ReceiveRequest {
        group,
        topic,
        filter: None,
        max_messages: max,
        invisible_ms,
        wait: NO_WAIT,
    })
    .await
    .unwrap()
}

fn bodies(d: &[Delivery]) -> Vec<String> {
    d.iter().map(|d| body(&d.message)).collect()
}

#[tokio::test]
async fn received_message_is_invisible_until_its_deadline_then_redelivered_with_next_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(to_queue("p", 0, "m")).await.unwrap();
    let first = receive(&e, "g", "p", 10, 30_000).await;
    assert_eq!(
        (bodies(&first), first[0].attempt),
        (vec!["m".to_string()], 1)
    );
    assert!(receive(&e, "g", "p", 10, 30_000).await.is_empty());
    assert_eq!(
        receive(&e, "other-group", "p", 10, 30_000).await.len(),
        1,
        "groups are independent"
    );
    clock.advance(30_000);
    let again = receive(&e, "g", "p", 10, 30_000).await;
    assert_eq!(again[0].attempt, 2);
    assert!(matches!(
        e.ack("g", &first[0].receipt_handle),
        Err(EngineError::ReceiptHandleExpired)
    ));
    e.ack("g", &again[0].receipt_handle).unwrap();
    e.ack("g", &again[0].receipt_handle).unwrap();
    clock.advance(60_000);
    assert!(
        receive(&e, "g", "p", 10, 30_000).await.is_empty(),
        "acked messages never come back"
    );
}

#[tokio::test]
async fn change_invisible_extends_and_the_original_handle_still_acks() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(to_queue("p", 0, "m")).await.unwrap();
    let d = receive(&e, "g", "p", 1, 10_000).await.remove(0);
    clock.advance(9_000);
    let renewed = e.change_invisible("g", &d.receipt_handle, 20_000).unwrap();
    assert_ne!(renewed, d.receipt_handle);
    clock.advance(5_000);
    assert!(
        receive(&e, "g", "p", 1, 10_000).await.is_empty(),
        "still invisible after the renewal"
    );
    e.ack("g", &d.receipt_handle).unwrap();
    clock.advance(60_000);
    assert!(receive(&e, "g", "p", 1, 10_000).await.is_empty());
}

#[tokio::test]
async fn message_goes_to_dlq_after_max_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.put_group(GroupConfig::new("g", 2)).unwrap();
    e.append(to_queue("p", 0, "poison")).await.unwrap();
    for attempt in 1..=3 {
        let d = receive(&e, "g", "p", 1, 1_000).await;
        assert_eq!(d[0].attempt, attempt);
        clock.advance(1_000);
    }
    assert!(receive(&e, "g", "p", 1, 1_000).await.is_empty());
    let dead = e
        .read(
            "%DLQ%g",
            0,
            0,
            mqgate_engine::ReadLimits::messages(10),
            None,
        )
        .unwrap();
    assert_eq!(
        dead.messages.iter().map(body).collect::<Vec<_>>(),
        ["poison"]
    );
}

#[tokio::test]
async fn receipt_handles_and_in_flight_state_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    for i in 0..3 {
        e.append(to_queue("p", 0, &i.to_string())).await.unwrap();
    }
    let d = receive(&e, "g", "p", 3, 60_000).await;
    e.ack("g", &d[0].receipt_handle).unwrap();
    let e = reopen(e, dir.path(), &clock);
    e.ack("g", &d[1].receipt_handle).unwrap();
    assert!(
        receive(&e, "g", "p", 3, 60_000).await.is_empty(),
        "still invisible after restart"
    );
    clock.advance(60_000);
    assert_eq!(bodies(&receive(&e, "g", "p", 3, 60_000).await), ["2"]);
    assert!(
        e.ack("g", "v1_00000000_1_2_3_4_5_6_p").is_err(),
        "forged handle refused"
    );
}

#[tokio::test]
async fn fifo_group_gets_one_message_group_in_order_and_blocks_it_while_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let mut g = GroupConfig::new("fg", 16);
    g.fifo = true;
    e.put_group(g).unwrap();
    for (body, group) in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B")] {
        e.append(to_queue("f", 0, body).with_message_group(group))
            .await
            .unwrap();
    }
    let first = receive(&e, "fg", "f", 10, 30_000).await;
    assert_eq!(
        bodies(&first),
        ["a1", "b1"],
        "one message per group while the group is in flight"
    );
    assert!(receive(&e, "fg", "f", 10, 30_000).await.is_empty());
    e.ack("fg", &first[0].receipt_handle).unwrap();
    assert_eq!(bodies(&receive(&e, "fg", "f", 10, 30_000).await), ["a2"]);
    clock.advance(30_000);
    let redelivered = receive(&e, "fg", "f", 10, 30_000).await;
    assert_eq!(
        bodies(&redelivered),
        ["b1", "a2"],
        "expired messages come back before later ones of their group"
    );
}

struct BodyStartsWith(&'static str);
impl MessageFilter for BodyStartsWith {
    fn accepts(&self, m: &StoredMessage) -> bool {
        m.body.starts_with(self.0.as_bytes())
    }
}

#[tokio::test]
async fn filtered_receive_skips_non_matching_messages_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    for b in ["keep-1", "drop", "keep-2"] {
        e.append(to_queue("p", 0, b)).await.unwrap();
    }
    let filter = BodyStartsWith("keep");
    let req = || ReceiveRequest {
        group: "g",
        topic: "p",
        filter: Some(&filter),
        max_messages: 10,
        invisible_ms: 1_000,
        wait: NO_WAIT,
    };
    let d = e.receive(req()).await.unwrap();
    assert_eq!(bodies(&d), ["keep-1", "keep-2"]);
    let lag = e.consumer_lag("g", "p");
    assert_eq!(lag[0].lag, 2, "the skipped message counts as consumed");
}

#[tokio::test]
async fn waiting_receive_returns_when_a_message_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.create_topic(mqgate_engine::TopicConfig::new("w", 2))
        .unwrap();
    let waiter = {
        let e = e.clone();
        tokio::spawn(async move {
            e.receive(ReceiveRequest {
                group: "g",
                topic: "w",
                filter: None,
                max_messages: 1,
                invisible_ms: 1_000,
                wait: Duration::from_secs(30),
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    e.append(to_queue("w", 1, "hi")).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(bodies(&got), ["hi"]);
}

#[tokio::test]
async fn forward_to_dead_letter_moves_and_acks() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(to_queue("p", 0, "bad")).await.unwrap();
    let d = receive(&e, "g", "p", 1, 1_000).await.remove(0);
    e.forward_to_dead_letter("g", &d.receipt_handle)
        .await
        .unwrap();
    clock.advance(10_000);
    assert!(receive(&e, "g", "p", 1, 1_000).await.is_empty());
    assert_eq!(e.max_offset("%DLQ%g", 0), 1);
}

#[tokio::test]
async fn queue_locks_are_exclusive_per_group() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    assert_eq!(e.lock_queues("g", "t", &[0, 1], "c1"), [0, 1]);
    assert_eq!(e.lock_queues("g", "t", &[0, 1], "c2"), Vec::<i32>::new());
    assert_eq!(e.lock_queues("h", "t", &[0], "c2"), [0]);
    clock.advance(60_000);
    assert_eq!(e.lock_queues("g", "t", &[1], "c2"), [1]);
}
