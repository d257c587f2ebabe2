//! The set of running bridges: started from the config file, added and removed at run time through the admin
//! socket, and stopped on shutdown. Run-time changes are kept in `<data_dir>/bridges.json` (written atomically)
//! so they survive a restart; a bridge in the config file that was removed at run time stays removed until it
//! is added again. One bridge failing never affects the others: each runs in its own task.

use crate::config::BridgeConfig;
use crate::status::{BridgeStatus, StatusReport};
use crate::BridgeContext;
use mqgate_engine::Engine;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Run-time changes to the configured bridges.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Overrides {
    /// Bridges added through the admin socket.
    added: Vec<BridgeConfig>,
    /// Names of configured bridges removed through the admin socket.
    removed: Vec<String>,
}

struct Running {
    config: BridgeConfig,
    status: Arc<BridgeStatus>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// The running bridges.
pub struct BridgeManager {
    engine: Arc<Engine>,
    state_file: PathBuf,
    configured: Vec<BridgeConfig>,
    overrides: Mutex<Overrides>,
    running: Mutex<BTreeMap<String, Running>>,
}

impl std::fmt::Debug for BridgeManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeManager")
            .field("bridges", &self.running.lock().keys().collect::<Vec<_>>())
            .finish()
    }
}

impl BridgeManager {
    /// Validates the configured bridges, applies the run-time changes kept in `data_dir`, and starts them all.
    /// Fails (before starting any) when a configured bridge is invalid or two share a name.
    pub fn start(
        engine: Arc<Engine>,
        configured: Vec<BridgeConfig>,
        data_dir: &Path,
    ) -> Result<Arc<Self>, String> {
        let mut seen = std::collections::HashSet::new();
        for b in &configured {
            b.validate()?;
            if !seen.insert(b.name.clone()) {
                return Err(format!("two bridges are named {:?}", b.name));
            }
        }
        let state_file = data_dir.join("bridges.json");
        let overrides: Overrides = match std::fs::read(&state_file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is unreadable: {e}", state_file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Overrides::default(),
            Err(e) => return Err(format!("{}: {e}", state_file.display())),
        };
        let mgr = Arc::new(BridgeManager {
            engine,
            state_file,
            configured,
            overrides: Mutex::new(overrides.clone()),
            running: Mutex::new(BTreeMap::new()),
        });
        let added: Vec<&str> = overrides.added.iter().map(|b| b.name.as_str()).collect();
        for b in &mgr.configured {
            if !overrides.removed.contains(&b.name) && !added.contains(&b.name.as_str()) {
                mgr.spawn(b.clone());
            }
        }
        for b in overrides.added {
            match b.validate() {
                Ok(()) => mgr.spawn(b),
                Err(e) => {
                    tracing::error!(error = %e, "bridge kept from an earlier run is invalid; not started")
                }
            }
        }
        Ok(mgr)
    }

    fn spawn(&self, config: BridgeConfig) {
        let status = Arc::new(BridgeStatus::new(&config));
        let (stop, stop_rx) = watch::channel(false);
        let ctx = Arc::new(BridgeContext {
            config: config.clone(),
            engine: self.engine.clone(),
            status: status.clone(),
        });
        let task = tokio::spawn(crate::connect::run(ctx, stop_rx));
        self.running.lock().insert(
            config.name.clone(),
            Running {
                config,
                status,
                stop,
                task,
            },
        );
    }

    /// Status of every bridge, by name.
    pub fn list(&self) -> Vec<StatusReport> {
        self.running
            .lock()
            .values()
            .map(|r| r.status.report())
            .collect()
    }

    /// The configuration of a running bridge.
    pub fn config(&self, name: &str) -> Option<BridgeConfig> {
        self.running.lock().get(name).map(|r| r.config.clone())
    }

    /// Starts a new bridge and remembers it across restarts.
    pub fn add(&self, config: BridgeConfig) -> Result<(), String> {
        config.validate()?;
        if self.running.lock().contains_key(&config.name) {
            return Err(format!("a bridge named {:?} is running", config.name));
        }
        let mut o = self.overrides.lock().clone();
        o.added.retain(|b| b.name != config.name);
        o.removed.retain(|n| *n != config.name);
        o.added.push(config.clone());
        self.save(&o)?;
        *self.overrides.lock() = o;
        self.spawn(config);
        Ok(())
    }

    /// Stops a bridge and forgets it (a configured one stays removed until added again).
    pub async fn remove(&self, name: &str) -> Result<(), String> {
        let Some(r) = self.running.lock().remove(name) else {
            return Err(format!("no bridge named {name:?}"));
        };
        let mut o = self.overrides.lock().clone();
        o.added.retain(|b| b.name != name);
        if self.configured.iter().any(|b| b.name == name) && !o.removed.iter().any(|n| n == name) {
            o.removed.push(name.to_string());
        }
        let saved = self.save(&o);
        *self.overrides.lock() = o;
        stop_one(r).await;
        saved
    }

    /// Stops every bridge: inbound ones finish the batch they are storing (unacked deliveries go back to the
    /// broker), outbound ones commit what was confirmed. Bounded by about 3 seconds.
    pub async fn shutdown(&self) {
        let all: Vec<Running> = std::mem::take(&mut *self.running.lock())
            .into_values()
            .collect();
        for r in &all {
            let _ = r.stop.send(true);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        for r in all {
            let mut task = r.task;
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!(bridge = %r.config.name, "bridge did not stop in time; aborted");
                task.abort();
            }
        }
    }

    fn save(&self, o: &Overrides) -> Result<(), String> {
        let text = serde_json::to_vec_pretty(o).map_err(|e| e.to_string())?;
        let tmp = self.state_file.with_extension("json.tmp");
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.state_file)?;
            if let Some(dir) = self.state_file.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| format!("cannot save {}: {e}", self.state_file.display()))
    }
}

async fn stop_one(r: Running) {
    let _ = r.stop.send(true);
    let mut task = r.task;
    if tokio::time::timeout(Duration::from_secs(3), &mut task)
        .await
        .is_err()
    {
        tracing::warn!(bridge = %r.config.name, "bridge did not stop within 3 s; aborted");
        task.abort();
    }
}
