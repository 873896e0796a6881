#!/usr/bin/env bash
# Uploads: `./rget upload` to `./rget serve --uploads` vs `curl -T` (one PUT) to nginx with
# `dav_methods PUT`, on loopback, same file, same disk.
#
#   bench/upload.sh                    # 1 GiB, 5 runs per side, alternating; Markdown on stdout
#   bench/upload.sh --runs 3 --size-mib 256
#   bench/upload.sh --chunk-size 64m   # rget's --chunk-size instead of its automatic one
#   bench/upload.sh > bench/results/upload.md
#
# Each run is timed from the client's start to its exit (the server then holds the whole file);
# the uploaded file is compared with the source after each run (outside the timing) and removed.
# One warm-up run per side first. Peak RSS: the client's from /usr/bin/time (%M), the server's
# from VmHWM in /proc at the end (rget serve: the JVM, which the launcher execs; nginx: the largest
# of its processes). Both rget sides are a frozen copy of the current build started through the
# launcher, as users start them (no rebuild while measuring). Targets: rget time <= 1.0 x curl's,
# each side's peak RSS <= 128 MiB. Files live in bench/work/upload/ (git-ignored). Installs
# nginx-light and curl with apt-get if missing. The machine is shared: expect noise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$here/work/upload"
runs=5
size_mib=1024
chunk=""

while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --size-mib) size_mib=$2; shift ;;
    --chunk-size) chunk=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "upload: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "[upload $(date +%H:%M:%S)] $*" >&2; }

need() {
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v curl >/dev/null || missing+=(curl)
  [ -x /usr/bin/time ] || missing+=(time)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  case $("$NGINX" -V 2>&1) in
    *--with-http_dav_module*) ;;
    *) log "this nginx has no dav module (nginx -V); install nginx-light"; exit 1 ;;
  esac
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

NGINX_PID=""
RGET_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; then wait "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$RGET_PID" ] && kill "$RGET_PID" 2>/dev/null; then wait "$RGET_PID" 2>/dev/null || true; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_nginx() {
  local dir="$work/nginx" port user=""
  rm -rf "$dir"
  mkdir -p "$dir/tmp" "$dir/www/put"
  port=$(free_port)
  [ "$(id -u)" = 0 ] && user="user root;"
  # One PUT is written to client_body_temp_path, then renamed into place (same file system).
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
$user
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path $dir/www/.tmp;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  access_log $dir/access.log;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$port;
    root $dir/www;
    location /put/ {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
EOF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" </dev/null >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port/put"
  local i
  for i in $(seq 1 100); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
  log "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') pid $NGINX_PID, PUT to $NGINX_URL/"
}

freeze_rget() {
  # A frozen copy of the current build, launcher included: other helpers may rebuild the tree
  # while this runs, and the copy has no sources, so its launcher never rebuilds.
  FROZEN="$work/rget-frozen"
  if [ ! -f "$repo/rget-cli/target/rget.jar" ]; then
    log "building rget (mvn package)"
    (cd "$repo" && mvn -o -q -B package -DskipTests) >&2
  fi
  rm -rf "$FROZEN"
  mkdir -p "$FROZEN/rget-cli/target"
  cp "$repo/rget-cli/target/rget.jar" "$FROZEN/rget-cli/target/rget.jar"
  cp "$repo/rget" "$FROZEN/rget"
  log "rget: frozen copy of $(git -C "$repo" rev-parse --short HEAD) (jar of $(date -r "$repo/rget-cli/target/rget.jar" -u '+%H:%M UTC'))"
}

start_rget() {
  local out="$work/rget-serve.log"
  rm -rf "$work/updir" "$work/www"
  mkdir -p "$work/updir" "$work/www"
  "$FROZEN/rget" serve --uploads "$work/updir" --upload-max-size 8g --port 0 -q "$work/www" </dev/null >"$out" 2>&1 &
  RGET_PID=$!
  local i
  for i in $(seq 1 300); do grep -q '^Uploads ' "$out" 2>/dev/null && break; sleep 0.1; done
  RGET_URL=$(sed -n 's/^Uploads (tus 1.0.0) at \(http:[^ ]*\) into .*/\1/p' "$out")
  [ -n "$RGET_URL" ] || { log "rget serve did not start: $(cat "$out")"; exit 1; }
  log "rget serve pid $RGET_PID, uploads at $RGET_URL (JVM: $(tr '\0' ' ' </proc/$RGET_PID/cmdline | sed 's/ -jar .*//'))"
}

cpu_ticks() { # PID...: user+system clock ticks of the processes, their threads and reaped children
  local p t=0
  for p in "$@"; do
    t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}

server_pids() { # SIDE
  case $1 in
    curl) echo "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true) ;;
    rget) echo "$RGET_PID" ;;
  esac
}

# timed SIDE: one upload; prints "seconds rss_kib client_cpu_s server_cpu_s"
timed() {
  local side=$1 tf="$work/time.out" t0 t1 rc=0 s0 s1 pids
  case $side in
    curl) CMD=(curl -sS -f -T "$src" "$NGINX_URL/up.bin") ;;
    rget) CMD=("$FROZEN/rget" upload "$src" "$RGET_URL" --state-dir "$work/state" -q ${chunk:+--chunk-size "$chunk"}) ;;
  esac
  sync
  pids=$(server_pids "$side")
  s0=$(cpu_ticks $pids)
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o "$tf" "${CMD[@]}" </dev/null >>"$work/$side.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  s1=$(cpu_ticks $pids)
  [ "$rc" = 0 ] || { log "$side failed (exit $rc): $(tail -3 "$work/$side.log")"; exit 1; }
  local got
  case $side in
    curl) got="$work/nginx/www/put/up.bin" ;;
    rget) got="$work/updir/data.bin" ;;
  esac
  cmp -s "$src" "$got" || { log "$side: uploaded file differs from the source"; exit 1; }
  rm -f "$got"
  awk -v a="$t0" -v b="$t1" -v u="$(tail -1 "$tf")" -v s="$((s1 - s0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { split(u, f, " "); printf "%.3f %d %.2f %.2f\n", b - a, f[1], f[2] + f[3], s / hz }'
}

hwm_kib() { # PID...: the largest VmHWM among them
  local p m=0 v
  for p in "$@"; do
    v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$m" ] && m=$v
  done
  echo "$m"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

need
mkdir -p "$work"
src="$work/data.bin"
if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != $((size_mib * 1048576)) ]; then
  log "generating $src ($size_mib MiB)"
  head -c $((size_mib * 1048576)) /dev/urandom >"$src.tmp" && mv "$src.tmp" "$src"
fi
cat "$src" >/dev/null
freeze_rget
start_nginx
start_rget
rm -rf "$work/state"
: >"$work/curl.log"
: >"$work/rget.log"

results="$work/runs.tsv"
printf 'run\tside\tseconds\tclient_rss_kib\tclient_cpu_s\tserver_cpu_s\n' >"$results"
log "warm-up"
timed curl >/dev/null
timed rget >/dev/null
for run in $(seq 1 "$runs"); do
  for side in curl rget; do   # A B A B ...
    read -r secs rss ccpu scpu < <(timed "$side")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$side" "$secs" "$rss" "$ccpu" "$scpu" >>"$results"
    log "run $run $side: ${secs} s, client peak RSS $((rss / 1024)) MiB, CPU s client $ccpu server $scpu"
  done
done
rget_server_kib=$(hwm_kib "$RGET_PID")
nginx_server_kib=$(hwm_kib "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true))

col() { awk -F'\t' -v s="$1" -v c="$2" '$2 == s { print $c }' "$results"; }
ct=$(col curl 3 | median); rt=$(col rget 3 | median)
crss=$(col curl 4 | sort -g | tail -1); rrss=$(col rget 4 | sort -g | tail -1)
ccc=$(col curl 5 | median); rcc=$(col rget 5 | median); csc=$(col curl 6 | median); rsc=$(col rget 6 | median)
ratio=$(awk -v a="$rt" -v b="$ct" 'BEGIN { printf "%.2f", a / b }')
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
rate() { awk -v s="$1" -v m="$size_mib" 'BEGIN { printf "%.0f", m / s }'; }
verdict() { awk -v x="$1" -v t="$2" 'BEGIN { print (x <= t) ? "met" : "MISSED" }'; }

echo "## Uploads: rget upload to rget serve vs curl -T to nginx (dav_methods PUT)"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"\
  "load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r); $("$NGINX" -v 2>&1 | sed 's/.*: //');"\
  "$(curl --version | head -1 | cut -d' ' -f1-2); $(java -version 2>&1 | head -1); rget $(git -C "$repo" rev-parse --short HEAD)."
echo "A ${size_mib} MiB file of random bytes, in the page cache; loopback; both servers write to the same disk."
if [ -n "$chunk" ]; then chunk_text="$chunk (--chunk-size $chunk)"; else chunk_text="$(( size_mib >= 2048 ? 16 : size_mib / 128 < 1 ? 1 : size_mib / 128 )) MiB"; fi
echo "\`./rget upload FILE URL\` (tus: a POST, then pipelined PATCHes of $chunk_text with a CRC-32C each, which the server checks and forces to disk)"
echo "to \`./rget serve --uploads\`, both started through the launcher; \`curl -T FILE URL\` (one PUT) to nginx."
echo "$runs runs per side after one warm-up each, alternating curl, rget, curl, rget ...; medians. The machine is shared, so figures are noisy."
echo
echo "| side | median s | MiB/s | client peak RSS MiB (max) | server peak RSS MiB | client CPU s | server CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| curl -T → nginx | $ct | $(rate "$ct") | $(mib "$crss") | $(mib "$nginx_server_kib") (largest nginx process) | $ccc | $csc |"
echo "| rget upload → rget serve | $rt | $(rate "$rt") | $(mib "$rrss") | $(mib "$rget_server_kib") | $rcc | $rsc |"
echo
echo "- time, rget / curl: **$ratio** (target ≤ 1.00: $(verdict "$ratio" 1.00))"
echo "- peak RSS, rget upload: $(mib "$rrss") MiB, rget serve: $(mib "$rget_server_kib") MiB (target ≤ 128 MiB each:"\
  "$(verdict "$(mib "$rrss")" 128) / $(verdict "$(mib "$rget_server_kib")" 128))"
echo
echo "CPU s are medians of user + system time: the client's from /usr/bin/time, the server's from /proc"
echo "(nginx: master and workers) over the same run; on a shared machine they vary less than wall time."
echo
echo "Per run (seconds, client peak RSS KiB, client and server CPU s):"
echo
echo '```'
awk -F'\t' 'NR > 1 { printf "run %s  %-4s %8s s  %8s KiB  cpu %5s + %5s s\n", $1, $2, $3, $4, $5, $6 }' "$results"
echo '```'
