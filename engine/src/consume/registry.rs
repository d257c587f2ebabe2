//! Every consume queue the engine knows, by topic and queue id, plus one wake-up signal per topic for
//! pop-style receivers waiting on any queue of it.

use super::queue_index::ConsumeQueue;
use crate::error::Result;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Notify;

/// All consume queues.
#[derive(Debug)]
pub struct QueueRegistry {
    dir: PathBuf,
    queues: RwLock<HashMap<String, HashMap<i32, Arc<ConsumeQueue>>>>,
    signals: RwLock<HashMap<String, Arc<Notify>>>,
}

impl QueueRegistry {
    /// Opens every index under `dir` (`dir/<topic>/<queue>`).
    pub fn open(dir: &Path) -> Result<QueueRegistry> {
        fs::create_dir_all(dir)?;
        let mut queues: HashMap<String, HashMap<i32, Arc<ConsumeQueue>>> = HashMap::new();
        for topic_dir in fs::read_dir(dir)?.filter_map(|e| e.ok()) {
            let Some(topic) = topic_dir.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if !topic_dir.path().is_dir() {
                continue;
            }
            for q in fs::read_dir(topic_dir.path())?.filter_map(|e| e.ok()) {
                let Some(qid) = q.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
                    continue;
                };
                let cq = ConsumeQueue::open(dir, &topic, qid)?;
                queues
                    .entry(topic.clone())
                    .or_default()
                    .insert(qid, Arc::new(cq));
            }
        }
        Ok(QueueRegistry {
            dir: dir.to_path_buf(),
            queues: RwLock::new(queues),
            signals: RwLock::default(),
        })
    }

    /// The queue, if it has ever been written.
    pub fn get(&self, topic: &str, queue_id: i32) -> Option<Arc<ConsumeQueue>> {
        self.queues
            .read()
            .get(topic)
            .and_then(|m| m.get(&queue_id))
            .cloned()
    }

    /// The queue, created when missing.
    pub fn get_or_create(&self, topic: &str, queue_id: i32) -> Result<Arc<ConsumeQueue>> {
        if let Some(q) = self.get(topic, queue_id) {
            return Ok(q);
        }
        let mut all = self.queues.write();
        if let Some(q) = all.get(topic).and_then(|m| m.get(&queue_id)) {
            return Ok(q.clone());
        }
        let q = Arc::new(ConsumeQueue::open(&self.dir, topic, queue_id)?);
        all.entry(topic.to_string())
            .or_default()
            .insert(queue_id, q.clone());
        Ok(q)
    }

    /// Every queue of `topic`, by queue id.
    pub fn topic_queues(&self, topic: &str) -> Vec<Arc<ConsumeQueue>> {
        let mut v: Vec<_> = self
            .queues
            .read()
            .get(topic)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by_key(|q| q.queue_id);
        v
    }

    /// Every queue.
    pub fn all(&self) -> Vec<Arc<ConsumeQueue>> {
        self.queues
            .read()
            .values()
            .flat_map(|m| m.values().cloned())
            .collect()
    }

    /// The signal woken by appends to any queue of `topic`.
    pub fn topic_signal(&self, topic: &str) -> Arc<Notify> {
        if let Some(s) = self.signals.read().get(topic) {
            return s.clone();
        }
        self.signals
            .write()
            .entry(topic.to_string())
            .or_insert_with(|| Arc::new(Notify::new()))
            .clone()
    }

    /// Forgets `topic` and deletes its index files.
    pub fn remove_topic(&self, topic: &str) -> Result<()> {
        self.queues.write().remove(topic);
        let dir = self.dir.join(topic);
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        Ok(())
    }
}
