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

/// Entries kept in memory before they are written to the index file in one go.
const PENDING_FLUSH_ENTRIES: usize = 4096;

/// The index of one queue, plus the signal that wakes long-polling readers.
///
/// New entries first land in a small in-memory tail (`pending`) and reach the file in large writes: the log is
/// the durable copy, and recovery rebuilds any entry lost with the tail. Readers see file and tail alike.
#[derive(Debug)]
pub struct ConsumeQueue {
    /// Topic name.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    path: PathBuf,
    file: File,
    /// Entries not yet in the file, and the count of entries that are (guarded together).
    tail: Mutex<Tail>,
    /// Number of entries visible to readers (= the queue's max offset).
    max_offset: AtomicI64,
    /// Lowest queue offset whose record is still in the log.
    min_offset: AtomicI64,
    /// Woken on every append to this queue.
    pub appended: Notify,
}

#[derive(Debug, Default)]
struct Tail {
    /// Entries in the file.
    in_file: i64,
    /// Serialised entries after them.
    pending: Vec<u8>,
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
            tail: Mutex::new(Tail {
                in_file: entries as i64,
                pending: Vec::new(),
            }),
            max_offset: AtomicI64::new(entries as i64),
            min_offset: AtomicI64::new(0),
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
        Ok(self.entries(offset, 1)?.pop())
    }

    /// Reads up to `max` entries starting at `offset`.
    pub fn entries(&self, offset: i64, max: usize) -> io::Result<Vec<IndexEntry>> {
        let end = self.max_offset();
        if offset < 0 || offset >= end || max == 0 {
            return Ok(Vec::new());
        }
        let n = ((end - offset) as usize).min(max);
        let mut b = vec![0u8; n * ENTRY_SIZE];
        let from_file = {
            let tail = self.tail.lock();
            let from_file = ((tail.in_file - offset).max(0) as usize).min(n);
            // The part already in the file is read below, outside the lock; the rest comes from the tail.
            if from_file < n {
                let tail_start = (offset + from_file as i64 - tail.in_file) as usize * ENTRY_SIZE;
                let want = (n - from_file) * ENTRY_SIZE;
                let have = tail.pending.len().saturating_sub(tail_start).min(want);
                if have > 0 {
                    b[from_file * ENTRY_SIZE..from_file * ENTRY_SIZE + have]
                        .copy_from_slice(&tail.pending[tail_start..tail_start + have]);
                }
                b.truncate(from_file * ENTRY_SIZE + have);
            }
            from_file
        };
        if from_file > 0 {
            self.file.read_exact_at(
                &mut b[..from_file * ENTRY_SIZE],
                offset as u64 * ENTRY_SIZE as u64,
            )?;
        }
        Ok(b.chunks_exact(ENTRY_SIZE)
            .map(IndexEntry::from_bytes)
            .collect())
    }

    /// Appends entries for queue offsets `first..` (the writer's hot path: memory only, flushed in large writes).
    pub fn append(&self, first: i64, entries: &[IndexEntry]) {
        let mut tail = self.tail.lock();
        debug_assert_eq!(
            first,
            tail.in_file + (tail.pending.len() / ENTRY_SIZE) as i64
        );
        for e in entries {
            tail.pending.extend_from_slice(&e.to_bytes());
        }
        self.max_offset
            .store(first + entries.len() as i64, Ordering::Release);
        if tail.pending.len() >= PENDING_FLUSH_ENTRIES * ENTRY_SIZE {
            if let Err(e) = Self::flush_tail(&self.file, &mut tail) {
                tracing::warn!(error = %e, topic = %self.topic, queue = self.queue_id, "consume queue flush failed; retried later");
            }
        }
    }

    /// Writes the in-memory tail to the file.
    pub fn flush(&self) -> io::Result<()> {
        Self::flush_tail(&self.file, &mut self.tail.lock())
    }

    fn flush_tail(file: &File, tail: &mut Tail) -> io::Result<()> {
        if tail.pending.is_empty() {
            return Ok(());
        }
        file.write_all_at(&tail.pending, tail.in_file as u64 * ENTRY_SIZE as u64)?;
        tail.in_file += (tail.pending.len() / ENTRY_SIZE) as i64;
        tail.pending.clear();
        Ok(())
    }

    /// Writes `entries` at queue offset `at` straight to the file (recovery), filling any gap before it with
    /// holes. Writing over existing entries is allowed: replay is idempotent.
    pub fn write_at(&self, at: i64, entries: &[IndexEntry]) -> io::Result<()> {
        let mut tail = self.tail.lock();
        Self::flush_tail(&self.file, &mut tail)?;
        let cur = tail.in_file;
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
            tail.in_file = new_end;
            self.max_offset.store(new_end, Ordering::Release);
        }
        Ok(())
    }

    /// Drops entries from `offset` on (recovery after the log's tail was cut).
    pub fn truncate(&self, offset: i64) -> io::Result<()> {
        let mut tail = self.tail.lock();
        Self::flush_tail(&self.file, &mut tail)?;
        let offset = offset.max(0).min(tail.in_file);
        self.file.set_len(offset as u64 * ENTRY_SIZE as u64)?;
        tail.in_file = offset;
        self.max_offset.store(offset, Ordering::Release);
        Ok(())
    }

    /// The first offset whose entry was stored at or after `ts` ms (binary search); `max_offset` if none.
    pub fn offset_for_time(&self, ts: i64) -> io::Result<i64> {
        let (mut lo, mut hi) = (self.min_offset(), self.max_offset());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.entry(mid)? {
                Some(e) if e.is_hole() || e.store_ms < ts => lo = mid + 1,
                _ => hi = mid,
            }
        }
        Ok(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(i: i64) -> IndexEntry {
        IndexEntry {
            log_offset: i as u64 * 100,
            size: 100,
            tag_hash: i,
            store_ms: i,
        }
    }

    proptest! {
        #[test]
        fn reads_see_file_and_memory_tail_alike(
            steps in proptest::collection::vec((1..300usize, any::<bool>()), 1..30),
            probes in proptest::collection::vec((0..5000i64, 1..600usize), 1..20),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let cq = ConsumeQueue::open(dir.path(), "t", 0).unwrap();
            let mut n = 0i64;
            for (count, flush) in steps {
                let batch: Vec<IndexEntry> = (n..n + count as i64).map(entry).collect();
                cq.append(n, &batch);
                n += count as i64;
                if flush {
                    cq.flush().unwrap();
                }
            }
            prop_assert_eq!(cq.max_offset(), n);
            for (at, max) in probes {
                let got = cq.entries(at, max).unwrap();
                let expected: Vec<IndexEntry> = (at..(at + max as i64).min(n)).map(entry).collect();
                prop_assert_eq!(got, expected);
            }
            cq.flush().unwrap();
            drop(cq);
            let reopened = ConsumeQueue::open(dir.path(), "t", 0).unwrap();
            prop_assert_eq!(reopened.max_offset(), n);
            prop_assert_eq!(reopened.entry(n - 1).unwrap(), Some(entry(n - 1)));
        }
    }
}
