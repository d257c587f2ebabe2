//! Reading certificates and keys from PEM files: PKCS#8, PKCS#1 (RSA), SEC1 (EC) and encrypted PKCS#8 keys
//! (password from a file or an environment variable), and building rustls configurations from them.

use super::settings::{TlsSettings, TlsVersion};
use crate::error::TransportError;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::sign::CertifiedKey;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;
use std::sync::Arc;

/// The crypto provider every mqgate TLS endpoint uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(path: &Path) -> Result<Vec<u8>, TransportError> {
    std::fs::read(path)
        .map_err(|e| TransportError::TlsFile(path.display().to_string(), e.to_string()))
}

/// Every certificate in a PEM file.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let pem = read(path)?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TransportError::TlsFile(path.display().to_string(), e.to_string()))?;
    if certs.is_empty() {
        return Err(TransportError::TlsFile(
            path.display().to_string(),
            "no certificate found".into(),
        ));
    }
    Ok(certs)
}

/// The private key in a PEM file, decrypting an encrypted PKCS#8 key with `password`.
pub fn load_key(
    path: &Path,
    password: Option<&str>,
) -> Result<PrivateKeyDer<'static>, TransportError> {
    let pem = read(path)?;
    let bad = |m: String| TransportError::TlsFile(path.display().to_string(), m);
    let text = String::from_utf8_lossy(&pem);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let password =
            password.ok_or_else(|| bad("the key is encrypted and no password was given".into()))?;
        let (_, doc) = pkcs8::SecretDocument::from_pem(&text).map_err(|e| bad(e.to_string()))?;
        let enc = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes())
            .map_err(|e| bad(e.to_string()))?;
        let plain = enc
            .decrypt(password)
            .map_err(|_| bad("cannot decrypt the key: wrong password?".into()))?;
        return Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            plain.as_bytes().to_vec(),
        )));
    }
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| bad(format!("no usable private key: {e}")))
}

/// The key password from the settings' file or environment variable.
pub fn key_password(s: &TlsSettings) -> Result<Option<String>, TransportError> {
    if let Some(f) = &s.key_password_file {
        let text = std::fs::read_to_string(f)
            .map_err(|e| TransportError::TlsFile(f.display().to_string(), e.to_string()))?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()));
    }
    if let Some(var) = &s.key_password_env {
        return std::env::var(var).map(Some).map_err(|_| {
            TransportError::TlsConfig(format!(
                "environment variable {var} holding the key password is not set"
            ))
        });
    }
    Ok(None)
}

/// Certificate chain and key from the settings, checked to belong together.
pub fn load_certified_key(s: &TlsSettings) -> Result<Arc<CertifiedKey>, TransportError> {
    let (cert, key) = match (&s.cert, &s.key) {
        (Some(c), Some(k)) => (c, k),
        _ => {
            return Err(TransportError::TlsConfig(
                "TLS needs both a certificate (--tls-cert) and a key (--tls-key)".into(),
            ))
        }
    };
    let chain = load_certs(cert)?;
    let key = load_key(key, key_password(s)?.as_deref())?;
    let ck = CertifiedKey::from_der(chain, key, &provider())
        .map_err(|e| TransportError::TlsConfig(format!("certificate and key: {e}")))?;
    Ok(Arc::new(ck))
}

/// The client-certificate verifier for mTLS, when a client CA is configured.
pub fn client_verifier(
    s: &TlsSettings,
) -> Result<Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>, TransportError> {
    let Some(ca) = &s.client_ca else {
        return Ok(None);
    };
    let mut roots = RootCertStore::empty();
    for c in load_certs(ca)? {
        roots
            .add(c)
            .map_err(|e| TransportError::TlsFile(ca.display().to_string(), e.to_string()))?;
    }
    let v = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| TransportError::TlsConfig(format!("client CA: {e}")))?;
    Ok(Some(v))
}

/// The protocol versions allowed by `min`.
pub fn versions(min: TlsVersion) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static BOTH: [&rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    static ONLY_13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match min {
        TlsVersion::Tls12 => &BOTH,
        TlsVersion::Tls13 => &ONLY_13,
    }
}
