#!/usr/bin/env bash
# rget daemon as users start it (./rget daemon, the launcher's JVM flags): resident memory when
# idle, and how fast aria2.tellActive answers with 100 downloads queued (5 active from a
# throttled `rget serve`, 95 waiting). Latency is curl's time_total for one POST /jsonrpc on a
# new connection, over loopback.
#
#   bench/daemon.sh [--calls N]
#
# Prints a Markdown report; bench/results/daemon.md keeps the figures. Targets (issue 12): idle
# RSS <= 96 MiB, tellActive median < 50 ms.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=$BENCH/work/daemon
# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"

CALLS=200
while [ $# -gt 0 ]; do
  case $1 in
    --calls) CALLS=$2; shift ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
  shift
done
ensure_tools curl:curl
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
rpc() { curl -s --max-time 10 "http://127.0.0.1:$RPC_PORT/jsonrpc" -d "$1"; }
await_port() { # port pid
  local i
  for i in $(seq 1 200); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; then return 0; fi
    kill -0 "$2" 2>/dev/null || die "process $2 ended before listening on $1"
    sleep 0.1
  done
  die "nothing listens on $1"
}

rm -rf "$WORK" && mkdir -p "$WORK/www" "$WORK/dl"
make_file "$WORK/www/q.bin" $((64 * 1048576))
"$ROOT/rget" --version >/dev/null # builds the jar if needed, records the class-data archive

PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

ORIGIN_PORT=$(free_port)
"$ROOT/rget" serve -q -p "$ORIGIN_PORT" --limit-rate 64k "$WORK/www" >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
await_port "$ORIGIN_PORT" "${PIDS[-1]}"

RPC_PORT=$(free_port)
"$ROOT/rget" daemon --rpc-listen-port "$RPC_PORT" -d "$WORK/dl" -j 5 >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
PIDS+=("$DAEMON")
await_port "$RPC_PORT" "$DAEMON"
rpc '{"jsonrpc":"2.0","id":1,"method":"aria2.getVersion"}' >/dev/null
sleep 5 # idle: what a daemon nobody uses holds after start-up settled
IDLE_KIB=$(rss_kib "$DAEMON")
log "idle RSS: $IDLE_KIB KiB"

for i in $(seq 1 100); do
  rpc "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"aria2.addUri\",\"params\":[[\"http://127.0.0.1:$ORIGIN_PORT/q.bin\"],{\"out\":\"q$i.bin\",\"split\":\"2\"}]}" >/dev/null
done
STAT=$(rpc '{"jsonrpc":"2.0","id":1,"method":"aria2.getGlobalStat"}')
log "queued: $STAT"

times=$WORK/tellActive.ms
: >"$times"
for i in $(seq 1 "$CALLS"); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$RPC_PORT/jsonrpc" \
    -d '{"jsonrpc":"2.0","id":1,"method":"aria2.tellActive"}' | awk '{ printf "%.3f\n", $1 * 1000 }' >>"$times"
done
waiting=$WORK/tellWaiting.ms
: >"$waiting"
for i in $(seq 1 "$CALLS"); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$RPC_PORT/jsonrpc" \
    -d '{"jsonrpc":"2.0","id":1,"method":"aria2.tellWaiting","params":[0,1000]}' | awk '{ printf "%.3f\n", $1 * 1000 }' >>"$waiting"
done
BUSY_KIB=$(rss_kib "$DAEMON")

p95() { sort -g | awk '{ v[NR] = $1 } END { i = int(NR * 0.95); if (i < 1) i = 1; printf "%.3f\n", v[i] }'; }
cat <<REPORT
## rget daemon ($(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1))

Started as \`./rget daemon -j 5\` (the launcher's flags: serial GC, -Xmx96m -Xmn16m).

| measure | value | target |
|---|---|---|
| RSS idle, 5 s after start | $((IDLE_KIB / 1024)) MiB | <= 96 MiB |
| RSS with 100 queued (5 active at 64 KiB/s per connection, 95 waiting) | $((BUSY_KIB / 1024)) MiB | |
| tellActive, median of $CALLS (5 downloads, all keys) | $(median <"$times") ms | < 50 ms |
| tellActive, 95th percentile | $(p95 <"$times") ms | |
| tellWaiting 0..1000 (95 downloads), median | $(median <"$waiting") ms | |
| tellWaiting 0..1000, 95th percentile | $(p95 <"$waiting") ms | |

Queue at measurement: \`$STAT\`
REPORT
