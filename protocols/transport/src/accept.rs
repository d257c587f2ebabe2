//! The per-connection listener stack every port runs: optional PROXY protocol header (bounded in size and
//! time), then TLS according to the listener's mode (told apart from plaintext by the first byte), then protocol
//! sniffing so any port can serve any protocol, then the chosen front-end. A connection that fails a step is
//! closed with at most one (rate-limited) log line; nothing it sends can affect other connections.

use crate::connection::{Connection, Prefixed, SocketHandle, Stream, TlsInfo};
use crate::frontend::{Frontend, FrontendContext};
use crate::proxy::{self, ProxyError};
use crate::sniff::{self, Sniffed, PROTOCOL_SNIFF_LEN};
use crate::tls::{TlsEndpoint, TlsMode};
use mqgate_engine::log_limit;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;

/// Listener-stack settings beside TLS.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct StackSettings {
    /// Accept a HAProxy PROXY v1/v2 header before anything else (default off).
    pub proxy_protocol: bool,
    /// Recognise other protocols on this port by their first bytes (default on).
    pub sniff: bool,
    /// Longest wait for the PROXY header and for the first bytes, in ms.
    pub first_bytes_timeout_ms: u64,
}

impl Default for StackSettings {
    fn default() -> Self {
        StackSettings {
            proxy_protocol: false,
            sniff: true,
            first_bytes_timeout_ms: 10_000,
        }
    }
}

/// One listening port's stack.
pub struct ListenerStack {
    /// The protocol this port is for (used when sniffing is off or inconclusive).
    pub default: Arc<dyn Frontend>,
    /// Every front-end sniffing may pick.
    pub all: Vec<Arc<dyn Frontend>>,
    /// TLS endpoint, when the mode is not `disabled`.
    pub tls: Option<Arc<TlsEndpoint>>,
    /// TLS mode.
    pub mode: TlsMode,
    /// PROXY protocol and sniffing.
    pub settings: StackSettings,
    /// Engine and advertised address for the front-ends.
    pub ctx: Arc<FrontendContext>,
}

fn log_closed(name: &'static str, peer: SocketAddr, why: &str) {
    if let Some(suppressed) = log_limit::allow(name) {
        tracing::info!(%peer, suppressed, "connection closed: {why}");
    }
}

/// Reads into `buf` until `done(buf)` or EOF; false on EOF with nothing read or on an I/O error.
async fn fill<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
    done: impl Fn(&[u8]) -> bool,
) -> bool {
    let mut chunk = [0u8; 512];
    while !done(buf) && buf.len() < max {
        let want = (max - buf.len()).min(chunk.len());
        match r.read(&mut chunk[..want]).await {
            Ok(0) => return !buf.is_empty(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return false,
        }
    }
    true
}

impl ListenerStack {
    /// Runs the stack for one accepted TCP connection and hands it to a front-end.
    pub async fn handle(self: Arc<Self>, mut tcp: TcpStream, mut peer: SocketAddr) {
        let local = tcp.local_addr().unwrap_or(peer);
        let socket = SocketHandle::of(&tcp);
        let wait = Duration::from_millis(self.settings.first_bytes_timeout_ms);
        let mut buf = Vec::with_capacity(64);
        if self.settings.proxy_protocol {
            let read = tokio::time::timeout(
                wait,
                fill(&mut tcp, &mut buf, proxy::V2_MAX, |b| {
                    !b.is_empty() && !matches!(proxy::parse(b), Ok(None))
                }),
            )
            .await;
            match read {
                Err(_) => {
                    return log_closed("proxy-timeout", peer, "PROXY header not complete in time")
                }
                Ok(false) => return,
                Ok(true) => match proxy::parse(&buf) {
                    Ok(Some(h)) => {
                        peer = h.source.unwrap_or(peer);
                        buf.drain(..h.len);
                    }
                    Ok(None) => {
                        return log_closed(
                            "proxy-truncated",
                            peer,
                            "connection ended inside the PROXY header",
                        )
                    }
                    Err(ProxyError::NotProxy) => {}
                    Err(e) => return log_closed("proxy-malformed", peer, &e.to_string()),
                },
            }
        }
        if buf.is_empty() {
            match tokio::time::timeout(wait, fill(&mut tcp, &mut buf, 1, |b| !b.is_empty())).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(_) => return log_closed("idle", peer, "no bytes in time"),
            }
        }
        let (stream, tls): (Box<dyn Stream>, Option<TlsInfo>) =
            match (sniff::tls_or_plain(&buf), self.mode, &self.tls) {
                (Sniffed::Tls, TlsMode::Disabled, _) | (Sniffed::Tls, _, None) => {
                    return log_closed("tls-on-plain", peer, "TLS handshake on a port without TLS")
                }
                (Sniffed::Tls, _, Some(ep)) => {
                    let accept = ep
                        .acceptor()
                        .accept(Prefixed::new(std::mem::take(&mut buf), tcp));
                    match tokio::time::timeout(ep.handshake_timeout(), accept).await {
                        Ok(Ok(s)) => {
                            let (_, conn) = s.get_ref();
                            let info = TlsInfo {
                                alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
                                server_name: conn.server_name().map(str::to_string),
                                client_authenticated: conn
                                    .peer_certificates()
                                    .is_some_and(|c| !c.is_empty()),
                            };
                            (Box::new(s), Some(info))
                        }
                        Ok(Err(e)) => {
                            return log_closed(
                                "tls-handshake",
                                peer,
                                &format!("TLS handshake failed: {e}"),
                            )
                        }
                        Err(_) => {
                            return log_closed(
                                "tls-timeout",
                                peer,
                                "TLS handshake not finished in time",
                            )
                        }
                    }
                }
                (Sniffed::Other, TlsMode::Enforcing, _) => {
                    return log_closed("plain-on-tls", peer, "plaintext on a TLS-only port")
                }
                (Sniffed::Other, _, _) => {
                    (Box::new(Prefixed::new(std::mem::take(&mut buf), tcp)), None)
                }
            };
        let (frontend, stream) = if self.settings.sniff && self.all.len() > 1 {
            let mut stream = stream;
            let mut first = Vec::with_capacity(PROTOCOL_SNIFF_LEN);
            let got = tokio::time::timeout(
                wait,
                fill(&mut stream, &mut first, PROTOCOL_SNIFF_LEN, |b| {
                    b.len() >= PROTOCOL_SNIFF_LEN
                }),
            )
            .await;
            if matches!(got, Ok(false)) {
                return;
            }
            let chosen = if self.default.sniff(&first) {
                self.default.clone()
            } else {
                self.all
                    .iter()
                    .find(|f| f.sniff(&first))
                    .cloned()
                    .unwrap_or_else(|| self.default.clone())
            };
            (
                chosen,
                Box::new(Prefixed::new(first, stream)) as Box<dyn Stream>,
            )
        } else {
            (self.default.clone(), stream)
        };
        // The handle is a second descriptor: keep it only for a front-end that uses it.
        let socket = socket.filter(|_| frontend.wants_socket());
        frontend
            .serve(
                Connection {
                    stream,
                    peer,
                    local,
                    tls,
                    socket,
                },
                self.ctx.clone(),
            )
            .await;
    }
}
