//! Time-driven semantics on a manual clock: delay levels and absolute delivery times (also across a restart),
//! transaction commit/rollback and the check schedule, consumer send-back into retry and dead-letter topics.

mod common;

use common::*;
use mqgate_engine::{keys, EngineEvent, ManualClock, ReadLimits};

fn read_all(
    e: &mqgate_engine::Engine,
    topic: &str,
    queue: i32,
) -> Vec<mqgate_engine::StoredMessage> {
    e.read(topic, queue, 0, ReadLimits::messages(100), None)
        .unwrap()
        .messages
}

#[tokio::test]
async fn delay_level_holds_a_message_until_due() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let r = e
        .append(to_queue("d", 0, "later").with_property(keys::DELAY, "3"))
        .await
        .unwrap();
    assert_eq!(r.topic, "SCHEDULE_TOPIC_XXXX");
    clock.advance(9_999);
    e.tick().await.unwrap();
    assert!(read_all(&e, "d", 0).is_empty());
    clock.advance(1);
    e.tick().await.unwrap();
    let got = read_all(&e, "d", 0);
    assert_eq!(got.iter().map(body).collect::<Vec<_>>(), ["later"]);
    assert_eq!(got[0].property(keys::DELAY), None);
    assert_eq!(got[0].property(keys::REAL_TOPIC), None);
    e.tick().await.unwrap();
    assert_eq!(read_all(&e, "d", 0).len(), 1, "delivered exactly once");
}

#[tokio::test]
async fn absolute_delivery_time_due_while_down_is_delivered_after_restart_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.append(
        to_queue("d", 1, "timer").with_property(keys::TIMER_DELIVER_MS, &(T0 + 60_000).to_string()),
    )
    .await
    .unwrap();
    e.append(to_queue("d", 1, "level").with_property(keys::DELAY, "1"))
        .await
        .unwrap();
    clock.advance(2_000);
    e.tick().await.unwrap();
    assert_eq!(
        read_all(&e, "d", 1).iter().map(body).collect::<Vec<_>>(),
        ["level"]
    );
    let e = reopen(e, dir.path(), &clock);
    clock.advance(3_600_000);
    e.tick().await.unwrap();
    assert_eq!(
        read_all(&e, "d", 1).iter().map(body).collect::<Vec<_>>(),
        ["level", "timer"]
    );
    let e = reopen(e, dir.path(), &clock);
    e.tick().await.unwrap();
    assert_eq!(
        read_all(&e, "d", 1).len(),
        2,
        "no second delivery after another restart"
    );
}

#[tokio::test]
async fn committed_transaction_becomes_visible_and_rollback_never_does() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let a = e
        .prepare(to_queue("tx", 0, "commit-me"), "pg")
        .await
        .unwrap();
    let b = e
        .prepare(to_queue("tx", 0, "roll-me-back"), "pg")
        .await
        .unwrap();
    assert!(
        read_all(&e, "tx", 0).is_empty(),
        "half messages are invisible"
    );
    let committed = e
        .end_transaction(a.log_offset, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(committed.topic, "tx");
    assert!(e
        .end_transaction(b.log_offset, false)
        .await
        .unwrap()
        .is_none());
    let got = read_all(&e, "tx", 0);
    assert_eq!(got.iter().map(body).collect::<Vec<_>>(), ["commit-me"]);
    assert_eq!(got[0].property(keys::TRAN_MSG), None);
    assert_eq!(got[0].sys_flag & 0xC, 0x8);
    assert!(
        e.end_transaction(a.log_offset, true).await.is_err(),
        "a second commit is refused"
    );
    let e = reopen(e, dir.path(), &clock);
    assert!(
        e.end_transaction(b.log_offset, true).await.is_err(),
        "resolution survives restart"
    );
}

#[tokio::test]
async fn unresolved_transaction_is_checked_on_schedule_then_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    let mut events = e.subscribe();
    let half = e
        .prepare(
            to_queue("tx", 0, "unknown").with_property(keys::TRANSACTION_ID, "tx-1"),
            "pg",
        )
        .await
        .unwrap();
    clock.advance(5_000);
    e.tick().await.unwrap();
    assert!(
        events.try_recv().is_err(),
        "no check within the immunity time"
    );
    let max = e.config().transaction_max_checks;
    for n in 1..=max {
        clock.advance(60_000);
        e.tick().await.unwrap();
        match events.try_recv() {
            Ok(EngineEvent::TransactionCheck {
                producer_group,
                transaction_id,
                half: h,
            }) => {
                assert_eq!(
                    (producer_group.as_str(), transaction_id.as_str()),
                    ("pg", "tx-1")
                );
                assert_eq!(h.commit_log_offset, half.log_offset);
            }
            other => panic!("check {n}: expected a transaction check, got {other:?}"),
        }
    }
    clock.advance(60_000);
    e.tick().await.unwrap();
    assert!(events.try_recv().is_err());
    assert!(
        e.end_transaction(half.log_offset, true).await.is_err(),
        "rolled back after the last check"
    );
    assert!(read_all(&e, "tx", 0).is_empty());
}

#[tokio::test]
async fn send_back_goes_to_retry_with_rocketmq_levels_then_to_dlq() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let e = open(dir.path(), &clock);
    e.put_group(mqgate_engine::GroupConfig::new("cg", 2))
        .unwrap();
    let orig = e
        .append(to_queue("work", 0, "job").with_property(keys::UNIQ_KEY, "U1"))
        .await
        .unwrap();
    // First failure: level 3 + 0 = 10 s.
    e.send_back("cg", orig.log_offset, 0, None).await.unwrap();
    clock.advance(9_999);
    e.tick().await.unwrap();
    assert!(read_all(&e, "%RETRY%cg", 0).is_empty());
    clock.advance(1);
    e.tick().await.unwrap();
    let retry1 = read_all(&e, "%RETRY%cg", 0);
    assert_eq!(retry1.len(), 1);
    assert_eq!(retry1[0].reconsume_times, 1);
    assert_eq!(retry1[0].property(keys::RETRY_TOPIC), Some("work"));
    assert_eq!(retry1[0].msg_id(), "U1");
    // Second failure: level 3 + 1 = 30 s.
    e.send_back("cg", retry1[0].commit_log_offset, 0, None)
        .await
        .unwrap();
    clock.advance(30_000);
    e.tick().await.unwrap();
    let retry2 = read_all(&e, "%RETRY%cg", 0);
    assert_eq!(retry2.len(), 2);
    assert_eq!(retry2[1].reconsume_times, 2);
    // Third failure: reconsumed twice = max → DLQ.
    let dlq = e
        .send_back("cg", retry2[1].commit_log_offset, 0, None)
        .await
        .unwrap();
    assert_eq!(dlq.topic, "%DLQ%cg");
    let dead = read_all(&e, "%DLQ%cg", 0);
    assert_eq!(dead.iter().map(body).collect::<Vec<_>>(), ["job"]);
    assert_eq!(dead[0].property(keys::DLQ_ORIGIN_TOPIC), Some("work"));
}
