//! `mqgate tls self-signed`: a local CA and a server certificate signed by it (plus, on request, a client
//! certificate for mTLS), for local use and tests. Not for production.

use crate::error::TransportError;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SelfSigned {
    /// Host names and IP addresses for the server certificate's SANs.
    pub hosts: Vec<String>,
    /// Also write `client.crt` / `client.key` signed by the same CA.
    pub client: bool,
    /// Validity of the leaf certificates; a negative value makes them already expired (for tests).
    pub valid_days: i64,
}

impl Default for SelfSigned {
    fn default() -> Self {
        SelfSigned {
            hosts: vec!["localhost".into(), "127.0.0.1".into()],
            client: false,
            valid_days: 825,
        }
    }
}

fn err(e: impl std::fmt::Display) -> TransportError {
    TransportError::TlsConfig(format!("certificate generation: {e}"))
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    if days >= 0 {
        params.not_before = (now - day).into();
        params.not_after = (now + day * days as u32).into();
    } else {
        params.not_before = (now - day * (1 - days) as u32).into();
        params.not_after = (now - day).into();
    }
}

/// Writes `ca.crt`, `ca.key`, `server.crt`, `server.key` (and `client.crt`, `client.key`) into `out`.
pub fn write(out: &Path, spec: &SelfSigned) -> Result<(), TransportError> {
    std::fs::create_dir_all(out)
        .map_err(|e| TransportError::TlsFile(out.display().to_string(), e.to_string()))?;
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "mqgate local CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity(&mut ca, 3650);
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf = |names: &[String],
                purpose: ExtendedKeyUsagePurpose,
                cn: &str|
     -> Result<(String, String), TransportError> {
        let key = KeyPair::generate().map_err(err)?;
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        p.distinguished_name.push(DnType::CommonName, cn);
        p.subject_alt_names = names
            .iter()
            .map(|h| match h.parse::<IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => h.clone().try_into().map(SanType::DnsName).map_err(err),
            })
            .collect::<Result<_, _>>()?;
        p.extended_key_usages = vec![purpose];
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        validity(&mut p, spec.valid_days);
        let cert = p.signed_by(&key, &issuer).map_err(err)?;
        Ok((cert.pem(), key.serialize_pem()))
    };
    let write_file = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).map_err(|e| {
            TransportError::TlsFile(out.join(name).display().to_string(), e.to_string())
        })
    };
    write_file("ca.crt", &ca_cert.pem())?;
    write_file("ca.key", &issuer.key().serialize_pem())?;
    let (crt, key) = leaf(&spec.hosts, ExtendedKeyUsagePurpose::ServerAuth, "mqgate")?;
    write_file("server.crt", &crt)?;
    write_file("server.key", &key)?;
    if spec.client {
        let (crt, key) = leaf(
            &["mqgate-client".to_string()],
            ExtendedKeyUsagePurpose::ClientAuth,
            "mqgate-client",
        )?;
        write_file("client.crt", &crt)?;
        write_file("client.key", &key)?;
    }
    Ok(())
}
