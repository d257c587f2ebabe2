//! Command-line interface. Every `serve` flag also has an environment variable; both override the
//! `--config` file.

use crate::config::{GatewayConfig, Listen};
use clap::{Args, Parser, Subcommand};
use mqgate_engine::FlushMode;
use mqgate_transport::tls::{TlsMode, TlsVersion};
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
    Serve(Box<ServeArgs>),
    /// TLS helpers.
    #[command(subcommand)]
    Tls(TlsCommand),
    /// Filter tools (SQL92 and JMS selectors).
    #[command(subcommand)]
    Filter(crate::tools::FilterCommand),
    /// Load-generate over RocketMQ remoting; prints msgs/s, MB/s, latency percentiles and one JSON line.
    #[cfg(feature = "remoting")]
    Bench(crate::tools::BenchCliArgs),
    /// AMQP 0-9-1 bridges of a running server: list, add, remove.
    #[cfg(feature = "amqp-bridge")]
    #[command(subcommand)]
    Bridge(crate::bridge_cmd::BridgeCommand),
}

/// `mqgate tls …`
#[derive(Debug, Subcommand)]
pub enum TlsCommand {
    /// Write a local CA and a server certificate signed by it (`ca.crt`, `server.crt`, `server.key`).
    SelfSigned {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Host name or IP for the certificate (repeatable); default localhost and 127.0.0.1.
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// Also write a client certificate (`client.crt`, `client.key`) for mTLS.
        #[arg(long)]
        client: bool,
        /// Validity of the certificates in days.
        #[arg(long, default_value_t = 825)]
        days: i64,
    },
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
    /// TLS on every listener: `disabled`, `permissive` (TLS and plaintext on one port) or `enforcing`.
    #[arg(long, env = "MQGATE_TLS_MODE")]
    pub tls_mode: Option<TlsMode>,
    /// Server certificate chain (PEM).
    #[arg(long, env = "MQGATE_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// Server private key (PEM: PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8).
    #[arg(long, env = "MQGATE_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// File holding the password of an encrypted key.
    #[arg(long, env = "MQGATE_TLS_KEY_PASSWORD_FILE")]
    pub tls_key_password_file: Option<PathBuf>,
    /// Name of an environment variable holding the password of an encrypted key.
    #[arg(long, env = "MQGATE_TLS_KEY_PASSWORD_ENV")]
    pub tls_key_password_env: Option<String>,
    /// CA bundle (PEM) that client certificates must chain to (turns on mTLS).
    #[arg(long, env = "MQGATE_TLS_CLIENT_CA")]
    pub tls_client_ca: Option<PathBuf>,
    /// Lowest TLS version: 1.2 or 1.3.
    #[arg(long, env = "MQGATE_TLS_MIN_VERSION")]
    pub tls_min_version: Option<TlsVersion>,
    /// Accept HAProxy PROXY protocol v1/v2 headers on every listener.
    #[arg(long, env = "MQGATE_PROXY_PROTOCOL")]
    pub proxy_protocol: bool,
    /// Serve only each listener's own protocol (no sniffing of others).
    #[arg(long, env = "MQGATE_NO_SNIFF")]
    pub no_sniff: bool,
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
        // TLS flags change the settings shared by every listener (a `[listener_tls.<name>]` table still wins).
        let t = &mut c.tls;
        if let Some(m) = self.tls_mode {
            t.mode = m;
        }
        if let Some(p) = &self.tls_cert {
            t.cert = Some(p.clone());
        }
        if let Some(p) = &self.tls_key {
            t.key = Some(p.clone());
        }
        if let Some(p) = &self.tls_key_password_file {
            t.key_password_file = Some(p.clone());
        }
        if let Some(v) = &self.tls_key_password_env {
            t.key_password_env = Some(v.clone());
        }
        if let Some(p) = &self.tls_client_ca {
            t.client_ca = Some(p.clone());
        }
        if let Some(v) = self.tls_min_version {
            t.min_version = v;
        }
        if self.proxy_protocol {
            c.stack.proxy_protocol = true;
        }
        if self.no_sniff {
            c.stack.sniff = false;
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
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        let c = args.resolve().unwrap();
        assert_eq!(c.listen.http, Listen::Off);
        assert_eq!(c.listen.grpc, "127.0.0.1:2".parse().unwrap());
        assert_eq!(c.engine.flush, FlushMode::Sync);
        assert_eq!(c.engine.data_dir, PathBuf::from("/tmp/d"));
    }
}
