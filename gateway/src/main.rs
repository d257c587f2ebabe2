//! The `mqgate` binary: parses the command line and runs a subcommand.

use clap::Parser;
use mqgate_gateway::cli::{Cli, Command, TlsCommand};
use mqgate_gateway::serve;
use std::process::ExitCode;

/// mimalloc instead of glibc malloc: the broker allocates small, short-lived buffers per request, and glibc's
/// malloc/free/consolidate took about 14 % of CPU on the remoting send path (perf, 4×64 × 1 KB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Log filter when `RUST_LOG` is unset. rustls warns on every handshake whose SNI is an IP address (the Node
/// gRPC client sends one), which mqgate handles correctly; its warnings would flood the log.
const DEFAULT_LOG: &str = "info,rustls=error";

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| DEFAULT_LOG.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Filter(mqgate_gateway::tools::FilterCommand::Eval(args)) => {
            mqgate_gateway::tools::filter_eval(args)
        }
        #[cfg(feature = "remoting")]
        Command::Bench(args) => mqgate_gateway::tools::bench(args),
        #[cfg(feature = "amqp-bridge")]
        Command::Bridge(cmd) => mqgate_gateway::bridge_cmd::run(cmd),
        Command::Tls(TlsCommand::SelfSigned {
            out,
            hosts,
            client,
            days,
        }) => self_signed(&out, hosts, client, days),
        Command::Serve(args) => {
            let config = match args.resolve() {
                Ok(c) => c,
                Err(e) => return fail(&e.to_string()),
            };
            let rt = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => return fail(&format!("cannot start the runtime: {e}")),
            };
            rt.block_on(async {
                let signal = match serve::shutdown_signal() {
                    Ok(s) => s,
                    Err(e) => return fail(&format!("cannot install signal handlers: {e}")),
                };
                let frontends = mqgate_gateway::frontends(&config);
                let server = match serve::start(config, frontends).await {
                    Ok(s) => s,
                    Err(e) => return fail(&e.to_string()),
                };
                signal.await;
                tracing::info!("shutting down");
                match server.shutdown().await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(&e.to_string()),
                }
            })
        }
    }
}

fn self_signed(out: &std::path::Path, hosts: Vec<String>, client: bool, days: i64) -> ExitCode {
    let mut spec = mqgate_transport::tls::selfsigned::SelfSigned {
        client,
        valid_days: days,
        ..Default::default()
    };
    if !hosts.is_empty() {
        spec.hosts = hosts;
    }
    match mqgate_transport::tls::selfsigned::write(out, &spec) {
        Ok(()) => {
            println!(
                "wrote {}/ca.crt, server.crt, server.key{}",
                out.display(),
                if client {
                    ", client.crt, client.key"
                } else {
                    ""
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("mqgate: {msg}");
    ExitCode::FAILURE
}
