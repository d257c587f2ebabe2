//! The durable and shared topic subscriptions that exist, so a reattach finds its subscription, an
//! unsubscribe (a null-source attach) can answer with it, and both survive a restart. Persisted as JSON in
//! `<data-dir>/amqp-subscriptions.json`, written atomically (temp file, fsync, rename).

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// One subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Engine consumer group holding its position.
    pub group: String,
    /// The AMQP address subscribed to.
    pub address: String,
    /// Engine topic.
    pub topic: String,
    /// Selector text, if any.
    pub selector: Option<String>,
    /// JMS no-local.
    pub no_local: bool,
    /// Survives disconnects and restarts.
    pub durable: bool,
    /// Shared between consumers.
    pub shared: bool,
}

/// Subscriptions by key (`<clientID or "global">|<name>`, prefixed `volatile|` for shared non-durable).
pub struct SubscriptionStore {
    path: Option<PathBuf>,
    map: Mutex<BTreeMap<String, Subscription>>,
    /// Attached consumer links per non-durable shared subscription.
    attached: Mutex<BTreeMap<String, usize>>,
}

impl SubscriptionStore {
    /// Loads the store from `path` (missing or unreadable file = empty; `None` = in memory only).
    pub fn open(path: Option<PathBuf>) -> Self {
        let map = path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        SubscriptionStore {
            path,
            map: Mutex::new(map),
            attached: Mutex::new(BTreeMap::new()),
        }
    }

    /// The subscription with `key`.
    pub fn get(&self, key: &str) -> Option<Subscription> {
        self.map.lock().get(key).cloned()
    }

    /// Adds or replaces a subscription.
    pub fn put(&self, key: &str, sub: Subscription) {
        let mut map = self.map.lock();
        map.insert(key.to_string(), sub);
        self.save(&map);
    }

    /// Removes a subscription.
    pub fn remove(&self, key: &str) -> Option<Subscription> {
        let mut map = self.map.lock();
        let removed = map.remove(key);
        if removed.is_some() {
            self.save(&map);
        }
        removed
    }

    /// Counts one more attached consumer of `key`.
    pub fn attach(&self, key: &str) {
        *self.attached.lock().entry(key.to_string()).or_default() += 1;
    }

    /// Counts one consumer of `key` gone; true when it was the last.
    pub fn detach(&self, key: &str) -> bool {
        let mut a = self.attached.lock();
        let n = a.entry(key.to_string()).or_default();
        *n = n.saturating_sub(1);
        if *n == 0 {
            a.remove(key);
            true
        } else {
            false
        }
    }

    fn save(&self, map: &BTreeMap<String, Subscription>) {
        let Some(path) = &self.path else { return };
        let durable: BTreeMap<&String, &Subscription> =
            map.iter().filter(|(_, s)| s.durable).collect();
        let result = serde_json::to_vec_pretty(&durable)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                let tmp = path.with_extension("json.tmp");
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(&bytes)?;
                f.sync_all()?;
                std::fs::rename(&tmp, path)
            });
        if let Err(e) = result {
            tracing::warn!(error = %e, path = %path.display(), "could not save AMQP subscriptions");
        }
    }
}
