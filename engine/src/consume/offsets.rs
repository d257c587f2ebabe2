//! Committed consumer offsets per (group, topic, queue), checkpointed atomically to `offsets.json`.
//! A crash loses at most one checkpoint interval of commits: consumers then see some messages again
//! (at-least-once), never skip one.

use crate::atomic_file;
use crate::error::Result;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Serialize, Deserialize)]
struct Row {
    group: String,
    topic: String,
    queue: i32,
    offset: i64,
}

type Key = (String, String, i32);

/// The offset table.
#[derive(Debug)]
pub struct OffsetTable {
    path: PathBuf,
    map: Mutex<HashMap<Key, i64>>,
    dirty: AtomicBool,
}

impl OffsetTable {
    /// Loads `dir/offsets.json`.
    pub fn open(dir: &Path) -> Result<OffsetTable> {
        let path = dir.join("offsets.json");
        let rows: Vec<Row> = atomic_file::read_json(&path)?;
        let map = rows
            .into_iter()
            .map(|r| ((r.group, r.topic, r.queue), r.offset))
            .collect();
        Ok(OffsetTable {
            path,
            map: Mutex::new(map),
            dirty: AtomicBool::new(false),
        })
    }

    /// Sets the committed offset.
    pub fn commit(&self, group: &str, topic: &str, queue: i32, offset: i64) {
        self.map
            .lock()
            .insert((group.to_string(), topic.to_string(), queue), offset);
        self.dirty.store(true, Ordering::Release);
    }

    /// The committed offset, if any.
    pub fn get(&self, group: &str, topic: &str, queue: i32) -> Option<i64> {
        self.map
            .lock()
            .get(&(group.to_string(), topic.to_string(), queue))
            .copied()
    }

    /// Every (topic, queue, offset) committed by `group`.
    pub fn of_group(&self, group: &str) -> Vec<(String, i32, i64)> {
        let mut v: Vec<_> = self
            .map
            .lock()
            .iter()
            .filter(|((g, _, _), _)| g == group)
            .map(|((_, t, q), o)| (t.clone(), *q, *o))
            .collect();
        v.sort();
        v
    }

    /// Every group that committed an offset on `topic`.
    pub fn groups_of_topic(&self, topic: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .map
            .lock()
            .keys()
            .filter(|(_, t, _)| t == topic)
            .map(|(g, _, _)| g.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Removes every offset of `group` (or of `topic` when given).
    pub fn remove(&self, group: Option<&str>, topic: Option<&str>) {
        self.map
            .lock()
            .retain(|(g, t, _), _| !(group.is_none_or(|x| x == g) && topic.is_none_or(|x| x == t)));
        self.dirty.store(true, Ordering::Release);
    }

    /// Writes the table if it changed since the last checkpoint.
    pub fn checkpoint(&self) -> Result<()> {
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let rows: Vec<Row> = self
            .map
            .lock()
            .iter()
            .map(|((g, t, q), o)| Row {
                group: g.clone(),
                topic: t.clone(),
                queue: *q,
                offset: *o,
            })
            .collect();
        let res = atomic_file::write_json(&self.path, &rows);
        if res.is_err() {
            self.dirty.store(true, Ordering::Release);
        }
        res
    }
}
