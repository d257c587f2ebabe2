//! The engine: the one door into storage for every front-end. This file holds its parts, start-up (lock the data
//! directory, recover the log, start the writer) and lifecycle (background ticks, checkpoints, shutdown).
//! The API itself is spread over `produce.rs`, `read.rs`, `pop.rs`, `admin.rs` and `timers.rs`.

use crate::clock::{Clock, SystemClock};
use crate::config::EngineConfig;
use crate::consume::locks::QueueLocks;
use crate::consume::offsets::OffsetTable;
use crate::consume::pop_state::PopStore;
use crate::consume::registry::QueueRegistry;
use crate::error::{EngineError, Result};
use crate::indexes::Indexes;
use crate::message::StoredMessage;
use crate::metadata::Metadata;
use crate::store::commit_log::CommitLog;
use crate::store::recovery::{self, RecoveryReport};
use crate::store::writer::{Writer, WriterParts};
use fs4::fs_std::FileExt;
use parking_lot::Mutex;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Something a front-end must act on.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// Ask a live producer of `producer_group` whether the transaction of this half message committed.
    TransactionCheck {
        /// Producer group of the half message.
        producer_group: String,
        /// The producer's transaction id.
        transaction_id: String,
        /// The half message (commit-log offset, queue offset, properties …).
        half: Box<StoredMessage>,
    },
}

/// The storage engine.
pub struct Engine {
    pub(crate) config: EngineConfig,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) log: Arc<CommitLog>,
    pub(crate) queues: Arc<QueueRegistry>,
    pub(crate) indexes: Arc<Indexes>,
    pub(crate) writer: Writer,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    pub(crate) metadata: Metadata,
    pub(crate) offsets: OffsetTable,
    pub(crate) pop: PopStore,
    pub(crate) locks: QueueLocks,
    pub(crate) events: broadcast::Sender<EngineEvent>,
    pub(crate) secret: Vec<u8>,
    recovery: RecoveryReport,
    last_checkpoint_ms: AtomicI64,
    last_retention_ms: AtomicI64,
    _dir_lock: File,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.config.data_dir)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the engine on the system clock.
    pub fn open(config: EngineConfig) -> Result<Arc<Engine>> {
        Self::open_with_clock(config, Arc::new(SystemClock))
    }

    /// Opens the engine: locks the data directory, recovers the log and starts the writer.
    pub fn open_with_clock(mut config: EngineConfig, clock: Arc<dyn Clock>) -> Result<Arc<Engine>> {
        let dir = config.data_dir.clone();
        fs::create_dir_all(&dir)?;
        let dir_lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        if !dir_lock.try_lock_exclusive().unwrap_or(false) {
            return Err(EngineError::DataDirLocked(dir.display().to_string()));
        }
        let min_segment = config.max_message_size as u64 + (64 << 10);
        if config.segment_size < min_segment {
            tracing::warn!(
                segment_size = config.segment_size,
                min_segment,
                "segment size raised to fit the largest message"
            );
            config.segment_size = min_segment;
        }
        let secret = load_secret(&dir)?;
        let log = Arc::new(CommitLog::open(
            &dir.join("commitlog"),
            config.segment_size,
        )?);
        let queues = Arc::new(QueueRegistry::open(&dir.join("consumequeue"))?);
        let indexes = Arc::new(Indexes::default());
        let recovery = recovery::recover(&log, &queues, indexes.as_ref())?;
        tracing::info!(
            records = recovery.records,
            index_repairs = recovery.index_repairs,
            damaged = recovery.damaged.len(),
            cut = ?recovery.cut,
            "commit log recovered"
        );
        let (writer, writer_thread) = Writer::start(WriterParts {
            log: log.clone(),
            queues: queues.clone(),
            dispatcher: indexes.clone(),
            clock: clock.clone(),
            flush: config.flush,
            store_host: config.store_host,
        })?;
        let (events, _) = broadcast::channel(1024);
        Ok(Arc::new(Engine {
            metadata: Metadata::open(&dir)?,
            offsets: OffsetTable::open(&dir)?,
            pop: PopStore::open(&dir)?,
            locks: QueueLocks::default(),
            config,
            clock,
            log,
            queues,
            indexes,
            writer,
            writer_thread: Mutex::new(writer_thread),
            events,
            secret,
            recovery,
            last_checkpoint_ms: AtomicI64::new(0),
            last_retention_ms: AtomicI64::new(0),
            _dir_lock: dir_lock,
        }))
    }

    /// The settings in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// What start-up recovery found.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// The engine's clock, in ms.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Subscribes to events front-ends must act on (transaction checks).
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// Runs due background work once: deliver due delayed messages, check transactions, checkpoint offsets and
    /// pop state, apply retention. The gateway calls it on a timer; tests call it after moving a manual clock.
    pub async fn tick(&self) -> Result<()> {
        let now = self.clock.now_ms();
        self.deliver_due(now).await?;
        self.check_transactions(now).await?;
        self.flush_indexes();
        if now - self.last_checkpoint_ms.load(Ordering::Relaxed)
            >= self.config.checkpoint_interval_ms as i64
        {
            self.last_checkpoint_ms.store(now, Ordering::Relaxed);
            self.checkpoint()?;
        }
        if now - self.last_retention_ms.load(Ordering::Relaxed) >= 10_000 {
            self.last_retention_ms.store(now, Ordering::Relaxed);
            self.apply_retention(now)?;
        }
        Ok(())
    }

    /// Calls [`Engine::tick`] every 100 ms until `stop` resolves.
    pub async fn run_background(self: Arc<Self>, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut every = tokio::time::interval(Duration::from_millis(100));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = every.tick() => {
                    if let Err(e) = self.tick().await {
                        if let Some(suppressed) = crate::log_limit::allow("background-failed") {
                            tracing::warn!(error = %e, suppressed, "background work failed; retrying");
                        }
                    }
                }
            }
        }
    }

    /// Writes the consume queues' in-memory tails to their files.
    fn flush_indexes(&self) {
        for cq in self.queues.all() {
            if let Err(e) = cq.flush() {
                if let Some(suppressed) = crate::log_limit::allow("index-flush-failed") {
                    tracing::warn!(error = %e, topic = %cq.topic, queue = cq.queue_id, suppressed, "consume queue flush failed; retried later");
                }
            }
        }
    }

    /// Writes offsets and pop state if they changed.
    pub fn checkpoint(&self) -> Result<()> {
        self.offsets.checkpoint()?;
        self.pop.checkpoint()
    }

    /// Stops the writer after it finishes queued appends, syncs the log and checkpoints state.
    /// Later appends fail with [`EngineError::ShuttingDown`].
    pub fn shutdown(&self) -> Result<()> {
        self.writer.close();
        if let Some(t) = self.writer_thread.lock().take() {
            let _ = t.join();
        }
        for seg in self.log.segments() {
            seg.sync()?;
        }
        self.flush_indexes();
        self.checkpoint()
    }
}

fn load_secret(dir: &std::path::Path) -> Result<Vec<u8>> {
    let path = dir.join("secret");
    match fs::read(&path) {
        Ok(s) if !s.is_empty() => Ok(s),
        _ => {
            let secret: [u8; 16] = rand::random();
            let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            let mut f = File::create(&path)?;
            f.write_all(hex.as_bytes())?;
            f.sync_all()?;
            Ok(hex.into_bytes())
        }
    }
}
