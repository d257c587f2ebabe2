//! Shared helpers of the gRPC integration tests: an in-process server on 127.0.0.1:0 (engine, shared state,
//! accept loop) and a generated tonic client with the metadata every call needs.
#![allow(dead_code, unused_imports)]

pub use mqgate_engine::{Engine, EngineConfig, GroupConfig};
pub use mqgate_grpc::pb::messaging_service_client::MessagingServiceClient;
pub use mqgate_grpc::pb::receive_message_response::Content;
pub use mqgate_grpc::pb::*;
pub use mqgate_grpc::{GrpcSettings, Shared};
use std::sync::Arc;
pub use std::time::Duration;
use tokio::net::TcpListener;
pub use tonic::transport::Channel;

pub struct Server {
    pub addr: std::net::SocketAddr,
    pub engine: Arc<Engine>,
    pub accept: tokio::task::JoinHandle<()>,
}

pub async fn start(dir: &std::path::Path) -> Server {
    start_with(dir, GrpcSettings::default()).await
}

pub async fn start_with(dir: &std::path::Path, settings: GrpcSettings) -> Server {
    let engine = Engine::open(EngineConfig {
        data_dir: dir.to_path_buf(),
        segment_size: 64 << 20,
        transaction_immunity_ms: 500,
        transaction_check_interval_ms: 500,
        ..Default::default()
    })
    .unwrap();
    let shared = Shared::start(engine.clone(), settings);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bg = engine.clone();
    tokio::spawn(bg.run_background(std::future::pending()));
    let accept = tokio::spawn(async move {
        while let Ok((s, peer)) = listener.accept().await {
            let shared = shared.clone();
            tokio::spawn(mqgate_grpc::shell::serve_connection(s, peer, shared));
        }
    });
    Server {
        addr,
        engine,
        accept,
    }
}

pub async fn client(addr: std::net::SocketAddr) -> MessagingServiceClient<Channel> {
    let ch = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    MessagingServiceClient::new(ch)
}

pub fn req<T>(msg: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut()
        .insert("x-mq-client-id", "test-client@1".parse().unwrap());
    r.set_timeout(Duration::from_secs(10));
    r
}

pub fn res(name: &str) -> Resource {
    Resource {
        resource_namespace: String::new(),
        name: name.into(),
    }
}

pub fn endpoints(addr: std::net::SocketAddr) -> Endpoints {
    Endpoints {
        scheme: AddressScheme::IPv4 as i32,
        addresses: vec![Address {
            host: addr.ip().to_string(),
            port: addr.port() as i32,
        }],
    }
}

pub fn message(topic: &str, id: &str, tag: &str, body: &str) -> Message {
    Message {
        topic: Some(res(topic)),
        user_properties: [("region".to_string(), "eu".to_string())].into(),
        system_properties: Some(SystemProperties {
            message_id: id.into(),
            tag: Some(tag.into()),
            message_type: MessageType::Normal as i32,
            ..Default::default()
        }),
        body: body.as_bytes().to_vec().into(),
    }
}

pub fn code(s: &Option<Status>) -> Code {
    Code::try_from(s.as_ref().map(|s| s.code).unwrap_or(0)).unwrap()
}

pub async fn send(c: &mut MessagingServiceClient<Channel>, m: Message) -> SendMessageResponse {
    c.send_message(req(SendMessageRequest { messages: vec![m] }))
        .await
        .unwrap()
        .into_inner()
}

pub async fn receive(
    c: &mut MessagingServiceClient<Channel>,
    group: &str,
    topic: &str,
    filter: Option<FilterExpression>,
    invisible_s: i64,
) -> (Code, Vec<Message>) {
    let r = ReceiveMessageRequest {
        group: Some(res(group)),
        message_queue: Some(MessageQueue {
            topic: Some(res(topic)),
            id: -1,
            ..Default::default()
        }),
        filter_expression: filter,
        batch_size: 16,
        invisible_duration: Some(prost_types::Duration {
            seconds: invisible_s,
            nanos: 0,
        }),
        auto_renew: false,
        long_polling_timeout: Some(prost_types::Duration {
            seconds: 2,
            nanos: 0,
        }),
        attempt_id: None,
    };
    let mut stream = c.receive_message(req(r)).await.unwrap().into_inner();
    let (mut status, mut msgs, mut saw_time) = (Code::Unspecified, Vec::new(), false);
    while let Some(item) = stream.message().await.unwrap() {
        match item.content.unwrap() {
            Content::Status(s) => status = Code::try_from(s.code).unwrap(),
            Content::Message(m) => msgs.push(m),
            Content::DeliveryTimestamp(_) => saw_time = true,
        }
    }
    assert!(saw_time, "the stream ends with the delivery timestamp");
    (status, msgs)
}

pub fn handle(m: &Message) -> String {
    m.system_properties
        .as_ref()
        .unwrap()
        .receipt_handle
        .clone()
        .unwrap()
}

pub async fn ack(
    c: &mut MessagingServiceClient<Channel>,
    group: &str,
    topic: &str,
    h: String,
) -> AckMessageResponse {
    let r = AckMessageRequest {
        group: Some(res(group)),
        topic: Some(res(topic)),
        entries: vec![AckMessageEntry {
            message_id: String::new(),
            receipt_handle: h,
            lite_topic: None,
        }],
    };
    c.ack_message(req(r)).await.unwrap().into_inner()
}
