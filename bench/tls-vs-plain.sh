#!/usr/bin/env bash
# What TLS costs on the remoting port: starts one release mqgate with permissive TLS (plaintext and TLS on the
# same port, a fresh `mqgate tls self-signed` certificate), then runs `mqgate bench` against it, plaintext and TLS
# interleaved so both see the same machine:
#   produce 1 KB, 4 connections x 64 in flight      plaintext, then TLS
#   produce 1 KB, 1 connection  x 1 in flight       plaintext, then TLS
#   handshake: $HANDSHAKES connections one after another, TCP only, then TCP + TLS (full handshakes, no resumption)
# TLS runs verify the server against the generated CA (--tls-ca) and negotiate TLS 1.3 (rustls on both ends).
# Prints each run's report and a summary table; the JSON lines go to $OUT.
# Run it on a quiet machine: the load generator and the server share the host.
# Environment: MQGATE (binary; default target/release/mqgate, built if missing), DURATION (s per produce run,
# default 10), WARMUP (s of unrecorded load first, default 3), HANDSHAKES (default 1000), OUT (default
# target/tls-vs-plain.jsonl).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-10}"
warmup="${WARMUP:-3}"
handshakes="${HANDSHAKES:-1000}"
out="${OUT:-$root/target/tls-vs-plain.jsonl}"
bin="${MQGATE:-$root/target/release/mqgate}"
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release -p mqgate)
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" tls self-signed --out "$work/certs" --host 127.0.0.1 >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$bin" serve --data-dir "$work/data" --remoting-listen "127.0.0.1:$port" --grpc-listen off \
  --amqp-listen off --http-listen off --advertised-address "127.0.0.1:$port" \
  --tls-mode permissive --tls-cert "$work/certs/server.crt" --tls-key "$work/certs/server.key" \
  >"$work/mqgate.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/mqgate.log"; exit 1; }
  sleep 0.1
done

tls=(--tls-ca "$work/certs/ca.crt")
: >"$out"
bench() { # label, then mqgate bench arguments
  local label=$1; shift
  echo "== $label"
  "$bin" bench --target "127.0.0.1:$port" "$@" | tee "$work/run.out"
  tail -n 1 "$work/run.out" | python3 -c 'import json,sys; r=json.load(sys.stdin); r["label"]=sys.argv[1]; print(json.dumps(r))' \
    "$label" >>"$out"
}

echo "== warm-up ($warmup s plaintext, $warmup s TLS; not recorded)"
"$bin" bench --target "127.0.0.1:$port" --topic BenchTlsWarm --connections 4 --in-flight 64 --duration "$warmup" >/dev/null
"$bin" bench --target "127.0.0.1:$port" --topic BenchTlsWarm --connections 4 --in-flight 64 --duration "$warmup" \
  "${tls[@]}" >/dev/null

p=(--mode produce --topic BenchTls --size 1024 --duration "$duration")
bench "plaintext 1KB 4x64" "${p[@]}" --connections 4 --in-flight 64
bench "TLS 1KB 4x64" "${p[@]}" --connections 4 --in-flight 64 "${tls[@]}"
bench "plaintext 1KB 1x1" "${p[@]}" --connections 1 --in-flight 1
bench "TLS 1KB 1x1" "${p[@]}" --connections 1 --in-flight 1 "${tls[@]}"
# --duration bounds the run too; make it generous so the count decides.
h=(--mode handshake --count "$handshakes" --duration 600)
bench "TCP connect x$handshakes" "${h[@]}"
bench "TCP + TLS handshake x$handshakes" "${h[@]}" "${tls[@]}"

echo
python3 - "$out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'run (handshake rows: connections/s)':<34} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
def row(label, rate, l, errors):
    print(f"{label:<34} {rate:>9} {l['p50_us'] / 1000:>8.3f} {l['p99_us'] / 1000:>8.3f} {errors:>7}")
for r in rows:
    if r["mode"] == "handshake":
        row(r["label"], f"{r['msgs_per_sec']:.0f}/s", r["connect_latency"], r["errors"])
        if r["handshake_latency"]:
            row("  of which the TLS handshake", "", r["handshake_latency"], "")
    else:
        row(r["label"], f"{r['msgs_per_sec']:.0f}", r["send_latency"], r["errors"])
EOF
echo "JSON lines: $out"
