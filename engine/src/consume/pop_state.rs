//! Pop-style consumption state per (group, topic, queue): which offsets are acknowledged, which are in flight
//! (invisible until a deadline, with an attempt count), and where fresh messages start. Pure bookkeeping driven by
//! the time passed in; checkpointed to `pop-state.json`. After a crash, deliveries and acks since the last
//! checkpoint are forgotten, so those messages are delivered again (at-least-once), never lost.

use crate::atomic_file;
use crate::error::Result;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// One message currently delivered and not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inflight {
    /// When it becomes deliverable again, ms.
    pub deadline: i64,
    /// Delivery attempt, from 1.
    pub attempt: u32,
    /// When this attempt was delivered, ms.
    pub pop_time: i64,
    /// Commit-log offset of the record.
    pub log_offset: u64,
    /// FIFO message group, when the group consumes in order.
    pub message_group: Option<String>,
}

/// State of one queue for one group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PopQueueState {
    /// Every offset below this is acknowledged.
    pub ack_floor: i64,
    /// First offset never delivered.
    pub cursor: i64,
    /// Acknowledged offsets at or above the floor.
    pub acked: BTreeSet<i64>,
    /// Delivered, unacknowledged offsets.
    pub inflight: BTreeMap<i64, Inflight>,
}

impl PopQueueState {
    /// A state starting at `start`.
    pub fn starting_at(start: i64) -> Self {
        PopQueueState {
            ack_floor: start,
            cursor: start,
            ..Default::default()
        }
    }

    /// Moves past offsets that retention removed.
    pub fn clamp_to(&mut self, min_offset: i64) {
        if self.ack_floor < min_offset {
            self.ack_floor = min_offset;
            self.acked = self.acked.split_off(&min_offset);
            self.inflight = self.inflight.split_off(&min_offset);
        }
        self.cursor = self.cursor.max(self.ack_floor);
    }

    /// True when `offset` needs no more delivery.
    pub fn is_acked(&self, offset: i64) -> bool {
        offset < self.ack_floor || self.acked.contains(&offset)
    }

    /// Offsets in flight whose deadline passed, in offset order.
    pub fn expired(&self, now: i64) -> Vec<(i64, Inflight)> {
        self.inflight
            .iter()
            .filter(|(_, f)| f.deadline <= now)
            .map(|(o, f)| (*o, f.clone()))
            .collect()
    }

    /// Earliest deadline of anything in flight.
    pub fn next_deadline(&self) -> Option<i64> {
        self.inflight.values().map(|f| f.deadline).min()
    }

    /// Message groups with an unexpired delivery (FIFO: nothing else of those groups may be delivered).
    pub fn busy_groups(&self, now: i64) -> BTreeSet<String> {
        self.inflight
            .values()
            .filter(|f| f.deadline > now)
            .filter_map(|f| f.message_group.clone())
            .collect()
    }

    /// Records a delivery.
    pub fn deliver(&mut self, offset: i64, flight: Inflight) {
        self.inflight.insert(offset, flight);
        if offset >= self.cursor {
            self.cursor = offset + 1;
        }
    }

    /// Acknowledges `offset`; returns false when it was already acknowledged.
    pub fn ack(&mut self, offset: i64) -> bool {
        self.inflight.remove(&offset);
        if self.is_acked(offset) {
            return false;
        }
        self.acked.insert(offset);
        if offset >= self.cursor {
            self.cursor = offset + 1;
        }
        while self.acked.remove(&self.ack_floor) {
            self.ack_floor += 1;
        }
        true
    }

    /// Messages neither acknowledged nor in flight below `max_offset`, plus those in flight: the backlog.
    pub fn backlog(&self, max_offset: i64) -> i64 {
        (max_offset - self.ack_floor - self.acked.len() as i64).max(0)
    }
}

#[derive(Serialize, Deserialize)]
struct Row {
    group: String,
    topic: String,
    queue: i32,
    state: PopQueueState,
}

type Key = (String, String, i32);

/// Pop state of every (group, topic, queue).
#[derive(Debug)]
pub struct PopStore {
    path: PathBuf,
    map: Mutex<HashMap<Key, PopQueueState>>,
    dirty: AtomicBool,
}

impl PopStore {
    /// Loads `dir/pop-state.json`.
    pub fn open(dir: &Path) -> Result<PopStore> {
        let path = dir.join("pop-state.json");
        let rows: Vec<Row> = atomic_file::read_json(&path)?;
        let map = rows
            .into_iter()
            .map(|r| ((r.group, r.topic, r.queue), r.state))
            .collect();
        Ok(PopStore {
            path,
            map: Mutex::new(map),
            dirty: AtomicBool::new(false),
        })
    }

    /// Runs `f` on the queue's state, creating it at `start` when new, and marks the store dirty.
    pub fn with<R>(
        &self,
        group: &str,
        topic: &str,
        queue: i32,
        start: i64,
        f: impl FnOnce(&mut PopQueueState) -> R,
    ) -> R {
        let mut map = self.map.lock();
        let st = map
            .entry((group.to_string(), topic.to_string(), queue))
            .or_insert_with(|| PopQueueState::starting_at(start));
        self.dirty.store(true, Ordering::Release);
        f(st)
    }

    /// Runs `f` on the queue's state if it exists.
    pub fn with_existing<R>(
        &self,
        group: &str,
        topic: &str,
        queue: i32,
        f: impl FnOnce(&mut PopQueueState) -> R,
    ) -> Option<R> {
        let mut map = self.map.lock();
        let st = map.get_mut(&(group.to_string(), topic.to_string(), queue))?;
        self.dirty.store(true, Ordering::Release);
        Some(f(st))
    }

    /// Forgets every queue state of `group` (a deleted subscription).
    pub fn remove_group(&self, group: &str) {
        self.map.lock().retain(|(g, _, _), _| g != group);
        self.dirty.store(true, Ordering::Release);
    }

    /// Earliest in-flight deadline among `topic`'s queues for `group`.
    pub fn next_deadline(&self, group: &str, topic: &str) -> Option<i64> {
        self.map
            .lock()
            .iter()
            .filter(|((g, t, _), _)| g == group && t == topic)
            .filter_map(|(_, s)| s.next_deadline())
            .min()
    }

    /// Writes the store if it changed since the last checkpoint.
    pub fn checkpoint(&self) -> Result<()> {
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let rows: Vec<Row> = self
            .map
            .lock()
            .iter()
            .map(|((g, t, q), s)| Row {
                group: g.clone(),
                topic: t.clone(),
                queue: *q,
                state: s.clone(),
            })
            .collect();
        let res = atomic_file::write_json(&self.path, &rows);
        if res.is_err() {
            self.dirty.store(true, Ordering::Release);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flight(deadline: i64) -> Inflight {
        Inflight {
            deadline,
            attempt: 1,
            pop_time: 0,
            log_offset: 0,
            message_group: None,
        }
    }

    #[test]
    fn floor_advances_over_contiguous_acks_only() {
        let mut s = PopQueueState::starting_at(0);
        for o in 0..4 {
            s.deliver(o, flight(10));
        }
        assert!(s.ack(1));
        assert_eq!(s.ack_floor, 0);
        assert!(s.ack(0));
        assert_eq!(s.ack_floor, 2);
        assert!(!s.ack(1));
        assert_eq!(s.expired(10).len(), 2);
        assert_eq!(s.backlog(4), 2);
    }

    proptest! {
        #[test]
        fn acking_every_offset_in_any_order_moves_the_floor_to_the_end(order in Just((0..50i64).collect::<Vec<_>>()).prop_shuffle()) {
            let mut s = PopQueueState::starting_at(0);
            for o in 0..50 { s.deliver(o, flight(1)); }
            for o in &order { prop_assert!(s.ack(*o)); }
            prop_assert_eq!(s.ack_floor, 50);
            prop_assert!(s.acked.is_empty() && s.inflight.is_empty());
            for o in 0..50 { prop_assert!(s.is_acked(o)); }
        }
    }
}
