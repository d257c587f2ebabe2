#!/usr/bin/env bash
# Apache RocketMQ (Java) name server + broker as a benchmark peer for mqgate, from Maven Central jars.
#   apache-rocketmq.sh start    fetch the jars if needed (Maven, version pinned in apache-rocketmq/pom.xml), then
#                               start the name server and the broker on 127.0.0.1 with a fresh store; returns when
#                               the broker has registered with the name server (clients get routes)
#   apache-rocketmq.sh stop     stop both (SIGTERM, SIGKILL after 30 s) and delete the state directory
#   apache-rocketmq.sh status   say what runs; exit 0 when both run, 3 otherwise
# Point the load generator at the name server: mqgate bench --target 127.0.0.1:$RMQ_NAMESRV_PORT ...
# Environment (defaults): RMQ_NAMESRV_PORT (39876), RMQ_BROKER_PORT (30911; the broker also listens on
# port-2 (its "VIP" port) and port+1 (HA, all interfaces: Apache has no bind address for it)),
# RMQ_BROKER_HEAP (2g), RMQ_NAMESRV_HEAP (512m), RMQ_DIR (state: config, store, logs;
# ${TMPDIR:-/tmp}/mqgate-apache-rocketmq-<namesrv port>), RMQ_KEEP=1 (stop keeps RMQ_DIR), JAVA_HOME.
# Broker settings: ASYNC_MASTER, ASYNC_FLUSH, autoCreateTopicEnable, everything else as Apache ships it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pom_dir="$here/apache-rocketmq"
lib="$pom_dir/lib"
ns_port="${RMQ_NAMESRV_PORT:-39876}"
broker_port="${RMQ_BROKER_PORT:-30911}"
dir="${RMQ_DIR:-${TMPDIR:-/tmp}/mqgate-apache-rocketmq-$ns_port}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
version="$(sed -n 's:.*<rocketmq.version>\(.*\)</rocketmq.version>.*:\1:p' "$pom_dir/pom.xml")"

die() { echo "apache-rocketmq: $*" >&2; exit 1; }
alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

fetch() {
  [ -f "$lib/rocketmq-broker-$version.jar" ] && [ -f "$lib/rocketmq-namesrv-$version.jar" ] && return
  command -v mvn >/dev/null || die "maven is not installed (apt-get install maven)"
  echo "== fetching Apache RocketMQ $version (namesrv, broker) from Maven Central into $lib"
  rm -rf "$lib"
  mvn -q -B -f "$pom_dir/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime \
    || die "maven could not fetch rocketmq $version"
}

# $1 = namesrv|broker, $2 = heap, $3 = main class, rest = its arguments. Detached, output in $dir/$1.out.
launch() {
  local name=$1 heap=$2 main=$3; shift 3
  ROCKETMQ_HOME="$dir" setsid nohup "$java" -server "-Xms$heap" "-Xmx$heap" \
    -XX:+UseG1GC -XX:G1HeapRegionSize=16m -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30 \
    -XX:SoftRefLRUPolicyMSPerMB=0 -XX:-OmitStackTraceInFastThrow -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=4g \
    -Duser.home="$dir" -Drocketmq.home.dir="$dir" \
    -Drmq.logback.configurationFile="$dir/conf/rmq.$name.logback.xml" \
    -cp "$lib/*" "$main" "$@" >"$dir/$name.out" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

# Waits until $dir/$3 (default: the server's output) has a line matching $4 (default "boot success"); prints how
# long that took.
await_boot() {
  local name=$1 t0=$2 file="$dir/${3:-$1.out}" pattern="${4:-boot success}"
  for _ in $(seq 1 1200); do
    if grep -q "$pattern" "$file" 2>/dev/null; then
      echo "$name up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
      return
    fi
    alive "$name" || { tail -n 30 "$dir/$name.out"; die "$name exited at start (logs: $dir)"; }
    sleep 0.1
  done
  die "$name did not boot in 120 s (logs: $dir)"
}

start() {
  if alive namesrv || alive broker; then die "already running (state in $dir); stop it first"; fi
  command -v "$java" >/dev/null || die "java is not installed (apt-get install openjdk-17-jdk-headless)"
  fetch
  rm -rf "$dir"
  mkdir -p "$dir/conf" "$dir/store"
  # Each server gets its own logging setup (both files are on the classpath; the first found would win).
  unzip -p "$lib/rocketmq-namesrv-$version.jar" rmq.namesrv.logback.xml >"$dir/conf/rmq.namesrv.logback.xml"
  unzip -p "$lib/rocketmq-broker-$version.jar" rmq.broker.logback.xml >"$dir/conf/rmq.broker.logback.xml"
  cat >"$dir/conf/namesrv.conf" <<EOF
listenPort=$ns_port
bindAddress=127.0.0.1
kvConfigPath=$dir/namesrv/kvConfig.json
configStorePath=$dir/namesrv/namesrv.properties
EOF
  cat >"$dir/conf/broker.conf" <<EOF
brokerClusterName=DefaultCluster
brokerName=broker-a
brokerId=0
brokerRole=ASYNC_MASTER
flushDiskType=ASYNC_FLUSH
namesrvAddr=127.0.0.1:$ns_port
brokerIP1=127.0.0.1
bindAddress=127.0.0.1
listenPort=$broker_port
haListenPort=$((broker_port + 1))
autoCreateTopicEnable=true
autoCreateSubscriptionGroup=true
storePathRootDir=$dir/store
storePathCommitLog=$dir/store/commitlog
EOF
  echo "== starting Apache RocketMQ $version: name server 127.0.0.1:$ns_port, broker 127.0.0.1:$broker_port (state: $dir)"
  local t0
  t0="$(date +%s.%N)"
  launch namesrv "${RMQ_NAMESRV_HEAP:-512m}" org.apache.rocketmq.namesrv.NamesrvStartup -c "$dir/conf/namesrv.conf"
  await_boot namesrv "$t0"
  t0="$(date +%s.%N)"
  launch broker "${RMQ_BROKER_HEAP:-2g}" org.apache.rocketmq.broker.BrokerStartup -c "$dir/conf/broker.conf"
  # "boot success" comes before the broker's first registration with the name server has landed; until then
  # clients get no route.
  await_boot broker "$t0" logs/rocketmqlogs/broker.log "Registering current broker to name server completed"
}

stop_one() {
  local name=$1 pid
  alive "$name" || return 0
  pid="$(cat "$dir/$name.pid")"
  kill "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "$name (pid $pid) still running 30 s after SIGTERM; killing it"
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  stop_one broker
  stop_one namesrv
  if [ -n "${RMQ_KEEP:-}" ]; then echo "state kept: $dir"; else rm -rf "$dir"; fi
}

status() {
  local rc=0 name
  for name in namesrv broker; do
    if alive "$name"; then echo "$name running (pid $(cat "$dir/$name.pid"))"; else echo "$name stopped"; rc=3; fi
  done
  return "$rc"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
