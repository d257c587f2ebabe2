//! The session layer: routes a decoded request to its handler, calls the engine, and returns an [`Answer`]
//! (status, headers, body) for the shell to write. HTTP is stateless, so the only state is shared:
//! the engine, the settings and a cache of compiled filters. Never panics on client input: every failure is an
//! [`ApiError`] turned into a problem answer here.

mod consume;
mod filter;
mod offsets;
mod produce;

use crate::codec::problem;
use crate::error::ApiError;
use crate::settings::HttpSettings;
use bytes::Bytes;
use http::{HeaderMap, Method};
use mqgate_engine::Engine;
use mqgate_filter::{FilterCache, Limits};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;

/// The OpenAPI document of this API, served at [`OPENAPI_PATH`].
pub const OPENAPI: &str = include_str!("../../openapi.json");
/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/oms/v1/openapi.json";

/// What every request handler shares.
pub struct Service {
    pub(crate) engine: Arc<Engine>,
    pub(crate) settings: Arc<HttpSettings>,
    pub(crate) filters: FilterCache,
}

impl Service {
    /// A service over `engine` with `settings`.
    pub fn new(engine: Arc<Engine>, settings: Arc<HttpSettings>) -> Self {
        Service {
            engine,
            settings,
            filters: FilterCache::new(FilterCache::DEFAULT_CAPACITY, Limits::default()),
        }
    }
}

/// A request as the session sees it: head fields and the whole body.
#[derive(Debug)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Path, still percent-encoded.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// Headers.
    pub headers: HeaderMap,
    /// The client's address.
    pub peer: SocketAddr,
}

/// What to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when there is a body.
    pub content_type: Option<&'static str>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Bytes,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, value: &Value) -> Self {
        Self::typed(status, "application/json", value)
    }

    /// A JSON answer with another JSON media type.
    pub fn typed(status: u16, content_type: &'static str, value: &Value) -> Self {
        Answer {
            status,
            content_type: Some(content_type),
            headers: Vec::new(),
            body: Bytes::from(value.to_string()),
        }
    }

    /// An answer without a body.
    pub fn empty(status: u16) -> Self {
        Answer {
            status,
            content_type: None,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// The problem answer for `err`.
    pub fn problem(err: &ApiError) -> Self {
        let mut a = Self::typed(
            err.status(),
            problem::CONTENT_TYPE,
            &problem::problem_json(err),
        );
        if let ApiError::MethodNotAllowed { allow, .. } = err {
            a.headers.push(("allow", (*allow).to_string()));
        }
        a
    }
}

/// The resource a request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /healthz`.
    Health,
    /// `GET /readyz`.
    Ready,
    /// `GET /oms/v1/openapi.json`.
    OpenApi,
    /// `POST /oms/v1/topics/{topic}/messages`.
    Produce(String),
    /// `GET /oms/v1/topics/{topic}/messages`.
    Consume(String),
    /// `POST /oms/v1/topics/{topic}/ack`.
    Ack(String),
    /// `POST /oms/v1/topics/{topic}/nack`.
    Nack(String),
    /// `GET /oms/v1/topics/{topic}/queues`.
    Queues(String),
    /// `GET /oms/v1/topics/{topic}/queues/{queueId}/messages`.
    ReadQueue(String, String),
}

/// Finds the route of (`method`, `path`). Path segments are percent-decoded.
pub fn route(method: &Method, path: &str) -> Result<Route, ApiError> {
    let not_allowed = |allow: &'static str| ApiError::MethodNotAllowed {
        method: method.to_string(),
        allow,
    };
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let get_only = |r: Route| {
        if method == Method::GET {
            Ok(r)
        } else {
            Err(not_allowed("GET"))
        }
    };
    let post_only = |r: Route| {
        if method == Method::POST {
            Ok(r)
        } else {
            Err(not_allowed("POST"))
        }
    };
    match seg.as_slice() {
        ["healthz"] => get_only(Route::Health),
        ["readyz"] => get_only(Route::Ready),
        ["oms", "v1", "openapi.json"] => get_only(Route::OpenApi),
        ["oms", "v1", "topics", t, "messages"] => match *method {
            Method::GET => Ok(Route::Consume(t.to_string())),
            Method::POST => Ok(Route::Produce(t.to_string())),
            _ => Err(not_allowed("GET, POST")),
        },
        ["oms", "v1", "topics", t, "ack"] => post_only(Route::Ack(t.to_string())),
        ["oms", "v1", "topics", t, "nack"] => post_only(Route::Nack(t.to_string())),
        ["oms", "v1", "topics", t, "queues"] => get_only(Route::Queues(t.to_string())),
        ["oms", "v1", "topics", t, "queues", q, "messages"] => {
            get_only(Route::ReadQueue(t.to_string(), q.to_string()))
        }
        _ => Err(ApiError::NotFound(path.to_string())),
    }
}

/// Answers one request.
pub async fn handle(svc: &Service, req: Request, body: Bytes) -> Answer {
    let result = match route(&req.method, &req.path) {
        Ok(r) => dispatch(svc, r, &req, body).await,
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| {
        if e.is_internal() {
            if let Some(suppressed) = mqgate_engine::log_limit::allow("http-internal-error") {
                tracing::error!(error = %e, path = %req.path, suppressed, "HTTP request failed");
            }
        }
        Answer::problem(&e)
    })
}

async fn dispatch(
    svc: &Service,
    route: Route,
    req: &Request,
    body: Bytes,
) -> Result<Answer, ApiError> {
    match route {
        Route::Health => Ok(Answer::json(200, &serde_json::json!({"status": "up"}))),
        Route::Ready => Ok(ready(svc)),
        Route::OpenApi => Ok(Answer {
            status: 200,
            content_type: Some("application/json"),
            headers: Vec::new(),
            body: Bytes::from_static(OPENAPI.as_bytes()),
        }),
        Route::Produce(topic) => produce::produce(svc, &topic, req, body).await,
        Route::Consume(topic) => consume::consume(svc, &topic, req).await,
        Route::Ack(topic) => consume::ack(svc, &topic, &body),
        Route::Nack(topic) => consume::nack(svc, &topic, &body),
        Route::Queues(topic) => offsets::queues(svc, &topic),
        Route::ReadQueue(topic, queue) => offsets::read(svc, &topic, &queue, req).await,
    }
}

/// Ready once the engine has recovered its log (it has, when this listener runs) and is not shutting down.
fn ready(svc: &Service) -> Answer {
    let report = svc.engine.recovery_report();
    Answer::json(
        200,
        &serde_json::json!({"status": "ready", "recoveredRecords": report.records}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_method_and_path() {
        assert_eq!(route(&Method::GET, "/healthz").unwrap(), Route::Health);
        assert_eq!(
            route(&Method::POST, "/oms/v1/topics/T1/messages").unwrap(),
            Route::Produce("T1".into())
        );
        assert_eq!(
            route(&Method::GET, "/oms/v1/topics/%25DLQ%25G/messages").unwrap(),
            Route::Consume("%DLQ%G".into())
        );
        assert_eq!(
            route(&Method::GET, "/oms/v1/topics/T/queues/3/messages").unwrap(),
            Route::ReadQueue("T".into(), "3".into())
        );
        let e = route(&Method::DELETE, "/oms/v1/topics/T/messages").unwrap_err();
        assert_eq!(e.status(), 405);
        assert_eq!(route(&Method::GET, "/nope").unwrap_err().status(), 404);
        assert_eq!(
            route(&Method::GET, "/oms/v1/topics/T/ack")
                .unwrap_err()
                .status(),
            405
        );
    }

    #[test]
    fn the_openapi_document_is_valid_json_for_every_route() {
        let doc: Value = serde_json::from_str(OPENAPI).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/healthz",
            "/readyz",
            "/oms/v1/openapi.json",
            "/oms/v1/topics/{topic}/messages",
            "/oms/v1/topics/{topic}/ack",
            "/oms/v1/topics/{topic}/nack",
            "/oms/v1/topics/{topic}/queues",
            "/oms/v1/topics/{topic}/queues/{queueId}/messages",
        ] {
            assert!(paths.contains_key(p), "{p} missing from openapi.json");
        }
    }
}
