//! Message ids for messages whose producer chose none: 32 upper-case hex digits like RocketMQ's unique keys,
//! a per-process random prefix followed by a counter, so ids never repeat within a process and differ
//! between processes.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static COUNTER: AtomicU64 = AtomicU64::new(0);
static PREFIX: OnceLock<u64> = OnceLock::new();

fn prefix() -> u64 {
    *PREFIX.get_or_init(|| {
        let mut h = RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(d.as_nanos());
        }
        h.finish()
    })
}

/// A fresh message id.
pub fn next_message_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016X}{n:016X}", prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_32_hex_digits() {
        let a = next_message_id();
        let b = next_message_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
