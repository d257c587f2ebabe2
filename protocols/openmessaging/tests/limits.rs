//! Hostile and unlucky clients: oversized bodies, header floods, slow senders, unknown topics with
//! auto-creation off. Each gets its status and a problem answer (or a closed connection), never a panic.

mod support;

use mqgate_engine::EngineConfig;
use mqgate_openmessaging::HttpSettings;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{start, start_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let settings = HttpSettings {
        max_body_bytes: 1024,
        ..Default::default()
    };
    let s = start_with(settings, EngineConfig::default()).await;
    let r = s
        .send("POST", "/oms/v1/topics/T/messages", &[], &[b'x'; 2048])
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (413, json!("payload-too-large"))
    );
    // Chunked, so no Content-Length to refuse up front.
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    let chunk = "x".repeat(800);
    let req = format!(
        "POST /oms/v1/topics/T/messages HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n\
         320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n"
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tcp.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 413"));
}

#[tokio::test]
async fn a_payload_over_the_engine_message_limit_gets_413() {
    let engine = EngineConfig {
        max_message_size: 100,
        ..Default::default()
    };
    let s = start_with(HttpSettings::default(), engine).await;
    let r = s
        .send("POST", "/oms/v1/topics/T/messages", &[], &[b'x'; 200])
        .await;
    assert_eq!(r.status, 413);
}

#[tokio::test]
async fn header_floods_are_refused() {
    let settings = HttpSettings {
        max_headers: 20,
        ..Default::default()
    };
    let s = start_with(settings, EngineConfig::default()).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    let mut req = String::from("GET /healthz HTTP/1.1\r\nhost: x\r\n");
    for i in 0..50 {
        req.push_str(&format!("x-flood-{i}: y\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 1024];
    let n = tcp.read(&mut buf).await.unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 431"), "{text}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let settings = HttpSettings {
        header_read_timeout_ms: 300,
        ..Default::default()
    };
    let s = start_with(settings, EngineConfig::default()).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let t0 = Instant::now();
    let mut buf = vec![0u8; 1024];
    let r = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
    assert!(r.is_ok(), "still connected after 5 s");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_gets_408() {
    let settings = HttpSettings {
        body_read_timeout_ms: 300,
        ..Default::default()
    };
    let s = start_with(settings, EngineConfig::default()).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(
        b"POST /oms/v1/topics/T/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc",
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("no answer within 5 s")
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"));
}

#[tokio::test]
async fn unknown_topics_are_404_when_auto_creation_is_off() {
    let engine = EngineConfig {
        auto_create_topics: false,
        ..Default::default()
    };
    let s = start_with(HttpSettings::default(), engine).await;
    let r = s
        .send("POST", "/oms/v1/topics/Nope/messages", &[], b"x")
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (404, json!("topic-not-found"))
    );
    let r = s.get("/oms/v1/topics/Nope/messages?group=G").await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (404, json!("topic-not-found"))
    );
    let r = s.get("/oms/v1/topics/Nope/queues").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn producing_to_a_system_topic_is_forbidden() {
    let s = start().await;
    let r = s
        .send("POST", "/oms/v1/topics/%25RETRY%25G/messages", &[], b"x")
        .await;
    assert!(r.status == 403 || r.status == 400, "{}", r.status);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}
