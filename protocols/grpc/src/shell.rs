//! The shell: serves one HTTP/2 connection (any byte stream: TCP today, TLS tomorrow) with the gRPC service,
//! with bounded streams, frame and header sizes. Recognises the HTTP/2 client preface for shared ports.

use crate::error::ConnectionError;
use crate::pb::messaging_service_server::MessagingServiceServer;
use crate::service::Service;
use crate::state::Shared;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// The HTTP/2 connection preface every gRPC client sends first.
pub const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// True when `first_bytes` start like the HTTP/2 preface (a prefix of it is enough when fewer bytes arrived).
pub fn sniff(first_bytes: &[u8]) -> bool {
    let n = first_bytes.len().min(HTTP2_PREFACE.len());
    n >= 3 && first_bytes[..n] == HTTP2_PREFACE[..n]
}

/// Serves gRPC on one connection until the client closes it.
pub async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    shared: Arc<Shared>,
) -> Result<(), ConnectionError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let s = &shared.settings;
    let grpc = MessagingServiceServer::new(Service::new(shared.clone(), peer))
        .max_decoding_message_size(s.max_request_bytes)
        .max_encoding_message_size(s.max_response_bytes);
    let mut http = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    http.timer(TokioTimer::new())
        .max_concurrent_streams(s.max_streams_per_connection)
        .max_header_list_size(64 << 10)
        .max_frame_size(1 << 20)
        .initial_stream_window_size(1 << 20)
        .initial_connection_window_size(4 << 20)
        .keep_alive_interval(Duration::from_secs(60))
        .keep_alive_timeout(Duration::from_secs(20));
    http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(grpc))
        .await
        .map_err(|e| ConnectionError::Http(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http2_preface_is_recognised() {
        assert!(sniff(HTTP2_PREFACE));
        assert!(sniff(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04"));
        assert!(sniff(b"PRI *"));
        assert!(!sniff(b"GET / HTTP/1.1\r\n"));
        assert!(!sniff(b"\0\0\0\x10"));
        assert!(!sniff(b""));
    }
}
