//! Who is connected: producer and consumer groups registered by heartbeats, their connections, and the
//! subscriptions consumers declared. Pure bookkeeping under one lock; callers act on what changed (notify group
//! members, pick a producer for a transaction check). Membership ends with an unregister or the connection.

use super::filter::SubscriptionFilter;
use crate::codec::bodies::{HeartbeatData, SubscriptionData};
use crate::shell::outbound::Peer;
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A consumer group's subscription to one topic, compiled.
#[derive(Debug)]
pub struct Subscription {
    /// As the client declared it.
    pub data: SubscriptionData,
    /// The compiled filter, or why it failed to compile.
    pub filter: Result<Arc<SubscriptionFilter>, String>,
}

/// One consumer group.
#[derive(Debug, Default)]
pub struct ConsumerGroup {
    /// Live members by client id.
    pub members: BTreeMap<String, Peer>,
    /// Subscriptions by topic.
    pub subscriptions: HashMap<String, Arc<Subscription>>,
    /// Broadcasting (every member gets every message) rather than clustering.
    pub broadcast: bool,
}

#[derive(Debug, Default)]
struct Inner {
    consumers: HashMap<String, ConsumerGroup>,
    producers: HashMap<String, BTreeMap<String, Peer>>,
    clients: HashMap<String, Peer>,
}

/// Groups whose membership changed, with the members to tell.
pub type Changes = Vec<(String, Vec<Peer>)>;

/// The registry of clients.
#[derive(Debug, Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

impl Registry {
    /// Records a heartbeat from `peer`; returns the consumer groups whose member set changed.
    pub fn heartbeat(&self, peer: &Peer, hb: &HeartbeatData) -> Changes {
        let mut inner = self.inner.lock();
        let id = hb.client_id.clone();
        inner.clients.insert(id.clone(), peer.clone());
        for p in &hb.producer_data_set {
            inner
                .producers
                .entry(p.group_name.clone())
                .or_default()
                .insert(id.clone(), peer.clone());
        }
        let mut changes = Vec::new();
        for c in &hb.consumer_data_set {
            let group = inner.consumers.entry(c.group_name.clone()).or_default();
            group.broadcast = c
                .message_model
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("BROADCASTING"));
            let is_new = group
                .members
                .insert(id.clone(), peer.clone())
                .is_none_or(|old| old.id != peer.id);
            for s in &c.subscription_data_set {
                let current = group.subscriptions.get(&s.topic);
                if current.is_some_and(|cur| {
                    cur.data.sub_version >= s.sub_version
                        && cur.data.sub_string == s.sub_string
                        && cur.data.expression_type == s.expression_type
                }) {
                    continue;
                }
                let filter =
                    SubscriptionFilter::compile(s.expression_type.as_deref(), &s.sub_string)
                        .map(Arc::new);
                if let Err(e) = &filter {
                    tracing::warn!(group = %c.group_name, topic = %s.topic, error = %e, "subscription does not compile");
                }
                group.subscriptions.insert(
                    s.topic.clone(),
                    Arc::new(Subscription {
                        data: s.clone(),
                        filter,
                    }),
                );
            }
            if is_new {
                changes.push((
                    c.group_name.clone(),
                    group.members.values().cloned().collect(),
                ));
            }
        }
        changes
    }

    /// Removes a client from the named groups (UNREGISTER_CLIENT).
    pub fn unregister(
        &self,
        client_id: &str,
        producer_group: Option<&str>,
        consumer_group: Option<&str>,
    ) -> Changes {
        let mut inner = self.inner.lock();
        if let Some(g) = producer_group.and_then(|g| inner.producers.get_mut(g)) {
            g.remove(client_id);
        }
        let mut changes = Vec::new();
        if let Some(name) = consumer_group {
            if let Some(g) = inner.consumers.get_mut(name) {
                if g.members.remove(client_id).is_some() {
                    changes.push((name.to_string(), g.members.values().cloned().collect()));
                }
            }
        }
        changes
    }

    /// Removes everything registered through connection `conn`.
    pub fn connection_closed(&self, conn: u64) -> Changes {
        let mut inner = self.inner.lock();
        inner.clients.retain(|_, p| p.id != conn);
        for g in inner.producers.values_mut() {
            g.retain(|_, p| p.id != conn);
        }
        let mut changes = Vec::new();
        for (name, g) in inner.consumers.iter_mut() {
            let before = g.members.len();
            g.members.retain(|_, p| p.id != conn);
            if g.members.len() != before {
                changes.push((name.clone(), g.members.values().cloned().collect()));
            }
        }
        changes
    }

    /// Client ids of a consumer group's live members, sorted; `None` for an unknown group.
    pub fn consumer_ids(&self, group: &str) -> Option<Vec<String>> {
        let inner = self.inner.lock();
        let g = inner.consumers.get(group)?;
        Some(g.members.keys().cloned().collect())
    }

    /// The group's subscription to `topic`.
    pub fn subscription(&self, group: &str, topic: &str) -> Option<Arc<Subscription>> {
        self.inner
            .lock()
            .consumers
            .get(group)?
            .subscriptions
            .get(topic)
            .cloned()
    }

    /// True when the group consumes in broadcasting mode.
    pub fn is_broadcast(&self, group: &str) -> bool {
        self.inner
            .lock()
            .consumers
            .get(group)
            .is_some_and(|g| g.broadcast)
    }

    /// Records that `peer` produces for `group`, learned from a transactional send: a producer's periodic
    /// heartbeat may not name this broker yet (its route was unknown at start-up), but a transaction check must
    /// still reach it.
    pub fn note_producer(&self, group: &str, peer: &Peer) {
        let mut inner = self.inner.lock();
        if inner
            .producers
            .get(group)
            .is_some_and(|m| m.values().any(|p| p.id == peer.id))
        {
            return;
        }
        inner
            .producers
            .entry(group.to_string())
            .or_default()
            .insert(format!("conn-{}", peer.id), peer.clone());
    }

    /// A live connection of a producer of `group`, if any.
    pub fn producer(&self, group: &str) -> Option<Peer> {
        let inner = self.inner.lock();
        inner
            .producers
            .get(group)?
            .values()
            .find(|p| p.is_open())
            .cloned()
    }

    /// The connection of a client by id.
    pub fn client(&self, client_id: &str) -> Option<Peer> {
        self.inner.lock().clients.get(client_id).cloned()
    }

    /// (client id, peer) of every consumer of `group`.
    pub fn consumer_connections(&self, group: &str) -> Vec<(String, Peer)> {
        let inner = self.inner.lock();
        inner
            .consumers
            .get(group)
            .map(|g| {
                g.members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The subscriptions of a consumer group.
    pub fn subscriptions(&self, group: &str) -> Vec<SubscriptionData> {
        let inner = self.inner.lock();
        let mut v: Vec<SubscriptionData> = inner
            .consumers
            .get(group)
            .map(|g| g.subscriptions.values().map(|s| s.data.clone()).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.topic.cmp(&b.topic));
        v
    }

    /// Every consumer group with a subscription to `topic`.
    pub fn groups_subscribed_to(&self, topic: &str) -> Vec<String> {
        let inner = self.inner.lock();
        let mut v: Vec<String> = inner
            .consumers
            .iter()
            .filter(|(_, g)| g.subscriptions.contains_key(topic))
            .map(|(n, _)| n.clone())
            .collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::bodies::{ConsumerData, ProducerData};
    use tokio::sync::mpsc;

    fn peer(id: u64) -> (Peer, mpsc::Receiver<crate::shell::outbound::Outbound>) {
        let (tx, rx) = mpsc::channel(4);
        (Peer::new(id, "127.0.0.1:1".parse().unwrap(), tx), rx)
    }

    fn hb(client: &str, group: &str, tags: &str, version: i64) -> HeartbeatData {
        HeartbeatData {
            client_id: client.into(),
            producer_data_set: vec![ProducerData {
                group_name: "P".into(),
            }],
            consumer_data_set: vec![ConsumerData {
                group_name: group.into(),
                subscription_data_set: vec![SubscriptionData {
                    topic: "T".into(),
                    sub_string: tags.into(),
                    sub_version: version,
                    ..Default::default()
                }],
                ..Default::default()
            }],
        }
    }

    #[test]
    fn a_transactional_sender_is_reachable_before_its_heartbeat_and_forgotten_with_its_connection()
    {
        let r = Registry::default();
        let (p, _rx) = peer(7);
        assert!(r.producer("pg").is_none());
        r.note_producer("pg", &p);
        r.note_producer("pg", &p);
        assert_eq!(r.producer("pg").map(|x| x.id), Some(7));
        r.connection_closed(7);
        assert!(r.producer("pg").is_none());
    }

    #[test]
    fn membership_changes_are_reported_once() {
        let r = Registry::default();
        let (a, _ra) = peer(1);
        let (b, _rb) = peer(2);
        assert_eq!(r.heartbeat(&a, &hb("c1", "G", "*", 1)).len(), 1);
        assert!(r.heartbeat(&a, &hb("c1", "G", "*", 1)).is_empty());
        let ch = r.heartbeat(&b, &hb("c2", "G", "*", 1));
        assert_eq!(ch[0].1.len(), 2);
        assert_eq!(r.consumer_ids("G").unwrap(), vec!["c1", "c2"]);
        let ch = r.connection_closed(1);
        assert_eq!(ch.len(), 1);
        assert_eq!(r.consumer_ids("G").unwrap(), vec!["c2"]);
        assert!(r.producer("P").is_some());
    }

    #[test]
    fn newer_subscription_versions_replace_older_ones() {
        let r = Registry::default();
        let (a, _ra) = peer(1);
        r.heartbeat(&a, &hb("c1", "G", "A", 1));
        r.heartbeat(&a, &hb("c1", "G", "B", 2));
        assert_eq!(r.subscription("G", "T").unwrap().data.sub_string, "B");
    }
}
