//! Receipt handles: self-describing, tamper-evident strings naming one delivery of one message, so an ack
//! still works after a restart. Layout (fields joined by `_`):
//! `v1 _ mac _ pop_time _ deadline _ attempt _ queue _ queue_offset _ log_offset _ topic` (topic last: it may
//! contain `_`). `mac` is a CRC32 over a per-data-dir secret and the other fields, in hex.

use crate::error::{EngineError, Result};

/// A decoded receipt handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptHandle {
    /// Topic of the message.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// Queue offset.
    pub queue_offset: i64,
    /// Commit-log offset.
    pub log_offset: u64,
    /// When this delivery happened, ms.
    pub pop_time: i64,
    /// When the message becomes visible again, ms.
    pub deadline: i64,
    /// Delivery attempt, from 1.
    pub attempt: u32,
}

impl ReceiptHandle {
    fn body(&self) -> String {
        format!(
            "{}_{}_{}_{}_{}_{}_{}",
            self.pop_time,
            self.deadline,
            self.attempt,
            self.queue_id,
            self.queue_offset,
            self.log_offset,
            self.topic
        )
    }

    fn mac(secret: &[u8], body: &str) -> u32 {
        let mut h = crc32fast::Hasher::new();
        h.update(secret);
        h.update(body.as_bytes());
        h.finalize()
    }

    /// Encodes the handle, signed with `secret`.
    pub fn encode(&self, secret: &[u8]) -> String {
        let body = self.body();
        format!("v1_{:08x}_{}", Self::mac(secret, &body), body)
    }

    /// Decodes and checks a handle.
    pub fn decode(text: &str, secret: &[u8]) -> Result<ReceiptHandle> {
        let bad = EngineError::InvalidReceiptHandle;
        let rest = text.strip_prefix("v1_").ok_or(bad("unknown version"))?;
        let (mac, body) = rest.split_once('_').ok_or(bad("malformed"))?;
        let mac = u32::from_str_radix(mac, 16).map_err(|_| bad("malformed checksum"))?;
        if mac != Self::mac(secret, body) {
            return Err(bad("checksum mismatch"));
        }
        let mut f = body.splitn(7, '_');
        let mut next = || f.next().ok_or(bad("missing field"));
        let num = |s: &str| s.parse::<i64>().map_err(|_| bad("bad number"));
        let pop_time = num(next()?)?;
        let deadline = num(next()?)?;
        let attempt = num(next()?)? as u32;
        let queue_id = num(next()?)? as i32;
        let queue_offset = num(next()?)?;
        let log_offset = num(next()?)? as u64;
        let topic = next()?.to_string();
        Ok(ReceiptHandle {
            topic,
            queue_id,
            queue_offset,
            log_offset,
            pop_time,
            deadline,
            attempt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_round_trips_and_rejects_tampering() {
        let h = ReceiptHandle {
            topic: "%RETRY%g_1".into(),
            queue_id: 2,
            queue_offset: 77,
            log_offset: 9999,
            pop_time: 1,
            deadline: 30_001,
            attempt: 3,
        };
        let s = h.encode(b"secret");
        assert_eq!(ReceiptHandle::decode(&s, b"secret").unwrap(), h);
        assert!(ReceiptHandle::decode(&s, b"other").is_err());
        assert!(ReceiptHandle::decode(&s.replace("_77_", "_78_"), b"secret").is_err());
        assert!(ReceiptHandle::decode("garbage", b"secret").is_err());
    }
}
