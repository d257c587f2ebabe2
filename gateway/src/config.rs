//! The gateway's configuration: one typed struct read from an optional TOML file, then overridden by
//! environment variables and command-line flags (in that order of precedence, flags winning).

use mqgate_engine::{EngineConfig, FlushMode};
use mqgate_transport::tls::TlsSettings;
use mqgate_transport::StackSettings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A listener's address, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Listen {
    /// Listen on this address.
    At(SocketAddr),
    /// Do not start this listener.
    Off,
}

impl std::str::FromStr for Listen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(Listen::Off);
        }
        s.parse()
            .map(Listen::At)
            .map_err(|_| format!("{s:?} is neither an address like 0.0.0.0:9876 nor `off`"))
    }
}

impl TryFrom<String> for Listen {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Listen> for String {
    fn from(l: Listen) -> String {
        match l {
            Listen::At(a) => a.to_string(),
            Listen::Off => "off".into(),
        }
    }
}

/// Where each front-end listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Listeners {
    /// RocketMQ remoting (name server and broker on one port); default `0.0.0.0:9876`.
    pub remoting: Listen,
    /// RocketMQ gRPC v2; default `0.0.0.0:8081`.
    pub grpc: Listen,
    /// AMQP 1.0 (JMS); default `0.0.0.0:5672`.
    pub amqp: Listen,
    /// HTTP (OpenMessaging, CloudEvents); default `0.0.0.0:8080`.
    pub http: Listen,
}

impl Default for Listeners {
    fn default() -> Self {
        let at = |s: &str| Listen::At(s.parse().expect("valid default address"));
        Listeners {
            remoting: at("0.0.0.0:9876"),
            grpc: at("0.0.0.0:8081"),
            amqp: at("0.0.0.0:5672"),
            http: at("0.0.0.0:8080"),
        }
    }
}

/// Everything `mqgate serve` is configured with.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayConfig {
    /// Listener addresses.
    pub listen: Listeners,
    /// The `host:port` routes tell clients to connect to (for NAT and containers). Default: the remoting
    /// listener's address, with `127.0.0.1` standing in for an unspecified IP.
    pub advertised_address: Option<String>,
    /// Storage engine settings (`data_dir`, `flush`, `segment_size`, retention, …).
    pub engine: EngineConfig,
    /// TLS for every listener (mode, cert, key, client CA, …).
    pub tls: TlsSettings,
    /// TLS for one listener, replacing `tls` there: `[listener_tls.grpc]`.
    pub listener_tls: BTreeMap<String, TlsSettings>,
    /// PROXY protocol and protocol sniffing, for every listener.
    pub stack: StackSettings,
    /// RocketMQ remoting front-end settings (`[remoting]`: frame and header limits, in-flight requests, timeouts,
    /// pull sizes, broker and cluster names). The message body limit is the engine's `max_message_size`.
    #[cfg(feature = "remoting")]
    pub remoting: mqgate_remoting::RemotingSettings,
    /// AMQP 0-9-1 bridges (`[[bridge]]`), started after the engine opens.
    #[cfg(feature = "amqp-bridge")]
    pub bridge: Vec<mqgate_amqp_bridge::BridgeConfig>,
    /// AMQP 0-9-1 bridges: this binary was built without them; any listed are ignored with a warning.
    #[cfg(not(feature = "amqp-bridge"))]
    pub bridge: Vec<toml::Value>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    /// The file is not valid TOML for this struct.
    #[error("invalid config file {0}: {1}")]
    Parse(PathBuf, toml::de::Error),
}

impl GatewayConfig {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<GatewayConfig, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse(path.to_path_buf(), e))
    }

    /// The advertised address as it will be given to clients.
    pub fn advertised(&self) -> String {
        if let Some(a) = &self.advertised_address {
            return a.clone();
        }
        match self.listen.remoting {
            Listen::At(a) if a.ip().is_unspecified() => format!("127.0.0.1:{}", a.port()),
            Listen::At(a) => a.to_string(),
            Listen::Off => "127.0.0.1:9876".into(),
        }
    }

    /// The TLS settings of listener `name`.
    pub fn tls_for(&self, name: &str) -> &TlsSettings {
        self.listener_tls.get(name).unwrap_or(&self.tls)
    }

    /// Sets the flush mode.
    pub fn set_flush(&mut self, flush: FlushMode) {
        self.engine.flush = flush;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_config_overrides_defaults_and_accepts_off() {
        let c: GatewayConfig = toml::from_str(
            "advertised_address = \"10.0.0.5:9876\"\n[listen]\ngrpc = \"off\"\nremoting = \"127.0.0.1:19876\"\n[engine]\ndata_dir = \"/tmp/x\"\nflush = \"sync\"\n",
        )
        .unwrap();
        assert_eq!(c.listen.grpc, Listen::Off);
        assert_eq!(c.listen.remoting, "127.0.0.1:19876".parse().unwrap());
        assert_eq!(c.listen.http, Listeners::default().http);
        assert_eq!(c.engine.flush, FlushMode::Sync);
        assert_eq!(c.advertised(), "10.0.0.5:9876");
    }

    #[test]
    fn tls_applies_to_every_listener_unless_one_has_its_own() {
        let c: GatewayConfig = toml::from_str(
            "[tls]\nmode = \"permissive\"\ncert = \"a.crt\"\nkey = \"a.key\"\n[listener_tls.grpc]\nmode = \"enforcing\"\nmin_version = \"1.3\"\n[stack]\nproxy_protocol = true\n",
        )
        .unwrap();
        use mqgate_transport::tls::{TlsMode, TlsVersion};
        assert_eq!(c.tls_for("remoting").mode, TlsMode::Permissive);
        assert_eq!(c.tls_for("grpc").mode, TlsMode::Enforcing);
        assert_eq!(c.tls_for("grpc").min_version, TlsVersion::Tls13);
        assert!(c.stack.proxy_protocol && c.stack.sniff);
    }

    #[cfg(feature = "remoting")]
    #[test]
    fn remoting_limits_come_from_the_remoting_table() {
        let c: GatewayConfig = toml::from_str(
            "[remoting]\nmax_frame_bytes = 1048576\nbroker_name = \"b1\"\n[engine]\nmax_message_size = 65536\n",
        )
        .unwrap();
        assert_eq!(c.remoting.max_frame_bytes, 1 << 20);
        assert_eq!(c.remoting.broker_name, "b1");
        assert_eq!(
            c.remoting.max_header_bytes,
            mqgate_remoting::RemotingSettings::default().max_header_bytes
        );
        assert_eq!(c.engine.max_message_size, 64 << 10);
        assert!(toml::from_str::<GatewayConfig>("[remoting]\nmax_frames = 1").is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<GatewayConfig>("listn = 1").is_err());
    }
}
