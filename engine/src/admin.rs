//! Metadata and administration: topics, consumer groups, routes, queue locks for orderly consumers,
//! consumer lag.

use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::metadata::{self, GroupConfig, TopicConfig};

/// Progress of one group on one queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLag {
    /// Topic.
    pub topic: String,
    /// Queue id.
    pub queue_id: i32,
    /// End of the queue.
    pub max_offset: i64,
    /// The group's position: committed offset (offset style) or acknowledged floor (pop style).
    pub consumer_offset: i64,
    /// Messages not yet consumed.
    pub lag: i64,
    /// Store time of the last message, ms (0 when empty).
    pub last_store_ms: i64,
}

impl Engine {
    /// Creates or updates a topic.
    pub fn create_topic(&self, config: TopicConfig) -> Result<()> {
        if config.read_queues == 0
            || config.write_queues == 0
            || config.read_queues > 1024
            || config.write_queues > 1024
        {
            return Err(EngineError::IllegalMessage(
                "queue counts must be within 1..=1024".into(),
            ));
        }
        self.metadata.put_topic(config).map(|_| ())
    }

    /// A topic's settings.
    pub fn topic(&self, name: &str) -> Option<TopicConfig> {
        self.metadata.topic(name).map(|t| t.config.clone())
    }

    /// The topic's settings, creating it when auto-creation allows (route queries of producers).
    pub fn topic_or_create(&self, name: &str) -> Result<TopicConfig> {
        metadata::validate_topic_name(name)?;
        if let Some(t) = self.metadata.topic(name) {
            return Ok(t.config.clone());
        }
        if metadata::is_system_topic(name) {
            return Err(EngineError::TopicNotFound(name.to_string()));
        }
        Ok(self.writable_topic(name)?.config.clone())
    }

    /// Every topic.
    pub fn topics(&self) -> Vec<TopicConfig> {
        self.metadata.topics()
    }

    /// Deletes a topic, its indexes and the offsets committed on it. Its records leave the log with retention.
    pub fn delete_topic(&self, name: &str) -> Result<bool> {
        let existed = self.metadata.delete_topic(name)?;
        self.queues.remove_topic(name)?;
        self.offsets.remove(None, Some(name));
        Ok(existed)
    }

    /// Creates or updates a consumer group.
    pub fn put_group(&self, config: GroupConfig) -> Result<()> {
        self.metadata.put_group(config)
    }

    /// A group's settings.
    pub fn group(&self, name: &str) -> Option<GroupConfig> {
        self.metadata.group(name)
    }

    /// Every group.
    pub fn groups(&self) -> Vec<GroupConfig> {
        self.metadata.groups()
    }

    /// Deletes a group and its offsets.
    pub fn delete_group(&self, name: &str) -> Result<bool> {
        self.offsets.remove(Some(name), None);
        self.metadata.delete_group(name)
    }

    /// Groups that committed offsets on `topic`.
    pub fn groups_of_topic(&self, topic: &str) -> Vec<String> {
        self.offsets.groups_of_topic(topic)
    }

    /// Locks queues for an orderly consumer; returns the queue ids it now holds.
    pub fn lock_queues(
        &self,
        group: &str,
        topic: &str,
        queues: &[i32],
        client_id: &str,
    ) -> Vec<i32> {
        self.locks.lock(
            group,
            topic,
            queues,
            client_id,
            self.clock.now_ms(),
            self.config.queue_lock_ms,
        )
    }

    /// Releases queue locks.
    pub fn unlock_queues(&self, group: &str, topic: &str, queues: &[i32], client_id: &str) {
        self.locks.unlock(group, topic, queues, client_id)
    }

    /// True when `client_id` holds the queue's lock.
    pub fn holds_queue_lock(&self, group: &str, topic: &str, queue: i32, client_id: &str) -> bool {
        self.locks
            .is_held_by(group, topic, queue, client_id, self.clock.now_ms())
    }

    /// The group's progress on each queue of `topic`.
    pub fn consumer_lag(&self, group: &str, topic: &str) -> Vec<QueueLag> {
        self.queues
            .topic_queues(topic)
            .into_iter()
            .map(|cq| {
                let max = cq.max_offset();
                let (pos, lag) = match self.offsets.get(group, topic, cq.queue_id) {
                    Some(o) => (o, (max - o).max(0)),
                    None => self
                        .pop
                        .with_existing(group, topic, cq.queue_id, |st| {
                            (st.ack_floor, st.backlog(max))
                        })
                        .unwrap_or((cq.min_offset(), max - cq.min_offset())),
                };
                let last = cq
                    .entry(max - 1)
                    .ok()
                    .flatten()
                    .map(|e| e.store_ms)
                    .unwrap_or(0);
                QueueLag {
                    topic: topic.to_string(),
                    queue_id: cq.queue_id,
                    max_offset: max,
                    consumer_offset: pos,
                    lag,
                    last_store_ms: last,
                }
            })
            .collect()
    }
}
