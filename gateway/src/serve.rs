//! `mqgate serve`: open the engine, start the listeners whose front-ends are built, run background work,
//! and shut down cleanly on SIGINT/SIGTERM (flush, persist offsets, close listeners) within 5 seconds.

use crate::config::{GatewayConfig, Listen};
use mqgate_engine::{Engine, EngineError};
use mqgate_transport::tls::{TlsEndpoint, TlsMode};
use mqgate_transport::{Frontend, FrontendContext, ListenerStack, TransportError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The engine could not open its data directory.
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// A listener's TLS settings are unusable.
    #[error("{name} listener: {source}")]
    Tls {
        name: &'static str,
        source: TransportError,
    },
    /// A bridge is misconfigured or its admin socket cannot be created.
    #[error("bridges: {0}")]
    Bridge(String),
    /// A listener could not bind.
    #[error("cannot listen on {addr} for {name}: {source}")]
    Bind {
        name: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running server: its engine, bound listener addresses, and the switch that stops it.
pub struct Server {
    /// The engine.
    pub engine: Arc<Engine>,
    /// (front-end name, bound address) of each started listener.
    pub bound: Vec<(&'static str, SocketAddr)>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The AMQP 0-9-1 bridges.
    #[cfg(feature = "amqp-bridge")]
    pub bridges: Arc<mqgate_amqp_bridge::BridgeManager>,
}

/// Opens the engine and starts listeners and background work.
pub async fn start(
    mut config: GatewayConfig,
    frontends: Vec<Arc<dyn Frontend>>,
) -> Result<Server, ServeError> {
    let advertised = config.advertised();
    config.engine.store_host = advertised.parse().unwrap_or_else(|_| {
        let port = advertised
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(9876);
        SocketAddr::from(([127, 0, 0, 1], port))
    });
    let engine = Engine::open(config.engine.clone())?;
    let ctx = Arc::new(FrontendContext {
        engine: engine.clone(),
        advertised_address: advertised.clone(),
    });
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut bound = Vec::new();
    let wanted = [
        ("remoting", config.listen.remoting),
        ("grpc", config.listen.grpc),
        ("amqp", config.listen.amqp),
        ("http", config.listen.http),
    ];
    for (name, listen) in wanted {
        let Listen::At(addr) = listen else {
            tracing::info!(listener = name, "listener switched off");
            continue;
        };
        let Some(fe) = frontends.iter().find(|f| f.name() == name).cloned() else {
            tracing::info!(listener = name, %addr, "front-end not built yet; listener skipped");
            continue;
        };
        let tls_settings = config.tls_for(name).clone();
        let tls = match tls_settings.mode {
            TlsMode::Disabled => None,
            _ => {
                let ep = TlsEndpoint::new(tls_settings.clone())
                    .map_err(|source| ServeError::Tls { name, source })?;
                ep.spawn_reloader();
                Some(ep)
            }
        };
        let stack = Arc::new(ListenerStack {
            default: fe,
            all: frontends.clone(),
            tls,
            mode: tls_settings.mode,
            settings: config.stack.clone(),
            ctx: ctx.clone(),
        });
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { name, addr, source })?;
        let local =
            listener
                .local_addr()
                .map_err(|source| ServeError::Bind { name, addr, source })?;
        tracing::info!(listener = name, addr = %local, tls = ?tls_settings.mode, "listening");
        bound.push((name, local));
        tasks.push(tokio::spawn(accept_loop(
            listener,
            name,
            stack,
            stop_rx.clone(),
        )));
    }
    let mut bg_stop = stop_rx.clone();
    tasks.push(tokio::spawn(engine.clone().run_background(async move {
        let _ = bg_stop.wait_for(|s| *s).await;
    })));
    #[cfg(feature = "amqp-bridge")]
    let bridges = {
        let dir = &config.engine.data_dir;
        let mgr =
            mqgate_amqp_bridge::BridgeManager::start(engine.clone(), config.bridge.clone(), dir)
                .map_err(ServeError::Bridge)?;
        // Without the admin socket (a data dir path too long for a Unix socket, say) bridges still run.
        match mqgate_amqp_bridge::admin::serve(mgr.clone(), dir, stop_rx.clone()).await {
            Ok(admin) => tasks.push(admin),
            Err(e) => tracing::warn!(error = %e, "`mqgate bridge` commands are unavailable"),
        }
        mgr
    };
    #[cfg(not(feature = "amqp-bridge"))]
    if !config.bridge.is_empty() {
        tracing::warn!("[[bridge]] entries ignored: built without the amqp-bridge feature");
    }
    tracing::info!(data_dir = %config.engine.data_dir.display(), advertised = %advertised, flush = ?config.engine.flush, "mqgate started");
    Ok(Server {
        engine,
        bound,
        stop,
        tasks,
        #[cfg(feature = "amqp-bridge")]
        bridges,
    })
}

async fn accept_loop(
    listener: TcpListener,
    name: &'static str,
    stack: Arc<ListenerStack>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(stack.clone().handle(stream, peer));
                }
                Err(e) => {
                    if let Some(suppressed) = mqgate_engine::log_limit::allow("accept-failed") {
                        tracing::warn!(listener = name, error = %e, suppressed, "accept failed");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

impl Server {
    /// Stops listeners and background work, then flushes the log and persists offsets; bounded by 5 s.
    pub async fn shutdown(self) -> Result<(), ServeError> {
        #[cfg(feature = "amqp-bridge")]
        self.bridges.shutdown().await;
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
        let engine = self.engine.clone();
        match tokio::time::timeout(
            Duration::from_secs(3),
            tokio::task::spawn_blocking(move || engine.shutdown()),
        )
        .await
        {
            Ok(Ok(res)) => res?,
            Ok(Err(e)) => tracing::error!(error = %e, "shutdown task failed"),
            Err(_) => tracing::error!("shutdown did not finish within 5 s; exiting anyway"),
        }
        tracing::info!("mqgate stopped");
        Ok(())
    }
}

/// Registers SIGINT and SIGTERM handlers now (so a signal sent right after start-up is not missed) and returns
/// a future that resolves on either.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}
