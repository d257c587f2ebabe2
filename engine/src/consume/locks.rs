//! Queue locks for orderly consumers (remoting LOCK_BATCH_MQ): one client per (group, topic, queue) at a time,
//! for a lease that the client renews; an expired lease can be taken by another client.

use parking_lot::Mutex;
use std::collections::HashMap;

type Key = (String, String, i32);

/// The lock table.
#[derive(Debug, Default)]
pub struct QueueLocks {
    map: Mutex<HashMap<Key, (String, i64)>>,
}

impl QueueLocks {
    /// Locks (or renews) each queue for `client` until `now + lease`; returns the queue ids now held by it.
    pub fn lock(
        &self,
        group: &str,
        topic: &str,
        queues: &[i32],
        client: &str,
        now: i64,
        lease: i64,
    ) -> Vec<i32> {
        let mut map = self.map.lock();
        let mut held = Vec::new();
        for &q in queues {
            let slot = map
                .entry((group.to_string(), topic.to_string(), q))
                .or_insert((client.to_string(), 0));
            if slot.0 == client || slot.1 <= now {
                *slot = (client.to_string(), now + lease);
                held.push(q);
            }
        }
        held
    }

    /// Releases the queues `client` holds.
    pub fn unlock(&self, group: &str, topic: &str, queues: &[i32], client: &str) {
        let mut map = self.map.lock();
        for &q in queues {
            let key = (group.to_string(), topic.to_string(), q);
            if map.get(&key).is_some_and(|(c, _)| c == client) {
                map.remove(&key);
            }
        }
    }

    /// True when `client` holds an unexpired lock on the queue.
    pub fn is_held_by(&self, group: &str, topic: &str, queue: i32, client: &str, now: i64) -> bool {
        self.map
            .lock()
            .get(&(group.to_string(), topic.to_string(), queue))
            .is_some_and(|(c, exp)| c == client && *exp > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_exclusive_until_the_lease_expires() {
        let l = QueueLocks::default();
        assert_eq!(l.lock("g", "t", &[0, 1], "c1", 0, 60_000), vec![0, 1]);
        assert_eq!(l.lock("g", "t", &[1, 2], "c2", 1_000, 60_000), vec![2]);
        assert_eq!(l.lock("g", "t", &[1], "c2", 60_000, 60_000), vec![1]);
        assert!(l.is_held_by("g", "t", 1, "c2", 60_001));
        l.unlock("g", "t", &[1], "c1");
        assert!(l.is_held_by("g", "t", 1, "c2", 60_001));
    }
}
