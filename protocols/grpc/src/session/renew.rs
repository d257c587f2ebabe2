//! Auto-renewal of push-consumer deliveries (`ReceiveMessageRequest.auto_renew`): mqgate keeps such a message
//! invisible, extending its invisible time shortly before it ends, until the client acks or nacks it, the client
//! goes away, or the renewal limit (3 h) is reached. Clients ack with the handle they first received; the engine
//! accepts it because renewals do not start a new delivery attempt. Pure bookkeeping with time passed in; the
//! shell performs the renewals this table asks for.

use parking_lot::Mutex;
use std::collections::HashMap;

/// One delivery being renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewal {
    /// Consumer group.
    pub group: String,
    /// Client that received it.
    pub client_id: String,
    /// The latest handle (renewals return new ones).
    pub current_handle: String,
    /// When the delivery happened, ms.
    pub started_ms: i64,
    /// When it becomes visible unless renewed, ms.
    pub deadline_ms: i64,
}

/// A renewal to perform now: (original handle, group, current handle).
pub type DueRenewal = (String, String, String);

/// Deliveries under auto-renewal, keyed by the handle the client received.
#[derive(Debug)]
pub struct Renewals {
    inner: Mutex<HashMap<String, Renewal>>,
    max: usize,
}

impl Renewals {
    /// A table of at most `max` deliveries.
    pub fn new(max: usize) -> Self {
        Renewals {
            inner: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// Starts renewing a delivery; false when the table is full (the delivery then simply expires).
    pub fn track(
        &self,
        handle: &str,
        group: &str,
        client_id: &str,
        now_ms: i64,
        deadline_ms: i64,
    ) -> bool {
        let mut m = self.inner.lock();
        if m.len() >= self.max {
            return false;
        }
        m.insert(
            handle.to_string(),
            Renewal {
                group: group.to_string(),
                client_id: client_id.to_string(),
                current_handle: handle.to_string(),
                started_ms: now_ms,
                deadline_ms,
            },
        );
        true
    }

    /// Deliveries whose deadline is within `lead_ms`; drops those renewed for longer than `max_age_ms`.
    pub fn due(&self, now_ms: i64, lead_ms: i64, max_age_ms: i64) -> Vec<DueRenewal> {
        let mut m = self.inner.lock();
        m.retain(|_, r| now_ms - r.started_ms < max_age_ms);
        m.iter()
            .filter(|(_, r)| r.deadline_ms - now_ms <= lead_ms)
            .map(|(h, r)| (h.clone(), r.group.clone(), r.current_handle.clone()))
            .collect()
    }

    /// Records a successful renewal.
    pub fn renewed(&self, handle: &str, new_handle: String, deadline_ms: i64) {
        if let Some(r) = self.inner.lock().get_mut(handle) {
            r.current_handle = new_handle;
            r.deadline_ms = deadline_ms;
        }
    }

    /// Stops renewing a delivery (acked, nacked, forwarded, or no longer renewable).
    pub fn forget(&self, handle: &str) -> Option<Renewal> {
        self.inner.lock().remove(handle)
    }

    /// Stops renewing everything a client received.
    pub fn forget_client(&self, client_id: &str) {
        self.inner.lock().retain(|_, r| r.client_id != client_id);
    }

    /// Number of deliveries being renewed.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// True when nothing is being renewed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_near_their_deadline_are_due_and_renewals_move_the_deadline() {
        let r = Renewals::new(10);
        assert!(r.track("h1", "G", "c1", 0, 60_000));
        assert!(r.due(30_000, 20_000, 3_600_000).is_empty());
        let due = r.due(45_000, 20_000, 3_600_000);
        assert_eq!(due, vec![("h1".into(), "G".into(), "h1".into())]);
        r.renewed("h1", "h1b".into(), 105_000);
        assert!(r.due(50_000, 20_000, 3_600_000).is_empty());
        assert_eq!(r.due(90_000, 20_000, 3_600_000)[0].2, "h1b");
    }

    #[test]
    fn acked_old_and_departed_deliveries_stop_renewing() {
        let r = Renewals::new(10);
        r.track("h1", "G", "c1", 0, 60_000);
        r.track("h2", "G", "c2", 0, 60_000);
        r.track("h3", "G", "c2", 0, 60_000);
        assert!(r.forget("h1").is_some());
        r.forget_client("c2");
        assert!(r.is_empty());
        r.track("h4", "G", "c1", 0, 60_000);
        assert!(r.due(10_800_000, 20_000, 10_800_000).is_empty());
        assert!(r.is_empty());
    }

    #[test]
    fn the_table_is_bounded() {
        let r = Renewals::new(1);
        assert!(r.track("h1", "G", "c", 0, 1));
        assert!(!r.track("h2", "G", "c", 0, 1));
    }
}
