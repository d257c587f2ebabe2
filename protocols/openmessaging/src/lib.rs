//! mqgate's HTTP front-end: the OpenMessaging HTTP binding and CloudEvents 1.0 over HTTP, on hyper
//! (HTTP/1.1 with keep-alive, and HTTP/2).
//!
//! - produce: `POST /oms/v1/topics/{topic}/messages` — the body is the payload, `x-oms-h-*` headers are OMS
//!   system headers, `x-oms-p-*` user properties; or a JSON envelope list (`application/json`); or CloudEvents
//!   (binary `ce-*` headers, `application/cloudevents+json`, `application/cloudevents-batch+json`);
//! - consume: `GET /oms/v1/topics/{topic}/messages?group=G&max=N&wait=MS&filter=SQL` (long poll, pop
//!   semantics), `POST …/ack` and `POST …/nack` with receipt handles;
//! - offset reads: `GET /oms/v1/topics/{topic}/queues` and `…/queues/{queueId}/messages?offset=O`;
//! - `GET /healthz`, `GET /readyz`, and the OpenAPI document at `GET /oms/v1/openapi.json`
//!   (kept in `openapi.json` next to this crate's manifest).
//!
//! Errors are `application/problem+json` objects with a stable `code`. Layers: `codec` (pure mapping of
//! requests and answers), `session` (routing and engine calls), `shell` (hyper, limits, timeouts).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
mod error;
pub mod session;
mod settings;
mod shell;

pub use error::{ApiError, HandleFailure};
pub use session::{Service, OPENAPI, OPENAPI_PATH};
pub use settings::HttpSettings;

use async_trait::async_trait;
use mqgate_transport::{Connection, Frontend, FrontendContext};
use std::sync::{Arc, Mutex};

/// The HTTP front-end (listener name `http`).
#[derive(Default)]
pub struct HttpFrontend {
    settings: Arc<HttpSettings>,
    /// Shared by every connection (its filter cache above all); rebuilt if handed another engine.
    service: Mutex<Option<Arc<Service>>>,
}

impl HttpFrontend {
    /// A front-end with these settings.
    pub fn new(settings: HttpSettings) -> Self {
        HttpFrontend {
            settings: Arc::new(settings),
            service: Mutex::new(None),
        }
    }

    fn service(&self, ctx: &FrontendContext) -> Arc<Service> {
        let mut slot = self.service.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(s) if Arc::ptr_eq(&s.engine, &ctx.engine) => s.clone(),
            _ => {
                let s = Arc::new(Service::new(ctx.engine.clone(), self.settings.clone()));
                *slot = Some(s.clone());
                s
            }
        }
    }
}

#[async_trait]
impl Frontend for HttpFrontend {
    fn name(&self) -> &'static str {
        "http"
    }

    /// HTTP/1.x request lines. On its own listener the default front-end is asked first, so the HTTP/2
    /// preface is claimed too (h2c with prior knowledge, and h2 after TLS); on other ports the gRPC front-end
    /// is registered earlier and keeps it.
    fn sniff(&self, first_bytes: &[u8]) -> bool {
        mqgate_transport::sniff::is_http1_request(first_bytes)
            || mqgate_transport::sniff::is_http2_preface(first_bytes)
    }

    async fn serve(&self, conn: Connection, ctx: Arc<FrontendContext>) {
        shell::serve_connection(self.service(&ctx), conn).await;
    }
}
