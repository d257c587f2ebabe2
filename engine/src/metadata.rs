//! Topics and consumer groups: their settings, persisted atomically in `topics.json` and `groups.json`.

use crate::atomic_file;
use crate::error::{EngineError, Result};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// Prefix of a group's retry topic.
pub const RETRY_PREFIX: &str = "%RETRY%";
/// Prefix of a group's dead-letter topic.
pub const DLQ_PREFIX: &str = "%DLQ%";
/// Topic holding delayed messages until they are due.
pub const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
/// Topic holding transactional half messages.
pub const HALF_TOPIC: &str = "RMQ_SYS_TRANS_HALF_TOPIC";
/// Topic holding transaction rollback markers.
pub const HALF_OP_TOPIC: &str = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
/// RocketMQ's auto-create template topic; clients ask for its route.
pub const TEMPLATE_TOPIC: &str = "TBW102";

/// Read permission bit (RocketMQ PermName).
pub const PERM_READ: u32 = 4;
/// Write permission bit.
pub const PERM_WRITE: u32 = 2;

/// The retry topic of `group`.
pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_PREFIX}{group}")
}

/// The dead-letter topic of `group`.
pub fn dlq_topic(group: &str) -> String {
    format!("{DLQ_PREFIX}{group}")
}

/// True for topics the engine uses internally (never auto-created by clients' sends).
pub fn is_system_topic(topic: &str) -> bool {
    topic == SCHEDULE_TOPIC || topic.starts_with("RMQ_SYS_") || topic.starts_with("rmq_sys_")
}

/// What kind of messages a topic accepts (gRPC `MessageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum MessageType {
    /// Plain messages.
    #[default]
    Normal,
    /// Ordered by message group.
    Fifo,
    /// Delayed or timed.
    Delay,
    /// Transactional.
    Transaction,
    /// Any of the above.
    Mixed,
}

/// A topic's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicConfig {
    /// Name.
    pub name: String,
    /// Queues consumers read.
    pub read_queues: u32,
    /// Queues producers write.
    pub write_queues: u32,
    /// Permission bits (read 4, write 2).
    pub perm: u32,
    /// Accepted message type.
    #[serde(default)]
    pub message_type: MessageType,
}

impl TopicConfig {
    /// A read-write topic with `queues` queues.
    pub fn new(name: impl Into<String>, queues: u32) -> Self {
        TopicConfig {
            name: name.into(),
            read_queues: queues,
            write_queues: queues,
            perm: PERM_READ | PERM_WRITE,
            message_type: MessageType::Mixed,
        }
    }
}

/// A consumer group's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupConfig {
    /// Name.
    pub name: String,
    /// Messages of a message group are delivered one group-run at a time, in order (FIFO / orderly).
    #[serde(default)]
    pub fifo: bool,
    /// Every consumer gets every message (broadcasting) instead of sharing them (clustering).
    #[serde(default)]
    pub broadcast: bool,
    /// After this many reconsumes a message goes to the group's `%DLQ%` topic.
    pub max_reconsume_times: i32,
    /// Consumption allowed.
    #[serde(default = "yes")]
    pub consume_enable: bool,
}

fn yes() -> bool {
    true
}

impl GroupConfig {
    /// A clustering, unordered group with `max_reconsume_times` retries.
    pub fn new(name: impl Into<String>, max_reconsume_times: i32) -> Self {
        GroupConfig {
            name: name.into(),
            fifo: false,
            broadcast: false,
            max_reconsume_times,
            consume_enable: true,
        }
    }
}

/// Checks a topic name: `[%|a-zA-Z0-9_-]`, at most 127 bytes (255 for retry and DLQ topics).
pub fn validate_topic_name(name: &str) -> Result<()> {
    let max = if name.starts_with(RETRY_PREFIX) || name.starts_with(DLQ_PREFIX) {
        255
    } else {
        127
    };
    validate_name(name, max)
}

/// Checks a group name: `[%|a-zA-Z0-9_-]`, at most 120 bytes.
pub fn validate_group_name(name: &str) -> Result<()> {
    validate_name(name, 120)
}

fn validate_name(name: &str, max: usize) -> Result<()> {
    let bad = |reason| {
        Err(EngineError::InvalidName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > max {
        return bad("too long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"%|_-".contains(&b))
    {
        return bad("only letters, digits and %|_- are allowed");
    }
    Ok(())
}

/// A topic as the engine holds it at run time.
#[derive(Debug)]
pub struct Topic {
    /// Settings.
    pub config: TopicConfig,
    round_robin: AtomicU32,
}

impl Topic {
    /// The next write queue in round-robin order.
    pub fn next_queue(&self) -> i32 {
        (self.round_robin.fetch_add(1, Ordering::Relaxed) % self.config.write_queues.max(1)) as i32
    }
}

/// The topic and group tables.
#[derive(Debug)]
pub struct Metadata {
    topics_path: PathBuf,
    groups_path: PathBuf,
    topics: RwLock<BTreeMap<String, Arc<Topic>>>,
    groups: RwLock<BTreeMap<String, GroupConfig>>,
}

impl Metadata {
    /// Loads the tables from `dir`.
    pub fn open(dir: &Path) -> Result<Metadata> {
        let topics_path = dir.join("topics.json");
        let groups_path = dir.join("groups.json");
        let topics: Vec<TopicConfig> = atomic_file::read_json(&topics_path)?;
        let groups: Vec<GroupConfig> = atomic_file::read_json(&groups_path)?;
        Ok(Metadata {
            topics_path,
            groups_path,
            topics: RwLock::new(
                topics
                    .into_iter()
                    .map(|c| {
                        (
                            c.name.clone(),
                            Arc::new(Topic {
                                config: c,
                                round_robin: AtomicU32::new(0),
                            }),
                        )
                    })
                    .collect(),
            ),
            groups: RwLock::new(groups.into_iter().map(|g| (g.name.clone(), g)).collect()),
        })
    }

    /// A topic.
    pub fn topic(&self, name: &str) -> Option<Arc<Topic>> {
        self.topics.read().get(name).cloned()
    }

    /// All topics, by name.
    pub fn topics(&self) -> Vec<TopicConfig> {
        self.topics
            .read()
            .values()
            .map(|t| t.config.clone())
            .collect()
    }

    /// Creates or replaces a topic and persists the table; returns the runtime topic.
    pub fn put_topic(&self, config: TopicConfig) -> Result<Arc<Topic>> {
        validate_topic_name(&config.name)?;
        let mut topics = self.topics.write();
        let topic = Arc::new(Topic {
            config: config.clone(),
            round_robin: AtomicU32::new(0),
        });
        let old = topics.insert(config.name.clone(), topic.clone());
        if let Err(e) = self.save_topics(&topics) {
            match old {
                Some(o) => topics.insert(config.name, o),
                None => topics.remove(&config.name),
            };
            return Err(e);
        }
        Ok(topic)
    }

    /// Returns the topic, creating it with `make()` when missing.
    pub fn topic_or_create(
        &self,
        name: &str,
        make: impl FnOnce() -> TopicConfig,
    ) -> Result<Arc<Topic>> {
        if let Some(t) = self.topic(name) {
            return Ok(t);
        }
        self.put_topic(make())
    }

    /// Deletes a topic; true when it existed.
    pub fn delete_topic(&self, name: &str) -> Result<bool> {
        let mut topics = self.topics.write();
        let existed = topics.remove(name).is_some();
        if existed {
            self.save_topics(&topics)?;
        }
        Ok(existed)
    }

    fn save_topics(&self, topics: &BTreeMap<String, Arc<Topic>>) -> Result<()> {
        let list: Vec<&TopicConfig> = topics.values().map(|t| &t.config).collect();
        atomic_file::write_json(&self.topics_path, &list)
    }

    /// A group.
    pub fn group(&self, name: &str) -> Option<GroupConfig> {
        self.groups.read().get(name).cloned()
    }

    /// All groups.
    pub fn groups(&self) -> Vec<GroupConfig> {
        self.groups.read().values().cloned().collect()
    }

    /// Creates or replaces a group and persists the table.
    pub fn put_group(&self, config: GroupConfig) -> Result<()> {
        validate_group_name(&config.name)?;
        let mut groups = self.groups.write();
        groups.insert(config.name.clone(), config);
        let list: Vec<&GroupConfig> = groups.values().collect();
        atomic_file::write_json(&self.groups_path, &list)
    }

    /// Deletes a group; true when it existed.
    pub fn delete_group(&self, name: &str) -> Result<bool> {
        let mut groups = self.groups.write();
        let existed = groups.remove(name).is_some();
        if existed {
            let list: Vec<&GroupConfig> = groups.values().collect();
            atomic_file::write_json(&self.groups_path, &list)?;
        }
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rocketmq_rules() {
        assert!(validate_topic_name("Topic_A-1%|").is_ok());
        assert!(validate_topic_name("a/b").is_err());
        assert!(validate_topic_name("..").is_err());
        assert!(validate_topic_name(&"x".repeat(128)).is_err());
        assert!(validate_topic_name(&format!("%RETRY%{}", "x".repeat(120))).is_ok());
        assert!(validate_group_name(&"g".repeat(121)).is_err());
    }

    #[test]
    fn tables_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let m = Metadata::open(dir.path()).unwrap();
        m.put_topic(TopicConfig::new("t1", 4)).unwrap();
        m.put_group(GroupConfig::new("g1", 3)).unwrap();
        let m2 = Metadata::open(dir.path()).unwrap();
        assert_eq!(m2.topic("t1").unwrap().config.read_queues, 4);
        assert_eq!(m2.group("g1").unwrap().max_reconsume_times, 3);
    }
}
