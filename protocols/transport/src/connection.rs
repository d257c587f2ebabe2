//! An accepted connection as front-ends see it: a byte stream (plain TCP or TLS, with any bytes already read
//! for sniffing put back in front), the real client address (after PROXY protocol) and TLS facts.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Any bidirectional byte stream a front-end can serve.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Stream for T {}

/// What TLS negotiated, when the connection is encrypted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsInfo {
    /// ALPN protocol chosen, if any.
    pub alpn: Option<Vec<u8>>,
    /// SNI host name the client asked for.
    pub server_name: Option<String>,
    /// True when the client presented a verified certificate (mTLS).
    pub client_authenticated: bool,
}

/// One accepted connection.
pub struct Connection {
    /// The byte stream.
    pub stream: Box<dyn Stream>,
    /// The client's address (from the PROXY header when one was sent).
    pub peer: SocketAddr,
    /// The local address the client connected to.
    pub local: SocketAddr,
    /// Set when the connection is TLS.
    pub tls: Option<TlsInfo>,
    /// The TCP socket underneath, for socket options a front-end sets while serving (`None` in tests that serve
    /// in-memory streams).
    pub socket: Option<SocketHandle>,
}

/// A second descriptor of an accepted TCP socket, so a front-end can set socket options on it whatever layers
/// (TLS, replayed bytes) wrap the stream.
#[derive(Debug, Clone)]
pub struct SocketHandle(Arc<OwnedFd>);

impl SocketHandle {
    /// A handle on `tcp`'s socket (`None` if the descriptor cannot be duplicated, e.g. out of descriptors).
    pub fn of(tcp: &impl AsFd) -> Option<SocketHandle> {
        tcp.as_fd()
            .try_clone_to_owned()
            .ok()
            .map(|fd| SocketHandle(Arc::new(fd)))
    }

    /// Acknowledges what was received at once rather than after the delayed-ACK timer (Linux; elsewhere a
    /// no-op). Linux leaves quick-ACK mode on its own, so call it after each read. A front-end that stops
    /// sending while waiting for the peer's next small frame (AMQP credit) otherwise stalls a client that
    /// leaves Nagle's algorithm on for up to 40 ms.
    pub fn quickack(&self) {
        #[cfg(target_os = "linux")]
        {
            let _ = socket2::SockRef::from(&*self.0).set_tcp_quickack(true);
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("peer", &self.peer)
            .field("local", &self.local)
            .field("tls", &self.tls)
            .field("socket", &self.socket.is_some())
            .finish()
    }
}

/// A stream with bytes already read from it put back in front.
#[derive(Debug)]
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    at: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    /// Replays `prefix` before reading from `inner`.
    pub fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            at: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.at < self.prefix.len() {
            let n = (self.prefix.len() - self.at).min(buf.remaining());
            let at = self.at;
            buf.put_slice(&self.prefix[at..at + n]);
            self.at += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn prefixed_stream_replays_the_prefix_then_reads_on() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b" world").await.unwrap();
        drop(a);
        let mut s = Prefixed::new(b"hello".to_vec(), b);
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "hello world");
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn socket_handle_switches_the_accepted_socket_to_quick_acks() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = tokio::net::TcpStream::connect(listener.local_addr().unwrap());
        let (accepted, _client) = tokio::join!(listener.accept(), client);
        let (tcp, _) = accepted.unwrap();
        let handle = SocketHandle::of(&tcp).unwrap();
        let sock = socket2::SockRef::from(&tcp);
        sock.set_tcp_quickack(false).unwrap();
        assert!(!sock.tcp_quickack().unwrap());
        handle.quickack();
        assert!(
            sock.tcp_quickack().unwrap(),
            "the option reaches the original socket"
        );
    }
}
