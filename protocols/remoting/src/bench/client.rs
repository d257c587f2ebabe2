//! A minimal asynchronous remoting client for the load generator: one TCP (or TLS) connection, requests
//! matched to answers by opaque, many requests in flight. Speaks what real clients speak (JSON headers), so the same
//! generator measures mqgate, Apache RocketMQ and other brokers alike.

use crate::codec::{frame, Command, FrameLimits};
use bytes::BytesMut;
use mqgate_transport::tls::TlsClient;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

type Pending = Arc<Mutex<HashMap<i32, oneshot::Sender<Command>>>>;

/// The host part of `host:port` (brackets of an IPv6 literal removed), for TLS server names.
pub(crate) fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// Writes queued frames, coalescing whatever is queued into one write.
async fn write_loop<W: AsyncWrite + Unpin>(mut wr: W, mut rx: mpsc::Receiver<BytesMut>) {
    let mut batch = Vec::with_capacity(128);
    let mut buf = BytesMut::with_capacity(256 << 10);
    while rx.recv_many(&mut batch, 128).await > 0 {
        for b in batch.drain(..) {
            buf.extend_from_slice(&b);
        }
        if wr.write_all(&buf).await.is_err() {
            break;
        }
        buf.clear();
    }
}

/// Reads answers and hands each to the request waiting for its opaque.
async fn read_loop<R: AsyncRead + Unpin>(mut rd: R, pending: Pending) {
    let mut buf = BytesMut::with_capacity(256 << 10);
    let limits = FrameLimits {
        max_frame: 64 << 20,
        max_header: 1 << 20,
    };
    loop {
        loop {
            match frame::decode(&mut buf, &limits) {
                Ok(Some(cmd)) => {
                    if cmd.is_response() {
                        if let Some(tx) = pending.lock().remove(&cmd.opaque) {
                            let _ = tx.send(cmd);
                        }
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    pending.lock().clear();
                    return;
                }
            }
        }
        match rd.read_buf(&mut buf).await {
            Ok(0) | Err(_) => {
                pending.lock().clear();
                return;
            }
            Ok(_) => {}
        }
    }
}

/// One connection.
#[derive(Clone)]
pub struct Connection {
    tx: mpsc::Sender<BytesMut>,
    pending: Pending,
    opaque: Arc<AtomicI32>,
}

impl Connection {
    /// Connects to `addr` (`host:port`), over TLS when `tls` is given.
    pub async fn connect(addr: &str, tls: Option<&TlsClient>) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let pending: Pending = Arc::default();
        let (tx, rx) = mpsc::channel::<BytesMut>(4096);
        match tls {
            None => {
                let (rd, wr) = stream.into_split();
                tokio::spawn(write_loop(wr, rx));
                tokio::spawn(read_loop(rd, pending.clone()));
            }
            Some(tls) => {
                let stream = tls.connect(stream, host_of(addr)).await?;
                let (rd, wr) = tokio::io::split(stream);
                tokio::spawn(write_loop(wr, rx));
                tokio::spawn(read_loop(rd, pending.clone()));
            }
        }
        Ok(Connection {
            tx,
            pending,
            opaque: Arc::new(AtomicI32::new(1)),
        })
    }

    /// Sends `cmd` and waits up to `timeout` for its answer.
    pub async fn call(&self, mut cmd: Command, timeout: Duration) -> io::Result<Command> {
        cmd.opaque = self.opaque.fetch_add(1, Ordering::Relaxed) & 0x7FFF_FFFF;
        cmd.language = "JAVA".into();
        let (tx, rx) = oneshot::channel();
        self.pending.lock().insert(cmd.opaque, tx);
        let mut out = BytesMut::new();
        frame::encode(&cmd, &mut out);
        if self.tx.send(out).await.is_err() {
            self.pending.lock().remove(&cmd.opaque);
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "connection closed",
            ));
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(_)) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "connection closed",
            )),
            Err(_) => {
                self.pending.lock().remove(&cmd.opaque);
                Err(io::Error::new(io::ErrorKind::TimedOut, "request timed out"))
            }
        }
    }
}
