//! The 32-byte stamp at the start of every message body, and the payload built around it.
//!
//! Layout (big-endian): `b"AL01"` · run id (u32) · send time, unix ns (u64) · connection (u32) · flags (u32) ·
//! sequence within the connection (u64). The run id lets an end-to-end receiver tell this run's messages from
//! older ones left in the queue; the flags say whether the message was sent inside the measured window.
//! Decoding never panics on foreign bodies: anything too short or without the magic is `None`.

use std::time::{SystemTime, UNIX_EPOCH};

pub const STAMP_LEN: usize = 32;
const MAGIC: &[u8; 4] = b"AL01";
/// Flag: sent after the warm-up, so its latency counts.
pub const MEASURED: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub run: u32,
    pub sent_unix_ns: u64,
    pub conn: u32,
    pub flags: u32,
    pub seq: u64,
}

impl Stamp {
    /// A key unique per (connection, sequence) for duplicate detection.
    pub fn key(&self) -> u64 {
        (u64::from(self.conn) << 44) | (self.seq & ((1 << 44) - 1))
    }

    pub fn measured(&self) -> bool {
        self.flags & MEASURED != 0
    }

    /// Writes the stamp over the first 32 bytes of `body` (which must be at least that long).
    pub fn write(&self, body: &mut [u8]) {
        body[0..4].copy_from_slice(MAGIC);
        body[4..8].copy_from_slice(&self.run.to_be_bytes());
        body[8..16].copy_from_slice(&self.sent_unix_ns.to_be_bytes());
        body[16..20].copy_from_slice(&self.conn.to_be_bytes());
        body[20..24].copy_from_slice(&self.flags.to_be_bytes());
        body[24..32].copy_from_slice(&self.seq.to_be_bytes());
    }

    /// Reads a stamp from the start of a body.
    pub fn read(body: &[u8]) -> Option<Stamp> {
        let b = body.get(..STAMP_LEN)?;
        if &b[0..4] != MAGIC {
            return None;
        }
        let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let u64_at = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i..i + 8]);
            u64::from_be_bytes(x)
        };
        Some(Stamp {
            run: u32_at(4),
            sent_unix_ns: u64_at(8),
            conn: u32_at(16),
            flags: u32_at(20),
            seq: u64_at(24),
        })
    }
}

/// Current wall-clock time in unix nanoseconds (the same clock on both ends of an e2e run).
pub fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A body of `size` bytes (at least the stamp) whose filler after the stamp is printable and fixed.
pub fn payload(size: usize) -> Vec<u8> {
    let size = size.max(STAMP_LEN);
    (0..size)
        .map(|i| {
            if i < STAMP_LEN {
                0
            } else {
                b'a' + (i % 26) as u8
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_round_trips_and_foreign_bodies_are_none() {
        let s = Stamp {
            run: 7,
            sent_unix_ns: 1_700_000_000_123_456_789,
            conn: 3,
            flags: MEASURED,
            seq: 99,
        };
        let mut body = payload(1024);
        s.write(&mut body);
        assert_eq!(body.len(), 1024);
        assert_eq!(Stamp::read(&body), Some(s));
        assert!(Stamp::read(b"short").is_none());
        assert!(Stamp::read(&payload(64)).is_none());
        assert_ne!(s.key(), Stamp { conn: 4, ..s }.key());
    }
}
