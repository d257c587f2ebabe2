//! `grpc-bench`: the gRPC load generator of `mqgate_grpc::bench` as a command.
//! `cargo run --release -p mqgate-grpc --example grpc-bench -- --target 127.0.0.1:8081 --mode produce
//!  --connections 4 --in-flight 64 --size 1024 --warmup 5 --duration 20 [--topic T] [--group G] [--batch 32]`

use mqgate_grpc::bench::{run, BenchArgs, BenchMode};
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let mut a = BenchArgs::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        let num = |v: &str| v.parse::<u64>().unwrap_or(0);
        match args[i].as_str() {
            "--target" => a.target = v,
            "--mode" => {
                a.mode = if v == "receive" {
                    BenchMode::Receive
                } else {
                    BenchMode::Produce
                }
            }
            "--topic" => a.topic = v,
            "--group" => a.group = v,
            "--connections" => a.connections = num(&v) as usize,
            "--in-flight" => a.in_flight = num(&v) as usize,
            "--size" => a.message_size = num(&v) as usize,
            "--duration" => a.duration = Duration::from_secs(num(&v)),
            "--warmup" => a.warmup = Duration::from_secs(num(&v)),
            "--batch" => a.batch = num(&v) as i32,
            _ => {
                eprintln!("usage: grpc-bench --target HOST:PORT --mode produce|receive --connections C --in-flight P --size BYTES --warmup S --duration S [--topic T] [--group G] [--batch N]");
                return std::process::ExitCode::from(2);
            }
        }
        i += 2;
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("grpc-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(a.clone())) {
        Ok(r) => {
            println!(
                "grpc {:?} {}x{} {} B: {r}",
                a.mode, a.connections, a.in_flight, a.message_size
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("grpc-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
