//! Durability under `kill -9`: a child process appends with acknowledgements and is killed at random moments,
//! again and again; after every restart each acknowledged message is there, in order, exactly once.

use mqgate_engine::{Engine, EngineConfig, FlushMode, Message, ReadLimits};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const QUEUES: i32 = 3;
const CHILD_ENV: &str = "MQGATE_KILL_LOOP_DIR";

fn config(dir: &Path, flush: FlushMode) -> EngineConfig {
    EngineConfig {
        data_dir: dir.to_path_buf(),
        segment_size: 256 << 10,
        max_message_size: 64 << 10,
        flush,
        ..EngineConfig::default()
    }
}

/// Every body stored in a queue, in queue order.
fn stored(engine: &Engine, queue: i32) -> Vec<u64> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let r = engine
            .read("crash", queue, offset, ReadLimits::messages(512), None)
            .unwrap_or_else(|e| panic!("queue {queue} offset {offset}: {e}"));
        if r.messages.is_empty() {
            return out;
        }
        out.extend(r.messages.iter().map(|m| {
            std::str::from_utf8(&m.body)
                .unwrap()
                .parse::<u64>()
                .unwrap()
        }));
        offset = r.next_offset;
    }
}

/// The child: appends sequence numbers to each queue concurrently and prints `ACK queue n` after each ack.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let flush = if std::env::var("MQGATE_KILL_LOOP_SYNC").is_ok() {
        FlushMode::Sync
    } else {
        FlushMode::Async
    };
    let engine = Engine::open(config(Path::new(&dir), flush)).expect("child opens the engine");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let out = std::sync::Arc::new(std::sync::Mutex::new(std::io::stdout()));
        let mut tasks = Vec::new();
        for q in 0..QUEUES {
            let (engine, out) = (engine.clone(), out.clone());
            let start = engine.max_offset("crash", q) as u64;
            tasks.push(tokio::spawn(async move {
                for n in start.. {
                    let mut m = Message::new("crash", n.to_string().into_bytes());
                    m.queue_id = Some(q);
                    engine.append(m).await.expect("append");
                    let mut o = out.lock().unwrap();
                    writeln!(o, "ACK {q} {n}").unwrap();
                    o.flush().unwrap();
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
}

fn kill_loop(flush_sync: bool, rounds: u32) {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acked: BTreeMap<i32, u64> = BTreeMap::new();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..rounds {
        let mut cmd = Command::new(&exe);
        cmd.args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if flush_sync {
            cmd.env("MQGATE_KILL_LOOP_SYNC", "1");
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let run_for = Duration::from_millis(100 + seed % 400);
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut parts = line.split(' ');
                if parts.next() == Some("ACK") {
                    let q: i32 = parts.next().unwrap().parse().unwrap();
                    let n: u64 = parts.next().unwrap().parse().unwrap();
                    acks.push((q, n));
                }
            }
            acks
        });
        let started = Instant::now();
        while started.elapsed() < run_for {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        for (q, n) in acks {
            let e = acked.entry(q).or_insert(0);
            *e = (*e).max(n + 1);
        }
        assert!(
            !acked.is_empty() || round > 0,
            "the child acknowledged nothing in round {round}"
        );
    }
    let engine = Engine::open(config(dir.path(), FlushMode::Async)).unwrap();
    let totals: Vec<usize> = (0..QUEUES).map(|q| stored(&engine, q).len()).collect();
    eprintln!(
        "kill loop ({rounds} rounds, sync={flush_sync}): acknowledged {acked:?}, stored {totals:?}"
    );
    for q in 0..QUEUES {
        let got = stored(&engine, q);
        let expected: Vec<u64> = (0..got.len() as u64).collect();
        assert_eq!(
            got, expected,
            "queue {q}: stored messages are in order, without gaps or duplicates"
        );
        let need = acked.get(&q).copied().unwrap_or(0);
        assert!(
            got.len() as u64 >= need,
            "queue {q}: {} stored but {need} were acknowledged",
            got.len()
        );
    }
    assert!(acked.values().sum::<u64>() > 0);
}

#[test]
fn kill_nine_loop_loses_no_acknowledged_message_async_flush() {
    kill_loop(false, 12);
}

#[test]
fn kill_nine_loop_loses_no_acknowledged_message_sync_flush() {
    kill_loop(true, 6);
}
