//! What a connection writes: encoded frames queued to its writer task, and [`Peer`], the handle other tasks use
//! to reach a client (responses, consumer-change notices, transaction checks, request-reply pushes).

use crate::codec::{frame, Command};
use bytes::{Bytes, BytesMut};
use std::net::SocketAddr;
use tokio::sync::mpsc;

/// One encoded frame: its head (length, header-info, header) and the body in parts that are written as they
/// are (log bytes are never copied into the frame).
#[derive(Debug, Clone)]
pub struct Outbound {
    /// Length prefix, header-info word and header.
    pub head: Bytes,
    /// Body parts, written in order after the head.
    pub body: Vec<Bytes>,
}

impl Outbound {
    /// Encodes `cmd` with its own body.
    pub fn command(cmd: &Command) -> Self {
        let parts = if cmd.body.is_empty() {
            Vec::new()
        } else {
            vec![cmd.body.clone()]
        };
        Self::with_parts(cmd, parts)
    }

    /// Encodes `cmd` with a body made of `parts` (`cmd.body` is ignored).
    pub fn with_parts(cmd: &Command, parts: Vec<Bytes>) -> Self {
        let len = parts.iter().map(Bytes::len).sum();
        let mut head = BytesMut::new();
        frame::encode_head(cmd, len, &mut head);
        Outbound {
            head: head.freeze(),
            body: parts,
        }
    }

    /// Total bytes on the wire.
    pub fn len(&self) -> usize {
        self.head.len() + self.body.iter().map(Bytes::len).sum::<usize>()
    }

    /// True when there is nothing to write (never for a real frame).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A handle to one client connection.
#[derive(Debug, Clone)]
pub struct Peer {
    /// Connection id, unique within the process.
    pub id: u64,
    /// The client's address.
    pub addr: SocketAddr,
    tx: mpsc::Sender<Outbound>,
}

impl Peer {
    /// A handle writing into `tx`.
    pub fn new(id: u64, addr: SocketAddr, tx: mpsc::Sender<Outbound>) -> Self {
        Peer { id, addr, tx }
    }

    /// Queues a frame, waiting while the writer is full; false when the connection is gone.
    pub async fn send(&self, frame: Outbound) -> bool {
        self.tx.send(frame).await.is_ok()
    }

    /// Queues a frame if there is room now; false when full or gone (notices are best effort).
    pub fn try_send(&self, frame: Outbound) -> bool {
        self.tx.try_send(frame).is_ok()
    }

    /// True while the connection is open.
    pub fn is_open(&self) -> bool {
        !self.tx.is_closed()
    }
}
