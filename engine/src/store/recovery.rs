//! Start-up recovery: scan the commit log, verify every record, cut a torn tail, report damage in the middle,
//! and replay each record into the indexes (consume queues are rewritten only where they differ).

use super::commit_log::CommitLog;
use super::dispatch::{DispatchRecord, Dispatcher};
use super::record::{self, RecordError};
use super::segment::Segment;
use crate::consume::queue_index::IndexEntry;
use crate::consume::registry::QueueRegistry;
use crate::error::Result;
use crate::message::tag_hash;
use bytes::{Bytes, BytesMut};
use std::io::{BufReader, Read};

/// What recovery found.
#[derive(Debug, Default, Clone)]
pub struct RecoveryReport {
    /// Valid records replayed.
    pub records: u64,
    /// Where the torn tail was cut, and why.
    pub cut: Option<(u64, String)>,
    /// Damaged records in the middle of the log (offset, reason); they are skipped, never served.
    pub damaged: Vec<(u64, String)>,
    /// Consume-queue entries written because they were missing or wrong.
    pub index_repairs: u64,
}

enum Step {
    Record(Bytes),
    End,
    Bad {
        size: Option<usize>,
        error: RecordError,
    },
}

fn read_step(r: &mut impl Read, remaining: u64) -> std::io::Result<Step> {
    if remaining == 0 {
        return Ok(Step::End);
    }
    let mut head = [0u8; 8];
    let n = read_full(r, &mut head)?;
    if n < 8 {
        return Ok(Step::Bad {
            size: None,
            error: RecordError::Truncated { need: 8, have: n },
        });
    }
    let size = match record::peek_size(&head) {
        Ok(s) => s,
        Err(error) => return Ok(Step::Bad { size: None, error }),
    };
    if size as u64 > remaining {
        return Ok(Step::Bad {
            size: Some(size),
            error: RecordError::Truncated {
                need: size,
                have: remaining as usize,
            },
        });
    }
    let mut buf = BytesMut::zeroed(size);
    buf[..8].copy_from_slice(&head);
    read_full(r, &mut buf[8..])?;
    let raw = buf.freeze();
    match record::verify(&raw) {
        Ok(()) => Ok(Step::Record(raw)),
        Err(error) => Ok(Step::Bad {
            size: Some(size),
            error,
        }),
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// True when a valid record starts at segment position `pos`.
fn valid_record_at(seg: &Segment, pos: u64) -> bool {
    let mut head = [0u8; 8];
    if seg.read_exact_at(&mut head, pos).is_err() {
        return false;
    }
    let Ok(size) = record::peek_size(&head) else {
        return false;
    };
    let mut buf = vec![0u8; size];
    seg.read_exact_at(&mut buf, pos).is_ok() && record::verify(&buf).is_ok()
}

/// Scans the whole log and replays it into `queues` and `dispatcher`.
pub fn recover(
    log: &CommitLog,
    queues: &QueueRegistry,
    dispatcher: &dyn Dispatcher,
) -> Result<RecoveryReport> {
    let mut report = RecoveryReport::default();
    let segments = log.segments();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        let file_len = seg.len();
        let mut reader = BufReader::with_capacity(4 << 20, seg.try_clone_file()?);
        let mut pos = 0u64;
        loop {
            match read_step(&mut reader, file_len - pos)? {
                Step::End => break,
                Step::Record(raw) => {
                    pos += raw.len() as u64;
                    if let Some(ms) = replay(
                        seg.base + pos - raw.len() as u64,
                        raw,
                        queues,
                        dispatcher,
                        &mut report,
                    )? {
                        seg.note_store_ms(ms);
                    }
                }
                Step::Bad { size, error } => {
                    let offset = seg.base + pos;
                    let skip_to = size
                        .map(|s| pos + s as u64)
                        .filter(|&next| next < file_len && valid_record_at(seg, next));
                    match skip_to {
                        Some(next) => {
                            tracing::error!(offset, %error, "damaged record in the middle of the commit log; it will not be served");
                            report.damaged.push((offset, error.to_string()));
                            pos = next;
                            reader = BufReader::with_capacity(4 << 20, seg.try_clone_file()?);
                            std::io::Seek::seek(&mut reader, std::io::SeekFrom::Start(pos))?;
                        }
                        None if i == last => {
                            tracing::warn!(offset, %error, cut_bytes = file_len - pos, "torn tail of the commit log cut");
                            seg.truncate(pos)?;
                            report.cut = Some((offset, error.to_string()));
                            break;
                        }
                        None => {
                            tracing::error!(offset, %error, "damaged commit-log segment; the rest of it will not be served");
                            report.damaged.push((offset, error.to_string()));
                            break;
                        }
                    }
                }
            }
        }
    }
    trim_indexes(log, queues)?;
    Ok(report)
}

fn replay(
    offset: u64,
    raw: Bytes,
    queues: &QueueRegistry,
    dispatcher: &dyn Dispatcher,
    report: &mut RecoveryReport,
) -> Result<Option<i64>> {
    let msg = match record::decode(raw) {
        Ok(m) => m,
        Err(e) => {
            report.damaged.push((offset, e.to_string()));
            return Ok(None);
        }
    };
    let entry = IndexEntry {
        log_offset: offset,
        size: msg.raw.len() as u32,
        tag_hash: msg.tag().map(tag_hash).unwrap_or(0),
        store_ms: msg.store_timestamp,
    };
    let cq = queues.get_or_create(&msg.topic, msg.queue_id)?;
    if cq.entry(msg.queue_offset)? != Some(entry) {
        cq.write_at(msg.queue_offset, &[entry])?;
        report.index_repairs += 1;
    }
    dispatcher.dispatch(&DispatchRecord {
        topic: &msg.topic,
        queue_id: msg.queue_id,
        queue_offset: msg.queue_offset,
        log_offset: offset,
        size: entry.size,
        store_ms: msg.store_timestamp,
        sys_flag: msg.sys_flag,
        properties: &msg.properties,
    });
    report.records += 1;
    Ok(Some(msg.store_timestamp))
}

/// Drops index entries that point past the log's end and sets each queue's lowest readable offset.
fn trim_indexes(log: &CommitLog, queues: &QueueRegistry) -> Result<()> {
    let end = log.end_offset();
    let min = log.min_offset();
    for cq in queues.all() {
        let mut keep = cq.max_offset();
        while keep > 0 {
            match cq.entry(keep - 1)? {
                Some(e) if e.is_hole() || e.log_offset >= end => keep -= 1,
                _ => break,
            }
        }
        if keep < cq.max_offset() {
            cq.truncate(keep)?;
        }
        let first = first_offset_at_or_after(&cq, min)?;
        cq.set_min_offset(first);
    }
    Ok(())
}

/// The first queue offset whose record starts at or after log offset `min` (entries are ordered by log offset;
/// holes sort first).
pub fn first_offset_at_or_after(
    cq: &crate::consume::queue_index::ConsumeQueue,
    min: u64,
) -> Result<i64> {
    let (mut lo, mut hi) = (0i64, cq.max_offset());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cq.entry(mid)? {
            Some(e) if e.is_hole() || e.log_offset < min => lo = mid + 1,
            _ => hi = mid,
        }
    }
    Ok(lo)
}
