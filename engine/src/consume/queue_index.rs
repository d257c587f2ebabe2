//! The consume queue: one index file per (topic, queue) of fixed 28-byte entries — commit-log offset (u64),
//! record size (u32), tag hash (i64), store time (i64) — so that entry `n` is queue offset `n`.
//! A zero-size entry is a hole (its record was lost to retention before the index was rebuilt).
//! The index can always be rebuilt from the log; it is never fsynced.

use crate::error::Result;
use parking_lot::Mutex;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::sync::Notify;

/// Bytes per entry.
pub const ENTRY_SIZE: usize = 28;

/// One index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexEntry {
    /// Commit-log offset of the record.
    pub log_offset: u64,
    /// Record size in bytes; 0 marks a hole.
    pub size: u32,
    /// Java `hashCode` of the tag, 0 when untagged.
    pub tag_hash: i64,
    /// Store time, ms.
    pub store_ms: i64,
}

impl IndexEntry {
    /// Serialises the entry.
    pub fn to_bytes(&self) -> [u8; ENTRY_SIZE] {
        let mut b = [0u8; ENTRY_SIZE];
        b[0..8].copy_from_slice(&self.log_offset.to_be_bytes());
        b[8..12].copy_from_slice(&self.size.to_be_bytes());
        b[12..20].copy_from_slice(&self.tag_hash.to_be_bytes());
        b[20..28].copy_from_slice(&self.store_ms.to_be_bytes());
        b
    }
    /// Parses an entry.
    pub fn from_bytes(b: &[u8]) -> IndexEntry {
        let u64_at = |i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
        IndexEntry {
            log_offset: u64_at(0),
            size: u32::from_be_bytes(b[8..12].try_into().unwrap_or([0; 4])),
            tag_hash: u64_at(12) as i64,
            store_ms: u64_at(20) as i64,
        }
    }
    /// True for a hole.
    pub fn is_hole(&self) -> bool {
        self.size == 0
    }
}

/// The index of one queue, plus the signal that wakes long-polling readers.
#[derive(Debug)]
pub struct ConsumeQueue {
    /// Topic name.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    path: PathBuf,
    file: File,
    /// Number of entries visible to readers (= the queue's max offset).
    max_offset: AtomicI64,
    /// Lowest queue offset whose record is still in the log.
    min_offset: AtomicI64,
    /// Serialises writers (the log writer and recovery).
    write_lock: Mutex<()>,
    /// Woken on every append to this queue.
    pub appended: Notify,
}

impl ConsumeQueue {
    /// Opens (or creates) the index at `dir/<topic>/<queue_id>`, cutting a partial trailing entry.
    pub fn open(dir: &Path, topic: &str, queue_id: i32) -> Result<ConsumeQueue> {
        let tdir = dir.join(topic);
        fs::create_dir_all(&tdir)?;
        let path = tdir.join(queue_id.to_string());
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let len = file.metadata()?.len();
        let entries = len / ENTRY_SIZE as u64;
        if entries * ENTRY_SIZE as u64 != len {
            file.set_len(entries * ENTRY_SIZE as u64)?;
        }
        Ok(ConsumeQueue {
            topic: topic.to_string(),
            queue_id,
            path,
            file,
            max_offset: AtomicI64::new(entries as i64),
            min_offset: AtomicI64::new(0),
            write_lock: Mutex::new(()),
            appended: Notify::new(),
        })
    }

    /// The index file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Next offset to be written; readers see entries below it.
    pub fn max_offset(&self) -> i64 {
        self.max_offset.load(Ordering::Acquire)
    }

    /// Lowest offset still readable.
    pub fn min_offset(&self) -> i64 {
        self.min_offset
            .load(Ordering::Acquire)
            .min(self.max_offset())
    }

    /// Sets the lowest readable offset (after retention removed old records).
    pub fn set_min_offset(&self, offset: i64) {
        self.min_offset.fetch_max(offset, Ordering::AcqRel);
    }

    /// Reads entry `offset`, if written.
    pub fn entry(&self, offset: i64) -> io::Result<Option<IndexEntry>> {
        if offset < 0 || offset >= self.max_offset() {
            return Ok(None);
        }
        let mut b = [0u8; ENTRY_SIZE];
        self.file
            .read_exact_at(&mut b, offset as u64 * ENTRY_SIZE as u64)?;
        Ok(Some(IndexEntry::from_bytes(&b)))
    }

    /// Reads up to `max` entries starting at `offset`.
    pub fn entries(&self, offset: i64, max: usize) -> io::Result<Vec<IndexEntry>> {
        let end = self.max_offset();
        if offset < 0 || offset >= end || max == 0 {
            return Ok(Vec::new());
        }
        let n = ((end - offset) as usize).min(max);
        let mut b = vec![0u8; n * ENTRY_SIZE];
        self.file
            .read_exact_at(&mut b, offset as u64 * ENTRY_SIZE as u64)?;
        Ok(b.chunks_exact(ENTRY_SIZE)
            .map(IndexEntry::from_bytes)
            .collect())
    }

    /// Writes `entries` starting at queue offset `at` (filling any gap before it with holes) and publishes them.
    /// Writing over existing entries is allowed (recovery re-dispatch is idempotent).
    pub fn write_at(&self, at: i64, entries: &[IndexEntry]) -> io::Result<()> {
        let _guard = self.write_lock.lock();
        let cur = self.max_offset();
        let start = at.min(cur);
        let mut buf = Vec::with_capacity(((at - start) as usize + entries.len()) * ENTRY_SIZE);
        for _ in start..at {
            buf.extend_from_slice(&IndexEntry::default().to_bytes());
        }
        for e in entries {
            buf.extend_from_slice(&e.to_bytes());
        }
        self.file
            .write_all_at(&buf, start as u64 * ENTRY_SIZE as u64)?;
        let new_end = at + entries.len() as i64;
        if new_end > cur {
            self.max_offset.store(new_end, Ordering::Release);
        }
        Ok(())
    }

    /// Drops entries from `offset` on (recovery after the log's tail was cut).
    pub fn truncate(&self, offset: i64) -> io::Result<()> {
        let _guard = self.write_lock.lock();
        let offset = offset.max(0);
        self.file.set_len(offset as u64 * ENTRY_SIZE as u64)?;
        self.max_offset.store(offset, Ordering::Release);
        Ok(())
    }

    /// The first offset whose entry was stored at or after `ts` ms (binary search); `max_offset` if none.
    pub fn offset_for_time(&self, ts: i64) -> io::Result<i64> {
        let (mut lo, mut hi) = (self.min_offset(), self.max_offset());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.entry(mid)? {
                Some(e) if !e.is_hole() && e.store_ms < ts => lo = mid + 1,
                Some(e) if e.is_hole() => lo = mid + 1,
                _ => hi = mid,
            }
        }
        Ok(lo)
    }
}
