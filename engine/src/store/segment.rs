//! One commit-log segment file: a fixed span of the log's offset space, named by its base offset (20 digits,
//! as RocketMQ names them). Readers use positioned reads and never block the writer.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A segment file.
#[derive(Debug)]
pub struct Segment {
    /// Log offset of the segment's first byte.
    pub base: u64,
    path: PathBuf,
    file: File,
    /// Bytes of valid records (what readers may see).
    len: AtomicU64,
    /// Store time of the newest record, ms (for retention by age).
    newest_store_ms: AtomicI64,
}

impl Segment {
    /// File name for a segment starting at `base`.
    pub fn file_name(base: u64) -> String {
        format!("{base:020}")
    }

    /// Opens (or creates) the segment at `base` in `dir`.
    pub fn open(dir: &Path, base: u64) -> io::Result<Segment> {
        let path = dir.join(Self::file_name(base));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let len = file.metadata()?.len();
        Ok(Segment {
            base,
            path,
            file,
            len: AtomicU64::new(len),
            newest_store_ms: AtomicI64::new(0),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Valid bytes in this segment.
    pub fn len(&self) -> u64 {
        self.len.load(Ordering::Acquire)
    }

    /// True when the segment holds no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Log offset just past the last valid byte.
    pub fn end(&self) -> u64 {
        self.base + self.len()
    }

    /// Store time of the newest record, ms; 0 when unknown.
    pub fn newest_store_ms(&self) -> i64 {
        self.newest_store_ms.load(Ordering::Relaxed)
    }

    /// Records a newer store time.
    pub fn note_store_ms(&self, ms: i64) {
        self.newest_store_ms.fetch_max(ms, Ordering::Relaxed);
    }

    /// Reads exactly `buf.len()` bytes at segment position `pos`; fails past the valid length.
    pub fn read_exact_at(&self, buf: &mut [u8], pos: u64) -> io::Result<()> {
        if pos + buf.len() as u64 > self.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the segment",
            ));
        }
        self.file.read_exact_at(buf, pos)
    }

    /// Writes `data` at the current end (writer only) and publishes it to readers.
    pub fn append(&self, data: &[u8]) -> io::Result<()> {
        let pos = self.len();
        self.file.write_all_at(data, pos)?;
        self.len.store(pos + data.len() as u64, Ordering::Release);
        Ok(())
    }

    /// Cuts the file to `len` bytes (recovery of a torn tail, or undoing a failed append).
    pub fn truncate(&self, len: u64) -> io::Result<()> {
        self.file.set_len(len)?;
        self.len.store(len, Ordering::Release);
        Ok(())
    }

    /// Forces written data to stable storage.
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// A handle for sequential scanning during recovery.
    pub fn try_clone_file(&self) -> io::Result<File> {
        self.file.try_clone()
    }
}
