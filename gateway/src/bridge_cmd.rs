//! `mqgate bridge list|add|remove`: talks to a running server's bridge admin socket
//! (`<data_dir>/bridge-admin.sock`, see `mqgate_amqp_bridge::admin`).

use clap::{Args, Subcommand};
use mqgate_amqp_bridge::admin::{self, AdminRequest};
use mqgate_amqp_bridge::BridgeConfig;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the running server is.
#[derive(Debug, Args)]
pub struct AdminTarget {
    /// The server's data directory (its admin socket lives there).
    #[arg(long, env = "MQGATE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The admin socket, instead of `<data-dir>/bridge-admin.sock`.
    #[arg(long)]
    pub socket: Option<PathBuf>,
}

/// `mqgate bridge …`
#[derive(Debug, Subcommand)]
pub enum BridgeCommand {
    /// Show every bridge: state, lag, counters, last error.
    List {
        #[command(flatten)]
        target: AdminTarget,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Start the bridges of a TOML file holding `[[bridge]]` tables (same shape as the config file); they are
    /// kept across restarts.
    Add {
        /// The TOML file.
        file: PathBuf,
        #[command(flatten)]
        target: AdminTarget,
    },
    /// Stop a bridge and forget it.
    Remove {
        /// Bridge name.
        name: String,
        #[command(flatten)]
        target: AdminTarget,
    },
}

#[derive(serde::Deserialize)]
struct BridgeFile {
    #[serde(default)]
    bridge: Vec<BridgeConfig>,
}

fn socket(t: &AdminTarget) -> PathBuf {
    t.socket
        .clone()
        .unwrap_or_else(|| admin::socket_path(&t.data_dir))
}

/// Runs a `mqgate bridge` subcommand.
pub fn run(cmd: BridgeCommand) -> ExitCode {
    let (sock, requests, json) = match cmd {
        BridgeCommand::List { target, json } => (socket(&target), vec![AdminRequest::List], json),
        BridgeCommand::Remove { name, target } => {
            (socket(&target), vec![AdminRequest::Remove { name }], false)
        }
        BridgeCommand::Add { file, target } => {
            let parsed = std::fs::read_to_string(&file)
                .map_err(|e| e.to_string())
                .and_then(|t| toml::from_str::<BridgeFile>(&t).map_err(|e| e.to_string()));
            let bridges = match parsed {
                Ok(b) if !b.bridge.is_empty() => b.bridge,
                Ok(_) => return fail(&format!("{}: no [[bridge]] table", file.display())),
                Err(e) => return fail(&format!("{}: {e}", file.display())),
            };
            let reqs = bridges
                .into_iter()
                .map(|b| AdminRequest::Add {
                    bridge: Box::new(b),
                })
                .collect();
            (socket(&target), reqs, false)
        }
    };
    let mut last = None;
    for req in &requests {
        match admin::call(&sock, req) {
            Ok(r) if r.ok => last = Some(r),
            Ok(r) => return fail(r.error.as_deref().unwrap_or("request refused")),
            Err(e) => return fail(&e),
        }
    }
    if let Some(r) = last {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&r.bridges).unwrap_or_default()
            );
        } else {
            print!("{}", admin::render(&r.bridges));
        }
    }
    ExitCode::SUCCESS
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("mqgate bridge: {msg}");
    ExitCode::FAILURE
}
