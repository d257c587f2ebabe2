//! `mqgate bench` over TLS: the load generator trusts a CA (or any certificate), produces through a TLS
//! remoting server, refuses a server its CA did not sign, and times connection set-up in handshake mode.

use mqgate_engine::{Engine, EngineConfig};
use mqgate_remoting::bench::{run_bench, BenchArgs, BenchMode};
use mqgate_remoting::{RemotingSettings, Shared};
use mqgate_transport::tls::selfsigned::{self, SelfSigned};
use mqgate_transport::tls::{TlsClient, TlsEndpoint, TlsMode, TlsSettings};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpListener;

struct TlsServer {
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

/// A remoting server that only speaks TLS, with a certificate from a fresh local CA written to `certs`.
async fn tls_server(certs: &Path) -> TlsServer {
    selfsigned::write(certs, &SelfSigned::default()).unwrap();
    let endpoint = TlsEndpoint::new(TlsSettings {
        mode: TlsMode::Enforcing,
        cert: Some(certs.join("server.crt")),
        key: Some(certs.join("server.key")),
        ..TlsSettings::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let engine = Engine::open(EngineConfig {
        data_dir: dir.path().to_path_buf(),
        segment_size: 64 << 20,
        store_host: addr,
        ..EngineConfig::default()
    })
    .unwrap();
    let shared = Shared::start(engine, addr.to_string(), RemotingSettings::default());
    tokio::spawn(async move {
        while let Ok((tcp, peer)) = listener.accept().await {
            let (acceptor, shared) = (endpoint.acceptor(), shared.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    mqgate_remoting::shell::connection::serve(Box::new(tls), peer, shared).await;
                }
            });
        }
    });
    TlsServer { addr, _dir: dir }
}

#[tokio::test]
async fn bench_produces_over_tls_trusting_the_servers_ca() {
    let certs = tempfile::tempdir().unwrap();
    let s = tls_server(certs.path()).await;
    let r = run_bench(BenchArgs {
        target: s.addr.to_string(),
        mode: BenchMode::Produce,
        topic: "BenchTls".into(),
        connections: 2,
        in_flight: 4,
        message_size: 1024,
        duration: None,
        count: Some(200),
        tls: Some(TlsClient::new(Some(&certs.path().join("ca.crt"))).unwrap()),
        ..BenchArgs::default()
    })
    .await
    .unwrap();
    assert_eq!((r.sent, r.errors), (200, 0), "{r}");
    assert!(r.tls && r.json_line().contains("\"tls\":true"), "{r}");
}

#[tokio::test]
async fn bench_refuses_a_server_certificate_from_another_ca() {
    let certs = tempfile::tempdir().unwrap();
    let s = tls_server(certs.path()).await;
    let other = tempfile::tempdir().unwrap();
    selfsigned::write(other.path(), &SelfSigned::default()).unwrap();
    let res = run_bench(BenchArgs {
        target: s.addr.to_string(),
        count: Some(1),
        duration: None,
        tls: Some(TlsClient::new(Some(&other.path().join("ca.crt"))).unwrap()),
        request_timeout: Duration::from_secs(5),
        ..BenchArgs::default()
    })
    .await;
    assert!(res.is_err(), "produced through an untrusted server");
}

#[tokio::test]
async fn handshake_mode_times_each_tls_set_up_and_counts_failures() {
    let certs = tempfile::tempdir().unwrap();
    let s = tls_server(certs.path()).await;
    let handshakes = |tls: Option<TlsClient>| {
        run_bench(BenchArgs {
            target: s.addr.to_string(),
            mode: BenchMode::Handshake,
            duration: None,
            count: Some(20),
            tls,
            ..BenchArgs::default()
        })
    };
    // Any certificate accepted (no CA given).
    let r = handshakes(Some(TlsClient::new(None).unwrap()))
        .await
        .unwrap();
    assert_eq!((r.sent, r.errors), (20, 0), "{r}");
    let (connect, handshake) = (r.connect_latency.unwrap(), r.handshake_latency.unwrap());
    assert_eq!((connect.count, handshake.count), (20, 20));
    assert!(
        handshake.p50_us > 0 && connect.p50_us >= handshake.p50_us,
        "{r}"
    );
    // A CA that did not sign the server's certificate: every handshake fails and is counted.
    let other = tempfile::tempdir().unwrap();
    selfsigned::write(other.path(), &SelfSigned::default()).unwrap();
    let r = handshakes(Some(
        TlsClient::new(Some(&other.path().join("ca.crt"))).unwrap(),
    ))
    .await
    .unwrap();
    assert_eq!((r.sent, r.errors), (0, 20), "{r}");
    // Plaintext: TCP connects only, no handshake figures.
    let r = handshakes(None).await.unwrap();
    assert_eq!((r.sent, r.errors), (20, 0), "{r}");
    assert!(r.handshake_latency.is_none() && !r.tls);
}
