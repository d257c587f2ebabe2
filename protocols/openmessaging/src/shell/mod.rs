//! The shell: serves one accepted connection with hyper (HTTP/1.1 with keep-alive, or HTTP/2 — prior
//! knowledge or ALPN — chosen by `hyper-util`'s auto builder), enforces the transport limits (header count
//! and size, header and body read timeouts, body size), collects each request body and hands the request to
//! the session. Holds no protocol logic.

use crate::session::{self, Answer, Service};
use crate::settings::HttpSettings;
use crate::ApiError;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use mqgate_transport::Connection;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// hyper refuses read buffers below this size.
const MIN_HTTP1_BUFFER: usize = 8192;

/// The connection builder with this front-end's limits.
fn builder(s: &HttpSettings) -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    b.http1()
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(s.header_read_timeout())
        .max_headers(s.max_headers.max(1))
        .max_buf_size(s.max_header_bytes.max(MIN_HTTP1_BUFFER));
    b.http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(s.max_concurrent_streams.max(1))
        .max_header_list_size(u32::try_from(s.max_header_bytes).unwrap_or(u32::MAX))
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(20));
    b
}

/// Serves `conn` until the client closes it or a limit closes it.
pub async fn serve_connection(svc: Arc<Service>, conn: Connection) {
    let peer = conn.peer;
    let b = builder(&svc.settings);
    let service = service_fn(move |req: hyper::Request<Incoming>| {
        let svc = svc.clone();
        async move { Ok::<_, Infallible>(respond(&svc, req, peer).await) }
    });
    if let Err(e) = b.serve_connection(TokioIo::new(conn.stream), service).await {
        tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
    }
}

/// Reads the body within the limits, then lets the session answer.
async fn respond(
    svc: &Service,
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let limit = svc.settings.max_body_bytes;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return to_response(Answer::problem(&ApiError::PayloadTooLarge { limit }));
    }
    let timeout = svc.settings.body_read_timeout();
    let body = match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => return to_response(Answer::problem(&ApiError::BodyTimeout(timeout))),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return to_response(Answer::problem(&ApiError::PayloadTooLarge { limit }))
        }
        Ok(Err(e)) => {
            return to_response(Answer::problem(&ApiError::bad_request(format!(
                "the request body could not be read: {e}"
            ))))
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let request = session::Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        peer,
    };
    to_response(session::handle(svc, request, body).await)
}

/// An [`Answer`] as a hyper response.
fn to_response(a: Answer) -> hyper::Response<Full<Bytes>> {
    let mut r = hyper::Response::new(Full::new(a.body));
    *r.status_mut() =
        http::StatusCode::from_u16(a.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    if let Some(ct) = a.content_type {
        h.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(ct),
        );
    }
    for (name, value) in a.headers {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            h.append(name, v);
        }
    }
    r
}
