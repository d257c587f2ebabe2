//! Opening and closing one AMQP 1.0 connection with one session and one link, the only shape this tool uses.
//!
//! SASL PLAIN comes from the user and password in the URL (fe2o3 picks it when they are present). Closing is
//! best effort: a benchmark's numbers are already taken when links close, so close errors are ignored.

use fe2o3_amqp::connection::ConnectionHandle;
use fe2o3_amqp::link::receiver::CreditMode;
use fe2o3_amqp::sasl_profile::SaslProfile;
use fe2o3_amqp::session::SessionHandle;
use fe2o3_amqp::{Connection, Receiver, Sender, Session};
use tokio::net::TcpStream;
use url::Url;

pub type Error = String;

/// A connection, its session and one link.
pub struct Link<L> {
    conn: ConnectionHandle<()>,
    session: SessionHandle<()>,
    pub link: L,
}

/// Connects like fe2o3's `Connection::open(id, url)` (SASL from the URL's credentials), with Nagle's
/// algorithm switched off when `nodelay` (as Qpid JMS and most clients do by default).
async fn open_connection(
    url: &str,
    id: &str,
    nodelay: bool,
) -> Result<ConnectionHandle<()>, Error> {
    if !nodelay {
        return Connection::open(id.to_string(), url)
            .await
            .map_err(|e| format!("connect {id}: {e}"));
    }
    let parsed = Url::parse(url).map_err(|e| format!("url {url}: {e}"))?;
    let addrs = parsed
        .socket_addrs(|| Some(5672))
        .map_err(|e| format!("url {url}: {e}"))?;
    let stream = TcpStream::connect(&*addrs)
        .await
        .map_err(|e| format!("connect {id} to {url}: {e}"))?;
    stream
        .set_nodelay(true)
        .map_err(|e| format!("nodelay {id}: {e}"))?;
    let mut builder = Connection::builder()
        .container_id(id.to_string())
        .scheme(parsed.scheme())
        .hostname(parsed.host_str());
    if let Ok(profile) = SaslProfile::try_from(&parsed) {
        builder = builder.sasl_profile(profile);
    }
    builder
        .open_with_stream(stream)
        .await
        .map_err(|e| format!("open {id}: {e}"))
}

async fn open_session(
    url: &str,
    id: &str,
    nodelay: bool,
) -> Result<(ConnectionHandle<()>, SessionHandle<()>), Error> {
    let mut conn = open_connection(url, id, nodelay).await?;
    let session = Session::begin(&mut conn)
        .await
        .map_err(|e| format!("begin {id}: {e}"))?;
    Ok((conn, session))
}

/// Opens a sender link named after `id` to `address`.
pub async fn open_sender(
    url: &str,
    address: &str,
    id: &str,
    nodelay: bool,
) -> Result<Link<Sender>, Error> {
    let (conn, mut session) = open_session(url, id, nodelay).await?;
    let link = Sender::attach(&mut session, format!("{id}-sender"), address)
        .await
        .map_err(|e| format!("attach sender {id} to {address}: {e}"))?;
    Ok(Link {
        conn,
        session,
        link,
    })
}

/// Opens a receiver link from `address` whose credit is refilled up to `credit`.
pub async fn open_receiver(
    url: &str,
    address: &str,
    id: &str,
    credit: u32,
    nodelay: bool,
) -> Result<Link<Receiver>, Error> {
    let (conn, mut session) = open_session(url, id, nodelay).await?;
    let link = Receiver::builder()
        .name(format!("{id}-receiver"))
        .source(address)
        .credit_mode(CreditMode::Auto(credit))
        .attach(&mut session)
        .await
        .map_err(|e| format!("attach receiver {id} to {address}: {e}"))?;
    Ok(Link {
        conn,
        session,
        link,
    })
}

impl Link<Sender> {
    pub async fn close(mut self) {
        let _ = self.link.close().await;
        let _ = self.session.end().await;
        let _ = self.conn.close().await;
    }
}

impl Link<Receiver> {
    pub async fn close(mut self) {
        let _ = self.link.close().await;
        let _ = self.session.end().await;
        let _ = self.conn.close().await;
    }
}
