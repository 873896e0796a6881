#!/usr/bin/env bash
# rget serve vs nginx on the same machine, files and loopback, sendfile on for both.
#
#   bench/serve-vs-nginx.sh            # full: 1 GiB + 256 MiB files, 5 runs x 8 s per server
#   bench/serve-vs-nginx.sh --quick    # 2 runs x 4 s (a check that it works; noisier)
#   bench/serve-vs-nginx.sh --runs 5 --duration 15
#
# Scenarios (wrk, each run alternating the servers A B A B ...):
#   ranges: 1 MiB ranges at random offsets of a 1 GiB file, 64 connections (wrk + Lua Range)
#   whole:  whole-file downloads of a 256 MiB file, 4 connections
# Prints a Markdown report on stdout (medians side by side, ratio rget/nginx, target >= 1.0);
# progress and per-run figures on stderr. Files live in bench/work/serve/ (git-ignored) and are
# reused while their size matches. Installs nginx-light, wrk and curl with apt-get if missing.
# Stops both servers on exit or Ctrl-C. The machine is shared: expect noise, compare ratios.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$here/work/serve"
runs=5
duration=8
# Seconds of load each server gets before the measured runs: rget serve is a long-running JVM and
# its steady state, once the JIT has compiled the serving path, is what its users get; two seconds
# left it compiling during the first measured runs (their figures rose run after run).
warmup=10
big_mib=1024
whole_mib=256
quick=""

while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; runs=2; duration=4; warmup=2 ;;
    --runs) runs=$2; shift ;;
    --duration) duration=$2; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "serve-vs-nginx: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "[serve-vs-nginx] $*" >&2; }

need() { # installs the Debian packages providing missing commands
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v java >/dev/null || missing+=(default-jre-headless)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

make_file() { # path MiB: random content, kept while the size matches
  local path=$1 mib=$2
  if [ ! -f "$path" ] || [ "$(stat -c %s "$path")" != $((mib * 1048576)) ]; then
    log "generating $path ($mib MiB)"
    head -c $((mib * 1048576)) /dev/urandom >"$path.tmp" && mv "$path.tmp" "$path"
  fi
}

NGINX_PID=""
RGET_PID=""
cleanup() {
  # A killed process's wait status (143) must not become the script's (set -e applies here).
  if [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; then wait "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$RGET_PID" ] && kill "$RGET_PID" 2>/dev/null; then wait "$RGET_PID" 2>/dev/null || true; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url
  local i
  for i in $(seq 1 100); do
    curl -fs -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}

start_nginx() {
  local dir="$work/nginx" port temps="" m user="" v
  mkdir -p "$dir/tmp"
  port=$(free_port)
  v=$(nginx -V 2>&1 || /usr/sbin/nginx -V 2>&1)
  for m in proxy fastcgi uwsgi scgi; do
    case $v in *"--without-http_${m}_module"*) ;; *) temps+="  ${m}_temp_path $dir/tmp/$m;"$'\n' ;; esac
  done
  [ "$(id -u)" = 0 ] && user="user root;"
  TEMPS="$temps" USERLINE="$user" DIR="$dir" PORT="$port" ROOT="$work/www" python3 - "$here/serve/nginx.conf.template" >"$dir/nginx.conf" <<'PY'
import os, sys
t = open(sys.argv[1]).read()
for k, v in (("@TEMPS@", os.environ["TEMPS"]), ("@USER@", os.environ["USERLINE"]),
             ("@DIR@", os.environ["DIR"]), ("@PORT@", os.environ["PORT"]), ("@ROOT@", os.environ["ROOT"])):
    t = t.replace(k, v)
sys.stdout.write(t)
PY
  : >"$dir/access.log"
  "$(command -v nginx || echo /usr/sbin/nginx)" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" </dev/null >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port"
  wait_http "$NGINX_URL/whole.bin" || { log "nginx did not start: $(cat "$dir/error.log")"; exit 1; }
  log "nginx $(nginx -v 2>&1 | sed 's/.*\///') pid $NGINX_PID on $NGINX_URL"
}

start_rget() {
  local frozen="$work/rget-frozen" out="$work/rget-serve.log"
  # Measure a frozen copy (others may rebuild the tree while this runs), started exactly as users
  # start it: through the launcher, with its own per-command JVM flags and class-data-sharing
  # archive. The launcher execs the JVM, so RGET_PID is the server itself.
  if [ ! -f "$repo/rget-cli/target/rget.jar" ]; then
    log "building rget"
    (cd "$repo" && mvn -q -B install -Dmaven.test.skip=true) >&2
  fi
  rm -rf "$frozen"
  mkdir -p "$frozen/rget-cli/target"
  cp "$repo/rget-cli/target/rget.jar" "$frozen/rget-cli/target/rget.jar"
  cp "$repo/rget" "$frozen/rget"
  "$frozen/rget" serve --port 0 "$work/www" </dev/null >"$out" 2>&1 &
  RGET_PID=$!
  local i
  for i in $(seq 1 300); do grep -q '^Serving ' "$out" 2>/dev/null && break; sleep 0.1; done
  RGET_URL=$(sed -n 's/^Serving .* on \(http:[^ ]*\)\/$/\1/p' "$out")
  [ -n "$RGET_URL" ] || { log "rget serve did not start: $(cat "$out")"; exit 1; }
  log "rget serve pid $RGET_PID on $RGET_URL (./rget serve, JVM: $(tr '\0' ' ' </proc/$RGET_PID/cmdline | sed 's/ -jar .*//'))"
}

# wrk output -> "MiB/s req/s errors"
parse_wrk() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    /Transfer\/sec:/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+/, "", v);
                       f = (u == "GB") ? 1024 : (u == "MB") ? 1 : (u == "KB") ? 1/1024 : 1/1048576;
                       mib = v * f }
    /Non-2xx or 3xx responses:/ { bad += $5 }
    /Socket errors:/ { for (i = 3; i <= NF; i += 2) { gsub(/,/, "", $(i+1)); bad += $(i+1) } }
    END { printf "%.1f %.1f %d\n", mib, rps, bad }'
}

run_wrk() { # scenario url seconds -> prints "MiB/s req/s errors"
  local scenario=$1 url=$2 secs=$3
  case $scenario in
    ranges) FILE_SIZE=$((big_mib * 1048576)) CHUNK=1048576 \
              wrk -t2 -c64 -d"${secs}s" --timeout 10s -s "$here/serve/random-range.lua" "$url/big.bin" ;;
    whole) wrk -t2 -c4 -d"${secs}s" --timeout 30s "$url/whole.bin" ;;
  esac | parse_wrk
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

need
mkdir -p "$work/www"
make_file "$work/www/big.bin" "$big_mib"
make_file "$work/www/whole.bin" "$whole_mib"
log "warming the page cache"
cat "$work/www/big.bin" "$work/www/whole.bin" >/dev/null
start_nginx
start_rget

results="$work/runs.tsv"
printf 'scenario\trun\tserver\tMiB_s\treq_s\terrors\n' >"$results"
for scenario in ranges whole; do
  log "$scenario: warm-up, $warmup s each"
  run_wrk "$scenario" "$NGINX_URL" "$warmup" >/dev/null
  run_wrk "$scenario" "$RGET_URL" "$warmup" >/dev/null
  for run in $(seq 1 "$runs"); do
    for server in nginx rget; do   # A B A B ...
      url=$NGINX_URL; [ "$server" = rget ] && url=$RGET_URL
      read -r mib rps errors < <(run_wrk "$scenario" "$url" "$duration")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$run" "$server" "$mib" "$rps" "$errors" >>"$results"
      log "$scenario run $run $server: $mib MiB/s, $rps req/s, $errors errors"
    done
  done
done

col() { awk -F'\t' -v s="$1" -v v="$2" -v c="$3" '$1 == s && $3 == v { print $c }' "$results"; }

echo "## rget serve vs nginx${quick:+ (quick)}"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"\
  "load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r); $(nginx -v 2>&1 | sed 's/.*: //');"\
  "$(java -version 2>&1 | head -1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)."
echo "Loopback, sendfile on for both, access logs on for both (to files), nginx worker_processes auto,"
echo "rget serve started through the launcher (\`./rget serve\`, its own JVM flags). $runs runs x ${duration} s per server and scenario,"
echo "alternating nginx, rget, nginx, rget ...; medians. The machine is shared, so figures are noisy."
echo
echo "| scenario | nginx MiB/s | rget MiB/s | nginx req/s | rget req/s | rget / nginx | target | errors (n/r) |"
echo "|---|---:|---:|---:|---:|---:|---|---|"
for scenario in ranges whole; do
  n=$(col "$scenario" nginx 4 | median); r=$(col "$scenario" rget 4 | median)
  nr=$(col "$scenario" nginx 5 | median); rr=$(col "$scenario" rget 5 | median)
  ne=$(col "$scenario" nginx 6 | awk '{ s += $1 } END { print s + 0 }')
  re=$(col "$scenario" rget 6 | awk '{ s += $1 } END { print s + 0 }')
  ratio=$(awk -v a="$r" -v b="$n" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
  ok=$(awk -v x="$ratio" 'BEGIN { print (x >= 1.0) ? "met (>= 1.0)" : "MISSED (< 1.0)" }')
  case $scenario in
    ranges) label="1 MiB random ranges of ${big_mib} MiB, 64 conns" ;;
    whole) label="whole ${whole_mib} MiB file, 4 conns" ;;
  esac
  echo "| $label | $n | $r | $nr | $rr | **$ratio** | $ok | $ne / $re |"
done
echo
echo "Per run (MiB/s):"
echo
echo '```'
awk -F'\t' 'NR > 1 { printf "%-7s run %s  %-5s %8s MiB/s %9s req/s\n", $1, $2, $3, $4, $5 }' "$results"
echo '```'
exit 0
