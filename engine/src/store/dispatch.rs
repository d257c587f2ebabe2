//! What the writer (and recovery) tells the indexes about each stored record.

use crate::message::Properties;

/// One stored record, as the indexes see it.
#[derive(Debug, Clone, Copy)]
pub struct DispatchRecord<'a> {
    /// Topic.
    pub topic: &'a str,
    /// Queue id.
    pub queue_id: i32,
    /// Queue offset.
    pub queue_offset: i64,
    /// Commit-log offset.
    pub log_offset: u64,
    /// Record size.
    pub size: u32,
    /// Store time, ms.
    pub store_ms: i64,
    /// sysFlag bits.
    pub sys_flag: i32,
    /// Properties.
    pub properties: &'a Properties,
}

/// Receives every stored record, in log order, once it is durable per the flush policy.
pub trait Dispatcher: Send + Sync {
    /// Indexes one record. Must be idempotent: recovery may replay records already seen.
    fn dispatch(&self, record: &DispatchRecord<'_>);
}
