//! An in-process HTTP front-end on 127.0.0.1:0 over a temporary engine, and a small hyper client.
#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use mqgate_engine::{Engine, EngineConfig};
use mqgate_openmessaging::{HttpFrontend, HttpSettings};
use mqgate_transport::{Connection, Frontend, FrontendContext};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn start() -> Server {
    start_with(HttpSettings::default(), EngineConfig::default()).await
}

pub async fn start_with(settings: HttpSettings, mut engine_config: EngineConfig) -> Server {
    let dir = tempfile::tempdir().unwrap();
    engine_config.data_dir = dir.path().to_path_buf();
    engine_config.segment_size = 16 << 20;
    let engine = Engine::open(engine_config).unwrap();
    let ctx = Arc::new(FrontendContext {
        engine: engine.clone(),
        advertised_address: "127.0.0.1:1".into(),
    });
    let frontend = Arc::new(HttpFrontend::new(settings));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, peer)) = listener.accept().await {
            let (fe, ctx) = (frontend.clone(), ctx.clone());
            tokio::spawn(async move {
                let conn = Connection {
                    stream: Box::new(tcp),
                    peer,
                    local: addr,
                    tls: None,
                    socket: None,
                };
                fe.serve(conn, ctx).await;
            });
        }
    });
    Server {
        addr,
        engine,
        _dir: dir,
    }
}

impl Server {
    /// One HTTP/1.1 request on a new connection.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let io = TokioIo::new(TcpStream::connect(self.addr).await.unwrap());
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        let req = request(method, path, headers, body);
        read(sender.send_request(req).await.unwrap()).await
    }

    /// One HTTP/2 (prior knowledge) request on a new connection.
    pub async fn send_h2(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let io = TokioIo::new(TcpStream::connect(self.addr).await.unwrap());
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .unwrap();
        tokio::spawn(conn);
        let req = request(
            method,
            &format!("http://{}{path}", self.addr),
            headers,
            body,
        );
        read(sender.send_request(req).await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"").await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(
            "POST",
            path,
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await
    }
}

fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> hyper::Request<Full<Bytes>> {
    let mut b = hyper::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(Bytes::copy_from_slice(body))).unwrap()
}

async fn read(resp: hyper::Response<hyper::body::Incoming>) -> Reply {
    let (parts, body) = resp.into_parts();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

pub fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

pub fn unb64(v: &Value) -> String {
    use base64::Engine as _;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}
