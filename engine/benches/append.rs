//! Append and read throughput of the engine next to the machine's limit measured in the same run: a plain
//! sequential `write` of the same bytes in the same batch sizes (plus `fdatasync` per batch for the sync case),
//! and a plain sequential read of the same file. Report ratios in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mqgate_engine::{Engine, EngineConfig, FlushMode, Message, ReadLimits};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn engine(dir: &std::path::Path, flush: FlushMode) -> Arc<Engine> {
    Engine::open(EngineConfig {
        data_dir: dir.to_path_buf(),
        flush,
        segment_size: 256 << 20,
        ..EngineConfig::default()
    })
    .unwrap()
}

fn messages(size: usize, n: usize) -> Vec<Message> {
    (0..n)
        .map(|_| {
            let mut m = Message::new("bench", vec![b'x'; size]);
            m.queue_id = Some(0);
            m
        })
        .collect()
}

/// The stored size of one message of `size` body bytes (what the plain write writes per message).
fn record_size(size: usize) -> usize {
    let dir = tempfile::tempdir_in(".").unwrap();
    let e = engine(dir.path(), FlushMode::Async);
    let r = e.append_blocking(messages(size, 2)).unwrap();
    let s = (r[1].log_offset - r[0].log_offset) as usize;
    e.shutdown().unwrap();
    s
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("append");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for flush in [FlushMode::Async, FlushMode::Sync] {
        for size in [128usize, 1024] {
            let rec = record_size(size);
            for batch in [1usize, 32] {
                if flush == FlushMode::Sync && batch == 1 {
                    continue;
                }
                g.throughput(Throughput::Bytes((rec * batch) as u64));
                let id = format!("{flush:?}/{size}B/batch{batch}").to_lowercase();
                let dir = tempfile::tempdir_in(".").unwrap();
                let e = engine(dir.path(), flush);
                let batch_msgs = messages(size, batch);
                g.bench_function(BenchmarkId::new("engine", &id), |b| {
                    b.iter(|| e.append_blocking(batch_msgs.clone()).unwrap())
                });
                e.shutdown().unwrap();
                drop(e);
                let plain_dir = tempfile::tempdir_in(".").unwrap();
                let mut f = File::create(plain_dir.path().join("plain")).unwrap();
                let buf = vec![b'x'; rec * batch];
                g.bench_function(BenchmarkId::new("plain-write", &id), |b| {
                    b.iter(|| {
                        f.write_all(&buf).unwrap();
                        if flush == FlushMode::Sync {
                            f.sync_data().unwrap();
                        }
                    })
                });
            }
        }
    }
    g.finish();
}

/// Sync flush with many concurrent producers of single messages: group commit shares each fsync.
fn group_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("group-commit");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let (threads, size) = (32usize, 1024usize);
    let rec = record_size(size);
    g.throughput(Throughput::Bytes((rec * threads) as u64));
    let dir = tempfile::tempdir_in(".").unwrap();
    let e = engine(dir.path(), FlushMode::Sync);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    g.bench_function(format!("engine/sync/{threads}-producers-x1/{size}B"), |b| {
        b.iter_custom(|iters| {
            let e = e.clone();
            rt.block_on(async move {
                let start = Instant::now();
                let tasks: Vec<_> = (0..threads)
                    .map(|_| {
                        let e = e.clone();
                        tokio::spawn(async move {
                            for _ in 0..iters {
                                e.append(messages(size, 1).remove(0)).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
                start.elapsed()
            })
        })
    });
    let plain_dir = tempfile::tempdir_in(".").unwrap();
    let mut f = File::create(plain_dir.path().join("plain")).unwrap();
    let buf = vec![b'x'; rec * threads];
    g.bench_function(format!("plain-write+fdatasync/{threads}x{size}B"), |b| {
        b.iter(|| {
            f.write_all(&buf).unwrap();
            f.sync_data().unwrap();
        })
    });
    g.finish();
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let size = 1024;
    let n = 100_000usize;
    let dir = tempfile::tempdir_in(".").unwrap();
    let e = engine(dir.path(), FlushMode::Async);
    for _ in 0..n / 1000 {
        e.append_blocking(messages(size, 1000)).unwrap();
    }
    let total = e.max_offset("bench", 0);
    let log_bytes = std::fs::metadata(dir.path().join("commitlog").join(format!("{:020}", 0)))
        .unwrap()
        .len();
    g.throughput(Throughput::Bytes(log_bytes));
    g.bench_function(format!("engine/sequential/{n}x{size}B"), |b| {
        b.iter(|| {
            let mut offset = 0;
            let mut seen = 0;
            while offset < total {
                let r = e
                    .read("bench", 0, offset, ReadLimits::messages(32), None)
                    .unwrap();
                seen += r.messages.len();
                offset = r.next_offset;
            }
            assert_eq!(seen as i64, total);
        })
    });
    let f = File::open(dir.path().join("commitlog").join(format!("{:020}", 0))).unwrap();
    let chunk = 32 * (size + 200);
    g.bench_function(format!("plain-read/{n}x{size}B"), |b| {
        let mut buf = vec![0u8; chunk];
        b.iter(|| {
            let mut pos = 0u64;
            while pos < log_bytes {
                let k = f.read_at(&mut buf, pos).unwrap();
                pos += k as u64;
            }
        })
    });
    g.finish();
}

criterion_group!(benches, append, group_commit, read);
criterion_main!(benches);
