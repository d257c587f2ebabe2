//! One connection: a read loop that decodes frames and runs each request as its own task (so long-polled pulls
//! never block sends on the same connection), and a writer task that coalesces answers. Bounded everywhere:
//! frame and header limits, at most `max_in_flight` requests in progress (reading pauses beyond), an idle
//! timeout, and a write timeout that closes the connection of a client that stops reading.
//! A request that was read is never dropped because the connection closed: only waiting pulls are cut short.

use super::outbound::{Outbound, Peer};
use super::state::Shared;
use crate::codec::{codes, frame};
use crate::handlers;
use bytes::{BufMut, BytesMut};
use mqgate_transport::Stream;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::WriteHalf;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

/// Queued frames per connection before senders wait.
const WRITE_QUEUE: usize = 1024;
/// Body parts larger than this are written directly instead of being copied into the write buffer.
const COPY_LIMIT: usize = 16 << 10;

/// Requests that may wait for messages (long-polled pulls). At close they are cut short rather than kept
/// waiting, up to the suspend timeout, to answer a client that is gone.
fn may_wait(code: i32) -> bool {
    matches!(code, codes::PULL_MESSAGE | codes::LITE_PULL_MESSAGE)
}

/// Serves one connection until it closes, then forgets its clients and tells their groups.
pub async fn serve(stream: Box<dyn Stream>, addr: SocketAddr, shared: Arc<Shared>) {
    let id = shared.next_connection_id();
    let (mut rd, wr) = tokio::io::split(stream);
    let (tx, rx) = mpsc::channel(WRITE_QUEUE);
    let (closed_tx, mut closed_rx) = watch::channel(false);
    let peer = Peer::new(id, addr, tx);
    let write_timeout = Duration::from_secs(shared.settings.write_timeout_secs.max(1));
    let writer = tokio::spawn(write_loop(wr, rx, write_timeout, closed_tx));
    let limits = shared.settings.frame_limits();
    let idle = Duration::from_secs(shared.settings.idle_timeout_secs.max(1));
    let permits = Arc::new(Semaphore::new(shared.settings.max_in_flight.max(1)));
    let mut tasks = JoinSet::new();
    let mut polls = JoinSet::new();
    let mut buf = BytesMut::with_capacity(64 << 10);
    tracing::debug!(conn = id, %addr, "remoting connection opened");
    'conn: loop {
        loop {
            let cmd = match frame::decode(&mut buf, &limits) {
                Ok(Some(cmd)) => cmd,
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!(conn = id, %addr, error = %e, "malformed frame; closing the connection");
                    break 'conn;
                }
            };
            if cmd.is_response() {
                // Answers to requests mqgate sent (checks, notices are oneway; reply pushes are acknowledged).
                continue;
            }
            let permit = tokio::select! {
                p = permits.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => break 'conn,
                },
                _ = closed_rx.changed() => break 'conn,
            };
            let (shared, peer) = (shared.clone(), peer.clone());
            let set = if may_wait(cmd.code) {
                &mut polls
            } else {
                &mut tasks
            };
            set.spawn(async move {
                let _permit = permit;
                let oneway = cmd.is_oneway();
                let out = handlers::dispatch(&shared, &peer, cmd).await;
                if let (false, Some(out)) = (oneway, out) {
                    peer.send(out).await;
                }
            });
            while tasks.try_join_next().is_some() {}
            while polls.try_join_next().is_some() {}
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(64 << 10);
        }
        tokio::select! {
            r = tokio::time::timeout(idle, rd.read_buf(&mut buf)) => match r {
                Ok(Ok(0)) => break,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::debug!(conn = id, error = %e, "read failed");
                    break;
                }
                Err(_) => {
                    tracing::debug!(conn = id, "idle timeout; closing the connection");
                    break;
                }
            },
            _ = closed_rx.changed() => break,
        }
    }
    // Like a Java broker, finish what was read: a client may send oneway messages or offsets and close at once.
    // Their answers have nowhere to go (the writer is gone, so sends fail fast). This runs before the
    // connection's clients are forgotten, so a late heartbeat cannot register them again.
    writer.abort();
    polls.abort_all();
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(write_timeout, drain).await.is_err() {
        tracing::info!(
            conn = id,
            "requests still running {write_timeout:?} after close; aborting them"
        );
        tasks.abort_all();
    }
    let changes = shared.registry.connection_closed(id);
    shared.notify_changes(changes);
    tracing::debug!(conn = id, %addr, "remoting connection closed");
}

async fn write_loop(
    mut wr: WriteHalf<Box<dyn Stream>>,
    mut rx: mpsc::Receiver<Outbound>,
    timeout: Duration,
    closed: watch::Sender<bool>,
) {
    let mut buf = BytesMut::with_capacity(64 << 10);
    let mut batch = Vec::with_capacity(64);
    while rx.recv_many(&mut batch, 64).await > 0 {
        if batch.len() < 64 {
            // Answers to requests read together finish together: let the handlers still running queue theirs
            // first, so one write carries them all (one send per answer was a quarter of the broker's CPU).
            tokio::task::yield_now().await;
            while batch.len() < 256 {
                match rx.try_recv() {
                    Ok(out) => batch.push(out),
                    Err(_) => break,
                }
            }
        }
        let res = tokio::time::timeout(timeout, async {
            for out in batch.drain(..) {
                buf.put_slice(&out.head);
                for part in out.body {
                    if part.len() <= COPY_LIMIT {
                        buf.put_slice(&part);
                    } else {
                        wr.write_all(&buf).await?;
                        buf.clear();
                        wr.write_all(&part).await?;
                    }
                }
                if buf.len() >= 256 << 10 {
                    wr.write_all(&buf).await?;
                    buf.clear();
                }
            }
            if !buf.is_empty() {
                wr.write_all(&buf).await?;
                buf.clear();
            }
            Ok::<(), std::io::Error>(())
        })
        .await;
        match res {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "write failed; closing the connection");
                break;
            }
            Err(_) => {
                tracing::info!("client stopped reading for {timeout:?}; closing the connection");
                break;
            }
        }
        if buf.capacity() > 4 << 20 {
            buf = BytesMut::with_capacity(64 << 10);
        }
    }
    let _ = closed.send(true);
    let _ = wr.shutdown().await;
}
