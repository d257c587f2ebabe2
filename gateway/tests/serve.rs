//! The `mqgate serve` process: starts with no config, refuses a locked or unusable data dir with one line and a
//! non-zero exit, and shuts down cleanly on SIGTERM within 5 seconds.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn serve(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mqgate"));
    c.arg("serve").arg("--data-dir").arg(data_dir);
    for flag in [
        "--remoting-listen",
        "--grpc-listen",
        "--amqp-listen",
        "--http-listen",
    ] {
        c.arg(flag).arg("127.0.0.1:0");
    }
    c.env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Starts the server and waits (with a deadline) for its "started" log line.
fn start(data_dir: &Path) -> Child {
    let mut child = serve(data_dir).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("mqgate started") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("server reports it started");
    child
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn second_instance_on_the_same_data_dir_exits_with_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = start(dir.path());
    let out = serve(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("mqgate: ") && last.contains("locked"),
        "got: {stderr}"
    );
    sigterm(&first);
    assert!(first.wait().unwrap().success());
}

#[test]
fn unusable_data_dir_exits_with_a_one_line_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = serve(&file.path().join("data")).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("mqgate: "),
        "got: {stderr}"
    );
}

#[test]
fn sigterm_stops_the_server_within_five_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start(dir.path());
    let sent = Instant::now();
    sigterm(&child);
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?}",
        sent.elapsed()
    );
    // The data dir is released: a new instance starts on it.
    let mut again = start(dir.path());
    sigterm(&again);
    assert!(again.wait().unwrap().success());
}
