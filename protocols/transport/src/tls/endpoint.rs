//! A listener's TLS endpoint: the rustls server configuration, rebuilt when the certificate, key or client-CA
//! files change on disk (new connections get the new certificate; a broken new file is logged and the old
//! configuration keeps serving).

use super::load;
use super::settings::TlsSettings;
use crate::error::TransportError;
use parking_lot::{Mutex, RwLock};
use rustls::ServerConfig;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio_rustls::TlsAcceptor;

/// ALPN protocols offered: HTTP/2 (gRPC) and HTTP/1.1; clients of other protocols send none.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

type Stamp = Vec<(PathBuf, Option<(SystemTime, u64)>)>;

/// TLS for one listener.
pub struct TlsEndpoint {
    settings: TlsSettings,
    config: RwLock<Arc<ServerConfig>>,
    stamp: Mutex<Stamp>,
}

impl std::fmt::Debug for TlsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsEndpoint")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn build(s: &TlsSettings) -> Result<Arc<ServerConfig>, TransportError> {
    let key = load::load_certified_key(s)?;
    let builder = ServerConfig::builder_with_provider(load::provider())
        .with_protocol_versions(load::versions(s.min_version))
        .map_err(|e| TransportError::TlsConfig(e.to_string()))?;
    let builder = match load::client_verifier(s)? {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCert(key)));
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// Serves one certificate whatever the SNI.
#[derive(Debug)]
struct SingleCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for SingleCert {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

fn stamp(s: &TlsSettings) -> Stamp {
    [&s.cert, &s.key, &s.client_ca, &s.key_password_file]
        .into_iter()
        .flatten()
        .map(|p| {
            let meta = std::fs::metadata(p).ok();
            (
                p.clone(),
                meta.and_then(|m| Some((m.modified().ok()?, m.len()))),
            )
        })
        .collect()
}

impl TlsEndpoint {
    /// Loads the certificate and key; fails when they are unusable.
    pub fn new(settings: TlsSettings) -> Result<Arc<TlsEndpoint>, TransportError> {
        let config = build(&settings)?;
        let stamp = stamp(&settings);
        Ok(Arc::new(TlsEndpoint {
            settings,
            config: RwLock::new(config),
            stamp: Mutex::new(stamp),
        }))
    }

    /// The settings.
    pub fn settings(&self) -> &TlsSettings {
        &self.settings
    }

    /// An acceptor with the current configuration.
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.config.read().clone())
    }

    /// Handshake time limit.
    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_millis(self.settings.handshake_timeout_ms)
    }

    /// Reloads when a file changed; returns whether the configuration was replaced.
    pub fn reload_if_changed(&self) -> bool {
        let now = stamp(&self.settings);
        {
            let mut last = self.stamp.lock();
            if *last == now {
                return false;
            }
            *last = now;
        }
        match build(&self.settings) {
            Ok(c) => {
                *self.config.write() = c;
                tracing::info!(cert = ?self.settings.cert, "TLS certificate reloaded");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "new TLS files rejected; the previous certificate keeps serving");
                false
            }
        }
    }

    /// Checks the files every `reload_secs` until the endpoint is dropped.
    pub fn spawn_reloader(self: &Arc<Self>) {
        if self.settings.reload_secs == 0 {
            return;
        }
        let weak = Arc::downgrade(self);
        let every = Duration::from_secs(self.settings.reload_secs);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(ep) = weak.upgrade() else { break };
                ep.reload_if_changed();
            }
        });
    }
}
