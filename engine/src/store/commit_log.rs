//! The commit log: an append-only sequence of segment files holding every record of every topic.
//! Only the writer thread appends; any thread reads. A record never spans two segments: when it does not fit,
//! the writer starts the next segment at `base + segment_size`, so an offset alone names its segment.

use super::record::{self, RecordError};
use super::segment::Segment;
use crate::error::{EngineError, Result};
use bytes::{Bytes, BytesMut};
use parking_lot::RwLock;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The commit log.
#[derive(Debug)]
pub struct CommitLog {
    dir: PathBuf,
    segment_size: u64,
    segments: RwLock<Vec<Arc<Segment>>>,
}

impl CommitLog {
    /// Opens the log in `dir`, listing existing segments (recovery checks their contents separately).
    pub fn open(dir: &Path, segment_size: u64) -> Result<CommitLog> {
        fs::create_dir_all(dir)?;
        let mut bases: Vec<u64> = fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
            .collect();
        bases.sort_unstable();
        let mut segments = Vec::with_capacity(bases.len());
        for base in bases {
            segments.push(Arc::new(Segment::open(dir, base)?));
        }
        if segments.is_empty() {
            segments.push(Arc::new(Segment::open(dir, 0)?));
        }
        Ok(CommitLog {
            dir: dir.to_path_buf(),
            segment_size,
            segments: RwLock::new(segments),
        })
    }

    /// Segment size in bytes.
    pub fn segment_size(&self) -> u64 {
        self.segment_size
    }

    /// A snapshot of the segment list, oldest first.
    pub fn segments(&self) -> Vec<Arc<Segment>> {
        self.segments.read().clone()
    }

    /// The newest segment.
    pub fn active(&self) -> Arc<Segment> {
        self.segments
            .read()
            .last()
            .cloned()
            .expect("the log always has a segment")
    }

    /// Offset of the oldest byte still stored.
    pub fn min_offset(&self) -> u64 {
        self.segments.read().first().map(|s| s.base).unwrap_or(0)
    }

    /// Offset just past the newest record.
    pub fn end_offset(&self) -> u64 {
        self.active().end()
    }

    /// Starts a new segment after the active one (writer only).
    pub fn roll(&self) -> Result<Arc<Segment>> {
        let next = self.active().base + self.segment_size;
        let seg = Arc::new(Segment::open(&self.dir, next)?);
        self.segments.write().push(seg.clone());
        Ok(seg)
    }

    /// Removes the oldest segment (retention); never the active one.
    pub fn remove_oldest(&self) -> Result<Option<u64>> {
        let seg = {
            let mut segs = self.segments.write();
            if segs.len() < 2 {
                return Ok(None);
            }
            segs.remove(0)
        };
        fs::remove_file(seg.path())?;
        Ok(Some(seg.base))
    }

    fn segment_for(&self, offset: u64) -> Option<Arc<Segment>> {
        let segs = self.segments.read();
        let idx = segs.partition_point(|s| s.base <= offset);
        idx.checked_sub(1).map(|i| segs[i].clone())
    }

    /// End offset (base + valid length) of the segment holding `offset`.
    pub fn segment_end(&self, offset: u64) -> Option<u64> {
        self.segment_for(offset).map(|s| s.end())
    }

    /// Reads `len` raw bytes starting at `offset` (one or more whole records, all in one segment).
    pub fn read_bytes(&self, offset: u64, len: usize) -> Result<Bytes> {
        let seg = self.segment_for(offset).ok_or_else(|| {
            EngineError::MessageNotFound(format!("offset {offset} is below the log"))
        })?;
        let mut buf = BytesMut::zeroed(len);
        seg.read_exact_at(&mut buf, offset - seg.base)
            .map_err(|_| {
                EngineError::MessageNotFound(format!("offset {offset} is beyond the log"))
            })?;
        Ok(buf.freeze())
    }

    /// Reads and verifies the record at `offset` whose size is known (from a consume-queue entry).
    pub fn read_record_sized(&self, offset: u64, size: usize) -> Result<Bytes> {
        let raw = self.read_bytes(offset, size)?;
        check(offset, &raw)?;
        Ok(raw)
    }

    /// Reads and verifies the record at `offset`, reading its size from the log.
    pub fn read_record(&self, offset: u64) -> Result<Bytes> {
        let head = self.read_bytes(offset, 8)?;
        let size = record::peek_size(&head).map_err(|e| corrupt(offset, e))?;
        self.read_record_sized(offset, size)
    }
}

fn check(offset: u64, raw: &[u8]) -> Result<()> {
    match record::peek_size(raw) {
        Ok(n) if n == raw.len() => record::verify(raw).map_err(|e| corrupt(offset, e)),
        Ok(_) => Err(corrupt(
            offset,
            RecordError::BadHeader("size differs from the index"),
        )),
        Err(e) => Err(corrupt(offset, e)),
    }
}

fn corrupt(offset: u64, e: RecordError) -> EngineError {
    EngineError::Corrupt {
        offset,
        reason: e.to_string(),
    }
}
