//! TLS settings of a listener, as the configuration file and flags give them.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Whether a listener speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plaintext only; a TLS ClientHello closes the connection.
    #[default]
    Disabled,
    /// TLS and plaintext on the same port, told apart by the first byte.
    Permissive,
    /// TLS only; plaintext closes the connection.
    Enforcing,
}

impl std::str::FromStr for TlsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "disabled" => Ok(TlsMode::Disabled),
            "permissive" => Ok(TlsMode::Permissive),
            "enforcing" => Ok(TlsMode::Enforcing),
            _ => Err(format!("{s:?}: expected disabled, permissive or enforcing")),
        }
    }
}

/// Lowest TLS version accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TlsVersion {
    /// TLS 1.2 and 1.3.
    #[default]
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3 only.
    #[serde(rename = "1.3")]
    Tls13,
}

impl std::str::FromStr for TlsVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "1.2" => Ok(TlsVersion::Tls12),
            "1.3" => Ok(TlsVersion::Tls13),
            _ => Err(format!("{s:?}: expected 1.2 or 1.3")),
        }
    }
}

/// TLS settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// `disabled` (default), `permissive` or `enforcing`.
    pub mode: TlsMode,
    /// Certificate chain, PEM.
    pub cert: Option<PathBuf>,
    /// Private key, PEM: PKCS#8, PKCS#1 (RSA), SEC1 (EC), or encrypted PKCS#8.
    pub key: Option<PathBuf>,
    /// File holding the password of an encrypted key.
    pub key_password_file: Option<PathBuf>,
    /// Environment variable holding the password of an encrypted key.
    pub key_password_env: Option<String>,
    /// CA bundle, PEM: when set, clients must present a certificate it signed (mTLS).
    pub client_ca: Option<PathBuf>,
    /// Lowest protocol version (`"1.2"` default, or `"1.3"`).
    pub min_version: TlsVersion,
    /// How often certificate, key and CA files are checked for changes, in seconds (0 = never).
    pub reload_secs: u64,
    /// Longest time a TLS handshake may take, in ms.
    pub handshake_timeout_ms: u64,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            mode: TlsMode::Disabled,
            cert: None,
            key: None,
            key_password_file: None,
            key_password_env: None,
            client_ca: None,
            min_version: TlsVersion::Tls12,
            reload_secs: 10,
            handshake_timeout_ms: 10_000,
        }
    }
}
