//! The gateway's tool subcommands: `mqgate filter eval` (the filter crate's evaluator over stdin or one
//! message) and `mqgate bench` (the remoting load generator).

use clap::{Args, Subcommand, ValueEnum};
use mqgate_filter::cli as filter_cli;
use mqgate_filter::Dialect;
use std::io::Write;
use std::process::ExitCode;

/// `mqgate filter …`
#[derive(Debug, Subcommand)]
pub enum FilterCommand {
    /// Evaluate an expression: with EXPR and `--prop NAME=VALUE`, for one message; without EXPR, for each stdin
    /// line `EXPRESSION<TAB>PROPERTIES_JSON`. Prints `match`, `no-match` or `reject` per message.
    Eval(FilterEvalArgs),
}

/// Which expression language.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FilterType {
    /// RocketMQ SQL92.
    Sql92,
    /// JMS message selector.
    Jms,
}

/// `mqgate filter eval` arguments.
#[derive(Debug, Args)]
pub struct FilterEvalArgs {
    /// Expression language.
    #[arg(long = "type", value_enum)]
    pub kind: FilterType,
    /// Reject trailing text that upstream RocketMQ tolerates.
    #[arg(long)]
    pub strict: bool,
    /// The expression (omit to read lines from stdin).
    pub expr: Option<String>,
    /// A property of the message, NAME=VALUE (repeatable).
    #[arg(long = "prop")]
    pub props: Vec<String>,
}

/// Runs `mqgate filter eval`.
pub fn filter_eval(args: FilterEvalArgs) -> ExitCode {
    let dialect = match args.kind {
        FilterType::Sql92 => Dialect::Sql92,
        FilterType::Jms => Dialect::Jms,
    };
    match args.expr {
        Some(expr) => {
            let props = match args
                .props
                .iter()
                .map(|p| filter_cli::parse_prop_arg(p))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("mqgate: {e}");
                    return ExitCode::from(2);
                }
            };
            println!(
                "{}",
                filter_cli::eval_one(dialect, args.strict, &expr, &props)
            );
            ExitCode::SUCCESS
        }
        None => {
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let res = filter_cli::eval_stream(dialect, args.strict, stdin.lock(), &mut out)
                .and_then(|_| out.flush());
            match res {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("mqgate: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

#[cfg(feature = "remoting")]
pub use bench::{bench, BenchCliArgs};

#[cfg(feature = "remoting")]
mod bench {
    use clap::{Args, ValueEnum};
    use mqgate_remoting::bench::{run_bench, BenchArgs, BenchMode};
    use mqgate_transport::tls::TlsClient;
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::time::Duration;

    /// What `mqgate bench` measures.
    #[derive(Debug, Clone, Copy, ValueEnum)]
    pub enum Mode {
        /// Send only: throughput and acknowledgement latency.
        Produce,
        /// Pull only (drain with `--from-start`).
        Consume,
        /// Send and pull together: end-to-end latency.
        E2e,
        /// Open --count connections one after another (TCP, then TLS with --tls): set-up latency.
        Handshake,
    }

    /// `mqgate bench` arguments: a RocketMQ remoting load generator (works against any RocketMQ name server),
    /// over plaintext or TLS.
    #[derive(Debug, Args)]
    pub struct BenchCliArgs {
        /// Name-server address (mqgate's remoting port).
        #[arg(long, default_value = "127.0.0.1:9876")]
        pub target: String,
        /// What to measure.
        #[arg(long, value_enum, default_value = "produce")]
        pub mode: Mode,
        /// Topic.
        #[arg(long, default_value = "BenchTopic")]
        pub topic: String,
        /// Producer/consumer group.
        #[arg(long, default_value = "bench_group")]
        pub group: String,
        /// Producer connections.
        #[arg(long, default_value_t = 4)]
        pub connections: usize,
        /// Requests in flight per connection.
        #[arg(long, default_value_t = 32)]
        pub in_flight: usize,
        /// Message body size in bytes.
        #[arg(long, default_value_t = 1024)]
        pub size: usize,
        /// Run for this many seconds (unless --count is reached first). Default: 10 s, or an hour with --count.
        #[arg(long)]
        pub duration: Option<u64>,
        /// Stop after this many messages (connections, in handshake mode).
        #[arg(long)]
        pub count: Option<u64>,
        /// Fixed total send rate, messages/s.
        #[arg(long)]
        pub rate: Option<u64>,
        /// Consumer starts at the queues' first offsets.
        #[arg(long)]
        pub from_start: bool,
        /// Connect over TLS (the server's certificate is accepted as is unless --tls-ca is given).
        #[arg(long)]
        pub tls: bool,
        /// Trust only certificates signed by this CA (PEM); implies --tls.
        #[arg(long, value_name = "FILE")]
        pub tls_ca: Option<PathBuf>,
    }

    /// Runs `mqgate bench` and prints the human summary and one JSON line.
    pub fn bench(a: BenchCliArgs) -> ExitCode {
        let tls = if a.tls || a.tls_ca.is_some() {
            match TlsClient::new(a.tls_ca.as_deref()) {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("mqgate: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            None
        };
        let args = BenchArgs {
            target: a.target,
            mode: match a.mode {
                Mode::Produce => BenchMode::Produce,
                Mode::Consume => BenchMode::Consume,
                Mode::E2e => BenchMode::EndToEnd,
                Mode::Handshake => BenchMode::Handshake,
            },
            topic: a.topic,
            group: a.group,
            connections: a.connections,
            in_flight: a.in_flight,
            message_size: a.size,
            // A count-bound run (a backlog fill or drain) runs to its count, within an hour, unless told otherwise.
            duration: Some(Duration::from_secs(
                a.duration
                    .unwrap_or(if a.count.is_some() { 3600 } else { 10 }),
            )),
            count: a.count,
            rate: a.rate,
            from_start: a.from_start,
            tls,
            ..BenchArgs::default()
        };
        let rt = match tokio::runtime::Runtime::new() {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("mqgate: {e}");
                return ExitCode::FAILURE;
            }
        };
        match rt.block_on(run_bench(args)) {
            Ok(report) => {
                println!("{report}");
                println!("{}", report.json_line());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("mqgate: bench failed: {e}");
                ExitCode::FAILURE
            }
        }
    }
}
