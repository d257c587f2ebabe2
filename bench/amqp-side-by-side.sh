#!/usr/bin/env bash
# mqgate's AMQP 1.0 listener against RabbitMQ 3.10's AMQP 1.0 plugin (Debian rabbitmq-server), with the same
# client (bench/amqp-load, fe2o3-amqp 0.18.4) and the same sequence in one run, one broker at a time:
#   produce 1 KB, 1 conn x 1 in flight                 (WARMUP s, then DURATION s measured)
#   produce 1 KB, 4 conns x 64 in flight, PRODUCE_RUNS times (the backlog grows, as in the baseline)
#   drain: one receiver (credit 256, accept each) takes exactly what the produce runs had accepted
#   e2e 1 KB at E2E_RATE msg/s: 1 conn x 64 in flight, 1 receiver (no loss, no duplicates expected)
#   e2e unpaced 1+1 and 4+4: producers (64 in flight each) and receivers at once; throughput = received/s;
#   a backlog still queued GRACE s after the last send counts as missing (each e2e run has its own queue)
# Every command samples the broker's CPU and RSS (--watch-pid). The JSON lines go to $OUT/results.jsonl and a
# side-by-side table to $OUT/summary.md (printed last). See ../shared/research/rabbitmq-baseline.md for the
# wire behaviour and the RabbitMQ set-up this repeats.
#
# RabbitMQ runs privately: its own node name, state under $OUT, listener and distribution port on 127.0.0.1,
# its own epmd port; it is stopped with rabbitmqctl and its epmd killed by PID. Its queues (`bench1` and one per
# e2e run) are durable classic queues declared over AMQP 0-9-1 (a few lines of Python, no packages) and used as
# /amq/queue/NAME. mqgate: release build, AMQP listener only, fresh data directory under $OUT; NAME is a JMS queue.
#
# Run it on a quiet machine: client and broker share the host. Full run: about 10 minutes (plus builds).
# Environment: DURATION (s measured per run, default 20), WARMUP (default 5), PRODUCE_RUNS (default 3),
# E2E_RATE (default 5000), FLUSH (mqgate's --flush: async (default) or sync), NODELAY (0, the default: Nagle's
# algorithm stays on, as with fe2o3's Connection::open in the baseline's rmqload; 1: the client sets TCP_NODELAY,
# as Qpid JMS does. With Nagle on, a receiver's credit update waits behind its small dispositions until the
# broker ACKs; mqgate ACKs AMQP reads at once (TCP_QUICKACK), so its drains do not stall), BROKERS (default "rabbitmq mqgate"),
# DRAIN_MAX (s, default 600), GRACE (s an unpaced e2e may take to deliver its backlog, default 120),
# OUT (default target/amqp-side-by-side/<time>), MQGATE (binary; default: cargo build --release -p mqgate).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-20}"
warmup="${WARMUP:-5}"
produce_runs="${PRODUCE_RUNS:-3}"
e2e_rate="${E2E_RATE:-5000}"
flush="${FLUSH:-async}"
brokers="${BROKERS:-rabbitmq mqgate}"
drain_max="${DRAIN_MAX:-600}"
grace="${GRACE:-120}"
out="${OUT:-$root/target/amqp-side-by-side/$(date +%Y%m%d-%H%M%S)}"
nodelay_flag=""
[ "${NODELAY:-0}" = 1 ] && nodelay_flag="--nodelay"
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# ---- builds ------------------------------------------------------------------------------------------------
echo "== building amqp-load (release)"
(cd "$root/bench/amqp-load" && cargo build -q --release --target-dir "$root/target/amqp-load")
load="$root/target/amqp-load/release/amqp-load"
mqgate_bin="${MQGATE:-}"
if [ -z "$mqgate_bin" ] && [[ " $brokers " == *" mqgate "* ]]; then
  echo "== building mqgate (release)"
  (cd "$root" && cargo build -q --release -p mqgate)
  mqgate_bin="$root/target/release/mqgate"
fi

# ---- broker lifecycles -------------------------------------------------------------------------------------
broker_pid=""
rmq_dir=""
epmd_port=""
stop_rabbitmq() {
  [ -n "$rmq_dir" ] || return 0
  rabbitmqctl -q stop "$rmq_dir/rabbit.pid" >/dev/null 2>&1 || true
  local epmd_pid
  epmd_pid="$(ss -Hltnp "sport = :$epmd_port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
  [ -n "$epmd_pid" ] && kill "$epmd_pid" 2>/dev/null || true
  rm -rf "$rmq_dir/mnesia"   # the backlog's message store; logs stay
  rmq_dir=""
  broker_pid=""
}
stop_mqgate() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  broker_pid=""
  rm -rf "$out/mqgate-data"   # several GB after the produce runs; the log stays
}
cleanup() {
  stop_rabbitmq
  stop_mqgate
}
trap cleanup EXIT

start_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null; then
    echo "== installing rabbitmq-server (Debian)"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server
  fi
  rmq_dir="$out/rabbitmq"
  local port dist
  port="$(free_port)"; dist="$(free_port)"; epmd_port="$(free_port)"
  mkdir -p "$rmq_dir/home" "$rmq_dir/mnesia" "$rmq_dir/log"
  touch "$rmq_dir/rabbitmq-env.conf"
  echo '[rabbitmq_amqp1_0].' >"$rmq_dir/enabled_plugins"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$port" >"$rmq_dir/rabbitmq.conf"
  export HOME="$rmq_dir/home" RABBITMQ_CONF_ENV_FILE="$rmq_dir/rabbitmq-env.conf" \
    RABBITMQ_NODENAME="mqgbench$$@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
    RABBITMQ_MNESIA_BASE="$rmq_dir/mnesia" RABBITMQ_LOG_BASE="$rmq_dir/log" RABBITMQ_PID_FILE="$rmq_dir/rabbit.pid" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$rmq_dir/enabled_plugins" RABBITMQ_CONFIG_FILE="$rmq_dir/rabbitmq.conf" \
    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$epmd_port" RABBITMQ_DIST_PORT="$dist" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export PATH="/usr/lib/rabbitmq/bin:$PATH"
  echo "== starting RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null) on 127.0.0.1:$port"
  rabbitmq-server -detached
  local t0=$SECONDS
  until rabbitmqctl -q await_startup --timeout 120 >/dev/null 2>&1; do
    [ $((SECONDS - t0)) -lt 180 ] || { echo "RabbitMQ did not start; log in $rmq_dir/log" >&2; exit 1; }
    sleep 0.5
  done
  broker_pid="$(cat "$rmq_dir/rabbit.pid")"
  for q in $queues; do declare_queue "$port" "$q"; done
  url="amqp://guest:guest@127.0.0.1:$port"
  address_prefix="/amq/queue/"
}

# A durable classic queue over AMQP 0-9-1 (RabbitMQ's AMQP 1.0 plugin only declares non-durable ones).
declare_queue() {
  python3 - "$1" "$2" <<'PY'
import socket, struct, sys
port, queue = int(sys.argv[1]), sys.argv[2].encode()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"AMQP\x00\x00\x09\x01")
buf = b""
def frame():
    global buf
    while True:
        if len(buf) >= 7:
            size = struct.unpack(">I", buf[3:7])[0]
            if len(buf) >= 8 + size:
                kind, channel = buf[0], struct.unpack(">H", buf[1:3])[0]
                payload, buf = buf[7:7 + size], buf[8 + size:]
                if kind != 1:
                    continue
                cls, meth = struct.unpack(">HH", payload[:4])
                if (cls, meth) in ((10, 50), (20, 40)):
                    code = struct.unpack(">H", payload[4:6])[0]
                    sys.exit("broker closed: %d %r" % (code, payload[7:7 + payload[6]]))
                return cls, meth, payload[4:]
        data = s.recv(65536)
        if not data:
            sys.exit("connection closed")
        buf += data
def method(channel, cls, meth, args):
    payload = struct.pack(">HH", cls, meth) + args
    s.sendall(struct.pack(">BHI", 1, channel, len(payload)) + payload + b"\xce")
def short(b): return bytes([len(b)]) + b
def expect(cls, meth):
    got = frame()
    if got[:2] != (cls, meth):
        sys.exit("expected %s, got %s" % ((cls, meth), got[:2]))
    return got[2]
expect(10, 10)
auth = b"\x00guest\x00guest"
method(0, 10, 11, struct.pack(">I", 0) + short(b"PLAIN") + struct.pack(">I", len(auth)) + auth + short(b"en_US"))
tune = expect(10, 30)
channel_max, frame_max, _ = struct.unpack(">HIH", tune[:8])
method(0, 10, 31, struct.pack(">HIH", channel_max, frame_max, 0))
method(0, 10, 40, short(b"/") + short(b"") + b"\x00")
expect(10, 41)
method(1, 20, 10, short(b""))
expect(20, 11)
method(1, 50, 10, struct.pack(">H", 0) + short(queue) + b"\x02" + struct.pack(">I", 0))   # durable
ok = expect(50, 11)
n = ok[0]
count = struct.unpack(">I", ok[1 + n:5 + n])[0]
print("declared durable queue %s (%d messages)" % (queue.decode(), count))
method(0, 10, 50, struct.pack(">H", 200) + short(b"bye") + struct.pack(">HH", 0, 0))
PY
}

start_mqgate() {
  local port
  port="$(free_port)"
  echo "== starting mqgate ($mqgate_bin, flush $flush) on 127.0.0.1:$port"
  RUST_LOG=warn "$mqgate_bin" serve --data-dir "$out/mqgate-data" --amqp-listen "127.0.0.1:$port" \
    --remoting-listen off --grpc-listen off --http-listen off --flush "$flush" >"$out/mqgate.log" 2>&1 &
  broker_pid=$!
  wait_port "$port"
  url="amqp://guest:guest@127.0.0.1:$port"
  address_prefix=""
}

# ---- the sequence ------------------------------------------------------------------------------------------
# The produce runs and the drain share `bench1` (as in the baseline); each e2e run has a queue of its own, so a
# backlog one run leaves behind cannot reach the next.
queues="bench1 e2e_paced e2e_1p1c e2e_4p4c"
# run NAME QUEUE amqp-load-args...: runs one command, keeps its JSON line with the label BROKER/NAME.
run() {
  local name="$1" queue="$2"; shift 2
  echo "-- $broker/$name"
  local log="$out/$broker-$name.txt"
  set +e
  "$load" "$@" --url "$url" --address "$address_prefix$queue" --label "$broker/$name" --watch-pid "$broker_pid" \
    $nodelay_flag | tee "$log"
  set -e
  grep '^JSON ' "$log" | sed 's/^JSON //' >>"$results" || echo "   (no result: see $log)"
  sleep 2
}
accepted() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().split("JSON ",1)[1])["accepted_total"])' <"$out/$broker-$1.txt" 2>/dev/null || echo 0; }

sequence() {
  local send=(--size 1024 --warmup "$warmup" --duration "$duration")
  run p1k_c1_i1 bench1 produce "${send[@]}" --conns 1 --inflight 1
  local total
  total="$(accepted p1k_c1_i1)"
  for r in $(seq 1 "$produce_runs"); do
    run "p1k_c4_i64_r$r" bench1 produce "${send[@]}" --conns 4 --inflight 64
    total=$((total + $(accepted "p1k_c4_i64_r$r")))
  done
  run drain bench1 consume --conns 1 --credit 256 --count "$total" --duration "$drain_max"
  run "e2e_$e2e_rate" e2e_paced e2e "${send[@]}" --rate "$e2e_rate" --conns 1 --inflight 64 --consumers 1
  run e2e_1p1c e2e_1p1c e2e "${send[@]}" --conns 1 --inflight 64 --consumers 1 --grace "$grace"
  run e2e_4p4c e2e_4p4c e2e "${send[@]}" --conns 4 --inflight 64 --consumers 4 --grace "$grace"
}

t_start=$SECONDS
for broker in $brokers; do
  case "$broker" in
    rabbitmq) start_rabbitmq; sequence; stop_rabbitmq ;;
    mqgate) start_mqgate; sequence; stop_mqgate ;;
    *) echo "unknown broker $broker (rabbitmq, mqgate)" >&2; exit 2 ;;
  esac
done

# ---- summary -----------------------------------------------------------------------------------------------
python3 - "$results" "$flush" "${NODELAY:-0}" "$duration" "$warmup" >"$out/summary.md" <<'PY'
import json, sys
path, flush, nodelay, duration, warmup = sys.argv[1:6]
rows = {}
for line in open(path):
    r = json.loads(line)
    broker, name = r["label"].split("/", 1)
    rows.setdefault(name, {})[broker] = r
def rate(r):
    return r.get("msgs_per_sec", r.get("received_per_sec"))
def lat(r):
    l = r.get("e2e_latency_us") or r.get("latency_us")
    return "%s / %s / %s" % (l["p50"], l["p99"], l["p999"]) if l else "–"
def res(r):
    parts = ["%s %% CPU" % r["broker_cpu_pct"]] if "broker_cpu_pct" in r else []
    if "broker_rss_mb" in r: parts.append("%d MB" % r["broker_rss_mb"])
    if "client_cpu_pct" in r: parts.append("client %s %%" % r["client_cpu_pct"])
    return ", ".join(parts) or "–"
def problems(r):
    bad = [k for k in ("errors", "missing", "duplicates") if r.get(k)]
    return ", ".join("%s %s" % (k, r[k]) for k in bad) or "ok"
print("AMQP 1.0, 1 KB durable messages; %s s measured after %s s warm-up; mqgate flush %s; client TCP_NODELAY %s"
      % (duration, warmup, flush, "on" if nodelay == "1" else "off"))
print()
print("| run | mqgate msg/s | RabbitMQ msg/s | ratio | mqgate latency p50 / p99 / p999 µs | RabbitMQ latency µs | mqgate broker | RabbitMQ broker | checks (mqgate · RabbitMQ) |")
print("|---|---:|---:|---:|---|---|---|---|---|")
for name, by in rows.items():
    m, q = by.get("mqgate"), by.get("rabbitmq")
    ratio = "%.2f" % (rate(m) / rate(q)) if m and q and rate(q) else "–"
    cell = lambda r, f: f(r) if r else "–"
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s · %s |" % (
        name, cell(m, rate), cell(q, rate), ratio, cell(m, lat), cell(q, lat), cell(m, res), cell(q, res),
        cell(m, problems), cell(q, problems)))
print()
print("Latency: send → accepted for produce runs, send → arrival (unix ns in the body) for e2e runs.")
PY
echo
echo "== summary ($out/summary.md, $((SECONDS - t_start)) s)"
cat "$out/summary.md"
