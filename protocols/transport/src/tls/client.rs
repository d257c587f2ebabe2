//! The client side of TLS, for mqgate's own tools (`mqgate bench --tls`): trust a CA file, or — for
//! benchmarks against a server whose CA is not at hand — accept any certificate while still checking the
//! handshake signatures, so the cryptographic cost is the real one. Listeners never use this.

use super::load;
use crate::error::TransportError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::io;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The TLS stream a [`TlsClient`] hands back.
pub type ClientTlsStream = tokio_rustls::client::TlsStream<TcpStream>;

/// Opens TLS connections over already connected TCP streams.
#[derive(Clone)]
pub struct TlsClient {
    connector: TlsConnector,
}

impl std::fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsClient").finish_non_exhaustive()
    }
}

/// Accepts any server certificate; verifies the handshake signatures with the provider's algorithms.
#[derive(Debug)]
struct AnyServerCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyServerCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl TlsClient {
    /// A client trusting the certificates in `ca` (PEM), or any certificate when `ca` is `None`.
    /// Session resumption is off: every connection pays a full handshake.
    pub fn new(ca: Option<&Path>) -> Result<TlsClient, TransportError> {
        let provider = load::provider();
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TransportError::TlsConfig(e.to_string()))?;
        let mut config = match ca {
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                for c in load::load_certs(ca)? {
                    roots.add(c).map_err(|e| {
                        TransportError::TlsFile(ca.display().to_string(), e.to_string())
                    })?;
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            None => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyServerCertificate(provider)))
                .with_no_client_auth(),
        };
        config.resumption = Resumption::disabled();
        Ok(TlsClient {
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    /// Runs the handshake over `tcp`, naming `host` (a DNS name or an IP address) as the server.
    pub async fn connect(&self, tcp: TcpStream, host: &str) -> io::Result<ClientTlsStream> {
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{host:?}: {e}")))?;
        self.connector.connect(name, tcp).await
    }
}
