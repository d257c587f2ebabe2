#!/usr/bin/env bash
# Side-by-side remoting benchmark: the same `mqgate bench` sequence against mqgate, Apache RocketMQ 5.x
# (bench/peers/apache-rocketmq.sh, from Maven Central jars) and the rocketmq-rust peer (rocketmq-namesrv-rust and
# rocketmq-broker-rust from crates.io; skipped when its binaries are missing), one server at a time on
# 127.0.0.1, each started fresh and stopped after its turn. The sequence:
#   produce  128 B and 1 KB, 1 connection x 1 in flight and 4 x 64     (DURATION s each; 1 KB 4 x 64 three times)
#   produce  BACKLOG messages of 1 KB, 4 x 64, to BenchBacklog
#   consume  BenchBacklog from the start until BACKLOG messages are in
#   e2e      1 KB, 1 x 64, E2E_RATE msgs/s for DURATION s: producer-to-consumer latency
# Prints one labelled line per run and appends each run's JSON report, with "server" and "run" added, to $OUT.
# Run it on a quiet machine: the load generator and the server share the host.
# Environment (defaults): SERVERS ("mqgate apache rust"), MQGATE (target/release/mqgate, built if missing),
# DURATION (10), BACKLOG (1000000), E2E_RATE (5000), COUNT_TIMEOUT (900: --duration of the count-bound runs, which
# would otherwise stop at bench's 10 s default), OUT (target/remoting-side-by-side.jsonl), RUST_PEER_BIN
# (/work/peers/bin), RUST_NAMESRV_PORT (19876), RUST_BROKER_PORT (20911), and apache-rocketmq.sh's RMQ_*.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
servers="${SERVERS:-mqgate apache rust}"
duration="${DURATION:-10}"
backlog="${BACKLOG:-1000000}"
e2e_rate="${E2E_RATE:-5000}"
count_timeout="${COUNT_TIMEOUT:-900}"
out="${OUT:-$root/target/remoting-side-by-side.jsonl}"
bin="${MQGATE:-$root/target/release/mqgate}"
rust_bin="${RUST_PEER_BIN:-/work/peers/bin}"
rust_ns_port="${RUST_NAMESRV_PORT:-19876}"
rust_broker_port="${RUST_BROKER_PORT:-20911}"
apache="$root/bench/peers/apache-rocketmq.sh"
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release -p mqgate)
fi

work="$(mktemp -d)"
pids=()
apache_up=0
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  [ "$apache_up" = 1 ] && "$apache" stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

stop_pid() { # SIGTERM, SIGKILL after 20 s (the rust broker may ignore SIGTERM)
  local p=$1
  kill "$p" 2>/dev/null || return 0
  for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
await_line() { # file, pattern, what, pid: waits up to 120 s for the pattern
  for _ in $(seq 1 1200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { tail -n 20 "$1"; echo "$3 exited at start"; return 1; }
    sleep 0.1
  done
  echo "$3 not ready after 120 s"; return 1
}

# Each start_* sets $target (the name-server address the load generator uses) or returns non-zero.
start_mqgate() {
  local port
  port="$(free_port)"
  RUST_LOG=warn "$bin" serve --data-dir "$work/mqgate-data" --remoting-listen "127.0.0.1:$port" --grpc-listen off \
    --amqp-listen off --http-listen off --advertised-address "127.0.0.1:$port" >"$work/mqgate.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do port_busy "$port" && break; sleep 0.1; done
  port_busy "$port" || { cat "$work/mqgate.log"; return 1; }
  target="127.0.0.1:$port"
}
stop_mqgate() { stop_pid "${pids[-1]}"; unset 'pids[-1]'; rm -rf "$work/mqgate-data"; }

start_apache() {
  apache_up=1
  "$apache" start || return 1
  target="127.0.0.1:${RMQ_NAMESRV_PORT:-39876}"
}
stop_apache() { "$apache" stop >/dev/null; apache_up=0; }

start_rust() {
  local d="$work/rust"
  if port_busy "$rust_ns_port" || port_busy "$rust_broker_port"; then
    echo "port $rust_ns_port or $rust_broker_port is taken (another rust peer running?)"; return 1
  fi
  mkdir -p "$d/store"
  cat >"$d/broker.toml" <<EOF
[broker]
namesrvAddr = "127.0.0.1:$rust_ns_port"
brokerIp1 = "127.0.0.1"
listenPort = $rust_broker_port
storePathRootDir = "$d/store"

[broker.brokerServerConfig]
bindAddress = "127.0.0.1"

[broker.brokerIdentity]
brokerName = "broker-a"
brokerClusterName = "DefaultCluster"
brokerId = 0

[store]
storeType = "LocalFile"
brokerRole = "ASYNC_MASTER"
storePathRootDir = "$d/store"
haListenAddress = "127.0.0.1"
haListenPort = $((rust_broker_port + 1))
# As in the lab's peer setup: with micro-batching on, a send waits for its batch (p50 ~180 ms at 4 x 64).
commitLogMicroBatchEnabled = false
EOF
  ROCKETMQ_HOME="$d" "$rust_bin/rocketmq-namesrv-rust" --rocketmqHome "$d" --bindAddress 127.0.0.1 \
    --listenPort "$rust_ns_port" --kvConfigPath "$d/kvConfig.json" >"$d/namesrv.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do port_busy "$rust_ns_port" && break; sleep 0.1; done
  ROCKETMQ_HOME="$d" ROCKETMQ_SECURITY_PROFILE=development-insecure-loopback \
    "$rust_bin/rocketmq-broker-rust" -c "$d/broker.toml" -n "127.0.0.1:$rust_ns_port" >"$d/broker.log" 2>&1 &
  pids+=($!)
  await_line "$d/broker.log" "Register broker to name remoting_server success" "rocketmq-broker-rust" "${pids[-1]}" \
    || return 1
  target="127.0.0.1:$rust_ns_port"
}
stop_rust() { stop_pid "${pids[-1]}"; unset 'pids[-1]'; stop_pid "${pids[-1]}"; unset 'pids[-1]'; rm -rf "$work/rust"; }

# One run: server, run name, bench arguments. Prints a labelled summary line; appends the JSON to $out.
run() {
  local server=$1 name=$2; shift 2
  local limit=$((duration + 120))
  [[ " $* " == *" --count "* ]] && limit=$((count_timeout + 120))
  if timeout "$limit" "$bin" bench --target "$target" "$@" >"$work/bench.out" 2>&1; then
    tail -n 1 "$work/bench.out" | python3 -c '
import json, sys
server, name, out = sys.argv[1:4]
r = json.loads(sys.stdin.read())
r = {"server": server, "run": name, **r}
with open(out, "a") as f:
    f.write(json.dumps(r) + "\n")
ms = lambda l, k: "%.2f" % (l[k] / 1000) if l and l.get("count") else "-"
s, e = r.get("send_latency"), r.get("e2e_latency")
print("%-7s %-20s %9.0f msgs/s %7.1f MB/s  send p50 %6s p99 %6s ms  e2e p50 %6s p99 %6s ms  n=%d err=%d" % (
    server, name, r["msgs_per_sec"], r["mb_per_sec"], ms(s, "p50_us"), ms(s, "p99_us"), ms(e, "p50_us"),
    ms(e, "p99_us"), r["received"] if r["mode"] == "consume" else r["sent"], r["errors"]))
' "$server" "$name" "$out"
  else
    printf '%-7s %-20s FAILED: %s\n' "$server" "$name" "$(tail -n 1 "$work/bench.out")"
  fi
}

sequence() {
  local s=$1 d=(--duration "$duration") c=(--duration "$count_timeout")
  run "$s" produce-128B-1x1 --mode produce --topic Bench --size 128 --connections 1 --in-flight 1 "${d[@]}"
  run "$s" produce-128B-4x64 --mode produce --topic Bench --size 128 --connections 4 --in-flight 64 "${d[@]}"
  run "$s" produce-1KB-1x1 --mode produce --topic Bench --size 1024 --connections 1 --in-flight 1 "${d[@]}"
  for i in 1 2 3; do
    run "$s" "produce-1KB-4x64#$i" --mode produce --topic Bench --size 1024 --connections 4 --in-flight 64 "${d[@]}"
  done
  run "$s" backlog-produce-1KB --mode produce --topic BenchBacklog --size 1024 --connections 4 --in-flight 64 \
    --count "$backlog" "${c[@]}"
  run "$s" backlog-consume --mode consume --topic BenchBacklog --from-start --count "$backlog" "${c[@]}"
  run "$s" e2e-1KB-rate --mode e2e --topic BenchE2E --size 1024 --connections 1 --in-flight 64 --rate "$e2e_rate" \
    "${d[@]}"
}

mkdir -p "$(dirname "$out")"
echo "== remoting side by side: $servers (duration ${duration} s, backlog $backlog, e2e rate $e2e_rate/s); JSON to $out"
for s in $servers; do
  case "$s" in
    mqgate | apache) ;;
    rust)
      if [ ! -x "$rust_bin/rocketmq-namesrv-rust" ] || [ ! -x "$rust_bin/rocketmq-broker-rust" ]; then
        echo "rust    skipped: no rocketmq-namesrv-rust / rocketmq-broker-rust in $rust_bin"; continue
      fi ;;
    *) echo "unknown server $s (mqgate, apache, rust)"; exit 2 ;;
  esac
  echo "== $s"
  target=""
  if "start_$s"; then
    sequence "$s"
  else
    echo "$s    FAILED to start"
  fi
  "stop_$s"
done
