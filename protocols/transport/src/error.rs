//! The transport crate's error type.

/// What can go wrong setting up or running a listener's transport.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A certificate, key or CA file is missing or unusable.
    #[error("TLS file {0}: {1}")]
    TlsFile(String, String),
    /// The TLS settings do not make a working configuration.
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
}
