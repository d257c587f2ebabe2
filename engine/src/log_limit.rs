//! Rate limiting for repeated log lines: the same event logs at most once per second, and the next line says
//! how many were suppressed. Keeps a damaged record or a failing disk from flooding the log.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);

fn table() -> &'static Mutex<HashMap<&'static str, (Instant, u64)>> {
    static TABLE: OnceLock<Mutex<HashMap<&'static str, (Instant, u64)>>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

/// Returns `Some(suppressed)` when an event named `key` may be logged now, `None` while it is rate-limited.
pub fn allow(key: &'static str) -> Option<u64> {
    let now = Instant::now();
    let mut t = table().lock();
    match t.get_mut(key) {
        Some((last, suppressed)) if now.duration_since(*last) < WINDOW => {
            *suppressed += 1;
            None
        }
        Some((last, suppressed)) => {
            let n = *suppressed;
            *last = now;
            *suppressed = 0;
            Some(n)
        }
        None => {
            t.insert(key, (now, 0));
            Some(0)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn repeated_event_is_logged_once_per_window() {
        assert_eq!(super::allow("test-event"), Some(0));
        assert_eq!(super::allow("test-event"), None);
        assert_eq!(super::allow("test-event"), None);
        assert_eq!(super::allow("other-event"), Some(0));
    }
}
