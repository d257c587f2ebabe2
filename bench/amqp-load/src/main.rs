//! `amqp-load`: an AMQP 1.0 load generator that drives any broker the same way, so mqgate and another broker
//! can be compared in one run (see `bench/amqp-side-by-side.sh`).
//!
//! Wire behaviour: SASL PLAIN, one session and one link per connection; senders keep up to `--inflight`
//! unsettled transfers (header `durable=true`, one `data` section: a 32-byte stamp, then filler) and count
//! a send on its `accepted` disposition; receivers refill credit to `--credit` and accept each delivery.
//! Prints a readable summary and, last, one line `JSON {...}`. Exits 1 when anything failed, went missing
//! or arrived twice.

mod consume;
mod link;
mod produce;
mod report;
mod stamp;

use clap::{Args, Parser, Subcommand};
use consume::{Progress, ReceivePlan};
use produce::{SendPlan, Window};
use report::{cpu_line, latency_json, latency_line, print_json, sample_window, CpuSample};
use serde_json::{json, Map, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

#[derive(Parser)]
#[command(about = "AMQP 1.0 load generator: produce, consume (drain) and end to end")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send as fast as the in-flight window allows (or at --rate) and time each accepted outcome.
    Produce {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Receive and accept until --count messages arrived, --idle seconds pass without one, or --duration ends.
    Consume {
        #[command(flatten)]
        common: Common,
        /// Receiver connections (one link each).
        #[arg(long, default_value_t = 1)]
        conns: usize,
        #[arg(long, default_value_t = 256)]
        credit: u32,
        /// Stop after this many messages over all links.
        #[arg(long)]
        count: Option<u64>,
        /// Longest run, seconds.
        #[arg(long, default_value_t = 600.0)]
        duration: f64,
        /// Stop after this many seconds without a message (counted from the start too).
        #[arg(long)]
        idle: Option<f64>,
    },
    /// Send and receive at once; latency is send time (unix ns in the body) to arrival.
    E2e {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        send: SendArgs,
        /// Receiver connections (one link each).
        #[arg(long, default_value_t = 1)]
        consumers: usize,
        #[arg(long, default_value_t = 256)]
        credit: u32,
        /// Seconds to wait after the last send for every accepted message to arrive.
        #[arg(long, default_value_t = 10.0)]
        grace: f64,
    },
}

#[derive(Args, Clone)]
struct Common {
    /// amqp://user:password@host:port (user and password select SASL PLAIN).
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672")]
    url: String,
    /// Target/source address (mqgate: a JMS queue name; RabbitMQ: /amq/queue/NAME).
    #[arg(long)]
    address: String,
    /// Free text copied into the JSON line.
    #[arg(long, default_value = "")]
    label: String,
    /// A broker process whose CPU and RSS to sample over the measured window.
    #[arg(long)]
    watch_pid: Option<u32>,
    /// Set TCP_NODELAY on every connection (fe2o3's `Connection::open`, which the RabbitMQ baseline used,
    /// leaves Nagle's algorithm on).
    #[arg(long)]
    nodelay: bool,
}

#[derive(Args, Clone)]
struct SendArgs {
    /// Body bytes (at least the 32-byte stamp).
    #[arg(long, default_value_t = 1024)]
    size: usize,
    /// Sender connections (one session and link each).
    #[arg(long, default_value_t = 1)]
    conns: usize,
    /// Unsettled sends per connection.
    #[arg(long, default_value_t = 1)]
    inflight: usize,
    /// Seconds sent before measuring.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Seconds measured (with --count: the longest run).
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Total messages per second over all connections (default: as fast as possible).
    #[arg(long)]
    rate: Option<f64>,
    /// Total messages to send; the whole run is measured (no warm-up).
    #[arg(long)]
    count: Option<u64>,
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

fn send_plan(common: &Common, send: &SendArgs, run: u32) -> SendPlan {
    SendPlan {
        url: common.url.clone(),
        address: common.address.clone(),
        size: send.size,
        conns: send.conns.max(1),
        inflight: send.inflight.max(1),
        rate: send.rate,
        count: send.count,
        run,
        nodelay: common.nodelay,
    }
}

fn window(send: &SendArgs) -> Window {
    let start = Instant::now();
    let warmup = if send.count.is_some() {
        Duration::ZERO
    } else {
        secs(send.warmup)
    };
    Window {
        start,
        from: start + warmup,
        until: start + warmup + secs(send.duration),
    }
}

fn base_json(mode: &str, common: &Common) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("label".into(), json!(common.label));
    out.insert("mode".into(), json!(mode));
    out.insert("address".into(), json!(common.address));
    out.insert("nodelay".into(), json!(common.nodelay));
    out
}

/// Adds the window's CPU sample to `out`.
async fn cpu_into(cpu: tokio::task::JoinHandle<Map<String, Value>>, out: &mut Map<String, Value>) {
    if let Ok(fields) = cpu.await {
        out.extend(fields);
    }
}

fn rate(n: u64, elapsed: Duration) -> f64 {
    (n as f64 / elapsed.as_secs_f64().max(1e-9) * 10.0).round() / 10.0
}

fn mb_per_sec(msgs_per_sec: f64, size: f64) -> f64 {
    (msgs_per_sec * size / 1e6 * 1000.0).round() / 1000.0
}

async fn produce(common: Common, send: SendArgs) -> Result<bool, String> {
    let plan = send_plan(&common, &send, 0);
    let links = produce::connect(&plan).await?;
    let win = window(&send);
    // With --count the run ends when the messages are sent, so the sample ends with it.
    let counted = send.count.map(|_| CpuSample::take(common.watch_pid));
    let windowed = counted
        .is_none()
        .then(|| sample_window(common.watch_pid, win.from, win.until));
    let totals = produce::run(&plan, links, win).await;
    let measured = match (send.count, totals.last) {
        (Some(_), Some(last)) => last.duration_since(win.from),
        _ => win.until.duration_since(win.from),
    };
    let msgs_per_sec = rate(totals.accepted_in_window, measured);
    let mut out = base_json("produce", &common);
    for (k, v) in [
        ("size", json!(send.size)),
        ("conns", json!(plan.conns)),
        ("inflight", json!(plan.inflight)),
        ("rate_target", json!(send.rate)),
        ("measured_s", json!(measured.as_secs_f64())),
        ("msgs", json!(totals.accepted_in_window)),
        ("msgs_per_sec", json!(msgs_per_sec)),
        (
            "mb_per_sec",
            json!(mb_per_sec(msgs_per_sec, send.size as f64)),
        ),
        ("accepted_total", json!(totals.accepted)),
        ("errors", json!(totals.errors)),
        ("first_error", json!(totals.first_error)),
        ("latency_us", latency_json(&totals.latency_us)),
    ] {
        out.insert(k.into(), v);
    }
    if let Some(cpu) = counted {
        cpu.finish(&mut out);
    }
    if let Some(cpu) = windowed {
        cpu_into(cpu, &mut out).await;
    }
    println!(
        "produce {} × {} in flight, {} B, {:.1} s measured → {}",
        plan.conns,
        plan.inflight,
        send.size,
        measured.as_secs_f64(),
        common.address
    );
    println!(
        "  {msgs_per_sec} msgs/s · {} MB/s · accepted {} (warm-up included) · errors {}",
        mb_per_sec(msgs_per_sec, send.size as f64),
        totals.accepted,
        totals.errors
    );
    if let Some(e) = &totals.first_error {
        println!("  first error: {e}");
    }
    println!("  {}", latency_line("send → accepted", &totals.latency_us));
    if let Some(line) = cpu_line(&out) {
        println!("  {line}");
    }
    print_json(out);
    Ok(totals.errors == 0)
}

async fn consume(
    common: Common,
    conns: usize,
    credit: u32,
    count: Option<u64>,
    duration: f64,
    idle: Option<f64>,
) -> Result<bool, String> {
    let plan = ReceivePlan {
        url: common.url.clone(),
        address: common.address.clone(),
        links: conns.max(1),
        credit,
        count,
        run: None,
        window: None,
        nodelay: common.nodelay,
    };
    let links = consume::connect(&plan).await?;
    let start = Instant::now();
    let cpu = CpuSample::take(common.watch_pid);
    let progress = Arc::new(Progress::default());
    let (stop, stop_rx) = watch::channel(false);
    let deadline = start + secs(duration);
    let receivers = consume::start(&plan, links, progress.clone(), stop_rx, deadline);
    match idle.map(secs) {
        None => {
            // With several links, the one that took the last message ends; the others are told to stop.
            let reached = || count.is_some_and(|c| progress.received.load(Ordering::Relaxed) >= c);
            while !receivers.is_finished() && !reached() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Some(idle) => {
            let (mut seen, mut since) = (0, Instant::now());
            while !receivers.is_finished() {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let now = progress.received.load(Ordering::Relaxed);
                if now != seen {
                    (seen, since) = (now, Instant::now());
                } else if since.elapsed() >= idle {
                    break;
                }
            }
        }
    }
    let _ = stop.send(true);
    let totals = receivers.await.map_err(|e| format!("receivers: {e}"))?;
    let elapsed = totals.last.unwrap_or(start).duration_since(start);
    let msgs_per_sec = rate(totals.received, elapsed);
    let size = if totals.received > 0 {
        totals.bytes as f64 / totals.received as f64
    } else {
        0.0
    };
    let missing = count.map_or(0, |c| c.saturating_sub(totals.received));
    let mut out = base_json("consume", &common);
    for (k, v) in [
        ("conns", json!(plan.links)),
        ("credit", json!(credit)),
        ("msgs", json!(totals.received)),
        (
            "elapsed_s",
            json!((elapsed.as_secs_f64() * 1000.0).round() / 1000.0),
        ),
        ("msgs_per_sec", json!(msgs_per_sec)),
        ("mb_per_sec", json!(mb_per_sec(msgs_per_sec, size))),
        ("expected", json!(count)),
        ("missing", json!(missing)),
        ("errors", json!(totals.errors)),
        ("first_error", json!(totals.first_error)),
    ] {
        out.insert(k.into(), v);
    }
    cpu.finish(&mut out);
    println!(
        "consume {} link(s), credit {credit} ← {}",
        plan.links, common.address
    );
    println!(
        "  {} msgs in {:.2} s = {msgs_per_sec} msgs/s · {} MB/s · missing {missing} · errors {}",
        totals.received,
        elapsed.as_secs_f64(),
        mb_per_sec(msgs_per_sec, size),
        totals.errors
    );
    if let Some(e) = &totals.first_error {
        println!("  first error: {e}");
    }
    if let Some(line) = cpu_line(&out) {
        println!("  {line}");
    }
    print_json(out);
    Ok(totals.errors == 0 && missing == 0)
}

async fn e2e(
    common: Common,
    send: SendArgs,
    consumers: usize,
    credit: u32,
    grace: f64,
) -> Result<bool, String> {
    let run = (stamp::unix_ns() as u32) ^ std::process::id().rotate_left(16);
    let splan = send_plan(&common, &send, run);
    let mut rplan = ReceivePlan {
        url: common.url.clone(),
        address: common.address.clone(),
        links: consumers.max(1),
        credit,
        count: None,
        run: Some(run),
        window: None,
        nodelay: common.nodelay,
    };
    let receiver_links = consume::connect(&rplan).await?;
    let sender_links = produce::connect(&splan).await?;
    let win = window(&send);
    rplan.window = Some((win.from, win.until));
    let cpu = sample_window(common.watch_pid, win.from, win.until);
    let progress = Arc::new(Progress::default());
    let (stop, stop_rx) = watch::channel(false);
    let deadline = win.until + secs(grace) + Duration::from_secs(60);
    let receivers = consume::start(&rplan, receiver_links, progress.clone(), stop_rx, deadline);
    let sent = produce::run(&splan, sender_links, win).await;
    let measured = win.until.duration_since(win.from);
    let waited_until = Instant::now() + secs(grace);
    while progress.this_run.load(Ordering::Relaxed) < sent.accepted
        && Instant::now() < waited_until
        && !receivers.is_finished()
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = stop.send(true);
    let got = receivers.await.map_err(|e| format!("receivers: {e}"))?;
    let missing = sent.accepted.saturating_sub(got.unique);
    let sent_rate = rate(sent.accepted_in_window, measured);
    let recv_rate = rate(got.in_window, measured);
    let mut out = base_json("e2e", &common);
    for (k, v) in [
        ("size", json!(send.size)),
        ("conns", json!(splan.conns)),
        ("inflight", json!(splan.inflight)),
        ("consumers", json!(rplan.links)),
        ("rate_target", json!(send.rate)),
        ("measured_s", json!(measured.as_secs_f64())),
        ("sent_per_sec", json!(sent_rate)),
        ("received_per_sec", json!(recv_rate)),
        ("mb_per_sec", json!(mb_per_sec(recv_rate, send.size as f64))),
        ("accepted_total", json!(sent.accepted)),
        ("received_total", json!(got.unique)),
        ("missing", json!(missing)),
        ("duplicates", json!(got.duplicates)),
        ("foreign", json!(got.foreign)),
        ("errors", json!(sent.errors + got.errors)),
        (
            "first_error",
            json!(sent.first_error.clone().or(got.first_error.clone())),
        ),
        ("e2e_latency_us", latency_json(&got.latency_us)),
        ("send_latency_us", latency_json(&sent.latency_us)),
    ] {
        out.insert(k.into(), v);
    }
    cpu_into(cpu, &mut out).await;
    println!(
        "e2e {} × {} in flight → {} receiver(s), {} B, target {}, {:.1} s measured, {}",
        splan.conns,
        splan.inflight,
        rplan.links,
        send.size,
        send.rate
            .map_or("unpaced".to_string(), |r| format!("{r} msgs/s")),
        measured.as_secs_f64(),
        common.address
    );
    println!(
        "  sent {sent_rate} msgs/s · received {recv_rate} msgs/s · accepted {} · received {} · missing {missing} · duplicates {} · other runs' messages {} · errors {}",
        sent.accepted,
        got.unique,
        got.duplicates,
        got.foreign,
        sent.errors + got.errors
    );
    if let Some(e) = sent.first_error.as_ref().or(got.first_error.as_ref()) {
        println!("  first error: {e}");
    }
    println!("  {}", latency_line("end to end", &got.latency_us));
    println!("  {}", latency_line("send → accepted", &sent.latency_us));
    if let Some(line) = cpu_line(&out) {
        println!("  {line}");
    }
    print_json(out);
    Ok(sent.errors + got.errors == 0 && missing == 0 && got.duplicates == 0)
}

#[tokio::main]
async fn main() {
    let ok = match Cli::parse().command {
        Command::Produce { common, send } => produce(common, send).await,
        Command::Consume {
            common,
            conns,
            credit,
            count,
            duration,
            idle,
        } => consume(common, conns, credit, count, duration, idle).await,
        Command::E2e {
            common,
            send,
            consumers,
            credit,
            grace,
        } => e2e(common, send, consumers, credit, grace).await,
    };
    match ok {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("amqp-load: {e}");
            std::process::exit(2);
        }
    }
}
