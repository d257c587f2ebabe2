//! The listener stack end to end over real sockets: TLS modes, mTLS, certificate hot reload, key formats,
//! PROXY protocol, sniffing, and bad input (plaintext to TLS-only, TLS to plaintext, stalled handshakes,
//! truncated ClientHellos, slow PROXY headers) closing only the offending connection.

use async_trait::async_trait;
use mqgate_engine::{Engine, EngineConfig};
use mqgate_transport::tls::selfsigned::{self, SelfSigned};
use mqgate_transport::tls::{TlsEndpoint, TlsMode, TlsSettings, TlsVersion};
use mqgate_transport::{Connection, Frontend, FrontendContext, ListenerStack, StackSettings};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls_pki_types::pem::PemObject;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Answers `<name> peer=<addr> tls=<bool> socket=<bool>\n`, then echoes; the third field says whether it asks
/// for the socket handle.
struct Echo(&'static str, u8, bool);

#[async_trait]
impl Frontend for Echo {
    fn name(&self) -> &'static str {
        self.0
    }
    fn sniff(&self, first: &[u8]) -> bool {
        first.first() == Some(&self.1)
    }
    fn wants_socket(&self) -> bool {
        self.2
    }
    async fn serve(&self, mut conn: Connection, _ctx: Arc<FrontendContext>) {
        let hello = format!(
            "{} peer={} tls={} socket={}\n",
            self.0,
            conn.peer,
            conn.tls.is_some(),
            conn.socket.is_some()
        );
        if conn.stream.write_all(hello.as_bytes()).await.is_err() {
            return;
        }
        let mut buf = [0u8; 1024];
        while let Ok(n) = conn.stream.read(&mut buf).await {
            if n == 0 || conn.stream.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    }
}

struct Server {
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

async fn server(
    mode: TlsMode,
    tls: Option<TlsSettings>,
    settings: StackSettings,
) -> (Server, Option<Arc<TlsEndpoint>>) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig {
        data_dir: dir.path().join("data"),
        ..EngineConfig::default()
    })
    .unwrap();
    let ctx = Arc::new(FrontendContext {
        engine,
        advertised_address: "127.0.0.1:0".into(),
    });
    let echo: Arc<dyn Frontend> = Arc::new(Echo("echo", b'E', false));
    let other: Arc<dyn Frontend> = Arc::new(Echo("other", b'O', true));
    let endpoint = tls.map(|t| TlsEndpoint::new(t).unwrap());
    let stack = Arc::new(ListenerStack {
        default: echo.clone(),
        all: vec![echo, other],
        tls: endpoint.clone(),
        mode,
        settings,
        ctx,
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, peer)) = listener.accept().await {
            tokio::spawn(stack.clone().handle(s, peer));
        }
    });
    (Server { addr, _dir: dir }, endpoint)
}

fn certs(dir: &Path) -> TlsSettings {
    selfsigned::write(
        dir,
        &SelfSigned {
            client: true,
            ..SelfSigned::default()
        },
    )
    .unwrap();
    TlsSettings {
        mode: TlsMode::Permissive,
        cert: Some(dir.join("server.crt")),
        key: Some(dir.join("server.key")),
        handshake_timeout_ms: 500,
        ..TlsSettings::default()
    }
}

fn fast() -> StackSettings {
    StackSettings {
        first_bytes_timeout_ms: 500,
        ..StackSettings::default()
    }
}

fn client_config(ca: &Path, client: Option<(&Path, &Path)>) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let b = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots);
    match client {
        Some((crt, key)) => b
            .with_client_auth_cert(
                CertificateDer::pem_file_iter(crt)
                    .unwrap()
                    .map(Result::unwrap)
                    .collect(),
                PrivateKeyDer::from_pem_file(key).unwrap(),
            )
            .unwrap(),
        None => b.with_no_client_auth(),
    }
}

/// Connects over TLS, sends `msg`, returns everything read until `msg` is echoed (or an error).
async fn tls_roundtrip(
    addr: SocketAddr,
    config: rustls::ClientConfig,
    msg: &str,
) -> std::io::Result<String> {
    let tcp = TcpStream::connect(addr).await?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut s = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    s.write_all(msg.as_bytes()).await?;
    read_until(&mut s, msg).await
}

async fn plain_roundtrip(addr: SocketAddr, prefix: &[u8], msg: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(prefix).await?;
    s.write_all(msg.as_bytes()).await?;
    read_until(&mut s, msg).await
}

async fn read_until<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    msg: &str,
) -> std::io::Result<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !String::from_utf8_lossy(&out).ends_with(msg) {
        let n = tokio::time::timeout_at(deadline, s.read(&mut buf))
            .await
            .map_err(|_| std::io::Error::other("timeout"))??;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                String::from_utf8_lossy(&out).into_owned(),
            ));
        }
        out.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// True when the server closes the connection (EOF or reset) within 3 s.
async fn closed_by_server(mut s: TcpStream) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn permissive_port_serves_tls_and_plaintext_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let tls = certs(dir.path());
    let (srv, _) = server(TlsMode::Permissive, Some(tls), fast()).await;
    let out = tls_roundtrip(
        srv.addr,
        client_config(&dir.path().join("ca.crt"), None),
        "Ehello",
    )
    .await
    .unwrap();
    assert!(
        out.starts_with("echo peer=127.0.0.1:") && out.contains("tls=true"),
        "{out}"
    );
    let out = plain_roundtrip(srv.addr, b"", "Eplain").await.unwrap();
    assert!(
        out.contains("tls=false") && out.ends_with("Eplain"),
        "{out}"
    );
}

#[tokio::test]
async fn enforcing_port_closes_plaintext_and_disabled_port_closes_tls() {
    let dir = tempfile::tempdir().unwrap();
    let tls = certs(dir.path());
    let (enforcing, _) = server(TlsMode::Enforcing, Some(tls.clone()), fast()).await;
    assert!(plain_roundtrip(enforcing.addr, b"", "Eplain")
        .await
        .is_err());
    assert!(tls_roundtrip(
        enforcing.addr,
        client_config(&dir.path().join("ca.crt"), None),
        "Ex"
    )
    .await
    .is_ok());
    let (disabled, _) = server(TlsMode::Disabled, None, fast()).await;
    assert!(tls_roundtrip(
        disabled.addr,
        client_config(&dir.path().join("ca.crt"), None),
        "Ex"
    )
    .await
    .is_err());
    assert!(plain_roundtrip(disabled.addr, b"", "Eok").await.is_ok());
}

#[tokio::test]
async fn stalled_handshake_and_truncated_client_hello_close_only_that_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (srv, _) = server(TlsMode::Permissive, Some(certs(dir.path())), fast()).await;
    let mut stalled = TcpStream::connect(srv.addr).await.unwrap();
    stalled.write_all(&[0x16, 0x03, 0x01]).await.unwrap();
    let mut truncated = TcpStream::connect(srv.addr).await.unwrap();
    truncated
        .write_all(&[0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00])
        .await
        .unwrap();
    truncated.shutdown().await.unwrap();
    let healthy = plain_roundtrip(srv.addr, b"", "Estill-fine").await.unwrap();
    assert!(healthy.ends_with("Estill-fine"));
    let started = std::time::Instant::now();
    assert!(closed_by_server(stalled).await, "stalled handshake is cut");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(closed_by_server(truncated).await);
}

#[tokio::test]
async fn mtls_accepts_only_trusted_unexpired_client_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let mut tls = certs(dir.path());
    tls.client_ca = Some(dir.path().join("ca.crt"));
    let (srv, _) = server(TlsMode::Enforcing, Some(tls), fast()).await;
    let ca = dir.path().join("ca.crt");
    let good = client_config(
        &ca,
        Some((
            &dir.path().join("client.crt"),
            &dir.path().join("client.key"),
        )),
    );
    assert!(tls_roundtrip(srv.addr, good, "Emtls")
        .await
        .unwrap()
        .contains("tls=true"));
    assert!(
        tls_roundtrip(srv.addr, client_config(&ca, None), "Eno-cert")
            .await
            .is_err(),
        "no client certificate"
    );
    let stranger = tempfile::tempdir().unwrap();
    selfsigned::write(
        stranger.path(),
        &SelfSigned {
            client: true,
            ..SelfSigned::default()
        },
    )
    .unwrap();
    let untrusted = client_config(
        &ca,
        Some((
            &stranger.path().join("client.crt"),
            &stranger.path().join("client.key"),
        )),
    );
    assert!(
        tls_roundtrip(srv.addr, untrusted, "Ex").await.is_err(),
        "client certificate from another CA"
    );
}

#[tokio::test]
async fn expired_client_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    selfsigned::write(
        dir.path(),
        &SelfSigned {
            client: true,
            valid_days: -5,
            ..SelfSigned::default()
        },
    )
    .unwrap();
    let good = tempfile::tempdir().unwrap();
    let mut tls = certs(good.path());
    tls.client_ca = Some(dir.path().join("ca.crt"));
    let (srv, _) = server(TlsMode::Enforcing, Some(tls), fast()).await;
    let expired = client_config(
        &good.path().join("ca.crt"),
        Some((
            &dir.path().join("client.crt"),
            &dir.path().join("client.key"),
        )),
    );
    assert!(tls_roundtrip(srv.addr, expired, "Ex").await.is_err());
}

#[tokio::test]
async fn replaced_certificate_files_serve_new_connections_and_a_broken_file_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let tls = certs(dir.path());
    let (srv, ep) = server(TlsMode::Enforcing, Some(tls), fast()).await;
    let ep = ep.unwrap();
    let old_ca = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join("ca.crt"), old_ca.path().join("ca.crt")).unwrap();
    // A client connected before the rotation stays connected.
    let tcp = TcpStream::connect(srv.addr).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(
        &old_ca.path().join("ca.crt"),
        None,
    )));
    let mut kept = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    kept.write_all(b"Ebefore").await.unwrap();
    read_until(&mut kept, "Ebefore").await.unwrap();

    std::thread::sleep(Duration::from_millis(20));
    selfsigned::write(dir.path(), &SelfSigned::default()).unwrap();
    assert!(ep.reload_if_changed());
    assert!(tls_roundtrip(
        srv.addr,
        client_config(&dir.path().join("ca.crt"), None),
        "Enew"
    )
    .await
    .is_ok());
    assert!(tls_roundtrip(
        srv.addr,
        client_config(&old_ca.path().join("ca.crt"), None),
        "Eold"
    )
    .await
    .is_err());
    kept.write_all(b"Eafter").await.unwrap();
    read_until(&mut kept, "Eafter").await.unwrap();

    std::fs::write(dir.path().join("server.key"), "not a key").unwrap();
    assert!(!ep.reload_if_changed(), "broken key rejected");
    assert!(tls_roundtrip(
        srv.addr,
        client_config(&dir.path().join("ca.crt"), None),
        "Estill"
    )
    .await
    .is_ok());
}

fn openssl(args: &[&str]) {
    let ok = Command::new("openssl")
        .args(args)
        .status()
        .expect("openssl is installed")
        .success();
    assert!(ok, "openssl {args:?}");
}

#[tokio::test]
async fn rsa_pkcs1_ec_sec1_and_encrypted_pkcs8_keys_all_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    openssl(&["genrsa", "-traditional", "-out", &d("rsa.key"), "2048"]);
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        &d("ec.key"),
    ]);
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        &d("ec.key"),
        "-out",
        &d("enc.key"),
        "-passout",
        "pass:s3cret",
    ]);
    std::fs::write(d("password"), "s3cret\n").unwrap();
    selfsigned::write(dir.path(), &SelfSigned::default()).unwrap();
    std::fs::write(
        d("ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    for (key, cert) in [("rsa.key", "rsa.crt"), ("ec.key", "ec.crt")] {
        openssl(&[
            "req",
            "-new",
            "-key",
            &d(key),
            "-subj",
            "/CN=localhost",
            "-out",
            &d("csr"),
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &d("csr"),
            "-CA",
            &d("ca.crt"),
            "-CAkey",
            &d("ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &d("ext"),
            "-out",
            &d(cert),
        ]);
    }
    assert!(std::fs::read_to_string(d("rsa.key"))
        .unwrap()
        .contains("BEGIN RSA PRIVATE KEY"));
    assert!(std::fs::read_to_string(d("ec.key"))
        .unwrap()
        .contains("BEGIN EC PRIVATE KEY"));
    for (key, cert, password) in [
        ("rsa.key", "rsa.crt", None),
        ("ec.key", "ec.crt", None),
        ("enc.key", "ec.crt", Some(d("password"))),
    ] {
        let settings = TlsSettings {
            mode: TlsMode::Enforcing,
            cert: Some(d(cert).into()),
            key: Some(d(key).into()),
            key_password_file: password.map(Into::into),
            min_version: TlsVersion::Tls13,
            ..TlsSettings::default()
        };
        let (srv, _) = server(TlsMode::Enforcing, Some(settings), fast()).await;
        let out = tls_roundtrip(
            srv.addr,
            client_config(Path::new(&d("ca.crt")), None),
            "Ekey",
        )
        .await
        .unwrap();
        assert!(out.contains("tls=true"), "{key}: {out}");
    }
    let wrong = TlsSettings {
        cert: Some(d("ec.crt").into()),
        key: Some(d("enc.key").into()),
        ..TlsSettings::default()
    };
    assert!(
        TlsEndpoint::new(wrong).is_err(),
        "encrypted key without a password is refused"
    );
}

#[tokio::test]
async fn proxy_protocol_headers_give_the_real_client_and_slow_ones_are_cut() {
    let settings = StackSettings {
        proxy_protocol: true,
        ..fast()
    };
    let (srv, _) = server(TlsMode::Disabled, None, settings).await;
    let out = plain_roundtrip(
        srv.addr,
        b"PROXY TCP4 203.0.113.7 127.0.0.1 4567 9876\r\n",
        "Ev1",
    )
    .await
    .unwrap();
    assert!(out.starts_with("echo peer=203.0.113.7:4567"), "{out}");
    let mut v2 = vec![
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12,
    ];
    v2.extend_from_slice(&[198, 51, 100, 9, 127, 0, 0, 1, 0x30, 0x39, 0x26, 0x94]);
    let out = plain_roundtrip(srv.addr, &v2, "Ev2").await.unwrap();
    assert!(out.starts_with("echo peer=198.51.100.9:12345"), "{out}");
    let out = plain_roundtrip(srv.addr, b"", "Enone").await.unwrap();
    assert!(
        out.starts_with("echo peer=127.0.0.1:"),
        "no header is fine too: {out}"
    );
    let mut slow = TcpStream::connect(srv.addr).await.unwrap();
    slow.write_all(b"PROXY TCP4 1.2.3.4").await.unwrap();
    assert!(
        closed_by_server(slow).await,
        "slow-loris PROXY header is cut"
    );
    let mut bad = TcpStream::connect(srv.addr).await.unwrap();
    bad.write_all(b"PROXY TCP9 x y z w\r\nEhello")
        .await
        .unwrap();
    assert!(closed_by_server(bad).await);
}

#[tokio::test]
async fn sniffing_routes_another_protocol_on_the_same_port() {
    let dir = tempfile::tempdir().unwrap();
    let (srv, _) = server(TlsMode::Permissive, Some(certs(dir.path())), fast()).await;
    let out = plain_roundtrip(srv.addr, b"", "Ohello-other")
        .await
        .unwrap();
    assert!(out.starts_with("other "), "{out}");
    assert!(
        out.contains("socket=true"),
        "a front-end that asks gets the socket: {out}"
    );
    let out = tls_roundtrip(
        srv.addr,
        client_config(&dir.path().join("ca.crt"), None),
        "Otls-other",
    )
    .await
    .unwrap();
    assert!(
        out.starts_with("other ") && out.contains("tls=true") && out.contains("socket=true"),
        "{out}"
    );
    let out = plain_roundtrip(srv.addr, b"", "Zunknown").await.unwrap();
    assert!(
        out.starts_with("echo "),
        "unknown bytes go to the port's own protocol: {out}"
    );
    assert!(
        out.contains("socket=false"),
        "no second descriptor for a front-end that does not ask: {out}"
    );
}
