//! Runs the remoting load generator without the gateway CLI:
//! `cargo run --release -p mqgate-remoting --example bench -- <host:port> <produce|consume|e2e> <connections>
//!  <in_flight> <size> <seconds> [rate] [from_start]`.

use mqgate_remoting::bench::{run_bench, BenchArgs, BenchMode};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let get = |i: usize, d: &str| a.get(i).cloned().unwrap_or_else(|| d.to_string());
    let mode = match get(1, "produce").as_str() {
        "consume" => BenchMode::Consume,
        "e2e" => BenchMode::EndToEnd,
        _ => BenchMode::Produce,
    };
    let args = BenchArgs {
        target: get(0, "127.0.0.1:9876"),
        mode,
        connections: get(2, "1").parse().unwrap_or(1),
        in_flight: get(3, "1").parse().unwrap_or(1),
        message_size: get(4, "1024").parse().unwrap_or(1024),
        duration: Some(Duration::from_secs(get(5, "10").parse().unwrap_or(10))),
        rate: a.get(6).and_then(|r| r.parse().ok()).filter(|r| *r > 0),
        from_start: get(7, "false") == "true",
        ..BenchArgs::default()
    };
    match run_bench(args).await {
        Ok(r) => {
            print!("{r}");
            println!("{}", r.json_line());
        }
        Err(e) => {
            eprintln!("bench failed: {e}");
            std::process::exit(1);
        }
    }
}
