//! Command-line interface. Every `serve` flag also has an environment variable; both override the
//! `--config` file.

use crate::config::{GatewayConfig, Listen};
use clap::{Args, Parser, Subcommand};
use mqgate_engine::FlushMode;
use std::path::PathBuf;

/// mqgate: one broker for RocketMQ, JMS/AMQP 1.0, OpenMessaging and HTTP clients.
#[derive(Debug, Parser)]
#[command(name = "mqgate", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the broker with the embedded engine (no config needed).
    Serve(ServeArgs),
}

/// `mqgate serve` flags.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "MQGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory (default ./data).
    #[arg(long, env = "MQGATE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// RocketMQ remoting listener, or `off` (default 0.0.0.0:9876).
    #[arg(long, env = "MQGATE_REMOTING_LISTEN")]
    pub remoting_listen: Option<Listen>,
    /// RocketMQ gRPC listener, or `off` (default 0.0.0.0:8081).
    #[arg(long, env = "MQGATE_GRPC_LISTEN")]
    pub grpc_listen: Option<Listen>,
    /// AMQP 1.0 listener, or `off` (default 0.0.0.0:5672).
    #[arg(long, env = "MQGATE_AMQP_LISTEN")]
    pub amqp_listen: Option<Listen>,
    /// HTTP listener, or `off` (default 0.0.0.0:8080).
    #[arg(long, env = "MQGATE_HTTP_LISTEN")]
    pub http_listen: Option<Listen>,
    /// Address routes tell clients to use (host:port), for NAT and containers.
    #[arg(long, env = "MQGATE_ADVERTISED_ADDRESS")]
    pub advertised_address: Option<String>,
    /// When appends are acknowledged: `async` (page cache) or `sync` (after fsync).
    #[arg(long, env = "MQGATE_FLUSH", value_parser = parse_flush)]
    pub flush: Option<FlushMode>,
}

fn parse_flush(s: &str) -> Result<FlushMode, String> {
    match s {
        "async" => Ok(FlushMode::Async),
        "sync" => Ok(FlushMode::Sync),
        _ => Err(format!("{s:?}: expected async or sync")),
    }
}

impl ServeArgs {
    /// The configuration: file (if any), then these flags and variables on top.
    pub fn resolve(&self) -> Result<GatewayConfig, crate::config::ConfigError> {
        let mut c = match &self.config {
            Some(p) => GatewayConfig::from_file(p)?,
            None => GatewayConfig::default(),
        };
        if let Some(d) = &self.data_dir {
            c.engine.data_dir = d.clone();
        }
        let l = &mut c.listen;
        for (slot, flag) in [
            (&mut l.remoting, self.remoting_listen),
            (&mut l.grpc, self.grpc_listen),
            (&mut l.amqp, self.amqp_listen),
            (&mut l.http, self.http_listen),
        ] {
            if let Some(v) = flag {
                *slot = v;
            }
        }
        if let Some(a) = &self.advertised_address {
            c.advertised_address = Some(a.clone());
        }
        if let Some(f) = self.flush {
            c.set_flush(f);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mqgate.toml");
        std::fs::write(
            &file,
            "[listen]\nhttp = \"127.0.0.1:1\"\ngrpc = \"127.0.0.1:2\"\n",
        )
        .unwrap();
        let cli = Cli::try_parse_from([
            "mqgate",
            "serve",
            "--config",
            file.to_str().unwrap(),
            "--http-listen",
            "off",
            "--flush",
            "sync",
            "--data-dir",
            "/tmp/d",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command;
        let c = args.resolve().unwrap();
        assert_eq!(c.listen.http, Listen::Off);
        assert_eq!(c.listen.grpc, "127.0.0.1:2".parse().unwrap());
        assert_eq!(c.engine.flush, FlushMode::Sync);
        assert_eq!(c.engine.data_dir, PathBuf::from("/tmp/d"));
    }
}
