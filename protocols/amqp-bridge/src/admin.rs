//! The admin endpoint `mqgate bridge list|add|remove` talks to: a Unix socket at
//! `<data_dir>/bridge-admin.sock` (mode 0600, so only the server's user can change bridges), one JSON request
//! per line and one JSON response per line. Chosen over HTTP because it needs no port, no auth scheme and no
//! extra listener; the data directory already names the server.

use crate::config::BridgeConfig;
use crate::manager::BridgeManager;
use crate::status::StatusReport;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::sync::watch;

/// File name of the socket inside the data directory.
pub const SOCKET_NAME: &str = "bridge-admin.sock";
/// Largest request line accepted.
const MAX_REQUEST: usize = 64 << 10;

/// A request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum AdminRequest {
    /// Status of every bridge.
    List,
    /// Start a bridge (and keep it across restarts).
    Add {
        /// Its settings.
        bridge: Box<BridgeConfig>,
    },
    /// Stop and forget a bridge.
    Remove {
        /// Its name.
        name: String,
    },
}

/// A response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminResponse {
    /// Whether the request succeeded.
    pub ok: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Bridge status after the request.
    #[serde(default)]
    pub bridges: Vec<StatusReport>,
}

/// Serves the admin socket until `stop`; removes the socket file afterwards.
pub async fn serve(
    mgr: Arc<BridgeManager>,
    data_dir: &Path,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let path = data_dir.join(SOCKET_NAME);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).map_err(|e| {
        format!(
            "cannot bind the bridge admin socket {}: {e}",
            path.display()
        )
    })?;
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.wait_for(|s| *s) => break,
                accepted = listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        tokio::spawn(handle(mgr.clone(), stream));
                    }
                }
            }
        }
        let _ = std::fs::remove_file(&path);
    }))
}

async fn handle(mgr: Arc<BridgeManager>, stream: tokio::net::UnixStream) {
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r.take(MAX_REQUEST as u64)).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let resp = match serde_json::from_str::<AdminRequest>(&line) {
            Ok(req) => answer(&mgr, req).await,
            Err(e) => AdminResponse {
                ok: false,
                error: Some(format!("bad request: {e}")),
                bridges: Vec::new(),
            },
        };
        let mut out = serde_json::to_vec(&resp).unwrap_or_default();
        out.push(b'\n');
        if w.write_all(&out).await.is_err() {
            break;
        }
    }
}

use tokio::io::AsyncReadExt as _;

async fn answer(mgr: &BridgeManager, req: AdminRequest) -> AdminResponse {
    let result = match req {
        AdminRequest::List => Ok(()),
        AdminRequest::Add { bridge } => {
            let name = bridge.name.clone();
            let r = mgr.add(*bridge);
            if r.is_ok() {
                tracing::info!(bridge = %name, "bridge added by the admin socket");
            }
            r
        }
        AdminRequest::Remove { name } => {
            let r = mgr.remove(&name).await;
            if r.is_ok() {
                tracing::info!(bridge = %name, "bridge removed by the admin socket");
            }
            r
        }
    };
    AdminResponse {
        ok: result.is_ok(),
        error: result.err(),
        bridges: mgr.list(),
    }
}

/// The socket path for a data directory.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Sends one request to a running server (blocking; for the CLI).
pub fn call(socket: &Path, req: &AdminRequest) -> Result<AdminResponse, String> {
    use std::io::{BufRead, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket).map_err(|e| {
        format!(
            "cannot reach a running mqgate at {} ({e}); is it serving with this --data-dir?",
            socket.display()
        )
    })?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .map_err(|e| e.to_string())?;
    let mut line = serde_json::to_vec(req).map_err(|e| e.to_string())?;
    line.push(b'\n');
    s.write_all(&line).map_err(|e| e.to_string())?;
    let mut resp = String::new();
    std::io::BufReader::new(&s)
        .read_line(&mut resp)
        .map_err(|e| e.to_string())?;
    serde_json::from_str(&resp).map_err(|e| format!("bad response {resp:?}: {e}"))
}

/// Renders a status table for people.
pub fn render(bridges: &[StatusReport]) -> String {
    let mut out = String::from(
        "NAME\tDIRECTION\tSTATE\tLAG\tRECEIVED\tFORWARDED\tDEAD\tRETURNED\tRECONNECTS\tROUTE\tLAST ERROR\n",
    );
    for b in bridges {
        out.push_str(&format!(
            "{}\t{:?}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            b.name,
            b.direction,
            b.state,
            b.lag,
            b.received,
            b.forwarded,
            b.dead_lettered,
            b.returned,
            b.reconnects,
            b.route,
            b.last_error.as_deref().unwrap_or("-")
        ));
    }
    out
}
