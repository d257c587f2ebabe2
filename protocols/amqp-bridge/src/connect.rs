//! Connecting to the AMQP 0-9-1 broker (plain or `amqps://` with a private CA, rustls + ring) and the
//! reconnect loop shared by both directions: run a session, and when it ends with an error, record it, wait
//! a capped exponential backoff and start again, until the bridge is stopped.

use crate::config::{BridgeConfig, Direction};
use crate::BridgeContext;
use lapin::tcp::OwnedTLSConfig;
use lapin::{Connection, ConnectionProperties};
use std::time::Duration;
use tokio::sync::watch;

/// How a session ended: `Ok` when stopped, `Err` with the reason otherwise.
pub(crate) type SessionEnd = Result<(), String>;

/// Opens a connection (10 s timeout).
pub(crate) async fn connect(c: &BridgeConfig) -> Result<Connection, String> {
    let cert_chain = match &c.tls_ca {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read tls_ca {}: {e}", p.display()))?,
        ),
        None => None,
    };
    let tls = OwnedTLSConfig {
        identity: None,
        cert_chain,
    };
    let props = ConnectionProperties::default()
        .with_connection_name(format!("mqgate-bridge-{}", c.name).into());
    let runtime = lapin::runtime::default_runtime().map_err(|e| e.to_string())?;
    match tokio::time::timeout(
        Duration::from_secs(10),
        Connection::connect_with_config(&c.uri, props, tls, runtime),
    )
    .await
    {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(format!("cannot connect to {}: {e}", redact(&c.uri))),
        Err(_) => Err(format!(
            "cannot connect to {}: timed out after 10 s",
            redact(&c.uri)
        )),
    }
}

/// The URI without its password, for logs and status.
pub fn redact(uri: &str) -> String {
    match (uri.find("://"), uri.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &uri[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &uri[..s + 3], &uri[at..]),
                None => uri.to_string(),
            }
        }
        _ => uri.to_string(),
    }
}

/// What a running session can ask of its driver.
pub(crate) struct Session {
    stop: watch::Receiver<bool>,
    status_every: Option<tokio::time::Interval>,
    sessions: u64,
}

impl Session {
    /// Resolves when the bridge is asked to stop.
    pub(crate) fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.stop.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }

    /// Ticks when a status line is due (never when status logging is off).
    pub(crate) async fn status_tick(&mut self) {
        match &mut self.status_every {
            Some(i) => {
                i.tick().await;
            }
            None => std::future::pending::<()>().await,
        }
    }

    /// Marks the connection as up.
    pub(crate) fn connected(&mut self, ctx: &BridgeContext) {
        ctx.status.set_state("connected");
        if self.sessions > 0 {
            crate::status::BridgeStatus::add(&ctx.status.reconnects, 1);
        }
        self.sessions += 1;
        tracing::info!(bridge = %ctx.config.name, uri = %redact(&ctx.config.uri), "bridge connected");
    }

    fn is_stopped(&self) -> bool {
        *self.stop.borrow()
    }
}

/// Runs the bridge until `stop` turns true: sessions with backoff in between.
pub(crate) async fn run(ctx: std::sync::Arc<BridgeContext>, stop: watch::Receiver<bool>) {
    let c = &ctx.config;
    let mut backoff = crate::status::Backoff::new(c.reconnect_initial_ms, c.reconnect_max_ms);
    let status_every = (c.status_log_secs > 0).then(|| {
        let d = Duration::from_secs(c.status_log_secs);
        tokio::time::interval_at(tokio::time::Instant::now() + d, d)
    });
    let mut s = Session {
        stop,
        status_every,
        sessions: 0,
    };
    tracing::info!(bridge = %c.name, direction = ?c.direction, uri = %redact(&c.uri), "bridge starting");
    while !s.is_stopped() {
        ctx.status.set_state("connecting");
        let before = s.sessions;
        let end = match c.direction {
            Direction::Inbound => crate::inbound::session(&ctx, &mut s).await,
            Direction::Outbound => crate::outbound::session(&ctx, &mut s).await,
        };
        match end {
            Ok(()) => break,
            Err(e) => {
                if s.sessions > before {
                    backoff.reset();
                }
                let delay = backoff.next_delay();
                // One line per attempt: the backoff itself bounds the rate.
                tracing::warn!(bridge = %c.name, error = %e, retry_in_ms = delay, "bridge session ended; reconnecting");
                ctx.status.set_error(e);
                ctx.status.set_state("backoff");
                let mut stop = s.stop.clone();
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(delay)) => {}
                    _ = stop.wait_for(|s| *s) => {}
                }
            }
        }
    }
    ctx.status.set_state("stopped");
    tracing::info!(bridge = %c.name, "bridge stopped");
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("amqp://guest:secret@h:5672/%2f"),
            "amqp://guest:***@h:5672/%2f"
        );
        assert_eq!(super::redact("amqp://h:5672"), "amqp://h:5672");
    }

    /// A CA certificate, as the `tls_ca` file holds it.
    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.self_signed(&key).unwrap().pem()
    }

    #[tokio::test]
    async fn amqps_uri_starts_with_a_tls_client_hello_not_the_amqp_header() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, ca_pem()).unwrap();
        let config: crate::config::BridgeConfig = toml::from_str(&format!(
            "name = \"tls\"\ndirection = \"inbound\"\nuri = \"amqps://guest:guest@127.0.0.1:{port}/%2f\"\n\
             tls_ca = {:?}\nqueue = \"q\"\ntopic = \"T\"\n",
            ca.display().to_string()
        ))
        .unwrap();
        config.validate().unwrap();
        let client = tokio::spawn(async move { super::connect(&config).await.map(|_| ()) });

        let (mut server, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 3];
        server.read_exact(&mut head).await.unwrap();
        // 0x16 0x03 0x0n: a TLS handshake record; plaintext AMQP would start with b"AMQ".
        assert_eq!(head[..2], [0x16, 0x03], "first bytes {head:?} are not TLS");
        drop(server);
        assert!(client.await.unwrap().is_err());
    }
}
