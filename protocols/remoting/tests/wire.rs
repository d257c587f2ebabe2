//! Wire-level tests of the remoting front-end: a real TCP connection to an in-process listener on port 0,
//! raw frames in, frames out. Pins protocol answers and the bad-input rules (close on malformed frames, error
//! answer with the connection kept for unknown codes, no effect on other connections).

use bytes::BytesMut;
use mqgate_engine::{Engine, EngineConfig};
use mqgate_remoting::codec::{codes, frame, Command, FrameLimits};
use mqgate_remoting::{RemotingSettings, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Server {
    addr: SocketAddr,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

async fn server(settings: RemotingSettings) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = EngineConfig {
        data_dir: dir.path().to_path_buf(),
        segment_size: 64 << 20,
        store_host: addr,
        ..EngineConfig::default()
    };
    let engine = Engine::open(config).unwrap();
    let shared = Shared::start(engine.clone(), addr.to_string(), settings);
    tokio::spawn(async move {
        while let Ok((s, peer)) = listener.accept().await {
            tokio::spawn(mqgate_remoting::shell::connection::serve(
                Box::new(s),
                peer,
                shared.clone(),
            ));
        }
    });
    Server {
        addr,
        engine,
        _dir: dir,
    }
}

struct Client {
    stream: TcpStream,
    buf: BytesMut,
    opaque: i32,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        Client {
            stream: TcpStream::connect(addr).await.unwrap(),
            buf: BytesMut::new(),
            opaque: 0,
        }
    }

    async fn call(&mut self, mut cmd: Command) -> Command {
        self.opaque += 1;
        cmd.opaque = self.opaque;
        let mut out = BytesMut::new();
        frame::encode(&cmd, &mut out);
        self.stream.write_all(&out).await.unwrap();
        loop {
            let resp = self.next().await.expect("connection closed");
            if resp.is_response() && resp.opaque == cmd.opaque {
                return resp;
            }
        }
    }

    /// The next frame, or `None` when the server closed the connection.
    async fn next(&mut self) -> Option<Command> {
        loop {
            if let Some(c) = frame::decode(&mut self.buf, &FrameLimits::default()).unwrap() {
                return Some(c);
            }
            let n =
                tokio::time::timeout(Duration::from_secs(10), self.stream.read_buf(&mut self.buf))
                    .await
                    .expect("no answer within 10 s")
                    .ok()?;
            if n == 0 {
                return None;
            }
        }
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes).await;
    }

    async fn is_closed_by_server(&mut self) -> bool {
        matches!(
            tokio::time::timeout(Duration::from_secs(5), self.stream.read_buf(&mut self.buf)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }
}

fn send_v2(topic: &str, tag: &str, body: &str) -> Command {
    Command::request(codes::SEND_MESSAGE_V2, 0)
        .with_field("a", "PG")
        .with_field("b", topic)
        .with_field("c", "TBW102")
        .with_field("d", 4)
        .with_field("e", 0)
        .with_field("f", 0)
        .with_field("g", 1_700_000_000_000i64)
        .with_field("h", 0)
        .with_field("i", format!("TAGS\u{1}{tag}\u{2}KEYS\u{1}k1\u{2}"))
        .with_body(body.as_bytes().to_vec())
}

fn pull(topic: &str, offset: i64, suspend_ms: i64, sub: &str) -> Command {
    Command::request(codes::PULL_MESSAGE, 0)
        .with_field("consumerGroup", "CG")
        .with_field("topic", topic)
        .with_field("queueId", 0)
        .with_field("queueOffset", offset)
        .with_field("maxMsgNums", 32)
        .with_field("sysFlag", 0x2 | 0x4)
        .with_field("commitOffset", 0)
        .with_field("suspendTimeoutMillis", suspend_ms)
        .with_field("subscription", sub)
        .with_field("subVersion", 0)
        .with_field("expressionType", "TAG")
}

#[tokio::test]
async fn unknown_code_gets_not_supported_and_the_connection_stays_open() {
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    let r = c.call(Command::request(4242, 0)).await;
    assert_eq!(r.code, codes::REQUEST_CODE_NOT_SUPPORTED);
    assert!(r.remark.unwrap().contains("4242"));
    let r = c
        .call(Command::request(codes::GET_BROKER_CLUSTER_INFO, 0))
        .await;
    assert_eq!(r.code, codes::SUCCESS);
}

#[tokio::test]
async fn responses_are_json_with_a_modern_version_and_echo_the_opaque() {
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    let mut req = Command::request(codes::GET_ROUTEINFO_BY_TOPIC, 0).with_field("topic", "Orders");
    req.opaque = 77;
    let mut out = BytesMut::new();
    frame::encode_binary(&req, &mut out);
    c.send_raw(&out).await;
    let r = c.next().await.unwrap();
    assert_eq!(
        (r.opaque, r.code, r.version),
        (77, codes::SUCCESS, codes::SERVER_VERSION)
    );
    assert_eq!(
        r.serialize_type,
        mqgate_remoting::codec::SerializeType::Json
    );
    let body = String::from_utf8(r.body.to_vec()).unwrap();
    assert!(
        body.contains(&format!("\"brokerAddrs\":{{\"0\":\"{}\"}}", s.addr)),
        "{body}"
    );
}

#[tokio::test]
async fn oneway_requests_get_no_answer() {
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    let mut out = BytesMut::new();
    frame::encode(&Command::request(4242, 0).oneway(), &mut out);
    c.send_raw(&out).await;
    let r = c
        .call(Command::request(codes::GET_BROKER_CLUSTER_INFO, 0))
        .await;
    assert_eq!(r.code, codes::SUCCESS);
    assert_eq!(r.opaque, 1);
}

#[tokio::test]
async fn malformed_frames_close_only_their_connection() {
    let s = server(RemotingSettings::default()).await;
    let mut healthy = Client::connect(s.addr).await;
    let cases: Vec<Vec<u8>> = vec![
        vec![0xFF, 0xFF, 0xFF, 0xFE, 1, 2, 3, 4], // negative length
        vec![0x7F, 0xFF, 0xFF, 0xFF],             // larger than 16 MiB
        vec![0, 0, 0, 8, 0, 0, 0, 200, b'{', b'}', 0, 0], // header longer than frame
        vec![0, 0, 0, 9, 0, 0, 0, 5, b'[', b'1', b']', b' ', b' '], // header not an object
        vec![0, 0, 0, 9, 7, 0, 0, 5, b'{', b'}', b' ', b' ', b' '], // unknown serialize type
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), // garbage
    ];
    for bytes in cases {
        let mut c = Client::connect(s.addr).await;
        c.send_raw(&bytes).await;
        assert!(c.is_closed_by_server().await, "not closed after {bytes:?}");
        let r = healthy
            .call(Command::request(codes::GET_BROKER_CLUSTER_INFO, 0))
            .await;
        assert_eq!(r.code, codes::SUCCESS);
    }
}

#[tokio::test]
async fn a_missing_header_field_is_answered_not_fatal() {
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    let r = c
        .call(Command::request(codes::PULL_MESSAGE, 0).with_field("topic", "T"))
        .await;
    assert_eq!(r.code, codes::INVALID_PARAMETER);
    assert!(r.remark.unwrap().contains("consumerGroup"));
}

#[tokio::test]
async fn sent_messages_come_back_in_a_pull_as_stored_bytes() {
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    for i in 0..3 {
        let r = c
            .call(send_v2(
                "T1",
                if i == 1 { "B" } else { "A" },
                &format!("m{i}"),
            ))
            .await;
        assert_eq!(r.code, codes::SUCCESS, "{:?}", r.remark);
        assert_eq!(r.ext_fields["queueOffset"], i.to_string());
        assert_eq!(r.ext_fields["msgId"].len(), 32);
        assert!(r.ext_fields.contains_key("MSG_REGION"));
    }
    let r = c.call(pull("T1", 0, 0, "A")).await;
    assert_eq!(r.code, codes::SUCCESS);
    assert_eq!(r.ext_fields["nextBeginOffset"], "3");
    assert_eq!(r.ext_fields["maxOffset"], "3");
    let stored = s
        .engine
        .read("T1", 0, 0, mqgate_engine::ReadLimits::messages(10), None)
        .unwrap();
    let expected: Vec<u8> = [&stored.messages[0].raw[..], &stored.messages[2].raw[..]].concat();
    assert_eq!(
        &r.body[..],
        &expected[..],
        "tag B filtered out, records sent as stored"
    );
}

/// A client that sends oneway messages and closes at once (PyPI `rocketmq` 0.4.4's `send_oneway` then
/// `shutdown`) must find every message stored: requests read before the close run to completion.
#[tokio::test]
async fn oneway_sends_followed_at_once_by_a_close_are_all_stored() {
    let s = server(RemotingSettings::default()).await;
    let n = 200;
    let mut out = BytesMut::new();
    for i in 0..n {
        let mut cmd = send_v2("OnewayClose", "A", &format!("m{i}")).oneway();
        cmd.opaque = i + 1;
        frame::encode(&cmd, &mut out);
    }
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    stream.write_all(&out).await.unwrap();
    drop(stream);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let stored = s
            .engine
            .read(
                "OnewayClose",
                0,
                0,
                mqgate_engine::ReadLimits::messages(1000),
                None,
            )
            .map_or(0, |r| r.messages.len());
        if stored == n as usize {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{stored} of {n} oneway sends stored"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The C++ client's (and so PyPI `rocketmq` 0.4.4's) batch send, as captured: SEND_MESSAGE (10), long header
/// names, numbers as JSON numbers, `"batch":"1"`, and a batch body of encoded messages.
#[tokio::test]
async fn a_cpp_batch_sent_as_send_message_with_batch_one_is_stored_as_its_messages() {
    use mqgate_remoting::codec::messages::{encode_batch, BatchItem};
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    let items: Vec<BatchItem> = (0..3)
        .map(|i| {
            let mut properties = mqgate_engine::Properties::new();
            properties.set("KEYS", format!("bk{i}"));
            properties.set("TAGS", "TagA");
            properties.set("lang", "python");
            BatchItem {
                flag: 0,
                body: format!("batch-{i}").into(),
                properties,
            }
        })
        .collect();
    let mut body = BytesMut::new();
    encode_batch(&items, &mut body);
    let send = Command::request(codes::SEND_MESSAGE, 0)
        .with_field("producerGroup", "py_pg")
        .with_field("topic", "CppBatch")
        .with_field("defaultTopic", "TBW102")
        .with_field("defaultTopicQueueNums", 4)
        .with_field("queueId", 1)
        .with_field("sysFlag", 0)
        .with_field("bornTimestamp", 1_700_000_000_000i64)
        .with_field("flag", 0)
        .with_field("properties", "WAIT\u{1}true\u{2}")
        .with_field("reconsumeTimes", "0")
        .with_field("unitMode", "0")
        .with_field("batch", "1")
        .with_body(body.freeze());
    let r = c.call(send).await;
    assert_eq!(r.code, codes::SUCCESS, "{:?}", r.remark);
    let stored = s
        .engine
        .read(
            "CppBatch",
            1,
            0,
            mqgate_engine::ReadLimits::messages(10),
            None,
        )
        .unwrap();
    assert_eq!(
        stored.messages.len(),
        3,
        "one stored message per batch entry"
    );
    for (i, m) in stored.messages.iter().enumerate() {
        assert_eq!(&m.body[..], format!("batch-{i}").as_bytes());
        assert_eq!(m.tag(), Some("TagA"));
        assert_eq!(m.keys().collect::<Vec<_>>(), [format!("bk{i}")]);
        assert_eq!(m.property("lang"), Some("python"));
    }
}

#[tokio::test]
async fn long_poll_answers_not_found_after_the_suspend_timeout_and_wakes_on_send() {
    let s = server(RemotingSettings::default()).await;
    let mut c = Client::connect(s.addr).await;
    let started = std::time::Instant::now();
    let r = c.call(pull("T2", 0, 300, "*")).await;
    assert_eq!(r.code, codes::PULL_NOT_FOUND);
    assert_eq!(r.ext_fields["nextBeginOffset"], "0");
    assert!(started.elapsed() >= Duration::from_millis(250));

    let mut waiter = Client::connect(s.addr).await;
    let pending = tokio::spawn(async move { waiter.call(pull("T2", 0, 10_000, "*")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    assert_eq!(
        c.call(send_v2("T2", "A", "wake")).await.code,
        codes::SUCCESS
    );
    let r = pending.await.unwrap();
    assert_eq!(r.code, codes::SUCCESS);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "woken by the send"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected_without_hurting_others() {
    let settings = RemotingSettings {
        write_timeout_secs: 1,
        ..RemotingSettings::default()
    };
    let s = server(settings).await;
    let mut c = Client::connect(s.addr).await;
    let big = "x".repeat(1 << 20);
    for _ in 0..4 {
        assert_eq!(c.call(send_v2("T3", "A", &big)).await.code, codes::SUCCESS);
    }
    // Ask for the 4 MiB again and again without reading the answers.
    let mut out = BytesMut::new();
    for i in 0..64 {
        let mut p = pull("T3", 0, 0, "*");
        p.opaque = 1000 + i;
        frame::encode(&p, &mut out);
    }
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(&out).await.unwrap();
    let mut healthy = Client::connect(s.addr).await;
    // While the slow client reads nothing, other connections are served.
    for _ in 0..10 {
        let r = healthy
            .call(Command::request(codes::GET_BROKER_CLUSTER_INFO, 0))
            .await;
        assert_eq!(r.code, codes::SUCCESS);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // By now the server gave up on it: draining its socket ends with EOF long before 256 MiB of answers.
    let mut sink = vec![0u8; 1 << 20];
    let mut total = 0usize;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), slow.read(&mut sink)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => total += n,
            Err(_) => panic!("slow client neither served nor disconnected"),
        }
        assert!(
            total < 128 << 20,
            "the server kept writing to a client that stopped reading"
        );
    }
}

#[tokio::test]
async fn bench_produces_and_consumes_end_to_end() {
    use mqgate_remoting::bench::{run_bench, BenchArgs, BenchMode};
    let s = server(RemotingSettings::default()).await;
    let args = BenchArgs {
        target: s.addr.to_string(),
        mode: BenchMode::EndToEnd,
        topic: "BenchT".into(),
        connections: 2,
        in_flight: 4,
        message_size: 128,
        duration: None,
        count: Some(400),
        ..BenchArgs::default()
    };
    let r = run_bench(args).await.unwrap();
    assert_eq!((r.sent, r.received, r.errors), (400, 400, 0), "{r}");
    assert_eq!(r.e2e_latency.unwrap().count, 400);
    assert!(r.json_line().starts_with('{'));
    let drain = run_bench(BenchArgs {
        target: s.addr.to_string(),
        mode: BenchMode::Consume,
        topic: "BenchT".into(),
        from_start: true,
        duration: Some(Duration::from_secs(20)),
        count: Some(400),
        ..BenchArgs::default()
    })
    .await
    .unwrap();
    assert_eq!(drain.received, 400, "{drain}");
}
