//! In-memory indexes fed by every stored record (and rebuilt by replaying the log at start-up):
//! message keys and unique ids → commit-log offsets, delayed messages waiting to be due, and unresolved
//! transactional half messages. Hash collisions are harmless: lookups re-check the record.

use crate::message::keys;
use crate::metadata::{HALF_TOPIC, SCHEDULE_TOPIC};
use crate::store::dispatch::{DispatchRecord, Dispatcher};
use parking_lot::Mutex;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

/// An unresolved transactional half message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HalfState {
    /// The producer group to ask.
    pub producer_group: String,
    /// The producer's transaction id.
    pub transaction_id: String,
    /// When the half message was stored, ms.
    pub store_ms: i64,
    /// Checks sent so far.
    pub checks: u32,
    /// When the last check was sent, ms (0 = never).
    pub last_check_ms: i64,
}

/// The indexes.
#[derive(Debug, Default)]
pub struct Indexes {
    keys: Mutex<HashMap<u64, Vec<u64>>>,
    ids: Mutex<HashMap<u64, Vec<u64>>>,
    /// Delayed messages waiting to be due.
    schedule: Mutex<Schedule>,
    /// Half messages by log offset.
    halves: Mutex<BTreeMap<u64, HalfState>>,
}

/// Delayed messages by due time, and the due time of each by log offset.
#[derive(Debug, Default)]
struct Schedule {
    by_due: BTreeSet<(i64, u64)>,
    due_of: HashMap<u64, i64>,
}

impl Schedule {
    fn insert(&mut self, due: i64, offset: u64) {
        if let Some(old) = self.due_of.insert(offset, due) {
            self.by_due.remove(&(old, offset));
        }
        self.by_due.insert((due, offset));
    }
    fn remove(&mut self, offset: u64) {
        if let Some(due) = self.due_of.remove(&offset) {
            self.by_due.remove(&(due, offset));
        }
    }
}

fn hash_of(parts: &[&str]) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

impl Indexes {
    /// Log offsets of records of `topic` carrying `key` (may include collisions).
    pub fn by_key(&self, topic: &str, key: &str) -> Vec<u64> {
        self.keys
            .lock()
            .get(&hash_of(&[topic, key]))
            .cloned()
            .unwrap_or_default()
    }

    /// Log offsets of records whose unique id is `id` (may include collisions).
    pub fn by_unique_id(&self, id: &str) -> Vec<u64> {
        self.ids
            .lock()
            .get(&hash_of(&[id]))
            .cloned()
            .unwrap_or_default()
    }

    /// Removes and returns delayed messages due at `now`, oldest first.
    pub fn take_due(&self, now: i64) -> Vec<(i64, u64)> {
        let mut s = self.schedule.lock();
        let later = s.by_due.split_off(&(now + 1, 0));
        let due: Vec<(i64, u64)> = std::mem::replace(&mut s.by_due, later)
            .into_iter()
            .collect();
        for (_, o) in &due {
            s.due_of.remove(o);
        }
        due
    }

    /// Puts a delayed message back (its delivery failed).
    pub fn reschedule(&self, due: i64, offset: u64) {
        self.schedule.lock().insert(due, offset);
    }

    /// The lowest log offset something still pending (delayed or half message) lives at.
    pub fn min_pending_offset(&self) -> Option<u64> {
        let s = self.schedule.lock().due_of.keys().min().copied();
        let h = self.halves.lock().keys().next().copied();
        s.into_iter().chain(h).min()
    }

    /// A snapshot of unresolved half messages.
    pub fn halves(&self) -> Vec<(u64, HalfState)> {
        self.halves
            .lock()
            .iter()
            .map(|(o, h)| (*o, h.clone()))
            .collect()
    }

    /// Takes a half message out of the unresolved set (to resolve it); `None` when already resolved.
    pub fn take_half(&self, offset: u64) -> Option<HalfState> {
        self.halves.lock().remove(&offset)
    }

    /// Puts a half message back (resolution failed) or updates its check bookkeeping.
    pub fn put_half(&self, offset: u64, state: HalfState) {
        self.halves.lock().insert(offset, state);
    }
}

impl Dispatcher for Indexes {
    fn dispatch(&self, r: &DispatchRecord<'_>) {
        let props = r.properties;
        if let Some(k) = props.get(keys::KEYS) {
            let mut map = self.keys.lock();
            for key in k.split(' ').filter(|k| !k.is_empty()) {
                map.entry(hash_of(&[r.topic, key]))
                    .or_default()
                    .push(r.log_offset);
            }
        }
        if let Some(id) = props.get(keys::UNIQ_KEY) {
            self.ids
                .lock()
                .entry(hash_of(&[id]))
                .or_default()
                .push(r.log_offset);
        }
        if r.topic == SCHEDULE_TOPIC {
            let due = props
                .get(keys::TIMER_DELIVER_MS)
                .and_then(|v| v.parse().ok())
                .unwrap_or(r.store_ms);
            self.schedule.lock().insert(due, r.log_offset);
        }
        if let Some(src) = props
            .get(keys::SCHEDULE_SOURCE)
            .and_then(|v| v.parse::<u64>().ok())
        {
            self.schedule.lock().remove(src);
        }
        if r.topic == HALF_TOPIC {
            self.halves.lock().insert(
                r.log_offset,
                HalfState {
                    producer_group: props
                        .get(keys::PRODUCER_GROUP)
                        .unwrap_or_default()
                        .to_string(),
                    transaction_id: props
                        .get(keys::TRANSACTION_ID)
                        .unwrap_or_default()
                        .to_string(),
                    store_ms: r.store_ms,
                    checks: 0,
                    last_check_ms: 0,
                },
            );
        }
        if let Some(src) = props
            .get(keys::HALF_SOURCE)
            .and_then(|v| v.parse::<u64>().ok())
        {
            self.halves.lock().remove(&src);
        }
    }
}
