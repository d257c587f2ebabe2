//! Property tests for the index and offset invariants: whatever the sequence of appends, batches, sizes and
//! restarts, each queue's offsets are contiguous from 0, reads return exactly what was appended in order, and
//! seek-by-time agrees with store times.

mod common;

use common::*;
use mqgate_engine::{ManualClock, Message, ReadLimits};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Append { queue: i32, size: usize },
    Batch { queue: i32, n: usize },
    Tick(i64),
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3i32, 0..3000usize).prop_map(|(queue, size)| Op::Append { queue, size }),
        2 => (0..3i32, 1..6usize).prop_map(|(queue, n)| Op::Batch { queue, n }),
        2 => (1..1000i64).prop_map(Op::Tick),
        1 => Just(Op::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn offsets_are_contiguous_and_reads_match_appends(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let clock = ManualClock::new(T0);
            let mut e = open(dir.path(), &clock);
            let mut model: Vec<Vec<(String, i64)>> = vec![Vec::new(); 3];
            let mut seq = 0u64;
            for op in ops {
                match op {
                    Op::Append { queue, size } => {
                        seq += 1;
                        let body = format!("{seq}:{}", "z".repeat(size));
                        let mut m = Message::new("prop", body.clone().into_bytes());
                        m.queue_id = Some(queue);
                        let r = e.append(m).await.unwrap();
                        prop_assert_eq!(r.queue_offset, model[queue as usize].len() as i64);
                        model[queue as usize].push((body, clock.now_ms_for_test()));
                    }
                    Op::Batch { queue, n } => {
                        let msgs: Vec<Message> = (0..n).map(|_| { seq += 1; let mut m = Message::new("prop", seq.to_string().into_bytes()); m.queue_id = Some(queue); m }).collect();
                        let bodies: Vec<String> = msgs.iter().map(|m| String::from_utf8(m.body.to_vec()).unwrap()).collect();
                        let r = e.append_batch(msgs).await.unwrap();
                        for (i, res) in r.iter().enumerate() {
                            prop_assert_eq!(res.queue_offset, (model[queue as usize].len() + i) as i64);
                        }
                        for b in bodies { model[queue as usize].push((b, clock.now_ms_for_test())); }
                    }
                    Op::Tick(ms) => clock.advance(ms),
                    Op::Restart => e = reopen(e, dir.path(), &clock),
                }
            }
            for q in 0..3 {
                let expected = &model[q as usize];
                prop_assert_eq!(e.max_offset("prop", q), expected.len() as i64);
                let mut got = Vec::new();
                let mut offset = 0;
                while offset < expected.len() as i64 {
                    let r = e.read("prop", q, offset, ReadLimits::messages(7), None).unwrap();
                    prop_assert!(r.next_offset > offset);
                    for m in &r.messages { got.push((body(m), m.store_timestamp)); }
                    offset = r.next_offset;
                }
                prop_assert_eq!(&got, expected);
                for (i, (_, ts)) in expected.iter().enumerate() {
                    let found = e.offset_for_time("prop", q, *ts).unwrap();
                    prop_assert!(found <= i as i64 && expected[found as usize].1 == *ts);
                }
            }
            Ok(())
        })?;
    }
}

trait NowForTest {
    fn now_ms_for_test(&self) -> i64;
}

impl NowForTest for ManualClock {
    fn now_ms_for_test(&self) -> i64 {
        use mqgate_engine::Clock;
        self.now_ms()
    }
}
