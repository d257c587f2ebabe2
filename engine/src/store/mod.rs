//! The commit log and its codec: segment files, the single writer, start-up recovery.

pub mod commit_log;
pub mod dispatch;
pub mod record;
pub mod recovery;
pub mod segment;
pub mod writer;
